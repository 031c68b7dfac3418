"""Forms for intake records, and the GOV.UK date fields every record form uses.

Forms only turn what was typed into values: the rules live in the models and
services, whose ValidationErrors are put back onto the form by `views.run_form`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from casereview.records import backfill_problem

from .models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, Agency, Case, Contact, User


def _lower_first(text: str) -> str:
    text = str(text).replace(" (optional)", "").strip()
    return text[:1].lower() + text[1:]


# "How do you know …?" and "How was the provider asked?": a label may be a question, but an
# error names what is missing ("Select how you know …", "Select how the provider was asked").
_ASKING = r"(how|what|why|when|where|which|who)"
_DO_YOU = re.compile(rf"^{_ASKING} (?:do|does|did) (you|we|they) ", re.IGNORECASE)
_IS_IT = re.compile(rf"^{_ASKING} (is|was|are|were) (the \w+|it|you|they) ", re.IGNORECASE)


def _named(label: str) -> str:
    """The label as the thing an error asks for: lower-cased first letter, no "(optional)",
    and a question turned round into the words it asks about ("How do you know the session
    took place?" → "how you know the session took place")."""
    text = _lower_first(label)
    if not text.endswith("?"):
        return text
    text = text.removesuffix("?").rstrip()
    text = _DO_YOU.sub(lambda m: f"{m[1]} {m[2]} ", text)
    return _IS_IT.sub(lambda m: f"{m[1]} {m[3]} {m[2]} ", text)


class GovForm(forms.Form):
    """Required-field errors that name the field, as the GOV.UK Design System asks
    ("Enter the summary", "Select the agency") rather than "This field is required".

    A form with a "Date it was logged" and a "Source" asks for the source when the entry is a
    backfill: logged long before it is typed in (casereview.records.backfill_problem)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_fields(self)

    def clean(self):
        data = super().clean()
        asks = "logged" in self.fields and "source" in self.fields and "source" not in self.errors
        if asks and (problem := backfill_problem(data.get("logged"), data.get("source") or "")):
            self.add_error("source", problem)
        return data


def name_fields(form) -> None:
    default = str(forms.Field.default_error_messages["required"])
    for field in form.fields.values():
        if (
            isinstance(field, DateInputField)
            or str(field.error_messages.get("required")) != default
        ):
            continue
        label = _named(field.label or "")
        if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
            field.error_messages["required"] = f"Select {label}"
        elif isinstance(field, forms.BooleanField):
            field.error_messages["required"] = f"Confirm {label}"
        else:
            field.error_messages["required"] = f"Enter {label}"


class ApproxDate(NamedTuple):
    value: dt.date
    month_only: bool


def _real_date(label: str, day, month, year) -> dt.date:
    try:
        value = dt.date(int(year), int(month), int(day))
    except ValueError:
        raise forms.ValidationError(f"{label} must be a real date") from None
    if not 1900 <= value.year <= 2100:
        raise forms.ValidationError(f"{label} must have a year between 1900 and 2100")
    return value


class UKDateField(DateInputField):
    """GOV.UK date input (day, month, year) with plain-English errors that name the field."""

    def __init__(self, *, label: str, **kwargs):
        super().__init__(label=label, **kwargs)
        self.error_messages["required"] = f"Enter the {label[0].lower()}{label[1:]}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"
        # A part left blank: "Date of the session must include a year" (GOV.UK date input).
        for part, field in zip(("day", "month", "year"), self.fields, strict=True):
            field.error_messages["incomplete"] = f"{label} must include a {part}"
            field.error_messages["required"] = f"{label} must include a {part}"

    def compress(self, data_list):
        day, month, year = data_list
        if day and month and year:
            return _real_date(self.label, day, month, year)
        return None


class ApproxDateField(UKDateField):
    """A date input whose day may be left blank when only the month is known ("April 2015")."""

    def __init__(self, *, label: str, **kwargs):
        kwargs.setdefault(
            "help_text", "For example, 27 3 2015. Leave the day blank if you only know the month."
        )
        super().__init__(label=label, require_all_fields=False, **kwargs)
        self.fields[0].required = False
        self.error_messages["incomplete"] = f"{label} must include a month and year"

    def compress(self, data_list):
        day, month, year = (list(data_list) + [None, None, None])[:3]
        if month and year:
            return ApproxDate(_real_date(self.label, day or 1, month, year), month_only=not day)
        return None


def agency_field(label: str = "Agency", kinds=None, **kwargs) -> forms.ModelChoiceField:
    queryset = Agency.objects.all()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return forms.ModelChoiceField(
        queryset=queryset, label=label, empty_label="Choose an agency", **kwargs
    )


def limit_length(field: forms.CharField, limit: int, name: str = "") -> forms.CharField:
    """At most `limit` characters: said in the hint and checked when the form is sent. No
    `maxlength` attribute: the browser would cut a pasted note short without saying so
    (GOV.UK's character count advice). The models refuse longer text too.

    `name` starts the error ("Summary must be ..."); by default the label without "(optional)".
    """
    field.help_text = " ".join(filter(None, [str(field.help_text), f"Up to {limit:,} characters."]))
    name = name or re.sub(r"\s*\(.*\)$", "", str(field.label))
    field.validators.append(
        MaxLengthValidator(limit, message=f"{name} must be {limit:,} characters or less")
    )
    return field


class LoggedDateField(UKDateField):
    """When the agency wrote it into its own record (case notes, minutes, an email): not when
    it is typed into casereview. Today unless changed (a blank date is today too); the model
    refuses a date in the future or before the date it happened
    (referrals.models.CaseRecord.clean)."""

    def compress(self, data_list):
        if not any(data_list or ()):
            return timezone.localdate()
        return super().compress(data_list)


def logged_field() -> UKDateField:
    return LoggedDateField(
        label="Date it was logged",
        required=False,
        require_all_fields=False,
        help_text=(
            "When it was written into the agency's own record (case notes, minutes, an email), "
            "for example 4 12 2016. Leave today's date if it is being written now."
        ),
        initial=timezone.localdate,
    )


def late_reason_field() -> forms.CharField:
    field = forms.CharField(
        label="Reason for logging late (if it applies)",
        help_text=f"Needed when this is logged more than {settings.LATE_LOGGING_DAYS} days after it happened.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    return limit_length(field, REASON_MAX_LENGTH)


def text_area(
    label: str,
    *,
    required: bool = True,
    rows: int = 4,
    help_text: str = "",
    required_message: str = "",
    max_length: int = TEXT_MAX_LENGTH,
    name: str = "",
) -> forms.CharField:
    field = forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    if required_message:
        field.error_messages["required"] = required_message
    return limit_length(field, max_length, name)


def source_field(
    help_text: str = "The document it comes from, for example 'Channel minutes 12/03'.",
) -> forms.CharField:
    return forms.CharField(
        label=f"Source (needed if logged more than {settings.LATE_LOGGING_DAYS} days ago)",
        required=False,
        max_length=255,
        help_text=help_text
        + " Needed when you copy in something logged more than "
        + f"{settings.LATE_LOGGING_DAYS} days ago; otherwise optional.",
    )


class RecordForm(GovForm):
    """What every chronology record asks for. Subclasses add their own fields."""

    occurred = ApproxDateField(label="Date it happened")
    agency = agency_field()
    summary = text_area("Summary")
    logged = logged_field()
    source = source_field()
    late_reason = late_reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        place_logged_after_occurred(self)

    def record_fields(self) -> dict:
        """The keyword arguments every service takes for the shared record fields."""
        data = self.cleaned_data
        return {
            "agency": data["agency"],
            "occurred_on": data["occurred"].value,
            "month_only": data["occurred"].month_only,
            "logged_on": data["logged"],
            "summary": data["summary"],
            "source": data["source"],
            "late_reason": data["late_reason"],
        }


def place_logged_after_occurred(form: forms.Form) -> None:
    """ "Date it was logged" straight after the date it happened, whatever the field order."""
    names = list(form.fields)
    if "logged" in names:
        names.remove("logged")
        date = next((n for n in ("occurred", "received", "conducted") if n in names), None)
        names.insert(names.index(date) + 1 if date else 0, "logged")
        form.fields = {name: form.fields[name] for name in names}


class ReferralForm(GovForm):
    person_name = forms.CharField(label="Name of the person referred", max_length=200)
    date_of_birth = UKDateField(
        label="Date of birth (optional)", required=False, help_text="For example, 3 6 1997"
    )
    referring_agency = agency_field("Referring agency")
    referrer_name = forms.CharField(
        label="Name of the referrer (optional)", required=False, max_length=200
    )
    referrer_email = forms.EmailField(
        label="Referrer's email address (optional)",
        required=False,
        max_length=254,
        help_text="The referrer is emailed the outcome: the case reference and date only.",
    )
    received = ApproxDateField(label="Date the referral was received")
    logged = logged_field()
    concerns = text_area("Concerns", rows=5)
    source = source_field("For example, the referral form's reference.")
    late_reason = late_reason_field()


def restricted_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Restrict to the recording agency (for example, police-only information)",
        required=False,
        # Who sees a restricted note: referrals.access.sees_record.
        help_text=(
            "Other agencies on the case and the intervention provider will not see it. "
            "Your agency, administrators and inquiry reviewers given access to this case will."
        ),
    )


class ContactForm(RecordForm):
    kind = forms.ChoiceField(
        label="Type of contact", choices=Contact.Kind.choices, widget=forms.RadioSelect
    )
    with_whom = forms.CharField(label="With whom (optional)", required=False, max_length=200)
    restricted = restricted_field()
    field_order = [
        "kind",
        "occurred",
        "agency",
        "with_whom",
        "summary",
        "source",
        "restricted",
        "late_reason",
    ]


class NoteForm(RecordForm):
    restricted = restricted_field()


class OwnerForm(GovForm):
    new_owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True)
        .exclude(role__in=[User.Role.INQUIRY, User.Role.PROVIDER])
        .select_related("agency"),
        label="New accountable owner",
        empty_label="Choose a person",
    )
    reason = text_area(
        "Reason for the change",
        rows=2,
        required_message="Give the reason for the change",
        max_length=REASON_MAX_LENGTH,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConsentForm(GovForm):
    consent = forms.ChoiceField(
        label="Consent to Channel support",
        choices=[c for c in Case.Consent.choices if c[0] != Case.Consent.NOT_ASKED],
        widget=forms.RadioSelect,
    )
    consent_on = UKDateField(label="Date of the decision")
    version = forms.IntegerField(widget=forms.HiddenInput)


class VoidForm(GovForm):
    reason = text_area(
        "Why is this record being voided?",
        rows=3,
        help_text="The record stays in the case history, marked as void.",
        required_message="Give the reason for voiding this record",
        max_length=REASON_MAX_LENGTH,
        name="The reason",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseSearchForm(GovForm):
    SORTS = {
        "newest": ("-referred_on", "Newest referral first"),
        "oldest": ("referred_on", "Oldest referral first"),
        "reference": ("reference", "Reference"),
        "name": ("person__display_name", "Name"),
    }

    q = forms.CharField(label="Reference or name", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Case.Status.choices]
    )
    agency = forms.ModelChoiceField(
        label="Lead agency", required=False, queryset=Agency.objects.all(), empty_label="Any agency"
    )
    owner = forms.ModelChoiceField(
        label="Owner",
        required=False,
        empty_label="Anyone",
        queryset=User.objects.filter(is_active=True).exclude(
            role__in=[User.Role.INQUIRY, User.Role.PROVIDER]
        ),
    )
    risk = forms.ChoiceField(
        label="Risk",
        required=False,
        choices=[("", "Any risk"), *Case._meta.get_field("risk_level").choices],
    )
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(k, v[1]) for k, v in SORTS.items()]
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.role != User.Role.ADMIN:
            # Colleagues only: a national list of every caseworker is no use in a dropdown.
            owners = self.fields["owner"]
            owners.queryset = owners.queryset.filter(agency_id=user.agency_id)
            owners.help_text = "Someone in your agency."


class AccessGrantForm(GovForm):
    """An administrator gives an inquiry reviewer read-only access to one case."""

    case = forms.CharField(
        label="Case",
        max_length=200,
        help_text="The case reference (for example CR-2015-00007) or the referred person's name.",
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role=User.Role.INQUIRY).select_related(
            "agency"
        ),
        label="Inquiry reviewer",
        empty_label="Choose a reviewer",
    )
    reason = text_area(
        "Why they need access",
        rows=3,
        help_text="For example, the terms of reference of the review.",
        required_message="Give the reason for the access",
        max_length=REASON_MAX_LENGTH,
    )
    ends_on = UKDateField(label="Last day of access", help_text="For example, 31 3 2027")

    def clean_case(self):
        text = self.cleaned_data["case"].strip()
        by_reference = Case.objects.filter(reference__iexact=text).select_related("person")
        cases = list(by_reference) or list(
            Case.objects.filter(person__display_name__icontains=text).select_related("person")[:6]
        )
        if not cases:
            raise forms.ValidationError(f"No case has the reference or person's name '{text}'.")
        if len(cases) > 1:
            listed = ", ".join(f"{c.reference} ({c.person.display_name})" for c in cases[:5])
            raise forms.ValidationError(
                f"More than one case matches '{text}': {listed}. Enter the case reference."
            )
        return cases[0]
