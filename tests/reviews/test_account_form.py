"""The agency-account form catches a belief the record contradicts before it is saved (issue 17).

The form shows what the record says on the account's date; an account that believes more (the
BELIEF_EXCEEDS_RECORD rule of reviews.chronology.findings, the one the timeline uses) comes back
with a warning and is saved once "Save this account as the agency stated it" is ticked.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Agency, User
from reviews import services
from reviews.chronology.findings import compute_findings
from reviews.chronology.query import entries_for_case
from reviews.models import AgencyAccount
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
ACCOUNT_DAY = D(2015, 1, 20)
WARNING = "Save it anyway if that is what the agency believed — the timeline will show the gap."


def _date(name: str, value: dt.date, *, month_only: bool = False) -> dict:
    return {
        f"{name}_0": "" if month_only else str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    panel = factories.agency("Northshire Channel Panel", Agency.Kind.CHANNEL_PANEL)
    provider = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    worker = factories.user("caseworker", agency_=council)
    case = factories.case(owner=worker, received_on=D(2014, 10, 7), reference="CR-2014-00017")
    assignment = services.assign_provider(
        case=case,
        user=worker,
        agency=provider,
        occurred_on=D(2014, 12, 1),
        logged_on=D(2014, 12, 1),
        summary="Brightpath Mentoring commissioned (fictional).",
        require_late_reason=False,
    )
    return {
        "caseworker": worker,
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "panel": panel,
        "provider": provider,
        "case": case,
        "assignment": assignment,
    }


def session(cast, day: dt.date, status: str = "held"):
    return services.record_session(
        case=cast["case"],
        user=cast["caseworker"],
        agency=cast["provider"],
        assignment=cast["assignment"],
        occurred_on=day,
        logged_on=day,
        status=status,
        summary=f"Mentoring session {status} (fictional).",
        require_late_reason=False,
    )


def account_data(cast, day=ACCOUNT_DAY, *, month_only=False, **overrides) -> dict:
    return {
        "agency": cast["panel"].pk,
        **_date("occurred", day, month_only=month_only),
        **_date("logged", day),
        "source_kind": "minutes",
        "source": "Channel minutes (fictional)",
        "sessions_believed": "",
        "believed_status": "",
        "summary": "The panel's minutes (fictional).",
        "late_reason": "",
        **overrides,
    }


def url(cast) -> str:
    return reverse("reviews:account-new", args=[cast["case"].reference])


def token(html: str) -> str:
    return re.search(r'name="confirm_gap" type="checkbox" value="([0-9a-f]+)"', html).group(1)


def post_twice(client, cast, data, warning: str):
    """First send: a warning and nothing saved; second, confirmed: saved."""
    client.force_login(cast["caseworker"])
    first = client.post(url(cast), data)
    html = first.content.decode()
    assert first.status_code == 200
    assert f"{warning} {WARNING}" in html
    assert "Save this account as the agency stated it" in html
    assert not AgencyAccount.objects.exists()
    saved = client.post(url(cast), {**data, "confirm_gap": token(html)})
    assert saved.status_code == 302 and saved["Location"] == f"/cases/{cast['case'].reference}/"
    return AgencyAccount.objects.get()


def belief_findings(cast) -> list[str]:
    today = timezone.localdate()
    return [
        f.message
        for f in compute_findings(entries_for_case(cast["case"]), as_of=today)
        if f.code == "BELIEF_EXCEEDS_RECORD"
    ]


def test_more_sessions_believed_than_held_warns_then_saves_and_is_a_finding(client, cast):
    session(cast, D(2015, 1, 17))
    account = post_twice(
        client,
        cast,
        account_data(cast, sessions_believed="4"),
        "The record shows 1 session held, the last on 17 January 2015; this account says 4.",
    )
    assert account.sessions_believed == 4  # saved as the agency stated it
    assert belief_findings(cast) == [
        "Northshire Channel Panel believed 4 sessions had been held by 20 January 2015, "
        "but 1 was recorded."
    ]
    timeline = client.get(reverse("reviews:timeline-json", args=[cast["case"].reference])).json()
    assert [f["code"] for f in timeline["findings"]].count("BELIEF_EXCEEDS_RECORD") == 1


def test_none_held_says_so(client, cast):
    post_twice(
        client,
        cast,
        account_data(cast, sessions_believed="2"),
        "The record shows no session held by 20 January 2015; this account says 2.",
    )


def test_ongoing_with_nothing_held_lately_and_none_planned_warns(client, cast):
    session(cast, D(2015, 1, 17))
    post_twice(
        client,
        cast,
        account_data(cast, D(2015, 3, 12), believed_status="ongoing"),
        "The record shows no session held in the 28 days up to 12 March 2015 (the last on "
        "17 January 2015) and none planned after; this account says the intervention was ongoing.",
    )
    assert len(belief_findings(cast)) == 1


def test_ongoing_with_a_session_planned_after_saves_first_time(client, cast):
    session(cast, D(2015, 1, 17))
    services.plan_session(
        case=cast["case"],
        user=cast["caseworker"],
        agency=cast["provider"],
        assignment=cast["assignment"],
        occurred_on=D(2015, 3, 20),
        logged_on=D(2015, 3, 1),
        summary="Session arranged (fictional).",
    )
    client.force_login(cast["caseworker"])
    response = client.post(url(cast), account_data(cast, D(2015, 3, 12), believed_status="ongoing"))
    assert response.status_code == 302
    assert AgencyAccount.objects.count() == 1 and belief_findings(cast) == []


def test_completed_with_no_session_held_warns(client, cast):
    session(cast, D(2015, 1, 17), status="cancelled")  # cancelled is not held
    post_twice(
        client,
        cast,
        account_data(cast, believed_status="completed"),
        "The record shows no session held by 20 January 2015; "
        "this account says the intervention was completed.",
    )
    assert len(belief_findings(cast)) == 1


def test_an_account_the_record_bears_out_saves_first_time(client, cast):
    session(cast, D(2015, 1, 17))
    client.force_login(cast["caseworker"])
    data = account_data(cast, sessions_believed="1", believed_status="ongoing")
    response = client.post(url(cast), data)
    assert response.status_code == 302
    assert AgencyAccount.objects.get().sessions_believed == 1
    assert belief_findings(cast) == []


def test_a_voided_session_does_not_bear_an_account_out(client, cast):
    from referrals.services import void_record

    void_record(session(cast, D(2015, 1, 17)), user=cast["caseworker"], reason="Wrong case")
    client.force_login(cast["caseworker"])
    response = client.post(url(cast), account_data(cast, sessions_believed="1"))
    assert response.status_code == 200 and WARNING in response.content.decode()


def test_a_confirmation_holds_for_the_account_it_was_given_for(client, cast):
    session(cast, D(2015, 1, 17))
    client.force_login(cast["caseworker"])
    first = client.post(url(cast), account_data(cast, sessions_believed="4"))
    confirmed = token(first.content.decode())
    # Changed to 6 while ticking: the warning was about 4, so it is asked again.
    again = client.post(
        url(cast), {**account_data(cast, sessions_believed="6"), "confirm_gap": confirmed}
    )
    assert again.status_code == 200
    assert "this account says 6." in again.content.decode()
    assert not AgencyAccount.objects.exists()
    # Not ticked: asked again, nothing saved.
    assert client.post(url(cast), account_data(cast, sessions_believed="4")).status_code == 200
    assert (
        client.post(
            url(cast), {**account_data(cast, sessions_believed="4"), "confirm_gap": "x"}
        ).status_code
        == 200
    )
    assert not AgencyAccount.objects.exists()


def test_the_form_shows_the_record_today_then_on_the_accounts_date(client, cast):
    session(cast, D(2015, 1, 17))
    session(cast, D(2015, 2, 10))
    services.issue_briefing(
        case=cast["case"],
        user=cast["caseworker"],
        assignment=cast["assignment"],
        agency=cast["panel"],
        occurred_on=D(2015, 1, 5),
        logged_on=D(2015, 1, 5),
        issued_by="Panel chair (fictional)",
        document_ref="BR-1",
        summary="Written briefing (fictional).",
        require_late_reason=False,
    )
    client.force_login(cast["caseworker"])
    today = timezone.localdate()
    html = client.get(url(cast)).content.decode()
    assert f"What the record shows on {today.day} " in html
    assert "2, the last on 10 February 2015" in html
    assert "Issued on 5 January 2015 by Northshire Channel Panel" in html
    assert 'name="confirm_gap"' not in html and WARNING not in html

    # Sent with a date and an error elsewhere: the record on that date, and the warning at
    # once with the other error (tests/reviews/test_loop_pages.py: every error in the summary).
    html = client.post(
        url(cast), account_data(cast, D(2015, 1, 4), sessions_believed="3", summary="")
    ).content.decode()
    assert "What the record shows on 4 January 2015" in html
    assert "None issued by then" in html and WARNING in html
    assert re.search(r"Sessions held</dt>\s*<dd[^>]*>None</dd>", html)
    assert not AgencyAccount.objects.exists()


def test_a_month_only_account_is_judged_at_the_months_end(client, cast):
    session(cast, D(2015, 1, 17))
    client.force_login(cast["caseworker"])
    data = account_data(cast, D(2015, 1, 1), month_only=True, sessions_believed="2")
    data.update(_date("logged", D(2015, 2, 1)))
    html = client.post(url(cast), data).content.decode()
    assert "What the record shows by the end of January 2015" in html
    assert (
        "The record shows 1 session held, the last on 17 January 2015; this account says 2." in html
    )


def test_outsiders_cannot_reach_the_form(client, cast):
    outsider = factories.user(
        "outsider", agency_=factories.agency("Westmoor Police", Agency.Kind.POLICE)
    )
    client.force_login(outsider)
    assert client.get(url(cast)).status_code == 404
    assert client.post(url(cast), account_data(cast, sessions_believed="4")).status_code == 404
    assert not AgencyAccount.objects.exists()


def test_wrong_method_is_refused(client, cast):
    client.force_login(cast["caseworker"])
    assert client.put(url(cast)).status_code == 405
