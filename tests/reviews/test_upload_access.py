"""The chronology upload without a case (`/cases/import/`) writes only where its uploader may.

Every row goes through the same "may this user change this case" decision as the forms: a
case the uploader may not change is refused with the same sentence whether it exists or not,
nothing of the file is kept, the case is not touched and gives the uploader's agency no access,
and the attempt is in the access log. Rows are written in the uploader's own agency's name
unless their role merges agencies' chronologies (panel chair, administrator).
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from referrals import services as intake
from referrals.models import AccessLog, Agency, Case, CaseNote, User
from reviews.models import PanelMeeting
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
HEADER = "case_ref,subject,agency,entry_type,occurred_on,summary,risk_level\n"


@pytest.fixture
def world():
    council = factories.agency("Northshire County Council")
    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    provider_agency = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    cast = {
        "caseworker": factories.user("caseworker", agency_=council),
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "chair": factories.user("chair", role=User.Role.PANEL_CHAIR, agency_=council),
        "police": factories.user("police", agency_=police),
        "outsider": factories.user("outsider", agency_=westmoor),
        "westmoor-chair": factories.user(
            "westmoor-chair", role=User.Role.PANEL_CHAIR, agency_=westmoor
        ),
        "provider": factories.user("provider", role=User.Role.PROVIDER, agency_=provider_agency),
        "inquiry": factories.user(
            "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
        "admin": factories.user("admin", role=User.Role.ADMIN, agency_=westmoor),
    }
    # Council's case, referred by Northshire Police: not Westmoor's.
    cast["case"] = factories.case(
        owner=cast["caseworker"],
        referring_agency=police,
        received_on=D(2019, 10, 7),
        reference="CR-2019-00001",
    )
    return cast


def _sign_in(client, user):
    client.force_login(user)
    if user.role == User.Role.ADMIN:
        device = TOTPDevice.objects.create(user=user, confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()


def _upload(client, text, name="rows.csv", url=None):
    return client.post(
        url or reverse("reviews:chronology-import"),
        {"file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def _errors(response) -> str:
    return response.content.decode() if response.status_code == 200 else ""


# The matrix: (target case, agency of the rows) -> what each role gets.
#   "ok"      imported
#   "case"    refused at case_ref (not a case the user may add to)
#   "agency"  refused at agency (own agency's rows only)
#   403       may not upload without a case at all
TARGETS = ("visible", "invisible", "unknown", "new")
AGENCIES = ("own", "other")
# A role that uploads its own agency's rows only (caseworker, supervisor) ...
OWN_AGENCY_ONLY = {
    ("visible", "own"): "ok",
    ("visible", "other"): "agency",
    ("invisible", "own"): "case",
    ("invisible", "other"): "case",
    ("unknown", "own"): "case",
    ("unknown", "other"): "case",
    ("new", "own"): "ok",
    ("new", "other"): "agency",
}
# ... and one that merges agencies' chronologies (panel chair).
MERGING = {**OWN_AGENCY_ONLY, ("visible", "other"): "ok", ("new", "other"): "ok"}
EXPECTED = {
    "caseworker": OWN_AGENCY_ONLY,
    "supervisor": OWN_AGENCY_ONLY,
    "chair": MERGING,
    # The outsider's "visible" case is their own agency's; the council case is invisible to them.
    "outsider": OWN_AGENCY_ONLY,
    "westmoor-chair": MERGING,
    "provider": dict.fromkeys(((t, a) for t in TARGETS for a in AGENCIES), 403),
    "inquiry": dict.fromkeys(((t, a) for t in TARGETS for a in AGENCIES), 403),
    # An administrator may change every case, so none is invisible to them; an unknown
    # reference is refused to them too (a new case is named NEW in a browser upload).
    "admin": {
        **dict.fromkeys(((t, a) for t in TARGETS for a in AGENCIES), "ok"),
        ("unknown", "own"): "case",
        ("unknown", "other"): "case",
    },
}


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rows_of", AGENCIES)
def test_upload_matrix(client, world, who, target, rows_of):
    user = world[who]
    council_case = world["case"]
    westmoor = user.agency.name == "Westmoor Police"
    if westmoor and who != "admin":
        own_case = factories.case(owner=user, reference="CR-2019-00009")
        visible, invisible = own_case, council_case
    else:
        visible, invisible = (
            council_case,
            factories.case(owner=world["outsider"], reference="CR-2019-00009"),
        )
    reference = {"visible": visible, "invisible": invisible}.get(target)
    reference = (
        reference.reference if reference else {"unknown": "CR-2026-00123"}.get(target, "NEW")
    )
    agency = user.agency.name if rows_of == "own" else "Northshire Health"
    risk_before = {c.pk: c.risk_level for c in Case.objects.all()}
    text = HEADER + f"{reference},Avery Quill,{agency},panel_meeting,2026-11-02,Met,high\n"

    _sign_in(client, user)
    response = _upload(client, text)
    expected = EXPECTED[who][(target, rows_of)]

    if expected == 403:
        assert response.status_code == 403
        assert not PanelMeeting.objects.exists()
        return
    if expected == "ok":
        assert response.status_code == 302, _errors(response)
        meeting = PanelMeeting.objects.get()
        assert meeting.agency.name == agency
        if target == "new":  # a new case, given the next reference of its year
            assert meeting.case.reference == "CR-2026-00001" and meeting.case.owner == user
            reference = meeting.case.reference
        assert AccessLog.objects.filter(
            user=user, action="import", case__reference=reference, outcome="allowed"
        ).exists()
        return
    html = _errors(response)
    assert response.status_code == 200
    assert "Nothing was imported" in html
    column = "case_ref" if expected == "case" else "agency"
    assert f"rows.csv: line 2, column {column}:" in html
    assert not PanelMeeting.objects.exists()
    assert {c.pk: c.risk_level for c in Case.objects.all()} == risk_before
    if expected == "case":
        assert f"{reference} is not a case you may add to. To add to a case, upload onto it" in html
        log = AccessLog.objects.get(user=user, action="import")
        assert log.outcome == "refused" and log.case_reference == reference
        # The refusal gave the uploader's agency no way in.
        assert client.get(reverse("reviews:case", args=[reference])).status_code == 404


def test_hidden_case_is_not_changed_by_any_entry_type(client, world):
    """The attack from the report: rows aimed at another agency's case (a referral that would
    have made the uploader's agency a member, a panel meeting that would change the risk level,
    an exit, a review) are all refused; the case, its memberships and records are as before."""
    outsider, case = world["outsider"], world["case"]
    rows = (
        "case_ref,agency,entry_type,occurred_on,summary,risk_level,review_kind\n"
        f"{case.reference},Westmoor Police,referral,2026-11-28,x,,\n"
        f"{case.reference},Westmoor Police,panel_meeting,2026-11-28,x,very_low,\n"
        f"{case.reference},Westmoor Police,case_exited,2026-11-28,x,very_low,\n"
    )
    _sign_in(client, outsider)
    response = _upload(client, rows)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.risk_level == "" and case.status == Case.Status.REFERRED
    assert not case.memberships.filter(agency=outsider.agency).exists()
    assert client.get(reverse("reviews:case", args=[case.reference])).status_code == 404


def test_duplicate_check_never_counts_a_hidden_restricted_note(client, world):
    """A chair merging a police chronology cannot learn that a police-only note exists: a row
    identical to it is imported as new, not reported as already present."""
    case, police = world["case"], world["police"]
    intake.add_note(
        case=case,
        user=police,
        agency=police.agency,
        restricted=True,
        occurred_on=D(2019, 11, 25),
        logged_on=D(2019, 11, 25),
        summary="Police-only intelligence",
    )
    _sign_in(client, world["chair"])
    response = _upload(
        client,
        "case_ref,agency,entry_type,occurred_on,summary\n"
        f"{case.reference},Northshire Police,note,2019-11-25,Police-only intelligence\n",
    )
    assert response.status_code == 302
    follow = client.get(response.url)
    assert "Imported 1 entries (0 already present)" in follow.content.decode()
    assert CaseNote.objects.filter(case=case).count() == 2
    # The police user, who sees the first note, is told it is already there.
    _sign_in(client, police)
    response = _upload(
        client,
        "case_ref,agency,entry_type,occurred_on,summary\n"
        f"{case.reference},Northshire Police,note,2019-11-25,Police-only intelligence\n",
    )
    assert "Imported 0 entries (1 already present)" in client.get(response.url).content.decode()


def test_case_page_upload_refuses_other_agency_rows_for_a_caseworker(client, world):
    case = world["case"]
    _sign_in(client, world["caseworker"])
    response = _upload(
        client,
        HEADER + f"{case.reference},,Northshire Police,note,2026-11-02,x,\n",
        url=reverse("reviews:case-import", args=[case.reference]),
    )
    assert (
        "line 2, column agency: you may import rows of your own agency "
        "(Northshire County Council) only, not of Northshire Police"
    ) in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_hidden_and_an_unknown_reference_read_exactly_the_same(client, world):
    """The refusal does not tell an outsider which references are in use: the whole page is
    the same but for the reference itself, with or without a subject."""
    _sign_in(client, world["outsider"])
    pages = []
    for reference in ("CR-2019-00001", "CR-2019-00077"):
        for subject in ("", "Avery Quill"):
            html = _errors(
                _upload(
                    client, HEADER + f"{reference},{subject},Westmoor Police,note,2026-11-02,x,\n"
                )
            )
            html = html.replace(reference, "REF")
            # Tokens differ on every render (CSRF, the one-time form token).
            html = re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"', "", html)
            pages.append(html[html.index("<main") : html.index("</main>")])
    assert len(set(pages)) == 1
    assert not Case.objects.filter(reference="CR-2019-00077").exists()
