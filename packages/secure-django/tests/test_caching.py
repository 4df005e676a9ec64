"""Cached responses of decorated views: ``cache_page`` and the per-site cache.

A cache hit must be served with its view's own headers, whichever way the cache is
set up; a page with a CSP nonce must not be cached silently.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.checks import run_checks
from django.test import Client, override_settings
from django_project.helpers import BALANCED_STATIC, assert_headers
from django_project.views import CALLS, OWN_CSP

from secure_django.middleware import CachedNonceWarning

OURS = "secure_django.middleware.SecureHeadersMiddleware"
UPDATE = "django.middleware.cache.UpdateCacheMiddleware"
FETCH = "django.middleware.cache.FetchFromCacheMiddleware"

#: The project's headers without a nonce, and the cached views' own changes.
NO_NONCE = {"preset": "balanced"}
VIEW_HEADERS = {**BALANCED_STATIC, "X-Frame-Options": "DENY", "Server": None}

# Django's documented order: UpdateCacheMiddleware first, FetchFromCacheMiddleware
# last; ours either inside them (stored with our headers) or outside (added per hit).
SITE_CACHE_SETUPS = {
    "ours-inside": [UPDATE, OURS, FETCH],
    "ours-outside": [OURS, UPDATE, FETCH],
}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    CALLS.clear()
    yield
    cache.clear()


def _twice(path: str) -> list[dict[str, str]]:
    """Two requests: the first fills the cache, the second is served from it."""
    client = Client()
    responses = [client.get(path), client.get(path)]
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].content == responses[1].content  # the same cached page
    return [dict(r.headers) for r in responses]


@override_settings(SECURE_HEADERS=NO_NONCE)
@pytest.mark.parametrize("path", ["/cache/inside/", "/cache/outside/"])
def test_cache_page_serves_the_view_headers(path: str) -> None:
    for headers in _twice(path):
        assert_headers(headers, VIEW_HEADERS)
    assert sum(CALLS.values()) == 1


@pytest.mark.parametrize("setup", list(SITE_CACHE_SETUPS))
def test_site_cache_serves_the_view_headers(setup: str) -> None:
    with override_settings(SECURE_HEADERS=NO_NONCE, MIDDLEWARE=SITE_CACHE_SETUPS[setup]):
        for headers in _twice("/cache/site/"):
            assert_headers(headers, VIEW_HEADERS)
        assert CALLS == {"site_cached": 1}


@pytest.mark.parametrize("setup", list(SITE_CACHE_SETUPS))
def test_site_cache_hit_sends_each_policy_once(setup: str) -> None:
    # The view's own policy next to ours, on the miss and on the hit alike: a stored
    # response must not be given a second copy of the project's policy.
    with override_settings(SECURE_HEADERS=NO_NONCE, MIDDLEWARE=SITE_CACHE_SETUPS[setup]):
        first, second = _twice("/cache/site-csp/")
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    policies = first["Content-Security-Policy"].split(", ")
    assert len(policies) == 2
    assert policies[0] == OWN_CSP
    assert "img-src 'self' data: https://cdn.example" in policies[1]


def test_cache_page_with_a_nonce_warns() -> None:
    # The project's configuration has a nonce: the cached page's body keeps the nonce
    # of the request that filled the cache.
    with pytest.warns(CachedNonceWarning, match="/cache/inside/"):
        response = Client().get("/cache/inside/")
    assert response.status_code == 200
    assert "'nonce-" in response.headers["Content-Security-Policy"]


def test_site_cache_hit_with_a_nonce_warns() -> None:
    with override_settings(MIDDLEWARE=SITE_CACHE_SETUPS["ours-inside"]):
        Client().get("/cache/site/")  # stored by UpdateCacheMiddleware, above ours
        with pytest.warns(CachedNonceWarning, match="replays its nonce"):
            Client().get("/cache/site/")
    assert CALLS == {"site_cached": 1}


def test_uncacheable_pages_with_a_nonce_do_not_warn() -> None:
    # filterwarnings=error: any CachedNonceWarning fails this test.
    assert Client().get("/plain/").status_code == 200
    assert Client().get("/dec/overridden/").status_code == 200  # Cache-Control: no-store


@pytest.mark.parametrize("setup", list(SITE_CACHE_SETUPS))
def test_system_check_refuses_the_site_cache_with_a_nonce(setup: str) -> None:
    with override_settings(MIDDLEWARE=SITE_CACHE_SETUPS[setup]):
        ids = [m.id for m in run_checks() if m.id.startswith("secure_django")]
    assert "secure_django.W004" in ids
    with override_settings(SECURE_HEADERS=NO_NONCE, MIDDLEWARE=SITE_CACHE_SETUPS[setup]):
        ids = [m.id for m in run_checks() if m.id.startswith("secure_django")]
    assert "secure_django.W004" not in ids
