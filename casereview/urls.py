"""The root URLconf: where the apps are put together, each named by its urls module."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("referrals.account_urls")),
    path("", include("reviews.urls")),
    path("", include("referrals.urls")),
]
