"""The access log: one row for every view or export of a case, and every refusal."""

from __future__ import annotations

import ipaddress

from django.conf import settings

from .models import AccessLog, Case, User


def client_ip(request) -> str | None:
    """The client's address, for the access log and for sign-in throttling (django-axes).

    A client can send any X-Forwarded-For it likes, so it is believed only when
    SECURE_PROXY_SSL_HEADER says a trusted proxy is in front; then its right-most
    address is the one that proxy added (the peer it saw), and anything to the left
    came from the client. Otherwise the address is the connection's, REMOTE_ADDR.
    """
    if request is None:
        return None
    remote_addr = request.META.get("REMOTE_ADDR") or None
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            return remote_addr
    return remote_addr


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
