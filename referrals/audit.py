"""The access log: one row for every view or export of a case, and every refusal."""

from __future__ import annotations

from .models import AccessLog, Case, User


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def log_access(
    *,
    user: User | None,
    action: str,
    case: Case | None = None,
    case_reference: str = "",
    detail: str = "",
    request=None,
    outcome: str = AccessLog.Outcome.ALLOWED,
) -> AccessLog:
    """Record one access. `action` is a short verb: view-case, view-timeline, export-pdf, ..."""
    authenticated = user is not None and user.is_authenticated
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        agency=str(user.agency) if authenticated else "",
        case=case,
        case_reference=case.reference if case else case_reference,
        action=action,
        detail=detail[:300],
        ip_address=client_ip(request),
        outcome=outcome,
    )
