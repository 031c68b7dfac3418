"""Issue 13, item 8: sign-in and request handling as an attacker (and a busy small team) would try them.

Password spraying across usernames, forged X-Forwarded-For, forged Host on a
password reset, and concurrent writers on the embedded SQLite database.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from referrals.audit import client_ip
from referrals.models import AccessLog
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


def sign_in(client, username, password="demo-password", **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def spray(client, failures, headers):
    """`failures` wrong passwords spread over many usernames, never reaching the per-pair limit.

    `headers(attempt)` gives each attempt's request headers. Returns each status code.
    """
    per_user = settings.AXES_FAILURE_LIMIT - 1
    return [
        sign_in(
            client, f"target{attempt // per_user}", "Summer2024!", **headers(attempt)
        ).status_code
        for attempt in range(failures)
    ]


def direct(address):
    return lambda attempt: {"REMOTE_ADDR": address}


# 1. Password spraying: a limit per client address across all usernames.


def test_password_spraying_locks_the_address_across_usernames(client):
    factories.user("caseworker")
    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    # Below the limit nobody is locked, and a colleague at the same address signs in
    # (which clears only their own failures, not the address's).
    assert set(spray(client, limit - 1, direct("198.51.100.20"))) == {200}
    assert sign_in(client, "caseworker", REMOTE_ADDR="198.51.100.20").status_code == 302
    client.logout()
    # No username has reached the per-pair limit, yet one more failure locks the address.
    assert sign_in(client, "someone", "Summer2024!", REMOTE_ADDR="198.51.100.20").status_code == 429
    locked = sign_in(client, "caseworker", REMOTE_ADDR="198.51.100.20")
    assert locked.status_code == 429
    assert b"Too many attempts to sign in" in locked.content
    assert "_auth_user_id" not in client.session
    # The same person from another address is not affected.
    assert sign_in(client, "caseworker", REMOTE_ADDR="198.51.100.99").status_code == 302
    # Every failure and the lockout are in the access log, with the address.
    refused = AccessLog.objects.filter(action="sign-in", outcome="refused")
    assert refused.filter(ip_address="198.51.100.20").count() == limit + 1
    lockouts = AccessLog.objects.filter(action="sign-in-locked-out")
    assert lockouts.exists()
    assert set(lockouts.values_list("ip_address", flat=True)) == {"198.51.100.20"}
    logged = " ".join(row.detail for row in AccessLog.objects.all())
    assert "Summer2024!" not in logged and "demo-password" not in logged


def test_the_address_limit_comes_from_the_environment():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "casereview.test_settings"}
    code = "from django.conf import settings; print(settings.SIGNIN_ADDRESS_FAILURE_LIMIT)"
    run = [sys.executable, "-c", code]
    read = subprocess.run(
        run,
        cwd=ROOT,
        env={**env, "SIGNIN_ADDRESS_FAILURE_LIMIT": "7"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.stdout.strip() == "7", read.stderr
    default = {k: v for k, v in env.items() if k != "SIGNIN_ADDRESS_FAILURE_LIMIT"}
    read = subprocess.run(run, cwd=ROOT, env=default, capture_output=True, text=True, timeout=60)
    assert read.stdout.strip() == "20", read.stderr
    bad = subprocess.run(
        run,
        cwd=ROOT,
        env={**env, "SIGNIN_ADDRESS_FAILURE_LIMIT": "lots"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0
    assert "SIGNIN_ADDRESS_FAILURE_LIMIT must be a whole number" in bad.stderr


# 2. The client address: X-Forwarded-For only from a trusted proxy, its right-most entry.


def test_a_forged_forwarded_for_from_a_direct_client_is_ignored(client):
    """No proxy configured: a new X-Forwarded-For on every attempt neither hides nor frees the client."""
    factories.user("caseworker")
    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
    codes = spray(
        client,
        limit,
        lambda attempt: {
            "REMOTE_ADDR": "198.51.100.30",
            "HTTP_X_FORWARDED_FOR": f"203.0.113.{attempt}",
        },
    )
    assert codes[-1] == 429
    # A fresh forged address does not lift the lock either.
    again = sign_in(
        client, "caseworker", REMOTE_ADDR="198.51.100.30", HTTP_X_FORWARDED_FOR="203.0.113.250"
    )
    assert again.status_code == 429
    logged = set(AccessLog.objects.values_list("ip_address", flat=True))
    assert logged == {"198.51.100.30"}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.30"}


def test_behind_a_trusted_proxy_the_address_is_the_right_most_forwarded_for(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY
    factories.user("caseworker")
    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
    # The proxy (127.0.0.1) appends the peer it saw; whatever the client put to its left
    # (a different forged address each time) is not believed.
    codes = spray(
        client,
        limit,
        lambda attempt: {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": f"10.9.8.{attempt}, 203.0.113.40",
        },
    )
    assert codes == [200] * (limit - 1) + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.40"}
    refused = AccessLog.objects.filter(action="sign-in", outcome="refused")
    assert set(refused.values_list("ip_address", flat=True)) == {"203.0.113.40"}
    # Another client behind the same proxy is throttled separately.
    other = sign_in(
        client,
        "caseworker",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="203.0.113.41",
    )
    assert other.status_code == 302
    signed_in = AccessLog.objects.get(action="sign-in", outcome="allowed")
    assert signed_in.ip_address == "203.0.113.41"


def test_client_ip_believes_forwarded_for_only_behind_a_proxy_and_only_its_last_entry(settings):
    cases = [
        # (proxy in front, X-Forwarded-For, address used)
        (False, None, "192.0.2.5"),
        (False, "203.0.113.9", "192.0.2.5"),
        (True, None, "192.0.2.5"),
        (True, "203.0.113.9", "203.0.113.9"),
        (True, "10.0.0.1, 203.0.113.9", "203.0.113.9"),
        (True, "203.0.113.9,2001:db8::7", "2001:db8::7"),
        (True, "203.0.113.9, not-an-address", "192.0.2.5"),
        (True, "", "192.0.2.5"),
    ]
    for proxy, forwarded_for, expected in cases:
        settings.SECURE_PROXY_SSL_HEADER = PROXY if proxy else None
        headers = {"REMOTE_ADDR": "192.0.2.5"}
        if forwarded_for is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
        assert client_ip(RequestFactory().get("/", **headers)) == expected, (proxy, forwarded_for)


# 4. The password-reset link: from SITE_URL, never from the request's Host header.


def test_password_reset_link_uses_site_url_not_the_host_header(client, settings, mailoutbox):
    settings.SITE_URL = "https://casereview.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "attacker.example"]
    user = factories.user("caseworker")
    user.email = "caseworker@example.com"
    user.save()
    response = client.post(
        reverse("password_reset"),
        {"email": "caseworker@example.com"},
        HTTP_HOST="attacker.example",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "attacker.example" not in body
    links = [line for line in body.splitlines() if "/accounts/reset/" in line]
    assert len(links) == 1
    assert links[0].startswith("https://casereview.example.org/accounts/reset/")
    # The link works: it opens the "choose a new password" page.
    path = links[0].removeprefix("https://casereview.example.org")
    assert client.get(path, follow=True).status_code == 200


# 5. The embedded SQLite database serves a small team without "database is locked".

WRITERS = """
import json
import threading

