"""Many new records at once, each with its "+" history row, chained: the import's fast path.

`casereview.records.save_record` writes one record in about a dozen queries (constraint and
foreign-key checks, the record, its history row, the chain head's lock and update,
the case's membership). A chronology import of 10,000 rows cannot afford that per
row, so `RecordBatch` keeps the same rules in fewer queries:

- every record is validated field by field in Python when it is added (the same
  `full_clean` as `save_record`, less the checks that need a query: foreign keys the
  caller has just looked up, and the named CHECK constraints, which the database
  enforces anyway and the import has already checked row by row);
- `flush` inserts each model's records in one statement, then their history rows
  (user, reason, date, every tracked field, as simple-history writes them) in
  another, hashes chained in memory under one lock of the table's chain head;
- after the insert it refreshes the membership (`CaseAgency`) of the cases whose
  records decide it, as the post_save signal does for single saves.

Nothing here commits on its own: the caller's transaction holds every batch, and
a database error (a constraint or trigger) rolls all of it back.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from casereview.auditchain import chain_many

from . import membership
from .models import User

BATCH = 2000


class RecordBatch:
    def __init__(self, *, user: User, reason: str):
        self.user = user
        self.reason = reason
        self.pending: dict[type[models.Model], list[models.Model]] = {}
        self.written = 0

    def add(self, instance: models.Model) -> models.Model:
        """Validate a new record now (raises ValidationError) and queue it for the next flush.

        Models are inserted in the order they were first added, so a record may point at
        a case (or a case at a person) queued before it: its id is filled in on insert.
        """
        relations = [field.name for field in instance._meta.concrete_fields if field.is_relation]
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        self.pending.setdefault(type(instance), []).append(instance)
        return instance

    def __len__(self) -> int:
        return sum(len(instances) for instances in self.pending.values())

    @transaction.atomic
    def flush(self) -> None:
        """Insert what is queued, with its history rows; queued instances get their ids."""
        pending, self.pending = self.pending, {}
        now = timezone.now()
        cases = set()
        for model in _parents_first(pending):
            instances = pending[model]
            # history-safe: the history rows are written below
            model.objects.bulk_create(instances, batch_size=BATCH)  # history-safe
            history = model.history.model
            rows = [
                history(
                    history_date=now,
                    history_type="+",
                    history_user=self.user,
                    history_change_reason=self.reason,
                    **{
                        field.attname: getattr(instance, field.attname)
                        for field in history.tracked_fields
                    },
                )
                for instance in instances
            ]
            chain_many(rows)
            history.objects.bulk_create(rows, batch_size=BATCH)  # history-safe: history rows
            cases |= {membership.case_id_of(instance) for instance in instances}
            self.written += len(instances)
        membership.refresh_many(sorted(cases - {None}))


def _parents_first(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models ordered so that one pointing at another (a case at its person) comes after it."""
    remaining, ordered = list(models_), []
    while remaining:
        for model in remaining:
            parents = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            if not parents & (set(remaining) - {model}):
                break
        else:  # a cycle cannot happen with these models; keep the order they came in
            model = remaining[0]
        remaining.remove(model)
        ordered.append(model)
    return ordered
