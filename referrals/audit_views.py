"""Emergency ("break the glass") access, and the access log for supervisors and administrators."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casereview.records import save_record
from casereview.web import run_form

from . import access, services
from .audit import log_access
from .forms import AccessGrantForm
from .models import AccessGrant, AccessLog, Case, User


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to see this case now?",
        help_text="For example, the person is in custody tonight and you need the risk picture. "
        "Your reason, name and the time are recorded and shown to supervisors.",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        error_messages={
            "required": "Give the reason you need emergency access",
            "min_length": "Give the reason in at least 20 characters",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def emergency_access(request, reference):
    """Read-only access, for the rest of today, to a case outside the user's agency.

    The page is the same whether or not the case exists, so it discloses nothing;
    a reason is required, and the grant and every use of it are in the access log.
    """
    if not access.can_use_emergency_access(request.user):
        raise PermissionDenied
    if access.visible_cases(request.user).filter(reference=reference).exists():
        return redirect("reviews:case", reference)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            log_access(
                user=request.user,
                action="break-glass",
                case_reference=reference[:40],
                detail="no such case",
                request=request,
                outcome=AccessLog.Outcome.REFUSED,
            )
            raise Http404("No case found")
        today = timezone.localdate()
        with transaction.atomic():
            save_record(
                AccessGrant(
                    case=case,
                    user=request.user,
                    granted_by=request.user,
                    starts_on=today,
                    ends_on=today,
                    reason=f"Emergency access: {form.cleaned_data['reason']}",
                ),
                user=request.user,
                reason="Emergency access (break the glass)",
            )
            log_access(
                user=request.user,
                action="break-glass",
                case=case,
                detail=form.cleaned_data["reason"],
                request=request,
                outcome=AccessLog.Outcome.BREAK_GLASS,
            )
        messages.info(
            request,
            "Emergency access recorded: you can read this case until midnight. "
            "Your supervisor can see that you opened it and why.",
        )
        return redirect("reviews:case", reference)
    return render(
        request, "referrals/emergency_access.html", {"form": form, "reference": reference}
    )


def _log_page(request, rows, *, title: str, subject: str):
    paginator = Paginator(rows.select_related("case"), 50)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/access_log.html",
        {
            "title": title,
            "subject": subject,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(
                page_obj.number, on_each_side=1, on_ends=1
            ),
        },
    )


@login_required
@require_GET
def case_access_log(request, reference):
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    case = access.get_case_for_user(request, reference)
    log_access(user=request.user, action="view-access-log", case=case, request=request)
    rows = AccessLog.objects.filter(case=case)
    return _log_page(request, rows, title=f"Access log: {case.reference}", subject=case.reference)


@login_required
@require_GET
def user_access_log(request, username):
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    subject = User.objects.filter(username=username).first()
    if subject is None or not access.can_read_user_log(request.user, subject):
        raise Http404("No such user")
    log_access(
        user=request.user, action="view-access-log", detail=f"user {username}", request=request
    )
    rows = AccessLog.objects.filter(user=subject)
    return _log_page(request, rows, title=f"Access log: {subject}", subject=str(subject))


@login_required
@require_GET
def emergency_access_log(request):
    """Every use of emergency access by the supervisor's agency's staff, newest first."""
    if not access.can_read_access_log(request.user):
        raise PermissionDenied
    rows = AccessLog.objects.filter(outcome=AccessLog.Outcome.BREAK_GLASS)
    if request.user.role != User.Role.ADMIN:
        rows = rows.filter(user__agency_id=request.user.agency_id)
    since = timezone.now() - dt.timedelta(days=90)
    log_access(
        user=request.user, action="view-access-log", detail="emergency access", request=request
    )
    return _log_page(
        request,
        rows.filter(at__gte=since),
        title="Emergency access in the last 90 days",
        subject="emergency access",
    )


def emergency_url(reference: str) -> str:
    return reverse("referrals:emergency-access", args=[reference])


@login_required
@require_http_methods(["GET", "POST"])
def access_grants(request):
    """Administrators give inquiry reviewers read-only access to a case, and see who has it."""
    if not access.can_grant_access(request.user):
        raise PermissionDenied
    form = AccessGrantForm(request.POST or None)

    def grant(data):
        made = services.grant_access(
            case=data["case"],
            user=request.user,
            reviewer=data["user"],
            reason=data["reason"],
            ends_on=data["ends_on"],
        )
        log_access(
            user=request.user,
            action="grant-access",
            case=made.case,
            detail=f"to {made.user.username} until {made.ends_on}: {made.reason}",
            request=request,
        )

    response = run_form(
        request,
        form,
        grant,
        success_url=reverse("referrals:access-grants"),
        success_message="Access granted",
    )
    if response is not None:
        return response
    today = timezone.localdate()
    current = (
        AccessGrant.objects.filter(
            revoked_at__isnull=True, ends_on__gte=today, user__role=User.Role.INQUIRY
        )
        .select_related("case", "user", "granted_by")
        .order_by("ends_on", "case__reference")[:200]
    )
    return render(request, "referrals/access_grants.html", {"form": form, "grants": current})
