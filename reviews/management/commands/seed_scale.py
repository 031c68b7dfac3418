"""Seed a national-scale synthetic archive, with history rows and valid hash chains.

    python manage.py seed_scale --cases 70000 [--seed N] [--today YYYY-MM-DD]

The one place in the application allowed to write around simple-history
(tests/casereview/test_write_paths.py): 70,000 cases are millions of rows, and
saving them one at a time through the services would take hours. The rows come
from `reviews.sampledata.scale.CaseMaker` (which writes nothing); this command

* creates the 12 agencies and ~200 users through the ORM (so with history),
* writes every record and one "+" history row per record (`history_user` is who
  logged it, `history_change_reason` "seeded") with PostgreSQL COPY, in one
  transaction, with secondary indexes and foreign keys dropped and recreated for
  big loads (the recreated foreign keys re-check every row),
* chains each history row with `casereview.auditchain.link`, in primary-key order,
  continuing from the table's current chain head, and moves the head to the last
  hash, so `verify_audit` passes afterwards,
* sets the id sequences past the ids it used, and VACUUM ANALYZEs what it wrote.

On SQLite it falls back to bulk_create (fine for a few hundred cases, for tests).
Running it again adds more cases: references, ids and chains continue.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from casereview.auditchain import GENESIS, digest, link
from casereview.models import AuditChainHead
from referrals import membership
from referrals.models import Agency, Case, User
from reviews.sampledata.scale import (
    AGENCIES,
    MODELS,
    PASSWORD,
    SEED_REASON,
    CaseMaker,
    World,
    big_case_sizes,
    user_specs,
)

# Below this many cases indexes are kept: rebuilding them costs more than it saves.
DROP_INDEXES_FROM = 2000
SQLITE_LIMIT = 2000


class Command(BaseCommand):
    help = (
        "Seed synthetic cases at national scale (benchmarks, load tests). Bulk-writes; PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Date the data is relative to (default: today).",
        )
        parser.add_argument("--batch", type=int, default=2000, help="Cases per COPY round.")
        parser.add_argument(
            "--big",
            default=None,
            help="Comma-separated record counts of very large cases "
            "(default: 500…2,000-record cases when --cases >= 2000).",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="Do not drop and recreate secondary indexes and foreign keys.",
        )

    def handle(
        self,
        *args,
        cases: int,
        seed: int,
        today,
        batch: int,
        big,
        keep_indexes: bool,
        verbosity: int = 1,
        **options,
    ):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        vendor = connection.vendor
        if vendor == "sqlite" and cases > SQLITE_LIMIT:
            raise CommandError(
                f"On SQLite seed_scale writes with bulk_create and is meant for at most "
                f"{SQLITE_LIMIT} cases; set DATABASE_URL to a PostgreSQL database for more."
            )
        if vendor not in ("postgresql", "sqlite"):
            raise CommandError(
                f"seed_scale supports PostgreSQL (and SQLite for small runs), not {vendor}."
            )
        today = today or timezone.localdate()
        sizes = (
            [int(n) for n in big.split(",") if n.strip()]
            if big is not None
            else big_case_sizes(cases)
        )
        sizes = sizes[:cases]
        started = time.monotonic()

        with transaction.atomic():
            world = make_world()
        writer = (CopyWriter if vendor == "postgresql" else BulkWriter)()
        drop = vendor == "postgresql" and not keep_indexes and cases >= DROP_INDEXES_FROM
        made = 0
        with transaction.atomic(), writer:
            writer.start(drop_indexes=drop)
            maker = CaseMaker(
                world=world,
                seed=seed,
                today=today,
                next_ids=writer.next_ids,
                references=existing_references(),
            )
            # Very large cases first, spread through the run in small batches of their own.
            for size in sizes:
                maker.make_case(big=size)
                writer.write(maker.take())
                made += 1
            while made < cases:
                for _ in range(min(batch, cases - made)):
                    maker.make_case()
                    made += 1
                rows = writer.write(maker.take())
                if verbosity > 1:
                    self.stdout.write(
                        f"  {made:,} cases, {rows:,} rows so far "
                        f"({time.monotonic() - started:.0f} s)"
                    )
            writer.finish()
            # Which agencies are part of each case (referrals.CaseAgency), derived in one pass.
            with connection.cursor() as cursor:
                cursor.execute(membership.backfill_sql())
        writer.analyze()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Seeded {cases:,} cases ({writer.records:,} rows and as many history rows) "
            f"in {elapsed:.1f} s on {vendor}"
            + (" (indexes and foreign keys rebuilt)" if drop else "")
            + "."
        )


# ------------------------------------------------------------------ agencies and users


def make_world() -> World:
    """The 12 agencies and ~200 users, created through the ORM (history and chain as usual)."""
    agencies = {}
    for name, kind, _ in AGENCIES:
        agency = Agency.objects.filter(name=name).first()
        if agency is None:
            agency = Agency(name=name, kind=kind)
            agency._change_reason = SEED_REASON
            agency.save()
        agencies[name] = agency
    # One hash for every seeded user: hashing the same password 200 times costs minutes.
    password = make_password(PASSWORD)
    existing = {u.username: u for u in User.objects.filter(username__startswith="scale.")}
    users = []
    for spec in user_specs():
        user = existing.get(spec["username"])
        if user is None:
            user = User(
                username=spec["username"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                agency=agencies[spec["agency"]],
                role=spec["role"],
                email=f"{spec['username']}@example.invalid",
                password=password,
            )
            user._change_reason = SEED_REASON
            user.save()
        users.append(user)
    regions = {a.pk: region for (name, _, region) in AGENCIES for a in [agencies[name]]}
    staff: dict[int, list[int]] = {}
    providers: dict[int, list[int]] = {}
    for user in users:
        if user.role in (User.Role.CASEWORKER, User.Role.SUPERVISOR):
            staff.setdefault(user.agency_id, []).append(user.pk)
        elif user.role == User.Role.PROVIDER:
            providers.setdefault(user.agency_id, []).append(user.pk)
    return World(
        agencies={name: a.pk for name, a in agencies.items()},
        kinds={a.pk: a.kind for a in agencies.values()},
        regions=regions,
        staff=staff,
        providers=providers,
        names={u.pk: f"{u.first_name} {u.last_name}" for u in users},
    )


def existing_references() -> dict[int, int]:
    """The highest CR-YYYY-NNNNN number used per year, so new references never collide."""
    last: dict[int, int] = {}
    for reference in Case.objects.filter(reference__startswith="CR-").values_list(
        "reference", flat=True
    ):
        parts = reference.split("-")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            year, number = int(parts[1]), int(parts[2])
            last[year] = max(last.get(year, 0), number)
    return last


# ------------------------------------------------------------------ writers


def _formatter(field):
    """`auditchain._text` for one column's type, without its isinstance checks per value."""
    if isinstance(field, models.DateTimeField):  # before DateField: it is one
        return lambda v: "" if v is None else (v.astimezone(dt.UTC) if v.tzinfo else v).isoformat()
    if isinstance(field, models.DateField):
        return lambda v: "" if v is None else v.isoformat()
    return lambda v: "" if v is None else str(v)


