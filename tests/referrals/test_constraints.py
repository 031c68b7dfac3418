"""Every rule the database enforces, met first as a sentence and then as a refusal by the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referrals.models import Case, Contact, Referral
from reviews import services
from reviews.models import AgencyAccount, FollowUpReview, InterventionSession, ProviderAssignment
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def caseworker():
    return factories.user("caseworker")


@pytest.fixture
def case(caseworker):
    return factories.case(owner=caseworker, received_on=D(2019, 10, 7))


def test_logged_before_it_happened_is_a_sentence_and_nothing_is_saved(case, caseworker):
    with pytest.raises(ValidationError) as error:
        services.record_agency_account(
            case=case,
            user=caseworker,
            agency=caseworker.agency,
            occurred_on=D(2019, 11, 5),
            logged_on=D(2019, 11, 1),
            summary="Said it was going well",
            believed_status="ongoing",
        )
    assert "cannot be before the date it happened" in str(error.value)
    assert AgencyAccount.objects.count() == 0


def test_database_refuses_logged_before_occurred(case, caseworker):
    contact = Contact(
        case=case,
        agency=caseworker.agency,
        occurred_on=D(2019, 11, 5),
        logged_on=D(2019, 11, 1),
        logged_by=caseworker,
        summary="Call",
    )
    with pytest.raises(IntegrityError, match="logged_not_before_occurred"), transaction.atomic():
        contact.save()


def test_planned_session_may_be_logged_before_its_date(case, caseworker):
    session = services.plan_session(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2019, 12, 1),
        logged_on=D(2019, 11, 1),
        summary="Arranged",
    )
    assert session.status == InterventionSession.Status.PLANNED
    assert session.logged_on < session.occurred_on


def test_held_session_cannot_be_logged_before_its_date_in_the_database(case, caseworker):
    session = InterventionSession(
        case=case,
        agency=caseworker.agency,
        occurred_on=D(2019, 12, 1),
        logged_on=D(2019, 11, 1),
        logged_by=caseworker,
        summary="Held",
        status="held",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        session.save()


def test_session_before_referral_is_refused_with_the_referral_date(case, caseworker):
    with pytest.raises(ValidationError) as error:
        services.record_session(
            case=case,
            user=caseworker,
            agency=caseworker.agency,
            occurred_on=D(2019, 9, 1),
            logged_on=D(2019, 9, 1),
            status="held",
            summary="Too early",
        )
    assert error.value.message_dict["occurred_on"] == [
        "Date of the session must be on or after the referral date, 7 October 2019."
    ]
    assert InterventionSession.objects.count() == 0


@pytest.mark.parametrize("model", [InterventionSession, AgencyAccount])
def test_database_trigger_refuses_records_before_referral(case, caseworker, model):
    record = model(
        case=case,
        agency=caseworker.agency,
        occurred_on=D(2019, 9, 1),
        logged_on=D(2019, 9, 1),
        logged_by=caseworker,
        summary="Too early",
    )
    if model is InterventionSession:
        record.status = "held"
    with pytest.raises(IntegrityError, match="not_before_referral"), transaction.atomic():
        record.save()


def test_account_before_referral_is_refused(case, caseworker):
    with pytest.raises(
        ValidationError, match="Date of the account must be on or after the referral date"
    ):
        services.record_agency_account(
            case=case,
            user=caseworker,
            agency=caseworker.agency,
            occurred_on=D(2019, 1, 1),
            logged_on=D(2019, 1, 1),
            summary="x",
            sessions_believed=2,
        )


def test_negative_counts_are_refused(case, caseworker):
    with pytest.raises(ValidationError, match="Sessions believed cannot be negative"):
        services.record_agency_account(
            case=case,
            user=caseworker,
            agency=caseworker.agency,
            occurred_on=D(2019, 11, 1),
            logged_on=D(2019, 11, 1),
            summary="x",
            sessions_believed=-1,
        )
    with pytest.raises(ValidationError, match="Sessions planned cannot be negative"):
        services.assign_provider(
            case=case,
            user=caseworker,
            agency=factories.agency("Brightpath Mentoring", "intervention_provider"),
            occurred_on=D(2019, 11, 1),
            logged_on=D(2019, 11, 1),
            summary="x",
            sessions_planned=-2,
        )
    assert not AgencyAccount.objects.exists() and not ProviderAssignment.objects.exists()


def test_database_refuses_negative_sessions_believed(case, caseworker):
    record = AgencyAccount(
        case=case,
        agency=caseworker.agency,
        occurred_on=D(2019, 11, 1),
        logged_on=D(2019, 11, 1),
        logged_by=caseworker,
        summary="x",
        sessions_believed=-3,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_case_without_owner_is_refused_by_the_database(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(owner=None)  # history-safe: must fail


def test_review_before_exit_is_refused(case, caseworker):
    services.record_decision(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        kind="adopt",
        rationale="Adopted",
        occurred_on=D(2019, 11, 1),
        logged_on=D(2019, 11, 1),
        summary="Adopted",
    )
    case_exit = services.exit_case(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2020, 3, 1),
        logged_on=D(2020, 3, 1),
        summary="Exited",
    )
    review = FollowUpReview.objects.get(exit=case_exit, kind="6_month")
    with pytest.raises(ValidationError) as error:
        services.conduct_review(
            review=review,
            user=caseworker,
            conducted_on=D(2020, 2, 1),
            logged_on=D(2020, 2, 1),
            agency=caseworker.agency,
            summary="Fine",
        )
    assert error.value.message_dict["conducted_on"] == [
        "A review cannot be held (1 February 2020) before the exit it follows (1 March 2020)."
    ]
    review.refresh_from_db()
    assert review.state == FollowUpReview.State.SCHEDULED
    review.conducted_on, review.state, review.logged_on = D(2020, 2, 1), "held", D(2020, 2, 1)
    review.agency = caseworker.agency
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save()


def test_late_logging_needs_a_reason(case, caseworker):
    with pytest.raises(ValidationError) as error:
        services.record_agency_account(
            case=case,
            user=caseworker,
            agency=caseworker.agency,
            occurred_on=D(2019, 11, 1),
            logged_on=D(2019, 11, 20),
            summary="Minutes",
            believed_status="ongoing",
        )
    assert "logged 19 days after it happened (1 November 2019): say why" in str(error.value)
    account = services.record_agency_account(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2019, 11, 1),
        logged_on=D(2019, 11, 20),
        summary="Minutes",
        believed_status="ongoing",
        late_reason="IT issue",
    )
    assert account.late_reason == "IT issue"


def test_consent_needs_its_date(case, caseworker):
    case.consent = Case.Consent.GIVEN
    with pytest.raises(ValidationError, match="Enter the date consent was given"):
        case.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_month_only_date_is_kept_as_a_month(case, caseworker):
    referral = Referral.objects.get(case=case)
    note = services.record_agency_account(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        occurred_on=D(2019, 11, 14),
        month_only=True,
        logged_on=D(2019, 11, 20),
        summary="Police said in November",
        sessions_believed=1,
    )
    assert note.occurred_on == D(2019, 11, 1)
    assert note.occurred_display == "November 2019"
    assert note.effective_date == D(2019, 11, 30)
    assert referral.occurred_display == "7 October 2019"


@pytest.mark.parametrize("bad", ["CR-2026/EVIL", "CR 2026", "CR--1", "-CR", "CR-1-", "CR-%2F"])
def test_case_reference_has_one_pattern_in_model_import_and_database(caseworker, client, bad):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from referrals.services import create_referral

    # The model (and so every form and the admin): a sentence.
    with pytest.raises(ValidationError, match="letters and digits, in groups joined by single"):
        create_referral(
            user=caseworker,
            person_name="Avery Quill",
            referring_agency=caseworker.agency,
            received_on=D(2026, 11, 2),
            logged_on=D(2026, 11, 2),
            concerns="x",
            reference=bad,
        )
    # The import: line and column, nothing saved.
    client.force_login(caseworker)
    csv = (
        "case_ref,subject,agency,entry_type,occurred_on,summary\n"
        f'"{bad}",Avery Quill,{caseworker.agency.name},referral,2026-11-02,x\n'
    )
    response = client.post(
        reverse("reviews:chronology-import"),
        {"file": SimpleUploadedFile("evil.csv", csv.encode(), "text/csv")},
    )
    assert "evil.csv: line 2, column case_ref:" in response.content.decode()
    assert not Case.objects.filter(reference=bad).exists()
    # The database: refused even when validation is skipped.
    case = factories.case(owner=caseworker, reference="CR-2026-00001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(reference=bad)  # history-safe: refused
    # The case list still works for everyone in the agency.
    assert client.get(reverse("referrals:case-list")).status_code == 200


@pytest.mark.parametrize("reserved", ["new", "import", "NEW"])
def test_a_case_cannot_take_the_name_of_a_case_address(caseworker, client, reserved):
    """cases/new/ and cases/import/ are pages: no case may be called that, and both pages
    answer whatever order the apps' URLconfs are included in."""
    from django.urls import reverse

    from referrals.services import create_referral

    with pytest.raises(ValidationError, match="cannot be a case reference"):
        create_referral(
            user=caseworker,
            person_name="Avery Quill",
            referring_agency=caseworker.agency,
            received_on=D(2026, 11, 2),
            logged_on=D(2026, 11, 2),
            concerns="x",
            reference=reserved,
        )
    client.force_login(caseworker)
    assert "New referral" in client.get(reverse("referrals:case-new")).content.decode()
    assert (
        "Upload a chronology" in client.get(reverse("reviews:chronology-import")).content.decode()
    )
