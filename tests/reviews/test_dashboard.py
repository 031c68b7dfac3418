"""The follow-ups dashboard, its CSV and the caseworker's due list, as the cast of users meets them."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casereview.timerules import add_months
from referrals.models import AccessLog, Agency, User
from referrals.services import void_record
from reviews import services
from reviews.dashboard import (
    DUE_SOON,
    HELD_LATE,
    MISSED,
    OVERDUE,
    PAGE_SIZE,
    Filters,
    build_dashboard,
    dashboard_rows,
    due_list,
)
from reviews.models import FollowUpReview
from reviews.views.dashboard import csv_cell
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
T = D(2016, 3, 15)  # "today" for the service tests


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.REVIEW_GRACE_DAYS = 14


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    return {
        "caseworker": factories.user("caseworker", agency_=council),
        "colleague": factories.user("colleague", agency_=council),
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "chair": factories.user("chair", role=User.Role.PANEL_CHAIR, agency_=council),
        "outsider": factories.user("outsider", agency_=westmoor),
        "other_supervisor": factories.user(
            "other_supervisor", role=User.Role.SUPERVISOR, agency_=westmoor
        ),
        "provider": factories.user("provider", role=User.Role.PROVIDER, agency_=brightpath),
        "inquiry": factories.user(
            "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
        "admin": factories.user("admin", role=User.Role.ADMIN, agency_=westmoor),
    }


def review(owner, due, *, kind="6_month", person_name="Jordan Ashcombe", referring_agency=None):
    """A scheduled review of `kind` due on `due` (the case is exited 6 or 12 months before)."""
    exited = add_months(due, -6 if kind == "6_month" else -12)
    case = factories.case(
        owner=owner,
        received_on=exited - days(40),
        person_name=person_name,
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
    if kind == "12_month":  # keep the earlier 6-month review out of the way
        services.review_not_possible(
            review=FollowUpReview.objects.get(case=case, kind="6_month"),
            user=owner,
            why="Moved away for six months",
        )
    return FollowUpReview.objects.get(case=case, kind=kind)


def held(owner, due, conducted_on):
    item = review(owner, due)
    services.conduct_review(
        review=item,
        user=owner,
        conducted_on=conducted_on,
        logged_on=conducted_on,
        agency=owner.agency,
        summary="Held",
    )
    return item


def action(case, owner, due, description="Send the written briefing to the provider"):
    return services.add_panel_action(
        case=case, user=owner, description=description, owner=owner, due_on=due
    )


def rows(user, today=T, **filters):
    return [
        (r["case_reference"], r["item_kind"], r["days_overdue"], r["item_state"])
        for r in dashboard_rows(user, Filters(**filters), today=today)
    ]


# --- states and their boundary days ------------------------------------------------


def test_each_state_on_its_boundary_days(cast):
    worker = cast["caseworker"]
    shown = {
        "due in 30 days": (review(worker, T + days(30)), DUE_SOON, -30),
        "due today": (review(worker, T), DUE_SOON, 0),
        "1 day past due": (review(worker, T - days(1)), OVERDUE, 1),
        "last day of grace": (review(worker, T - days(14)), OVERDUE, 14),
        "first day missed": (review(worker, T - days(15)), MISSED, 15),
        "held 15 days late, 90 days ago": (
            held(worker, T - days(105), T - days(90)),
            HELD_LATE,
            15,
        ),
        "held 20 days late, today": (held(worker, T - days(20), T), HELD_LATE, 20),
    }
    review(worker, T + days(31))  # not yet in view
    held(worker, T - days(106), T - days(91))  # held late, but more than 90 days ago
    held(worker, T - days(60), T - days(46))  # held 14 days late: within grace
    services.review_not_possible(review=review(worker, T - days(40)), user=worker, why="Moved")
    cancelled = review(worker, T - days(40))
    services.reopen_case(case=cancelled.case, user=worker, reason="New concerns")

    found = {
        r["item_id"]: (r["item_state"], r["days_overdue"])
        for r in dashboard_rows(cast["supervisor"], Filters(), today=T)
    }
    assert found == {item.pk: (state, n) for item, state, n in shown.values()}
    counts = build_dashboard(cast["supervisor"], Filters(), today=T).counts
    assert counts == {OVERDUE: 2, MISSED: 1, DUE_SOON: 2, HELD_LATE: 2}


def test_open_panel_actions_are_in_view_done_and_void_ones_are_not(cast):
    worker = cast["caseworker"]
    case = factories.case(owner=worker)
    overdue = action(case, worker, T - days(3))
    missed = action(case, worker, T - days(30))
    soon = action(case, worker, T + days(7))
    action(case, worker, T + days(31))
    done = action(case, worker, T - days(3))
    services.complete_action(action=done, user=worker, completed_on=T - days(1))
    void = action(case, worker, T - days(3))
    void_record(void, user=worker, reason="Agreed in error")

    found = {
        r["item_id"]: (r["item_kind"], r["item_state"], r["days_overdue"])
        for r in dashboard_rows(cast["supervisor"], Filters(), today=T)
    }
    assert found == {
        overdue.pk: ("action", OVERDUE, 3),
        missed.pk: ("action", MISSED, 30),
        soon.pk: ("action", DUE_SOON, -7),
    }


def test_sorted_by_days_overdue_most_first(cast):
    worker = cast["caseworker"]
    case = factories.case(owner=worker)
    a = action(case, worker, T - days(2))
    r = review(worker, T - days(40))
    b = action(case, worker, T + days(5))
    c = action(case, worker, T - days(20))
    h = held(worker, T - days(60), T - days(30))  # 30 days late when held
    ordered = [
        (x["row_source"], x["item_id"])
        for x in dashboard_rows(cast["supervisor"], Filters(), today=T)
    ]
    assert ordered == [
        ("review", r.pk),
        ("review", h.pk),
        ("action", c.pk),
        ("action", a.pk),
        ("action", b.pk),
    ]
    page = build_dashboard(cast["supervisor"], Filters(), today=T).page_obj
    assert [row.days_overdue for row in page] == [40, 30, 20, 2, 0]  # never negative on the page


# --- who sees what -----------------------------------------------------------------


def test_supervisor_sees_only_cases_their_agency_is_part_of_admin_sees_all(cast):
    ours = review(cast["caseworker"], T - days(3))
    theirs = review(cast["outsider"], T - days(3))
    # Westmoor's case, referred by the council: the council is part of it.
    joint = review(cast["outsider"], T - days(4), referring_agency=cast["caseworker"].agency)

    def seen(user):
        return {r["item_id"] for r in dashboard_rows(user, Filters(), today=T)}

    assert seen(cast["supervisor"]) == {ours.pk, joint.pk}
    assert seen(cast["other_supervisor"]) == {theirs.pk, joint.pk}
    assert seen(cast["admin"]) == {ours.pk, theirs.pk, joint.pk}
    # The choices offered in the filters come from the same scope: no other agency's names.
    result = build_dashboard(cast["supervisor"], Filters(), today=T)
    assert result.agency_choices == [
        (cast["caseworker"].agency_id, "Northshire County Council"),
        (cast["outsider"].agency_id, "Westmoor Police"),
    ]
    assert [name for _, name in result.owner_choices] == ["Caseworker Example", "Outsider Example"]
    assert result.total == 2


def test_due_list_holds_only_what_the_user_owns(cast):
    worker, colleague = cast["caseworker"], cast["colleague"]
    mine = review(worker, T - days(3))
    case = factories.case(owner=worker)
    my_action = action(case, worker, T + days(10))
    review(colleague, T - days(3))
    held(worker, T - days(60), T - days(30))  # held late: done, not on the due list
    due = due_list(worker, today=T)
    assert [(r.source, r.item_id) for r in due.rows] == [
        ("review", mine.pk),
        ("action", my_action.pk),
    ]
    assert not due.more
    assert (
        len(due_list(worker, today=T, limit=1).rows) == 1
        and due_list(worker, today=T, limit=1).more
    )


# --- counts and filters ------------------------------------------------------------


@pytest.fixture
def spread(cast):
    worker, colleague, outsider = cast["caseworker"], cast["colleague"], cast["outsider"]
    case = factories.case(owner=worker)
    review(worker, T - days(3))
    review(worker, T - days(20), kind="12_month")
    review(colleague, T - days(30))
    review(colleague, T + days(3))
    action(case, worker, T - days(1))
    action(case, colleague, T - days(16))
    review(outsider, T - days(2))
    return cast


def test_counts_per_owner_and_per_agency(spread):
    result = build_dashboard(spread["admin"], Filters(), today=T)
    assert result.counts == {OVERDUE: 3, MISSED: 3, DUE_SOON: 1, HELD_LATE: 0}
    by_owner = {row.name: row.counts for row in result.by_owner}
    assert by_owner == {
        "Caseworker Example": {OVERDUE: 2, MISSED: 1, DUE_SOON: 0, HELD_LATE: 0},
        "Colleague Example": {OVERDUE: 0, MISSED: 2, DUE_SOON: 1, HELD_LATE: 0},
        "Outsider Example": {OVERDUE: 1, MISSED: 0, DUE_SOON: 0, HELD_LATE: 0},
    }
    # Most missed first: the people to talk to.
    assert [row.name for row in result.by_owner][0] == "Colleague Example"
    by_agency = {row.name: (row.counts, row.outstanding) for row in result.by_agency}
    assert by_agency == {
        "Northshire County Council": ({OVERDUE: 2, MISSED: 3, DUE_SOON: 1, HELD_LATE: 0}, 6),
        "Westmoor Police": ({OVERDUE: 1, MISSED: 0, DUE_SOON: 0, HELD_LATE: 0}, 1),
    }


def test_filters_by_owner_agency_kind_and_state(spread):
    admin, worker = spread["admin"], spread["caseworker"]
    assert {r[0:2] for r in rows(admin, owner=worker.pk)} == {
        (r["case_reference"], r["item_kind"])
        for r in dashboard_rows(admin, Filters(), today=T)
        if r["item_owner_id"] == worker.pk
    }
    assert len(rows(admin, owner=worker.pk)) == 3
    assert len(rows(admin, agency=spread["outsider"].agency_id)) == 1
    assert [r[1] for r in rows(admin, kind="12_month")] == ["12_month"]
    assert {r[1] for r in rows(admin, kind="action")} == {"action"}
    assert len(rows(admin, kind="6_month")) == 4
    missed = rows(admin, state=MISSED)
    assert [r[2:] for r in missed] == [(30, MISSED), (20, MISSED), (16, MISSED)]
    assert [r[1:] for r in rows(admin, state=DUE_SOON)] == [("6_month", -3, DUE_SOON)]
    assert rows(admin, kind="action", state=MISSED, owner=spread["colleague"].pk)[0][2] == 16
    assert rows(admin, state="no-such-state") == []

    result = build_dashboard(admin, Filters(owner=worker.pk, state=OVERDUE), today=T)
    # Counts take the owner filter but never the state filter; the total takes both.
    assert result.counts == {OVERDUE: 2, MISSED: 1, DUE_SOON: 0, HELD_LATE: 0}
    assert result.total == 2 == len(list(result.page_obj))


def test_pagination_fifty_a_page_without_repeats(cast):
    worker = cast["caseworker"]
    case = factories.case(owner=worker)
    for n in range(PAGE_SIZE + 10):
        action(case, worker, T - days(n % 40))
    first = build_dashboard(cast["supervisor"], Filters(), today=T, page=1)
    second = build_dashboard(cast["supervisor"], Filters(), today=T, page="2")
    assert first.total == 60 and first.page_obj.paginator.num_pages == 2
    assert len(first.page_obj) == 50 and len(second.page_obj) == 10
    ids = [row.item_id for row in first.page_obj] + [row.item_id for row in second.page_obj]
    assert len(set(ids)) == 60
    overdue = [row.days_overdue for row in first.page_obj] + [
        row.days_overdue for row in second.page_obj
    ]
    assert overdue == sorted(overdue, reverse=True)
    assert build_dashboard(cast["supervisor"], Filters(), today=T, page="x").page_obj.number == 1
    # A stale link past the end shows the last page, with its rows.
    past = build_dashboard(cast["supervisor"], Filters(), today=T, page="9")
    assert past.page_obj.number == 2 and [r.item_id for r in past.page_obj] == ids[50:]


def test_open_reviews_are_read_through_the_partial_index(cast):
    from reviews.dashboard import _parts

    review(cast["caseworker"], T - days(3))
    part = _parts(T)[0]  # the open reviews
    if connection.vendor == "postgresql":
        # A tiny table is cheaper to scan; make the planner show what it would use at scale.
        with connection.cursor() as cursor:  # history-safe: planner setting only
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = part.explain()
    else:
        # SQLite's planner (no statistics) joins from the case side for the whole query;
        # the open-reviews filter on its own must still be able to use the partial index.
        from reviews.models import FollowUpReview

        plan = FollowUpReview.objects.filter(state="scheduled", due_on__lt=T).explain()
    assert "review_open_due_idx" in plan


# --- the page ------------------------------------------------------------------------


def url(name="reviews:dashboard", **query):
    from urllib.parse import urlencode

    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def test_anonymous_is_sent_to_sign_in(client):
    for name in ("reviews:dashboard", "reviews:dashboard-csv"):
        response = client.get(url(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["caseworker", "chair", "provider", "inquiry"])
def test_only_supervisors_and_admins_may_open_the_dashboard(client, cast, role):
    client.force_login(cast[role])
    assert client.get(url()).status_code == 403
    assert client.get(url("reviews:dashboard-csv")).status_code == 403
    refused = AccessLog.objects.filter(user=cast[role], outcome=AccessLog.Outcome.REFUSED)
    assert set(refused.values_list("action", flat=True)) == {
        "view-dashboard",
        "export-dashboard-csv",
    }
    assert b"Dashboard</a>" not in client.get(reverse("reviews:home"), follow=True).content


def test_wrong_method_is_refused(client, cast):
    client.force_login(cast["supervisor"])
    assert client.post(url()).status_code == 405
    assert client.post(url("reviews:dashboard-csv")).status_code == 405


def test_supervisor_page_shows_rows_counts_and_logs_the_view(client, cast):
    today = timezone.localdate()
    ours = review(cast["caseworker"], today - days(20), person_name="Robin Ashdown")
    review(cast["outsider"], today - days(5))
    client.force_login(cast["supervisor"])
    response = client.get(url(kind="6_month"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Follow-ups</h1>' in html
    assert "0 overdue, 1 missed, 0 due in the next 30 days" in html
    assert f'href="/cases/{ours.case.reference}/"' in html
    assert "Westmoor Police" not in html  # the other agency's review is not there
    assert "Robin Ashdown" not in html  # no names of referred people on the dashboard
    assert '<strong class="govuk-tag govuk-tag--red">Missed</strong>' in html
    assert 'href="/dashboard.csv?kind=6_month"' in html
    assert 'aria-current="true"' in html and ">Dashboard</strong>" in html
    log = AccessLog.objects.get(user=cast["supervisor"], action="view-dashboard")
    assert log.detail == "kind=6_month" and log.outcome == AccessLog.Outcome.ALLOWED


def test_dashboard_query_count_does_not_grow_with_rows(client, cast, django_assert_max_num_queries):
    today = timezone.localdate()
    worker, colleague = cast["caseworker"], cast["colleague"]
    case = factories.case(owner=worker)
    review(worker, today - days(3))
    review(colleague, today - days(30))
    action(case, worker, today + days(2))
    action(case, colleague, today - days(1))
    review(cast["outsider"], today - days(3), referring_agency=worker.agency)
    client.force_login(cast["supervisor"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url()).status_code == 200
        return len(captured)

    # Session, user, agency, the access log row, the counts, the page, the session save:
    # the bound leaves room for the access log's own bookkeeping, not for one query a row.
    bound = 15
    client.get(url())  # the first access log row of a run may set up its own bookkeeping
    few = queries()
    with django_assert_max_num_queries(bound):
        client.get(url())
    for n in range(55):
        action(case, [worker, colleague][n % 2], today - days(n % 35))
    held(worker, today - days(40), today - days(10))
    with django_assert_max_num_queries(bound):
        response = client.get(url(page=2))
    assert response.context["dash"].total == 61
    assert queries() == few


# --- CSV ----------------------------------------------------------------------------


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_csv_holds_the_filtered_view_every_page_with_iso_dates(client, cast):
    today = timezone.localdate()
    worker = cast["caseworker"]
    case = factories.case(owner=worker)
    for n in range(PAGE_SIZE + 5):
        action(case, worker, today - days(1 + n % 10))
    item = review(worker, today - days(20))
    client.force_login(cast["supervisor"])

    response = client.get(url("reviews:dashboard-csv", state="missed"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="casereview-dashboard-{today.isoformat()}.csv"'
    )
    table = read_csv(response)
    assert table[0] == [
        "case_ref",
        "kind",
        "description",
        "owner",
        "agency",
        "due_on",
        "days_overdue",
        "state",
        "conducted_on",
    ]
    assert table[1:] == [
        [
            item.case.reference,
            "6_month",
            "",
            "Caseworker Example",
            "Northshire County Council",
            (today - days(20)).isoformat(),
            "20",
            "missed",
            "",
        ]
    ]
    everything = read_csv(client.get(url("reviews:dashboard-csv", page=1)))
    assert len(everything) == 1 + 56  # every page, not only the first
    logs = AccessLog.objects.filter(action="export-dashboard-csv", user=cast["supervisor"])
    assert list(logs.order_by("id").values_list("detail", flat=True)) == ["state=missed", "page=1"]


def test_csv_neutralises_formulas(client, cast):
    today = timezone.localdate()
    council = cast["caseworker"].agency
    evil = factories.user("evil", agency_=council)
    evil.first_name, evil.last_name = '=HYPERLINK("http://example.invalid","click")', ""
    evil.save()
    item = review(evil, today - days(2), person_name='=HYPERLINK("http://example.invalid")')
    for text in ("+SUM(A1)", "-2+3", "@cmd", "\tTabbed", "\rReturn", "'quoted already"):
        action(item.case, evil, today - days(1), description=text)
    client.force_login(cast["supervisor"])

    body = client.get(url("reviews:dashboard-csv")).content.decode()
    table = read_csv(client.get(url("reviews:dashboard-csv")))
    owners = {row[3] for row in table[1:]}
    assert owners == {'\'=HYPERLINK("http://example.invalid","click")'}
    assert sorted(row[2] for row in table[1:] if row[1] == "action") == sorted(
        ["'+SUM(A1)", "'-2+3", "'@cmd", "'\tTabbed", "'\rReturn", "'quoted already"]
    )
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert 'example.invalid")\r' not in body and "Ashcombe" not in body
    # The referred person's name is not exported at all.
    assert '=HYPERLINK("http://example.invalid")' not in body.replace("'=", "")


def test_csv_cell():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("plain") == "plain"
    assert csv_cell(None) == "" and csv_cell(5) == "5"


# --- home page --------------------------------------------------------------------------


def test_home_shows_the_caseworkers_own_due_list(client, cast, django_assert_max_num_queries):
    today = timezone.localdate()
    worker = cast["caseworker"]
    mine = review(worker, today - days(3))
    review(cast["colleague"], today - days(3))
    client.force_login(worker)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reviews:home"))
    html = response.content.decode()
    assert "Your follow-ups due and overdue" in html
    assert [row.item_id for row in response.context["due"].rows] == [mine.pk]
    assert f'href="/cases/{mine.case.reference}/"' in html
    case = factories.case(owner=worker)
    for n in range(30):
        action(case, worker, today - days(n))
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reviews:home"))
    assert len(response.context["due"].rows) == 31
    # Not on the other case lists.
    assert "Your follow-ups" not in client.get(reverse("referrals:case-list")).content.decode()


def test_supervisor_home_has_the_dashboard_link(client, cast):
    client.force_login(cast["supervisor"])
    html = client.get(reverse("reviews:home")).content.decode()
    assert f'href="{reverse("reviews:dashboard")}">Dashboard</a>' in html


def test_review_held_late_shows_why_it_was_logged_late(client, cast):
    today = timezone.localdate()
    item = review(cast["caseworker"], today - days(60))
    services.conduct_review(
        review=item,
        user=cast["caseworker"],
        conducted_on=today - days(30),
        logged_on=today,
        agency=cast["caseworker"].agency,
        summary="Held",
        late_reason="IT issue",
    )
    client.force_login(cast["supervisor"])
    html = client.get(url(state="held_late")).content.decode()
    assert "Held late" in html and "Reason logged late: IT issue" in html
