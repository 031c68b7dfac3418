"""Sign-in throttling: django-axes's database handler plus a limit per client address.

Axes locks a username from an address after AXES_FAILURE_LIMIT failures
(AXES_LOCKOUT_PARAMETERS). Its lockout parameters share that one limit, so
adding "ip_address" to them would lock a whole office behind one address after
five typos. Password spraying (a few guesses at each of many usernames) never
reaches five for any pair, so this handler also counts axes's own failure
records for the client address across all usernames, within the same cool-off,
and treats the address as locked once they reach SIGNIN_ADDRESS_FAILURE_LIMIT.

Everything else is axes's: where failures are stored, the cool-off, the
`user_locked_out` signal (which referrals/signals.py writes to the access log),
the lockout page, and `axes_reset_ip` to lift a lock early.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed sign-ins from the request's client address, any username, within the cool-off."""
    address = request.axes_ip_address
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AddressLimitHandler(AxesDatabaseHandler):
    """Axes's database handler, also locking an address that fails too often across usernames."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            # Report the pair limit, so axes's own checks (is_locked, the lockout signal
            # and page) treat the address as locked.
            return max(failures, get_failure_limit(request, credentials))
        return failures
