"""The "closing the loops" pages as a new user meets them (issue 17, a tester's findings): no
question without a provider to ask, an answered question that says so, the provider back on
its list after answering, errors in plain words on the confirm, ask and account forms, due
dates on the provider's list, and the supervisors' loop lists.

A cast of users on one case: the council's caseworker (the owner) and supervisor, a police
officer (another agency on the case), the intervention provider and a supervisor of its
organisation, and an outsider agency's supervisor with an emergency grant. Fictional data only.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casereview.records import save_record
from casereview.ukdates import uk_date
from referrals import services as intake
from referrals.models import AccessGrant, Agency, User
from reviews import forms as review_forms
from reviews import services
from reviews.models import AgencyAccount, ProviderQuestion, QuestionAnswer, SessionConfirmation
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NO_PROVIDER = (
    "No intervention provider is commissioned on this case yet, so there is no one to ask. "
    "Commission a provider first."
)
ASK_LINK = "Ask the intervention provider a question"


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def date_fields(name: str, value: dt.date) -> dict:
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


def text(html: str) -> str:
    """The page's words, as a reader sees them: no tags, entities read, spaces collapsed."""
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def error_summary(html: str) -> list[tuple[str, str]]:
    """(link target, words) of each entry of the GOV.UK error summary."""
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)
    if not found:
        return []
    return [
        (target, text(words))
        for target, words in re.findall(r'<a href="#([^"]+)">(.*?)</a>', found.group(1), re.S)
    ]


def assert_every_error_links_to_its_field(html: str) -> list[str]:
    entries = error_summary(html)
    assert entries, "no error summary"
    for target, _ in entries:
        assert f'id="{target}"' in html, f"the summary links to #{target}, which is not there"
    return [words for _, words in entries]


@pytest.fixture
def cast(settings):
    settings.SESSION_CONFIRM_DAYS = 14
    council = factories.agency("Northshire County Council")
    police = factories.agency("Northshire Police", Agency.Kind.POLICE)
    brightpath = factories.agency("Brightpath Mentoring", Agency.Kind.INTERVENTION_PROVIDER)
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    caseworker = factories.user("caseworker", agency_=council)
    cast = {
        "council": council,
        "police": police,
        "brightpath": brightpath,
        "caseworker": caseworker,
        "supervisor": factories.user("supervisor", role=User.Role.SUPERVISOR, agency_=council),
        "officer": factories.user("officer", agency_=police),
        "provider": factories.user("provider", role=User.Role.PROVIDER, agency_=brightpath),
        "provider_lead": factories.user(
            "provider_lead", role=User.Role.SUPERVISOR, agency_=brightpath
        ),
        "outsider": factories.user("outsider", agency_=westmoor),
        "admin": factories.user("admin", role=User.Role.ADMIN, agency_=westmoor),
    }
    case = factories.case(
        owner=caseworker,
        referring_agency=police,
        received_on=ago(120),
        reference="CR-2026-00517",
        person_name="Rowan Idlewood",
    )
    services.record_decision(
        case=case,
        user=caseworker,
        agency=council,
        kind="adopt",
        rationale="Support agreed (fictional).",
        occurred_on=ago(110),
        logged_on=ago(110),
        summary="Adopted",
    )
    cast["case"] = case
    return cast


def commission(cast):
    return services.assign_provider(
        case=cast["case"],
        user=cast["caseworker"],
        agency=cast["brightpath"],
        occurred_on=ago(100),
        logged_on=ago(100),
        summary="Brightpath Mentoring commissioned (fictional).",
        provider_worker=cast["provider"],
    )


def held_session(cast, days_ago: int = 60):
    return services.record_session(
        case=cast["case"],
        user=cast["provider"],
        agency=cast["brightpath"],
        occurred_on=ago(days_ago),
        logged_on=ago(days_ago),
        status="held",
        summary=f"Mentoring session held {days_ago} days ago (fictional).",
    )


def ask(cast, question="How many sessions remain?", *, asked=0, due_in=7):
    return services.ask_provider(
        case=cast["case"],
        user=cast["officer"],
        agency=cast["police"],
        question=question,
        asked_on=ago(asked),
        logged_on=ago(asked),
        due_on=ago(asked) + dt.timedelta(days=due_in),
    )


