"""Keep `CaseAgency` (which agencies are part of a case) in step with the records it comes from.

A derived index, not business logic: it is refreshed on post_save of the five
models it is computed from, so every write path (services, admin, shell) keeps it
right; the records themselves, with their history, stay the source of truth.
"""

from __future__ import annotations

from django.apps import apps

from .models import CaseAgency

Via = CaseAgency.Via

# The membership the records imply for every case at once, in SQL both databases speak.
MEMBERSHIP_SELECT = """
SELECT id AS case_id, lead_agency_id AS agency_id, 'lead' AS via FROM referrals_case
UNION SELECT c.id, u.agency_id, 'owner' FROM referrals_case c
      JOIN referrals_user u ON u.id = c.owner_id
UNION SELECT case_id, agency_id, 'referrer' FROM referrals_referral WHERE voided_at IS NULL
UNION SELECT m.case_id, a.agency_id, 'panel' FROM reviews_panelattendance a
      JOIN reviews_panelmeeting m ON m.id = a.meeting_id WHERE m.voided_at IS NULL
UNION SELECT case_id, agency_id, 'provider' FROM reviews_providerassignment WHERE voided_at IS NULL
"""

# Adds what is missing (the scale seeder runs it after bulk loading, beside existing data).
BACKFILL_SQL = f"""
INSERT INTO referrals_caseagency (case_id, agency_id, via)
SELECT m.case_id, m.agency_id, m.via FROM ({MEMBERSHIP_SELECT}) AS m
WHERE NOT EXISTS (SELECT 1 FROM referrals_caseagency x
                  WHERE x.case_id = m.case_id AND x.agency_id = m.agency_id AND x.via = m.via)
"""


def desired(case_id: int) -> set[tuple[int, str]]:
    """(agency id, via) pairs the case's records say it should have."""
    Case = apps.get_model("referrals", "Case")
    Referral = apps.get_model("referrals", "Referral")
    PanelAttendance = apps.get_model("reviews", "PanelAttendance")
    ProviderAssignment = apps.get_model("reviews", "ProviderAssignment")

    lead, owner_agency = Case.objects.values_list("lead_agency_id", "owner__agency_id").get(pk=case_id)
    pairs = {(lead, Via.LEAD), (owner_agency, Via.OWNER)}
    pairs |= {(a, Via.REFERRER) for a in Referral.objects.filter(
        case_id=case_id, voided_at__isnull=True).values_list("agency_id", flat=True)}
    pairs |= {(a, Via.PANEL) for a in PanelAttendance.objects.filter(
        meeting__case_id=case_id, meeting__voided_at__isnull=True).values_list("agency_id", flat=True)}
    pairs |= {(a, Via.PROVIDER) for a in ProviderAssignment.objects.filter(
        case_id=case_id, voided_at__isnull=True).values_list("agency_id", flat=True)}
    return pairs


def refresh(case_id: int) -> None:
    """Add the memberships the records now imply and drop the ones they no longer do."""
    want = desired(case_id)
    have = set(CaseAgency.objects.filter(case_id=case_id).values_list("agency_id", "via"))
    for agency_id, via in want - have:
        CaseAgency.objects.create(case_id=case_id, agency_id=agency_id, via=via)
    for agency_id, via in have - want:
        stale = CaseAgency.objects.filter(case_id=case_id, agency_id=agency_id, via=via)
        stale.delete()  # history-safe: a derived index row, rebuilt from tracked records


def case_id_of(instance) -> int | None:
    """The case a saved record belongs to, if saving it can change who is part of the case."""
    name = instance._meta.label_lower
    if name == "referrals.case":
        return instance.pk
    if name in ("referrals.referral", "reviews.panelmeeting", "reviews.providerassignment"):
        return instance.case_id
    if name == "reviews.panelattendance":
        return instance.meeting.case_id
    return None


def on_save(sender, instance, raw=False, **kwargs) -> None:
    """post_save: any save of a case, referral, meeting, attendance or assignment — through
    the services, the admin or the shell — keeps the case's membership right."""
    if raw:
        return
    if (case_id := case_id_of(instance)) is not None:
        refresh(case_id)


def connect() -> None:
    from django.db.models.signals import post_save

    for label in ("referrals.Case", "referrals.Referral", "reviews.PanelMeeting",
                  "reviews.PanelAttendance", "reviews.ProviderAssignment"):
        post_save.connect(on_save, sender=apps.get_model(label), dispatch_uid=f"membership-{label}")
