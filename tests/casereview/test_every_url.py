"""Every page of the app: anonymous users are sent to sign in, and wrong methods get 405."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
}


def app_patterns():
    """(name, route) for every named URL of casereview's own apps and account pages."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, prefix + str(pattern.pattern), pattern.callback))

    walk(get_resolver().url_patterns, "/", None)
    return found


def concrete(route: str) -> str:
    return (
        route.replace("<ref:reference>", "CR-2019-00001")
        .replace("<int:pk>", "1")
        .replace("<slug:kind>", "casenote")
        .replace("<str:username>", "caseworker")
        .replace("<uidb64>", "MQ")
        .replace("<token>", "set-password")
    )


def test_every_private_page_sends_anonymous_users_to_sign_in(client):
    pages = [(n, r) for n, r, _ in app_patterns() if n not in PUBLIC]
    assert len(pages) > 35
    for name, route in pages:
        response = client.get(concrete(route))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_wrong_methods_are_refused(client):
    user = factories.user("caseworker")
    factories.case(owner=user, reference="CR-2019-00001")
    client.force_login(user)
    checked = 0
    for name, route, _view in app_patterns():
        if name in PUBLIC or name.startswith("password_change") or name == "two-factor":
            continue
        url = concrete(route)
        assert client.put(url).status_code == 405, name
        assert client.delete(url).status_code == 405, name
        checked += 1
    assert checked > 35
