"""Tamper evidence: every history row and access-log row carries a hash chained to the row before.

`row_hash = sha256(previous row_hash + canonical text of this row)`, per table,
in primary-key order. A per-table head row (`AuditChainHead`) is locked while a
row is added, so concurrent writers queue and ids follow the chain. Changing
or deleting any row breaks the chain at that row, and `verify_audit` names it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction

GENESIS = ""


class ChainedRow(models.Model):
    """Abstract base for rows in a hash chain (history rows and the access log).

    A new row takes the chain head's lock, gets its hash and is inserted in one
    transaction, so the head never gets ahead of the rows.
    """

    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding or self.row_hash:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            chain(self)
            return super().save(*args, **kwargs)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def canonical(row: models.Model) -> str:
    """Every stored value of the row but its id and its hash, in field order."""
    parts = []
    for field in row._meta.concrete_fields:
        if field.primary_key or field.name == "row_hash":
            continue
        parts.append(f"{field.attname}={_text(getattr(row, field.attname))}")
    return "\x1f".join(parts)


def link(previous: str, row: models.Model) -> str:
    return hashlib.sha256((previous + "\x1e" + canonical(row)).encode()).hexdigest()


def _locked_head(label: str):
    """The table's chain head, locked until the transaction ends (concurrent writers queue)."""
    from referrals.models import AuditChainHead

    head = AuditChainHead.objects.select_for_update().filter(table=label).first()
    if head is None:
        AuditChainHead.objects.get_or_create(table=label)
        head = AuditChainHead.objects.select_for_update().get(table=label)
    return head


def chain(row: models.Model) -> None:
    """Give `row` (about to be inserted) its hash, advancing the chain head under a lock."""
    chain_many([row])


def chain_many(rows: list[models.Model]) -> None:
    """Give rows of one table (about to be inserted in this order) their hashes, under one lock.

    The caller inserts them in the same transaction and in list order, so their
    primary keys follow the chain (`verify` walks it in primary-key order).
    """
    if not rows:
        return
    head = _locked_head(rows[0]._meta.label_lower)
    previous = head.last_hash
    for row in rows:
        row.row_hash = previous = link(previous, row)
    head.last_hash = previous
    head.save(update_fields=["last_hash"])


def chained_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, ChainedRow)]


@dataclass
class Break:
    table: str
    row_id: int
    reason: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row_id}: {self.reason}"


def verify(model: type[models.Model]) -> Iterator[Break]:
    """Walk one table's chain; yield the first row that does not match, if any."""
    from referrals.models import AuditChainHead

    previous = GENESIS
    table = model._meta.db_table
    for row in model.objects.order_by("pk").iterator(chunk_size=2000):
        expected = link(previous, row)
        if row.row_hash != expected:
            yield Break(table, row.pk, "hash does not match its contents and the row before")
            return
        previous = row.row_hash
    head = AuditChainHead.objects.filter(table=model._meta.label_lower).first()
    if head is not None and head.last_hash != previous:
        yield Break(table, 0, "the last row is missing (the chain head does not match)")


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION casereview_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'casereview_append_only: rows of % are never changed or deleted', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
"""


def ensure_append_only(using: str = "default", **kwargs) -> None:
    """(Re)create the append-only trigger on every chained table after each migrate.

    Migrations that rebuild a table (SQLite does for many column changes) drop its
    triggers, and a new tracked model brings a new history table; running this on
    post_migrate keeps every chained table covered. See referrals/migrations/0002.
    """
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:  # history-safe: DDL only
        if connection.vendor == "postgresql":
            cursor.execute(APPEND_ONLY_FUNCTION)  # history-safe: DDL only
        for model in chained_models():
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(  # history-safe: DDL only
                    f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION casereview_append_only()"
                )
            elif connection.vendor == "sqlite":
                cursor.execute(  # history-safe: DDL only
                    f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'casereview_append_only: rows are never changed'); END"
                )
