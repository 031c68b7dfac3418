"""The referrer told the outcome (issue 17): the referrer's email address on a referral, and
the `referral_outcome` record of each outcome emailed to them.

`referrer_email` is added with a plain ALTER TABLE ... ADD COLUMN on both databases: on SQLite
an AddField of a NOT NULL column rebuilds the table, which the triggers that read it might not
survive (see 0007 and 0012). The new tables are plain CreateModels (their history table's
append-only trigger comes from casereview.auditchain.ensure_append_only after migrate).
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

REFERRER_EMAIL = models.EmailField(
    blank=True,
    help_text="They are emailed the outcome (adopted, not adopted, exited): the case "
    "reference and date only.",
    max_length=254,
    verbose_name="referrer's email address",
)


def add_column(table: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f"ALTER TABLE {table} ADD COLUMN referrer_email varchar(254) NOT NULL DEFAULT ''",
        f"ALTER TABLE {table} DROP COLUMN referrer_email",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0012_case_referred_precision"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                add_column("referrals_referral"),
                add_column("referrals_historicalreferral"),
            ],
            state_operations=[
                migrations.AddField("referral", "referrer_email", REFERRER_EMAIL),
                migrations.AddField("historicalreferral", "referrer_email", REFERRER_EMAIL),
            ],
        ),
        migrations.CreateModel(
            name="HistoricalReferralOutcome",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("row_hash", models.CharField(blank=True, editable=False, max_length=64)),
                (
                    "occurred_on",
                    models.DateField(
                        help_text="When it happened. With month precision, the first day of that month."
                    ),
                ),
                (
                    "occurred_precision",
                    models.CharField(
                        choices=[("day", "Exact day"), ("month", "Month only")],
                        default="day",
                        max_length=5,
                    ),
                ),
                ("logged_on", models.DateField(help_text="When it was written into a record.")),
                (
                    "summary",
                    models.TextField(
                        max_length=20000,
                        validators=[
                            django.core.validators.MaxLengthValidator(
                                20000, message="This must be 20,000 characters or less."
                            )
                        ],
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True, help_text="The evidencing document.", max_length=255
                    ),
                ),
                (
                    "recorded_by",
                    models.CharField(blank=True, help_text="Who wrote it.", max_length=200),
                ),
                (
                    "late_reason",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[
                            django.core.validators.MaxLengthValidator(
                                2000, message="This must be 2,000 characters or less."
                            )
                        ],
                    ),
                ),
                ("voided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "void_reason",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[
                            django.core.validators.MaxLengthValidator(
                                2000, message="This must be 2,000 characters or less."
                            )
                        ],
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("adopted", "Adopted for Channel support"),
                            ("not_adopted", "Not adopted: no further action"),
                            ("signposted", "Not adopted: signposted to another service"),
                            ("exited", "Exited from Channel"),
                        ],
                        max_length=20,
                    ),
                ),
                ("sent_to", models.EmailField(blank=True, max_length=254)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The agency it comes from.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="referrals.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="referrals.case",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "logged_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The referral whose referrer was told; empty for an imported entry.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="referrals.referral",
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical referral outcome",
                "verbose_name_plural": "historical referral outcomes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ReferralOutcome",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "occurred_on",
                    models.DateField(
                        help_text="When it happened. With month precision, the first day of that month."
                    ),
                ),
                (
                    "occurred_precision",
                    models.CharField(
                        choices=[("day", "Exact day"), ("month", "Month only")],
                        default="day",
                        max_length=5,
                    ),
                ),
                ("logged_on", models.DateField(help_text="When it was written into a record.")),
                (
                    "summary",
                    models.TextField(
                        max_length=20000,
                        validators=[
                            django.core.validators.MaxLengthValidator(
                                20000, message="This must be 20,000 characters or less."
                            )
                        ],
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True, help_text="The evidencing document.", max_length=255
                    ),
                ),
                (
                    "recorded_by",
                    models.CharField(blank=True, help_text="Who wrote it.", max_length=200),
                ),
                (
                    "late_reason",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[
                            django.core.validators.MaxLengthValidator(
                                2000, message="This must be 2,000 characters or less."
                            )
                        ],
                    ),
                ),
                ("voided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "void_reason",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[
                            django.core.validators.MaxLengthValidator(
                                2000, message="This must be 2,000 characters or less."
                            )
                        ],
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("adopted", "Adopted for Channel support"),
                            ("not_adopted", "Not adopted: no further action"),
                            ("signposted", "Not adopted: signposted to another service"),
                            ("exited", "Exited from Channel"),
                        ],
                        max_length=20,
                    ),
                ),
                ("sent_to", models.EmailField(blank=True, max_length=254)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "agency",
                    models.ForeignKey(
                        help_text="The agency it comes from.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="referrals.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="%(class)s_records",
                        to="referrals.case",
                    ),
                ),
                (
                    "logged_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        blank=True,
                        help_text="The referral whose referrer was told; empty for an imported entry.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outcomes_told",
                        to="referrals.referral",
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["occurred_on", "id"],
                "abstract": False,
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("logged_on__gte", models.F("occurred_on"))),
                        name="referrals_referraloutcome_logged_not_before_occurred",
                        violation_error_message="The date logged cannot be before the date it happened.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided_at__isnull", True),
                            models.Q(("void_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="referrals_referraloutcome_void_has_reason",
                        violation_error_message="Give a reason for voiding this record.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("summary", ""), _negated=True),
                        name="referrals_referraloutcome_summary_not_blank",
                        violation_error_message="Enter a summary.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("referral__isnull", False), ("voided_at__isnull", True)
                        ),
                        fields=("referral", "outcome"),
                        name="referraloutcome_told_once",
                        violation_error_message="The referrer has already been told this outcome.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("sent_at__isnull", True),
                            models.Q(
                                ("referral__isnull", False),
                                models.Q(("outcome", ""), _negated=True),
                                models.Q(("sent_to", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="referraloutcome_sent_has_referral_outcome_and_address",
                    ),
                ],
            },
        ),
    ]
