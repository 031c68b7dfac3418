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


def chain_head_model(apps):
    """The chain heads' model as the migration state has it at this point.

    The heads moved to the core: casereview/0001 makes the new table and referrals/0011
    copies the rows across and drops the old one. Neither is a dependency of this
    migration (it is applied on databases made before the move, and Django refuses to
    migrate a database where an applied migration has an unapplied dependency), so on a
    database that has not applied it, it may run before or after the move. While the old
    table is there the seals go into it and referrals/0011 carries them across; once it
    is gone they go into the core's.
    """
    try:
        return apps.get_model("referrals", "AuditChainHead")
    except LookupError:
        return apps.get_model("casereview", "AuditChainHead")


def seal(apps, schema_editor):
    db = schema_editor.connection.alias
    AuditChainHead = chain_head_model(apps)
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
