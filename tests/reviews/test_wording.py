"""Every finding and every form error, as people read them: no code, no invented day, no slip.

The published case read "exited on April 2015", "review.." and "Enter the date of session"
when a month and year were given; these tests render each finding for month-only and full
dates, and each record form's errors, and check the sentences.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from casereview.timerules import TimeRules
from referrals import forms as intake_forms
from reviews import forms as review_forms
from reviews.chronology.entries import Entry
from reviews.chronology.findings import FindingCode, compute_findings

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
SLIPS = [
    (re.compile(rf"\bon ({MONTHS}) \d{{4}}"), "'on' before a month-only date"),
    (re.compile(rf"\b1 ({MONTHS}) 2014"), "an invented first day"),
    (re.compile(r"\.\.|\s[,.]|,,"), "doubled or stray punctuation"),
    (re.compile(r"\b[A-Z]+_[A-Z_]+\b"), "a code instead of words"),
    (re.compile(r"\bNone\b|\bnull\b"), "a missing value"),
    (re.compile(r"This field is required"), "an error that does not name the field"),
]


def _entry(
    entry_type, occurred, *, month_only=False, logged=None, agency="Northshire Police", **kw
):
    day = dt.date.fromisoformat(occurred + ("-01" if month_only else ""))
    end = day.replace(day=28) + dt.timedelta(days=4)
    end -= dt.timedelta(days=end.day)
    return Entry(
        case_ref="CR-T-1",
        agency=agency,
        entry_type=entry_type,
        occurred_on=day,
        month_only=month_only,
        logged_on=dt.date.fromisoformat(logged) if logged else (end if month_only else day),
        summary="Words.",
        record_key=f"{entry_type}:{occurred}",
        **kw,
    )


def _story(month_only: bool) -> list[Entry]:
    """A case that raises every finding, its dates full or known only to the month."""
    m = month_only
    return [
        _entry("referral", "2014-10", month_only=True),
        _entry("ip_assigned", "2014-12" if m else "2014-12-03", month_only=m),
        _entry("session_held", "2015-01" if m else "2015-01-17", month_only=m),
        _entry(
            "agency_account", "2015-03" if m else "2015-03-12", month_only=m, sessions_believed=4
        ),
        _entry("agency_account", "2015-04-09", believed_status="ongoing"),
        _entry("agency_account", "2015-04-10", believed_status="completed", agency="Panel"),
        _entry("case_exited", "2015-04" if m else "2015-04-28", month_only=m),
        _entry(
            "review_conducted",
            "2016-10" if m else "2016-10-20",
            month_only=m,
            review_kind="12_month",
            logged="2016-12-04",
            late_reason="IT issue.",
            recorded_by="Casey Worker",
        ),
        _entry("case_exited", "2017-01" if m else "2017-01-05", month_only=m),
    ]


@pytest.mark.parametrize("month_only", [False, True], ids=["full dates", "month-only dates"])
def test_every_finding_reads_as_a_sentence(month_only):
    m, as_of = month_only, dt.date(2026, 11, 30)
    exited_quietly = [
        _entry("ip_assigned", "2015-02" if m else "2015-02-03", month_only=m),
        _entry("case_exited", "2015-06" if m else "2015-06-10", month_only=m),
    ]
    findings = compute_findings(_story(month_only), as_of=as_of, rules=TimeRules())
    findings += compute_findings(exited_quietly, as_of=as_of, rules=TimeRules())
    assert {f.code for f in findings} == set(FindingCode.values)
    for finding in findings:
        text = finding.message
        assert text[0].isupper() and text.endswith("."), text
        for pattern, slip in SLIPS:
            assert not pattern.search(text), f"{slip}: {text}"
        assert finding.label == FindingCode(finding.code).label
        assert not re.search(r"\d{1,2} \w+ \d{4}", finding.when) or not finding.month_only
    (late,) = [f for f in findings if f.code == "LOGGED_LATE"]
    # Whose record it is, and who logged it: not the typist's agency.
    assert late.message.startswith("Northshire Police’s record of the review conducted")
    assert "by Casey Worker" in late.message and late.message.endswith("Reason given: IT issue.")
    if month_only:
        dated = [f for f in findings if f.month_only]
        assert dated and all(re.fullmatch(rf"({MONTHS}) \d{{4}}", f.when) for f in dated)


RECORD_FORMS = [
    intake_forms.ReferralForm,
    intake_forms.ContactForm,
    intake_forms.NoteForm,
    review_forms.PanelMeetingForm,
    review_forms.AssignmentForm,
    review_forms.BriefingForm,
    review_forms.SessionForm,
    review_forms.SessionOutcomeForm,
    review_forms.AccountForm,
    review_forms.ExitForm,
    review_forms.ConductReviewForm,
]


def _errors(form) -> list[str]:
    return [str(message) for messages in form.errors.values() for message in messages]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", RECORD_FORMS, ids=lambda c: c.__name__)
def test_every_form_error_names_its_field(form_class):
    form = form_class(data={})
    assert not form.is_valid()
    for text in _errors(form):
        for pattern, slip in SLIPS:
            assert not pattern.search(text), f"{slip}: {text}"
        assert text[0].isupper(), text


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", RECORD_FORMS, ids=lambda c: c.__name__)
def test_a_month_and_year_is_a_whole_date_wherever_the_past_is_asked(form_class):
    """Every date it happened may be given as a month only; a month without a year is named."""
    date_field = next(
        (n for n in ("occurred", "received", "conducted") if n in form_class.base_fields), None
    )
    if date_field is None:
        assert form_class is review_forms.SessionOutcomeForm  # the session's date is set
        return
    month_only = form_class(data={f"{date_field}_1": "4", f"{date_field}_2": "2015"})
    month_only.is_valid()
    assert date_field not in month_only.errors, month_only.errors.get(date_field)
    no_year = form_class(data={f"{date_field}_1": "4"})
    no_year.is_valid()
    (message,) = no_year.errors[date_field]
    label = str(form_class.base_fields[date_field].label)
    assert message == f"{label} must include a year"


@pytest.mark.django_db
def test_the_logged_date_is_checked_with_a_sentence_naming_both_dates():
    from django.core.exceptions import ValidationError

    from referrals.models import CaseNote

    note = CaseNote(
        occurred_on=dt.date(2015, 4, 1),
        occurred_precision="month",
        logged_on=dt.date(2015, 3, 30),
        summary="Words.",
    )
    with pytest.raises(ValidationError) as caught:
        note.clean()
    assert caught.value.message_dict["logged_on"] == [
        "The date it was logged cannot be before the date it happened, April 2015."
    ]
    note.logged_on = dt.date(2999, 1, 1)
    with pytest.raises(ValidationError) as caught:
        note.clean()
    assert caught.value.message_dict["logged_on"] == [
        "The date it was logged cannot be in the future."
    ]
