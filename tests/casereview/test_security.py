"""Accounts, sessions, headers and production settings, as an attacker or an auditor would try them."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from casereview.middleware import SIGNED_IN_AT, WAS_SIGNED_IN_COOKIE
from referrals.models import AccessLog, User
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, username, password="demo-password"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_security_headers_on_a_case_page(client):
    user = factories.user("caseworker")
    case = factories.case(owner=user)
    client.force_login(user)
    response = client.get(reverse("reviews:case", args=[case.reference]))
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_sign_in_is_throttled_per_username_and_address_and_logged(client):
    factories.user("caseworker")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "caseworker", "not-my-password-123")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    assert sign_in(client, "caseworker", "not-my-password-123").status_code == 429
    other_user = sign_in(client, "someone-else", "whatever-password")
    assert other_user.status_code == 200  # the lock is for that username from that address
    locked = sign_in(client, "caseworker", "demo-password")
    assert locked.status_code == 429
    assert b"Too many attempts to sign in" in locked.content
    assert b"signing in is paused for 15 minutes, until " in locked.content
    assert "_auth_user_id" not in client.session
    failures = AccessLog.objects.filter(action="sign-in", outcome="refused")
    assert failures.count() >= settings.AXES_FAILURE_LIMIT
    assert AccessLog.objects.filter(action="sign-in-locked-out").exists()
    logged = " ".join(f"{row.detail} {row.username}" for row in AccessLog.objects.all())
    assert "not-my-password-123" not in logged and "demo-password" not in logged


def test_successful_sign_in_rotates_the_session_and_is_logged(client):
    factories.user("caseworker")
    client.get(reverse("login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-session-key"
    response = sign_in(client, "caseworker")
    assert response.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-chosen-session-key"
    assert AccessLog.objects.filter(
        action="sign-in", outcome="allowed", username="caseworker"
    ).exists()


def test_absolute_session_limit_signs_out_after_twelve_hours(client):
    user = factories.user("caseworker")
    client.force_login(user)
    assert client.get(reverse("reviews:home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("reviews:home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert b"signed in for 12 hours" in response.content


def test_idle_sign_out_is_explained(client):
    client.cookies[WAS_SIGNED_IN_COOKIE] = "1"
    response = client.get(reverse("reviews:home"), follow=True)
    assert b"You have been signed out because you were inactive for 30 minutes" in response.content
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_activity_keeps_the_session_alive_saving_it_at_most_once_a_minute(client, settings):
    """The idle clock restarts on activity; a burst of pages writes the session once."""
    from django.contrib.sessions.models import Session

    from casereview.middleware import REFRESHED_AT

    client.force_login(factories.user("caseworker"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("reviews:home")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    for _ in range(3):
        assert client.get(reverse("reviews:home")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expiry  # not saved again

    session = client.session
    session[REFRESHED_AT] = time.time() - settings.SESSION_REFRESH_SECONDS
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    time.sleep(0.01)
    assert client.get(reverse("reviews:home")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date > saved  # a minute on: moved on


def test_deactivated_user_is_signed_out_on_the_next_request(client):
    user = factories.user("caseworker")
    client.force_login(user)
    assert client.get(reverse("reviews:home")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("reviews:home")).status_code == 302


def test_password_change_ends_other_sessions(client, django_user_model):
    from django.test import Client

    user = factories.user("caseworker")
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo-password",
            "new_password1": "a-long-new-passphrase-2026",
            "new_password2": "a-long-new-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("reviews:home")).status_code == 200
    assert other_device.get(reverse("reviews:home")).status_code == 302


def test_short_passwords_are_refused(client):
    user = factories.user("caseworker")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo-password",
            "new_password1": "Shortpw1!",
            "new_password2": "Shortpw1!",
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


def test_administrators_must_use_two_factor(client):
    admin = factories.user("admin", role=User.Role.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("referrals:case-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor"))
    setup = client.get(response.url)
    assert b"Set up two-factor authentication" in setup.content
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    wrong = client.post(reverse("two-factor"), {"token": "000000", "next": "/cases/"})
    assert b"That code is not right" in wrong.content
    too_soon = client.post(reverse("two-factor"), {"token": "000000", "next": "/cases/"})
    assert b"Too many wrong codes" in too_soon.content
    device.refresh_from_db()
    device.throttle_reset()  # the wait after a wrong code has passed
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post(reverse("two-factor"), {"token": token, "next": "/cases/"})
    assert done.status_code == 302 and done.url == "/cases/"
    assert client.get(reverse("referrals:case-list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_two_factor_is_available_but_not_required_for_caseworkers(client):
    client.force_login(factories.user("caseworker"))
    assert client.get(reverse("referrals:case-list")).status_code == 200
    assert b"Set up two-factor authentication" in client.get(reverse("two-factor")).content


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def _manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "SECURE_COOKIES",
            "STATICFILES_BACKEND",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key_or_hosts():
    no_key = _manage("check", ALLOWED_HOSTS="casereview.example.org")
    assert no_key.returncode != 0 and "SECRET_KEY must be set" in no_key.stderr
    no_hosts = _manage("check", SECRET_KEY="x" * 60)
    assert no_hosts.returncode != 0 and "ALLOWED_HOSTS must be set" in no_hosts.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k7Gq-" + "xY3pL9vR2mN8bT5wQ1zC4" * 3,
        ALLOWED_HOSTS="casereview.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_sign_in_and_audit_work_in_autocommit_as_in_production(client):
    """Outside a test transaction, as under gunicorn: the audit chain takes its own transaction."""
    user = factories.user("caseworker")
    case = factories.case(owner=user)
    assert sign_in(client, "caseworker").status_code == 302
    assert client.get(reverse("reviews:case", args=[case.reference])).status_code == 200
    assert AccessLog.objects.filter(action="view-case", case=case).exists()
    assert user.history.count() == 1  # signing in (last_login) adds no history row
