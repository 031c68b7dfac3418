"""Closing the loops (issue 17): sessions confirmed from outside the provider, and questions to
the provider with its answers — on the case page, the provider's list, the timeline, the
chronology (CSV both ways) and in the rules every list reads (fictional data only)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casereview.timerules import TimeRules
from referrals import services as intake
from referrals.models import Agency, Case, User
from reviews import services
from reviews.chronology.csv_format import ImportRejected, export_csv, import_chronology
from reviews.chronology.findings import compute_findings
from reviews.chronology.loops import (
    confirmation_counts,
    confirmed_session_keys,
    open_question_keys,
)
from reviews.chronology.query import entries_for_case, entries_from_record
from reviews.models import (
    InterventionSession,
    ProviderQuestion,
    QuestionAnswer,
    SessionConfirmation,
)
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():
    council = factories.agency("Northshire County Council")
    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    caseworker = factories.user("caseworker", agency_=council)
    officer = factories.user("officer", agency_=police)
    provider = factories.user("provider", role=User.Role.PROVIDER, agency_=brightpath)
    case = factories.case(
        owner=caseworker,
        referring_agency=police,
        received_on=D(2020, 1, 6),
        reference="CR-2020-00031",
        person_name="Morgan Ellery",
    )
    services.record_decision(
        case=case,
        user=caseworker,
        agency=council,
        kind="adopt",
        rationale="Support agreed.",
        occurred_on=D(2020, 1, 20),
        logged_on=D(2020, 1, 20),
        summary="Adopted",
        require_late_reason=False,
    )
    services.assign_provider(
        case=case,
        user=caseworker,
        agency=brightpath,
        occurred_on=D(2020, 1, 22),
        logged_on=D(2020, 1, 22),
        summary="Commissioned",
        sessions_planned=6,
        require_late_reason=False,
    )
    sessions = [
        services.record_session(
            case=case,
            user=provider,
            agency=brightpath,
            occurred_on=D(2020, 2, day),
            logged_on=D(2020, 2, day),
            status="held",
            summary=f"Mentoring session {number}",
            require_late_reason=False,
        )
        for number, day in enumerate((3, 10, 17), 1)
    ]
    return {
        "council": council,
        "police": police,
        "brightpath": brightpath,
        "caseworker": caseworker,
        "officer": officer,
        "provider": provider,
        "case": case,
        "sessions": sessions,
    }


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- confirmations


def test_the_case_page_counts_held_and_confirmed_and_offers_confirm(client, world):
    case, first = world["case"], world["sessions"][0]
    client.force_login(world["caseworker"])
    url = reverse("reviews:session-confirm", args=[case.reference, first.pk])
    form = client.get(url).content.decode()
    assert "How do you know the session took place?" in form and "Mentoring session 1" in form
    response = client.post(url, {"how": "call", "note": "Spoke to Morgan by phone"})
    assert response.status_code == 302

    confirmation = SessionConfirmation.objects.get()
    assert confirmation.session == first and confirmation.agency == world["council"]
    # The contract: dated on the session's day, logged on the day it was confirmed.
    assert confirmation.occurred_on == D(2020, 2, 3)
    assert confirmation.logged_on == timezone.localdate()
    assert confirmation.summary == "Call with the person: Spoke to Morgan by phone"
    assert confirmation.history.get().history_user == world["caseworker"]

    page = _text(_page(client, world["caseworker"], reverse("reviews:case", args=[case.reference])))
    assert "3 held (1 confirmed)" in page
    html = _page(client, world["caseworker"], reverse("reviews:case", args=[case.reference]))
    for session in world["sessions"]:
        confirm = reverse("reviews:session-confirm", args=[case.reference, session.pk])
        assert (confirm in html) is (session != first)
    assert InterventionSession.objects.filter(case=case).confirmation_counts() == {
        "held": 3,
        "confirmed": 1,
    }


def test_a_confirmation_needs_how_and_refuses_a_date_before_the_session(client, world):
    case, first = world["case"], world["sessions"][0]
    client.force_login(world["caseworker"])
    url = reverse("reviews:session-confirm", args=[case.reference, first.pk])
    page = client.post(url, {"note": "x"}).content.decode()
    assert "Select how you know the session took place" in page
    assert "Select how do you know" not in page
    early = {"how": "report", "logged_0": "1", "logged_1": "2", "logged_2": "2020"}
    page = client.post(url, early).content.decode()
    assert "cannot be before the session, 3 February 2020" in page
    assert not SessionConfirmation.objects.exists()
    too_long = {"how": "other", "note": "n" * 2_001}
    assert "Note must be 2,000 characters or less" in client.post(url, too_long).content.decode()


def test_the_provider_cannot_confirm_its_own_sessions(client, world):
    case, first = world["case"], world["sessions"][0]
    url = reverse("reviews:session-confirm", args=[case.reference, first.pk])
    client.force_login(world["provider"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"how": "call"}).status_code == 404
    page = _page(client, world["provider"], reverse("reviews:case", args=[case.reference]))
    assert url not in page and "3 held (0 confirmed)" in _text(page)
    # The service refuses it whoever calls it: a provider, or the provider's agency.
    with pytest.raises(ValidationError, match="provider cannot confirm"):
        services.confirm_session(
            session=first, user=world["provider"], agency=world["brightpath"], how="other"
        )
    with pytest.raises(ValidationError, match="cannot confirm it"):
        services.confirm_session(
            session=first, user=world["caseworker"], agency=world["brightpath"], how="other"
        )
    assert not SessionConfirmation.objects.exists()


def test_a_voided_confirmation_leaves_the_session_unconfirmed_again(client, world):
    case, first = world["case"], world["sessions"][0]
    confirmation = services.confirm_session(
        session=first, user=world["officer"], agency=world["police"], how="attended"
    )
    assert list(InterventionSession.objects.confirmed()) == [first]
    client.force_login(world["officer"])
    void = reverse(
        "reviews:record-void", args=[case.reference, "sessionconfirmation", confirmation.pk]
    )
    response = client.post(void, {"reason": "Confirmed the wrong session", "version": "1"})
    assert response.status_code == 302
    assert not InterventionSession.objects.confirmed().exists()
    assert InterventionSession.objects.unconfirmed().count() == 3
    page = _text(_page(client, world["caseworker"], reverse("reviews:case", args=[case.reference])))
    assert "3 held (0 confirmed)" in page
    # History keeps who voided it and why; the generic history page shows it.
    latest = confirmation.history.first()
    assert latest.history_user == world["officer"]
    assert latest.history_change_reason == "Voided: Confirmed the wrong session"
    history = reverse(
        "reviews:record-history", args=[case.reference, "sessionconfirmation", confirmation.pk]
    )
    assert "Confirmed the wrong session" in _page(client, world["officer"], history)
    # Confirmed again, by the same agency, once the first is void.
    services.confirm_session(
        session=first, user=world["officer"], agency=world["police"], how="call"
    )
    assert InterventionSession.objects.confirmed().count() == 1
    with pytest.raises(ValidationError, match="already confirmed"):
        services.confirm_session(
            session=first, user=world["officer"], agency=world["police"], how="call"
        )


def test_the_change_page_edits_a_confirmation_with_a_reason(client, world):
    case, first = world["case"], world["sessions"][0]
    confirmation = services.confirm_session(
        session=first, user=world["caseworker"], agency=world["council"], how="call"
    )
    client.force_login(world["caseworker"])
    edit = reverse(
        "reviews:record-edit", args=[case.reference, "sessionconfirmation", confirmation.pk]
    )
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "how": "report",
            "summary": "Provider’s report received: report BP/7",
            "source": "",
            "reason": "Wrong way of confirming chosen",
            "version": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = confirmation.history.first()
    assert latest.history_change_reason == "Wrong way of confirming chosen"
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert {"how", "summary"} <= changed


def test_entries_carry_the_confirmed_session_and_raise_no_finding(world):
    case, first = world["case"], world["sessions"][0]
    # Confirmed three weeks after the session: still no "logged late".
    services.confirm_session(
        session=first,
        user=world["caseworker"],
        agency=world["council"],
        how="report",
        confirmed_on=D(2020, 2, 24),
    )
    entries = entries_for_case(case)
    confirmed = [e for e in entries if e.entry_type == "session_confirmed"]
    assert len(confirmed) == 1 and confirmed[0].about == f"interventionsession:{first.pk}"
    assert confirmed[0].logged_on == D(2020, 2, 24) and confirmed[0].occurred_on == D(2020, 2, 3)
    assert confirmed_session_keys(entries) == {f"interventionsession:{first.pk}"}
    assert confirmation_counts(entries) == (3, 1)
    # The one-query chronology and the records' own entries agree.
    record = SessionConfirmation.objects.get()
    assert entries_from_record(record, case.reference) == confirmed
    without = [e for e in entries if e.entry_type != "session_confirmed"]
    as_of = D(2026, 1, 1)
    assert compute_findings(entries, as_of=as_of) == compute_findings(without, as_of=as_of)
    assert not confirmed[0].logged_late(TimeRules.current())


# ---------------------------------------------------------------- questions and answers


def test_a_question_reaches_the_provider_and_its_answer_the_timeline(client, world):
    case, provider = world["case"], world["provider"]
    client.force_login(world["officer"])
    ask = reverse("reviews:question-new", args=[case.reference])
    form = client.get(ask).content.decode()
    week = timezone.localdate() + dt.timedelta(days=7)
    assert f'value="{week.day}"' in form  # the due date defaults to a week from today
    response = client.post(
        ask,
        {
            "summary": "How many sessions has Morgan attended so far?",
            "due_on_0": str(week.day),
            "due_on_1": str(week.month),
            "due_on_2": str(week.year),
        },
    )
    assert response.status_code == 302
    question = ProviderQuestion.objects.get()
    assert question.agency == world["police"] and question.due_on == week
    assert list(ProviderQuestion.objects.open()) == [question]

    # The provider's phone list shows it, with an Answer link.
    listing = _page(client, provider, reverse("reviews:provider-cases"))
    answer_url = reverse("reviews:question-answer", args=[case.reference, question.pk])
    assert answer_url in listing and "How many sessions has Morgan attended" in listing

    # The answer page is a plain GOV.UK form that fits a phone: one column, a full-width box.
    page = _page(client, provider, answer_url)
    assert 'name="viewport" content="width=device-width' in page
    assert "How many sessions has Morgan attended so far?" in page
    assert (
        'class="govuk-textarea' in page
        and "govuk-input--width-" not in page.split('name="summary"')[0].rsplit("<div", 1)[-1]
    )
    assert "govuk-grid-column-two-thirds" in page  # full width below 641 px
    refused = client.post(answer_url, {"summary": "", "version": "1"}).content.decode()
    assert "Enter your answer" in refused and "govuk-error-summary" in refused
    response = client.post(answer_url, {"summary": "Three sessions, all attended.", "version": "1"})
    assert response.status_code == 302
    answer = QuestionAnswer.objects.get()
    assert answer.question == question and answer.agency == world["brightpath"]
    assert answer.history.get().history_user == provider
    assert not ProviderQuestion.objects.open().exists()
    assert answer_url not in _page(client, provider, reverse("reviews:provider-cases"))
    # Answered: the page says so and shows the answer, with nothing left to send.
    answered_page = _text(_page(client, provider, answer_url))
    assert "This question has already been answered" in answered_page
    assert "Three sessions, all attended." in answered_page

    entries = entries_for_case(case)
    asked = next(e for e in entries if e.entry_type == "question_asked")
    answered = next(e for e in entries if e.entry_type == "question_answered")
    assert answered.about == asked.record_key and open_question_keys(entries) == set()
    timeline = _page(
        client, world["caseworker"], reverse("reviews:timeline", args=[case.reference])
    )
    assert "Question to the provider" in timeline and "Provider’s answer" in timeline
    assert "How many sessions has Morgan attended so far?" in timeline
    assert "Three sessions, all attended." in timeline


def test_who_may_ask_and_answer(client, world):
    case = world["case"]
    ask = reverse("reviews:question-new", args=[case.reference])
    client.force_login(world["provider"])
    assert client.get(ask).status_code == 404
    question = services.ask_provider(
        case=case,
        user=world["caseworker"],
        agency=world["council"],
        question="Is a further session planned?",
        due_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="is the intervention provider"):
        services.ask_provider(
            case=case, user=world["caseworker"], agency=world["brightpath"], question="Own?"
        )
    answer = reverse("reviews:question-answer", args=[case.reference, question.pk])
    assert client.get(answer).status_code == 200
    outsider = factories.user("outsider", agency_=factories.agency("Westmoor Police"))
    client.force_login(outsider)
    assert client.get(answer).status_code == 404
    assert client.get(ask).status_code == 404


def test_open_and_overdue_are_one_rule(world):
    case, today = world["case"], timezone.localdate()
    asked = today - dt.timedelta(days=10)
    late = services.ask_provider(
        case=case,
        user=world["caseworker"],
        agency=world["council"],
        question="Has Morgan met the mentor this month?",
        asked_on=asked,
        logged_on=asked,
        due_on=today - dt.timedelta(days=3),
    )
    undated = services.ask_provider(
        case=case,
        user=world["caseworker"],
        agency=world["council"],
        question="Any concerns to raise before panel?",
    )
    assert set(ProviderQuestion.objects.open()) == {late, undated}
    assert list(ProviderQuestion.objects.overdue(today)) == [late]
    flags = dict(ProviderQuestion.objects.with_overdue(today).values_list("pk", "is_overdue"))
    assert flags == {late.pk: True, undated.pk: False}
    answer = services.answer_question(
        question=late, user=world["provider"], agency=world["brightpath"], answer="Yes, twice."
    )
    assert not ProviderQuestion.objects.overdue(today).exists()
    assert list(ProviderQuestion.objects.open()) == [undated]
    with pytest.raises(ValidationError, match="already been answered"):
        services.answer_question(
            question=late, user=world["provider"], agency=world["brightpath"], answer="Again"
        )
    intake.void_record(answer, user=world["caseworker"], reason="Answer was for another case")
    assert list(ProviderQuestion.objects.overdue(today)) == [late]
    with pytest.raises(ValidationError, match="before it was asked"):
        services.answer_question(
            question=late,
            user=world["provider"],
            agency=world["brightpath"],
            answer="Too early",
            answered_on=asked - dt.timedelta(days=1),
        )


# ---------------------------------------------------------------- CSV


HEADER = "case_ref,subject,agency,entry_type,occurred_on,logged_on,summary,source\n"
BASE = (
    HEADER
    + "CR-L-1,Avery Thorn,Police,referral,2021-03-01,,Referred by police,form 1\n"
    + "CR-L-1,,Intervention provider,ip_assigned,2021-03-10,,Commissioned,email\n"
    + "CR-L-1,,Intervention provider,session_held,2021-03-15,,First session held,notes\n"
)


@pytest.fixture
def importer():
    return factories.user("importer", role="admin")


def _import(text, user, name="loops.csv"):
    return import_chronology([(name, text.encode())], user=user, owner=user, trusted=True)


def test_orphan_rows_are_refused_by_line_and_column(importer):
    text = (
        BASE
        + "CR-L-1,,Local authority,session_confirmed,2021-03-16,2021-03-20,Call with the person,\n"
        + "CR-L-1,,Intervention provider,question_answered,2021-03-18,,An answer to nothing,\n"
        + "CR-L-1,,Police,question_asked,2021-03-19,,When is the next session?,\n"
        + "CR-L-1,,Intervention provider,question_answered,2021-03-25,,Next week,\n"
        + "CR-L-1,,Intervention provider,question_answered,2021-03-26,,Said twice,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(text, importer)
    errors = rejected.value.errors
    assert any(
        e.startswith("loops.csv: line 5, column occurred_on: a session_confirmed on 2021-03-16")
        and "no session_held" in e
        for e in errors
    ), errors
    assert any(
        e.startswith("loops.csv: line 6, column occurred_on: a question_answered on 2021-03-18")
        for e in errors
    ), errors
    assert any(e.startswith("loops.csv: line 9, column occurred_on:") for e in errors), errors
    assert not any("line 8" in e for e in errors), errors  # it answers line 7's question
    assert not SessionConfirmation.objects.exists() and not ProviderQuestion.objects.exists()


def test_imported_rows_link_to_their_session_and_question_and_round_trip(importer):
    text = (
        BASE
        + "CR-L-1,,Local authority,session_confirmed,2021-03-15,2021-04-20,"
        + "Provider’s report received: report 12,\n"
        + "CR-L-1,,Police,question_asked,2021-03-19,,When is the next session?,\n"
        + "CR-L-1,,Intervention provider,question_answered,2021-03-25,,Next week,\n"
    )
    assert _import(text, importer).created == 6
    session = InterventionSession.objects.get()
    confirmation = SessionConfirmation.objects.get()
    assert confirmation.session == session and confirmation.how == "report"
    assert confirmation.logged_on == D(2021, 4, 20)
    answer = QuestionAnswer.objects.get()
    assert answer.question == ProviderQuestion.objects.get() and answer.summary == "Next week"
    case = Case.objects.get(reference="CR-L-1")
    entries = entries_for_case(case)
    # Confirmed 36 days after the session: no finding of its own.
    assert [f.code for f in compute_findings(entries, as_of=D(2026, 1, 1))] == [
        "NO_WRITTEN_BRIEFING"
    ]
    exported = export_csv(case)
    for row in (
        "session_confirmed,2021-03-15,2021-04-20,Provider’s report received: report 12",
        "question_asked,2021-03-19,2021-03-19,When is the next session?",
        "question_answered,2021-03-25,2021-03-25,Next week",
    ):
        assert row in exported
    # Importing the export again changes nothing.
    again = _import(exported, importer, name="again.csv")
    assert again.created == 0 and again.skipped == 6
