"""The component snippets in templates/includes/README.md render and pass axe.

The README is what people copy from, so its `django` blocks under
"## Components" are the test input: a broken or inaccessible snippet fails here.
"""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

README = Path(settings.BASE_DIR) / "templates" / "includes" / "README.md"


def component_snippets():
    components = README.read_text().split("## Components", 1)[1]
    return re.findall(r"```django\n(.*?)```", components, flags=re.DOTALL)


def render_components_page():
    snippets = component_snippets()
    assert len(snippets) >= 4, "README lost its component examples"
    source = (
        '{% extends "base.html" %}{% block title %}Components{% endblock %}'
        '{% block content %}<h1 class="govuk-heading-l">Components</h1>'
        + "".join(snippets)
        + "{% endblock %}"
    )
    request = RequestFactory().get("/cases/", {"status": "open", "page": "5"})
    request.user = AnonymousUser()
    paginator = Paginator(list(range(200)), 10)
    page_obj = paginator.get_page(5)
    context = {
        "person": SimpleNamespace(display_name="Robin Ashdown <b>", date_of_birth=None),
        "change_url": "/people/1/edit/",
        "cases": [
            SimpleNamespace(
                url="/cases/1/",
                reference="NS-0001",
                referred_on=dt.date(2024, 3, 12),
                contact_count=4,
            ),
            SimpleNamespace(
                url="/cases/2/",
                reference="NS-0002",
                referred_on=dt.date(2024, 5, 2),
                contact_count=0,
            ),
        ],
        "page_obj": page_obj,
        "page_range": list(
            paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
        ),
    }
    return engines["django"].from_string(source).render(context, request)


def test_readme_component_snippets_pass_axe(live_server, page, axe):
    html = render_components_page()
    url = f"{live_server.url}/_components-preview"
    # Served by Playwright, from the live server's origin, so static files load.
    page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(url)

    expect(page.locator(".govuk-summary-list__value").first).to_have_text("Robin Ashdown <b>")
    expect(page.locator("table.govuk-table tbody tr")).to_have_count(2)
    expect(page.locator("main .govuk-tag")).to_have_count(3)
    pagination = page.get_by_role("navigation", name="Pagination")
    current = pagination.locator("[aria-current=page]")
    expect(current).to_have_text("5")
    expect(current).to_have_attribute("aria-label", "Page 5")
    expect(pagination.get_by_role("link", name="Next page")).to_have_attribute(
        "href", "?status=open&page=6"
    )
    expect(pagination.locator(".govuk-pagination__item--ellipsis")).to_have_count(2)
    axe(page)
