"""Reminders and escalations: the right email on the right day, once, and retried when sending fails."""

import datetime as dt
import io
import smtplib

import pytest
from django.core.management import CommandError, call_command

from casereview.timerules import add_months
from referrals.models import Agency, User
from referrals.services import void_record
from reviews import reminders, services
from reviews.models import FollowUpReview, ReminderSent
from reviews.reminders import send_due_reminders
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
DUE = D(2016, 3, 15)
PERSON = "Jordan Ashcombe"


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.REVIEW_GRACE_DAYS = 14
    settings.REVIEW_REMINDER_DAYS = 14
    settings.SITE_URL = "https://casereview.example"


def member(username, agency, role=User.Role.CASEWORKER, *, email=True, active=True):
    user = factories.user(username, role=role, agency_=agency)
    user.email = f"{username}@example.com" if email else ""
    user.is_active = active
    user.save()
    return user


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    return {
        "caseworker": member("caseworker", council),
        "supervisor": member("supervisor", council, User.Role.SUPERVISOR),
        "deputy": member("deputy", council, User.Role.SUPERVISOR),
        "retired": member("retired", council, User.Role.SUPERVISOR, active=False),
        "outsider": member("outsider", westmoor),
        "other_supervisor": member("other_supervisor", westmoor, User.Role.SUPERVISOR),
    }


def review(owner, due=DUE, *, referring_agency=None):
    """A scheduled 6-month review due on `due` (the 12-month one is six months later)."""
    exited = add_months(due, -6)
    case = factories.case(
        owner=owner,
        received_on=exited - days(40),
        person_name=PERSON,
        referring_agency=referring_agency,
    )
    services.exit_case(
        case=case,
        user=owner,
        agency=owner.agency,
        occurred_on=exited,
        logged_on=exited,
        summary="Exited",
        require_late_reason=False,
    )
    return FollowUpReview.objects.get(case=case, kind="6_month")


def sent(today):
    return [(r.kind, r.recipient.username) for r in send_due_reminders(today).sent]


def test_before_due_and_escalation_each_on_their_day(cast, mailoutbox):
    item = review(cast["caseworker"])
    assert sent(DUE - days(15)) == []
    assert sent(DUE - days(14)) == [("before", "caseworker")]
    assert sent(DUE - days(13)) == []
    assert sent(DUE - days(1)) == []
    assert sent(DUE) == [("due", "caseworker")]
    assert sent(DUE + days(14)) == []  # last day of grace: the due-day email went already
    assert sorted(sent(DUE + days(15))) == [("escalation", "deputy"), ("escalation", "supervisor")]
    assert sent(DUE + days(16)) == []
    assert [m.to for m in mailoutbox[:2]] == [["caseworker@example.com"]] * 2
    assert sorted(m.to for m in mailoutbox[2:]) == [
        ["deputy@example.com"],
        ["supervisor@example.com"],
    ]
    assert ReminderSent.objects.filter(review=item).count() == 4


def test_a_missed_day_is_caught_up_on_the_next_run(cast):
    review(cast["caseworker"])
    assert sent(DUE - days(5)) == [("before", "caseworker")]  # cron was down on day D - 14
    assert sent(DUE + days(3)) == [("due", "caseworker")]  # ... and on the due day


def test_due_reminder_not_sent_after_grace_escalation_instead(cast):
    review(cast["caseworker"])
    assert sent(DUE + days(14)) == [("due", "caseworker")]
    other = review(cast["caseworker"], DUE - days(1))
    result = send_due_reminders(DUE + days(14))  # `other` is now 15 days overdue
    assert {(r.kind, r.item.pk) for r in result.sent} == {("escalation", other.pk)}


