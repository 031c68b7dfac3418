from django.contrib import admin

from referrals.admin import CaseRecordAdmin, NoDeleteHistoryAdmin

from .chronology.kinds import CHRONOLOGY_MODELS
from .models import FollowUpReview, PanelAction

# Every chronology record of this app (declared in reviews.chronology.kinds) with the shared
# admin; referrals.admin registers intake's own.
for model in CHRONOLOGY_MODELS:
    if model._meta.app_label == "reviews":
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
