"""The one save path of every tracked record, and the conflict it refuses.

`save_record` is the single way a tracked model is saved: it runs model validation
(field rules and the named database constraints, so people get a sentence rather than an
IntegrityError), stamps the acting user and a reason onto the history row, and bumps the
optimistic-concurrency version. `check_version` refuses a stale edit with `ConflictError`,
which every form shows as the same conflict page (`casereview.web`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .timerules import TimeRules
from .ukdates import uk_date

# Rules that look beyond the record itself, at the other records of its case (an exit dated
# before the referral, a session held after the exit): each app registers its own from its
# AppConfig.ready (reviews.orders). A rule takes the record about to be saved and returns
# {field name: the sentence that refuses it}, empty when the record may be saved.
RecordRule = Callable[[models.Model], dict[str, str]]
RECORD_RULES: list[RecordRule] = []
# Rules that keep linked records in step (a confirmed session and its confirmations, an
# answered question and its answer: reviews.links). Unlike the orders above, which an import
# may break because an agency's contradictions are evidence, these hold for every save — a
# form, a service, an import, a void — since a record whose link is broken cannot be read,
# exported or imported again. Same shape as a RecordRule.
LINK_RULES: list[RecordRule] = []


def register_record_rule(rule: RecordRule) -> RecordRule:
    if rule not in RECORD_RULES:
        RECORD_RULES.append(rule)
    return rule


def register_link_rule(rule: RecordRule) -> RecordRule:
    if rule not in LINK_RULES:
        LINK_RULES.append(rule)
    return rule


class ConflictError(Exception):
    """The record changed after the user opened it; their save would overwrite someone's work."""

    def __init__(self, instance: models.Model):
        super().__init__(f"{instance} was changed by someone else")
        self.instance = instance


def late_reason_problem(record) -> str:
    """Something logged more than LATE_LOGGING_DAYS after it happened must say why.

    `record` is a chronology record (occurred_on, its precision, logged_on, late_reason).
    """
    if record.late_reason.strip() or not record.occurred_on or not record.logged_on:
        return ""
    rules = TimeRules.current()
    if not rules.logged_late(record.effective_date, record.logged_on):
        return ""
    days = rules.logging_lag(record.effective_date, record.logged_on)
    month_only = getattr(record, "occurred_precision", "day") == "month"
    return (
        f"This is being logged {days} days after it happened "
        f"({uk_date(record.occurred_on, month_only=month_only)}): say why it was logged late."
    )


def backfill_problem(logged_on, source: str) -> str:
    """An entry typed into casereview more than LATE_LOGGING_DAYS after the agency logged it is
    copied from a document (a backfill): the person typing it names that document. Asked by
    every record form (referrals.forms.GovForm.clean); an import or a service call may
    leave the source blank, as the interchange format allows."""
    if logged_on is None or source.strip():
        return ""
    rules = TimeRules.current()
    if not rules.backfilled(logged_on, timezone.localdate()):
        return ""
    return (
        f"This was logged on {uk_date(logged_on)}, more than {rules.late_logging_days} days "
        "ago: name the document it is copied from."
    )


def save_record(
    instance: models.Model,
    *,
    user,
    reason: str,
    late_reason_required: bool = False,
    check_orders: bool = False,
) -> models.Model:
    """Validate (every problem at once), stamp user and reason for history, save.

    `late_reason_required`: a person is typing this entry now, so a late logging needs its
    reason (a backfill's source document is asked by the forms: `backfill_problem`).
    `check_orders`: refuse what the registered record rules call impossible (an import keeps
    such contradictions as evidence). The link rules are run on every save.
    """
    errors: dict = {}
    try:
        instance.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if late_reason_required and (problem := late_reason_problem(instance)):
        errors.setdefault("late_reason", []).append(problem)
    if not errors:
        for rule in (*LINK_RULES, *(RECORD_RULES if check_orders else ())):
            for name, sentence in rule(instance).items():
                errors.setdefault(name, []).append(sentence)
    if errors:
        raise ValidationError(errors)
    instance._history_user = user  # read by simple-history for the history row
    instance._change_reason = reason
    if instance.pk and hasattr(instance, "version"):
        instance.version += 1
    instance.save()
    return instance


def check_version(instance: models.Model, expected_version: int | None) -> None:
    """Refuse a stale edit: the form carried the version the user saw."""
    if expected_version is None:
        return
    current = (
        type(instance)
        .objects.select_for_update()
        .values_list("version", flat=True)
        .get(pk=instance.pk)
    )
    if current != expected_version:
        raise ConflictError(instance)
