"""History and the access log: append-only in the database, and tampering is detected."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from referrals.audit import log_access
from referrals.models import AccessLog, Case
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(db):
    user = factories.user("caseworker")
    case = factories.case(owner=user)
    for _ in range(3):
        log_access(user=user, action="view-case", case=case)
    return case


def _without_trigger(table: str, sql: str, params=()):
    """Run tampering SQL as someone with the table owner's rights would (trigger off)."""
    with connection.cursor() as cursor:  # history-safe: the test is the attacker
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        else:
            cursor.execute(f"DROP TRIGGER {table}_append_only")
            cursor.execute(sql, params)


def test_chains_verify_when_untouched(history, capsys):
    call_command("verify_audit")
    assert "Audit chains intact" in capsys.readouterr().out


@pytest.mark.parametrize("table", ["referrals_historicalcase", "referrals_accesslog"])
def test_history_and_access_log_refuse_update(history, table):
    with pytest.raises(DatabaseError, match="casereview_append_only"), transaction.atomic():  # noqa: SIM117
        with connection.cursor() as cursor:  # history-safe: must fail
            cursor.execute(f"UPDATE {table} SET row_hash = 'x'")


def test_history_refuses_delete_on_postgresql_and_deletion_is_detected_anywhere(history):
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="casereview_append_only"), transaction.atomic():  # noqa: SIM117
            with connection.cursor() as cursor:  # history-safe: must fail
                cursor.execute("DELETE FROM referrals_accesslog")
    first, second = AccessLog.objects.order_by("pk")[:2]
    _without_trigger(
        "referrals_accesslog", "DELETE FROM referrals_accesslog WHERE id = %s", [first.pk]
    )
    with pytest.raises(CommandError, match=f"referrals_accesslog row {second.pk}"):
        call_command("verify_audit")


def test_altered_history_row_is_named(history):
    row = Case.history.order_by("history_id").first()
    _without_trigger(
        "referrals_historicalcase",
        "UPDATE referrals_historicalcase SET owner_id = owner_id, status = 'closed' "
        "WHERE history_id = %s",
        [row.history_id],
    )
    with pytest.raises(
        CommandError, match=f"referrals_historicalcase row {row.history_id}: hash does not match"
    ):
        call_command("verify_audit")


def test_removing_the_newest_row_is_detected(history):
    last = AccessLog.objects.order_by("-pk").first()
    _without_trigger(
        "referrals_accesslog", "DELETE FROM referrals_accesslog WHERE id = %s", [last.pk]
    )
    with pytest.raises(CommandError, match="the last row is missing"):
        call_command("verify_audit")


def test_every_history_row_is_chained(history):
    rows = list(Case.history.order_by("history_id"))
    assert rows and all(len(row.row_hash) == 64 for row in rows)