class _Table:
    """How one model's rows (and their history rows) become tuples, and the history rows' hashes."""

    def __init__(self, model):
        self.model = model
        self.history = model.history.model
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
        hist_fields = self.history._meta.concrete_fields
        self.hist_columns = [f.column for f in hist_fields]
        self.hist_attnames = [f.attname for f in hist_fields]
        self.shared = [a for a in self.hist_attnames if a in self.defaults or a == "id"]
        # What auditchain.canonical() hashes: every field but the pk and the hash, in field order.
        self.hashed = [
            (f.attname, _formatter(f))
            for f in hist_fields
            if not f.primary_key and f.name != "row_hash"
        ]
        # link() reads `_meta` and attributes: a bare object is enough (no model __init__).
        self.view = type("HistoryRow", (), {"_meta": self.history._meta})
        self.label = self.history._meta.label_lower

    def rows(self, batch_rows, next_history_id: int, previous: str):
        """(table tuples, history tuples, next history id, last hash).

        Hashes are `auditchain.link(previous, row)`, computed from the values with
        per-column formatters (5x faster than link() on model-like objects); the first
        row of every batch is also hashed by link() itself and must agree.
        """
        main, hist = [], []
        attnames, hist_attnames, defaults, shared = (
            self.attnames,
            self.hist_attnames,
            self.defaults,
            self.shared,
        )
        hashed = self.hashed
        for number, (row, user, at) in enumerate(batch_rows):
            full = {**defaults, **row}
            main.append(tuple(full[a] for a in attnames))
            values = {a: full[a] for a in shared}
            values["history_id"] = next_history_id
            values["history_date"] = at
            values["history_change_reason"] = SEED_REASON
            values["history_type"] = "+"
            values["history_user_id"] = user
            text = "\x1f".join([f"{name}={fmt(values[name])}" for name, fmt in hashed])
            row_hash = digest(previous, text)
            if number == 0:
                view = self.view()
                view.__dict__ = values
                if link(previous, view) != row_hash:
                    raise CommandError(f"{self.label}: seeded hash differs from auditchain.link().")
            previous = values["row_hash"] = row_hash
            hist.append(tuple(values[a] for a in hist_attnames))
            next_history_id += 1
        return main, hist, next_history_id, previous


