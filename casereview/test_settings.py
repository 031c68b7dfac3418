"""Settings for the test suite: the real settings with test-only conveniences."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "insecure-key-for-tests-only")
# Fixed, so tests (and the subprocesses they start) hash and verify with one key.
os.environ.setdefault("AUDIT_HMAC_KEY", "insecure-audit-chain-key-for-tests-only")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Laid-out PDFs of this test run in a folder of its own, never var/chronology-pdfs.
if not os.environ.get("PDF_STORAGE_DIR"):
    os.environ["PDF_STORAGE_DIR"] = tempfile.mkdtemp(prefix="casereview-test-pdfs-")
    # Removed when this process ends (subprocesses it starts share it and leave it).
    atexit.register(shutil.rmtree, os.environ["PDF_STORAGE_DIR"], ignore_errors=True)

from casereview.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Plain HTTP in tests; production turns these on (see casereview/settings.py).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# Django empties the tables between transactional tests with TRUNCATE, which the audit
# tables refuse (reviews/migrations/0004) unless this variable is on: tests only.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c casereview.allow_truncate=on".strip()

# Parallel local runs against one PostgreSQL server can each name their own test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
