"""Closing the loops (issue 17), as an insider would try to break them: one agency's own word
(a confirmation, a question, the provider's answer) changed or voided only by that agency,
linked records kept in step (reviews.links) on the change and void pages and in services, and
an import that cannot put an answer or a confirmation in the wrong agency's name (fictional
data only)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from referrals import services as intake
from referrals.models import AccessLog, Case
from reviews import services
from reviews.chronology.csv_format import ImportRejected, export_csv, import_chronology
from reviews.models import InterventionSession, ProviderQuestion, QuestionAnswer
from tests import factories
from tests.reviews.test_loops_confirm_questions import BASE, HEADER, world  # noqa: F401

pytestmark = pytest.mark.django_db
D = dt.date


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _url(page: str, record) -> str:
    return reverse(
        f"reviews:record-{page}", args=[record.case.reference, record._meta.model_name, record.pk]
    )


def _void(client, user, record, reason="Entered on the wrong case"):
    client.force_login(user)
    return client.post(_url("void", record), {"reason": reason, "version": str(record.version)})


@pytest.fixture
def loops(world):  # noqa: F811
    """Police confirmed the first session; the council asked two questions, the provider
    answered the first."""
    first = world["sessions"][0]
    confirmation = services.confirm_session(
        session=first, user=world["officer"], agency=world["police"], how="call"
    )
    answered = services.ask_provider(
        case=world["case"],
        user=world["caseworker"],
        agency=world["council"],
        question="How many sessions remain?",
        asked_on=D(2020, 2, 20),
    )
    answer = services.answer_question(
        question=answered,
        user=world["provider"],
        agency=world["brightpath"],
        answer="Three remain.",
        answered_on=D(2020, 2, 24),
    )
    return {**world, "confirmation": confirmation, "answered": answered, "answer": answer}


# ---------------------------------------------------------------- whose word it is


def test_another_agency_on_the_case_cannot_void_or_change_a_confirmation(client, loops):
    confirmation = loops["confirmation"]
    # The council may change the case, but the confirmation is police's word.
    assert _void(client, loops["caseworker"], confirmation).status_code == 404
    edit = client.post(
        _url("edit", confirmation),
        {"how": "other", "summary": "Not confirmed", "reason": "x", "version": "1"},
    )
    assert edit.status_code == 404
    confirmation.refresh_from_db()
    assert not confirmation.is_void and confirmation.how == "call"
    assert InterventionSession.objects.confirmed().count() == 1
    refused = AccessLog.objects.filter(user=loops["caseworker"], outcome="refused")
    assert refused.filter(detail=_url("void", confirmation)).exists()
    # Police may.
    assert _void(client, loops["officer"], confirmation).status_code == 302
    assert not InterventionSession.objects.confirmed().exists()


def test_the_case_page_offers_change_only_on_the_agencys_own_word(client, loops):
    case_url = reverse("reviews:case", args=[loops["case"].reference])
    own = {
        "caseworker": {loops["answered"]},
        "officer": {loops["confirmation"]},
        "provider": {loops["answer"]},
    }
    everyone = {loops["confirmation"], loops["answered"], loops["answer"]}
    for who, records in own.items():
        client.force_login(loops[who])
        page = client.get(case_url).content.decode()
        for record in everyone:
            for page_name in ("edit", "void"):
                assert (_url(page_name, record) in page) == (record in records), (who, record)
    # The provider sees no change link on records that are not its word (a session is
    # changed by the case's own agencies).
    client.force_login(loops["provider"])
    page = client.get(case_url).content.decode()
    assert _url("edit", loops["sessions"][1]) not in page


def test_the_provider_corrects_its_own_answer_on_the_change_page(client, loops):
    answer = loops["answer"]
    client.force_login(loops["provider"])
    response = client.post(
        _url("edit", answer),
        {
            "occurred_on_0": "24",
            "occurred_on_1": "2",
            "occurred_on_2": "2020",
            "logged_on_0": "24",
            "logged_on_1": "2",
            "logged_on_2": "2020",
            "summary": "Two remain.",
            "source": "",
            "late_reason": "",
            "reason": "Miscounted",
            "version": "1",
        },
    )
    assert response.status_code == 302, _text(response.content.decode())[:3000]
    answer.refresh_from_db()
    assert answer.summary == "Two remain."
    assert answer.history.first().history_user == loops["provider"]


# ---------------------------------------------------------------- linked records in step


def test_a_confirmed_session_is_not_voided_or_moved_under_its_confirmation(client, loops):
    first, confirmation = loops["sessions"][0], loops["confirmation"]
    page = _text(_void(client, loops["caseworker"], first).content.decode())
    assert (
        "Northshire Police confirmed this session on "
        f"{confirmation.logged_on.day} {confirmation.logged_on:%B %Y}: "
        "void that confirmation first, then this session."
    ) in page
    first.refresh_from_db()
    assert not first.is_void
    with pytest.raises(ValidationError, match="void that confirmation first to move"):
        intake.update_record(
            first,
            user=loops["caseworker"],
            changes={"occurred_on": D(2020, 2, 2)},
            reason="Wrong day",
        )
    # The other sessions, unconfirmed, still change and void as before.
    assert _void(client, loops["caseworker"], loops["sessions"][2]).status_code == 302
    # Once police withdraw their confirmation, the session may go.
    assert _void(client, loops["officer"], confirmation).status_code == 302
    first.refresh_from_db()
    assert _void(client, loops["caseworker"], first).status_code == 302


def test_an_answered_question_is_not_voided_or_dated_after_its_answer(client, loops):
    answered = loops["answered"]
    page = _text(_void(client, loops["caseworker"], answered).content.decode())
    assert (
        "Brightpath Mentoring answered this question on 24 February 2020: "
        "void the answer first, then this question."
    ) in page
    assert ProviderQuestion.objects.live().filter(pk=answered.pk).exists()
    with pytest.raises(ValidationError, match=r"cannot be asked \(2 March 2020\) after it was"):
        intake.update_record(
            answered,
            user=loops["caseworker"],
            changes={"occurred_on": D(2020, 3, 2), "logged_on": D(2020, 3, 2)},
            reason="Wrong day",
        )
    # Moving it to a day still on or before the answer is allowed.
    intake.update_record(
        answered,
        user=loops["caseworker"],
        changes={"occurred_on": D(2020, 2, 21), "logged_on": D(2020, 2, 21)},
        reason="Asked a day later",
    )
    # An answer is not moved before its question either (the model's own rule).
    answer = QuestionAnswer.objects.get()
    with pytest.raises(ValidationError, match="cannot be answered before it was asked"):
        intake.update_record(
            answer,
            user=loops["provider"],
            changes={"occurred_on": D(2020, 2, 19), "logged_on": D(2020, 2, 19)},
            reason="Wrong day",
        )
    # The provider withdraws its answer; then the question may be voided, and the chronology
    # exports and imports again.
    assert _void(client, loops["provider"], answer).status_code == 302
    answered.refresh_from_db()
    assert _void(client, loops["caseworker"], answered).status_code == 302
    exported = export_csv(loops["case"])
    assert "question_asked" not in exported and "question_answered" not in exported


def test_an_answer_comes_from_the_provider_and_a_confirmation_from_outside_it(loops):
    open_question = services.ask_provider(
        case=loops["case"], user=loops["caseworker"], agency=loops["council"], question="Next?"
    )
    with pytest.raises(ValidationError, match="not the intervention provider commissioned"):
        services.answer_question(
            question=open_question,
            user=loops["officer"],
            agency=loops["police"],
            answer="None left, we think.",
        )
    # A second provider commissioned on the case cannot vouch for the first one's session.
    other = factories.agency("Eastgate Mentoring", "intervention_provider")
    services.assign_provider(
        case=loops["case"],
        user=loops["caseworker"],
        agency=other,
        occurred_on=D(2020, 2, 25),
        logged_on=D(2020, 2, 25),
        summary="Second provider",
        sessions_planned=2,
        require_late_reason=False,
    )
    with pytest.raises(ValidationError, match="is an intervention provider on this case"):
        services.confirm_session(
            session=loops["sessions"][1], user=loops["caseworker"], agency=other, how="report"
        )


# ---------------------------------------------------------------- the import


@pytest.fixture
def importer():
    return factories.user("importer", role="admin")


def test_an_import_cannot_answer_or_confirm_in_the_wrong_agencys_name(importer):
    text = (
        BASE
        + "CR-L-1,,Intervention provider,session_confirmed,2021-03-15,2021-03-20,"
        + "Call with the person,\n"
        + "CR-L-1,,Intervention provider,question_asked,2021-03-18,,Asking ourselves?,\n"
        + "CR-L-1,,Police,question_asked,2021-03-19,,When is the next session?,\n"
        + "CR-L-1,,Police,question_answered,2021-03-25,,Next week,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_chronology([("loops.csv", text.encode())], user=importer, trusted=True)
    errors = rejected.value.errors
    assert (
        "loops.csv: line 5, column agency: Intervention provider is the intervention "
        in "\n".join(errors)
    ), errors
    assert any(
        e.startswith("loops.csv: line 5, column agency:") and "a session_confirmed" in e
        for e in errors
    ), errors
    assert any(
        e.startswith("loops.csv: line 6, column agency:") and "a question_asked" in e
        for e in errors
    ), errors
    assert any(
        e.startswith(
            "loops.csv: line 8, column agency: a question_answered comes from the "
            "intervention provider"
        )
        and "Police is not one" in e
        for e in errors
    ), errors
    assert not any("line 7" in e for e in errors), errors
    assert not Case.objects.filter(reference="CR-L-1").exists()


# ---------------------------------------------------------------- a second round of probes


def test_the_provider_that_answered_stays_commissioned(client, loops):
    """Police (on the case, not the provider) cannot void the commissioning of the provider
    whose answer stands: the answer would come from no provider, and the provider's staff
    would be shut out of their own answer."""
    assignment = loops["case"].providerassignment_records.get()
    page = _text(_void(client, loops["officer"], assignment).content.decode())
    assert (
        "Brightpath Mentoring has 1 answer to questions on this case that still stand: "
        "void them first, then this commissioning."
    ) in page
    assignment.refresh_from_db()
    assert not assignment.is_void
    assert _void(client, loops["provider"], loops["answer"]).status_code == 302
    assignment.refresh_from_db()
    assert _void(client, loops["caseworker"], assignment).status_code == 302


def test_only_an_intervention_provider_is_commissioned(client, loops):
    with pytest.raises(ValidationError, match="Northshire Police is not an intervention provider"):
        services.assign_provider(
            case=loops["case"],
            user=loops["officer"],
            agency=loops["police"],
            occurred_on=D(2020, 2, 25),
            logged_on=D(2020, 2, 25),
            summary="Police commission themselves",
            require_late_reason=False,
        )
    # Nor through the case's upload, in the uploader's own agency's name.
    case = loops["case"]
    rows = (
        "case_ref,subject,agency,entry_type,occurred_on,logged_on,summary,source\n"
        f"{case.reference},,Northshire Police,ip_assigned,2020-02-25,2020-02-25,Ourselves,\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(loops["officer"])
    page = client.post(
        reverse("reviews:case-import", args=[case.reference]),
        {"file": SimpleUploadedFile("ours.csv", rows.encode(), content_type="text/csv")},
    ).content.decode()
    assert (
        "ours.csv: line 2, column agency: an ip_assigned commissions an intervention provider, "
        "and Northshire Police is not one"
    ) in _text(page).replace("&#x27;", "'")
    assert case.providerassignment_records.count() == 1


def test_what_was_confirmed_or_answered_is_not_rewritten_under_it(client, loops):
    first, answered = loops["sessions"][0], loops["answered"]
    with pytest.raises(ValidationError, match="void that confirmation first to change what it"):
        intake.update_record(
            first,
            user=loops["caseworker"],
            changes={"summary": "Session did not really happen"},
            reason="Rewrite",
        )
    with pytest.raises(ValidationError, match="void the answer first to reword the question"):
        intake.update_record(
            answered,
            user=loops["caseworker"],
            changes={"summary": "Has Morgan stopped attending?"},
            reason="Reword",
        )
    # The question's due date and an unconfirmed session's summary still change.
    intake.update_record(
        loops["sessions"][1],
        user=loops["caseworker"],
        changes={"summary": "Mentoring session 2 (typo fixed)"},
        reason="Typo",
    )


def test_a_second_providers_staff_cannot_confirm_the_firsts_sessions(client, loops):
    second = factories.agency("Eastgate Mentoring", "intervention_provider")
    services.assign_provider(
        case=loops["case"],
        user=loops["caseworker"],
        agency=second,
        occurred_on=D(2020, 2, 25),
        logged_on=D(2020, 2, 25),
        summary="Second provider",
        sessions_planned=2,
        require_late_reason=False,
    )
    supervisor = factories.user("eastgate", role="supervisor", agency_=second)
    session = loops["sessions"][1]
    url = reverse("reviews:session-confirm", args=[loops["case"].reference, session.pk])
    client.force_login(supervisor)
    assert (
        url
        not in client.get(reverse("reviews:case", args=[loops["case"].reference])).content.decode()
    )
    assert client.get(url).status_code == 404
    assert AccessLog.objects.filter(user=supervisor, outcome="refused", detail=url).exists()