class _Writer:
    def __init__(self):
        self.tables = [_Table(model) for model in MODELS]
        self.records = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # Never leave a COPY running on the connection while the transaction unwinds.
        try:
            self.close()
        except Exception:
            if exc[0] is None:
                raise

    def start(self, *, drop_indexes: bool) -> None:
        labels = [t.label for t in self.tables]
        for label in labels:
            AuditChainHead.objects.get_or_create(table=label)
        # Writers through the app wait on these rows while the chains are extended here.
        heads = {
            h.table: h.last_hash
            for h in AuditChainHead.objects.select_for_update().filter(table__in=labels)
        }
        self.heads = {}
        self.next_history = {}
        self.next_ids = {}
        for table in self.tables:
            last = table.history.objects.aggregate(m=Max("history_id"))["m"] or 0
            self.heads[table.label] = (heads.get(table.label) or GENESIS) if last else GENESIS
            self.next_history[table.label] = last + 1
            self.next_ids[table.model] = (table.model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.first_ids = dict(self.next_ids)
        self.first_history = dict(self.next_history)

    def write(self, batch) -> int:
        """Every table's rows, then every history table's (each chain in id order)."""
        main, hist = [], []
        for table in self.tables:
            rows = batch.rows[table.model]
            if not rows:
                continue
            tuples, hist_tuples, self.next_history[table.label], self.heads[table.label] = (
                table.rows(rows, self.next_history[table.label], self.heads[table.label])
            )
            main.append((table.model, table.columns, table.attnames, tuples))
            hist.append((table.history, table.hist_columns, table.hist_attnames, hist_tuples))
            self.next_ids[table.model] = rows[-1][0]["id"] + 1
            self.records += len(rows)
        self.put_all(main + hist)
        return self.records

    def put_all(self, work) -> None:
        for model, columns, attnames, rows in work:
            self.put(model, columns, attnames, rows)

    def close(self) -> None:
        pass

    def finish(self) -> None:
        for label, last_hash in self.heads.items():
            if self.next_history[label] != self.first_history[label]:
                AuditChainHead.objects.filter(table=label).update(last_hash=last_hash)

    def analyze(self) -> None:
        pass

    def put(self, model, columns, attnames, rows) -> None:
        raise NotImplementedError


class BulkWriter(_Writer):
    """SQLite (and small runs): bulk_create, which sends no signals, so nothing is chained twice."""

    def put(self, model, columns, attnames, rows) -> None:
        model.objects.bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=500
        )


class CopyWriter(_Writer):
    """PostgreSQL: COPY … FROM STDIN through psycopg 3, indexes optionally rebuilt."""

    def start(self, *, drop_indexes: bool) -> None:
        super().start(drop_indexes=drop_indexes)
        self.dropped_indexes: list[str] = []
        self.dropped_keys: list[tuple[str, str, str]] = []
        tables = [t.model._meta.db_table for t in self.tables] + [
            t.history._meta.db_table for t in self.tables
        ]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")
            cursor.execute("SET LOCAL maintenance_work_mem TO '512MB'")
            if not drop_indexes:
                return
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                [tables],
            )
            self.dropped_keys = cursor.fetchall()
            cursor.execute(
                "SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid "
                "WHERE c.relname = ANY(%s) AND NOT i.indisprimary AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
                "  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))",
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, _ in self.dropped_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                self.dropped_indexes.append(definition)

    # COPY runs on a second thread, on this transaction's connection, while the main
    # thread makes the next batch: PostgreSQL and Python each keep one core busy.
    _executor: ThreadPoolExecutor | None = None
    _pending: Future | None = None

    def put_all(self, work) -> None:
        self.close()  # one batch in flight at a time, in order
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-copy")
        raw = connection.connection  # the psycopg connection, inside the open transaction
        self._pending = self._executor.submit(self._copy, raw, work)

    @staticmethod
    def _copy(raw, work) -> None:
        with raw.cursor() as cursor:
            for model, columns, _, rows in work:
                sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)

    def close(self) -> None:
        """Wait for the batch in flight (raising its error, if any)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def finish(self) -> None:
        self.close()
        if self._executor is not None:
            self._executor.shutdown()
        with connection.cursor() as cursor:
            for definition in self.dropped_indexes:
                cursor.execute(definition)
            for table, name, definition in self.dropped_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table in self.tables:
                for model, pk, last in (
                    (table.model, "id", self.next_ids[table.model] - 1),
                    (table.history, "history_id", self.next_history[table.label] - 1),
                ):
                    if last > 0:
                        cursor.execute(
                            "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                            [model._meta.db_table, pk, last],
                        )
        super().finish()

    def analyze(self) -> None:
        """VACUUM ANALYZE what was written (not possible inside a test's transaction)."""
        if connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            for table in self.tables:
                # Pages read by every request get their visibility map (index-only scans);
                # history tables are read rarely (record history, the PDF appendix).
                cursor.execute(f"VACUUM (ANALYZE) {table.model._meta.db_table}")
                cursor.execute(f"ANALYZE {table.history._meta.db_table}")
            # The membership table every visibility test reads, filled by the backfill.
            cursor.execute("VACUUM (ANALYZE) referrals_caseagency")
