"""What every page's layout needs to know about the signed-in user (from referrals.access)."""

from . import access


def navigation(request) -> dict:
    user = request.user
    return {"can_view_dashboard": access.can_view_dashboard(user)}
