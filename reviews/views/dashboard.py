"""The follow-ups dashboard and its CSV download (supervisors and administrators).

Both read `reviews.dashboard`; the CSV holds every row of the filtered view
(all pages), so what is downloaded is what the page lists.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casereview import spreadsheets
from casereview.timerules import TimeRules
from referrals import access
from referrals.audit import log_access
from referrals.models import AccessLog

from .. import dashboard as service
from ..backfills import LIMIT as BACKFILL_LIMIT
from ..backfills import WINDOW_DAYS as BACKFILL_WINDOW_DAYS
from ..backfills import recent_backfills

STATE_FILTER_LABELS = {
    service.OVERDUE: "Overdue",
    service.MISSED: "Missed",
    service.DUE_SOON: "Due in the next 30 days",
    service.HELD_LATE: "Held late in the last 90 days",
}

CSV_COLUMNS = (
    "case_ref",
    "kind",
    "description",
    "owner",
    "agency",
    "due_on",
    "days_overdue",
    "state",
    "conducted_on",
)


class DashboardFilterForm(forms.Form):
    """The GET filters. A value that does not parse is ignored rather than reported."""

    owner = forms.IntegerField(required=False, min_value=1)
    agency = forms.IntegerField(required=False, min_value=1)
    kind = forms.ChoiceField(required=False, choices=[("", "Any"), *service.KINDS])
    state = forms.ChoiceField(required=False, choices=[("", "Any"), *STATE_FILTER_LABELS.items()])

    def filters(self) -> service.Filters:
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that were valid
        return service.Filters(
            owner=data.get("owner"),
            agency=data.get("agency"),
            kind=data.get("kind") or "",
            state=data.get("state") or "",
        )


def _allowed(request, action: str) -> None:
    """Dashboard access, with the refusal in the access log too."""
    if not access.can_view_dashboard(request.user):
        log_access(
            user=request.user,
            action=action,
            request=request,
            detail=request.GET.urlencode(),
            outcome=AccessLog.Outcome.REFUSED,
        )
        raise PermissionDenied
    log_access(user=request.user, action=action, request=request, detail=request.GET.urlencode())


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def dashboard(request):
    _allowed(request, "view-dashboard")
    form = DashboardFilterForm(request.GET)
    filters = form.filters()
    result = service.build_dashboard(
        request.user, filters, today=timezone.localdate(), page=request.GET.get("page")
    )
    return render(
        request,
        "reviews/dashboard.html",
        {
            "dash": result,
            "filters": filters,
            "kind_choices": service.KINDS,
            "state_choices": STATE_FILTER_LABELS.items(),
            "query": _query_without_page(request),
            "is_filtered": filters != service.Filters(),
            "count_tables": [
                ("By owner", result.by_owner, "owner"),
                ("By agency", result.by_agency, "agency"),
            ],
        },
    )


@login_required
@require_GET
def backfills(request):
    """Entries typed in from documents lately (reviews.backfills): backdating stays visible."""
    _allowed(request, "view-backfills")
    return render(
        request,
        "reviews/backfills.html",
        {
            "rows": recent_backfills(request.user, now=timezone.now()),
            "window_days": BACKFILL_WINDOW_DAYS,
            "limit": BACKFILL_LIMIT,
            "late_logging_days": TimeRules.current().late_logging_days,
        },
    )


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (casereview.spreadsheets)."""
    return spreadsheets.guard(value)


def csv_row(row: service.DueRow) -> list[str]:
    return [
        csv_cell(value)
        for value in (
            row.case_reference,
            row.kind,
            row.description,
            row.owner_name,
            row.agency_name,
            row.due_on.isoformat(),
            row.days_overdue,
            row.state,
            row.conducted_iso if row.conducted_on else "",
        )
    ]


@login_required
@require_GET
def dashboard_csv(request):
    _allowed(request, "export-dashboard-csv")
    today = timezone.localdate()
    filters = DashboardFilterForm(request.GET).filters()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="casereview-dashboard-{today.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for values in service.dashboard_rows(request.user, filters, today=today):
        writer.writerow(csv_row(service.DueRow.from_values(values)))
    return response