def test_escalation_goes_to_active_supervisors_of_the_owners_agency_only(cast):
    # Westmoor's case, referred by the council: Westmoor's supervisors are told, not the council's.
    theirs = review(cast["outsider"], referring_agency=cast["caseworker"].agency)
    assert sent(DUE + days(15)) == [("escalation", "other_supervisor")]
    recipients = set(
        ReminderSent.objects.filter(review=theirs).values_list("recipient__username", flat=True)
    )
    assert recipients == {"other_supervisor"}
    # A supervisor who joins later is told on the next run; the others are not told again.
    member("newcomer", cast["outsider"].agency, User.Role.SUPERVISOR)
    assert sent(DUE + days(20)) == [("escalation", "newcomer")]


def test_escalation_email_names_the_owner_and_says_how_late(cast, mailoutbox):
    item = review(cast["caseworker"])
    ReminderSent.objects.create(
        review=item, kind="escalation", recipient=cast["deputy"], due_on=DUE
    )
    send_due_reminders(DUE + days(20))
    (email,) = mailoutbox
    assert email.to == ["supervisor@example.com"]
    assert (
        email.subject == f"Escalation: 6-month review for {item.case.reference} is 20 days overdue"
    )
    assert "Owner: Caseworker Example" in email.body
    assert "Due date: 15 March 2016" in email.body


def test_reminder_email_has_reference_kind_date_owner_link_and_no_name(cast, mailoutbox):
    item = review(cast["caseworker"])
    send_due_reminders(DUE - days(14))
    (email,) = mailoutbox
    ref = item.case.reference
    assert email.subject == f"Due on 15 March 2016: 6-month review for {ref}"
    for text in (
        f"Case: {ref}",
        "Follow-up: 6-month review",
        "Due date: 15 March 2016",
        "Owner: Caseworker Example",
        f"https://casereview.example/cases/{ref}/",
        "due in 14 days",
    ):
        assert text in email.body
    for part in (PERSON, *PERSON.split()):
        assert part not in email.subject and part not in email.body
    send_due_reminders(DUE)
    assert mailoutbox[1].subject == f"Due today: 6-month review for {ref}"


def test_panel_actions_get_reminders_without_the_persons_name(cast, mailoutbox):
    worker = cast["caseworker"]
    case = factories.case(owner=worker, person_name=PERSON)
    agreed = services.add_panel_action(
        case=case,
        user=worker,
        owner=worker,
        due_on=DUE,
        description="Ask jordan's college whether Jordan Ashcombe attended",
    )
    done = services.add_panel_action(
        case=case, user=worker, owner=worker, due_on=DUE, description="Done already"
    )
    services.complete_action(action=done, user=worker, completed_on=DUE - days(20))
    void = services.add_panel_action(
        case=case, user=worker, owner=worker, due_on=DUE, description="Agreed in error"
    )
    void_record(void, user=worker, reason="Agreed in error")

    assert sent(DUE - days(14)) == [("before", "caseworker")]
    (email,) = mailoutbox
    assert email.subject == f"Due on 15 March 2016: panel action for {case.reference}"
    assert "Action: Ask [name]'s college whether [name] attended" in email.body
    for part in (PERSON, *PERSON.split()):
        assert part.lower() not in email.subject.lower() + email.body.lower()
    assert sent(DUE + days(2)) == [("due", "caseworker")]
    assert sorted(sent(DUE + days(15))) == [("escalation", "deputy"), ("escalation", "supervisor")]
    assert set(ReminderSent.objects.values_list("action", flat=True)) == {agreed.pk}


def test_held_not_possible_and_cancelled_reviews_get_nothing(cast, mailoutbox):
    worker = cast["caseworker"]
    held = review(worker)
    services.conduct_review(
        review=held,
        user=worker,
        conducted_on=DUE - days(20),
        logged_on=DUE - days(20),
        agency=worker.agency,
        summary="Held",
    )
    services.review_not_possible(review=review(worker), user=worker, why="Moved abroad")
    cancelled = review(worker)
    services.reopen_case(case=cancelled.case, user=worker, reason="New concerns")
    for day in (DUE - days(14), DUE, DUE + days(15)):
        assert sent(day) == []
    assert mailoutbox == []


