"""Every text a user types has a maximum (issue 13): 20,000 characters for summaries,
notes, reports and rationales, 2,000 for reasons (referrals.models.bounded_text).

State only. A TextField's max_length and validators change nothing in the database
(PostgreSQL keeps `text`), but Django's SQLite backend would rebuild each table to
"alter" it, and a rebuilt table loses its triggers (reviews 0002's not-before-referral
triggers, the append-only ones). The limit is a rule of the models, checked by full_clean.
"""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0005_seal_unkeyed_chains'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='agencyaccount',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='agencyaccount',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='agencyaccount',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='briefing',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='briefing',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='briefing',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='caseexit',
                    name='gate_override_reason',
                    field=models.TextField(blank=True, help_text='Why the case was exited with sessions still planned or without a provider report.', max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='caseexit',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='caseexit',
                    name='rationale',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='caseexit',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='caseexit',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='followupreview',
                    name='closed_reason',
                    field=models.TextField(blank=True, help_text='Why it was not possible, or why it was cancelled.', max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='followupreview',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='followupreview',
                    name='summary',
                    field=models.TextField(blank=True, help_text='Outcome of the review.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalagencyaccount',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalagencyaccount',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalagencyaccount',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalbriefing',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalbriefing',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalbriefing',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcaseexit',
                    name='gate_override_reason',
                    field=models.TextField(blank=True, help_text='Why the case was exited with sessions still planned or without a provider report.', max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcaseexit',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcaseexit',
                    name='rationale',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcaseexit',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcaseexit',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalfollowupreview',
                    name='closed_reason',
                    field=models.TextField(blank=True, help_text='Why it was not possible, or why it was cancelled.', max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalfollowupreview',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalfollowupreview',
                    name='summary',
                    field=models.TextField(blank=True, help_text='Outcome of the review.', max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalinterventionsession',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalinterventionsession',
                    name='plan_summary',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalinterventionsession',
                    name='provider_report',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalinterventionsession',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalinterventionsession',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpanelaction',
                    name='description',
                    field=models.TextField(max_length=500, validators=[django.core.validators.MaxLengthValidator(500, message='This must be 500 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpanelaction',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpaneldecision',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpaneldecision',
                    name='rationale',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpaneldecision',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpaneldecision',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpanelmeeting',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpanelmeeting',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalpanelmeeting',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalproviderassignment',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalproviderassignment',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalproviderassignment',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='interventionsession',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='interventionsession',
                    name='plan_summary',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='interventionsession',
                    name='provider_report',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='interventionsession',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='interventionsession',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='panelaction',
                    name='description',
                    field=models.TextField(max_length=500, validators=[django.core.validators.MaxLengthValidator(500, message='This must be 500 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='panelaction',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='paneldecision',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='paneldecision',
                    name='rationale',
                    field=models.TextField(blank=True, max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='paneldecision',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='paneldecision',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='panelmeeting',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='panelmeeting',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='panelmeeting',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='providerassignment',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='providerassignment',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='providerassignment',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
            ],
        ),
    ]
