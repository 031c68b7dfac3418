"""The PDF case chronology download (reviews/pdf/ does the work)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from casereview.ukdates import parse_as_of
from referrals import access
from referrals.audit import log_access

from .. import pdf

# How long the "still being prepared" page asks the browser to wait, in seconds.
RETRY_AFTER = 60


def _as_of(value: str, today: dt.date) -> tuple[dt.date | None, str]:
    """The as-of date from the query string (blank means today), or an error message."""
    try:
        return parse_as_of(value, today=today), ""
    except ValueError as error:
        return None, str(error)


@login_required
@require_GET
def chronology_pdf(request, reference):
    case = access.get_case_for_user(request, reference)
    today = timezone.localdate()
    raw = request.GET.get("as_of", "")
    as_of, error = _as_of(raw, today)
    context = {"case": case, "today": today}
    if error:
        return render(
            request,
            "reviews/pdf_bad_date.html",
            {**context, "error": error, "value": raw[:20]},
            status=400,
        )
    try:
        content = pdf.chronology_pdf_bounded(
            case,
            as_of=as_of,
            viewer=request.user,
            timeout=settings.PDF_TIMEOUT_SECONDS,
        )
    except pdf.ChronologyTooLarge as too_large:
        return render(
            request,
            "reviews/pdf_too_large.html",
            {
                **context,
                "as_of": as_of,
                "count": too_large.count,
                "limit": too_large.limit,
            },
            status=422,
        )
    except pdf.StillRendering:
        response = render(
            request,
            "reviews/pdf_pending.html",
            {
                **context,
                "as_of": as_of,
                "retry_url": request.get_full_path(),
            },
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    log_access(
        user=request.user, action="export-pdf", case=case, detail=f"as of {as_of}", request=request
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{case.reference}-chronology-{as_of.isoformat()}.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response
