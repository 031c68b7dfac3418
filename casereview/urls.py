from django.contrib import admin
from django.urls import include, path

from referrals.account_views import healthz, two_factor

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/two-factor/", two_factor, name="two-factor"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("reviews.urls")),
    path("", include("referrals.urls")),
]
