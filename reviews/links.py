"""Linked records kept in step: a confirmed session and its confirmations, an answered question
and its answer.

A confirmation is dated on its session's day and counts only while that session stands as
held; an answer answers one question, asked on or before it. Changing or voiding the record
one of them hangs on would leave it pointing at something that no longer says what it
confirmed or answered — and a chronology that cannot be exported and imported again (the
format refuses a `session_confirmed` with no `session_held` on its day, a `question_answered`
with no open question). So `casereview.records.save_record` runs these rules on every save,
an import's and a void's included (`register_link_rule`); each returns {field: the sentence
that refuses it, saying what to do instead}, empty when the save may go ahead.

| rule | refuses | field |
|---|---|---|
| `confirmed_session_stands` | voiding a session someone confirmed, moving its date, recording it as anything but held, or rewriting what the confirmation vouched for (summary, attendees, provider's report) | `void_reason`, `occurred_on`, `status`, the field |
| `answered_question_stands` | voiding a question that has a live answer, rewording it, or moving its date after the answer's | `void_reason`, `summary`, `occurred_on` |
| `answering_provider_stays` | voiding the commissioning of a provider whose answers to the case's questions stand (the answers would come from no provider) | `void_reason` |

The answer's own date (not before its question) and the confirmation's (its session's day, not
logged before it) are the models' own rules (`QuestionAnswer.clean`,
`SessionConfirmation.clean`). Void the confirmation or the answer first, and the session or
question may then change: each step is in history with its reason.
"""

from __future__ import annotations

from django.db import models

from casereview.records import register_link_rule
from casereview.ukdates import certainly_before, uk_date
from referrals.models import DatePrecision
from referrals.orders import show, stored, when

from .models import (
    InterventionSession,
    ProviderAssignment,
    ProviderQuestion,
    QuestionAnswer,
    SessionConfirmation,
)

# What a confirmation vouches for, beside the session's day and outcome.
VOUCHED_FOR = ("summary", "attendees", "provider_report")


def _saved(record: models.Model, *fields: str) -> dict | None:
    """The stored values of `fields` of a record being changed (None: new, or already void)."""
    saved = stored(record, "voided_at", *fields)
    if saved is None or saved["voided_at"] is not None:
        return None
    return saved


def _day(saved: dict) -> tuple:
    return saved["occurred_on"], saved["occurred_precision"] == DatePrecision.MONTH


def confirmed_session_stands(record: models.Model) -> dict[str, str]:
    """A session another agency confirmed is not voided, moved or un-held under it."""
    if not isinstance(record, InterventionSession) or record.pk is None:
        return {}
    saved = _saved(record, "status", "occurred_on", "occurred_precision", *VOUCHED_FOR)
    if saved is None or saved["status"] != InterventionSession.Status.HELD:
        return {}
    voiding = record.voided_at is not None
    moving = (saved["occurred_on"], saved["occurred_precision"]) != (
        record.occurred_on,
        record.occurred_precision,
    )
    unheld = record.status != InterventionSession.Status.HELD
    rewritten = [name for name in VOUCHED_FOR if saved[name] != getattr(record, name)]
    if not (voiding or moving or unheld or rewritten):
        return {}
    confirmation = (
        SessionConfirmation.objects.live()
        .filter(session_id=record.pk)
        .select_related("agency")
        .order_by("logged_on", "id")
        .first()
    )
    if confirmation is None:
        return {}
    by = f"{confirmation.agency} confirmed this session on {uk_date(confirmation.logged_on)}"
    if voiding:
        return {"void_reason": f"{by}: void that confirmation first, then this session."}
    if moving:
        return {
            "occurred_on": f"{by}, as held on {show(_day(saved))}: void that confirmation "
            "first to move the session to another day."
        }
    if unheld:
        return {"status": f"{by} as held: void that confirmation first to record another outcome."}
    return dict.fromkeys(
        rewritten,
        f"{by} as it was recorded: void that confirmation first to change what it vouched for.",
    )


def answered_question_stands(record: models.Model) -> dict[str, str]:
    """A question the provider answered is not voided, or dated after its answer."""
    if not isinstance(record, ProviderQuestion) or record.pk is None:
        return {}
    saved = _saved(record, "occurred_on", "occurred_precision", "summary")
    if saved is None:
        return {}
    voiding = record.voided_at is not None
    moving = (saved["occurred_on"], saved["occurred_precision"]) != (
        record.occurred_on,
        record.occurred_precision,
    )
    reworded = saved["summary"] != record.summary
    if not (voiding or moving or reworded):
        return {}
    answer = (
        QuestionAnswer.objects.filter(question_id=record.pk, voided_at__isnull=True)
        .select_related("agency")
        .first()
    )
    if answer is None:
        return {}
    answered = when(answer)
    by = f"{answer.agency} answered this question on {show(answered)}"
    if voiding:
        return {"void_reason": f"{by}: void the answer first, then this question."}
    if reworded:
        return {"summary": f"{by}: void the answer first to reword the question, or ask a new one."}
    asked = when(record)
    if asked is None or not certainly_before(*answered, *asked):
        return {}
    return {
        "occurred_on": f"A question cannot be asked ({show(asked)}) after it was answered: {by}."
    }


def answering_provider_stays(record: models.Model) -> dict[str, str]:
    """A provider whose answers stand stays commissioned: voiding its commissioning would
    leave answers from an agency that is no provider of the case (and shut its staff out of
    the case, and of their own answers)."""
    if not isinstance(record, ProviderAssignment) or record.voided_at is None:
        return {}
    if _saved(record) is None:
        return {}
    others = ProviderAssignment.objects.filter(
        case_id=record.case_id, agency_id=record.agency_id, voided_at__isnull=True
    ).exclude(pk=record.pk)
    if others.exists():
        return {}  # still commissioned by another assignment
    answers = QuestionAnswer.objects.filter(
        case_id=record.case_id, agency_id=record.agency_id, voided_at__isnull=True
    ).count()
    if not answers:
        return {}
    return {
        "void_reason": f"{record.agency} has {answers} answer{'s' if answers > 1 else ''} to "
        "questions on this case that still stand: void them first, then this commissioning."
    }


RULES = (confirmed_session_stands, answered_question_stands, answering_provider_stays)


def register() -> None:
    for rule in RULES:
        register_link_rule(rule)
