"""Cases gone quiet (issue 17): adopted, not exited, nothing recorded in NO_CONTACT_DAYS.

The rule (reviews.quiet), the supervisor dashboard's list and counts (reviews.loop_lists), and the
owner's reminder and the supervisors' escalation (reviews.reminders), once per quiet period.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from referrals import services as intake
from referrals.models import Agency, User
from referrals.services import void_record
from reviews import reminders, services
from reviews.dashboard import Filters, build_dashboard
from reviews.models import ReminderSent
from reviews.quiet import quiet_cases
from reviews.reminders import send_due_reminders
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
ADOPTED = D(2016, 1, 4)
LAST = D(2016, 2, 1)  # the last contact in most tests
PERSON = "Jordan Ashcombe"


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.NO_CONTACT_DAYS = 28
    settings.NO_CONTACT_ESCALATE_DAYS = 14
    settings.SITE_URL = "https://casereview.example"


def member(username, agency, role=User.Role.CASEWORKER):
    user = factories.user(username, role=role, agency_=agency)
    user.email = f"{username}@example.com"
    user.save()
    return user


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    return {
        "council": council,
        "panel": factories.agency("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL),
        "provider": factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER),
        "caseworker": member("caseworker", council),
        "supervisor": member("supervisor", council, User.Role.SUPERVISOR),
        "deputy": member("deputy", council, User.Role.SUPERVISOR),
        "outsider": member("outsider", westmoor),
        "other_supervisor": member("other_supervisor", westmoor, User.Role.SUPERVISOR),
        "admin": member("admin", westmoor, User.Role.ADMIN),
    }


def adopted_case(cast, owner=None, *, on=ADOPTED, reference=""):
    owner = owner or cast["caseworker"]
    case = factories.case(
        owner=owner, received_on=on - days(30), person_name=PERSON, reference=reference
    )
    services.record_decision(
        case=case,
        user=owner,
        kind="adopt",
        rationale="Support agreed (fictional).",
        agency=cast["panel"],
        occurred_on=on,
        logged_on=on,
        summary="Adopted",
        require_late_reason=False,
    )
    return case


def contact(cast, case, on=LAST, *, month_only=False):
    return intake.log_contact(
        case=case,
        user=cast["caseworker"],
        kind="call",
        agency=cast["council"],
        occurred_on=on.replace(day=1) if month_only else on,
        month_only=month_only,
        logged_on=on,
        summary="Phoned the family (fictional).",
        require_late_reason=False,
    )


def quiet(today) -> dict[str, dt.date]:
    return {c.reference: c.last_activity_on for c in quiet_cases(today)}


# --- the rule -----------------------------------------------------------------------


def test_listed_on_day_29_after_the_last_contact_not_on_day_28(cast):
    case = adopted_case(cast)
    contact(cast, case)
    assert quiet(LAST + days(28)) == {}
    assert quiet(LAST + days(29)) == {case.reference: LAST}


def test_adoption_starts_the_clock_when_nothing_is_recorded_after_it(cast):
    case = adopted_case(cast)
    assert quiet(ADOPTED + days(28)) == {}
    assert quiet(ADOPTED + days(29)) == {case.reference: ADOPTED}


def test_sessions_of_any_status_and_panel_meetings_are_activity(cast):
    case = adopted_case(cast)
    assignment = services.assign_provider(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider"],
        occurred_on=ADOPTED,
        logged_on=ADOPTED,
        summary="Provider commissioned (fictional).",
        require_late_reason=False,
    )
    services.record_session(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider"],
        assignment=assignment,
        occurred_on=D(2016, 2, 10),
        logged_on=D(2016, 2, 10),
        status="cancelled",
        summary="Cancelled by the provider (fictional).",
        require_late_reason=False,
    )
    held_on = D(2016, 2, 10)
    assert quiet(held_on + days(28)) == {}
    assert quiet(held_on + days(29)) == {case.reference: held_on}
    services.plan_session(
        case=case,
        user=cast["caseworker"],
        agency=cast["provider"],
        assignment=assignment,
        occurred_on=D(2016, 3, 20),
        logged_on=D(2016, 3, 1),
        summary="Session arranged (fictional).",
    )
    # Planned for a later day: not activity yet; once its day has come, it is.
    assert quiet(held_on + days(29)) == {case.reference: held_on}
    assert quiet(D(2016, 4, 17)) == {}
    assert quiet(D(2016, 4, 18)) == {case.reference: D(2016, 3, 20)}
    services.record_panel_meeting(
        case=case,
        user=cast["caseworker"],
        agency=cast["panel"],
        occurred_on=D(2016, 4, 1),
        logged_on=D(2016, 4, 1),
        summary="Panel reviewed progress (fictional).",
        require_late_reason=False,
    )
    assert quiet(D(2016, 4, 18)) == {}
    assert quiet(D(2016, 4, 30)) == {case.reference: D(2016, 4, 1)}


def test_a_month_only_contact_counts_as_the_last_day_of_its_month(cast):
    case = adopted_case(cast)
    contact(cast, case, D(2016, 2, 29), month_only=True)  # "in February 2016"
    assert quiet(D(2016, 3, 28)) == {}
    assert quiet(D(2016, 3, 29)) == {case.reference: D(2016, 2, 29)}


def test_not_listed_when_exited_or_not_adopted_listed_when_activity_is_void(cast):
    worker = cast["caseworker"]
    never_adopted = factories.case(owner=worker, received_on=ADOPTED)
    contact(cast, never_adopted, ADOPTED)
    exited = adopted_case(cast)
    services.exit_case(
        case=exited,
        user=worker,
        agency=cast["panel"],
        occurred_on=D(2016, 1, 20),
        logged_on=D(2016, 1, 20),
        summary="Exited",
        enforce_gate=False,
        require_late_reason=False,
    )
    voided = adopted_case(cast)
    void_record(contact(cast, voided), user=worker, reason="Entered on the wrong case")
    adoption_voided = adopted_case(cast)
    void_record(
        adoption_voided.paneldecision_records.get(), user=worker, reason="Recorded in error"
    )
    assert quiet(LAST + days(29)) == {voided.reference: ADOPTED}
    services.reopen_case(case=exited, user=worker, reason="New concerns (fictional)")
    assert set(quiet(LAST + days(29))) == {voided.reference, exited.reference}


# --- reminders -----------------------------------------------------------------------


def sent(today):
    return sorted(
        (r.kind, r.recipient.username, r.item.reference)
        for r in send_due_reminders(today).sent
        if r.is_case
    )


def test_owner_reminded_once_per_period_even_when_run_twice(cast, mailoutbox):
    case = adopted_case(cast)
    contact(cast, case)
    assert sent(LAST + days(28)) == []
    assert sent(LAST + days(29)) == [("quiet", "caseworker", case.reference)]
    assert sent(LAST + days(29)) == []
    assert sent(LAST + days(35)) == []
    row = ReminderSent.objects.get(case=case)
    assert (row.kind, row.due_on, row.review, row.action) == ("quiet", LAST, None, None)
    (email,) = [m for m in mailoutbox if "quiet" in m.subject.lower()]
    assert email.to == ["caseworker@example.com"]
    assert email.subject == f"Gone quiet: no contact recorded on {case.reference} for 29 days"
    assert "Nothing recorded since: 1 February 2016" in email.body
    assert f"https://casereview.example/cases/{case.reference}/" in email.body
    for part in (PERSON, *PERSON.split()):
        assert part not in email.subject and part not in email.body


def test_new_activity_then_quiet_again_is_a_new_period(cast):
    case = adopted_case(cast)
    contact(cast, case)
    assert sent(LAST + days(29)) == [("quiet", "caseworker", case.reference)]
    again = LAST + days(33)
    contact(cast, case, again)
    assert sent(again + days(28)) == []
    assert sent(again + days(29)) == [("quiet", "caseworker", case.reference)]
    assert list(ReminderSent.objects.order_by("due_on").values_list("due_on", flat=True)) == [
        LAST,
        again,
    ]


def test_escalated_once_to_the_owners_agency_supervisors(cast, mailoutbox):
    case = adopted_case(cast)
    contact(cast, case)
    assert sent(LAST + days(29)) == [("quiet", "caseworker", case.reference)]
    assert sent(LAST + days(42)) == []
    escalated = [("quiet_escalation", name, case.reference) for name in ("deputy", "supervisor")]
    assert sent(LAST + days(43)) == escalated
    assert sent(LAST + days(43)) == []
    assert sent(LAST + days(60)) == []
    email = next(m for m in mailoutbox if m.to == ["supervisor@example.com"])
    assert email.subject == (
        f"Escalation: {case.reference} has had no contact recorded for 43 days"
    )
    assert "you supervise its owner's agency" in email.body
    assert not ReminderSent.objects.filter(recipient=cast["other_supervisor"]).exists()


def test_a_missed_run_sends_both_on_the_next_and_an_inactive_owner_gets_nothing(cast):
    case = adopted_case(cast)
    contact(cast, case)
    assert sent(LAST + days(50)) == [
        ("quiet", "caseworker", case.reference),
        ("quiet_escalation", "deputy", case.reference),
        ("quiet_escalation", "supervisor", case.reference),
    ]
    other = adopted_case(cast, member("leaver", cast["council"]))
    contact(cast, other)
    User.objects.filter(username="leaver").update(is_active=False)
    assert sent(LAST + days(51)) == [
        ("quiet_escalation", "deputy", other.reference),
        ("quiet_escalation", "supervisor", other.reference),
    ]


def test_overlapping_runs_send_each_once(cast, mailoutbox):
    """Run A found its work; run B sends it all first; A's inserts then fail and A skips them."""
    case = adopted_case(cast)
    contact(cast, case)
    today = LAST + days(43)
    run_a = reminders._quiet_reminders(today)
    assert len(run_a) == 3
    assert len(send_due_reminders(today).sent) == 3  # run B
    assert [reminders._send(reminder, today) for reminder in run_a] == [False] * 3
    assert ReminderSent.objects.filter(case=case).count() == 3


