"""The PDF case chronology download (reviews/pdf/ does the work, a worker lays it out).

One URL does it all, so the case page's form, a bookmarked link and the waiting page's own
refresh behave alike: each request checks access, then finds the job for (the case's data,
the viewer's scope, the as-of day). Ready: the PDF. Under way: "Your chronology is being
prepared", which refreshes itself (a meta refresh: no JavaScript) until it is ready, then
says so and starts the download. Failed or too large: a page that says why.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from casereview.ukdates import parse_as_of
from referrals import access
from referrals.audit import log_access

from .. import pdf
from ..models import PdfJob

# The waiting page refreshes after this many seconds at most...
REFRESH_MAX_SECONDS = 10
# ...and at least.
REFRESH_MIN_SECONDS = 2
# The query parameter of the waiting page's refresh: when the PDF is ready, that request gets
# the "ready" page (which starts the download) rather than the file itself.
WAITING = "waiting"
# ...and the one that turns the refresh off (WCAG 2.2.1: a page that refreshes itself can be
# stopped; the page then has a "Check now" button only).
REFRESH_OFF = ("refresh", "off")


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
    download = pdf.request_pdf(case, as_of=as_of, viewer=request.user)
    job = download.job
    context |= {"as_of": as_of, "job": job}
    if download.too_large:
        return render(
            request,
            "reviews/pdf_too_large.html",
            {**context, "count": job.entries, "limit": settings.PDF_MAX_ENTRIES},
            status=422,
        )
    download_url = reverse("reviews:chronology-pdf", args=[case.reference])
    if raw:
        download_url += "?" + urlencode({"as_of": as_of.isoformat()})
    if job.state == PdfJob.State.FAILED:
        retry_after = job.finished_at + dt.timedelta(hours=settings.PDF_KEEP_HOURS)
        return render(
            request, "reviews/pdf_failed.html", {**context, "retry_after": retry_after}, status=500
        )
    if download.content is None:
        wait = pdf.seconds_to_wait(job)
        refresh = min(max(wait // 2, REFRESH_MIN_SECONDS), REFRESH_MAX_SECONDS)
        separator = "&" if "?" in download_url else "?"
        check_url = f"{download_url}{separator}{WAITING}=1"
        automatic = request.GET.get(REFRESH_OFF[0]) != REFRESH_OFF[1]
        return render(
            request,
            "reviews/pdf_pending.html",
            {
                **context,
                "wait": _rough(wait),
                "refresh_seconds": refresh if automatic else None,
                "refresh_url": check_url if automatic else f"{check_url}&{'='.join(REFRESH_OFF)}",
                "stop_url": f"{check_url}&{'='.join(REFRESH_OFF)}",
            },
        )
    if request.GET.get(WAITING):
        # The waiting page's last refresh: say it is ready, and start the download from here.
        return render(request, "reviews/pdf_ready.html", {**context, "download_url": download_url})
    log_access(
        user=request.user, action="export-pdf", case=case, detail=f"as of {as_of}", request=request
    )
    response = HttpResponse(download.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{case.reference}-chronology-{as_of.isoformat()}.pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


def _rough(seconds: int) -> str:
    """A wait as people say it: "less than 10 seconds", "about 40 seconds", "about 3 minutes"."""
    if seconds < 10:
        return "less than 10 seconds"
    if seconds < 90:
        return f"about {round(seconds, -1)} seconds"
    return f"about {round(seconds / 60)} minutes"
