"""The axe fixture must fail on a bad page, or a green browser suite proves nothing."""

import pytest

pytestmark = pytest.mark.browser


def test_axe_fixture_reports_violations(page, axe):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")

    with pytest.raises(pytest.fail.Exception) as failure:
        axe(page)

    message = str(failure.value)
    assert "html-has-lang" in message
    assert "image-alt" in message
    assert "img" in message  # the target selector is listed
