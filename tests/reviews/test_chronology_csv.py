"""Chronology import and export through the contract (chronology-format.md)."""

import datetime as dt
import hashlib
import json
import re

import pytest
from django.core.management import CommandError, call_command

from referrals.models import Agency, Case
from reviews.chronology.csv_format import ImportRejected, export_csv, import_chronology
from reviews.chronology.findings import compute_findings
from reviews.chronology.query import entries_for_case
from reviews.models import (
    AgencyAccount,
    FollowUpReview,
    InterventionSession,
    QuestionAnswer,
    SessionConfirmation,
)
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = (
    "case_ref,subject,agency,entry_type,occurred_on,logged_on,summary,source,"
    "sessions_believed,believed_status,review_kind,risk_level,late_reason\n"
)
FAILURE = (
    HEADER
    + '''\
CR-T-1,Ellis Norbury,Police,referral,2015-01-12,,Referred by police,form PR/1,,,,,
CR-T-1,,Channel panel,panel_meeting,2015-02-10,2015-02-11,Panel met,minutes 10/02,,,,medium,
CR-T-1,,Channel panel,case_adopted,2015-02-10,2015-02-11,Adopted,minutes 10/02,,,,,
CR-T-1,,Intervention provider,ip_assigned,2015-02-20,,Provider commissioned,email,,,,,
CR-T-1,,Intervention provider,session_planned,2015-03-05,2015-02-25,First session arranged,diary,,,,,
CR-T-1,,Intervention provider,session_held,2015-03-05,2015-03-06,First session held,invoice,,,,,
CR-T-1,,Channel panel,agency_account,2015-05,,"Minutes: ""still ongoing with his IP""",minutes May,,ongoing,,,
CR-T-1,,Police,agency_account,2015-05-20,,How many sessions remain?,email from DS Fictional,4,,,,
CR-T-1,,Channel panel,case_exited,2015-07-14,,Exited very low risk,minutes 14/07,,,,very_low,
CR-T-1,,Local authority,review_conducted,2017-01-10,2017-03-20,12-month review held,review form,,,12_month,,IT issue
'''
)


def _sha(text: str) -> str:
    """The digest an import names its file by."""
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def importer():
    return factories.user("importer", role="admin")


def _import(text, user, name="failure.csv", owner=None):
    return import_chronology([(name, text.encode())], user=user, owner=owner or user, trusted=True)


def _codes(case, as_of):
    return [
        (f.code, f.date.isoformat()) for f in compute_findings(entries_for_case(case), as_of=as_of)
    ]


def test_import_creates_the_same_records_the_forms_create(importer):
    result = _import(FAILURE, importer)
    assert result.created == 10 and result.cases_created == ["CR-T-1"]
    case = Case.objects.get(reference="CR-T-1")
    assert case.person.display_name == "Ellis Norbury" and case.owner == importer
    session = InterventionSession.objects.get(case=case)
    assert session.status == "held" and session.plan_logged_on == dt.date(2015, 2, 25)
    account = AgencyAccount.objects.get(case=case, agency__name="Channel panel")
    assert account.occurred_precision == "month" and account.occurred_display == "May 2015"
    review = FollowUpReview.objects.get(case=case, kind="12_month")
    assert review.state == "held" and review.late_reason == "IT issue"
    reason = account.history.get().history_change_reason
    assert reason == f"imported from failure.csv (SHA-256 {_sha(FAILURE)}) by importer"
    assert account.history.get().history_user == importer
    assert _codes(case, dt.date(2026, 1, 1)) == [
        ("NO_WRITTEN_BRIEFING", "2015-03-05"),
        ("BELIEF_EXCEEDS_RECORD", "2015-05-20"),
        ("BELIEF_EXCEEDS_RECORD", "2015-05-31"),
        ("REVIEW_MISSED", "2016-01-14"),
        ("REVIEW_LATE", "2017-01-10"),
        ("LOGGED_LATE", "2017-03-20"),
    ]


