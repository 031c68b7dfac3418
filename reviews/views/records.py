"""Panel, provider, account, exit and review forms. Thin: access helper, form, service, redirect."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from referrals import access
from referrals.models import Case
from referrals.views import case_url, record_form_page

from .. import services
from ..chronology.findings import belief_contradiction, known_as_of, record_at
from ..chronology.query import entries_for_case
from ..forms import (
    AccountForm,
    AcknowledgeForm,
    ActionDoneForm,
    ActionForm,
    AssignmentForm,
    BriefingForm,
    ConductReviewForm,
    ExitForm,
    NotPossibleForm,
    PanelMeetingForm,
    ReassignReviewForm,
    ReopenForm,
    SessionForm,
    SessionOutcomeForm,
)
from ..models import (
    Briefing,
    FollowUpReview,
    InterventionSession,
    PanelAction,
    ProviderAssignment,
    ProviderQuestion,
)

GET_POST = require_http_methods(["GET", "POST"])
# The account form's "Save this account as the agency stated it" checkbox, its id (the error
# summary links to it) and its error while the warning stands unticked.
ACCOUNT_CONFIRM_FIELD = "confirm_gap"
ACCOUNT_CONFIRM_ID = "confirm-gap"
ACCOUNT_CONFIRM_ERROR = "Tick the box to save this account as the agency stated it"
# What the belief rule reads of an account: while one of these is wrong there is no gap to show.
ACCOUNT_RULE_FIELDS = ("occurred", "agency", "sessions_believed", "believed_status")


def _provider_agency(case):
    assignment = (
        ProviderAssignment.objects.filter(case=case, voided_at__isnull=True)
        .order_by("-occurred_on", "-id")
        .select_related("agency")
        .first()
    )
    return assignment


@login_required
@GET_POST
def panel_meeting_new(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = PanelMeetingForm(request.POST or None)

    def save(d):
        decisions = [{"kind": d["decision"], "rationale": d["rationale"]}] if d["decision"] else []
        actions = []
        if d["action_description"]:
            actions = [
                {
                    "description": d["action_description"],
                    "owner": d["action_owner"],
                    "due_on": d["action_due"],
                }
            ]
        services.record_panel_meeting(
            case=case,
            user=request.user,
            agencies_present=list(d["agencies_present"]),
            risk_level=d["risk_level"],
            decisions=decisions,
            actions=actions,
            **form.record_fields(),
        )

    return record_form_page(
        request,
        case,
        form,
        save,
        title="Record a panel meeting",
        button="Save panel meeting",
        success_message="Panel meeting saved",
    )


@login_required
@GET_POST
def action_new(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = ActionForm(request.POST or None)
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.add_panel_action(case=case, user=request.user, **d),
        title="Add an action",
        button="Save action",
        success_message="Action saved",
    )


@login_required
@GET_POST
def action_done(request, reference, pk):
    case = access.get_case_for_user(request, reference, write=True)
    action = access.get_record_for_user(PanelAction, case, pk, request.user, voided_at__isnull=True)
    form = ActionDoneForm(request.POST or None, initial={"version": action.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.complete_action(
            action=action,
            user=request.user,
            completed_on=d["completed_on"],
            expected_version=d["version"],
        ),
        title=f"Mark done: {action}",
        button="Mark as done",
        success_message="Action marked as done",
    )


@login_required
@GET_POST
def assignment_new(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = AssignmentForm(request.POST or None)
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.assign_provider(
            case=case,
            user=request.user,
            sessions_planned=d["sessions_planned"],
            commissioned_by=d["commissioned_by"],
            provider_worker=d["provider_worker"],
            **form.record_fields(),
        ),
        title="Commission an intervention provider",
        button="Save",
        success_message="Intervention provider commissioned",
    )


@login_required
@GET_POST
def briefing_new(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = BriefingForm(request.POST or None, initial={"agency": request.user.agency})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.issue_briefing(
            case=case,
            user=request.user,
            assignment=_provider_agency(case),
            issued_by=d["issued_by"],
            document_ref=d["document_ref"],
            **form.record_fields(),
        ),
        title="Record a written briefing",
        button="Save briefing",
        success_message="Briefing saved",
    )


def _session_case(request, reference):
    """Providers reach sessions and briefings on cases they are commissioned on; staff on theirs."""
    case = access.get_case_for_user(request, reference)
    if not access.can_record_sessions(request.user, case):
        raise Http404("No case found")
    return case


@login_required
@GET_POST
def briefing_acknowledge(request, reference, pk):
    case = _session_case(request, reference)
    briefing = access.get_record_for_user(Briefing, case, pk, request.user, voided_at__isnull=True)
    form = AcknowledgeForm(request.POST or None, initial={"version": briefing.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.acknowledge_briefing(
            briefing=briefing,
            user=request.user,
            acknowledged_on=d["acknowledged_on"],
            expected_version=d["version"],
        ),
        title="Acknowledge the written briefing",
        button="Acknowledge",
        success_message="Briefing acknowledged",
    )


@login_required
@GET_POST
def session_new(request, reference):
    case = _session_case(request, reference)
    assignment = _provider_agency(case)
    form = SessionForm(request.POST or None)

    def save(d):
        if assignment is None:
            from django.core.exceptions import ValidationError

            raise ValidationError("Commission an intervention provider before recording sessions.")
        common = {
            "case": case,
            "user": request.user,
            "agency": assignment.agency,
            "assignment": assignment,
            "occurred_on": d["occurred"].value,
            "month_only": d["occurred"].month_only,
            "logged_on": d["logged"],
            "summary": d["summary"],
            "source": d["source"],
        }
        if d["status"] == InterventionSession.Status.PLANNED:
            services.plan_session(**common)
        else:
            services.record_session(
                **common,
                status=d["status"],
                attendees=d["attendees"],
                provider_report=d["provider_report"],
                late_reason=d["late_reason"],
            )

    return record_form_page(
        request,
        case,
        form,
        save,
        title="Record a session",
        button="Save session",
        success_message="Session saved",
    )


@login_required
@GET_POST
def session_outcome(request, reference, pk):
    case = _session_case(request, reference)
    session = access.get_record_for_user(
        InterventionSession,
        case,
        pk,
        request.user,
        voided_at__isnull=True,
        status=InterventionSession.Status.PLANNED,
    )
    form = SessionOutcomeForm(request.POST or None, initial={"version": session.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.record_session_outcome(
            session=session,
            user=request.user,
            status=d["status"],
            summary=d["summary"],
            attendees=d["attendees"],
            provider_report=d["provider_report"],
            logged_on=d["logged"],
            source=d["source"],
            late_reason=d["late_reason"],
            expected_version=d["version"],
        ),
        title=f"Record what happened: session on {session.occurred_display}",
        button="Save",
        success_message="Session updated",
    )


def _account_check(case, form: AccountForm, *, today) -> dict:
    """What the record shows on the account's date (today until a date is entered) and, for a
    valid account, the belief rule's answer (reviews.chronology.findings: the same rule as the
    timeline's finding, on the entries known today)."""
    entries = known_as_of(entries_for_case(case), today)
    account = form.account_entry(case.reference, today=today) if form.is_bound else None
    if account is None:
        return {"record": record_at(entries, today), "dated": False, "gap": None, "token": ""}
    # Checked even when other fields are wrong, so that one send shows every problem.
    rule_fields_valid = not any(name in form.errors for name in ACCOUNT_RULE_FIELDS)
    gap = belief_contradiction(account, entries) if rule_fields_valid else None
    return {
        "record": record_at(entries, account.date, month_only=account.month_only),
        "dated": True,
        "gap": gap,
        # Confirms this warning only: a changed account or record warns again.
        "token": hashlib.sha256(gap.message.encode()).hexdigest()[:16] if gap else "",
    }


