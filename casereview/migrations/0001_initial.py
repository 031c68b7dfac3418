"""The audit chain heads move to the core (casereview_auditchainhead).

The table is new; referrals/migrations/0011 copies the heads (and the seals of
reviews/migrations/0005) across from referrals_auditchainhead and drops that table.
No dependencies: the core's migrations never wait for an app above it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("table", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
            ],
        ),
    ]
