"""Who may see and change a case: the one place every view, download and command asks.

A user sees a case when their agency is part of it — the lead agency, the
accountable owner's agency, a referring agency, an agency present at one of its panels, or a commissioned
intervention provider — or when they hold a current, unrevoked access grant.
Intervention providers see only the cases their agency is commissioned on;
inquiry reviewers see only the cases they are granted. Administrators see all.

A case the user may not see is reported as "not found" (404), never as
"forbidden", so its existence is not disclosed.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casereview.web import NotFound

from .models import AccessGrant, Case, CaseAgency, User

Role = User.Role

# Roles that may add and change records on cases their agency is part of.
EDITING_ROLES = {Role.CASEWORKER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.ADMIN}
# Roles that may create a new case (a referral).
CREATING_ROLES = {Role.CASEWORKER, Role.SUPERVISOR, Role.PANEL_CHAIR, Role.ADMIN}
# Roles that may read the access log (of their agency's cases and staff) and the dashboard.
OVERSEEING_ROLES = {Role.SUPERVISOR, Role.ADMIN}
# Roles that may open a case outside their agency in an emergency ("break the glass").
EMERGENCY_ROLES = {Role.CASEWORKER, Role.SUPERVISOR, Role.PANEL_CHAIR}
# Roles that may upload chronology rows in another agency's name: they merge the chronologies
# the agencies of a panel send in. Everyone else uploads their own agency's rows only.
MERGING_ROLES = {Role.PANEL_CHAIR, Role.ADMIN}


def _active_grants(user: User):
    today = timezone.localdate()
    return AccessGrant.objects.filter(
        case=OuterRef("pk"),
        user=user,
        revoked_at__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today,
    )


def _memberships(agency_id: int, *vias: str) -> QuerySet[CaseAgency]:
    members = CaseAgency.objects.filter(agency_id=agency_id)
    if vias:
        members = members.filter(via__in=vias)
    return members


def _member(agency_id: int, *vias: str) -> Q:
    """Cases the agency is part of (through any of `vias`, or any at all): CaseAgency."""
    return Q(pk__in=_memberships(agency_id, *vias).values("case_id"))


def _agency_on_case(agency_id: int) -> Q:
    """Lead agency, owner's agency, a referrer, present at a panel, or a commissioned provider."""
    return _member(agency_id)


