"""Admin for administrators: every model, with its history. Case records are voided, not deleted."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccessGrant,
    Agency,
    Case,
    CaseNote,
    Contact,
    Person,
    Referral,
    ReferralOutcome,
    User,
)


class NoDeleteHistoryAdmin(SimpleHistoryAdmin):
    """Nothing a caseworker entered is hard-deleted: void it instead (with a reason)."""

    def has_delete_permission(self, request, obj=None):
        return False


class CaseRecordAdmin(NoDeleteHistoryAdmin):
    list_display = (
        "__str__",
        "case",
        "agency",
        "occurred_on",
        "logged_on",
        "logged_by",
        "voided_at",
    )
    list_filter = ("agency",)
    search_fields = ("case__reference", "summary")
    raw_id_fields = ("case",)
    date_hierarchy = "occurred_on"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "last_name", "agency", "role", "is_active")
    list_filter = ("role", "agency", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Agency and role", {"fields": ("agency", "role")}))
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Agency and role", {"fields": ("agency", "role", "email")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(NoDeleteHistoryAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Person)
class PersonAdmin(NoDeleteHistoryAdmin):
    search_fields = ("display_name",)


@admin.register(Case)
class CaseAdmin(NoDeleteHistoryAdmin):
    list_display = ("reference", "person", "status", "owner", "lead_agency", "referred_on")
    list_filter = ("status", "lead_agency")
    search_fields = ("reference", "person__display_name")
    raw_id_fields = ("person",)


@admin.register(AccessGrant)
class AccessGrantAdmin(NoDeleteHistoryAdmin):
    list_display = ("user", "case", "starts_on", "ends_on", "revoked_at")
    raw_id_fields = ("case",)


for model in (Referral, ReferralOutcome, Contact, CaseNote):
    admin.site.register(model, CaseRecordAdmin)
