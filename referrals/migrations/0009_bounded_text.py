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
        ('referrals', '0008_form_submission'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='accessgrant',
                    name='reason',
                    field=models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='casenote',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='casenote',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='casenote',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='contact',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='contact',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='contact',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalaccessgrant',
                    name='reason',
                    field=models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcasenote',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcasenote',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcasenote',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcontact',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcontact',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalcontact',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalreferral',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalreferral',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='historicalreferral',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='late_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='summary',
                    field=models.TextField(max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000, message='This must be 20,000 characters or less.')]),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='void_reason',
                    field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000, message='This must be 2,000 characters or less.')]),
                ),
            ],
        ),
    ]