def _provider_on_case(agency_id: int) -> Q:
    return _member(agency_id, CaseAgency.Via.PROVIDER)


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case `user` may see. The base of every list, search and lookup."""
    cases = Case.objects.all()
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.role == Role.ADMIN:
        return cases
    if user.role == Role.INQUIRY:
        return cases.filter(Exists(_active_grants(user)))
    membership = (
        _provider_on_case(user.agency_id)
        if user.role == Role.PROVIDER
        else _agency_on_case(user.agency_id)
    )
    # Most users hold no grant: then leave the OR out, so that PostgreSQL can plan the
    # membership test as a semi-join (with the OR it must hash every member case first).
    if not _has_grants(user):
        return cases.filter(membership)
    return cases.filter(membership | Exists(_active_grants(user)))


def visible_case_ids(user: User) -> QuerySet | None:
    """The ids of every case `user` may see, as a subquery; None when that is every case.

    The same rule as `visible_cases`, for queries that filter other tables by case
    (`case_id IN (...)`): for a user whose access comes only from their agency it is
    the membership table alone, without a pass over the cases.
    """
    if user.is_authenticated and user.is_active and user.role == Role.ADMIN:
        return None
    if (
        user.is_authenticated
        and user.is_active
        and user.role != Role.INQUIRY
        and not _has_grants(user)
    ):
        vias = (CaseAgency.Via.PROVIDER,) if user.role == Role.PROVIDER else ()
        return _memberships(user.agency_id, *vias).values("case_id")
    return visible_cases(user).values("pk")


def _has_grants(user: User) -> bool:
    if not hasattr(user, "_casereview_has_grants"):
        today = timezone.localdate()
        user._casereview_has_grants = AccessGrant.objects.filter(
            user=user, revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today
        ).exists()
    return user._casereview_has_grants


def get_case_for_user(request, reference: str, *, write: bool = False) -> Case:
    """The case with `reference` if the signed-in user may see it (and change it, with write=True).

    Otherwise 404 — the same answer as for a case that does not exist — and the
    refusal goes into the access log.
    """
    user = request.user
    case = (
        visible_cases(user)
        .select_related("person", "owner", "lead_agency")
        .filter(reference=reference)
        .first()
    )
    if case is None or (write and not can_edit_case(user, case)):
        from .audit import log_access
        from .models import AccessLog

        log_access(
            user=user,
            action="write" if write else "read",
            case=case,
            case_reference=reference[:40],
            detail=request.path[:300],
            request=request,
            outcome=AccessLog.Outcome.REFUSED,
        )
        raise NotFound("No case found")
    return case


def _agency_is_member(user: User, case: Case, *vias: str) -> bool:
    """Whether the user's agency is part of the case (through any of `vias`, or at all). The
    ways it is part of the case are read once per request, in one query, and kept on the user
    object, which lives as long as the request: every later question is answered from them."""
    answers = getattr(user, "_casereview_member_of", None)
    if answers is None:
        answers = user._casereview_member_of = {}
    key = (case.pk, user.agency_id)
    if key not in answers:
        answers[key] = frozenset(
            _memberships(user.agency_id).filter(case_id=case.pk).values_list("via", flat=True)
        )
    held = answers[key]
    return bool(held & set(vias)) if vias else bool(held)


def can_edit_case(user: User, case: Case) -> bool:
    """Whether `user` may add or change records on a case they can already see.

    Access through a grant is always read-only.
    """
    if user.role == Role.ADMIN:
        return True
    if user.role not in EDITING_ROLES:
        return False
    return _agency_is_member(user, case)


def can_record_sessions(user: User, case: Case) -> bool:
    """Providers record sessions and acknowledge briefings on cases they are commissioned on."""
    if user.role == Role.PROVIDER:
        return _agency_is_member(user, case, CaseAgency.Via.PROVIDER)
    return can_edit_case(user, case)


def can_confirm_sessions(user: User, case: Case) -> bool:
    """Whether `user` may confirm, on `case`, sessions an intervention provider held: someone
    who may change the case (its owner's agency, the panel, any other agency on it) and is
    not an intervention provider — by role, or by its agency being commissioned on the case
    (a second provider's staff cannot vouch for the first). Which sessions:
    `can_confirm_session`."""
    if user.role == Role.PROVIDER or not can_edit_case(user, case):
        return False
    return user.role == Role.ADMIN or not _agency_is_member(user, case, CaseAgency.Via.PROVIDER)


def can_confirm_session(user: User, session) -> bool:
    """`can_confirm_sessions` for one session: never one held by the user's own agency (a
    provider cannot vouch for itself, whatever the role of its staff)."""
    return can_confirm_sessions(user, session.case) and session.agency_id != user.agency_id


def can_ask_provider(user: User, case: Case) -> bool:
    """Whether `user` may ask the case's intervention provider a question: an agency on the
    case other than a provider commissioned on it."""
    if user.role == Role.PROVIDER or not can_edit_case(user, case):
        return False
    return user.role == Role.ADMIN or not _agency_is_member(user, case, CaseAgency.Via.PROVIDER)


def has_provider(case: Case) -> bool:
    """Whether an intervention provider is commissioned on `case` (a live assignment: its
    `CaseAgency` row): without one a question to the provider has no one to answer it."""
    return CaseAgency.objects.filter(case_id=case.pk, via=CaseAgency.Via.PROVIDER).exists()


def can_answer_questions(user: User, case: Case) -> bool:
    """Whether `user` may answer questions put to the provider on `case`: the provider
    commissioned on it, or staff who may change the case, recording the provider's reply
    (as with sessions: `can_record_sessions`)."""
    return can_record_sessions(user, case)


def may_change(user: User, case: Case, model, *, own_agency: bool) -> bool:
    """Whether `user` may change or void a record of `model` on `case` (which they may see),
    `own_agency` saying whether it comes from the user's agency.

    Most records are changed by anyone who may change the case (`can_edit_case`). A record
    that is an agency's own word (`changed_by_its_agency`: a session confirmation, a question
    to the provider, the provider's answer, the referrer told) only by that agency — its
    provider's staff included, on a case it is commissioned on — or an administrator:
    otherwise one agency could withdraw another's confirmation or rewrite its answer.
    """
    if not getattr(model, "changed_by_its_agency", False):
        return can_edit_case(user, case)
    if user.role == Role.ADMIN:
        return True
    if not own_agency:
        return False
    if user.role == Role.PROVIDER:
        return _agency_is_member(user, case, CaseAgency.Via.PROVIDER)
    return can_edit_case(user, case)


def can_change_record(user: User, case: Case, record) -> bool:
    """`may_change` for a record in hand."""
    return may_change(user, case, type(record), own_agency=record.agency_id == user.agency_id)


def refused(request, case: Case, message: str = "No such record") -> NotFound:
    """A write the signed-in user may not make on `case`, which they may see: logged as
    refused, and answered "not found" like any other (raise what this returns)."""
    from .audit import log_access
    from .models import AccessLog

    log_access(
        user=request.user,
        action="write",
        case=case,
        case_reference=case.reference,
        detail=request.path[:300],
        request=request,
        outcome=AccessLog.Outcome.REFUSED,
    )
    return NotFound(message)


def get_record_to_change(request, model, case: Case, pk: int):
    """A record of `case` the signed-in user may change or void (`can_change_record`); any
    other is "not found", and the refusal goes into the access log."""
    record = get_record_for_user(model, case, pk, request.user)
    if not can_change_record(request.user, case, record):
        raise refused(request, case)
    return record


def sees_all_restricted(user: User) -> bool:
    """Restricted contacts and notes (e.g. police-only) are for the recording agency,
    administrators and inquiry reviewers."""
    return user.role in (Role.ADMIN, Role.INQUIRY)


def sees_record(user: User, record) -> bool:
    """Whether `user`, who may see the record's case, may see this record: a restricted one
    only as its recording agency, an administrator or an inquiry reviewer."""
    if not getattr(record, "restricted", False):
        return True
    return sees_all_restricted(user) or record.agency_id == user.agency_id


def get_record_for_user(model, case: Case, pk: int, user: User, **conditions):
    """A record of `case` (already fetched through `get_case_for_user`) by id: one of another
    case (swapped ids) or one the user may not see is "not found", like a case."""
    record = model.objects.filter(pk=pk, case=case, **conditions).first()
    if record is None or not sees_record(user, record):
        raise NotFound("No such record")
    return record


HOME_TITLES = {Role.PANEL_CHAIR: "Cases your panel sat on", Role.INQUIRY: "Cases granted to you"}


def home_title(user: User) -> str:
    return HOME_TITLES.get(user.role, "My cases")


def home_cases(user: User) -> tuple[str, QuerySet[Case]]:
    """The list a user's home page opens on, with its title: the cases they own; for a panel
    chair, the cases their panel sat on; for an inquiry reviewer, the cases granted to them."""
    cases = visible_cases(user)
    if user.role == Role.PANEL_CHAIR:
        on_panel = _memberships(user.agency_id, CaseAgency.Via.PANEL).values("case_id")
        cases = cases.filter(pk__in=on_panel)
    elif user.role != Role.INQUIRY:
        cases = cases.filter(owner=user)
    return home_title(user), cases


def can_view_dashboard(user: User) -> bool:
    """The follow-up dashboard: supervisors (their agency's cases) and administrators (all)."""
    return user.is_authenticated and user.is_active and user.role in OVERSEEING_ROLES


def can_read_access_log(user: User) -> bool:
    """Supervisors read the log of cases they may see and of their own agency's staff;
    administrators read all of it."""
    return user.is_authenticated and user.role in OVERSEEING_ROLES


def can_read_user_log(user: User, subject: User) -> bool:
    return can_read_access_log(user) and (
        user.role == Role.ADMIN or subject.agency_id == user.agency_id
    )


def can_grant_access(user: User) -> bool:
    """Administrators give inquiry reviewers access to cases."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_use_emergency_access(user: User) -> bool:
    return user.is_authenticated and user.role in EMERGENCY_ROLES


def can_create_cases(user: User) -> bool:
    return user.is_authenticated and user.role in CREATING_ROLES


def can_import_agency_rows(user: User, agency_name: str) -> bool:
    """Whether `user` may upload chronology rows in the name of the agency called `agency_name`."""
    if user.role in MERGING_ROLES:
        return True
    return agency_name.casefold() == user.agency.name.casefold()


def confirming_case_ids(user: User) -> QuerySet | None:
    """The ids of every case on which `user` may confirm sessions (`can_confirm_sessions`), as
    a subquery; None when that is every case. For a list that offers "Confirm" on each of its
    rows in the query that reads them, without asking case by case."""
    if (
        not (user.is_authenticated and user.is_active)
        or user.role not in EDITING_ROLES
        or user.role == Role.PROVIDER
    ):
        return CaseAgency.objects.none().values("case_id")
    if user.role == Role.ADMIN:
        return None
    provider_on = _memberships(user.agency_id, CaseAgency.Via.PROVIDER).values("case_id")
    return _memberships(user.agency_id).exclude(case_id__in=provider_on).values("case_id")


def can_confirm_listed_session(user: User, *, case_confirmable: bool, session_agency_id) -> bool:
    """`can_confirm_session` for a session read in a list rather than fetched: whether the
    user may confirm sessions on its case (from `confirming_case_ids`) and which agency held
    it."""
    return case_confirmable and session_agency_id != user.agency_id


def changeable_cases(user: User, references) -> dict[str, Case]:
    """Of `references`, the cases `user` may add to, by reference: the same decision as the
    forms (`visible_cases` and `can_edit_case`). A reference missing from the answer is
    either no case or one the user may not change; callers must not tell the two apart."""
    cases = visible_cases(user).filter(reference__in=list(references))
    return {case.reference: case for case in cases if can_edit_case(user, case)}