@login_required
@GET_POST
def account_new(request, reference):
    """An account that believes more than the record is saved only once the user confirms it
    (after a warning that says what the record shows); the timeline then shows the finding."""
    case = access.get_case_for_user(request, reference, write=True)
    form = AccountForm(request.POST or None)
    check = _account_check(case, form, today=timezone.localdate())
    page = {
        "title": "Record what an agency said or believed",
        "button": "Save account",
        "template": "reviews/account_form.html",
    }
    confirmed = request.POST.get(ACCOUNT_CONFIRM_FIELD) == check["token"]
    check["confirmed"] = bool(check["gap"]) and confirmed
    check["confirm_id"] = ACCOUNT_CONFIRM_ID
    if check["gap"] and not confirmed:
        # Not saved: an error (in the summary, after the form's own) points to the tick box.
        check["error"] = ACCOUNT_CONFIRM_ERROR
        context = {"case": case, "form": form, "back_url": case_url(case), "check": check}
        return render(request, page.pop("template"), {**context, **page})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.record_agency_account(
            case=case,
            user=request.user,
            sessions_believed=d["sessions_believed"],
            believed_status=d["believed_status"],
            source_kind=d["source_kind"],
            **form.record_fields(),
        ),
        success_message="Agency account saved",
        extra={"check": check},
        **page,
    )


@login_required
@GET_POST
def exit_new(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = ExitForm(request.POST or None)
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.exit_case(
            case=case,
            user=request.user,
            risk_level=d["risk_level"],
            rationale=d["rationale"],
            gate_override_reason=d["gate_override_reason"],
            review_owner=d["review_owner"],
            **form.record_fields(),
        ),
        title="Exit the case from Channel",
        button="Exit case",
        success_message="Case exited: the 6- and 12-month reviews are scheduled",
        template="reviews/exit_form.html",
        extra={"problems": services.exit_gate_problems(case)},
    )


