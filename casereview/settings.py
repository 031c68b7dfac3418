"""casereview settings, read from the environment.

Every variable is listed with its default in README.md ("Configuration").
Small checked helpers turn bad values into ImproperlyConfigured at start-up
rather than odd behaviour later (after healthchecks' hc/settings.py).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty both mean the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (or DEBUG=true for a local development server)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"

# Key of the audit hash chains (casereview/auditchain.py). It lives outside the database so
# that whoever can rewrite the database cannot rewrite the chains to match. Keep it as safe
# as the backups and never change it: rows chained with one key do not verify with another.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
if not AUDIT_HMAC_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY must be set (or DEBUG=true for a local development server)."
        )
    AUDIT_HMAC_KEY = "insecure-development-audit-key-only-used-with-DEBUG"
elif len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

# Public address used in emailed links (reminders, password reset).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    "django_tasks",
    "django_tasks_db",
    "casereview",
    "referrals",
    "reviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "casereview.middleware.SessionLimitsMiddleware",
    "casereview.middleware.RequireTwoFactorMiddleware",
    "casereview.middleware.NoStoreMiddleware",
    # A rendered form is accepted once (a double click saves one record).
    "referrals.submissions.OnceOnlyFormMiddleware",
    # A case one may not see: the app's own not-found page, in development too.
    "casereview.middleware.NotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins per username and address and refuses locked-out ones.
    "axes.backends.AxesStandaloneBackend",
    "referrals.backends.CaseReviewBackend",
]

ROOT_URLCONF = "casereview.urls"
WSGI_APPLICATION = "casereview.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "referrals.context_processors.navigation",
            ],
        },
    },
]

# SQLite in a git-ignored file by default; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends 100-200 ms compiling the short queries of a web page
    # whose cost estimate looks high (measured on the 70,000-case archive): off for the app.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several people at once on the embedded database (`make run`): WAL lets readers carry on
    # while one connection writes; BEGIN IMMEDIATE takes the write lock at the start of a
    # transaction, so a writer waits its turn (up to the busy timeout) instead of failing
    # with "database is locked" when a read inside its transaction turns into a write.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }

AUTH_USER_MODEL = "referrals.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reviews:start"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
_PDF_STORAGE_BACKEND = env_str("PDF_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
_PDF_STORAGE_OPTIONS = (
    {
        "location": Path(env_str("PDF_STORAGE_DIR", str(BASE_DIR / "var" / "chronology-pdfs"))),
        "file_permissions_mode": 0o600,
        "directory_permissions_mode": 0o700,
    }
    if _PDF_STORAGE_BACKEND == "django.core.files.storage.FileSystemStorage"
    else {}
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
    # Laid-out PDF chronologies (reviews/pdf/store.py), read back only through the download
    # view, which checks access first. Every app server must reach the same files: a shared
    # folder, or another storage backend (PDF_STORAGE_BACKEND, configured by its own settings).
    "chronology_pdfs": {"BACKEND": _PDF_STORAGE_BACKEND, "OPTIONS": _PDF_STORAGE_OPTIONS},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "casereview <no-reply@casereview.invalid>")

# simple-history: reasons can be long sentences ("imported from FILE by USER").
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Findings thresholds (docs/chronology-format.md, "Defaults"; casereview/timerules.py).
ONGOING_STALE_DAYS = env_int("ONGOING_STALE_DAYS", 28)
REVIEW_GRACE_DAYS = env_int("REVIEW_GRACE_DAYS", 14)
LATE_LOGGING_DAYS = env_int("LATE_LOGGING_DAYS", 7)
# Reminders: days before the due date when the owner is first emailed.
REVIEW_REMINDER_DAYS = env_int("REVIEW_REMINDER_DAYS", 14)
# Cases gone quiet (reviews/quiet.py): an adopted case not exited with no session, contact or
# panel meeting in NO_CONTACT_DAYS is listed and its owner emailed; its owner's agency's
# supervisors are emailed once it stays quiet NO_CONTACT_ESCALATE_DAYS more.
NO_CONTACT_DAYS = env_int("NO_CONTACT_DAYS", 28, minimum=1)
NO_CONTACT_ESCALATE_DAYS = env_int("NO_CONTACT_ESCALATE_DAYS", 14)
# Dashboard: a referral with no outcome (panel decision, exit) this many days after it was
# received is listed as awaiting one (referrals.models.CaseQuerySet.awaiting_outcome).
REFERRAL_OUTCOME_DAYS = env_int("REFERRAL_OUTCOME_DAYS", 30)
# Dashboard: a session held this many days ago that nobody outside the provider has confirmed
# (reviews.models.SessionQuerySet.awaiting_confirmation).
SESSION_CONFIRM_DAYS = env_int("SESSION_CONFIRM_DAYS", 14)

# Largest chronology CSV accepted, in bytes.
CHRONOLOGY_MAX_UPLOAD_BYTES = env_int("CHRONOLOGY_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1)

# Background tasks (django-tasks, the backport of Django 6's django.tasks): the queue is a
# table of the same database, so SQLite serves `make run` and PostgreSQL production, and any
# number of `manage.py db_worker` processes take tasks with row locks (SKIP LOCKED on
# PostgreSQL). No other server.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# PDF chronology (reviews/pdf/): laid out by a task in a worker, kept in the storage
# "chronology_pdfs" (STORAGES above) for PDF_KEEP_HOURS, largest case laid out on request,
# and the time and memory one layout may take in the worker.
PDF_MAX_ENTRIES = env_int("PDF_MAX_ENTRIES", 5000)
PDF_KEEP_HOURS = env_int("PDF_KEEP_HOURS", 24, minimum=1)
PDF_RENDER_SECONDS = env_int("PDF_RENDER_SECONDS", 300, minimum=1)
PDF_RENDER_MEMORY_MB = env_int("PDF_RENDER_MEMORY_MB", 1024, minimum=64)

# Pages render a bounded number of rows, whatever the size of the case: records per page
# of the case page, and chronology rows per page of the timeline (whose findings and
# comparison lists show at most as many). The JSON, CSV and PDF exports stay complete.
CASE_PAGE_ROWS = env_int("CASE_PAGE_ROWS", 50, minimum=1)
TIMELINE_PAGE_ROWS = env_int("TIMELINE_PAGE_ROWS", 200, minimum=1)

# The timeline page's drawing of a case that has not changed since it was drawn
# (reviews/drawing_cache.py): kept in each app process's memory (no cache server), at most
# DRAWING_CACHE_ENTRIES drawings (about 170 KB each for a 2,000-entry case) for
# DRAWING_CACHE_SECONDS; 0 draws every view afresh.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "casereview-drawings",
        "OPTIONS": {"MAX_ENTRIES": env_int("DRAWING_CACHE_ENTRIES", 200, minimum=1)},
    }
}
DRAWING_CACHE_SECONDS = env_int("DRAWING_CACHE_SECONDS", 3600, minimum=0)

# Sessions: signed out after SESSION_COOKIE_AGE idle seconds (30 minutes) and, whatever
# the activity, SESSION_ABSOLUTE_SECONDS after signing in (12 hours).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=60)
# The idle clock restarts when the session is saved: SessionLimitsMiddleware saves it on
# a request at most once per SESSION_REFRESH_SECONDS (not on every page, which was an
# UPDATE and a commit per request), so the idle limit is SESSION_COOKIE_AGE less up to
# a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS: on unless DEBUG. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=true
# so Django trusts its X-Forwarded-Proto header; the client address is then the right-most
# X-Forwarded-For entry (the one the proxy added), otherwise the connection's (client_ip).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: nothing inline, nothing from elsewhere, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sign-in throttling (django-axes): 5 failures for one username from one address locks
# that pair out for 15 minutes, and 20 failures from one address across all usernames
# (password spraying) lock that address (referrals/throttle.py). The address is
# referrals.audit.client_ip's, the same as the access log's.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_HANDLER = "referrals.throttle.AddressLimitHandler"
AXES_CLIENT_IP_CALLABLE = "referrals.audit.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication (django-otp, TOTP): required for administrators, open to all.
OTP_TOTP_ISSUER = "casereview"
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "admin")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
