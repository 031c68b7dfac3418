"""Hostile text in every free-text field: stored as typed, escaped in pages, neutralised in CSV."""

import datetime as dt

import pytest
from django.urls import reverse

from referrals.models import Agency, Case, CaseNote, Contact
from reviews.models import AgencyAccount
from tests import factories

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert('x')</script>",
    "svg": '"><svg onload=alert(1)>',
    "formula": '=HYPERLINK("http://evil.example","click")',
    "rtl": "Session held \u202egnp.exe",
    "long": "Long account. " * 700,
}
TODAY = dt.date.today()
DAY = {"occurred_0": str(TODAY.day), "occurred_1": str(TODAY.month), "occurred_2": str(TODAY.year)}


@pytest.fixture
def setting():
    user = factories.user("caseworker")
    case = factories.case(owner=user, received_on=TODAY - dt.timedelta(days=30))
    return user, case


FORMS = {
    # url name: (base POST data, free-text fields, model, text field to read back)
    "referrals:contact-new": (
        lambda agency: {
            **DAY,
            "kind": "call",
            "agency": agency,
            "with_whom": "",
            "summary": "ok",
            "source": "",
            "late_reason": "",
        },
        ["summary", "with_whom", "source", "late_reason"],
        Contact,
    ),
    "referrals:note-new": (
        lambda agency: {**DAY, "agency": agency, "summary": "ok", "source": "", "late_reason": ""},
        ["summary", "source", "late_reason"],
        CaseNote,
    ),
    "reviews:account-new": (
        lambda agency: {
            **DAY,
            "agency": agency,
            "source_kind": "email",
            "source": "",
            # Nothing the record contradicts (else the form asks to confirm it first).
            "sessions_believed": "0",
            "believed_status": "not_started",
            "summary": "ok",
            "late_reason": "",
        },
        ["summary", "source", "late_reason"],
        AgencyAccount,
    ),
}
MAX_LENGTH = {"with_whom": 200, "source": 255, "late_reason": 2_000, "summary": 20_000}


@pytest.mark.parametrize("url_name", list(FORMS))
@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_free_text_is_stored_as_typed_and_shown_escaped(client, setting, url_name, payload):
    user, case = setting
    client.force_login(user)
    make_data, fields, model = FORMS[url_name]
    text = PAYLOADS[payload]
    for field in fields:
        data = make_data(user.agency.pk)
        data[field] = text
        response = client.post(reverse(url_name, args=[case.reference]), data)
        if len(text) > MAX_LENGTH.get(field, 10**9):
            assert response.status_code == 200
            body = response.content.decode()
            limit = MAX_LENGTH[field]
            assert f"at most {limit} characters" in body or f"{limit:,} characters or less" in body
            continue
        assert response.status_code == 302, (field, response.content.decode()[:2000])
        record = model.objects.latest("pk")
        assert getattr(record, field) == text.strip()
    page = client.get(reverse("reviews:case", args=[case.reference])).content.decode()
    timeline = client.get(reverse("reviews:timeline", args=[case.reference])).content.decode()
    for html in (page, timeline):
        assert "<script>alert" not in html and "<svg onload" not in html
    if payload == "script":
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    csv = client.get(reverse("reviews:chronology-csv", args=[case.reference])).content.decode()
    if payload == "formula":
        assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv


def test_nul_bytes_are_refused_with_a_message(client, setting):
    user, case = setting
    client.force_login(user)
    make_data, _, _ = FORMS["referrals:note-new"]
    data = make_data(user.agency.pk)
    data["summary"] = "before\x00after"
    response = client.post(reverse("referrals:note-new", args=[case.reference]), data)
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_hostile_person_name_is_escaped_in_lists(client, setting):
    user, _ = setting
    factories.case(owner=user, person_name="<img src=x onerror=alert(1)>")
    client.force_login(user)
    html = client.get(reverse("reviews:home")).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert Case.objects.filter(person__display_name="<img src=x onerror=alert(1)>").exists()


def test_hostile_agency_name_is_escaped(client, setting):
    user, case = setting
    evil = Agency.objects.create(name="<b onmouseover=alert(1)>Evil</b>")
    client.force_login(user)
    make_data, _, _ = FORMS["referrals:note-new"]
    assert (
        client.post(
            reverse("referrals:note-new", args=[case.reference]), make_data(evil.pk)
        ).status_code
        == 302
    )
    html = client.get(reverse("reviews:timeline", args=[case.reference])).content.decode()
    assert "<b onmouseover" not in html
