"""Recording a case as it happened (issue 14).

- A follow-up review may be known to have been held only in a month ("October 2016").
- When a held review, and a session's outcome, were typed into casereview (the moment of entry,
  kept apart from when it happened and when the agency logged it).
- How the provider was asked (`commissioned_by`), and "not known" for the sessions planned.

NOT NULL columns are added with a plain ALTER TABLE ... ADD COLUMN (SQLite would otherwise
rebuild the table, and with it drop the triggers of 0002); nullable ones are plain AddFields.
Making `sessions_planned` nullable rebuilds the assignment tables on SQLite, which carry no
trigger of their own (the history table's append-only trigger is put back after every
migrate by casereview.auditchain.ensure_append_only).
"""

from django.db import migrations, models

PRECISION = models.CharField(
    choices=[("day", "Exact day"), ("month", "Month only")], default="day", max_length=5
)
COMMISSIONED_BY = models.CharField(
    blank=True,
    choices=[
        ("written", "In writing"),
        ("email", "By email"),
        ("phone", "By phone"),
        ("meeting", "At a meeting"),
    ],
    help_text="How the provider was asked; blank when not known.",
    max_length=10,
)


def add_column(table: str, column: str, sql_type: str, default: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f"ALTER TABLE {table} ADD COLUMN {column} {sql_type} NOT NULL DEFAULT '{default}'",
        f"ALTER TABLE {table} DROP COLUMN {column}",
    )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0007_panel_agency_membership")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                add_column(table, "conducted_precision", "varchar(5)", "day")
                for table in ("reviews_followupreview", "reviews_historicalfollowupreview")
            ]
            + [
                add_column(table, "commissioned_by", "varchar(10)", "")
                for table in ("reviews_providerassignment", "reviews_historicalproviderassignment")
            ],
            state_operations=[
                migrations.AddField("followupreview", "conducted_precision", PRECISION),
                migrations.AddField("historicalfollowupreview", "conducted_precision", PRECISION),
                migrations.AddField("providerassignment", "commissioned_by", COMMISSIONED_BY),
                migrations.AddField(
                    "historicalproviderassignment", "commissioned_by", COMMISSIONED_BY
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model,
                    name="conducted_on",
                    field=models.DateField(
                        blank=True,
                        help_text="With month precision, the first day of that month.",
                        null=True,
                    ),
                )
                for model in ("followupreview", "historicalfollowupreview")
            ],
        ),
        *[
            migrations.AddField(model, name, models.DateTimeField(blank=True, null=True))
            for model, name in (
                ("followupreview", "entered_at"),
                ("historicalfollowupreview", "entered_at"),
                ("interventionsession", "outcome_entered_at"),
                ("historicalinterventionsession", "outcome_entered_at"),
            )
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="sessions_planned",
                field=models.IntegerField(blank=True, null=True),
            )
            for model in ("providerassignment", "historicalproviderassignment")
        ],
    ]
