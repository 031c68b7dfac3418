from django.contrib import admin

from referrals.admin import CaseRecordAdmin, NoDeleteHistoryAdmin

from .models import (
    AgencyAccount,
    Briefing,
    CaseExit,
    FollowUpReview,
    InterventionSession,
    PanelAction,
    PanelDecision,
    PanelMeeting,
    ProviderAssignment,
)

for model in (
    PanelMeeting,
    PanelDecision,
    ProviderAssignment,
    Briefing,
    InterventionSession,
    AgencyAccount,
    CaseExit,
):
    admin.site.register(model, CaseRecordAdmin)


@admin.register(PanelAction)
class PanelActionAdmin(NoDeleteHistoryAdmin):
    list_display = ("description", "case", "owner", "due_on", "completed_on")
    raw_id_fields = ("case", "meeting")


@admin.register(FollowUpReview)
class FollowUpReviewAdmin(NoDeleteHistoryAdmin):
    list_display = ("case", "kind", "due_on", "owner", "state", "conducted_on")
    list_filter = ("kind", "state")
    raw_id_fields = ("case", "exit")