import django

django.setup()

from django.db import OperationalError, connection

from casereview.auditchain import verify
from referrals.audit import log_access
from referrals.models import AccessLog

THREADS, WRITES = 8, 20
start = threading.Barrier(THREADS)
errors = []


def writer(number):
    start.wait()
    try:
        for write in range(WRITES):
            try:
                log_access(user=None, action="load-test", detail=f"writer {number} write {write}")
            except OperationalError as error:
                errors.append(str(error))
    finally:
        connection.close()


threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
print(json.dumps({
    "errors": errors,
    "rows": AccessLog.objects.filter(action="load-test").count(),
    "journal_mode": journal_mode,
    "chain_breaks": [str(b) for b in verify(AccessLog)],
}))
"""


def test_sqlite_serves_concurrent_writers_without_database_is_locked(tmp_path):
    """8 threads x 20 access-log rows (read the chain head, then write) on a SQLite file.

    Runs in a subprocess with the project's settings on its own SQLite file, so it
    runs in the PostgreSQL test run too. Without WAL and BEGIN IMMEDIATE about
    100 of the 160 writes failed with "database is locked".
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casereview.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DATABASE_NAME", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    script = tmp_path / "writers.py"
    script.write_text(WRITERS)
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == [], f"{len(result['errors'])} of 160 writes failed"
    assert result["rows"] == 160
    assert result["journal_mode"] == "wal"
    assert result["chain_breaks"] == []
