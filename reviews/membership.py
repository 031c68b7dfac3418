"""Which reviews records make an agency part of a case, for `referrals.membership`.

The agency that holds one of the case's panel meetings (the Channel panel), an agency present
at one, and a commissioned intervention provider are part of the case (`referrals.access`). Registered once, when the app is ready.
"""

from __future__ import annotations

from referrals.membership import Source, Via, register

from .models import PanelAttendance, PanelMeeting, ProviderAssignment


def _panel_pairs(case_ids):
    for case_id, agency_id in PanelAttendance.objects.filter(
        meeting__case_id__in=case_ids, meeting__voided_at__isnull=True
    ).values_list("meeting__case_id", "agency_id"):
        yield case_id, agency_id, Via.PANEL


def _provider_pairs(case_ids):
    for case_id, agency_id in ProviderAssignment.objects.filter(
        case_id__in=case_ids, voided_at__isnull=True
    ).values_list("case_id", "agency_id"):
        yield case_id, agency_id, Via.PROVIDER


register(
    Source(
        label="reviews.PanelAttendance",
        pairs=_panel_pairs,
        case_id_of=lambda attendance: attendance.meeting.case_id,
        sql="SELECT m.case_id, a.agency_id, 'panel' FROM reviews_panelattendance a"
        " JOIN reviews_panelmeeting m ON m.id = a.meeting_id WHERE m.voided_at IS NULL",
    )
)


def _meeting_pairs(case_ids):
    """The agency that holds a panel meeting (the Channel panel itself) sat on the case."""
    for case_id, agency_id in PanelMeeting.objects.filter(
        case_id__in=case_ids, voided_at__isnull=True
    ).values_list("case_id", "agency_id"):
        yield case_id, agency_id, Via.PANEL


register(
    Source(
        # A voided meeting takes its attendances out: the meeting's saves refresh too.
        label="reviews.PanelMeeting",
        pairs=_meeting_pairs,
        case_id_of=lambda meeting: meeting.case_id,
        sql="SELECT case_id, agency_id, 'panel' FROM reviews_panelmeeting WHERE voided_at IS NULL",
    )
)
register(
    Source(
        label="reviews.ProviderAssignment",
        pairs=_provider_pairs,
        case_id_of=lambda assignment: assignment.case_id,
        sql="SELECT case_id, agency_id, 'provider' FROM reviews_providerassignment"
        " WHERE voided_at IS NULL",
    )
)
