"""The case page, My cases, and every record's change, void and history pages.

They live here, above intake, because they show and reach every kind of record — the
reviews' included. Every case is fetched through `referrals.access.get_case_for_user` and
every record through `referrals.access.get_record_for_user`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casereview.web import NotFound
from referrals import access
from referrals import services as intake
from referrals.audit import log_access
from referrals.forms import VoidForm
from referrals.models import Case, User
from referrals.views import case_list_page, record_form_page

from ..chronology.kinds import EDITABLE_FIELDS, RECORD_TYPES
from ..dashboard import due_list
from ..forms import edit_form_class
from ..summary import case_summary


@login_required
@require_GET
def start(request):
    """Where signing in lands: each role on its work (supervisors on the dashboard,
    providers on their short list, everyone else on their home list)."""
    if access.can_view_dashboard(request.user) and request.user.role != User.Role.ADMIN:
        return redirect("reviews:dashboard")
    return redirect("reviews:home")


@login_required
@require_GET
def home(request):
    if request.user.role == User.Role.PROVIDER:
        return redirect("reviews:provider-cases")
    title, cases = access.home_cases(request.user)
    # Their own follow-up reviews and panel actions that are due or overdue.
    due = None
    if request.user.role in access.EDITING_ROLES:
        due = due_list(request.user, today=timezone.localdate())
    return case_list_page(request, cases, title=title, extra={"due": due})


@login_required
@require_GET
def case_detail(request, reference):
    case = access.get_case_for_user(request, reference)
    log_access(user=request.user, action="view-case", case=case, request=request)
    summary = case_summary(case, user=request.user)
    # A case may hold 100,000 records: the page shows one page of them, newest first (the
    # timeline has the whole chronology), and at most as many of each other list, open and
    # soonest first, each saying how many there are in all.
    rows = settings.CASE_PAGE_ROWS
    paginator = Paginator(summary["records"], rows)
    page_obj = paginator.get_page(request.GET.get("page"))
    planned = sorted(summary["planned_sessions"], key=lambda s: (s.occurred_on, s.pk))
    # Open actions first, whichever way the database sorts NULL completion dates.
    actions = sorted(summary["actions"], key=lambda a: a.completed_on is not None)
    return render(
        request,
        "reviews/case_detail.html",
        {
            "case": case,
            **summary,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(
                page_obj.number, on_each_side=1, on_ends=1
            ),
            "shown_planned_sessions": planned[:rows],
            "shown_held_sessions": summary["held_sessions"][:rows],  # the latest
            "shown_questions": summary["open_questions"][:rows],
            "shown_reviews": summary["reviews"][-rows:],  # the latest due
            "shown_actions": actions[:rows],
        },
    )


def _model(kind: str):
    model = RECORD_TYPES.get(kind)
    if model is None:
        raise NotFound("No such record type")
    return model


def _record(case: Case, kind: str, pk: int, user: User):
    """A record of `case` by kind and id, through the access helper (not found otherwise)."""
    return access.get_record_for_user(_model(kind), case, pk, user)


def _record_to_change(request, reference: str, kind: str, pk: int):
    """The case and the record the user may change or void (`access.get_record_to_change`:
    most records by anyone who may change the case, an agency's own word only by that agency,
    its provider's staff included)."""
    case = access.get_case_for_user(request, reference)
    return case, access.get_record_to_change(request, _model(kind), case, pk)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, reference, kind, pk):
    case, record = _record_to_change(request, reference, kind, pk)
    if kind not in EDITABLE_FIELDS or getattr(record, "voided_at", None):
        raise Http404("This record cannot be edited")
    form_class = edit_form_class(type(record))
    form = form_class(request.POST or None, instance=record)
    return record_form_page(
        request,
        case,
        form,
        lambda d: intake.update_record(
            record,
            user=request.user,
            reason=d["reason"],
            expected_version=d["version"],
            changes=form.changes(),
        ),
        title=f"Change: {record}",
        button="Save changes",
        success_message="Changes saved",
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_void(request, reference, kind, pk):
    case, record = _record_to_change(request, reference, kind, pk)
    if not hasattr(record, "void_reason") or record.voided_at:
        raise Http404("This record cannot be voided")
    form = VoidForm(request.POST or None, initial={"version": record.version})
    return record_form_page(
        request,
        case,
        form,
        lambda d: intake.void_record(
            record, user=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        title=f"Void: {record}",
        button="Void record",
        success_message="Record voided",
    )


@login_required
@require_GET
def record_history(request, reference, kind, pk):
    case = access.get_case_for_user(request, reference)
    record = _record(case, kind, pk, request.user)
    log_access(
        user=request.user, action="view-history", case=case, detail=str(record), request=request
    )
    versions = list(
        record.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows = []
    for previous, version in zip([None, *versions], versions, strict=False):
        changes = []
        if previous is not None:
            for change in version.diff_against(previous).changes:
                if change.field != "version":
                    label = type(record)._meta.get_field(change.field).verbose_name
                    changes.append((label, change.old, change.new))
        rows.append({"version": version, "changes": changes})
    return render(
        request,
        "reviews/record_history.html",
        {
            "case": case,
            "record": record,
            "rows": list(reversed(rows)),
        },
    )
