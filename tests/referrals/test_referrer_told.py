"""The referrer told (issue 17): one email per referral and outcome, recorded with its sending
time as a `referral_outcome` entry; a referral with no outcome after REFERRAL_OUTCOME_DAYS is
awaiting one."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casereview.records import save_record
from casereview.ukdates import uk_date
from referrals import services as intake
from referrals.models import Agency, Case, Referral, ReferralOutcome, User
from reviews import services
from reviews.chronology.csv_format import export_csv, import_chronology
from reviews.chronology.findings import compute_findings
from reviews.chronology.query import entries_for_case, entries_from_record
from reviews.models import PanelDecision
from tests import factories

pytestmark = pytest.mark.django_db
D = dt.date
EMAIL = "dsl@northshire-college.example"
PERSON = "Jordan Ashcombe"
CONCERNS = "Concerns raised by the college (fictional)."
RATIONALE = "Vulnerable to online grooming; mentoring agreed"
Outcome = ReferralOutcome.Outcome
# Recent dates: a decision copied in from documents long after (a backfill) emails nobody.
TODAY = timezone.localdate()
RECEIVED = TODAY - dt.timedelta(days=100)
DECIDED = TODAY - dt.timedelta(days=5)
EXITED = TODAY - dt.timedelta(days=2)
LATER = TODAY + dt.timedelta(days=400)


@pytest.fixture
def cast():
    council = factories.agency("Northshire County Council")
    westmoor = factories.agency("Westmoor Police", Agency.Kind.POLICE)
    return {
        "worker": factories.user("caseworker", agency_=council),
        "outsider": factories.user("outsider", agency_=westmoor),
        "inquiry": factories.user(
            "inquiry", role=User.Role.INQUIRY, agency_=factories.agency("Review team")
        ),
    }


def _case(worker, *, email=EMAIL, received_on=RECEIVED, month_only=False, reference=""):
    return intake.create_referral(
        user=worker,
        person_name=PERSON,
        referring_agency=worker.agency,
        referrer_name="Designated safeguarding lead",
        referrer_email=email,
        received_on=received_on,
        month_only=month_only,
        logged_on=received_on.replace(day=28) if month_only else received_on,
        concerns=CONCERNS,
        reference=reference or f"CR-{received_on.year}-{Case.objects.count() + 1:05d}",
        require_late_reason=False,
    ).case


@pytest.fixture
def case(cast):
    return _case(cast["worker"], reference="CR-2019-00001")


def _decide(case, user, kind="adopt", on=DECIDED, **extra):
    return services.record_decision(
        case=case,
        user=user,
        agency=user.agency,
        kind=kind,
        rationale=RATIONALE,
        occurred_on=on,
        logged_on=on,
        summary=f"Panel decided: {kind}",
        require_late_reason=False,
        **extra,
    )


def _exit(case, user, on=EXITED, **extra):
    return services.exit_case(
        case=case,
        user=user,
        agency=user.agency,
        occurred_on=on,
        logged_on=on,
        summary="Exited: the college reports good progress",
        rationale=RATIONALE,
        require_late_reason=False,
        **extra,
    )


# ---------------------------------------------------------------- the email


def test_adopting_emails_the_referrer_once_with_reference_outcome_and_date_only(case, cast):
    before = timezone.now()
    _decide(case, cast["worker"])
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [EMAIL] and email.from_email == "casereview <no-reply@casereview.invalid>"
    assert email.subject == "Outcome of Channel referral CR-2019-00001"
    assert "Case reference: CR-2019-00001" in email.body
    assert "adopted the referral for Channel support" in email.body
    assert f"Date: {uk_date(DECIDED)}" in email.body
    # Nothing else: no name (the person's, the referrer's, the worker's), no case detail.
    for secret in (PERSON, "Jordan", "Ashcombe", CONCERNS, RATIONALE, "Designated", "Caseworker"):
        assert secret not in email.body and secret not in email.subject
    told = ReferralOutcome.objects.get()
    assert (told.outcome, told.sent_to, told.referral.case) == (Outcome.ADOPTED, EMAIL, case)
    assert before <= told.sent_at <= timezone.now()
    assert told.agency == cast["worker"].agency and told.logged_by == cast["worker"]
    history = told.history.get()
    assert history.history_user == cast["worker"]
    assert history.history_change_reason == "Referrer told: Adopted for Channel support"


@pytest.mark.parametrize(
    ("kind", "outcome", "words"),
    [
        ("adopt", Outcome.ADOPTED, "The Channel panel adopted the referral for Channel support."),
        (
            "not_adopt",
            Outcome.NOT_ADOPTED,
            "The Channel panel did not adopt the referral. No further action will be taken "
            "through Channel.",
        ),
        (
            "refer_elsewhere",
            Outcome.SIGNPOSTED,
            "The Channel panel did not adopt the referral and signposted it to another service.",
        ),
    ],
)
def test_each_decision_that_is_an_outcome_is_told_in_plain_words(case, cast, kind, outcome, words):
    _decide(case, cast["worker"], kind=kind)
    assert words in mail.outbox[0].body
    assert ReferralOutcome.objects.get().outcome == outcome


@pytest.mark.parametrize("kind", ["continue", "other"])
def test_a_decision_that_is_no_outcome_tells_nothing(case, cast, kind):
    _decide(case, cast["worker"], kind=kind)
    assert mail.outbox == [] and not ReferralOutcome.objects.exists()


def test_an_exit_is_told_with_its_date(case, cast):
    _decide(case, cast["worker"])
    _exit(case, cast["worker"])
    assert len(mail.outbox) == 2
    assert "The case has been exited from Channel." in mail.outbox[1].body
    assert f"Date: {uk_date(EXITED)}" in mail.outbox[1].body
    assert list(ReferralOutcome.objects.values_list("outcome", flat=True)) == [
        Outcome.ADOPTED,
        Outcome.EXITED,
    ]


def test_a_month_only_decision_is_dated_by_its_month(cast):
    case = _case(cast["worker"], reference="CR-2019-00002")
    services.record_decision(
        case=case,
        user=cast["worker"],
        agency=cast["worker"].agency,
        kind="adopt",
        rationale=RATIONALE,
        occurred_on=TODAY.replace(day=1),
        month_only=True,
        logged_on=TODAY,
        summary="Adopted",
        require_late_reason=False,
    )
    assert f"Date: {TODAY:%B %Y}" in mail.outbox[0].body


def test_twice_the_same_outcome_sends_one_email(case, cast):
    _decide(case, cast["worker"])
    _decide(case, cast["worker"], on=DECIDED + dt.timedelta(days=1))  # a second adoption
    assert (
        intake.tell_referrer(case=case, outcome=Outcome.ADOPTED, by=cast["worker"], on=TODAY) == []
    )
    assert len(mail.outbox) == 1 and ReferralOutcome.objects.count() == 1
    # Another outcome is another email.
    _decide(case, cast["worker"], kind="not_adopt", on=DECIDED + dt.timedelta(days=2))
    assert len(mail.outbox) == 2


def test_the_database_refuses_a_second_live_row_and_a_voided_one_frees_it(case, cast):
    _decide(case, cast["worker"])
    told = ReferralOutcome.objects.get()
    twin = ReferralOutcome.objects.get(pk=told.pk)
    twin.pk = None
    with pytest.raises(IntegrityError, match="referraloutcome"), transaction.atomic():
        twin.save()
    intake.void_record(told, user=cast["worker"], reason="Sent to the wrong address")
    _decide(case, cast["worker"], on=DECIDED + dt.timedelta(days=1))
    assert len(mail.outbox) == 2


def test_a_teller_that_finds_the_row_at_its_insert_sends_nothing(case, cast):
    """Another request told the referrer between this one's look and its insert (the look is
    skipped here): the insert is refused and nothing more is sent."""
    _decide(case, cast["worker"])
    referral = case.referral_records.get()
    subject, body = intake.outcome_email(case.reference, Outcome.ADOPTED, DECIDED)
    again = intake._email_referrer(
        referral,
        case,
        Outcome.ADOPTED,
        by=cast["worker"],
        agency=cast["worker"].agency,
        subject=subject,
        body=body,
    )
    assert again is None
    assert ReferralOutcome.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_email_once(cast):
    """On PostgreSQL two decisions are recorded at once in two threads (the second insert waits
    for the first's transaction, then is refused); SQLite's test database lives in one
    connection, so there the second follows the first."""
    case = _case(cast["worker"], reference="CR-2019-00003")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(threaded):
        try:
            if threaded:
                barrier.wait(timeout=10)
            _decide(Case.objects.get(pk=case.pk), cast["worker"])
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            if threaded:
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=decide, args=(True,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        decide(False)
        decide(False)
    assert errors == []
    assert PanelDecision.objects.count() == 2
    assert len(mail.outbox) == 1 and ReferralOutcome.objects.count() == 1


def test_no_email_address_sends_and_records_nothing(cast):
    case = _case(cast["worker"], email="", reference="CR-2019-00004")
    _decide(case, cast["worker"])
    _exit(case, cast["worker"])
    assert mail.outbox == [] and not ReferralOutcome.objects.exists()
    assert not [e for e in entries_for_case(case) if e.entry_type == "referral_outcome"]


def test_each_referrer_with_an_address_is_told_and_a_later_referral_is_not(case, cast):
    second = intake.fill_record(
        Referral(referrer_email="mash@northshire.example"),
        case=case,
        user=cast["worker"],
        agency=cast["worker"].agency,
        occurred_on=RECEIVED + dt.timedelta(days=10),
        logged_on=RECEIVED + dt.timedelta(days=10),
        summary="Second referral (fictional)",
    )
    save_record(second, user=cast["worker"], reason="Second referral")
    later = intake.fill_record(
        Referral(referrer_email="late@northshire.example"),
        case=case,
        user=cast["worker"],
        agency=cast["worker"].agency,
        occurred_on=DECIDED + dt.timedelta(days=1),
        logged_on=DECIDED + dt.timedelta(days=1),
        summary="A referral after the decision (fictional)",
    )
    save_record(later, user=cast["worker"], reason="Later referral")
    _decide(case, cast["worker"])
    assert sorted(m.to[0] for m in mail.outbox) == [EMAIL, "mash@northshire.example"]


def test_a_mail_failure_keeps_the_decision_and_records_no_telling(case, cast, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(intake, "send_mail", broken)
    decision = _decide(case, cast["worker"])
    assert PanelDecision.objects.filter(pk=decision.pk).exists()
    assert not ReferralOutcome.objects.exists()
    assert not ReferralOutcome.history.exists()


def test_a_decision_copied_in_from_documents_emails_nobody(cast):
    """A backfill: logged by the panel years ago, typed into casereview now."""
    case = _case(cast["worker"], received_on=D(2016, 1, 12), reference="CR-2016-00001")
    _decide(case, cast["worker"], on=D(2016, 2, 10), source="Channel minutes 10/02/2016")
    _exit(case, cast["worker"], on=D(2016, 9, 1), source="Channel minutes 01/09/2016")
    assert mail.outbox == [] and not ReferralOutcome.objects.exists()


def test_an_import_of_past_decisions_and_exits_emails_nobody(case, cast):
    admin = factories.user("importer", role=User.Role.ADMIN)
    text = (
        "case_ref,agency,entry_type,occurred_on,summary\n"
        f"CR-2019-00001,Channel panel,case_adopted,{DECIDED},Adopted\n"
        f"CR-2019-00001,Channel panel,case_exited,{EXITED},Exited\n"
    )
    result = import_chronology([("past.csv", text.encode())], user=admin, trusted=True)
    assert result.created == 2
    assert mail.outbox == [] and not ReferralOutcome.objects.exists()


# ---------------------------------------------------------------- the chronology


def test_the_entry_is_in_the_chronology_with_its_sending_time_and_raises_no_finding(case, cast):
    _decide(case, cast["worker"])
    told = ReferralOutcome.objects.get()
    sent = timezone.localtime(told.sent_at)
    [entry] = [e for e in entries_for_case(case) if e.entry_type == "referral_outcome"]
    assert entry.occurred_on == entry.logged_on == sent.date()
    assert f"sent at {sent:%H:%M}" in entry.summary
    assert entry.summary.startswith("Adopted for Channel support: the referrer was told by email")
    assert entry.label == "Referrer told the outcome"
    assert entry.record_key == f"referraloutcome:{told.pk}"
    assert entries_from_record(told, case.reference) == [entry]
    as_of = sent.date() + dt.timedelta(days=400)
    assert not [
        f
        for f in compute_findings(entries_for_case(case), as_of=as_of)
        if "referraloutcome" in " ".join(f.entry_keys)
    ]
    assert ",referral_outcome," in export_csv(case)


def test_an_imported_row_is_a_plain_record_with_no_sending_time(cast):
    admin = factories.user("importer", role=User.Role.ADMIN)
    text = (
        "case_ref,subject,agency,entry_type,occurred_on,logged_on,summary,source\n"
        "CR-2016-00009,Ellis Norbury,Police,referral,2016-01-12,,Referred,form PR/1\n"
        "CR-2016-00009,,Channel panel,referral_outcome,2016-03-01,2016-05-02,"
        "Not adopted: referrer told by phone,call log\n"
    )
    import_chronology([("told.csv", text.encode())], user=admin, owner=admin, trusted=True)
    told = ReferralOutcome.objects.get()
    assert (told.referral, told.outcome, told.sent_to, told.sent_at) == (None, "", "", None)
    case = Case.objects.get(reference="CR-2016-00009")
    # Logged two months after: a quiet type, never "logged late".
    assert compute_findings(entries_for_case(case), as_of=D(2026, 1, 1)) == []
    assert mail.outbox == []


# ---------------------------------------------------------------- awaiting an outcome


def _awaiting(today):
    return list(Case.objects.awaiting_outcome(today).values_list("reference", flat=True))


def test_awaiting_outcome_from_the_day_after_referral_outcome_days(case, cast, settings):
    assert settings.REFERRAL_OUTCOME_DAYS == 30
    assert _awaiting(RECEIVED + dt.timedelta(days=30)) == []
    assert _awaiting(RECEIVED + dt.timedelta(days=31)) == ["CR-2019-00001"]
    settings.REFERRAL_OUTCOME_DAYS = 10
    assert _awaiting(RECEIVED + dt.timedelta(days=10)) == []
    assert _awaiting(RECEIVED + dt.timedelta(days=11)) == ["CR-2019-00001"]


@pytest.mark.parametrize("kind", ["adopt", "not_adopt", "refer_elsewhere"])
def test_a_decision_that_is_an_outcome_ends_the_wait(case, cast, kind):
    _decide(case, cast["worker"], kind=kind)
    assert _awaiting(LATER) == []


def test_what_does_not_end_the_wait(case, cast):
    _decide(case, cast["worker"], kind="continue")
    adopted = _decide(case, cast["worker"])
    intake.void_record(adopted, user=cast["worker"], reason="Entered on the wrong case")
    assert _awaiting(LATER) == ["CR-2019-00001"]


def test_an_exit_a_gateway_outcome_or_a_closed_case_ends_the_wait(cast):
    worker = cast["worker"]
    exited = _case(worker, reference="CR-2019-00011")
    _decide(exited, worker)
    _exit(exited, worker)
    intake.void_record(PanelDecision.objects.get(case=exited), user=worker, reason="Entered twice")
    gateway = _case(worker, reference="CR-2019-00012")
    referral = gateway.referral_records.get()
    intake.update_record(
        referral,
        user=worker,
        reason="Gateway: no further action",
        changes={"outcome": Referral.Outcome.NO_FURTHER_ACTION},
    )
    closed = _case(worker, reference="CR-2019-00013")
    intake.set_status(case=closed, user=worker, status=Case.Status.CLOSED, reason="Closed")
    _case(worker, email="", reference="CR-2019-00014")
    assert _awaiting(LATER) == ["CR-2019-00014"]


def test_a_month_only_referral_counts_from_the_months_last_day(cast):
    _case(cast["worker"], received_on=D(2019, 10, 1), month_only=True, reference="CR-2019-00021")
    assert _awaiting(D(2019, 10, 31) + dt.timedelta(days=30)) == []
    assert _awaiting(D(2019, 10, 31) + dt.timedelta(days=31)) == ["CR-2019-00021"]


# ---------------------------------------------------------------- forms, pages and access


def _token(client, url) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', html).group(1)


def _panel_form(client, case, worker, decision="adopt"):
    url = reverse("reviews:panel-meeting-new", args=[case.reference])
    today = timezone.localdate()
    return url, {
        "form_token": _token(client, url),
        "occurred_0": str(today.day),
        "occurred_1": str(today.month),
        "occurred_2": str(today.year),
        "agency": str(worker.agency_id),
        "summary": "Panel met",
        "decision": decision,
        "rationale": RATIONALE,
        "source": "",
        "late_reason": "",
    }


def test_the_panel_form_tells_the_referrer_once_even_sent_twice(client, case, cast):
    client.force_login(cast["worker"])
    url, data = _panel_form(client, case, cast["worker"])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert PanelDecision.objects.count() == 1 and len(mail.outbox) == 1


def test_a_user_without_access_to_the_case_triggers_nothing(client, case, cast):
    worker_client = Client()
    worker_client.force_login(cast["worker"])
    url, data = _panel_form(worker_client, case, cast["worker"])
    exit_url = reverse("reviews:exit", args=[case.reference])
    for name in ("outsider", "inquiry"):
        client.force_login(cast[name])
        assert client.post(url, data | {"form_token": ""}).status_code == 404
        assert client.post(exit_url, {"summary": "x"}).status_code == 404
    assert not PanelDecision.objects.exists() and mail.outbox == []


def test_the_record_pages_of_a_telling_go_through_access(client, case, cast):
    _decide(case, cast["worker"])
    told = ReferralOutcome.objects.get()
    history = reverse("reviews:record-history", args=[case.reference, "referraloutcome", told.pk])
    edit = reverse("reviews:record-edit", args=[case.reference, "referraloutcome", told.pk])
    client.force_login(cast["outsider"])
    assert client.get(history).status_code == 404 and client.get(edit).status_code == 404
    client.force_login(cast["worker"])
    assert client.get(history).status_code == 200
    page = client.get(edit).content.decode()
    assert 'name="summary"' in page and 'name="sent_to"' not in page
    assert 'name="outcome"' not in page


def test_the_referral_form_keeps_the_referrers_email(client, cast):
    client.force_login(cast["worker"])
    url = reverse("referrals:case-new")
    today = timezone.localdate()
    data = {
        "form_token": _token(client, url),
        "person_name": "Robin Fairley",
        "referring_agency": str(cast["worker"].agency_id),
        "referrer_name": "",
        "referrer_email": "not an address",
        "received_0": str(today.day),
        "received_1": str(today.month),
        "received_2": str(today.year),
        "concerns": "Concerns (fictional)",
        "source": "",
        "late_reason": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "valid email address" in refused.content.decode()
    data["form_token"] = _token(client, url)
    assert client.post(url, data | {"referrer_email": " dsl@college.example "}).status_code == 302
    assert Referral.objects.get().referrer_email == "dsl@college.example"


def test_the_referrer_email_is_changed_on_the_change_page_with_history(client, case, cast):
    referral = case.referral_records.get()
    client.force_login(cast["worker"])
    url = reverse("reviews:record-edit", args=[case.reference, "referral", referral.pk])
    page = client.get(url).content.decode()
    assert 'name="referrer_email"' in page
    form = re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page)
    data = dict(form) | {
        "form_token": _token(client, url),
        "referrer_email": "new.dsl@northshire-college.example",
        "reason": "The college's lead changed",
        "summary": CONCERNS,
        "occurred_on_0": "7",
        "occurred_on_1": "10",
        "occurred_on_2": "2019",
        "outcome": "pending",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    referral.refresh_from_db()
    assert referral.referrer_email == "new.dsl@northshire-college.example"
    latest = referral.history.first()
    assert latest.history_user == cast["worker"]
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changes["referrer_email"] == (EMAIL, "new.dsl@northshire-college.example")
