"""History and the access log refuse TRUNCATE too, and replica mode does not switch that off.

Issue 13: a row trigger (0002 of referrals) never sees TRUNCATE, and ordinary triggers
do not fire under `SET session_replication_role = replica`. On PostgreSQL every
hash-chained table (the simple-history tables of both apps and referrals_accesslog) now
has a statement-level BEFORE TRUNCATE trigger, and both its triggers fire ALWAYS.
casereview.auditchain.ensure_append_only does the same after every migrate, for tables
added later. The test settings switch the refusal off (`casereview.allow_truncate`)
because Django empties tables between transactional tests with TRUNCATE. SQLite has no
TRUNCATE: nothing to do there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION casereview_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('casereview.allow_truncate', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'casereview_append_only: %% is never truncated', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
"""


def chained_tables(apps) -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if any(field.name == "row_hash" for field in model._meta.fields)
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in chained_tables(apps):
        # History tables created after referrals/0002 get their row trigger from
        # post_migrate, which has not run yet on a new database: (re)create it here.
        schema_editor.execute(
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casereview_append_only();"
        )
        schema_editor.execute(
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION casereview_refuse_truncate();"
        )
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_append_only;")
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate;")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in chained_tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only;")
    schema_editor.execute("DROP FUNCTION IF EXISTS casereview_refuse_truncate();")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_review_held_index"),
        ("referrals", "0007_case_reference_pattern"),
    ]

    operations = [migrations.RunPython(create, drop)]
