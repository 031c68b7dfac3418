"""Issue 13: the audit chain holds even against the database owner.

The owner can switch triggers off and rewrite rows, so the chains are keyed with
AUDIT_HMAC_KEY (kept outside the database) and their heads can be anchored outside
it. These tests play that owner: triggers off, rows rewritten, hashes recomputed.
"""

import hashlib
import importlib
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from casereview import auditchain
from casereview.models import AuditChainHead
from referrals.audit import log_access
from referrals.models import AccessLog, Case
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ACCESS_LOG = "referrals_accesslog"


@pytest.fixture
def history(db):
    user = factories.user("caseworker")
    case = factories.case(owner=user)
    for _ in range(3):
        log_access(user=user, action="view-case", case=case)
    return SimpleNamespace(user=user, case=case)


@contextmanager
def _triggers_off(table: str):
    """What the tables' owner can do: switch the audit triggers off (the test is the attacker)."""
    with connection.cursor() as cursor:  # history-safe: the test is the attacker
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _plain_sha256(previous: str, row) -> str:
    """The chain as it was before issue 13: unkeyed, so anyone can compute it."""
    return hashlib.sha256((previous + "\x1e" + auditchain.canonical(row)).encode()).hexdigest()


def _rewrite(model, hash_row, *, sql: str = "", params=()) -> None:
    """Run `sql`, then recompute every row's hash in order with `hash_row` and move the head."""
    table, pk = model._meta.db_table, model._meta.pk.column
    previous = auditchain.GENESIS
    with _triggers_off(table) as cursor:
        if sql:
            cursor.execute(sql, params)
        for row in model.objects.order_by("pk"):
            previous = hash_row(previous, row)
            cursor.execute(f"UPDATE {table} SET row_hash = %s WHERE {pk} = %s", [previous, row.pk])
    head = AuditChainHead.objects.get(table=model._meta.label_lower)
    head.last_hash = previous
    head.save()


def _cut_back(keep: int) -> None:
    """Delete the access log's newest rows and reset its head to the last one kept."""
    rows = list(AccessLog.objects.order_by("pk"))
    with _triggers_off(ACCESS_LOG) as cursor:
        cursor.execute(
            f"DELETE FROM {ACCESS_LOG} WHERE id IN ({', '.join(['%s'] * len(rows[keep:]))})",
            [row.pk for row in rows[keep:]],
        )
    head = AuditChainHead.objects.get(table="referrals.accesslog")
    head.last_hash = rows[keep - 1].row_hash if keep else auditchain.GENESIS
    head.save()


# ------------------------------------------------------------------ TRUNCATE and replica mode


@pytest.mark.parametrize("table", ["referrals_historicalcase", ACCESS_LOG])
def test_truncate_is_refused(history, table):
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="is never truncated"), transaction.atomic():  # noqa: SIM117
            with connection.cursor() as cursor:  # history-safe: must fail
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
                # The test settings let Django's teardown TRUNCATE; no other session does.
                cursor.execute("SET LOCAL casereview.allow_truncate = off")
                cursor.execute(f"TRUNCATE {table} CASCADE")
    else:
        # SQLite has no TRUNCATE statement: there is nothing to refuse.
        with pytest.raises(DatabaseError, match="syntax error"), transaction.atomic():  # noqa: SIM117
            with connection.cursor() as cursor:  # history-safe: must fail
                cursor.execute(f"TRUNCATE {table}")
    assert AccessLog.objects.count() == 3
    call_command("verify_audit")


def test_every_chained_table_refuses_truncate_and_change_even_in_replica_mode(history):
    tables = sorted(model._meta.db_table for model in auditchain.chained_models())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname = ANY(%s)",
                [tables],
            )
            enabled = {(table, name): state for table, name, state in cursor.fetchall()}
        for table in tables:
            # 'A': fires always, also under session_replication_role = replica.
            assert enabled.get((table, f"{table}_append_only")) == "A", table
            assert enabled.get((table, f"{table}_no_truncate")) == "A", table
        for sql in (
            f"UPDATE {ACCESS_LOG} SET detail = 'rewritten'",
            f"DELETE FROM {ACCESS_LOG}",
            f"TRUNCATE {ACCESS_LOG}",
        ):
            with pytest.raises(DatabaseError, match="casereview_append_only"), transaction.atomic():  # noqa: SIM117
                with connection.cursor() as cursor:  # history-safe: must fail
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET LOCAL casereview.allow_truncate = off")
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    cursor.execute(sql)
    else:
        # SQLite has no replica mode; its trigger refuses UPDATE on every chained table.
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {name for (name,) in cursor.fetchall()}
        assert {f"{table}_append_only" for table in tables} <= triggers
        with pytest.raises(DatabaseError, match="casereview_append_only"), transaction.atomic():  # noqa: SIM117
            with connection.cursor() as cursor:  # history-safe: must fail
                cursor.execute(f"UPDATE {ACCESS_LOG} SET detail = 'rewritten'")
    assert not AccessLog.objects.filter(detail="rewritten").exists()


