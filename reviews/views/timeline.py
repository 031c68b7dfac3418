"""The timeline page, its JSON, and chronology CSV download and upload."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casereview.timerules import TimeRules
from referrals import access
from referrals.audit import log_access
from referrals.models import AccessLog, Case

from ..chronology.csv_format import ImportRejected, export_csv, import_chronology
from ..chronology.drawing import build_drawing
from ..chronology.entries import ENTRY_TYPE_LABELS
from ..chronology.query import entries_for_case
from ..chronology.svg import render_svg
from ..chronology.timeline import (
    FINDING_LABELS,
    TYPE_CHOICES,
    Row,
    finding_groups,
    timeline_data,
    timeline_json,
)
from ..drawing_cache import page_drawing


class TimelineFilterForm(forms.Form):
    as_of = forms.DateField(
        label="As of",
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the as-of date as a real date, for example 2016-01-14"},
    )
    agency = forms.ChoiceField(label="Agency", required=False)
    type = forms.ChoiceField(
        label="Type of record", required=False, choices=[("", "All types"), *TYPE_CHOICES]
    )


def _as_of(form: TimelineFilterForm) -> dt.date:
    today = timezone.localdate()
    if form.is_valid() and form.cleaned_data["as_of"]:
        return min(form.cleaned_data["as_of"], today)
    return today


# A finding links at most this many of the entries it is about (a belief finding is about
# the account and every session before it: hundreds on a long case); the rest are counted.
ABOUT_LINKS = 10


class _EntryLinks:
    """Where a numbered entry is shown: "#entry-N" on this page, else the page that holds it.

    An entry the agency or type filter leaves out is linked on the unfiltered chronology
    of the same as-of date.
    """

    def __init__(self, request, rows: list[Row], page_obj, as_of_param: str):
        self.query = request.GET
        self.numbers = [row.number for row in rows]  # ascending: rows are in date order
        self.page = page_obj.number
        self.per_page = page_obj.paginator.per_page
        self.as_of_param = as_of_param
        # The query string of each (page, filtered) pair, made once: the drawing asks for the
        # link of hundreds of entries, most of them on other pages.
        self.prefixes: dict[tuple[int, bool], str] = {}

    def __call__(self, row: Row) -> str:
        index = bisect.bisect_left(self.numbers, row.number)
        shown = index < len(self.numbers) and self.numbers[index] == row.number
        if shown:
            page = index // self.per_page + 1
            if page == self.page:
                return f"#{row.anchor}"
        else:
            page = (row.number - 1) // self.per_page + 1  # numbers count every known entry
        prefix = self.prefixes.get((page, shown))
        if prefix is None:
            if shown:
                query = self.query.copy()
            else:
                query = QueryDict(mutable=True)
                if self.as_of_param:
                    query["as_of"] = self.as_of_param
            query["page"] = str(page)
            prefix = self.prefixes[(page, shown)] = f"?{query.urlencode()}"
        return f"{prefix}#{row.anchor}"


@login_required
@require_GET
def timeline(request, reference):
    """The findings over every entry, and one page of the chronology (TIMELINE_PAGE_ROWS rows).

    The findings and comparison lists show at most as many as a page of rows, with counts;
    the JSON, CSV and PDF have everything.
    """
    case = access.get_case_for_user(request, reference)
    entries = entries_for_case(case, viewer=request.user)
    form = TimelineFilterForm(request.GET or None)
    form.fields["agency"].choices = [
        ("", "All agencies"),
        *[(a, a) for a in sorted({e.agency for e in entries})],
    ]
    as_of = _as_of(form)
    filters = form.cleaned_data if form.is_valid() else {}
    agency, entry_type = filters.get("agency", ""), filters.get("type", "")
    data = timeline_data(entries, as_of=as_of, agency=agency, entry_type=entry_type)
    # The drawing is of the whole case whatever the filters leave in the list below.
    whole = timeline_data(entries, as_of=as_of) if agency or entry_type else data
    log_access(
        user=request.user,
        action="view-timeline",
        case=case,
        detail=f"as of {as_of}",
        request=request,
    )
    limit = settings.TIMELINE_PAGE_ROWS
    paginator = Paginator(data.rows, limit)
    page_obj = paginator.get_page(request.GET.get("page"))
    is_today = as_of == timezone.localdate()
    href = _EntryLinks(request, data.rows, page_obj, "" if is_today else as_of.isoformat())
    counts = Counter(finding.code for finding, _ in data.findings)
    if agency or entry_type:  # a filtered list's pages: drawn for this view (drawing_cache)
        drawing = build_drawing(
            whole, rules=TimeRules.current(), case_ref=case.reference, href=href
        ).as_json()
        drawing_svg, drawing_empty = render_svg(drawing), drawing["empty"]
    else:
        drawing_svg, drawing_empty = page_drawing(
            case,
            whole,
            page=page_obj.number,
            per_page=limit,
            as_of_param="" if is_today else as_of.isoformat(),
        )
    items = data.finding_items
    shown_groups = []
    for group in finding_groups(data.findings):
        shown = [
            {
                "position": position,
                "item": items[position - 1],
                "links": [(row.number, href(row)) for row in rows[:ABOUT_LINKS]],
                "more": max(len(rows) - ABOUT_LINKS, 0),
            }
            for position, _, rows in group.items
            if position <= limit
        ]
        if shown:
            shown_groups.append(
                {"group": group, "shown": shown, "hidden": len(group.items) - len(shown)}
            )
    return render(
        request,
        "reviews/timeline.html",
        {
            "case": case,
            "timeline": data,
            "form": form,
            "as_of": as_of,
            "is_today": is_today,
            "labels": ENTRY_TYPE_LABELS,
            "lane_count": len(data.lanes),
            "can_import": access.can_edit_case(request.user, case),
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(
                page_obj.number, on_each_side=1, on_ends=1
            ),
            "page_rows": [row.display for row in page_obj.object_list],
            "drawing_svg": drawing_svg,
            "drawing_empty": drawing_empty,
            "filtered": bool(agency or entry_type),
            # The findings of the first `limit` (by date), numbered as on the drawing, a kind
            # with many findings as one group (reviews.chronology.timeline.finding_groups).
            "finding_groups": shown_groups,
            "shown_findings_count": min(len(data.findings), limit),
            "finding_counts": [
                (FINDING_LABELS.get(code, code), count) for code, count in counts.most_common()
            ],
            "shown_comparisons": [(c, href(c.row)) for c in data.comparisons[:limit]],
        },
    )


@login_required
@require_GET
def timeline_json_view(request, reference):
    case = access.get_case_for_user(request, reference)
    form = TimelineFilterForm(request.GET or None)
    form.fields["agency"].choices = [("", "")]
    if request.GET.get("as_of") and not form.is_valid() and "as_of" in form.errors:
        return JsonResponse({"error": "as_of must be a date written YYYY-MM-DD"}, status=400)
    as_of = _as_of(form)
    data = timeline_data(entries_for_case(case, viewer=request.user), as_of=as_of)
    log_access(
        user=request.user,
        action="view-timeline-json",
        case=case,
        detail=f"as of {as_of}",
        request=request,
    )
    return JsonResponse(timeline_json(case.reference, data))


@login_required
@require_GET
def chronology_csv(request, reference):
    case = access.get_case_for_user(request, reference)
    log_access(user=request.user, action="export-csv", case=case, request=request)
    entries = entries_for_case(case, viewer=request.user)
    response = HttpResponse(export_csv(case, entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-chronology.csv"'
    return response


class ChronologyUploadForm(forms.Form):
    file = forms.FileField(
        label="Chronology file (CSV)",
        help_text="UTF-8 CSV in the chronology format. Nothing is saved unless every row is valid.",
        error_messages={"required": "Choose a CSV file to upload"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def chronology_upload(request, reference=None):
    """Upload onto a case the user may change, or (no reference) create cases from a file."""
    case = access.get_case_for_user(request, reference, write=True) if reference else None
    if case is None and not access.can_create_cases(request.user):
        raise PermissionDenied
    form = ChronologyUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.CHRONOLOGY_MAX_UPLOAD_BYTES:
            errors = [
                f"{upload.name}: the file is {upload.size:,} bytes; the largest accepted is "
                f"{settings.CHRONOLOGY_MAX_UPLOAD_BYTES:,} bytes."
            ]
        else:
            data = upload.read()
            errors = _wrong_case_rows(data, case) if case else []
            if not errors:
                try:
                    result = import_chronology(
                        [(upload.name, data)], user=request.user, owner=request.user
                    )
                except ImportRejected as rejected:
                    errors = rejected.errors
                    _log_import_refused(request, upload.name, rejected.refused)
                else:
                    _log_import(request, upload.name, result)
                    named = "".join(
                        f"; {label} is now case {reference}"
                        for label, reference in result.named.items()
                    )
                    messages.success(
                        request,
                        f"Imported {result.created} entries ({result.skipped} already present)"
                        + named,
                    )
                    target = case.reference if case else (result.cases_created or [None])[0]
                    return redirect(
                        reverse("reviews:timeline", args=[target])
                        if target
                        else reverse("referrals:case-list")
                    )
        for error in errors:
            form.add_error("file", error)
    return render(
        request,
        "reviews/chronology_upload.html",
        {"case": case, "form": form, "merges": request.user.role in access.MERGING_ROLES},
    )


def _log_import(request, name: str, result) -> None:
    """Every import is in the access log: one row per case it wrote to, with its counts."""
    cases = {c.reference: c for c in Case.objects.filter(reference__in=result.per_case)}
    for reference, (created, skipped) in result.per_case.items():
        log_access(
            user=request.user,
            action="import",
            case=cases.get(reference),
            case_reference=reference,
            detail=f"{created} entries imported from {name}, {skipped} already present",
            request=request,
        )


def _log_import_refused(request, name: str, references: list[str]) -> None:
    for reference in references:
        log_access(
            user=request.user,
            action="import",
            case=Case.objects.filter(reference=reference).first(),
            case_reference=reference,
            detail=f"upload of {name} named a case the user may not change",
            request=request,
            outcome=AccessLog.Outcome.REFUSED,
        )


def _wrong_case_rows(data: bytes, case) -> list[str]:
    """An upload on a case may only add to that case (no reaching other cases by case_ref)."""
    from ..chronology.csv_format import decode, parse

    try:
        rows, _ = parse(decode(data, ""), "")
    except ImportRejected as rejected:
        return rejected.errors
    return [
        f"line {row.line}, column case_ref: this upload is for {case.reference}, not {row.case_ref}"
        for row in rows
        if row.case_ref != case.reference
    ]
