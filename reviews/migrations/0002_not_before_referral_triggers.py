"""Database triggers for rules a CHECK constraint cannot state (they look at another table).

`reviews_session_not_before_referral` and `reviews_account_not_before_referral`:
an intervention session or an agency account can never be dated before the
case's referral (`referrals_case.referred_on`). The same rule is in
`reviews.models.check_not_before_referral`, so people see a sentence first.
"""

from django.db import migrations

TABLES = {
    "reviews_session_not_before_referral": "reviews_interventionsession",
    "reviews_account_not_before_referral": "reviews_agencyaccount",
}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table in TABLES.items():
        if vendor == "postgresql":
            schema_editor.execute(
                f"""
                CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.occurred_on < (SELECT referred_on FROM referrals_case WHERE id = NEW.case_id)
                  THEN RAISE EXCEPTION '{name}: dated before the case''s referral'
                       USING ERRCODE = 'check_violation';
                  END IF;
                  RETURN NEW;
                END $$;
                """
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}();"
            )
            schema_editor.execute(
                f"COMMENT ON TRIGGER {name} ON {table} IS "
                f"'Never dated before the case''s referral date (referrals_case.referred_on).'"
            )
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"""
                    CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}
                    FOR EACH ROW WHEN NEW.occurred_on <
                        (SELECT referred_on FROM referrals_case WHERE id = NEW.case_id)
                    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END;
                    """
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table in TABLES.items():
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event};")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
