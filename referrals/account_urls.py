"""Signing in and out, two-factor, password reset and the health check (no namespace: the
names are Django's own, such as `login` and `password_reset`)."""

from django.urls import include, path

from .account_views import PasswordResetView, healthz, two_factor

urlpatterns = [
    path("accounts/two-factor/", two_factor, name="two-factor"),
    # Before django.contrib.auth.urls: the reset link comes from SITE_URL, not the Host header.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
]
