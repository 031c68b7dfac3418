"""Sign-in events in the access log: successes, failures and lockouts (never a password)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import log_access
from .models import AccessLog


@receiver(user_logged_in, dispatch_uid="access-log-sign-in")
def signed_in(sender, request, user, **kwargs):
    log_access(user=user, action="sign-in", request=request)


@receiver(user_logged_out, dispatch_uid="access-log-sign-out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        log_access(user=user, action="sign-out", request=request)


@receiver(user_login_failed, dispatch_uid="access-log-sign-in-failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password masked by Django, but only the username is kept.
    log_access(
        user=None,
        action="sign-in",
        detail=f"username {credentials.get('username', '')!r}"[:300],
        request=request,
        outcome=AccessLog.Outcome.REFUSED,
    )


@receiver(user_locked_out, dispatch_uid="access-log-locked-out")
def locked_out(sender, request, username, ip_address, **kwargs):
    log_access(
        user=None,
        action="sign-in-locked-out",
        detail=f"username {username!r}"[:300],
        request=request,
        outcome=AccessLog.Outcome.REFUSED,
    )