# ------------------------------------------------------------------ the key


def test_rows_are_chained_with_the_key(history):
    rows = list(AccessLog.objects.order_by("pk"))
    previous = auditchain.GENESIS
    for row in rows:
        assert row.row_hash != _plain_sha256(previous, row)
        previous = row.row_hash
    with override_settings(AUDIT_HMAC_KEY="another-key-of-at-least-thirty-two-characters"):
        assert auditchain.link(auditchain.GENESIS, rows[0]) != rows[0].row_hash


@pytest.mark.parametrize("how", ["plain SHA-256", "a wrong key"])
def test_a_rewritten_chain_with_recomputed_hashes_is_detected(history, how):
    first = AccessLog.objects.order_by("pk").first()

    def wrong_key(previous, row):
        with override_settings(AUDIT_HMAC_KEY="the-attacker-s-guess-at-the-audit-key"):
            return auditchain.link(previous, row)

    _rewrite(
        AccessLog,
        _plain_sha256 if how == "plain SHA-256" else wrong_key,
        sql=f"UPDATE {ACCESS_LOG} SET detail = 'nothing to see' WHERE id = %s",
        params=[first.pk],
    )
    assert AccessLog.objects.get(pk=first.pk).detail == "nothing to see"
    with pytest.raises(CommandError, match=f"{ACCESS_LOG} row {first.pk}: hash does not match"):
        call_command("verify_audit")


def test_history_rows_recomputed_without_the_key_are_detected(history):
    row = Case.history.order_by("history_id").first()
    _rewrite(
        Case.history.model,
        _plain_sha256,
        sql="UPDATE referrals_historicalcase SET status = 'closed' WHERE history_id = %s",
        params=[row.history_id],
    )
    with pytest.raises(CommandError, match=f"referrals_historicalcase row {row.history_id}"):
        call_command("verify_audit")


# ------------------------------------------------------------------ rows from before the key


def _seal_as_the_migration_does():
    migration = importlib.import_module("reviews.migrations.0005_seal_unkeyed_chains")
    from django.apps import apps

    migration.seal(apps, SimpleNamespace(connection=connection))


@pytest.fixture
def upgraded(monkeypatch, db):
    """A database written before the key (plain SHA-256 chains), migrated, then used again."""
    with monkeypatch.context() as before:
        before.setattr(auditchain, "link", _plain_sha256)
        user = factories.user("caseworker")
        case = factories.case(owner=user)
        for _ in range(3):
            log_access(user=user, action="view-case", case=case)
    _seal_as_the_migration_does()
    for _ in range(2):
        log_access(user=user, action="view-case", case=case)
    return SimpleNamespace(user=user, case=case)


def test_a_database_chained_before_the_key_still_verifies(upgraded, capsys):
    rows = list(AccessLog.objects.order_by("pk"))
    assert rows[2].row_hash == _plain_sha256(rows[1].row_hash, rows[2])
    assert rows[3].row_hash == auditchain.link(rows[2].row_hash, rows[3])
    _seal_as_the_migration_does()  # again: changes nothing
    call_command("verify_audit")
    assert "Audit chains intact" in capsys.readouterr().out


def test_rewriting_rows_from_before_the_key_is_detected(upgraded):
    old = list(AccessLog.objects.order_by("pk"))[:3]
    with _triggers_off(ACCESS_LOG) as cursor:
        cursor.execute(
            f"UPDATE {ACCESS_LOG} SET detail = 'nothing to see' WHERE id = %s", [old[0].pk]
        )
        previous = auditchain.GENESIS
        for row in AccessLog.objects.filter(pk__in=[r.pk for r in old]).order_by("pk"):
            previous = _plain_sha256(previous, row)
            cursor.execute(
                f"UPDATE {ACCESS_LOG} SET row_hash = %s WHERE id = %s", [previous, row.pk]
            )
    with pytest.raises(CommandError, match=ACCESS_LOG):
        call_command("verify_audit")


