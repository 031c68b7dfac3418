"""A referral date may be known only to the month ("October 2014"): the case keeps its precision.

The column is added with a plain ALTER TABLE ... ADD COLUMN on both databases: on SQLite an
AddField of a NOT NULL column rebuilds the table, which the triggers of reviews/0002 (that
read referrals_case) do not survive (see 0007).
"""

from django.db import migrations, models

PRECISION = models.CharField(
    choices=[("day", "Exact day"), ("month", "Month only")], default="day", max_length=5
)


def add_column(table: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f"ALTER TABLE {table} ADD COLUMN referred_precision varchar(5) NOT NULL DEFAULT 'day'",
        f"ALTER TABLE {table} DROP COLUMN referred_precision",
    )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0011_move_audit_chain_heads")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                add_column("referrals_case"),
                add_column("referrals_historicalcase"),
            ],
            state_operations=[
                migrations.AddField("case", "referred_precision", PRECISION),
                migrations.AddField("historicalcase", "referred_precision", PRECISION),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name="referred_on",
                    field=models.DateField(
                        help_text="When the first referral was received. With month precision, "
                        "the first day of that month."
                    ),
                )
                for model in ("case", "historicalcase")
            ],
        ),
    ]
