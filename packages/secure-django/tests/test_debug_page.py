"""Django's DEBUG error page under the project's policy (docs/frameworks/django.md,
"The DEBUG error page")."""

from __future__ import annotations

import re
from typing import Any

import django
import pytest
from django.test import Client, override_settings

# Django 6.0 marks its technical views (debug 404/500 pages) with @csp_override({}) and
# @csp_report_only_override({}): "no policy here". The middleware honours Django's
# decorators, so on 6.0+ those pages carry no CSP of ours and their script runs.
DJANGO_EXEMPTS_DEBUG_PAGES = django.VERSION >= (6, 0)
before_6 = pytest.mark.skipif(DJANGO_EXEMPTS_DEBUG_PAGES, reason="Django 6 exempts the page")

# The docs' opt-in for DEBUG: no nonce, inline scripts and event handlers allowed.
DEBUG_ALLOWANCE: dict[str, Any] = {
    "preset": "balanced",
    "nonce": False,
    "csp": {"script-src": ["'self'", "'unsafe-inline'"], "script-src-attr": ["'unsafe-inline'"]},
}


def directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        tokens = part.split()
        if tokens and tokens[0] == name:
            return tokens[1:]
    raise AssertionError(f"no {name} in {policy!r}")


@before_6
@override_settings(DEBUG=True)
def test_the_technical_500_page_has_inline_script_the_policy_blocks() -> None:
    response = Client(raise_request_exception=False).get("/error/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "RuntimeError" in page  # Django's technical page, not the plain 500
    # Its JavaScript is an inline <script> without a nonce and onclick attributes...
    assert re.search(r"<script>\s*function hideAll", page)
    assert 'onclick="' in page
    # ...which the project's policy does not allow: script-src has a nonce and no
    # 'unsafe-inline', and script-src-attr is 'none'.
    policy = response.headers["Content-Security-Policy"]
    script_src = directive(policy, "script-src")
    assert any(source.startswith("'nonce-") for source in script_src)
    assert "'unsafe-inline'" not in script_src
    assert directive(policy, "script-src-attr") == ["'none'"]


@before_6
@override_settings(DEBUG=True, SECURE_HEADERS=DEBUG_ALLOWANCE)
def test_the_documented_debug_allowance() -> None:
    response = Client(raise_request_exception=False).get("/error/")
    policy = response.headers["Content-Security-Policy"]
    # 'unsafe-inline' counts only in a source list without nonces or hashes (CSP3, "Does
    # a source list allow all inline behavior for type?").
    assert directive(policy, "script-src") == ["'self'", "'unsafe-inline'"]
    assert directive(policy, "script-src-attr") == ["'unsafe-inline'"]


@pytest.mark.skipif(not DJANGO_EXEMPTS_DEBUG_PAGES, reason="Django 6 decorators")
@override_settings(DEBUG=True)
def test_django_6_debug_pages_carry_no_policy_and_other_pages_keep_theirs() -> None:
    client = Client(raise_request_exception=False)
    error = client.get("/error/")
    assert error.status_code == 500
    assert "RuntimeError" in error.content.decode()
    assert "Content-Security-Policy" not in error.headers
    assert "Content-Security-Policy-Report-Only" not in error.headers
    # The rest of the project's headers are still sent on the debug page...
    assert error.headers["X-Content-Type-Options"] == "nosniff"
    # ...and a page of the application keeps its policy with the nonce.
    page = client.get("/plain/")
    assert "'nonce-" in page.headers["Content-Security-Policy"]