def test_repeated_run_the_same_day_sends_nothing_more(cast, mailoutbox):
    review(cast["caseworker"])
    assert len(send_due_reminders(DUE).sent) == 1
    assert len(send_due_reminders(DUE).sent) == 0
    assert len(mailoutbox) == 1


def test_existing_row_blocks_the_send(cast, mailoutbox):
    item = review(cast["caseworker"])
    ReminderSent.objects.create(review=item, kind="due", recipient=cast["caseworker"], due_on=DUE)
    assert sent(DUE) == []
    assert mailoutbox == []


def test_overlapping_runs_send_each_email_once(cast, mailoutbox):
    """Run A found its work; run B sends it all first; A's inserts then fail and A skips them."""
    review(cast["caseworker"])
    review(cast["caseworker"], DUE - days(20))
    run_a = reminders._owner_reminders(DUE) + reminders._escalations(DUE)
    assert len(run_a) == 3  # due for one; escalation to two supervisors for the other
    assert len(send_due_reminders(DUE).sent) == 3  # run B
    assert [reminders._send(reminder, DUE) for reminder in run_a] == [False] * 3
    assert len(mailoutbox) == 3
    assert ReminderSent.objects.count() == 3


def test_failing_send_is_rolled_back_and_retried(cast, mailoutbox, monkeypatch):
    item = review(cast["caseworker"])

    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(reminders, "send_mail", broken)
    result = send_due_reminders(DUE)
    assert result.sent == [] and len(result.failed) == 1
    assert "Connection unexpectedly closed" in result.failed[0][1]
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert sent(DUE) == [("due", "caseworker")]
    assert ReminderSent.objects.get().review == item
    assert len(mailoutbox) == 1


def test_owner_without_email_is_reported_not_recorded(cast, mailoutbox):
    review(member("no_email", cast["caseworker"].agency, email=False))
    result = send_due_reminders(DUE)
    assert result.sent == [] and [r.recipient.username for r in result.no_email] == ["no_email"]
    assert not ReminderSent.objects.exists() and mailoutbox == []


# --- the command --------------------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_review_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_how_many_were_sent_last(cast, mailoutbox):
    review(cast["caseworker"])
    review(cast["caseworker"], DUE - days(20))
    out, err = run_command("--today", "2016-03-15")
    assert out.splitlines()[-1] == "3 reminders sent"
    assert len(mailoutbox) == 3
    out, _ = run_command("--today", "2016-03-15", "--verbosity", "2")
    assert out.splitlines() == ["0 reminders sent"]


def test_command_lists_what_it_sent_with_verbosity_2_and_no_names(cast):
    item = review(cast["caseworker"])
    out, _ = run_command("--today", "2016-03-01", "-v", "2")
    assert out.splitlines() == [
        f"sent: before 6-month review for {item.case.reference} due 2016-03-15 to caseworker",
        "1 reminders sent",
    ]
    assert "Jordan" not in out


def test_command_fails_after_reporting_a_failed_send(cast, monkeypatch):
    review(cast["caseworker"])

    def broken(*args, **kwargs):
        raise smtplib.SMTPException("relay refused")

    monkeypatch.setattr(reminders, "send_mail", broken)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("send_review_reminders", "--today", "2016-03-15", stdout=out, stderr=err)
    assert exit_.value.code == 1
    assert out.getvalue().splitlines()[-1] == "0 reminders sent"
    assert "failed, will retry on the next run" in err.getvalue()
    assert "relay refused" in err.getvalue()


def test_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_review_reminders", "--today", "15/03/2016")


def test_command_help_suggests_a_cron_line():
    from reviews.management.commands.send_review_reminders import Command

    assert "15 7 * * * " in Command.help and "send_review_reminders" in Command.help