@login_required
@GET_POST
def reopen(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = ReopenForm(request.POST or None, initial={"version": case.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.reopen_case(
            case=case, user=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        title="Reopen the case",
        button="Reopen case",
        success_message="Case reopened",
    )


def _review(request, reference, pk):
    case = access.get_case_for_user(request, reference, write=True)
    return case, access.get_record_for_user(FollowUpReview, case, pk, request.user)


@login_required
@GET_POST
def review_conduct(request, reference, pk):
    case, review = _review(request, reference, pk)
    form = ConductReviewForm(
        request.POST or None, initial={"version": review.version, "agency": request.user.agency}
    )
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.conduct_review(
            review=review,
            user=request.user,
            conducted_on=d["conducted"].value,
            month_only=d["conducted"].month_only,
            logged_on=d["logged"],
            agency=d["agency"],
            summary=d["summary"],
            participants=d["participants"],
            source=d["source"],
            late_reason=d["late_reason"],
            expected_version=d["version"],
        ),
        title=f"Record the {review.get_kind_display()}",
        button="Save review",
        success_message="Review recorded",
    )


@login_required
@GET_POST
def review_not_possible(request, reference, pk):
    case, review = _review(request, reference, pk)
    form = NotPossibleForm(request.POST or None, initial={"version": review.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.review_not_possible(
            review=review, user=request.user, why=d["why"], expected_version=d["version"]
        ),
        title=f"{review.get_kind_display()} not possible",
        button="Save",
        success_message="Review recorded as not possible",
    )


@login_required
@GET_POST
def review_reassign(request, reference, pk):
    case, review = _review(request, reference, pk)
    form = ReassignReviewForm(
        request.POST or None, initial={"version": review.version, "owner": review.owner}
    )
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.reassign_review(
            review=review,
            user=request.user,
            owner=d["owner"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        title=f"Reassign the {review.get_kind_display()}",
        button="Reassign",
        success_message="Review reassigned",
    )


PROVIDER_LIST_LIMIT = 100
ACTIVE_STATUSES = Case.ACTIVE_STATUSES
EXITED_STATUSES = Case.FINISHED_STATUSES


class ProviderListForm(forms.Form):
    q = forms.CharField(label="Search by reference or name", required=False, max_length=100)
    show = forms.ChoiceField(choices=[("active", "Active"), ("exited", "Exited")], required=False)


@login_required
@require_GET
def provider_cases(request):
    """The provider's short, phone-friendly list: active cases (by default) and what to do next
    on each; exited cases and a search a tap away."""
    form = ProviderListForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show") or "active"
    query = (data.get("q") or "").strip()
    cases = access.visible_cases(request.user).select_related("person")
    counts = cases.aggregate(
        active=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        exited=Count("pk", filter=Q(status__in=EXITED_STATUSES)),
    )
    cases = cases.filter(status__in=ACTIVE_STATUSES if show == "active" else EXITED_STATUSES)
    if query:
        cases = cases.filter(
            Q(reference__icontains=query) | Q(person__display_name__icontains=query)
        )
    cases = cases.order_by("-referred_on", "reference")
    by_case: dict[int, dict] = {}
    for case in cases[:PROVIDER_LIST_LIMIT]:
        by_case[case.pk] = {"case": case, "planned": [], "briefings": [], "questions": []}
    # Only the cases shown: a provider may be commissioned on thousands.
    planned = InterventionSession.objects.filter(
        case_id__in=list(by_case), status=InterventionSession.Status.PLANNED, voided_at__isnull=True
    ).order_by("occurred_on")
    unacknowledged = Briefing.objects.filter(
        case_id__in=list(by_case), acknowledged_on__isnull=True, voided_at__isnull=True
    )
    # Questions waiting for the provider's answer (ProviderQuestionQuerySet: open, overdue).
    questions = (
        ProviderQuestion.objects.filter(case_id__in=list(by_case))
        .open()
        .with_overdue(timezone.localdate())
        .select_related("agency")
        .order_by("due_on", "occurred_on", "id")
    )
    for question in questions:
        by_case[question.case_id]["questions"].append(question)
    for session in planned:
        by_case[session.case_id]["planned"].append(session)
    for briefing in unacknowledged:
        by_case[briefing.case_id]["briefings"].append(briefing)
    return render(
        request,
        "reviews/provider_cases.html",
        {
            "rows": list(by_case.values()),
            "show": show,
            "query": query,
            "counts": counts,
            "limit": PROVIDER_LIST_LIMIT,
            "form": form,
        },
    )