def test_reimport_is_idempotent(importer):
    _import(FAILURE, importer)
    counts = (
        InterventionSession.objects.count(),
        AgencyAccount.objects.count(),
        Case.objects.count(),
    )
    again = _import(FAILURE, importer)
    assert again.created == 0 and again.skipped == 10
    assert (
        InterventionSession.objects.count(),
        AgencyAccount.objects.count(),
        Case.objects.count(),
    ) == counts


def test_every_bad_row_is_reported_and_nothing_is_saved(importer):
    bad = FAILURE + (
        "CR-T-1,,Police,agency_account,2015-13-01,,x,,,,,,\n"
        "CR-T-1,,Police,session_held,2015-06-01,2015-05-01,x,,,,,,\n"
        "CR-T-1,,Police,agency_account,2015-06-01,,x,,-2,maybe,,,\n"
        "CR-T-1,,Police,wizardry,2015-06-01,,x,,,,,,\n"
        "CR-T-1,,Police,review_conducted,2015-08-01,,x,,,,yearly,,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(bad, importer)
    assert rejected.value.errors == [
        "failure.csv: line 12, column occurred_on: '2015-13-01' is not a date (YYYY-MM-DD or YYYY-MM)",
        "failure.csv: line 13, column logged_on: 2015-05-01 is before occurred_on 2015-06-01; "
        "only a session_planned may be logged in advance",
        "failure.csv: line 14, column sessions_believed: '-2' is not a whole number of 0 or more",
        "failure.csv: line 14, column believed_status: 'maybe' is not one of not_started, ongoing, completed",
        "failure.csv: line 15, column entry_type: 'wizardry' is not an entry type (referral, panel_meeting, "
        "case_adopted, ip_assigned, briefing_issued, session_planned, session_held, session_cancelled, "
        "agency_account, case_exited, review_conducted, contact, note, session_confirmed, "
        "question_asked, question_answered, referral_outcome)",
        "failure.csv: line 16, column review_kind: a review_conducted needs review_kind 6_month or 12_month, "
        "not 'yearly'",
    ]
    assert not Case.objects.exists() and not Agency.objects.exclude(pk=importer.agency_id).exists()


def test_header_problems_and_new_case_without_subject(importer):
    with pytest.raises(ImportRejected) as rejected:
        _import("case_ref,agency,entry_type,summary,colour\n", importer)
    assert rejected.value.errors == [
        "failure.csv: line 1, column colour: unknown column",
        "failure.csv: line 1, column occurred_on: required column is missing",
    ]
    with pytest.raises(ImportRejected) as rejected:
        _import(HEADER + "CR-N,,Police,contact,2015-01-01,,Call,,,,,,\n", importer)
    assert rejected.value.errors == [
        "failure.csv: line 2, column subject: case CR-N is new, so the subject "
        "(the referred person's name) is required"
    ]


def test_session_before_referral_is_reported_by_line(importer):
    text = HEADER + (
        "CR-R,Quinn Oakes,Police,referral,2015-03-01,,Referred,,,,,,\n"
        "CR-R,,Provider,session_held,2015-02-01,,Held,,,,,,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(text, importer)
    assert rejected.value.errors == [
        "failure.csv: line 3, column occurred_on: 2015-02-01 is before the case's referral date 2015-03-01"
    ]


def test_non_utf8_and_oversized_files_are_refused(importer, settings):
    with pytest.raises(ImportRejected, match="not UTF-8 text"):
        import_chronology(
            [("latin.csv", HEADER.encode() + "CR-1,Zoë\n".encode("latin-1"))],
            user=importer,
            owner=importer,
            trusted=True,
        )
    settings.CHRONOLOGY_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImportRejected, match="the largest accepted is 100 bytes"):
        _import(FAILURE, importer)


def test_bom_is_accepted(importer):
    result = import_chronology(
        [("bom.csv", b"\xef\xbb\xbf" + FAILURE.encode())],
        user=importer,
        owner=importer,
        trusted=True,
    )
    assert result.created == 10


@pytest.mark.django_db(transaction=True)
def test_round_trip_export_import_gives_identical_findings(importer, tmp_path):
    told = "CR-T-1,,Channel panel,referral_outcome,2015-02-12,,Referrer told: adopted,letter,,,,,\n"
    # Closing the loops (issue 17): a session confirmed by the police two weeks later, and a
    # question to the provider with its answer.
    loops = (
        "CR-T-1,,Police,session_confirmed,2015-03-05,2015-03-20,"
        "Call with the person: he confirmed it,email,,,,,\n"
        "CR-T-1,,Police,question_asked,2015-04-01,,How many sessions are left?,email,,,,,\n"
        "CR-T-1,,Intervention provider,question_answered,2015-04-03,,Three left,email,,,,,\n"
    )
    _import(FAILURE + told + loops, importer)
    case = Case.objects.get(reference="CR-T-1")
    before = _codes(case, dt.date(2026, 1, 1))
    entries_before = [e.identity for e in entries_for_case(case)]
    exported = export_csv(case)
    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    call_command("flush", "--noinput")  # an empty database
    assert not Case.objects.exists()
    owner = factories.user("owner2", role="admin")
    call_command("import_chronology", str(path), "--owner", owner.username)
    case = Case.objects.get(reference="CR-T-1")
    assert _codes(case, dt.date(2026, 1, 1)) == before
    assert [e.identity for e in entries_for_case(case)] == entries_before
    assert export_csv(case) == exported
    assert ",referral_outcome,2015-02-12,2015-02-12,Referrer told: adopted,letter," in exported
    assert ",session_confirmed,2015-03-05,2015-03-20,Call with the person: he confirmed it," in (
        exported
    )
    assert ",question_asked,2015-04-01,2015-04-01,How many sessions are left?," in exported
    assert ",question_answered,2015-04-03,2015-04-03,Three left," in exported
    confirmation = SessionConfirmation.objects.get(case=case)
    assert confirmation.session.status == "held" and confirmation.how == "call"
    assert QuestionAnswer.objects.get(case=case).question.summary == "How many sessions are left?"


def test_export_guards_spreadsheet_formulas_and_round_trips_them(importer):
    text = (
        HEADER
        + '"CR-F",Alexis Pendle,Police,referral,2015-01-01,,"=HYPERLINK(""http://x"")",,,,,,\n'
    )
    _import(text, importer)
    case = Case.objects.get(reference="CR-F")
    exported = export_csv(case)
    assert "'=HYPERLINK" in exported
    assert entries_for_case(case)[0].summary == '=HYPERLINK("http://x")'
    assert _import(exported, importer, name="again.csv").skipped == 1


def test_case_findings_command_prints_the_contract_json(importer, capsys):
    _import(FAILURE, importer)
    call_command("case_findings", "CR-T-1", "--as-of", "2015-06-01", "--json")
    document = json.loads(capsys.readouterr().out)
    assert document["case_ref"] == "CR-T-1" and document["as_of"] == "2015-06-01"
    assert [(f["code"], f["date"], f["agency"]) for f in document["findings"]] == [
        ("NO_WRITTEN_BRIEFING", "2015-03-05", "Intervention provider"),
        ("BELIEF_EXCEEDS_RECORD", "2015-05-20", "Police"),
        ("BELIEF_EXCEEDS_RECORD", "2015-05-31", "Channel panel"),
    ]
    with pytest.raises(CommandError, match="No case with reference 'NOPE'"):
        call_command("case_findings", "NOPE", "--json")


def test_import_command_needs_an_owner_for_new_cases(importer, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(FAILURE, encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_chronology", str(path), "--user", importer.username)
    with pytest.raises(CommandError, match="--owner ghost: no active user"):
        call_command("import_chronology", str(path), "--owner", "ghost")
    assert not Case.objects.exists()


def _bulk_file(cases: int, rows_per_case: int, prefix: str = "CR-B") -> str:
    """New cases, each a referral then contacts, notes, accounts, sessions and panel meetings."""
    kinds = ("contact", "note", "session_held", "agency_account", "panel_meeting")
    lines = [HEADER]
    for c in range(cases):
        start = dt.date(2019, 1, 1) + dt.timedelta(days=c)
        lines.append(f"{prefix}-{c},Person {c},Police,referral,{start},,Referred,form,,,,,\n")
        for i in range(1, rows_per_case):
            kind, day = kinds[i % len(kinds)], start + dt.timedelta(days=i)
            believed = f"{i},ongoing" if kind == "agency_account" else ","
            risk = "low" if kind == "panel_meeting" else ""
            lines.append(
                f"{prefix}-{c},,Local authority,{kind},{day},,Row {i},file,{believed},,{risk},\n"
            )
    return "".join(lines)


def test_a_large_import_keeps_every_history_row_and_the_audit_chain(importer):
    from casereview.auditchain import chained_models, verify
    from referrals.models import CaseAgency, Contact

    result = _import(_bulk_file(3, 40), importer, name="bulk.csv")
    assert result.created == 120 and len(result.cases_created) == 3
    case = Case.objects.get(reference="CR-B-1")
    assert case.status == "panel" and case.risk_level == "low"
    # Every record has exactly one history row, by the importer, saying where it came from.
    for contact in Contact.objects.filter(case=case):
        (row,) = contact.history.all()
        assert (row.history_type, row.history_user, row.summary) == ("+", importer, contact.summary)
        assert re.fullmatch(
            r"imported from bulk\.csv \(SHA-256 [0-9a-f]{64}\) by importer",
            row.history_change_reason,
        )
    # The referring and owning agencies are part of the case, so their staff can find it.
    assert {m.agency.name for m in CaseAgency.objects.filter(case=case)} >= {
        "Police",
        importer.agency.name,
    }
    # The hash chains of every history table still verify end to end.
    assert [str(b) for model in chained_models() for b in verify(model)] == []
    # The timeline reads them in order, with the held sessions.
    entries = entries_for_case(case)
    assert len(entries) == 40 and sum(e.entry_type == "session_held" for e in entries) == 8


def test_import_queries_do_not_grow_with_rows_per_case(importer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        _import(_bulk_file(2, 6, prefix="CR-S"), importer)
    with django_assert_max_num_queries(len(small)):
        result = _import(_bulk_file(2, 200, prefix="CR-L"), importer)
    assert result.created == 400


def test_a_refusal_only_the_database_sees_rolls_back_and_is_retried_row_by_row(
    importer, monkeypatch
):
    """If a batch insert fails, nothing of it stays; the rows are written one by one instead."""
    from django.db import IntegrityError

    from referrals.batch import RecordBatch
    from referrals.models import Contact

    real_flush, calls = RecordBatch.flush, []

    def flush_failing_once(self):
        calls.append(len(self))
        real_flush(self)
        if len(calls) == 1:
            raise IntegrityError("simulated: a trigger refused a row")

    monkeypatch.setattr(RecordBatch, "flush", flush_failing_once)
    result = _import(_bulk_file(2, 10), importer)
    assert result.created == 20 and calls[0] > 0
    # Written once, not twice: the failed batch left nothing behind.
    assert Case.objects.filter(reference__startswith="CR-B-").count() == 2
    for case in Case.objects.filter(reference__startswith="CR-B-"):
        assert len(entries_for_case(case)) == 10
        assert Contact.history.filter(case_id=case.pk).count() == 1


def test_a_stray_quote_is_refused_at_the_line_it_opens(importer):
    """One unterminated quote followed by five rows was imported as one entry whose summary
    held all five, reported as success. Now the file is refused, naming the quote's line."""
    rows = "".join(f"CR-T-9,,Police,note,2015-06-0{day},,Note {day},,,,,,\n" for day in range(2, 7))
    text = (
        HEADER
        + 'CR-T-9,Ellis Norbury,Police,referral,2015-06-01,,"Referred by police,,,,,,\n'
        + rows
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(text, importer, name="stray.csv")
    assert rejected.value.errors == [
        "stray.csv: line 2: a quote opens a cell on this line and is never closed, so every "
        "row after it would be read as part of one cell; check the quotes on this line."
    ]
    assert not Case.objects.filter(reference="CR-T-9").exists()


def test_a_quote_closed_rows_later_names_where_it_opened(importer):
    text = (
        HEADER
        + 'CR-T-9,Ellis Norbury,Police,referral,2015-06-01,,"Referred,,,,,,\n'
        + "CR-T-9,,Police,note,2015-06-02,,Note,,,,,,\n"
        + 'CR-T-9,,Police,note,2015-06-03,,Note" closed here,,,,,,\n'
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(text, importer, name="late.csv")
    assert "late.csv: line 2:" in rejected.value.errors[0]
    assert (
        "runs on to line 4" in rejected.value.errors[0]
        or "not closed properly" in (rejected.value.errors[0])
    )
    assert not Case.objects.filter(reference="CR-T-9").exists()


def test_multi_line_cells_in_quotes_still_import(importer):
    text = HEADER + 'CR-T-9,Ellis Norbury,Police,referral,2015-06-01,,"Line one\nline two",,,,,,\n'
    assert _import(text, importer).created == 1


IMPOSSIBLE_HEADER = "case_ref,subject,agency,entry_type,occurred_on,summary,review_kind\n"


def test_impossible_orders_are_refused_with_line_column_and_the_other_date(importer):
    """docs/chronology-format.md, "Impossible orders": adopted or exited before the earliest
    referral; a review with no exit on or before it. Nothing of the run is kept."""
    text = IMPOSSIBLE_HEADER + (
        "CR-T-8,Ellis Norbury,Police,referral,2021-03-05,Referred,\n"
        "CR-T-8,,Local authority,case_adopted,2021-02-10,Adopted,\n"
        "CR-T-8,,Local authority,case_exited,2021-01,Exited,\n"
        "CR-T-9,Sasha Mossop,Police,referral,2021-03-05,Referred,\n"
        "CR-T-9,,Local authority,review_conducted,2021-09-01,Reviewed,6_month\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(text, importer, name="orders.csv")
    assert rejected.value.errors == [
        "orders.csv: line 4, column occurred_on: a case_exited on 2021-01 is before the case's "
        "earliest referral, 2021-03-05: a case is adopted and exited only after it was referred",
        "orders.csv: line 3, column occurred_on: a case_adopted on 2021-02-10 is before the "
        "case's earliest referral, 2021-03-05: a case is adopted and exited only after it was "
        "referred",
        "orders.csv: line 6, column occurred_on: a review_conducted on 2021-09-01 has no "
        "case_exited on or before it (the case has no exit): follow-up reviews follow an exit",
    ]
    assert not Case.objects.filter(reference__in=["CR-T-8", "CR-T-9"]).exists()


def test_a_month_only_date_is_impossible_only_when_certainly_wrong(importer):
    """A referral of 2021-03 is not after an adoption on 2021-03-05: both orders are possible."""
    text = IMPOSSIBLE_HEADER + (
        "CR-T-8,Ellis Norbury,Police,referral,2021-03,Referred some day in March,\n"
        "CR-T-8,,Local authority,case_adopted,2021-03-05,Adopted,\n"
        "CR-T-8,,Local authority,case_exited,2021-03,Exited the same month,\n"
        "CR-T-8,,Local authority,review_conducted,2021-10-01,Reviewed,6_month\n"
    )
    assert _import(text, importer).created == 4


def test_rows_meet_the_records_already_in_the_database(importer):
    _import(
        IMPOSSIBLE_HEADER + "CR-T-8,Ellis Norbury,Police,referral,2021-03-05,Referred,\n",
        importer,
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(
            IMPOSSIBLE_HEADER + "CR-T-8,,Local authority,case_exited,2021-03-01,Exited,\n",
            importer,
            name="later.csv",
        )
    assert rejected.value.errors == [
        "later.csv: line 2, column occurred_on: a case_exited on 2021-03-01 is before the "
        "case's earliest referral, 2021-03-05: a case is adopted and exited only after it was "
        "referred"
    ]


def test_the_import_command_writes_each_case_to_the_access_log(importer, tmp_path):
    from referrals.models import AccessLog

    path = tmp_path / "failure.csv"
    path.write_text(FAILURE, encoding="utf-8")
    call_command("import_chronology", str(path), "--owner", importer.username)
    log = AccessLog.objects.get(action="import")
    assert (log.user, log.case.reference) == (importer, "CR-T-1")
    assert log.detail == "command line: 10 entries imported from failure.csv, 0 already present"
