"""Seal the audit chains written before they were keyed (issue 13).

Rows written until now carry plain SHA-256 hashes and stay as they are: they are
append-only, and re-hashing them would replace the evidence with something the
database owner could have produced. For each chain that has rows, this records
HMAC(AUDIT_HMAC_KEY, table label + hash of its newest row) as the `AuditChainHead` row
`unkeyed:<table label>`. `casereview.auditchain.verify` checks rows with SHA-256 up to
the row the seal vouches for and with the key after it, so old rows cannot be rewritten
(their last hash would change) and new rows cannot be passed off as old (a new seal
needs the key).

Upgrading: stop the app, set AUDIT_HMAC_KEY, migrate, start the new code. A row the old
code writes after this has run, or the new code before, lands on the wrong side of the
seal and `verify_audit` reports it. A database created after this change has nothing
to seal: every row is keyed.

It lives in reviews because only here are the history tables of both apps in the
migration state (reviews depends on referrals, never the other way).
"""

from django.db import migrations

from casereview.auditchain import UNKEYED_SEAL_PREFIX, unkeyed_seal


def seal(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditChainHead = apps.get_model("referrals", "AuditChainHead")
    for model in apps.get_models():
        if not any(field.name == "row_hash" for field in model._meta.fields):
            continue
        last = model.objects.using(db).order_by("-pk").values_list("row_hash", flat=True).first()
        if last is None:
            continue
        label = model._meta.label_lower
        # Never re-sealed: applying this again after reversing it changes nothing (reversing
        # leaves the seals, which older code ignores).
        AuditChainHead.objects.using(db).get_or_create(
            table=UNKEYED_SEAL_PREFIX + label, defaults={"last_hash": unkeyed_seal(label, last)}
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_refuse_truncate")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
