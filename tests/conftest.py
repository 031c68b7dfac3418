"""Shared fixtures: a user factory and the browser-test plumbing (Playwright + axe)."""

import os
from pathlib import Path

import pytest

# pytest-django's live_server runs Django in a thread of this process while
# Playwright's sync API runs an event loop here; without this every ORM call
# in a browser test raises SynchronousOnlyOperation. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with nothing kept (the timeline's drawings: reviews.drawing_cache).
    A test database's history ids start again where a rolled-back test's did, so a kept
    drawing could otherwise be served to a later test's different case under the same key."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def make_user(db):
    """Create a user (and, unless one is given, a police agency) and return it.

    The plain-text password is kept on the returned user as `.raw_password`
    so that browser tests can type it.
    """
    from referrals.models import Agency, User

    def make_user(
        username="caseworker",
        role=User.Role.CASEWORKER,
        agency=None,
        password="demo-password",
        **extra,
    ):
        if agency is None:
            agency, _ = Agency.objects.get_or_create(
                name="Northshire Police", defaults={"kind": Agency.Kind.POLICE}
            )
        extra.setdefault("email", f"{username}@example.com")
        user = User.objects.create_user(
            username=username,
            password=password,
            agency=agency,
            role=User.Role(role),
            **extra,
        )
        user.raw_password = password
        return user

    return make_user


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium: `playwright install` cannot download browsers here."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}. Install it with "
            "`make chromium` (or: apt-get update && apt-get install -y chromium).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture
def axe():
    """`axe(page)` runs axe-core on the page as it is now and fails on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    runner = Axe()

    def check(page):
        violations = runner.run(page).response["violations"]
        if violations:
            lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
            for violation in violations:
                targets = "; ".join(
                    " ".join(str(part) for part in node["target"]) for node in violation["nodes"]
                )
                lines.append(
                    f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"[{targets}] {violation['helpUrl']}"
                )
            pytest.fail("\n".join(lines), pytrace=False)

    return check
