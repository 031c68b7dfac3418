"""Tamper evidence: every history row and access-log row carries a keyed hash chained to the row before.

`row_hash = HMAC-SHA256(AUDIT_HMAC_KEY, previous row_hash + canonical text of this row)`,
per table, in primary-key order. The key comes from the environment, never the database,
so whoever can write to the database (its owner, with the triggers off) can change or
delete rows but cannot compute hashes that verify again. A per-table head row
(`casereview.models.AuditChainHead`) is locked while a row is added, so concurrent writers queue and ids
follow the chain. Changing or deleting any row breaks the chain at that row, and
`verify_audit` names it.

Rows written before the chain was keyed keep their plain SHA-256 hashes (they are
append-only, and re-hashing them would destroy the evidence). reviews/migrations/0005
sealed each such chain: an `AuditChainHead` row `unkeyed:<table label>` holds
HMAC(key, label + hash of the last unkeyed row). `verify` walks plain SHA-256 rows until
the seal matches and keyed rows after it; rewriting an old row changes the sealed hash,
and passing new rows off as old needs a new seal, i.e. the key.

What no key can show is rows removed from the end of a chain (the head row can be reset
to match) or a table emptied: `audit_anchor` writes each chain's head (rows, last hash)
to keep elsewhere, and `verify_audit --anchor FILE` fails when a chain is shorter than
anchored or differs at the anchored row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models, transaction

GENESIS = ""
UNKEYED_SEAL_PREFIX = "unkeyed:"


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


def _mac(message: str) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def digest(previous: str, text: str) -> str:
    """The keyed hash of a row whose canonical text is `text` (bulk writers hash values directly)."""
    return _mac(previous + "\x1e" + text)


def link(previous: str, row: models.Model) -> str:
    return digest(previous, canonical(row))


def unkeyed_link(previous: str, row: models.Model) -> str:
    """The hash of rows written before the chain was keyed (plain SHA-256); verification only."""
    return hashlib.sha256((previous + "\x1e" + canonical(row)).encode()).hexdigest()


def unkeyed_seal(label: str, last_hash: str) -> str:
    """Vouches, with the key, that a chain's unkeyed rows end at the row hashed `last_hash`."""
    return _mac(f"casereview-unkeyed-chain\x1e{label}\x1e{last_hash}")


def _locked_head(label: str):
    """The table's chain head, locked until the transaction ends (concurrent writers queue)."""
    from casereview.models import AuditChainHead

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
    row_id: int | None
    reason: str

    def __str__(self) -> str:
        where = self.table if self.row_id is None else f"{self.table} row {self.row_id}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Anchor:
    """A chain's head as `audit_anchor` recorded it: its row count and the last row's hash."""

    table: str
    rows: int
    last_hash: str


def anchor(model: type[models.Model]) -> dict:
    """The chain's head now: table, row count, last row's id and hash (for `audit_anchor`)."""
    last = model.objects.order_by("-pk").values_list("pk", "row_hash").first()
    if last is None:
        return {"table": model._meta.db_table, "rows": 0, "last_id": None, "last_hash": GENESIS}
    # Counted up to the last row read, so rows added meanwhile do not shift the position.
    rows = model.objects.filter(pk__lte=last[0]).count()
    return {"table": model._meta.db_table, "rows": rows, "last_id": last[0], "last_hash": last[1]}


def verify(model: type[models.Model], anchored: Anchor | None = None) -> Iterator[Break]:
    """Walk one table's chain; yield the first row that does not match, if any.

    With `anchored`, the chain must also reach the anchored row count and its row at
    that position must have the anchored hash.
    """
    from casereview.models import AuditChainHead

    table, label = model._meta.db_table, model._meta.label_lower
    tables = [label, UNKEYED_SEAL_PREFIX + label]
    heads = dict(AuditChainHead.objects.filter(table__in=tables).values_list("table", "last_hash"))
    seal = heads.get(UNKEYED_SEAL_PREFIX + label)  # None: every row is keyed
    previous, position = GENESIS, 0
    for row in model.objects.order_by("pk").iterator(chunk_size=2000):
        expected = link(previous, row) if seal is None else unkeyed_link(previous, row)
        if row.row_hash != expected:
            yield Break(table, row.pk, "hash does not match its contents and the row before")
            return
        previous, position = row.row_hash, position + 1
        if seal is not None and unkeyed_seal(label, previous) == seal:
            seal = None  # the unkeyed rows end here; the key vouches for them
        if anchored is not None and position == anchored.rows and previous != anchored.last_hash:
            yield Break(table, row.pk, f"row {position} differs from the anchored chain")
            return
    if seal is not None:
        yield Break(
            table,
            None,
            "the rows hashed before the chain was keyed do not match their seal "
            "(or AUDIT_HMAC_KEY is not the key they were sealed with)",
        )
    elif anchored is not None and position < anchored.rows:
        yield Break(table, None, f"{position} rows, fewer than the {anchored.rows} in the anchor")
    elif label in heads and heads[label] != previous:
        yield Break(table, None, "the last row is missing (the chain head does not match)")


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION casereview_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'casereview_append_only: rows of % are never changed or deleted', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
"""

# Test settings only: Django empties the tables between transactional tests with TRUNCATE.
# Anyone may set the variable, but only the tables' owner may TRUNCATE, and it could as
# well drop the trigger; the app's role has no TRUNCATE privilege at all.
REFUSE_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION casereview_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('casereview.allow_truncate', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'casereview_append_only: % is never truncated', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
"""


def ensure_append_only(using: str = "default", **kwargs) -> None:
    """(Re)create the append-only triggers on every chained table after each migrate.

    Migrations that rebuild a table (SQLite does for many column changes) drop its
    triggers, and a new tracked model brings a new history table; running this on
    post_migrate keeps every chained table covered. On PostgreSQL the triggers refuse
    UPDATE, DELETE and TRUNCATE and fire ALWAYS, so `session_replication_role = replica`
    does not turn them off. See referrals/migrations/0002 and reviews/migrations/0004.
    """
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:  # history-safe: DDL only
        if connection.vendor == "postgresql":
            cursor.execute(APPEND_ONLY_FUNCTION)  # history-safe: DDL only
            cursor.execute(REFUSE_TRUNCATE_FUNCTION)  # history-safe: DDL only
        for model in chained_models():
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                # CREATE OR REPLACE TRIGGER resets a trigger to fire on origin only: ALWAYS again.
                for sql in (
                    f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE "
                    f"ON {table} FOR EACH ROW EXECUTE FUNCTION casereview_append_only()",
                    f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION casereview_refuse_truncate()",
                    f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_append_only",
                    f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate",
                ):
                    cursor.execute(sql)  # history-safe: DDL only
            elif connection.vendor == "sqlite":
                cursor.execute(  # history-safe: DDL only
                    f"CREATE TRIGGER IF NOT EXISTS {table}_append_only BEFORE UPDATE ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'casereview_append_only: rows are never changed'); END"
                )
