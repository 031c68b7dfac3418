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
    # visible_cases: an agency present at one of the case's panels (attendance by agency).
    "panelattendance_agency_meeting_idx": (
        "reviews_panelattendance",
        "(agency_id, meeting_id)",
        "",
    ),
    # visible_cases: the panel meetings' cases, read from the index (live meetings only).
    "panelmeeting_id_case_live_idx": (
        "reviews_panelmeeting",
        "(id) INCLUDE (case_id)",
        "WHERE voided_at IS NULL",
    ),
    # visible_cases: a referring agency's cases (live referrals only).
    "referral_agency_case_live_idx": (
        "referrals_referral",
        "(agency_id, case_id)",
        "WHERE voided_at IS NULL",
    ),
    # visible_cases: a commissioned provider's cases (live assignments only).
    "assignment_agency_case_live_idx": (
        "reviews_providerassignment",
        "(agency_id, case_id)",
        "WHERE voided_at IS NULL",
    ),
}


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
    dependencies = [
        ("referrals", "0003_restricted_notes"),
        ("reviews", "0002_not_before_referral_triggers"),
    ]

    operations = [migrations.RunPython(create, drop)]