def test_keyed_rows_cannot_be_passed_off_as_unkeyed(upgraded):
    """Recomputing everything with SHA-256 needs a new seal, and a seal needs the key."""
    _rewrite(
        AccessLog,
        _plain_sha256,
        sql=f"UPDATE {ACCESS_LOG} SET detail = 'nothing to see'",
    )
    last = AccessLog.objects.order_by("-pk").first().row_hash
    with override_settings(AUDIT_HMAC_KEY="the-attacker-s-guess-at-the-audit-key"):
        forged = auditchain.unkeyed_seal("referrals.accesslog", last)
    seal = AuditChainHead.objects.get(table="unkeyed:referrals.accesslog")
    seal.last_hash = forged
    seal.save()
    with pytest.raises(CommandError, match=f"{ACCESS_LOG}: the rows hashed before the chain"):
        call_command("verify_audit")


# ------------------------------------------------------------------ anchors


def _anchor(tmp_path) -> Path:
    path = tmp_path / "anchor.json"
    call_command("audit_anchor", output=str(path))
    return path


def test_audit_anchor_records_each_chain_head(history, tmp_path, capsys):
    call_command("audit_anchor")
    printed = json.loads(capsys.readouterr().out)
    chains = {chain["table"]: chain for chain in printed["chains"]}
    assert set(chains) == {model._meta.db_table for model in auditchain.chained_models()}
    last = AccessLog.objects.order_by("-pk").first()
    assert chains[ACCESS_LOG] == {
        "table": ACCESS_LOG,
        "rows": 3,
        "last_id": last.pk,
        "last_hash": last.row_hash,
    }
    path = _anchor(tmp_path)
    assert json.loads(path.read_text())["chains"] == printed["chains"]
    log_access(user=history.user, action="view-case", case=history.case)  # chains grow: fine
    call_command("verify_audit", anchor=str(path))
    assert "against the anchor" in capsys.readouterr().out


def test_a_chain_cut_back_is_detected_against_its_anchor(history, tmp_path):
    path = _anchor(tmp_path)
    _cut_back(keep=1)
    call_command("verify_audit")  # without the anchor the shorter chain looks whole
    with pytest.raises(CommandError, match=f"{ACCESS_LOG}: 1 rows, fewer than the 3 in the anchor"):
        call_command("verify_audit", anchor=str(path))


def test_an_emptied_chain_is_detected_against_its_anchor(history, tmp_path):
    path = _anchor(tmp_path)
    _cut_back(keep=0)
    AuditChainHead.objects.filter(table="referrals.accesslog").delete()
    call_command("verify_audit")
    with pytest.raises(CommandError, match=f"{ACCESS_LOG}: 0 rows, fewer than the 3"):
        call_command("verify_audit", anchor=str(path))


def test_a_chain_cut_back_and_regrown_differs_at_the_anchored_row(history, tmp_path):
    path = _anchor(tmp_path)
    _cut_back(keep=1)
    for _ in range(3):
        log_access(user=history.user, action="view-dashboard")
    call_command("verify_audit")
    with pytest.raises(CommandError, match=f"{ACCESS_LOG} row \\d+: row 3 differs from the anchor"):
        call_command("verify_audit", anchor=str(path))


def test_an_unreadable_anchor_is_refused(history, tmp_path):
    path = tmp_path / "anchor.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="is not an audit_anchor file"):
        call_command("verify_audit", anchor=str(path))
    path.write_text(json.dumps({"chains": [{"table": "gone", "rows": 1, "last_hash": "x"}]}))
    with pytest.raises(CommandError, match="gone is anchored but not here"):
        call_command("verify_audit", anchor=str(path))


# ------------------------------------------------------------------ settings


def _start_production(**env) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "AUDIT_HMAC_KEY", "DATABASE_URL"}
    }
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "casereview.settings",
        "DEBUG": "false",
        "SECRET_KEY": "k7Gq-" + "xY3pL9vR2mN8bT5wQ1zC4" * 3,
        "ALLOWED_HOSTS": "casereview.example.org",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_the_audit_key():
    missing = _start_production()
    assert missing.returncode != 0
    assert "ImproperlyConfigured: AUDIT_HMAC_KEY must be set" in missing.stderr
    short = _start_production(AUDIT_HMAC_KEY="too-short")
    assert short.returncode != 0 and "AUDIT_HMAC_KEY must be at least 32" in short.stderr
    keyed = _start_production(AUDIT_HMAC_KEY="p4Rk-" + "aQ8sD2fG6hJ0kL3zX7cV" * 2)
    assert keyed.returncode == 0 and "started" in keyed.stdout, keyed.stderr
