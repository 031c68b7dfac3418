"""A form is accepted once: the second submit of the same rendered form shows the first result.

Each case form renders a fresh token (`{% form_token %}`). `OnceOnlyFormMiddleware` claims the
token in its own short transaction before the view runs; the unique index makes a second POST
of the same form (a double click, a resend after a slow answer) find the claim. When the first
has saved (it answered with a redirect), the second is sent to the same place with a note;
while the first is still being saved, the second waits a few seconds for it; when the first
failed validation, the form may be sent again. Without a token (sign-in, sign-out) a POST
passes untouched.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html

from .models import FormSubmission

FIELD = "form_token"
# A claimed token is kept this long: a form resent later than that is a new form.
KEEP = dt.timedelta(days=2)
# How long a repeated POST waits for the first one to finish, and how often it looks.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1


def token_input() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())


def _token(request) -> str | None:
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    value = request.POST.get(FIELD, "")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class OnceOnlyFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None:
            return self.get_response(request)
        claim = self._claim(request, token)
        if isinstance(claim, HttpResponse):
            return claim
        status = FormSubmission.Status.FAILED
        try:
            response = self.get_response(request)
            if 300 <= response.status_code < 400 and response.has_header("Location"):
                status = FormSubmission.Status.DONE
                claim.result_url = response["Location"][:500]
            return response
        finally:
            claim.status = status
            claim.save(update_fields=["status", "result_url"])

    def _claim(self, request, token: str) -> FormSubmission | HttpResponse:
        try:
            with transaction.atomic():
                claim = FormSubmission.objects.create(
                    token=token, user=request.user, path=request.path[:300]
                )
                # The user's own tokens older than KEEP are forgotten (technical rows, no
                # history): the table holds about two days of forms.
                expired = FormSubmission.objects.filter(
                    user=request.user, created_at__lt=timezone.now() - KEEP
                )
                expired.delete()  # history-safe: technical rows of no model with history
                return claim
        except IntegrityError:
            pass
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            earlier = FormSubmission.objects.filter(token=token).first()
            if earlier is None or earlier.user_id != request.user.pk:
                return HttpResponse("This form cannot be sent again.", status=400)
            if earlier.status == FormSubmission.Status.DONE:
                messages.info(
                    request, "You sent this form more than once: it was saved once, shown here."
                )
                return redirect(earlier.result_url)
            if earlier.status == FormSubmission.Status.FAILED:
                earlier.status = FormSubmission.Status.PENDING
                earlier.save(update_fields=["status"])
                return earlier
            if time.monotonic() > deadline:
                return HttpResponse(
                    "This form is still being saved. Wait a moment, then open the case again.",
                    status=409,
                )
            time.sleep(POLL_SECONDS)
