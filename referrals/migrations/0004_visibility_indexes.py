"""Covering indexes for `referrals.access.visible_cases` on PostgreSQL (national scale).

Every case list, search, lookup and the supervisor dashboard ask "is the user's
agency part of this case?", an OR of EXISTS subqueries. On 70,000 cases
(docs/benchmarks.md) PostgreSQL answers the referral and panel-attendance parts
by building hash tables from the heap: ~115 ms for one agency. With these
indexes it reads them from the indexes alone (index-only scans): ~70 ms. The
dashboard asks six times per page.

PostgreSQL only (INCLUDE and partial indexes); nothing in the model state changes,
so there is nothing for SQLite to do.
"""

from django.db import migrations

INDEXES = {
    # visible_cases: a referring agency's cases (live referrals only).
    "referral_agency_case_live_idx": (
        "referrals_referral",
        "(agency_id, case_id)",
        "WHERE voided_at IS NULL",
    ),
}
# The same indexes on reviews' tables (panel attendance, meetings, provider assignments) are
# made by reviews/migrations/0003 (databases made before they moved have them from here).


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns, where) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns} {where}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_restricted_notes")]

    operations = [migrations.RunPython(create, drop)]
