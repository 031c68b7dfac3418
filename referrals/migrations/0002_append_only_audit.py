"""History and the access log are append-only.

On PostgreSQL a trigger on every hash-chained table (the simple-history tables
and referrals_accesslog) refuses UPDATE and DELETE. TRUNCATE, which only the
table owner can run (migrations, test teardown), is left to database
permissions: production connects as a role that does not own the tables.
On SQLite (development and tests) UPDATE is refused; DELETE stays possible
because Django empties tables with DELETE between transactional tests there.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION casereview_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'casereview_append_only: rows of %% are never changed or deleted', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
"""


def chained_tables(apps) -> list[str]:
    """This app's chained tables. Other apps' are covered when their tables exist, by
    casereview.auditchain.ensure_append_only after every migrate (so this migration needs
    nothing of theirs)."""
    return sorted(
        model._meta.db_table
        for model in apps.get_app_config("referrals").get_models()
        if any(field.name == "row_hash" for field in model._meta.fields)
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in chained_tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'casereview_append_only: rows are never changed'); END;"
            )
        return
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in chained_tables(apps):
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casereview_append_only();"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in chained_tables(apps):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")
        return
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in chained_tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS casereview_append_only();")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
