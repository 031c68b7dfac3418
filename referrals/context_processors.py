"""What every page's layout needs to know about the signed-in user (from referrals.access)."""

from . import access


def navigation(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "can_view_dashboard": access.can_view_dashboard(user),
        "can_administer": user.role == user.Role.ADMIN,
        # What the home page lists for this user (the list itself is access.home_cases).
        "home_title": access.home_title(user),
    }
