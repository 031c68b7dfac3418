"""Session limits, two-factor enforcement and no-store caching for every signed-in page."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

SIGNED_IN_AT = "casereview_signed_in_at"
# When the session (and with it its idle expiry) was last saved.
REFRESHED_AT = "casereview_refreshed_at"
# A harmless marker cookie (no identifier in it) so that a request arriving after the
# session expired can say why the user is on the sign-in page again.
WAS_SIGNED_IN_COOKIE = "casereview_was_signed_in"


class SessionLimitsMiddleware:
    """Ends a session 12 hours after sign-in, however active; explains idle sign-outs.

    Activity keeps a session alive: a signed-in request saves the session, which moves
    its expiry SESSION_COOKIE_AGE ahead, when it was last saved SESSION_REFRESH_SECONDS
    or more ago.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    "You have been signed out because you have been signed in "
                    "for 12 hours. Sign in again to continue.",
                )
                return redirect(f"{reverse('login')}?next={request.path}")
            now = time.time()
            if now - request.session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[REFRESHED_AT] = now  # saved, with a new expiry, on the way out
        elif request.COOKIES.get(WAS_SIGNED_IN_COOKIE) and request.path != reverse("logout"):
            messages.info(
                request,
                "You have been signed out because you were inactive for "
                f"{settings.SESSION_COOKIE_AGE // 60} minutes. Sign in again to continue.",
            )
            response = self.get_response(request)
            response.delete_cookie(WAS_SIGNED_IN_COOKIE)
            return response
        response = self.get_response(request)
        if request.user.is_authenticated:
            response.set_cookie(
                WAS_SIGNED_IN_COOKIE,
                "1",
                max_age=settings.SESSION_ABSOLUTE_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif request.path == reverse("logout"):
            response.delete_cookie(WAS_SIGNED_IN_COOKIE)
        return response


class RequireTwoFactorMiddleware:
    """Users whose role requires two-factor authentication must set it up and use it."""

    ALLOWED = ("two-factor", "logout", "login", "password_reset")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.role in settings.TWO_FACTOR_REQUIRED_ROLES
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
            and request.resolver_match is None
        ):
            from django.urls import resolve

            match = resolve(request.path_info)
            if not any(match.url_name and match.url_name.startswith(a) for a in self.ALLOWED):
                return redirect(f"{reverse('two-factor')}?next={request.path}")
        return self.get_response(request)


class NoStoreMiddleware:
    """Case data must not sit in browser or proxy caches: no-store on every dynamic response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response


class NotFoundPageMiddleware:
    """Answers `casereview.web.NotFound` (a case or record the user may not see, or that does
    not exist) with the app's not-found page and its emergency-access offer, whatever DEBUG
    says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .web import NotFound

        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        return None
