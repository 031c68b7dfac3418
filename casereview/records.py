"""The one save path of every tracked record, and the conflict it refuses.

`save_record` is the single way a tracked model is saved: it runs model validation
(field rules and the named database constraints, so people get a sentence rather than an
IntegrityError), stamps the acting user and a reason onto the history row, and bumps the
optimistic-concurrency version. `check_version` refuses a stale edit with `ConflictError`,
which every form shows as the same conflict page (`casereview.web`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .timerules import TimeRules
from .ukdates import uk_date


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


def save_record(
    instance: models.Model, *, user, reason: str, late_reason_required: bool = False
) -> models.Model:
    """Validate (every problem at once), stamp user and reason for history, save."""
    errors: dict = {}
    try:
        instance.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if late_reason_required and (problem := late_reason_problem(instance)):
        errors.setdefault("late_reason", []).append(problem)
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
