"""A rendered form is accepted once: a double click or a resent form saves one record.

Before: two identical note POSTs made two notes, 10 times in 10.
"""

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals.models import CaseNote, FormSubmission
from tests import factories

D = dt.date


@pytest.fixture
def cast(db):
    worker = factories.user("caseworker")
    case = factories.case(owner=worker, received_on=D(2019, 10, 7), reference="CR-2019-00001")
    return {"worker": worker, "case": case}


def _note(token, summary="Spoke to the college about attendance"):
    today = timezone.localdate()
    return {
        "form_token": token,
        "occurred_0": str(today.day),
        "occurred_1": str(today.month),
        "occurred_2": str(today.year),
        "agency": "",
        "summary": summary,
        "source": "",
        "late_reason": "",
    }


def _token(client, url) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="form_token" value="([0-9a-f-]{36})"', html).group(1)


@pytest.mark.django_db
def test_the_same_note_form_sent_twice_saves_one_note_and_shows_the_first_result(client, cast):
    client.force_login(cast["worker"])
    url = reverse("referrals:note-new", args=[cast["case"].reference])
    token = _token(client, url)
    data = _note(token) | {"agency": str(cast["worker"].agency_id)}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert CaseNote.objects.count() == 1
    page = client.get(second.url).content.decode()
    assert "it was saved once" in page


@pytest.mark.django_db
def test_a_form_with_errors_can_be_corrected_and_sent(client, cast):
    client.force_login(cast["worker"])
    url = reverse("referrals:note-new", args=[cast["case"].reference])
    token = _token(client, url)
    data = _note(token, summary="") | {"agency": str(cast["worker"].agency_id)}
    refused = client.post(url, data)
    assert refused.status_code == 200 and CaseNote.objects.count() == 0
    # The page sent back carries a new token; the old one may be sent again too.
    assert token not in refused.content.decode()
    again = client.post(url, data | {"summary": "Corrected"})
    assert again.status_code == 302 and CaseNote.objects.count() == 1


@pytest.mark.django_db
def test_two_different_renders_of_the_form_make_two_notes(client, cast):
    client.force_login(cast["worker"])
    url = reverse("referrals:note-new", args=[cast["case"].reference])
    for _ in range(2):
        data = _note(_token(client, url)) | {"agency": str(cast["worker"].agency_id)}
        assert client.post(url, data).status_code == 302
    assert CaseNote.objects.count() == 2


@pytest.mark.django_db
def test_another_users_token_is_not_accepted(client, cast):
    client.force_login(cast["worker"])
    url = reverse("referrals:note-new", args=[cast["case"].reference])
    token = _token(client, url)
    data = _note(token) | {"agency": str(cast["worker"].agency_id)}
    assert client.post(url, data).status_code == 302
    colleague = factories.user("colleague", agency_=cast["worker"].agency)
    client.force_login(colleague)
    assert client.post(url, data).status_code == 400
    assert CaseNote.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_of_one_form_save_once(cast):
    """On PostgreSQL the two POSTs run at once in two threads; SQLite's test database lives in
    one connection, so there the second follows the first."""
    url = reverse("referrals:note-new", args=[cast["case"].reference])
    setup = Client()
    setup.force_login(cast["worker"])
    data = _note(_token(setup, url)) | {"agency": str(cast["worker"].agency_id)}
    codes: list[int] = []
    barrier = threading.Barrier(2)
    # Signed in here, before the threads start: the two requests share one user and session.
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(cast["worker"])

    def post(threaded, client):
        try:
            if threaded:
                barrier.wait(timeout=10)
            codes.append(client.post(url, data).status_code)
        finally:
            if threaded:
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=post, args=(True, client)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        post(False, clients[0])
        post(False, clients[1])
    assert codes == [302, 302]
    assert CaseNote.objects.count() == 1
    assert FormSubmission.objects.get().status == FormSubmission.Status.DONE


@pytest.mark.django_db
def test_a_users_old_tokens_are_forgotten_after_two_days(client, cast):
    old = FormSubmission.objects.create(
        token="00000000-0000-0000-0000-000000000001", user=cast["worker"], path="/x"
    )
    FormSubmission.objects.filter(pk=old.pk).update(  # history-safe: not a tracked model
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    client.force_login(cast["worker"])
    url = reverse("referrals:note-new", args=[cast["case"].reference])
    data = _note(_token(client, url)) | {"agency": str(cast["worker"].agency_id)}
    assert client.post(url, data).status_code == 302
    assert not FormSubmission.objects.filter(pk=old.pk).exists()
    assert FormSubmission.objects.count() == 1