def case_url(cast) -> str:
    return reverse("reviews:case", args=[cast["case"].reference])


def ask_url(cast) -> str:
    return reverse("reviews:question-new", args=[cast["case"].reference])


def answer_url(cast, question) -> str:
    return reverse("reviews:question-answer", args=[cast["case"].reference, question.pk])


def get(client, user, url, status=200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


# ---------------------------------------------------------------- 1. no provider, no question


def test_with_no_provider_commissioned_there_is_no_one_to_ask(client, cast):
    page = get(client, cast["officer"], case_url(cast))
    assert ASK_LINK not in page and "None commissioned" in text(page)

    page = get(client, cast["officer"], ask_url(cast))
    assert NO_PROVIDER in text(page)
    assert 'name="summary"' not in page and "Send question" not in page  # no form
    assert f'href="{case_url(cast)}"' in page  # back to the case
    assert reverse("reviews:assignment-new", args=[cast["case"].reference]) in page

    # Sent anyway (an old tab): the same page, nothing saved.
    client.force_login(cast["officer"])
    response = client.post(
        ask_url(cast), {"summary": "Any sessions yet?", **date_fields("due_on", TODAY)}
    )
    assert response.status_code == 200 and NO_PROVIDER in text(response.content.decode())
    assert not ProviderQuestion.objects.exists()

    # The service refuses it whoever calls it.
    with pytest.raises(ValidationError, match="No intervention provider is commissioned"):
        services.ask_provider(
            case=cast["case"], user=cast["officer"], agency=cast["police"], question="Any?"
        )
    assert not ProviderQuestion.objects.exists()
    # Those who may not ask are still told "not found".
    get(client, cast["outsider"], ask_url(cast), status=404)


def test_a_commissioned_provider_can_be_asked_until_its_assignment_is_voided(client, cast):
    assignment = commission(cast)
    assert ASK_LINK in get(client, cast["officer"], case_url(cast))
    page = get(client, cast["officer"], ask_url(cast))
    assert 'name="summary"' in page and NO_PROVIDER not in text(page)

    intake.void_record(assignment, user=cast["caseworker"], reason="Commissioned in error")
    assert ASK_LINK not in get(client, cast["officer"], case_url(cast))
    assert NO_PROVIDER in text(get(client, cast["officer"], ask_url(cast)))


# ---------------------------------------------------------------- 2. an answered question


def test_an_answered_question_shows_its_answer_and_saves_nothing(client, cast):
    commission(cast)
    question = ask(cast, "Has Rowan met the mentor this month?", asked=3)
    answer = services.answer_question(
        question=question,
        user=cast["provider"],
        agency=cast["brightpath"],
        answer="Yes, twice: both sessions attended.",
        answered_on=ago(1),
        logged_on=ago(1),
    )
    url = answer_url(cast, question)

    page = get(client, cast["provider"], url)
    words = text(page)
    assert "This question has already been answered" in words
    assert f"Brightpath Mentoring answered it on {uk_date(ago(1))}" in words
    assert "Has Rowan met the mentor this month?" in words
    assert "Yes, twice: both sessions attended." in words
    assert f'href="{reverse("reviews:provider-cases")}"' in page and "Back to your cases" in words
    assert 'name="summary"' not in page and "Send answer" not in page

    client.force_login(cast["provider"])
    response = client.post(url, {"summary": "A second answer", "version": "1"})
    assert response.status_code == 200
    assert "This question has already been answered" in text(response.content.decode())
    assert list(QuestionAnswer.objects.values_list("summary", flat=True)) == [
        "Yes, twice: both sessions attended."
    ]

    # Staff are sent back to the case page.
    page = get(client, cast["caseworker"], url)
    assert f'href="{case_url(cast)}"' in page and "Back to the case" in text(page)
    # A voided question is not found.
    intake.void_record(answer, user=cast["provider"], reason="Answered the wrong question")
    intake.void_record(question, user=cast["officer"], reason="Asked on the wrong case")
    get(client, cast["provider"], url, status=404)


# ---------------------------------------------------------------- 3. back to the provider's list


def test_the_provider_goes_back_to_its_list_after_answering(client, cast):
    commission(cast)
    question = ask(cast)
    url = answer_url(cast, question)
    page = get(client, cast["provider"], url)
    assert f'href="{reverse("reviews:provider-cases")}"' in page  # the back link and Cancel
    response = client.post(url, {"summary": "Two remain (fictional).", "version": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:provider-cases")
    listing = text(client.get(response["Location"]).content.decode())
    assert "Answer sent" in listing

    # Staff recording the provider's reply land on the case page, as before.
    other = ask(cast, "When is the next session?")
    client.force_login(cast["caseworker"])
    response = client.post(
        answer_url(cast, other), {"summary": "Next Tuesday (fictional).", "version": "1"}
    )
    assert response.status_code == 302 and response["Location"] == case_url(cast)
    assert QuestionAnswer.objects.count() == 2


# ---------------------------------------------------------------- 4. the confirm form's words


def test_the_confirm_form_asks_in_plain_words(client, cast):
    commission(cast)
    session = held_session(cast)
    url = reverse("reviews:session-confirm", args=[cast["case"].reference, session.pk])
    page = get(client, cast["officer"], url)
    assert "How do you know the session took place?" in page  # the label stays a question

    words = assert_every_error_links_to_its_field(
        client.post(url, {"note": "Spoke to Rowan"}).content.decode()
    )
    assert words == ["Select how you know the session took place"]

    tomorrow = TODAY + dt.timedelta(days=1)
    page = client.post(url, {"how": "call", **date_fields("logged", tomorrow)}).content.decode()
    words = assert_every_error_links_to_its_field(page)
    assert words == ["Date it was confirmed cannot be in the future"]
    assert "date it was logged" not in text(page).lower()
    assert not SessionConfirmation.objects.exists()


def test_no_form_error_reads_as_a_question():
    """A question label gives an error that names what it asks about, never the question."""
    for form_class in (
        review_forms.ConfirmSessionForm,
        review_forms.AskProviderForm,
        review_forms.AnswerQuestionForm,
        review_forms.AccountForm,
        review_forms.AssignmentForm,
        review_forms.ReopenForm,
        review_forms.NotPossibleForm,
    ):
        form = form_class(data={})
        form.is_valid()
        for messages in form.errors.values():
            for message in messages:
                assert "?" not in message and "do you" not in message, message
    assignment = review_forms.AssignmentForm()
    assert assignment.fields["commissioned_by"].error_messages["required"] == (
        "Select how the provider was asked"
    )


# ---------------------------------------------------------------- 5. when an answer is wanted by


def test_the_date_an_answer_is_wanted_by_is_within_a_year(client, cast):
    commission(cast)
    latest = ProviderQuestion.latest_due_on(TODAY)
    page = get(client, cast["officer"], ask_url(cast))
    assert f"no later than {uk_date(latest)}, a year from today" in text(page)

    client.force_login(cast["officer"])
    question = {"summary": "How many sessions remain?"}
    refused = {
        TODAY - dt.timedelta(days=1): "The date an answer is wanted by cannot be in the past",
        latest + dt.timedelta(days=1): (
            f"The date an answer is wanted by must be within a year of today: "
            f"{uk_date(latest)} at the latest"
        ),
        TODAY.replace(year=TODAY.year + 5): "must be within a year of today",
    }
    for due_on, message in refused.items():
        response = client.post(ask_url(cast), {**question, **date_fields("due_on", due_on)})
        assert response.status_code == 200, due_on
        page = response.content.decode()
        words = assert_every_error_links_to_its_field(page)
        assert len(words) == 1 and message in words[0], (due_on, words)
        assert page.count(message) >= 2  # in the summary and on the field
    assert not ProviderQuestion.objects.exists()

    for due_on in (TODAY, latest):
        response = client.post(ask_url(cast), {**question, **date_fields("due_on", due_on)})
        assert response.status_code == 302, due_on
    assert sorted(ProviderQuestion.objects.values_list("due_on", flat=True)) == [TODAY, latest]


def test_the_service_and_the_change_page_keep_the_same_bounds(cast):
    commission(cast)
    # Asked in the past (typed in later): within a year of the day it was asked.
    with pytest.raises(ValidationError, match="within a year of the day the question was asked"):
        ask(cast, asked=30, due_in=400)
    with pytest.raises(ValidationError, match="cannot be before the question was asked"):
        ask(cast, asked=30, due_in=-1)
    assert not ProviderQuestion.objects.exists()
    question = ask(cast, asked=30, due_in=7)  # past its date already: allowed, and overdue
    assert list(ProviderQuestion.objects.overdue(TODAY)) == [question]
    # A change to its date is held to the same rule (the model's clean, on the change page).
    question.due_on = ago(30) + dt.timedelta(days=800)
    with pytest.raises(ValidationError, match="within a year"):
        question.full_clean()


# ---------------------------------------------------------------- 6. the agency-account form


def account_data(cast, **overrides) -> dict:
    return {
        "agency": cast["police"].pk,
        **date_fields("occurred", ago(3)),
        **date_fields("logged", TODAY),
        "source_kind": "email",
        "source": "",
        "sessions_believed": "4",
        "believed_status": "",
        "summary": "Police email: four sessions held (fictional).",
        "late_reason": "",
        **overrides,
    }


def account_url(cast) -> str:
    return reverse("reviews:account-new", args=[cast["case"].reference])


def test_the_account_form_lists_every_error_with_the_warning(client, cast):
    commission(cast)
    held_session(cast)
    client.force_login(cast["caseworker"])
    # Two other errors and a belief the record contradicts: all of it at once.
    page = client.post(
        account_url(cast), account_data(cast, summary="", source_kind="")
    ).content.decode()
    assert "<title>Error: " in page
    words = assert_every_error_links_to_its_field(page)
    assert words == [
        "Select where it was said",
        "Enter what was said or written (quote or summary)",
        "Tick the box to save this account as the agency stated it",
    ]
    assert error_summary(page)[-1][0] == "confirm-gap"
    assert "The record shows 1 session held" in text(page)  # the warning, still shown
    assert 'id="confirm-gap-error"' in page  # the error beside the box too
    assert not AgencyAccount.objects.exists()

    # The other errors put right, the box still not ticked: only the box is asked for.
    page = client.post(account_url(cast), account_data(cast)).content.decode()
    assert assert_every_error_links_to_its_field(page) == [
        "Tick the box to save this account as the agency stated it"
    ]
    assert not AgencyAccount.objects.exists()
    token = re.search(r'name="confirm_gap" type="checkbox" value="([0-9a-f]+)"', page).group(1)
    response = client.post(account_url(cast), {**account_data(cast), "confirm_gap": token})
    assert response.status_code == 302 and response["Location"] == case_url(cast)
    assert AgencyAccount.objects.get().sessions_believed == 4


def test_an_account_that_the_record_bears_out_has_no_tick_box(client, cast):
    commission(cast)
    held_session(cast)
    client.force_login(cast["caseworker"])
    page = client.post(account_url(cast), account_data(cast, summary="")).content.decode()
    assert 'name="confirm_gap"' in page  # 4 believed, 1 held
    page = client.post(
        account_url(cast), account_data(cast, summary="", sessions_believed="1")
    ).content.decode()
    assert assert_every_error_links_to_its_field(page) == [
        "Enter what was said or written (quote or summary)"
    ]
    assert 'name="confirm_gap"' not in page


@pytest.mark.parametrize("typed", ["501", "-1", "2.5", "several", "100000"])
def test_sessions_believed_is_a_whole_number_from_0_to_500(client, cast, typed):
    commission(cast)
    client.force_login(cast["caseworker"])
    page = client.post(account_url(cast), account_data(cast, sessions_believed=typed))
    words = assert_every_error_links_to_its_field(page.content.decode())
    assert words == [
        "Sessions the agency believed had been held must be a whole number from 0 to 500"
    ]
    assert not AgencyAccount.objects.exists()


def test_the_model_refuses_more_than_500_sessions_believed(cast):
    with pytest.raises(ValidationError, match="whole number from 0 to 500"):
        services.record_agency_account(
            case=cast["case"],
            user=cast["caseworker"],
            agency=cast["police"],
            occurred_on=ago(10),
            logged_on=ago(10),
            summary="Believed a great many (fictional).",
            sessions_believed=501,
        )
    assert not AgencyAccount.objects.exists()


# ---------------------------------------------------------------- 7. the provider's list


def test_the_providers_list_says_when_an_answer_was_wanted(client, cast):
    commission(cast)
    late = ask(cast, "Is a further session planned?", asked=20, due_in=7)
    ask(cast, "Any concerns before panel?", asked=0, due_in=7)
    words = text(get(client, cast["provider"], reverse("reviews:provider-cases")))
    assert f"Overdue Answer was wanted by {uk_date(late.due_on)}" in words
    assert re.search(r"Answer was wanted by \d{1,2} [A-Z][a-z]+ \d{4}", words)
    assert f"Answer wanted by {uk_date(TODAY + dt.timedelta(days=7))}" in words
    assert words.count("Overdue") == 1


# ---------------------------------------------------------------- 8. the supervisors' loop lists


def table(page: str, key: str) -> str:
    return page.split(f'id="{key}-table"', 1)[1].split("</table>", 1)[0]


def test_the_loop_lists_read_naturally_and_link_each_session(client, cast):
    commission(cast)
    session = held_session(cast, days_ago=60)
    ask(cast, "How many sessions remain?", asked=20, due_in=7)
    confirm_url = reverse("reviews:session-confirm", args=[cast["case"].reference, session.pk])

    page = get(client, cast["supervisor"], reverse("reviews:dashboard"))
    words = text(page)
    for heading in ("Sessions not confirmed", "Questions not answered", "Cases gone quiet"):
        assert heading in words
    # The count tables' numbers, as a screen reader hears them.
    assert "1 session not confirmed for Caseworker Example" in words
    assert "1 question not answered for Officer Example" in words
    unconfirmed = table(page, "unconfirmed")
    assert "1 session, waiting longest first" in text(unconfirmed)
    for column in ("Case", "Case owner", "Agency", "Session held on", "Days not confirmed"):
        assert f">{column}</th>" in unconfirmed
    assert f'href="{case_url(cast)}"' in unconfirmed and f'href="{confirm_url}"' in unconfirmed
    assert f"Confirm the session held on {uk_date(ago(60))}" in text(unconfirmed)
    questions = table(page, "questions")
    assert "1 question, waiting longest first" in text(questions)
    assert ">Asked by</th>" in questions and ">Answer wanted by</th>" in questions
    assert "Officer Example" in text(questions)
    # The confirm page the row links to opens for the supervisor.
    assert "How do you know the session took place?" in get(client, cast["supervisor"], confirm_url)
    # "cases" is not said of sessions, nor "unconfirmed" as a heading.
    assert "1 case," not in text(unconfirmed) and "Unconfirmed sessions" not in words


def test_a_session_is_offered_for_confirming_only_to_who_may_confirm_it(client, cast):
    commission(cast)
    session = held_session(cast, days_ago=60)
    confirm_url = reverse("reviews:session-confirm", args=[cast["case"].reference, session.pk])
    # A supervisor at the provider sees the session waiting, but cannot vouch for its own.
    provider_lead = table(
        get(client, cast["provider_lead"], reverse("reviews:dashboard")), "unconfirmed"
    )
    assert f'href="{case_url(cast)}"' in provider_lead and confirm_url not in provider_lead
    get(client, cast["provider_lead"], confirm_url, status=404)
    # A supervisor outside the case, reading it under an emergency grant: read only.
    outsider = factories.user(
        "westmoor_supervisor", role=User.Role.SUPERVISOR, agency_=cast["outsider"].agency
    )
    save_record(
        AccessGrant(
            case=cast["case"],
            user=outsider,
            granted_by=cast["admin"],
            reason="Emergency access (fictional)",
            ends_on=TODAY,
        ),
        user=cast["admin"],
        reason="grant",
    )
    listed = table(get(client, outsider, reverse("reviews:dashboard")), "unconfirmed")
    assert f'href="{case_url(cast)}"' in listed and confirm_url not in listed
    # An administrator (signed in with a second factor) may confirm it.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=cast["admin"], confirmed=True)
    client.force_login(cast["admin"])
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    admin = table(client.get(reverse("reviews:dashboard")).content.decode(), "unconfirmed")
    assert confirm_url in admin


def test_the_loop_lists_cost_no_query_per_row(client, cast):
    commission(cast)
    held_session(cast, days_ago=60)
    client.force_login(cast["supervisor"])
    client.get(reverse("reviews:dashboard"))  # warm: sessions, caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reviews:dashboard")).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for days_ago in (50, 40, 30):
        held_session(cast, days_ago=days_ago)
    assert queries() == one
