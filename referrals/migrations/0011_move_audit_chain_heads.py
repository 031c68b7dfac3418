"""The audit chain heads now live in the core (casereview.AuditChainHead).

Copies every row of referrals_auditchainhead (each chain's last hash, and the
`unkeyed:` seals of reviews/migrations/0005) into casereview_auditchainhead, then
drops the old table. The rows matter: `verify_audit` compares each chain's last row
with its head and checks the rows hashed before the key against their seal.

Intake may depend on the core, so this waits for casereview/0001; the core never
depends on intake. reviews/0005 (the seals) may run before or after this on a
database that has not applied it yet: it writes into the old table while that is
there (this then carries the seals across) and into the core's once it is gone.
"""

from django.db import migrations


def copy(apps, schema_editor, source, target):
    db = schema_editor.connection.alias
    source_model = apps.get_model(*source)
    target_model = apps.get_model(*target)
    rows = [
        target_model(table=t, last_hash=h)
        for t, h in source_model.objects.using(db).values_list("table", "last_hash")
    ]
    # A key already in the target would mean two heads for one chain: refuse (IntegrityError)
    # rather than pick one.
    target_model.objects.using(db).bulk_create(rows)


def forwards(apps, schema_editor):
    copy(apps, schema_editor, ("referrals", "AuditChainHead"), ("casereview", "AuditChainHead"))


def backwards(apps, schema_editor):
    # DeleteModel reversed has recreated the old table (empty) by now.
    copy(apps, schema_editor, ("casereview", "AuditChainHead"), ("referrals", "AuditChainHead"))
    apps.get_model("casereview", "AuditChainHead").objects.using(
        schema_editor.connection.alias
    ).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casereview", "0001_initial"),
        ("referrals", "0010_case_reference_reserved"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="AuditChainHead"),
    ]
