"""One follow-up review, one state, on every surface, on every day around its due date; and
one answer to "was this entry logged late?" on every surface.

Before: the same 6-month review read "Overdue" on the case page and "Missed" on the dashboard
and My cases. Every surface now reads casereview.timerules: the case page, My cases (the due
list on the home page), the supervisor dashboard, the timeline's findings, its JSON and the
PDF chronology's table of reviews.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casereview.timerules import ReviewState, TimeRules, add_months
from referrals.models import User
from reviews import pdf, services
from reviews.models import FollowUpReview
from tests import factories

pytestmark = pytest.mark.django_db
GRACE = 14

# Days from today to the 6-month review's due date, and the state every surface must show.
CASES = [
    (45, ReviewState.SCHEDULED),
    (30, ReviewState.DUE_SOON),
    (0, ReviewState.DUE_SOON),
    (-1, ReviewState.OVERDUE),
    (-GRACE, ReviewState.OVERDUE),
    (-GRACE - 1, ReviewState.MISSED),
    (-200, ReviewState.MISSED),
]


def _exit_giving(due_on: dt.date) -> dt.date | None:
    """The exit whose 6-month review is due on `due_on`; None when no exit gives it (no exit
    is due on 31 December: 30 June gives 30 December)."""
    start = add_months(due_on, -6)
    for shift in range(-4, 5):
        exit_on = start + dt.timedelta(days=shift)
        if add_months(exit_on, 6) == due_on:
            return exit_on
    return None


def _reachable_due(today: dt.date, days: int, state) -> dt.date:
    """`today + days`, or the nearest day with the same state when no exit gives that one."""
    rules = TimeRules.current()
    for step in (0, -1, 1, -2, 2):
        due_on = today + dt.timedelta(days=days + step)
        if _exit_giving(due_on) and rules.review_state(due_on=due_on, on=today) == state:
            return due_on
    raise AssertionError(f"no exit gives a review {days} days from {today}")


def _case_with_review(owner, due_on):
    exit_on = _exit_giving(due_on)
    while exit_on is None:  # a day no exit gives: the day before (held-review tests)
        due_on -= dt.timedelta(days=1)
        exit_on = _exit_giving(due_on)
    case = factories.case(owner=owner, received_on=exit_on - dt.timedelta(days=120))
    adopted_on = exit_on - dt.timedelta(days=100)
    services.record_decision(
        case=case,
        user=owner,
        agency=owner.agency,
        kind="adopt",
        rationale="Adopted",
        occurred_on=adopted_on,
        logged_on=adopted_on,
        summary="Adopted",
    )
    services.exit_case(
        case=case,
        user=owner,
        agency=owner.agency,
        occurred_on=exit_on,
        logged_on=exit_on,
        summary="Exited",
        enforce_gate=False,
    )
    return case, FollowUpReview.objects.get(case=case, kind="6_month")


def _surfaces(client, owner, supervisor, case, review) -> dict[str, str]:
    """What each surface says of the review: a state value, or "" where it shows nothing."""
    said = {}
    client.force_login(owner)
    page = client.get(reverse("reviews:case", args=[case.reference]))
    shown = next(r.state_label for r in page.context["reviews"] if r.pk == review.pk)
    assert shown in page.content.decode()
    said["case page"] = {s.label: s.value for s in ReviewState}[shown]
    home = client.get(reverse("reviews:home"))
    due = home.context["due"]
    rows = [r for r in due.rows if r.source == "review" and r.item_id == review.pk]
    said["my cases"] = rows[0].state if rows else ""
    data = client.get(reverse("reviews:timeline-json", args=[case.reference])).json()
    codes = {f["code"] for f in data["findings"]}
    said["timeline json"] = (
        "missed" if "REVIEW_MISSED" in codes else "late" if "REVIEW_LATE" in codes else ""
    )
    pdf_rows = pdf.chronology_data(case, as_of=timezone.localdate())["reviews"]
    pdf_state = next(r["state"] for r in pdf_rows if r["kind"] == review.get_kind_display())
    said["pdf"] = {s.label: s.value for s in ReviewState}[pdf_state]
    client.force_login(supervisor)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get_or_create(user=supervisor, confirmed=True)[
        0
    ].persistent_id
    session.save()
    dash = client.get(reverse("reviews:dashboard"))
    rows = [r for r in dash.context["dash"].page_obj if r.item_id == review.pk]
    said["dashboard"] = rows[0].state if rows else ""
    return said


@pytest.mark.parametrize(("days", "state"), CASES)
def test_an_open_review_reads_the_same_on_every_surface(client, settings, days, state):
    settings.REVIEW_GRACE_DAYS = GRACE
    council = factories.agency("Northshire County Council")
    owner = factories.user("owner", agency_=council)
    supervisor = factories.user("sup", role=User.Role.SUPERVISOR, agency_=council)
    today = timezone.localdate()
    case, review = _case_with_review(owner, _reachable_due(today, days, state))
    assert (
        review.state_on(today)
        == state
        == TimeRules.current().review_state(due_on=review.due_on, on=today)
    )

    said = _surfaces(client, owner, supervisor, case, review)

    listed = state in (ReviewState.DUE_SOON, ReviewState.OVERDUE, ReviewState.MISSED)
    assert said == {
        "case page": state.value,
        "pdf": state.value,
        "my cases": state.value if listed else "",
        "timeline json": "missed" if state == ReviewState.MISSED else "",
        "dashboard": state.value if listed else "",
    }


@pytest.mark.parametrize(
    ("late_by", "state"), [(GRACE, ReviewState.HELD), (GRACE + 1, ReviewState.HELD_LATE)]
)
def test_a_held_review_reads_the_same_on_every_surface(client, settings, late_by, state):
    settings.REVIEW_GRACE_DAYS = GRACE
    council = factories.agency("Northshire County Council")
    owner = factories.user("owner", agency_=council)
    supervisor = factories.user("sup", role=User.Role.SUPERVISOR, agency_=council)
    today = timezone.localdate()
    case, review = _case_with_review(owner, today - dt.timedelta(days=late_by + 5))
    services.conduct_review(
        review=review,
        user=owner,
        conducted_on=review.due_on + dt.timedelta(days=late_by),
        agency=council,
        summary="Reviewed",
        logged_on=review.due_on + dt.timedelta(days=late_by),
    )
    review.refresh_from_db()

    said = _surfaces(client, owner, supervisor, case, review)

    assert said == {
        "case page": state.value,
        "pdf": state.value,
        "my cases": "",
        "timeline json": "late" if state == ReviewState.HELD_LATE else "",
        "dashboard": state.value if state == ReviewState.HELD_LATE else "",
    }


@pytest.mark.parametrize(("days", "state"), [(-1, ReviewState.OVERDUE), (-60, ReviewState.MISSED)])
def test_a_panel_action_reads_the_same_on_the_case_page_and_the_dashboard(
    client, settings, days, state
):
    """Panel actions follow the same due-date rules: 44 demo actions read "Missed" on the
    dashboard and "Overdue" on their case pages before."""
    settings.REVIEW_GRACE_DAYS = GRACE
    council = factories.agency("Northshire County Council")
    owner = factories.user("owner", agency_=council)
    supervisor = factories.user("sup", role=User.Role.SUPERVISOR, agency_=council)
    case = factories.case(owner=owner, received_on=timezone.localdate() - dt.timedelta(days=400))
    action = services.add_panel_action(
        case=case,
        user=owner,
        description="Share the school's records",
        owner=owner,
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )
    client.force_login(owner)
    page = client.get(reverse("reviews:case", args=[case.reference]))
    shown = next(a.state for a in page.context["actions"] if a.pk == action.pk)
    assert shown == state and f">{state.label}</strong>" in page.content.decode()
    client.force_login(supervisor)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get_or_create(user=supervisor, confirmed=True)[
        0
    ].persistent_id
    session.save()
    rows = client.get(reverse("reviews:dashboard")).context["dash"].page_obj
    assert [r.state for r in rows if r.source == "action"] == [state.value]


@pytest.mark.parametrize(("lag", "late"), [(7, False), (8, True), (40, True)])
def test_an_entry_is_logged_late_on_every_surface_or_on_none(client, settings, lag, late):
    """LATE_LOGGING_DAYS (7): logged 7 days after it happened is on time, 8 is late — on the
    case page, the timeline page, the timeline JSON (its finding) and the PDF alike."""
    from referrals import services as intake

    settings.LATE_LOGGING_DAYS = 7
    owner = factories.user("owner", agency_=factories.agency("Northshire County Council"))
    happened = dt.date(2019, 11, 1)
    case = factories.case(owner=owner, received_on=dt.date(2019, 10, 7))
    note = intake.add_note(
        case=case,
        user=owner,
        agency=owner.agency,
        occurred_on=happened,
        logged_on=happened + dt.timedelta(days=lag),
        summary="Spoke to the college",
        late_reason="Away" if lag > 7 else "",
    )
    key = f"casenote:{note.pk}"
    client.force_login(owner)
    page = client.get(reverse("reviews:case", args=[case.reference]))
    said = {"case page": next(r["late"] for r in page.context["records"] if r["pk"] == note.pk)}
    timeline = client.get(reverse("reviews:timeline", args=[case.reference]))
    said["timeline"] = next(
        r.late for r in timeline.context["timeline"].rows if r.entry.record_key == key
    )
    data = client.get(reverse("reviews:timeline-json", args=[case.reference])).json()
    said["timeline json"] = any(f["code"] == "LOGGED_LATE" for f in data["findings"])
    rows = pdf.chronology_data(case, as_of=timezone.localdate())["entries"]
    said["pdf"] = next(r["late_days"] for r in rows if r["record_key"] == key) is not None
    assert said == dict.fromkeys(said, late)
