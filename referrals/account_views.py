"""Two-factor authentication (TOTP): set it up once, then confirm a code at each sign-in."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import qrcode
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import log_access


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        min_length=6,
        help_text="The 6-digit code, for example 123456.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input--width-5",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "Enter all 6 digits of the code",
        },
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


def _qr_data_url(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False
        ).first() or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, why = device.verify_is_allowed()
        if not allowed:
            wait = (why or {}).get("locked_until")
            form.add_error(
                "token",
                "Too many wrong codes: wait a minute, then enter the current code"
                if wait is None
                else f"Too many wrong codes: try again after {wait:%H:%M:%S}",
            )
        elif device.verify_token(form.cleaned_data["token"]):
            if setting_up:
                device.confirmed = True
                device.save()
            otp_login(request, device)
            log_access(
                user=user,
                action="two-factor",
                detail="set up" if setting_up else "verified",
                request=request,
            )
            if setting_up:
                messages.success(request, "Two-factor authentication is set up")
            return redirect(_next(request))
        else:
            form.add_error("token", "That code is not right or has expired: enter the current code")
            log_access(
                user=user,
                action="two-factor",
                detail="wrong code",
                request=request,
                outcome="refused",
            )
    secret = base64.b32encode(device.bin_key).decode() if setting_up else ""
    return render(
        request,
        "registration/two_factor.html",
        {
            "form": form,
            "setting_up": setting_up,
            "secret": secret,
            "qr": _qr_data_url(device) if setting_up else "",
            "next": _next(request),
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with the emailed link always built from SITE_URL.

    Django's own view takes the link's address from the request's Host header,
    which whoever asks for the reset controls: with a forged Host the victim
    would be emailed a working reset token on a link to someone else's site.
    """

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={"site_url": settings.SITE_URL},
        )
        # FormView's form_valid: the redirect to "check your email" (not the parent's,
        # which would save the form again with the request's host).
        return super(auth_views.PasswordResetView, self).form_valid(form)


@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the database answers, 503 when not."""
    try:
        with connection.cursor() as cursor:  # history-safe: a read-only probe, writes nothing
            cursor.execute("SELECT 1")  # history-safe: reads only
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
