"""Closing the loops (issue 17): confirming a held session from outside the provider, asking the
provider a question, and the provider's answer. Thin, like the other record forms: access
helper, form, service, redirect.

Who may do what (`referrals.access`): an agency on the case other than the provider confirms
sessions (`can_confirm_sessions`, never one its own agency held: `can_confirm_session`) and asks
questions (`can_ask_provider`); the provider commissioned on the case, or staff recording its
reply, answers them (`can_answer_questions`). Everyone else is told "not found", like the
other write forms.

A case with no intervention provider commissioned has no one to ask: its question page says
so (`access.has_provider`; the service refuses it too). A question already answered opens
on its answer, saving nothing. A provider goes back to its list (`/provider/`) after answering.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from referrals import access
from referrals.models import User
from referrals.views import case_url, record_form_page

from .. import services
from ..forms import AnswerQuestionForm, AskProviderForm, ConfirmSessionForm
from ..models import InterventionSession, ProviderAssignment, ProviderQuestion

GET_POST = require_http_methods(["GET", "POST"])


@login_required
@GET_POST
def session_confirm(request, reference, pk):
    case = access.get_case_for_user(request, reference, write=True)
    if not access.can_confirm_sessions(request.user, case):
        raise access.refused(request, case, "No case found")
    session = access.get_record_for_user(
        InterventionSession,
        case,
        pk,
        request.user,
        voided_at__isnull=True,
        status=InterventionSession.Status.HELD,
    )
    if not access.can_confirm_session(request.user, session):
        raise access.refused(request, case, "No such session")
    form = ConfirmSessionForm(request.POST or None)
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.confirm_session(
            session=session,
            user=request.user,
            agency=request.user.agency,
            how=d["how"],
            confirmed_on=d["logged"],
            note=d["note"],
        ),
        title=f"Confirm the session of {session.occurred_display}",
        button="Confirm session",
        success_message="Session confirmed",
        template="reviews/confirm_form.html",
        extra={"session": session},
    )


@login_required
@GET_POST
def question_new(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    if not access.can_ask_provider(request.user, case):
        raise access.refused(request, case, "No case found")
    if not access.has_provider(case):
        # No one to ask: said so, instead of a form whose question no one could answer.
        return render(
            request,
            "reviews/question_no_provider.html",
            {"case": case, "message": services.NO_PROVIDER_TO_ASK, "back_url": case_url(case)},
        )
    form = AskProviderForm(request.POST or None)
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.ask_provider(
            case=case,
            user=request.user,
            agency=request.user.agency,
            question=d["summary"],
            due_on=d["due_on"],
        ),
        title="Ask the intervention provider a question",
        button="Send question",
        success_message="Question sent to the intervention provider",
    )


def _answering_agency(user: User, case):
    """Who an answer comes from: a provider's own agency; for staff typing in the provider's
    reply, the provider commissioned on the case (latest first)."""
    if user.role == User.Role.PROVIDER:
        return user.agency
    assignment = (
        ProviderAssignment.objects.filter(case=case, voided_at__isnull=True)
        .select_related("agency")
        .order_by("-occurred_on", "-id")
        .first()
    )
    if assignment is None:
        raise ValidationError(
            "No intervention provider is commissioned on this case, so no one can answer "
            "for it yet."
        )
    return assignment.agency


@login_required
@GET_POST
def question_answer(request, reference, pk):
    case = access.get_case_for_user(request, reference)
    if not access.can_answer_questions(request.user, case):
        raise access.refused(request, case, "No case found")
    question = access.get_record_for_user(
        ProviderQuestion, case, pk, request.user, voided_at__isnull=True
    )
    # A provider answers from its list, and goes back to it; staff, from the case page.
    if request.user.role == User.Role.PROVIDER:
        back_url, back_text = reverse("reviews:provider-cases"), "Back to your cases"
    else:
        back_url, back_text = case_url(case), "Back to the case"
    answer = question.live_answer()
    if answer is not None:
        # Answered already (by a colleague, or in another tab): what was answered, saving nothing.
        return render(
            request,
            "reviews/question_answered.html",
            {
                "case": case,
                "question": question,
                "answer": answer,
                "back_url": back_url,
                "back_text": back_text,
            },
        )
    form = AnswerQuestionForm(request.POST or None, initial={"version": question.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.answer_question(
            question=question,
            user=request.user,
            agency=_answering_agency(request.user, case),
            answer=d["summary"],
            answered_on=d["occurred"],
            expected_version=d["version"],
        ),
        title="Answer the question",
        button="Send answer",
        success_message="Answer sent",
        template="reviews/answer_form.html",
        extra={"question": question, "back_url": back_url},
        success_url=back_url,
    )
