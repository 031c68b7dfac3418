"""Writes for panels, interventions, accounts, exits and reviews; each call is one transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casereview.records import check_version, save_record
from casereview.timerules import REVIEW_MONTHS, TimeRules, review_due_on
from referrals.models import Agency, Case, DatePrecision, ReferralOutcome, User, effective_date
from referrals.services import fill_record, tell_referrer, today, update_case

from .models import (
    AgencyAccount,
    Briefing,
    CaseExit,
    FollowUpReview,
    InterventionSession,
    PanelAction,
    PanelAttendance,
    PanelDecision,
    PanelMeeting,
    ProviderAssignment,
    ProviderQuestion,
    QuestionAnswer,
    SessionConfirmation,
)
from .outcomes import DECISION_OUTCOMES


def _tell_referrer(case: Case, outcome: str, record, user: User) -> None:
    """Email the referrer the outcome `record` (a decision, its meeting, an exit) recorded:
    called last, after every other write of the service (referrals.services.tell_referrer).
    Not for a record copied in from documents (a backfill: logged more than
    LATE_LOGGING_DAYS ago): the referrer was told, or not, back then."""
    if TimeRules.current().backfilled(record.logged_on, today()):
        return
    tell_referrer(
        case=case,
        outcome=outcome,
        by=user,
        on=record.effective_date,
        month_only=record.occurred_precision == DatePrecision.MONTH,
        agency=record.agency,
    )


def _record(model_record, *, case, user, reason, require_late_reason, **fields):
    record = fill_record(model_record, case=case, user=user, **fields)
    return save_record(
        record,
        user=user,
        reason=reason,
        late_reason_required=require_late_reason,
        check_orders=require_late_reason,
    )


@transaction.atomic
def record_panel_meeting(
    *,
    case: Case,
    user: User,
    agencies_present: list[Agency] = (),
    risk_level: str = "",
    decisions: list[dict] = (),
    actions: list[dict] = (),
    reason: str = "Panel meeting recorded",
    require_late_reason: bool = True,
    notify_referrer: bool = True,
    **fields,
) -> PanelMeeting:
    """The meeting, its decisions (each with a rationale) and its actions (owner, due date)."""
    meeting = _record(
        PanelMeeting(risk_level=risk_level),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        **fields,
    )
    for present in dict.fromkeys(agencies_present):
        save_record(PanelAttendance(meeting=meeting, agency=present), user=user, reason=reason)
    for decision in decisions:
        if not decision.get("rationale", "").strip():
            raise ValidationError({"rationale": "Give the written rationale for the decision."})
        _record(
            PanelDecision(meeting=meeting, kind=decision["kind"], rationale=decision["rationale"]),
            case=case,
            user=user,
            reason=reason,
            require_late_reason=require_late_reason,
            agency=meeting.agency,
            occurred_on=meeting.occurred_on,
            month_only=meeting.occurred_precision == "month",
            logged_on=meeting.logged_on,
            late_reason=meeting.late_reason,
            source=meeting.source,
            summary=decision.get("summary") or PanelDecision.Kind(decision["kind"]).label,
        )
    for action in actions:
        add_panel_action(case=case, meeting=meeting, user=user, **action)
    update_case(
        case, user=user, reason=reason, changes=lambda current: panel_changes(current, risk_level)
    )
    if notify_referrer:
        for decision in decisions:
            if outcome := DECISION_OUTCOMES.get(decision["kind"]):
                _tell_referrer(case, outcome, meeting, user)
    return meeting


def panel_changes(case: Case, risk_level: str) -> dict:
    """What a panel meeting changes on its case: the risk level it set, and a referred case
    is now at panel."""
    changes = {"risk_level": risk_level} if risk_level else {}
    if case.status in (Case.Status.REFERRED, Case.Status.GATEWAY):
        changes["status"] = Case.Status.PANEL
    return changes


@transaction.atomic
def record_decision(
    *,
    case: Case,
    user: User,
    kind: str,
    rationale: str = "",
    meeting: PanelMeeting | None = None,
    reason: str = "Panel decision recorded",
    require_late_reason: bool = True,
    notify_referrer: bool = True,
    **fields,
) -> PanelDecision:
    """A panel decision; one that is an outcome of the referral (reviews.outcomes) is emailed
    to the referrer, unless `notify_referrer` is False (an import of past records)."""
    decision = _record(
        PanelDecision(meeting=meeting, kind=kind, rationale=rationale),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        **fields,
    )
    if kind == PanelDecision.Kind.ADOPT:
        update_case(
            case,
            user=user,
            reason=reason,
            changes=lambda current: (
                {"status": Case.Status.PANEL}
                if current.status in (Case.Status.REFERRED, Case.Status.GATEWAY)
                else {}
            ),
        )
    if notify_referrer and (outcome := DECISION_OUTCOMES.get(kind)):
        _tell_referrer(case, outcome, decision, user)
    return decision


@transaction.atomic
def add_panel_action(
    *,
    case: Case,
    user: User,
    description: str,
    owner: User,
    due_on: dt.date,
    meeting: PanelMeeting | None = None,
    reason: str = "Panel action agreed",
) -> PanelAction:
    return save_record(
        PanelAction(
            case=case, meeting=meeting, description=description, owner=owner, due_on=due_on
        ),
        user=user,
        reason=reason,
    )


@transaction.atomic
def complete_action(
    *, action: PanelAction, user: User, completed_on: dt.date, expected_version: int | None = None
) -> PanelAction:
    check_version(action, expected_version)
    action.completed_on = completed_on
    return save_record(action, user=user, reason="Action done")


@transaction.atomic
def assign_provider(
    *,
    case: Case,
    user: User,
    sessions_planned: int | None = None,
    commissioned_by: str = "",
    provider_worker: User | None = None,
    reason: str = "Intervention provider commissioned",
    require_late_reason: bool = True,
    **fields,
) -> ProviderAssignment:
    """`sessions_planned` None: not known. `commissioned_by`: how the provider was asked.
    Only an intervention provider is commissioned (the form offers no other; an import in
    another agency's name is refused here): commissioning makes the agency part of the case
    as its provider, who answers questions and whose sessions others confirm."""
    agency = fields.get("agency")
    if agency is not None and agency.kind != Agency.Kind.INTERVENTION_PROVIDER:
        raise ValidationError(
            {
                "agency": f"{agency} is not an intervention provider: only an intervention "
                "provider can be commissioned."
            }
        )
    assignment = _record(
        ProviderAssignment(
            sessions_planned=sessions_planned,
            commissioned_by=commissioned_by,
            provider_worker=provider_worker,
        ),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        **fields,
    )
    update_case(
        case,
        user=user,
        reason=reason,
        changes=lambda current: (
            {"status": Case.Status.INTERVENTION}
            if current.status in (Case.Status.REFERRED, Case.Status.GATEWAY, Case.Status.PANEL)
            else {}
        ),
    )
    return assignment


@transaction.atomic
def issue_briefing(
    *,
    case: Case,
    user: User,
    assignment: ProviderAssignment | None = None,
    issued_by: str = "",
    document_ref: str = "",
    reason: str = "Written briefing issued",
    require_late_reason: bool = True,
    **fields,
) -> Briefing:
    if assignment is not None and assignment.case_id != case.pk:
        raise ValidationError({"assignment": "That provider assignment belongs to another case."})
    return _record(
        Briefing(assignment=assignment, issued_by=issued_by, document_ref=document_ref),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        **fields,
    )


@transaction.atomic
def acknowledge_briefing(
    *, briefing: Briefing, user: User, acknowledged_on: dt.date, expected_version: int | None = None
) -> Briefing:
    check_version(briefing, expected_version)
    if acknowledged_on < briefing.occurred_on:
        raise ValidationError(
            {
                "acknowledged_on": f"It cannot be acknowledged before it was issued, {briefing.occurred_display}."
            }
        )
    briefing.acknowledged_on = acknowledged_on
    return save_record(briefing, user=user, reason="Briefing acknowledged by the provider")


@transaction.atomic
def plan_session(
    *,
    case: Case,
    user: User,
    agency: Agency,
    occurred_on: dt.date,
    summary: str,
    assignment: ProviderAssignment | None = None,
    source: str = "",
    logged_on: dt.date | None = None,
    month_only: bool = False,
    recorded_by: str = "",
    reason: str = "Session planned",
) -> InterventionSession:
    """Arrange a session in advance: only the plan is logged, so it may be logged before its date."""
    if assignment is not None and assignment.case_id != case.pk:
        raise ValidationError({"assignment": "That provider assignment belongs to another case."})
    session = fill_record(
        InterventionSession(assignment=assignment, status=InterventionSession.Status.PLANNED),
        case=case,
        user=user,
        agency=agency,
        occurred_on=occurred_on,
        summary=summary,
        source=source,
        logged_on=logged_on,
        month_only=month_only,
        recorded_by=recorded_by,
    )
    session.plan_logged_on = session.logged_on
    session.plan_logged_by = user
    session.plan_summary = summary
    session.plan_source = source
    return save_record(session, user=user, reason=reason)


@transaction.atomic
def record_session_outcome(
    *,
    session: InterventionSession,
    user: User,
    status: str,
    summary: str,
    provider_report: str = "",
    attendees: str = "",
    source: str = "",
    logged_on: dt.date | None = None,
    late_reason: str = "",
    recorded_by: str = "",
    expected_version: int | None = None,
    require_late_reason: bool = True,
    reason: str = "Session outcome recorded",
) -> InterventionSession:
    """A planned session was held, cancelled or not attended."""
    if status == InterventionSession.Status.PLANNED:
        raise ValidationError(
            {"status": "Choose whether the session was held, cancelled or not attended."}
        )
    check_version(session, expected_version)
    session.status = status
    session.summary = summary
    session.provider_report = provider_report
    session.attendees = attendees
    session.source = source
    session.logged_on = logged_on or today()
    session.logged_by = user
    session.late_reason = late_reason
    session.recorded_by = recorded_by
    session.outcome_entered_at = timezone.now()
    if session.logged_on < session.effective_date and session.occurred_precision == "day":
        raise ValidationError(
            {
                "status": f"The session is on {session.occurred_display}: its outcome can only be recorded from that day."
            }
        )
    return save_record(
        session,
        user=user,
        reason=reason,
        late_reason_required=require_late_reason,
        check_orders=require_late_reason,
    )


@transaction.atomic
def record_session(
    *,
    case: Case,
    user: User,
    agency: Agency,
    occurred_on: dt.date,
    status: str,
    summary: str,
    assignment: ProviderAssignment | None = None,
    provider_report: str = "",
    attendees: str = "",
    reason: str = "Session recorded",
    require_late_reason: bool = True,
    **fields,
) -> InterventionSession:
    """A session recorded after the fact, with no plan logged in advance."""
    if status == InterventionSession.Status.PLANNED:
        return plan_session(
            case=case,
            user=user,
            agency=agency,
            occurred_on=occurred_on,
            summary=summary,
            assignment=assignment,
            reason=reason,
            **{k: v for k, v in fields.items() if k != "late_reason"},
        )
    if assignment is not None and assignment.case_id != case.pk:
        raise ValidationError({"assignment": "That provider assignment belongs to another case."})
    return _record(
        InterventionSession(
            assignment=assignment,
            status=status,
            provider_report=provider_report,
            attendees=attendees,
        ),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        agency=agency,
        occurred_on=occurred_on,
        summary=summary,
        **fields,
    )


@transaction.atomic
def record_agency_account(
    *,
    case: Case,
    user: User,
    sessions_believed: int | None = None,
    believed_status: str = "",
    source_kind: str = AgencyAccount.SourceKind.OTHER,
    reason: str = "Agency account recorded",
    require_late_reason: bool = True,
    **fields,
) -> AgencyAccount:
    """What an agency said or believed, kept apart from what was recorded as done."""
    if sessions_believed is None and not believed_status and not fields.get("summary", "").strip():
        raise ValidationError({"summary": "Say what the agency said or believed."})
    return _record(
        AgencyAccount(
            sessions_believed=sessions_believed,
            believed_status=believed_status,
            source_kind=source_kind,
        ),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        **fields,
    )


def exit_gate_problems(case: Case) -> list[str]:
    """Why exiting now needs an explicit override; empty when the exit can go ahead."""
    sessions = InterventionSession.objects.filter(case=case, voided_at__isnull=True)
    problems = []
    planned = sessions.filter(status=InterventionSession.Status.PLANNED).count()
    if planned:
        problems.append(f"{planned} session{'s are' if planned != 1 else ' is'} still planned.")
    held = sessions.filter(status=InterventionSession.Status.HELD)
    if held.exists() and not held.exclude(provider_report="").exists():
        problems.append("No held session has a report from the intervention provider.")
    return problems


@transaction.atomic
def exit_case(
    *,
    case: Case,
    user: User,
    risk_level: str = "",
    rationale: str = "",
    gate_override_reason: str = "",
    review_owner: User | None = None,
    reason: str = "Case exited",
    require_late_reason: bool = True,
    enforce_gate: bool = True,
    notify_referrer: bool = True,
    **fields,
) -> CaseExit:
    """Exit the case from Channel and schedule its 6- and 12-month reviews from this exit.

    A re-exit cancels the reviews still scheduled from an earlier exit. The referrer is
    emailed the exit unless `notify_referrer` is False (an import of past records).
    """
    problems = exit_gate_problems(case) if enforce_gate else []
    if problems and not gate_override_reason.strip():
        raise ValidationError(
            {
                "gate_override_reason": " ".join(problems)
                + " To exit anyway, give the reason in writing."
            }
        )
    case_exit = _record(
        CaseExit(
            risk_level=risk_level, rationale=rationale, gate_override_reason=gate_override_reason
        ),
        case=case,
        user=user,
        reason=reason,
        require_late_reason=require_late_reason,
        **fields,
    )
    cancel_open_reviews(case=case, user=user, why="Rescheduled from a later exit")
    for kind in REVIEW_MONTHS:
        save_record(
            FollowUpReview(
                case=case,
                exit=case_exit,
                exited_on=case_exit.effective_date,
                kind=kind,
                due_on=review_due_on(case_exit.effective_date, kind),
                owner=review_owner or case.owner,
            ),
            user=user,
            reason=f"Scheduled by the exit of {case_exit.occurred_display}",
        )
    update_case(
        case,
        user=user,
        reason=reason,
        changes={
            "status": Case.Status.EXITED,
            **({"risk_level": risk_level} if risk_level else {}),
        },
    )
    if notify_referrer:
        _tell_referrer(case, ReferralOutcome.Outcome.EXITED, case_exit, user)
    return case_exit


def cancel_open_reviews(*, case: Case, user: User, why: str) -> int:
    reviews = list(FollowUpReview.objects.filter(case=case, state=FollowUpReview.State.SCHEDULED))
    for review in reviews:
        review.state = FollowUpReview.State.CANCELLED
        review.closed_reason = why
        save_record(review, user=user, reason=why)
    return len(reviews)


@transaction.atomic
def reopen_case(
    *, case: Case, user: User, reason: str, expected_version: int | None = None
) -> Case:
    """Bring an exited case back into support: reviews not yet held are cancelled."""
    if expected_version is not None:
        check_version(case, expected_version)
    if case.status != Case.Status.EXITED:
        raise ValidationError({"reason": "Only an exited case can be reopened."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is being reopened."})
    cancel_open_reviews(case=case, user=user, why=f"Case reopened: {reason}")
    return update_case(
        case,
        user=user,
        reason=f"Reopened: {reason}",
        changes={"status": Case.Status.INTERVENTION},
        expected_version=expected_version,
    )


@transaction.atomic
def conduct_review(
    *,
    review: FollowUpReview,
    user: User,
    conducted_on: dt.date,
    agency: Agency,
    summary: str,
    month_only: bool = False,
    participants: str = "",
    source: str = "",
    recorded_by: str = "",
    late_reason: str = "",
    logged_on: dt.date | None = None,
    expected_version: int | None = None,
    require_late_reason: bool = True,
    reason: str = "Review conducted",
) -> FollowUpReview:
    check_version(review, expected_version)
    # Work on the row as stored: a refused attempt must leave the caller's object as it was.
    review = FollowUpReview.objects.select_for_update().get(pk=review.pk)
    if review.state not in (FollowUpReview.State.SCHEDULED,):
        raise ValidationError(
            {"conducted_on": f"This review is already {review.get_state_display().lower()}."}
        )
    if not summary.strip():
        raise ValidationError({"summary": "Enter the outcome of the review."})
    review.state = FollowUpReview.State.HELD
    review.conducted_precision = DatePrecision.MONTH if month_only else DatePrecision.DAY
    review.conducted_on = conducted_on.replace(day=1) if month_only else conducted_on
    review.agency = agency
    review.summary = summary
    review.participants = participants
    review.source = source
    review.recorded_by = recorded_by
    review.logged_on = logged_on or today()
    review.logged_by = user
    review.entered_at = timezone.now()
    review.late_reason = late_reason
    return save_record(
        review,
        user=user,
        reason=reason,
        late_reason_required=require_late_reason,
        check_orders=require_late_reason,
    )


@transaction.atomic
def review_not_possible(
    *, review: FollowUpReview, user: User, why: str, expected_version: int | None = None
) -> FollowUpReview:
    check_version(review, expected_version)
    if not why.strip():
        raise ValidationError({"closed_reason": "Say why the review was not possible."})
    review.state = FollowUpReview.State.NOT_POSSIBLE
    review.closed_reason = why
    return save_record(review, user=user, reason=f"Review not possible: {why}")


@transaction.atomic
def reassign_review(
    *,
    review: FollowUpReview,
    user: User,
    owner: User,
    reason: str,
    expected_version: int | None = None,
) -> FollowUpReview:
    check_version(review, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the review is being reassigned."})
    review.owner = owner
    return save_record(review, user=user, reason=f"Reassigned to {owner}: {reason}")


# ---------------------------------------------------------------- closing the loops (issue 17)
# Confirmations, questions and answers raise no finding (docs/chronology-format.md), so none of
# them asks for a reason for logging late; and the impossible-order rules are not theirs.


@transaction.atomic
def confirm_session(
    *,
    session: InterventionSession,
    user: User,
    agency: Agency,
    how: str,
    confirmed_on: dt.date | None = None,
    note: str = "",
    summary: str = "",
    source: str = "",
    recorded_by: str = "",
    late_reason: str = "",
    reason: str = "Session confirmed",
) -> SessionConfirmation:
    """Someone outside the intervention provider confirms that `session` was held.

    The confirmation is dated on the session's day; `confirmed_on` (default today) is its
    logged date. `summary` defaults to how, then the note (`SessionConfirmation.describe`).
    Refused for a provider, a session not held, or one held by `agency` itself.
    """
    if user.role == User.Role.PROVIDER:
        raise ValidationError(
            {"how": "An intervention provider cannot confirm a session: someone outside it does."}
        )
    session = InterventionSession.objects.select_for_update().get(pk=session.pk)
    confirmation = fill_record(
        SessionConfirmation(session=session, how=how),
        case=session.case,
        user=user,
        agency=agency,
        occurred_on=session.occurred_on,
        month_only=session.occurred_precision == DatePrecision.MONTH,
        logged_on=confirmed_on,
        summary=summary or SessionConfirmation.describe(how, note),
        source=source,
        recorded_by=recorded_by,
        late_reason=late_reason,
    )
    return save_record(confirmation, user=user, reason=reason)


NO_PROVIDER_TO_ASK = (
    "No intervention provider is commissioned on this case yet, so there is no one to ask. "
    "Commission a provider first."
)


@transaction.atomic
def ask_provider(
    *,
    case: Case,
    user: User,
    agency: Agency,
    question: str,
    due_on: dt.date | None = None,
    asked_on: dt.date | None = None,
    month_only: bool = False,
    logged_on: dt.date | None = None,
    source: str = "",
    recorded_by: str = "",
    late_reason: str = "",
    reason: str = "Question asked of the intervention provider",
) -> ProviderQuestion:
    """An agency on the case (not the provider) asks the intervention provider a question,
    wanting an answer by `due_on`: not before the day asked and at most a year after it
    (`ProviderQuestion.due_on_problem`). `asked_on` defaults to today. Refused on a case
    with no intervention provider commissioned (no live assignment): no one could answer."""
    providers = set(
        ProviderAssignment.objects.filter(case=case, voided_at__isnull=True).values_list(
            "agency_id", flat=True
        )
    )
    if not providers:
        raise ValidationError(NO_PROVIDER_TO_ASK)
    if agency.pk in providers:
        raise ValidationError(
            {
                "agency": f"{agency} is the intervention provider on this case: a question to "
                "the provider comes from another agency."
            }
        )
    asked_on = asked_on or today()
    if problem := ProviderQuestion.due_on_problem(due_on, asked_on, month_only=month_only):
        raise ValidationError({"due_on": problem})
    record = fill_record(
        ProviderQuestion(due_on=due_on),
        case=case,
        user=user,
        agency=agency,
        occurred_on=asked_on,
        month_only=month_only,
        logged_on=logged_on,
        summary=question,
        source=source,
        recorded_by=recorded_by,
        late_reason=late_reason,
    )
    return save_record(record, user=user, reason=reason)


@transaction.atomic
def answer_question(
    *,
    question: ProviderQuestion,
    user: User,
    agency: Agency,
    answer: str,
    answered_on: dt.date | None = None,
    month_only: bool = False,
    logged_on: dt.date | None = None,
    source: str = "",
    recorded_by: str = "",
    late_reason: str = "",
    expected_version: int | None = None,
    reason: str = "Question answered by the intervention provider",
) -> QuestionAnswer:
    """The provider's answer to `question` (`agency`: the provider). One live answer per
    question: a second is refused. `answered_on` defaults to today."""
    check_version(question, expected_version)
    # Lock the question: two people answering at once are served one after the other.
    question = ProviderQuestion.objects.select_for_update().get(pk=question.pk)
    record = fill_record(
        QuestionAnswer(question=question),
        case=question.case,
        user=user,
        agency=agency,
        occurred_on=answered_on or today(),
        month_only=month_only,
        logged_on=logged_on,
        summary=answer,
        source=source,
        recorded_by=recorded_by,
        late_reason=late_reason,
    )
    return save_record(record, user=user, reason=reason)


def answer_open_question(*, case: Case, occurred_on: dt.date, month_only: bool = False, **fields):
    """An answer given on `occurred_on` answers the case's earliest open question asked on or
    before it (docs/chronology-format.md, `question_answered`): the import's rule."""
    day = effective_date(occurred_on, DatePrecision.MONTH if month_only else DatePrecision.DAY)
    question = ProviderQuestion.objects.filter(case=case).answerable_on(day).first()
    if question is None:
        raise ValidationError(
            {"occurred_on": f"no question to the provider is open on {day.isoformat()}"}
        )
    return answer_question(
        question=question, answered_on=occurred_on, month_only=month_only, **fields
    )
