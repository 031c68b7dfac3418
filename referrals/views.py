"""Case lists and the intake forms. Every case is fetched through referrals.access; the case
page itself is reviews.views.case."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casereview.web import run_form

from . import access, services
from .audit import log_access
from .forms import (
    CaseSearchForm,
    ConsentForm,
    ContactForm,
    NoteForm,
    OwnerForm,
    ReferralForm,
)
from .models import Case, Person

PAGE_SIZE = 25


def case_url(case: Case) -> str:
    """The case page (reviews.views.case: it shows every kind of record)."""
    return reverse("reviews:case", args=[case.reference])


def case_list_page(
    request,
    cases,
    *,
    title: str,
    template: str = "referrals/case_list.html",
    extra: dict | None = None,
):
    form = CaseSearchForm(request.GET or None, user=request.user)
    cases = cases.select_related("person", "owner", "lead_agency")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            # Cases by reference, and the cases of the people by name: each served by its own
            # index on PostgreSQL (migration 0006), where an OR of the two would read every case.
            people = Person.objects.filter(display_name__icontains=q).values("pk")
            by_reference = Case.objects.filter(Q(reference__iexact=q) | Q(reference__istartswith=q))
            by_name = Case.objects.filter(person_id__in=people)
            cases = cases.filter(
                pk__in=by_reference.values("pk")
                .order_by()
                .union(by_name.values("pk").order_by(), all=True)
            )
        if data["status"]:
            cases = cases.filter(status=data["status"])
        if data["agency"]:
            cases = cases.filter(lead_agency=data["agency"])
        if data["owner"]:
            cases = cases.filter(owner=data["owner"])
        if data["risk"]:
            cases = cases.filter(risk_level=data["risk"])
        sort = CaseSearchForm.SORTS.get(data["sort"] or "newest")[0]
    else:
        sort = "-referred_on"
    cases = cases.order_by(sort, "reference")
    paginator = Paginator(cases, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    if request.GET.get("q"):
        # A search discloses which cases match: it is an access like any other.
        log_access(
            user=request.user,
            action="search-cases",
            detail=f"q={request.GET['q'][:100]} ({paginator.count} found)",
            request=request,
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "title": title,
            "form": form,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(
                page_obj.number, on_each_side=1, on_ends=1
            ),
            "count": paginator.count,
            "query": query.urlencode(),
            "can_create": access.can_create_cases(request.user),
            **(extra or {}),
        },
    )


@login_required
@require_GET
def case_list(request):
    return case_list_page(request, access.visible_cases(request.user), title="All cases I can see")


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    if not access.can_create_cases(request.user):
        raise PermissionDenied
    form = ReferralForm(request.POST or None, initial={"referring_agency": request.user.agency})
    created = {}

    def save(data):
        created["referral"] = services.create_referral(
            user=request.user,
            person_name=data["person_name"],
            date_of_birth=data["date_of_birth"],
            referring_agency=data["referring_agency"],
            referrer_name=data["referrer_name"],
            referrer_email=data["referrer_email"],
            received_on=data["received"].value,
            month_only=data["received"].month_only,
            logged_on=data["logged"],
            concerns=data["concerns"],
            source=data["source"],
            late_reason=data["late_reason"],
        )

    if request.method == "POST" and form.is_valid():
        response = run_form(request, form, save, success_url="/", success_message="Referral saved")
        if response is not None:
            case = created["referral"].case
            return redirect(case_url(case))
    return render(
        request,
        "referrals/record_form.html",
        {
            "form": form,
            "title": "New referral",
            "button": "Save referral",
            "back_url": reverse("reviews:home"),
        },
    )


def record_form_page(
    request,
    case,
    form,
    save,
    *,
    title,
    button,
    success_message,
    template=None,
    extra=None,
    success_url=None,
):
    """Render-or-save for any form about one case (the shape every record form shares).
    Saved, it goes to `success_url`: the case page unless said otherwise."""
    response = run_form(
        request,
        form,
        save,
        success_url=success_url or case_url(case),
        success_message=success_message,
    )
    if response is not None:
        return response
    return render(
        request,
        template or "referrals/record_form.html",
        {
            "case": case,
            "form": form,
            "title": title,
            "button": button,
            "back_url": case_url(case),
            **(extra or {}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_contact(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = ContactForm(request.POST or None, initial={"agency": request.user.agency})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.log_contact(
            case=case,
            user=request.user,
            kind=d["kind"],
            with_whom=d["with_whom"],
            restricted=d["restricted"],
            **form.record_fields(),
        ),
        title="Log a contact",
        button="Save contact",
        success_message="Contact saved",
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_note(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = NoteForm(request.POST or None, initial={"agency": request.user.agency})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.add_note(
            case=case, user=request.user, restricted=d["restricted"], **form.record_fields()
        ),
        title="Add a note",
        button="Save note",
        success_message="Note saved",
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_owner(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = OwnerForm(
        request.POST or None, initial={"new_owner": case.owner, "version": case.version}
    )
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.change_owner(
            case=case,
            user=request.user,
            new_owner=d["new_owner"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        title="Change the accountable owner",
        button="Change owner",
        success_message="Owner changed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_consent(request, reference):
    case = access.get_case_for_user(request, reference, write=True)
    form = ConsentForm(request.POST or None, initial={"version": case.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: services.record_consent(
            case=case,
            user=request.user,
            consent=d["consent"],
            consent_on=d["consent_on"],
            expected_version=d["version"],
        ),
        title="Record consent to Channel support",
        button="Save consent",
        success_message="Consent recorded",
    )
