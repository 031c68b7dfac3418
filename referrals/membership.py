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


def desired(case_ids: list[int]) -> dict[int, set[tuple[int, str]]]:
    """Per case, the (agency id, via) pairs its records say it should have."""
    Case = apps.get_model("referrals", "Case")
    Referral = apps.get_model("referrals", "Referral")
    PanelAttendance = apps.get_model("reviews", "PanelAttendance")
    ProviderAssignment = apps.get_model("reviews", "ProviderAssignment")

    pairs: dict[int, set[tuple[int, str]]] = {case_id: set() for case_id in case_ids}
    for case_id, lead, owner_agency in Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "lead_agency_id", "owner__agency_id"
    ):
        pairs[case_id] |= {(lead, Via.LEAD), (owner_agency, Via.OWNER)}
    for case_id, agency_id in Referral.objects.filter(
        case_id__in=case_ids, voided_at__isnull=True
    ).values_list("case_id", "agency_id"):
        pairs[case_id].add((agency_id, Via.REFERRER))
    for case_id, agency_id in PanelAttendance.objects.filter(
        meeting__case_id__in=case_ids, meeting__voided_at__isnull=True
    ).values_list("meeting__case_id", "agency_id"):
        pairs[case_id].add((agency_id, Via.PANEL))
    for case_id, agency_id in ProviderAssignment.objects.filter(
        case_id__in=case_ids, voided_at__isnull=True
    ).values_list("case_id", "agency_id"):
        pairs[case_id].add((agency_id, Via.PROVIDER))
    return pairs


def refresh(case_id: int) -> None:
    refresh_many([case_id])


def refresh_many(case_ids: list[int]) -> None:
    """Add the memberships the records now imply and drop the ones they no longer do."""
    for start in range(0, len(case_ids), 500):
        chunk = list(case_ids[start : start + 500])
        want = desired(chunk)
        have: dict[int, set[tuple[int, str]]] = {case_id: set() for case_id in chunk}
        stale_ids = []
        for pk, case_id, agency_id, via in CaseAgency.objects.filter(case_id__in=chunk).values_list(
            "pk", "case_id", "agency_id", "via"
        ):
            have[case_id].add((agency_id, via))
            if (agency_id, via) not in want[case_id]:
                stale_ids.append(pk)
        missing = [
            CaseAgency(case_id=case_id, agency_id=agency_id, via=via)
            for case_id in chunk
            for agency_id, via in sorted(want[case_id] - have[case_id])
        ]
        if missing:
            CaseAgency.objects.bulk_create(missing)  # history-safe: derived index rows, not records
        if stale_ids:
            stale = CaseAgency.objects.filter(pk__in=stale_ids)
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

    for label in (
        "referrals.Case",
        "referrals.Referral",
        "reviews.PanelMeeting",
        "reviews.PanelAttendance",
        "reviews.ProviderAssignment",
    ):
        post_save.connect(on_save, sender=apps.get_model(label), dispatch_uid=f"membership-{label}")
