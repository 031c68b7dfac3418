"""Case search by part of a name, served by an index on PostgreSQL (national scale).

The search box matches `display_name` anywhere (`icontains`: UPPER(name) LIKE
'%TERM%'), which no B-tree can serve: on 70,000 people every search read every
name (~120 ms of a ~170 ms query, docs/benchmarks.md). A trigram GIN index on
UPPER(display_name) answers the same LIKE from the index (~2 ms for 2,500 matches).
The reference part of the search (UPPER(reference) = or LIKE 'TERM%') gets a
pattern B-tree, so neither half of the search reads every case.

PostgreSQL only. pg_trgm ships with PostgreSQL and is a trusted extension (13+):
the database owner may create it. Nothing in the model state changes, so there
is nothing for SQLite to do.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_name_trgm_idx ON referrals_person "
        "USING gin (UPPER(display_name::text) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS case_reference_upper_idx ON referrals_case "
        "(UPPER(reference::text) varchar_pattern_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_name_trgm_idx")
    schema_editor.execute("DROP INDEX IF EXISTS case_reference_upper_idx")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_case_agency")]

    operations = [migrations.RunPython(create, drop)]
