"""History on create, update and void: the right user, the reason, and what changed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from casereview.records import ConflictError
from referrals import services as intake
from referrals.models import Case, Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker():
    return factories.user("caseworker")


@pytest.fixture
def contact(caseworker):
    case = factories.case(owner=caseworker)
    return intake.log_contact(
        case=case,
        user=caseworker,
        agency=caseworker.agency,
        kind="call",
        occurred_on=dt.date(2015, 2, 1),
        logged_on=dt.date(2015, 2, 1),
        summary="Called the college",
    )


def test_create_records_the_user_and_reason(contact, caseworker):
    (created,) = contact.history.all()
    assert created.history_type == "+"
    assert created.history_user == caseworker
    assert created.history_change_reason == "Contact logged"


def test_update_records_who_changed_what_and_why(contact):
    supervisor = factories.user("supervisor", role="supervisor")
    intake.update_record(
        contact,
        user=supervisor,
        changes={"summary": "Called the college twice"},
        reason="Corrected after checking the call log",
        expected_version=1,
    )
    latest, previous = contact.history.all()[:2]
    assert latest.history_user == supervisor
    assert latest.history_change_reason == "Corrected after checking the call log"
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("summary", "Called the college", "Called the college twice"),
        ("version", 1, 2),
    ]


def test_void_keeps_the_record_and_history(contact, caseworker):
    intake.void_record(contact, user=caseworker, reason="Logged on the wrong case")
    contact.refresh_from_db()
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert contact.is_void and contact.voided_by == caseworker
    latest = contact.history.first()
    assert latest.history_change_reason == "Voided: Logged on the wrong case"
    assert latest.voided_at is not None
    assert contact.history.count() == 2


def test_void_needs_a_reason(contact, caseworker):
    with pytest.raises(ValidationError, match="Give a reason"):
        intake.void_record(contact, user=caseworker, reason="  ")
    contact.refresh_from_db()
    assert not contact.is_void


def test_stale_edit_is_refused_and_nothing_changes(contact, caseworker):
    intake.update_record(
        contact,
        user=caseworker,
        changes={"summary": "First edit"},
        reason="edit",
        expected_version=1,
    )
    stale = Contact.objects.get(pk=contact.pk)
    stale.version = 1  # what the second person's form was opened with
    with pytest.raises(ConflictError):
        intake.update_record(
            stale,
            user=caseworker,
            changes={"summary": "Second edit"},
            reason="edit",
            expected_version=1,
        )
    contact.refresh_from_db()
    assert contact.summary == "First edit"
    assert contact.history.count() == 2


def test_owner_changes_are_history_and_never_blank(caseworker):
    case = factories.case(owner=caseworker)
    colleague = factories.user("colleague")
    intake.change_owner(case=case, user=caseworker, new_owner=colleague, reason="Leave cover")
    owners = [h.owner_id for h in Case.history.filter(id=case.pk).order_by("history_date")]
    assert owners == [caseworker.pk, colleague.pk]
    assert (
        Case.history.filter(id=case.pk)
        .first()
        .history_change_reason.startswith("Owner changed to Colleague Example")
    )
    with pytest.raises(ValidationError, match="Say why"):
        intake.change_owner(case=case, user=caseworker, new_owner=caseworker, reason="")
