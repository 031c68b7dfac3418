"""Case findings (reviews/chronology/findings.py) against chronology-format.md, "Findings"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from casereview.timerules import TimeRules
from casereview.ukdates import uk_date
from reviews.chronology.entries import Entry
from reviews.chronology.findings import (
    Finding,
    compute_findings,
    findings_document,
    known_as_of,
)

DEFAULTS = TimeRules(ongoing_stale_days=28, review_grace_days=14, late_logging_days=7)
FAR_FUTURE = dt.date(2030, 1, 1)


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def entry(
    entry_type: str,
    occurred: str,
    logged: str | None = None,
    agency: str = "Channel panel",
    key: str | None = None,
    **fields,
) -> Entry:
    """An Entry as the contract's CSV row would give it: `occurred` is `YYYY-MM-DD` or
    `YYYY-MM` (month only); a blank `logged` is the same day (the month's end)."""
    month_only = len(occurred) == 7
    occurred_on = d(occurred + "-01" if month_only else occurred)
    made = Entry(
        case_ref="CR-1",
        agency=agency,
        entry_type=entry_type,
        occurred_on=occurred_on,
        logged_on=occurred_on,
        summary=f"{entry_type} {occurred}",
        month_only=month_only,
        record_key=key or f"{entry_type}@{occurred}",
        **fields,
    )
    logged_on = d(logged) if logged else made.date
    return dataclasses.replace(made, logged_on=logged_on)


def findings(entries, as_of=FAR_FUTURE, rules=DEFAULTS) -> list[Finding]:
    return compute_findings(
        entries, as_of=d(as_of) if isinstance(as_of, str) else as_of, rules=rules
    )


def summary(entries, as_of=FAR_FUTURE, rules=DEFAULTS, code=None) -> list[tuple]:
    """(code, date, agency) of each finding, optionally of one code only."""
    return [
        (f.code, f.date.isoformat(), f.agency)
        for f in findings(entries, as_of, rules)
        if code is None or f.code == code
    ]


def beliefs(entries, as_of=FAR_FUTURE, rules=DEFAULTS) -> list[tuple]:
    """BELIEF_EXCEEDS_RECORD only (sessions without a briefing raise their own finding)."""
    return summary(entries, as_of, rules, code="BELIEF_EXCEEDS_RECORD")


def codes(entries, as_of=FAR_FUTURE, rules=DEFAULTS) -> list[str]:
    return [f.code for f in findings(entries, as_of, rules)]


def only(entries, code, as_of=FAR_FUTURE, rules=DEFAULTS) -> Finding:
    (found,) = [f for f in findings(entries, as_of, rules) if f.code == code]
    return found


# --- BELIEF_EXCEEDS_RECORD -------------------------------------------------------------


def test_belief_more_sessions_than_held():
    entries = [
        entry("session_held", "2015-03-10", agency="Intervention provider", key="s1"),
        entry("agency_account", "2015-06-03", agency="Police", key="a1", sessions_believed=4),
    ]
    found = only(entries, "BELIEF_EXCEEDS_RECORD")
    assert (found.date, found.agency) == (d("2015-06-03"), "Police")
    assert (
        found.message
        == "Police believed 4 sessions had been held by 3 June 2015, but 1 was recorded."
    )
    assert found.entry_keys == ("a1", "s1")


def test_belief_matching_the_record_or_silent_is_not_a_finding():
    held = entry("session_held", "2015-03-10")
    assert beliefs([held, entry("agency_account", "2015-06-03", sessions_believed=1)]) == []
    assert beliefs([held, entry("agency_account", "2015-06-03", sessions_believed=0)]) == []
    assert beliefs([entry("agency_account", "2015-06-03", sessions_believed=0)]) == []
    assert beliefs([entry("agency_account", "2015-06-03")]) == []
    assert beliefs([entry("agency_account", "2015-06-03", believed_status="not_started")]) == []


def test_belief_only_counts_sessions_held_on_or_before_the_account():
    account = entry("agency_account", "2015-06-03", agency="Police", sessions_believed=1)
    same_day = entry("session_held", "2015-06-03")
    next_day = entry("session_held", "2015-06-04")
    assert beliefs([same_day, account]) == []
    assert beliefs([next_day, account]) == [("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police")]
    assert only([next_day, account], "BELIEF_EXCEEDS_RECORD").message.endswith(
        "but none was recorded."
    )


def test_belief_session_logged_after_the_account_still_counts_once_known():
    held = entry("session_held", "2015-05-01", logged="2015-07-01", late_reason="IT issue")
    account = entry("agency_account", "2015-06-03", agency="Police", sessions_believed=1)
    # Known: the account was right about what had happened.
    assert beliefs([held, account], as_of="2015-07-01") == []
    # Not yet logged on the as-of date: the record as it stood shows no session.
    assert beliefs([held, account], as_of="2015-06-30") == [
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police")
    ]


@pytest.mark.parametrize(
    ("held_on", "raised"),
    [
        ("2015-04-29", False),  # same day as the account
        ("2015-04-01", False),  # exactly ONGOING_STALE_DAYS (28) before: still recent
        ("2015-03-31", True),  # 29 days before: stale
        ("2015-04-30", True),  # only after the account
    ],
)
def test_belief_ongoing_stale_boundary(held_on, raised):
    entries = [
        entry("session_held", held_on),
        entry("agency_account", "2015-04-29", agency="Police", believed_status="ongoing"),
    ]
    expected = [("BELIEF_EXCEEDS_RECORD", "2015-04-29", "Police")] if raised else []
    assert beliefs(entries) == expected


def test_belief_ongoing_threshold_comes_from_thresholds():
    entries = [
        entry("session_held", "2015-04-01"),
        entry("agency_account", "2015-04-29", believed_status="ongoing"),
    ]
    assert beliefs(entries, rules=TimeRules(ongoing_stale_days=27)) == [
        ("BELIEF_EXCEEDS_RECORD", "2015-04-29", "Channel panel")
    ]
    assert beliefs(entries, rules=TimeRules(ongoing_stale_days=28)) == []


def test_belief_ongoing_with_a_session_planned_after_the_account():
    account = entry("agency_account", "2015-04-29", agency="Police", believed_status="ongoing")
    planned_after = entry("session_planned", "2015-05-06", logged="2015-04-20")
    planned_same_day = entry("session_planned", "2015-04-29", logged="2015-04-20")
    assert beliefs([entry("session_held", "2015-01-10"), planned_after, account]) == []
    assert beliefs([planned_same_day, account]) == [
        ("BELIEF_EXCEEDS_RECORD", "2015-04-29", "Police")
    ]
    assert beliefs([account]) == [("BELIEF_EXCEEDS_RECORD", "2015-04-29", "Police")]
    assert only([account], "BELIEF_EXCEEDS_RECORD").message == (
        "Police believed the intervention was ongoing on 29 April 2015, but no session was "
        "recorded in the 28 days up to that day and none was planned after."
    )
    month = entry("agency_account", "2015-07", agency="Police", believed_status="ongoing")
    assert only([month], "BELIEF_EXCEEDS_RECORD").message == (
        "Police believed the intervention was ongoing in July 2015, but no session was "
        "recorded in the 28 days up to the end of that month and none was planned after."
    )


def test_belief_completed_without_any_session_held_by_then():
    account = entry("agency_account", "2015-06-03", agency="Police", believed_status="completed")
    assert only([account], "BELIEF_EXCEEDS_RECORD").message == (
        "Police believed the intervention was completed by 3 June 2015, "
        "but no session had been recorded as held."
    )
    assert beliefs([account]) == [("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police")]
    assert beliefs([entry("session_held", "2015-06-10"), account]) == [
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police")
    ]
    assert beliefs([entry("session_held", "2015-02-10"), account]) == []


def test_belief_at_most_one_finding_per_account():
    entries = [
        entry(
            "agency_account",
            "2015-06-03",
            agency="Police",
            sessions_believed=3,
            believed_status="ongoing",
        ),
        entry(
            "agency_account", "2015-06-03", agency="Local authority", believed_status="completed"
        ),
    ]
    assert beliefs(entries) == [
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police"),
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Local authority"),
    ]


def test_month_only_account_counts_as_the_last_day_of_the_month():
    held = entry("session_held", "2015-04-20")
    assert beliefs([held, entry("agency_account", "2015-04", sessions_believed=1)]) == []
    account = entry("agency_account", "2015-04", agency="Police", sessions_believed=2)
    found = only([held, account], "BELIEF_EXCEEDS_RECORD")
    assert found.date == d("2015-04-30")
    assert (
        found.message
        == "Police believed 2 sessions had been held by April 2015, but 1 was recorded."
    )


def test_month_only_session_counts_as_the_last_day_of_the_month():
    held = entry("session_held", "2015-04")
    account = entry("agency_account", "2015-04-20", agency="Police", sessions_believed=1)
    assert beliefs([held, account]) == [("BELIEF_EXCEEDS_RECORD", "2015-04-20", "Police")]
    assert beliefs([held, entry("agency_account", "2015-04-30", sessions_believed=1)]) == []


# --- NO_WRITTEN_BRIEFING ---------------------------------------------------------------


def test_no_written_briefing_raised_once_at_the_first_unbriefed_session():
    entries = [
        entry("session_held", "2015-04-10", agency="Intervention provider", key="s2"),
        entry("session_held", "2015-03-10", agency="Intervention provider", key="s1"),
    ]
    found = only(entries, "NO_WRITTEN_BRIEFING")
    assert (found.date, found.agency, found.entry_keys) == (
        d("2015-03-10"),
        "Intervention provider",
        ("s1",),
    )
    assert found.message == (
        "Intervention provider held a session on 10 March 2015 with no written briefing "
        "issued on or before that day."
    )


def test_no_written_briefing_briefing_on_or_before_the_session():
    session = entry("session_held", "2015-03-10", agency="Intervention provider")
    assert codes([entry("briefing_issued", "2015-03-10"), session]) == []
    assert codes([entry("briefing_issued", "2015-03-01"), session]) == []
    assert summary([entry("briefing_issued", "2015-03-11"), session]) == [
        ("NO_WRITTEN_BRIEFING", "2015-03-10", "Intervention provider")
    ]
    assert codes([entry("briefing_issued", "2015-03-01")]) == []


def test_no_written_briefing_briefing_between_sessions_leaves_the_first():
    entries = [
        entry("session_held", "2015-03-10", agency="Intervention provider"),
        entry("briefing_issued", "2015-03-20"),
        entry("session_held", "2015-04-10", agency="Intervention provider"),
    ]
    assert summary(entries) == [("NO_WRITTEN_BRIEFING", "2015-03-10", "Intervention provider")]


# --- REVIEW_MISSED / REVIEW_LATE -------------------------------------------------------


@pytest.mark.parametrize(
    ("exited", "six_month_due"),
    [
        ("2015-08-31", "2016-02-29"),  # leap year
        ("2014-08-31", "2015-02-28"),
        ("2015-01-15", "2015-07-15"),
    ],
)
def test_review_missed_due_same_day_or_month_end(exited, six_month_due):
    exit_ = entry("case_exited", exited, key="exit")
    found = only([exit_], "REVIEW_MISSED", as_of=d(six_month_due) + dt.timedelta(days=15))
    assert (found.date, found.agency, found.entry_keys) == (d(six_month_due), None, ("exit",))


def test_review_missed_message():
    found = only([entry("case_exited", "2015-08-31")], "REVIEW_MISSED", as_of="2016-04-01")
    assert found.message == (
        "The 6-month review was due on 29 February 2016 (the case was exited on "
        "31 August 2015), but none had been recorded by 1 April 2016."
    )


@pytest.mark.parametrize(("as_of", "raised"), [("2015-07-29", False), ("2015-07-30", True)])
def test_review_missed_grace_boundary(as_of, raised):
    # Exited 15 January: 6-month review due 15 July, grace 14 days runs to 29 July.
    entries = [entry("case_exited", "2015-01-15")]
    assert summary(entries, as_of=as_of) == (
        [("REVIEW_MISSED", "2015-07-15", None)] if raised else []
    )


def test_review_missed_not_raised_when_a_review_of_that_kind_is_known():
    entries = [
        entry("case_exited", "2015-01-15"),
        entry("review_conducted", "2015-07-10", review_kind="6_month"),
    ]
    assert summary(entries, as_of="2016-01-29") == []
    # The 12-month review: due 15 January 2016, missed once the grace has passed.
    assert summary(entries, as_of="2016-01-30") == [("REVIEW_MISSED", "2016-01-15", None)]


def test_review_of_the_other_kind_does_not_count():
    entries = [
        entry("case_exited", "2015-01-15"),
        entry("review_conducted", "2015-07-10", review_kind="12_month"),
    ]
    assert summary(entries, as_of="2015-08-01") == [("REVIEW_MISSED", "2015-07-15", None)]


@pytest.mark.parametrize(("conducted", "late"), [("2015-07-29", False), ("2015-07-30", True)])
def test_review_late_grace_boundary(conducted, late):
    entries = [
        entry("case_exited", "2015-01-15"),
        entry("review_conducted", conducted, agency="Local authority", review_kind="6_month"),
    ]
    expected = [("REVIEW_LATE", conducted, "Local authority")] if late else []
    assert summary(entries, as_of="2015-12-01") == expected


def test_review_late_twelve_month():
    entries = [
        entry("case_exited", "2015-08-31", key="exit"),
        entry("review_conducted", "2016-02-20", review_kind="6_month"),
        entry(
            "review_conducted",
            "2017-02-28",
            agency="Local authority",
            key="r12",
            review_kind="12_month",
        ),
    ]
    found = only(entries, "REVIEW_LATE", as_of="2017-03-01")
    assert (found.date, found.agency, found.entry_keys) == (
        d("2017-02-28"),
        "Local authority",
        ("r12", "exit"),
    )
    assert found.message == (
        "Local authority held the 12-month review on 28 February 2017, 181 days after it was "
        "due on 31 August 2016 (the case was exited on 31 August 2015)."
    )
    assert codes(entries, as_of="2017-03-01") == ["REVIEW_LATE"]


def test_review_without_an_exit_or_without_a_kind_is_not_judged():
    assert codes([entry("review_conducted", "2016-02-20", review_kind="6_month")]) == []
    entries = [entry("case_exited", "2015-01-15"), entry("review_conducted", "2016-02-20")]
    assert "REVIEW_LATE" not in codes(entries)


def test_re_exit_restarts_the_schedule():
    entries = [
        entry("case_exited", "2015-01-15"),
        entry("review_conducted", "2015-07-10", review_kind="6_month"),
        entry("case_exited", "2015-09-01", key="exit2"),
    ]
    # The first exit's 12-month review (due 15 January 2016) is no longer asked for;
    # the 6-month review before the re-exit does not satisfy the new schedule.
    assert summary(entries, as_of="2016-03-15") == []
    found = only(entries, "REVIEW_MISSED", as_of="2016-03-16")
    assert (found.date, found.entry_keys) == (d("2016-03-01"), ("exit2",))
    # A review after the re-exit is judged against the new due date (1 March 2016).
    on_time = [*entries, entry("review_conducted", "2016-03-10", review_kind="6_month")]
    assert summary(on_time, as_of="2016-04-01") == []


def test_review_on_the_day_of_a_re_exit_belongs_to_the_earlier_exit():
    entries = [
        entry("case_exited", "2015-01-15"),
        entry("review_conducted", "2015-07-10", review_kind="6_month"),
        entry("review_conducted", "2016-01-15", review_kind="12_month"),  # on time
        entry("case_exited", "2016-01-15"),
    ]
    assert summary(entries, as_of="2017-02-01") == [
        ("REVIEW_MISSED", "2016-07-15", None),
        ("REVIEW_MISSED", "2017-01-15", None),
    ]


def test_review_logged_late_is_missed_until_it_is_logged_then_late():
    entries = [
        entry("case_exited", "2015-01-15"),
        entry(
            "review_conducted",
            "2015-09-01",
            logged="2015-10-01",
            agency="Police",
            review_kind="6_month",
            late_reason="IT issue",
        ),
    ]
    assert summary(entries, as_of="2015-09-30") == [("REVIEW_MISSED", "2015-07-15", None)]
    assert summary(entries, as_of="2015-10-01") == [
        ("REVIEW_LATE", "2015-09-01", "Police"),
        ("LOGGED_LATE", "2015-10-01", "Police"),
    ]


# --- LOGGED_LATE -----------------------------------------------------------------------


@pytest.mark.parametrize(("logged", "late"), [("2015-03-08", False), ("2015-03-09", True)])
def test_logged_late_boundary(logged, late):
    entries = [
        entry("contact", "2015-03-01", logged=logged, agency="Police", late_reason="IT issue")
    ]
    assert summary(entries) == ([("LOGGED_LATE", logged, "Police")] if late else [])


def test_logged_late_message_and_keys():
    late = entry(
        "session_held",
        "2015-03-01",
        logged="2015-03-20",
        agency="Intervention provider",
        key="s1",
        late_reason="IT issue",
    )
    found = only([entry("briefing_issued", "2015-02-01"), late], "LOGGED_LATE")
    assert found.entry_keys == ("s1",)
    assert found.message == (
        "Intervention provider’s record of the session held on 1 March 2015 was logged on "
        "20 March 2015, 19 days later. Reason given: IT issue."
    )
    no_reason = entry("note", "2015-03-01", logged="2015-03-20")
    assert only([no_reason], "LOGGED_LATE").message.endswith("19 days later.")


def test_logged_late_threshold_comes_from_thresholds():
    entries = [entry("contact", "2015-03-01", logged="2015-03-09")]
    assert codes(entries, rules=TimeRules(late_logging_days=8)) == []


def test_session_planned_logged_in_advance_is_never_late():
    entries = [entry("session_planned", "2015-05-20", logged="2015-04-01")]
    assert codes(entries) == []


@pytest.mark.parametrize(
    ("logged", "late"), [("2015-04-03", False), ("2015-05-07", False), ("2015-05-08", True)]
)
def test_logged_late_month_only_counts_from_the_month_end(logged, late):
    entries = [entry("agency_account", "2015-04", logged=logged, agency="Police")]
    assert summary(entries) == ([("LOGGED_LATE", logged, "Police")] if late else [])
    if late:
        assert only(entries, "LOGGED_LATE").message == (
            "Police’s record of the agency account in April 2015 was logged on 8 May 2015, "
            "8 days after the end of that month."
        )


def test_month_only_blank_logged_is_the_month_end_and_not_late():
    assert entry("note", "2015-04").logged_on == d("2015-04-30")
    assert codes([entry("note", "2015-04")]) == []


# --- EXITED_WITHOUT_SESSION ------------------------------------------------------------


def test_exited_without_session_after_a_provider_was_commissioned():
    entries = [
        entry("ip_assigned", "2015-02-10"),
        entry("case_exited", "2015-08-31", agency="Channel panel", key="exit"),
    ]
    found = only(entries, "EXITED_WITHOUT_SESSION", as_of="2015-09-01")
    assert (found.date, found.agency, found.entry_keys) == (
        d("2015-08-31"),
        "Channel panel",
        ("exit",),
    )
    assert found.message == (
        "Channel panel exited the case on 31 August 2015 after an intervention provider was "
        "commissioned, but no session had been held."
    )


def test_exited_without_session_negatives():
    exit_ = entry("case_exited", "2015-08-31")
    assigned = entry("ip_assigned", "2015-02-10")
    briefed = entry("briefing_issued", "2015-02-11")
    as_of = "2015-09-01"
    assert codes([exit_], as_of=as_of) == []  # no provider was commissioned
    assert codes([entry("ip_assigned", "2015-09-01"), exit_], as_of=as_of) == []  # only after
    assert codes([assigned, briefed, entry("session_held", "2015-08-31"), exit_], as_of=as_of) == []
    assert codes([assigned, briefed, entry("session_held", "2015-09-01"), exit_], as_of=as_of) == [
        "EXITED_WITHOUT_SESSION"
    ]


def test_exited_without_session_each_exit_and_as_of():
    assigned = entry("ip_assigned", "2015-02-10")
    first, second = entry("case_exited", "2015-03-31"), entry("case_exited", "2015-06-30")
    # A session dated before the first exit but logged only after it.
    held = entry("session_held", "2015-03-20", logged="2015-05-01")
    briefed = entry("briefing_issued", "2015-02-11")
    assert summary([assigned, first, second], code="EXITED_WITHOUT_SESSION") == [
        ("EXITED_WITHOUT_SESSION", "2015-03-31", "Channel panel"),
        ("EXITED_WITHOUT_SESSION", "2015-06-30", "Channel panel"),
    ]
    entries = [assigned, briefed, first, held, second]
    # Before the session was logged the record showed none held before the first exit.
    assert summary(entries, as_of="2015-04-30") == [
        ("EXITED_WITHOUT_SESSION", "2015-03-31", "Channel panel")
    ]
    assert summary(entries, as_of="2015-07-01", code="EXITED_WITHOUT_SESSION") == []


def test_uk_date():
    assert uk_date(d("2015-03-12")) == "12 March 2015"
    assert uk_date(d("2016-02-01")) == "1 February 2016"


# --- as-of, ordering, rules, document ---------------------------------------------


def test_known_as_of_includes_entries_logged_that_day():
    on_day = entry("note", "2015-03-01", logged="2015-03-05")
    later = entry("note", "2015-03-02", logged="2015-03-06")
    assert known_as_of([later, on_day], d("2015-03-05")) == [on_day]
    assert known_as_of([later, on_day], d("2015-03-06")) == [later, on_day]


def test_voided_entries_are_ignored():
    held = dataclasses.replace(entry("session_held", "2015-03-10"), voided=True)
    assert codes([held, entry("agency_account", "2015-06-03", sessions_believed=1)]) == [
        "BELIEF_EXCEEDS_RECORD"
    ]


def test_sorted_by_date_then_code_then_entry_order():
    entries = [
        entry("case_exited", "2015-03-10", agency="Channel panel"),
        entry("session_held", "2015-03-10", agency="Intervention provider"),
        entry("note", "2015-02-01", logged="2015-03-10", agency="Police", key="n1"),
        entry("agency_account", "2015-03-10", agency="Police", sessions_believed=5),
        entry("agency_account", "2015-03-10", agency="Local authority", sessions_believed=5),
        entry("note", "2015-01-01", logged="2015-03-10", agency="Police", key="n0"),
        entry("ip_assigned", "2015-01-20"),
        entry("agency_account", "2015-01-30", agency="Police", believed_status="completed"),
    ]
    found = findings(entries, as_of="2015-03-31")
    assert [(f.date.isoformat(), f.code, f.agency) for f in found] == [
        ("2015-01-30", "BELIEF_EXCEEDS_RECORD", "Police"),
        ("2015-03-10", "BELIEF_EXCEEDS_RECORD", "Police"),
        ("2015-03-10", "BELIEF_EXCEEDS_RECORD", "Local authority"),
        ("2015-03-10", "LOGGED_LATE", "Police"),
        ("2015-03-10", "LOGGED_LATE", "Police"),
        ("2015-03-10", "NO_WRITTEN_BRIEFING", "Intervention provider"),
    ]
    assert [f.entry_keys for f in found if f.code == "LOGGED_LATE"] == [("n1",), ("n0",)]


def test_findings_document_shape():
    entries = [
        entry("ip_assigned", "2015-02-10"),
        entry("case_exited", "2015-08-31", agency="Channel panel"),
    ]
    as_of = d("2016-03-15")
    document = findings_document("CR-1", as_of, findings(entries, as_of=as_of))
    assert json.loads(json.dumps(document)) == {
        "case_ref": "CR-1",
        "as_of": "2016-03-15",
        "findings": [
            {
                "code": "EXITED_WITHOUT_SESSION",
                "date": "2015-08-31",
                "agency": "Channel panel",
                "message": "Channel panel exited the case on 31 August 2015 after an intervention "
                "provider was commissioned, but no session had been held.",
            },
            {
                "code": "REVIEW_MISSED",
                "date": "2016-02-29",
                "agency": None,
                "message": "The 6-month review was due on 29 February 2016 (the case was exited "
                "on 31 August 2015), but none had been recorded by 15 March 2016.",
            },
        ],
    }
    assert findings_document("CR-2", as_of, []) == {
        "case_ref": "CR-2",
        "as_of": "2016-03-15",
        "findings": [],
    }


def test_time_rules_from_settings(settings):
    settings.ONGOING_STALE_DAYS = 10
    settings.REVIEW_GRACE_DAYS = 3
    settings.LATE_LOGGING_DAYS = 1
    assert TimeRules.current() == TimeRules(
        ongoing_stale_days=10, review_grace_days=3, late_logging_days=1
    )
    # Without explicit rules, compute_findings uses the settings.
    late = [entry("note", "2015-03-01", logged="2015-03-03")]
    assert compute_findings(late, as_of=FAR_FUTURE) == findings(
        late, rules=TimeRules(ongoing_stale_days=10, review_grace_days=3, late_logging_days=1)
    )
    assert codes(late) == []


# --- the motivating case ---------------------------------------------------------------


def motivating_case() -> list[Entry]:
    """One session held; Police believed four by June, the local authority believed the
    intervention still ongoing in "late July"; no written briefing; exited end of August;
    the 6-month review never held; the 12-month review held six months late and logged
    three weeks after that, "IT issue"."""
    return [
        entry("referral", "2015-01-05", agency="Police"),
        entry("panel_meeting", "2015-01-20"),
        entry("case_adopted", "2015-01-20"),
        entry("ip_assigned", "2015-02-10"),
        entry("session_planned", "2015-03-10", logged="2015-03-01", agency="Intervention provider"),
        entry("session_held", "2015-03-10", agency="Intervention provider"),
        entry("agency_account", "2015-06-03", agency="Police", sessions_believed=4),
        entry("agency_account", "2015-07", agency="Local authority", believed_status="ongoing"),
        entry("case_exited", "2015-08-31"),
        entry(
            "review_conducted",
            "2017-02-28",
            logged="2017-03-20",
            agency="Local authority",
            review_kind="12_month",
            late_reason="IT issue",
        ),
    ]


def test_motivating_case():
    assert summary(motivating_case(), as_of="2017-06-01") == [
        ("NO_WRITTEN_BRIEFING", "2015-03-10", "Intervention provider"),
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police"),
        ("BELIEF_EXCEEDS_RECORD", "2015-07-31", "Local authority"),
        ("REVIEW_MISSED", "2016-02-29", None),
        ("REVIEW_LATE", "2017-02-28", "Local authority"),
        ("LOGGED_LATE", "2017-03-20", "Local authority"),
    ]


def test_motivating_case_before_the_late_review_was_logged():
    assert summary(motivating_case(), as_of="2017-03-19") == [
        ("NO_WRITTEN_BRIEFING", "2015-03-10", "Intervention provider"),
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police"),
        ("BELIEF_EXCEEDS_RECORD", "2015-07-31", "Local authority"),
        ("REVIEW_MISSED", "2016-02-29", None),
        ("REVIEW_MISSED", "2016-08-31", None),
    ]
    # Before the exit was known, nothing about reviews.
    assert summary(motivating_case(), as_of="2015-08-30") == [
        ("NO_WRITTEN_BRIEFING", "2015-03-10", "Intervention provider"),
        ("BELIEF_EXCEEDS_RECORD", "2015-06-03", "Police"),
        ("BELIEF_EXCEEDS_RECORD", "2015-07-31", "Local authority"),
    ]