def test_the_command_picks_them_up(cast):
    import io

    from django.core.management import call_command

    case = adopted_case(cast)
    contact(cast, case)
    out = io.StringIO()
    call_command("send_review_reminders", "--today", "2016-03-01", "-v", "2", stdout=out)
    assert f"sent: quiet case {case.reference} quiet since 2016-02-01 to caseworker" in (
        out.getvalue().splitlines()
    )
    assert "Jordan" not in out.getvalue()


def test_the_task_picks_them_up(cast):
    from reviews.tasks import send_reminders

    case = adopted_case(cast)
    contact(cast, case)
    result = send_reminders.call("2016-03-01")
    assert result["sent"] >= 1
    assert ReminderSent.objects.filter(case=case, kind="quiet").exists()


# --- the dashboard ---------------------------------------------------------------------


def test_dashboard_lists_quiet_cases_and_counts_them_per_owner_and_agency(cast):
    colleague = member("colleague", cast["council"])
    first = adopted_case(cast, reference="CR-2016-00001")
    contact(cast, first)
    second = adopted_case(cast, colleague, reference="CR-2016-00002")
    contact(cast, second, LAST + days(2))
    busy = adopted_case(cast, reference="CR-2016-00003")
    contact(cast, busy, LAST + days(20))
    theirs = adopted_case(cast, cast["outsider"], reference="CR-2016-00004")
    contact(cast, theirs)
    today = LAST + days(31)

    result = build_dashboard(cast["supervisor"], Filters(), today=today)
    (loop,) = [loop for loop in result.loops if loop.spec.key == "quiet"]
    assert [(r.case_reference, r.owner_name, r.since, r.days) for r in loop.rows] == [
        ("CR-2016-00001", "Caseworker Example", LAST, 31),
        ("CR-2016-00002", "Colleague Example", LAST + days(2), 29),
    ]
    assert loop.total == 2
    assert {row.name: row.loops["quiet"] for row in result.by_owner} == {
        "Caseworker Example": 1,
        "Colleague Example": 1,
    }
    assert {row.name: row.loops["quiet"] for row in result.by_agency} == {
        "Northshire County Council": 2
    }
    filtered = build_dashboard(cast["supervisor"], Filters(owner=colleague.pk), today=today)
    assert [r.case_reference for r in filtered.loops[0].rows] == ["CR-2016-00002"]
    assert filtered.loops[0].total == 1

    # Another agency's supervisor sees their own only; an administrator sees every one.
    other = build_dashboard(cast["other_supervisor"], Filters(), today=today)
    assert [r.case_reference for r in other.loops[0].rows] == ["CR-2016-00004"]
    assert {row.name for row in other.by_owner} == {"Outsider Example"}
    assert build_dashboard(cast["admin"], Filters(), today=today).loops[0].total == 3
    # The busy case (a contact 11 days ago) is in none of them.


