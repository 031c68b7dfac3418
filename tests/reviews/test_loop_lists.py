"""The supervisor dashboard's other loop lists (issue 17): held sessions nobody outside the
provider has confirmed after SESSION_CONFIRM_DAYS, questions to the provider past the date an
answer was wanted, and referrals with no outcome REFERRAL_OUTCOME_DAYS after they came in.
Each is counted per owner and agency, and in the viewer's scope only."""

from __future__ import annotations

import datetime as dt

import pytest

from referrals.services import void_record
from reviews import services
from reviews.dashboard import Filters, build_dashboard
from tests import factories
from tests.reviews import test_quiet_cases as quiet

cast = quiet.cast  # the fixture: a council, its caseworker and supervisors, another agency
adopted_case, days = quiet.adopted_case, quiet.days

pytestmark = pytest.mark.django_db
D = dt.date
ADOPTED = D(2016, 1, 4)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.SESSION_CONFIRM_DAYS = 14
    settings.REFERRAL_OUTCOME_DAYS = 30


def loop(user, key, today):
    result = build_dashboard(user, Filters(), today=today)
    (found,) = [item for item in result.loops if item.spec.key == key]
    return found, result


def held_session(cast, case, on):
    services.assign_provider(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider"],
        occurred_on=ADOPTED + days(1),
        logged_on=ADOPTED + days(1),
        summary="Mentoring commissioned.",
        require_late_reason=False,
    )
    return services.record_session(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider"],
        occurred_on=on,
        logged_on=on,
        status="held",
        summary="Session held.",
        require_late_reason=False,
    )


def test_a_held_session_is_listed_once_unconfirmed_for_more_than_the_setting(cast):
    case = adopted_case(cast, reference="CR-2016-00001")
    held_on = ADOPTED + days(10)
    session = held_session(cast, case, held_on)
    supervisor = cast["supervisor"]

    on_day_14, _ = loop(supervisor, "unconfirmed", held_on + days(14))
    assert on_day_14.total == 0
    on_day_15, result = loop(supervisor, "unconfirmed", held_on + days(15))
    assert [(r.case_reference, r.since, r.days) for r in on_day_15.rows] == [
        ("CR-2016-00001", held_on, 15)
    ]
    assert {row.name: row.loops["unconfirmed"] for row in result.by_owner} == {
        "Caseworker Example": 1
    }
    # Confirmed by the council: off the list; the confirmation voided: back on it.
    confirmation = services.confirm_session(
        session=session,
        user=cast["caseworker"],
        agency=cast["council"],
        how="report",
        confirmed_on=held_on + days(3),
        note="Report received.",
    )
    assert loop(supervisor, "unconfirmed", held_on + days(15))[0].total == 0
    void_record(confirmation, user=cast["caseworker"], reason="Confirmed the wrong session")
    assert loop(supervisor, "unconfirmed", held_on + days(15))[0].total == 1
    # Another agency's supervisor sees none of it.
    assert loop(cast["other_supervisor"], "unconfirmed", held_on + days(15))[0].total == 0


def test_a_session_of_a_case_finished_long_ago_is_history_not_a_task(cast):
    case = adopted_case(cast)
    held_on = ADOPTED + days(10)
    held_session(cast, case, held_on)
    services.exit_case(
        case=case,
        user=cast["caseworker"],
        agency=cast["panel"],
        occurred_on=held_on + days(20),
        logged_on=held_on + days(20),
        risk_level="low",
        summary="Exited.",
        rationale="Done.",
        require_late_reason=False,
        enforce_gate=False,
    )
    assert loop(cast["supervisor"], "unconfirmed", held_on + days(100))[0].total == 1
    assert loop(cast["supervisor"], "unconfirmed", held_on + days(200))[0].total == 0


def test_a_question_past_its_due_date_is_listed_against_who_asked_until_answered(cast):
    case = adopted_case(cast, reference="CR-2016-00002")
    held_session(cast, case, ADOPTED + days(10))
    asked = ADOPTED + days(20)
    question = services.ask_provider(
        case=case,
        user=cast["caseworker"],
        agency=cast["council"],
        question="How many sessions remain?",
        due_on=asked + days(7),
        asked_on=asked,
        logged_on=asked,
    )
    assert loop(cast["supervisor"], "questions", asked + days(7))[0].total == 0  # due today
    found, result = loop(cast["supervisor"], "questions", asked + days(8))
    assert [(r.case_reference, r.since, r.days, r.detail) for r in found.rows] == [
        ("CR-2016-00002", asked + days(7), 1, "How many sessions remain?")
    ]
    assert {row.name: row.loops["questions"] for row in result.by_agency} == {
        "Northshire County Council": 1
    }
    provider = factories.user("mentor", role="provider", agency_=cast["provider"])
    services.answer_question(
        question=question,
        user=provider,
        agency=cast["provider"],
        answer="Two remain.",
        answered_on=asked + days(8),
        logged_on=asked + days(8),
    )
    assert loop(cast["supervisor"], "questions", asked + days(9))[0].total == 0


def test_a_referral_with_no_outcome_after_the_setting_is_listed_until_decided(cast):
    received = D(2016, 3, 1)
    case = factories.case(owner=cast["caseworker"], received_on=received, reference="CR-2016-00003")
    assert loop(cast["supervisor"], "outcome", received + days(30))[0].total == 0
    found, _ = loop(cast["supervisor"], "outcome", received + days(31))
    assert [(r.case_reference, r.since) for r in found.rows] == [("CR-2016-00003", received)]
    services.record_decision(
        case=case,
        user=cast["caseworker"],
        kind="adopt",
        rationale="Support agreed.",
        agency=cast["panel"],
        occurred_on=received + days(32),
        logged_on=received + days(32),
        summary="Adopted",
        require_late_reason=False,
    )
    assert loop(cast["supervisor"], "outcome", received + days(33))[0].total == 0


def test_an_overdue_question_is_reminded_once_to_the_provider_and_the_asker(cast, mailoutbox):
    from reviews.reminders import send_due_reminders

    case = adopted_case(cast, reference="CR-2016-00004")
    mentor = factories.user("mentor", role="provider", agency_=cast["provider"])
    mentor.email = "mentor@example.com"
    mentor.save()
    services.assign_provider(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider"],
        occurred_on=ADOPTED + days(1),
        logged_on=ADOPTED + days(1),
        provider_worker=mentor,
        summary="Mentoring commissioned.",
        require_late_reason=False,
    )
    asked = ADOPTED + days(20)
    for text in ("How many sessions remain?", "When is the next one?"):
        services.ask_provider(
            case=case,
            user=cast["caseworker"],
            agency=cast["council"],
            question=text,
            due_on=asked + days(7),
            asked_on=asked,
            logged_on=asked,
        )

    def questions(run):
        return sorted(r.recipient.username for r in run.sent if r.kind == "question")

    assert questions(send_due_reminders(asked + days(7))) == []  # due today: not yet overdue
    assert questions(send_due_reminders(asked + days(8))) == ["caseworker", "mentor"]
    mailoutbox[:] = [m for m in mailoutbox if "Question not answered" in m.subject]
    bodies = {m.to[0]: m.body for m in mailoutbox}
    assert "2 questions to you on this case are waiting" in bodies["mentor@example.com"]
    assert "CR-2016-00004" in bodies["caseworker@example.com"]
    for message in mailoutbox:  # the reference only: no name, no question
        assert "Jordan" not in message.body + message.subject
        assert "sessions remain" not in message.body
    assert questions(send_due_reminders(asked + days(9))) == []  # once, however many runs
