"""Forms for panels, provider work, agency accounts, exits and reviews."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from referrals.forms import (
    ApproxDateField,
    GovForm,
    LoggedDateField,
    RecordForm,
    UKDateField,
    agency_field,
    late_reason_field,
    logged_field,
    name_fields,
    source_field,
    text_area,
)
from referrals.models import REASON_MAX_LENGTH, Agency, RiskLevel, User, uk_date

from .chronology.entries import Entry, EntryType
from .models import (
    AgencyAccount,
    InterventionSession,
    PanelDecision,
    ProviderAssignment,
    ProviderQuestion,
    SessionConfirmation,
)

RISK_CHOICES = [("", "Not assessed"), *RiskLevel.choices]


def staff_field(label: str, *, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True)
        .exclude(role__in=[User.Role.INQUIRY, User.Role.PROVIDER])
        .select_related("agency"),
        label=label,
        required=required,
        empty_label="Choose a person",
    )


class PanelMeetingForm(RecordForm):
    agency = agency_field("Panel", kinds=[Agency.Kind.CHANNEL_PANEL, Agency.Kind.LOCAL_AUTHORITY])
    agencies_present = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.all(),
        label="Agencies present",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label="Risk level", choices=RISK_CHOICES, required=False, widget=forms.RadioSelect
    )
    summary = text_area("What the minutes record", name="The minutes summary")
    decision = forms.ChoiceField(
        label="Decision (optional)",
        required=False,
        choices=[("", "No decision recorded"), *PanelDecision.Kind.choices],
    )
    rationale = text_area("Written rationale for the decision", required=False, rows=3)
    action_description = forms.CharField(
        label="Action agreed (optional)", required=False, max_length=500
    )
    action_owner = staff_field("Action owner", required=False)
    action_due = UKDateField(
        label="Action due date", required=False, help_text="For example, 27 3 2015"
    )
    field_order = [
        "occurred",
        "agency",
        "agencies_present",
        "risk_level",
        "summary",
        "decision",
        "rationale",
        "action_description",
        "action_owner",
        "action_due",
        "source",
        "late_reason",
    ]

    def clean(self):
        data = super().clean()
        if data.get("decision") and not (data.get("rationale") or "").strip():
            self.add_error("rationale", "Give the written rationale for the decision")
        if data.get("action_description"):
            if not data.get("action_owner"):
                self.add_error("action_owner", "Choose who owns the action")
            if not data.get("action_due"):
                self.add_error("action_due", "Enter the date the action is due")
        return data


class ActionForm(GovForm):
    description = forms.CharField(label="Action", max_length=500)
    owner = staff_field("Owner")
    due_on = UKDateField(label="Due date", help_text="For example, 27 3 2015")


class AssignmentForm(RecordForm):
    agency = agency_field("Intervention provider", kinds=[Agency.Kind.INTERVENTION_PROVIDER])
    occurred = ApproxDateField(label="Date commissioned")
    commissioned_by = forms.ChoiceField(
        label="How was the provider asked?",
        required=False,
        choices=[*ProviderAssignment.CommissionedBy.choices, ("", "Not known")],
        widget=forms.RadioSelect,
        help_text="A request by phone or at a meeting is not a written briefing: record that separately.",
    )
    sessions_planned = forms.IntegerField(
        label="Sessions planned (optional)",
        required=False,
        min_value=0,
        max_value=500,
        help_text="Leave blank if the number is not known.",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    provider_worker = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role=User.Role.PROVIDER),
        label="Named provider (optional)",
        required=False,
        empty_label="Not named yet",
    )
    field_order = [
        "agency",
        "occurred",
        "commissioned_by",
        "sessions_planned",
        "provider_worker",
        "summary",
        "source",
        "late_reason",
    ]

    def clean(self):
        data = super().clean()
        worker, agency = data.get("provider_worker"), data.get("agency")
        if worker and agency and worker.agency_id != agency.pk:
            self.add_error("provider_worker", f"{worker} works for {worker.agency}, not {agency}")
        return data


class BriefingForm(RecordForm):
    occurred = ApproxDateField(label="Date the written briefing was issued")
    agency = agency_field("Issuing agency")
    issued_by = forms.CharField(label="Issued by", max_length=200)
    document_ref = forms.CharField(label="Document reference", max_length=200)
    summary = text_area("What the briefing covered", rows=3, name="The briefing summary")
    field_order = [
        "occurred",
        "agency",
        "issued_by",
        "document_ref",
        "summary",
        "source",
        "late_reason",
    ]


class AcknowledgeForm(GovForm):
    acknowledged_on = UKDateField(label="Date the provider acknowledged the briefing")
    version = forms.IntegerField(widget=forms.HiddenInput)


OUTCOME_CHOICES = [c for c in InterventionSession.Status.choices if c[0] != "planned"]


class SessionForm(GovForm):
    occurred = ApproxDateField(label="Date of the session")
    status = forms.ChoiceField(
        label="What happened", choices=InterventionSession.Status.choices, widget=forms.RadioSelect
    )
    logged = logged_field()
    summary = text_area("Summary", rows=3)
    attendees = forms.CharField(label="Who attended (optional)", required=False, max_length=300)
    provider_report = text_area("Provider's report (optional)", required=False, rows=4)
    source = source_field()
    late_reason = late_reason_field()


class SessionOutcomeForm(GovForm):
    status = forms.ChoiceField(
        label="What happened", choices=OUTCOME_CHOICES, widget=forms.RadioSelect
    )
    logged = logged_field()
    summary = text_area("Summary", rows=3)
    attendees = forms.CharField(label="Who attended (optional)", required=False, max_length=300)
    provider_report = text_area("Provider's report (optional)", required=False, rows=4)
    source = source_field()
    late_reason = late_reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput)


class AccountForm(RecordForm):
    occurred = ApproxDateField(label="Date of the account")
    agency = agency_field("Agency whose account this is")
    source_kind = forms.ChoiceField(
        label="Where it was said",
        choices=AgencyAccount.SourceKind.choices,
        widget=forms.RadioSelect,
    )
    sessions_believed = forms.IntegerField(
        label="Sessions the agency believed had been held (optional)",
        required=False,
        min_value=0,
        max_value=AgencyAccount.SESSIONS_BELIEVED_MAX,
        help_text=f"A whole number from 0 to {AgencyAccount.SESSIONS_BELIEVED_MAX}.",
        # The model's rule (AgencyAccount.clean), in the same words for every way it is broken.
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"), AgencyAccount.sessions_believed_problem()
        ),
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3"}),
    )
    believed_status = forms.ChoiceField(
        label="What the agency believed of the intervention (optional)",
        required=False,
        choices=[("", "Said nothing about it"), *AgencyAccount.BelievedStatus.choices],
        widget=forms.RadioSelect,
    )
    summary = text_area(
        "What was said or written (quote or summary)", rows=3, name="What was said or written"
    )
    field_order = [
        "agency",
        "occurred",
        "source_kind",
        "source",
        "sessions_believed",
        "believed_status",
        "summary",
        "late_reason",
    ]

    def account_entry(self, case_ref: str, *, today) -> Entry | None:
        """The account as a chronology entry, for the belief rule to read before it is saved
        (reviews.views.records); None while its date is not valid. Fields not valid yet are
        left blank."""
        self.is_valid()  # cleaned_data holds the fields that are
        data = self.cleaned_data
        if not data.get("occurred"):
            return None
        return Entry(
            case_ref=case_ref,
            agency=data["agency"].name if data.get("agency") else "",
            entry_type=EntryType.AGENCY_ACCOUNT,
            occurred_on=data["occurred"].value,
            month_only=data["occurred"].month_only,
            logged_on=data.get("logged") or today,
            summary=data.get("summary") or "",
            sessions_believed=data.get("sessions_believed"),
            believed_status=data.get("believed_status") or "",
        )


class ExitForm(RecordForm):
    occurred = ApproxDateField(label="Date of exit")
    agency = agency_field(
        "Exiting panel", kinds=[Agency.Kind.CHANNEL_PANEL, Agency.Kind.LOCAL_AUTHORITY]
    )
    risk_level = forms.ChoiceField(
        label="Risk at exit", choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    summary = text_area("Exit decision", rows=2)
    rationale = text_area("Rationale", rows=3)
    gate_override_reason = text_area(
        "Reason to exit anyway (only if asked)",
        required=False,
        rows=3,
        help_text="Needed when sessions are still planned or no held session has a provider report.",
        max_length=REASON_MAX_LENGTH,
    )
    review_owner = staff_field("Owner of the 6- and 12-month reviews (optional)", required=False)
    field_order = [
        "occurred",
        "agency",
        "risk_level",
        "summary",
        "rationale",
        "gate_override_reason",
        "review_owner",
        "source",
        "late_reason",
    ]


class ReopenForm(GovForm):
    reason = text_area(
        "Why is the case being reopened?",
        rows=3,
        help_text="Reviews not yet held will be cancelled.",
        required_message="Give the reason for reopening the case",
        # Each cancelled review keeps "Case reopened: <reason>", at most REASON_MAX_LENGTH.
        max_length=1_000,
        name="The reason",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConductReviewForm(GovForm):
    conducted = ApproxDateField(label="Date the review was held")
    logged = logged_field()
    agency = agency_field("Reviewing agency")
    participants = forms.CharField(label="Who took part (optional)", required=False, max_length=300)
    summary = text_area("Outcome of the review", rows=3)
    source = source_field()
    late_reason = late_reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput)


class NotPossibleForm(GovForm):
    why = text_area(
        "Why was the review not possible?",
        rows=3,
        required_message="Give the reason the review was not possible",
        max_length=REASON_MAX_LENGTH,
        name="The reason",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReassignReviewForm(GovForm):
    owner = staff_field("New owner")
    reason = text_area(
        "Reason",
        rows=2,
        required_message="Give the reason for reassigning the review",
        max_length=REASON_MAX_LENGTH,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionDoneForm(GovForm):
    completed_on = UKDateField(label="Date done")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmSessionForm(GovForm):
    """Someone outside the provider confirms a held session (services.confirm_session)."""

    how = forms.ChoiceField(
        label="How do you know the session took place?",
        choices=SessionConfirmation.How.choices,
        widget=forms.RadioSelect,
    )
    logged = LoggedDateField(
        label="Date it was confirmed",
        required=False,
        require_all_fields=False,
        help_text="For example, 4 12 2016. Leave today’s date if you are confirming it now.",
        initial=timezone.localdate,
    )
    note = text_area(
        "Note (optional)",
        required=False,
        rows=3,
        help_text="For example, who you spoke to, or the report’s reference.",
        max_length=REASON_MAX_LENGTH,
    )


# A question is short enough to read on a phone.
QUESTION_MAX_LENGTH = 2_000
ANSWER_MAX_LENGTH = 5_000


def _in_a_week() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


class AskProviderForm(GovForm):
    """An agency on the case asks the provider a question (services.ask_provider)."""

    summary = text_area(
        "Your question",
        rows=4,
        required_message="Enter your question",
        max_length=QUESTION_MAX_LENGTH,
        name="Your question",
    )
    due_on = UKDateField(label="Answer wanted by", initial=_in_a_week)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The bounds the service keeps (ProviderQuestion.due_on_problem), said on the field.
        week, latest = _in_a_week(), ProviderQuestion.latest_due_on(timezone.localdate())
        self.fields["due_on"].help_text = (
            f"For example, {week.day} {week.month} {week.year}. A week from today unless you "
            f"change it; no later than {uk_date(latest)}, a year from today."
        )


class AnswerQuestionForm(GovForm):
    """The provider answers a question (services.answer_question); short enough for a phone."""

    summary = text_area(
        "Your answer",
        rows=6,
        required_message="Enter your answer",
        max_length=ANSWER_MAX_LENGTH,
        name="Your answer",
    )
    occurred = LoggedDateField(
        label="Date answered",
        required=False,
        require_all_fields=False,
        help_text="Leave today’s date if you are answering now.",
        initial=timezone.localdate,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def edit_form_class(model) -> type[forms.ModelForm]:
    """A "change this record" form: its editable fields, a reason, and the version it was opened at."""
    from .chronology.kinds import EDITABLE_FIELDS

    fields = EDITABLE_FIELDS[model._meta.model_name]

    def formfield(db_field, **kwargs):
        if db_field.name == "occurred_on":
            return ApproxDateField(label="Date it happened")
        if db_field.name == "logged_on":
            return logged_field()
        if db_field.get_internal_type() == "DateField":
            return UKDateField(
                label=str(db_field.verbose_name).capitalize(), required=not db_field.blank
            )
        if db_field.get_internal_type() == "TextField":
            # The model's limit, said in the hint and checked on submit (referrals.forms).
            return text_area(
                str(db_field.verbose_name).capitalize(),
                required=not db_field.blank,
                rows=10,
                help_text=db_field.help_text,
                max_length=db_field.max_length,
            )
        if db_field.choices and db_field.blank:
            return forms.ChoiceField(
                label=str(db_field.verbose_name).capitalize(),
                choices=[("", "Not known"), *db_field.choices],
                required=False,
            )
        return db_field.formfield(**kwargs)

    return forms.modelform_factory(
        model, form=EditRecordForm, fields=fields, formfield_callback=formfield
    )


class EditRecordForm(forms.ModelForm):
    reason = text_area(
        "Why are you changing this record?",
        rows=2,
        required_message="Give the reason for the change",
        max_length=REASON_MAX_LENGTH,
        name="The reason",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        name_fields(self)
        if not self.is_bound:
            self.initial["version"] = instance.version
            if "occurred_on" in self.fields and instance.occurred_precision == "month":
                # Never an invented day: the day box stays empty for a month-only date.
                value = instance.occurred_on
                self.initial["occurred_on"] = ["", value.month, value.year]
        if "logged_on" in self.fields:
            self.fields["logged_on"].initial = None
            names = [n for n in self.fields if n != "logged_on"]
            names.insert(
                names.index("occurred_on") + 1 if "occurred_on" in names else 0, "logged_on"
            )
            self.fields = {name: self.fields[name] for name in names}

    def changes(self) -> dict:
        """The record's new field values; a date it happened becomes the date and its precision."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        if "occurred_on" in data:
            approx = data.pop("occurred_on")
            data["occurred_on"] = approx.value.replace(day=1) if approx.month_only else approx.value
            data["occurred_precision"] = "month" if approx.month_only else "day"
        return data

    def _post_clean(self):
        # The rules are checked by the service (update_record runs full_clean), not the form.
        pass