def test_dashboard_page_shows_the_list_and_count_links(client, cast, settings):
    from django.utils import timezone

    today = timezone.localdate()
    case = adopted_case(cast, on=today - days(60), reference="CR-2016-00010")
    contact(cast, case, today - days(40))
    client.force_login(cast["supervisor"])
    page = client.get(reverse("reviews:dashboard")).content.decode()
    assert 'id="quiet"' in page and "Cases gone quiet" in page
    assert "no session, contact or panel meeting recorded in the last 28 days" in page
    assert page.index("By owner") < page.index('id="quiet"')
    owner = cast["caseworker"].pk
    assert (
        f'href="?owner={owner}#quiet">1<span class="govuk-visually-hidden"> case gone quiet for'
        in page
    )
    assert f'href="?agency={cast["council"].pk}#quiet">1<span' in page
    assert f'<a class="govuk-link" href="/cases/{case.reference}/">{case.reference}</a>' in page
    filtered = client.get(reverse("reviews:dashboard"), {"owner": owner})
    assert filtered.context["dash"].loops[0].total == 1
    assert "No case has gone quiet." not in filtered.content.decode()
    client.force_login(cast["other_supervisor"])
    page = client.get(reverse("reviews:dashboard")).content.decode()
    assert case.reference not in page and "No case has gone quiet." in page
