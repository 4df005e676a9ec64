"""Django 6's CSP as input: CSP constants in SECURE_HEADERS, SECURE_CSP and
SECURE_CSP_REPORT_ONLY behind SECURE_HEADERS_USE_DJANGO_CSP, and Django's
@csp_override / @csp_report_only_override decorators."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

csp_module = pytest.importorskip("django.utils.csp")

from django.core.cache import cache  # noqa: E402
from django.core.checks import run_checks  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django_project.helpers import BALANCED_STATIC, asgi_request, nonce_of  # noqa: E402

from secure_django import get_secure  # noqa: E402
from secure_django._django_csp import _compile, response_override  # noqa: E402

CSP = csp_module.CSP
build_policy = csp_module.build_policy

URLS = "django_csp_urls"
SCRIPT_NONCES = re.compile(r'nonce="([^"]*)"')

DJANGO_CSP = {
    "default-src": [CSP.SELF],
    "script-src": {CSP.SELF, CSP.NONCE, CSP.STRICT_DYNAMIC},
    "object-src": [CSP.NONE],
    "upgrade-insecure-requests": True,
}
DJANGO_CSP_RO = {"default-src": [CSP.NONE], "script-src": [CSP.NONCE], "report-uri": "/csp"}
#: Opted in, with a SECURE_HEADERS that leaves the CSP to Django's settings.
OPTED_IN = {
    "SECURE_HEADERS_USE_DJANGO_CSP": True,
    "SECURE_HEADERS": "balanced",
    "SECURE_CSP": DJANGO_CSP,
    "SECURE_CSP_REPORT_ONLY": DJANGO_CSP_RO,
}


@pytest.fixture(autouse=True)
def urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF=URLS):
        yield


def page_nonces(content: bytes) -> set[str]:
    return set(SCRIPT_NONCES.findall(content.decode()))


# -- Django's CSP constants in SECURE_HEADERS -------------------------------------------


def test_secure_headers_takes_django_constants_and_sets() -> None:
    config = {"preset": "balanced", "csp": DJANGO_CSP}
    with override_settings(SECURE_HEADERS=config):
        response = Client().get("/page/")
    csp = response.headers["Content-Security-Policy"]
    nonce = nonce_of(csp)
    # Merged into BALANCED's policy; the set sorted as Django sorts it.
    assert f"script-src 'self' 'strict-dynamic' 'nonce-{nonce}';" in csp
    assert "<CSP_NONCE_SENTINEL>" not in csp
    assert page_nonces(response.content) == {nonce}


# -- SECURE_HEADERS_USE_DJANGO_CSP ----------------------------------------------------------


def test_opted_in_sends_django_policies_with_our_nonce() -> None:
    with override_settings(**OPTED_IN):
        first, second = Client().get("/page/"), Client().get("/page/")
    for response in (first, second):
        csp = response.headers["Content-Security-Policy"]
        nonce = nonce_of(csp)
        # What Django's own middleware would send, with the nonce the page used: the
        # template tag, the context processor and request.csp_nonce alike.
        assert csp == build_policy(DJANGO_CSP, nonce)
        assert response.headers["Content-Security-Policy-Report-Only"] == build_policy(
            DJANGO_CSP_RO, nonce
        )
        assert page_nonces(response.content) == {nonce}
        # The rest of SECURE_HEADERS is unchanged.
        for name, value in BALANCED_STATIC.items():
            assert response.headers[name] == value
    assert nonce_of(first.headers["Content-Security-Policy"]) != nonce_of(
        second.headers["Content-Security-Policy"]
    )


@pytest.mark.parametrize(
    "table",
    [
        {"default-src": [CSP.SELF], "img-src": {"https://b.example", "https://a.example"}},
        {"default-src": [CSP.NONE], "script-src": [CSP.SELF, CSP.NONCE], "style-src": []},
        {"script-src": CSP.SELF, "frame-ancestors": None, "sandbox": True},
        {"default-src": ("'self'", "https:"), "base-uri": [CSP.NONE], "report-to": "csp"},
    ],
)
def test_opted_in_policy_is_what_django_builds(table: dict[str, Any]) -> None:
    with override_settings(**{**OPTED_IN, "SECURE_CSP": table}):
        csp = Client().get("/plain/").headers["Content-Security-Policy"]
    nonce = nonce_of(csp) if "'nonce-" in csp else None
    assert csp == build_policy(table, nonce)


def test_opted_in_with_empty_settings_sends_no_policy() -> None:
    # Django's semantics: an empty SECURE_CSP (its default) sends no header.
    with override_settings(**{**OPTED_IN, "SECURE_CSP": {}, "SECURE_CSP_REPORT_ONLY": {}}):
        headers = Client().get("/plain/").headers
        assert "Content-Security-Policy" not in headers
        assert "Content-Security-Policy-Report-Only" not in headers
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
    with override_settings(**{**OPTED_IN, "SECURE_CSP": {}}):
        headers = Client().get("/plain/").headers
        assert "Content-Security-Policy" not in headers
        assert headers["Content-Security-Policy-Report-Only"] == "default-src 'none'; " + (
            f"script-src 'nonce-{nonce_of(headers['Content-Security-Policy-Report-Only'])}'; "
            "report-uri /csp"
        )


def test_opted_in_replaces_a_presets_policy() -> None:
    with override_settings(**{**OPTED_IN, "SECURE_HEADERS": "strict"}):
        headers = Client().get("/plain/").headers
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src ")
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"  # from STRICT


@pytest.mark.parametrize(
    "key", ["csp", "csp_report_only", "nonce", "Content-Security-Policy", "content-security-policy"]
)
def test_opted_in_refuses_a_csp_in_secure_headers(key: str) -> None:
    value: object = True if key == "nonce" else {"default-src": ["'self'"]}
    with override_settings(**{**OPTED_IN, "SECURE_HEADERS": {key: value}}):
        with pytest.raises(ImproperlyConfigured, match=re.escape(f"SECURE_HEADERS[{key!r}]")):
            get_secure()
        (error,) = [m for m in run_checks() if m.id == "secure_django.E001"]
    assert "SECURE_HEADERS_USE_DJANGO_CSP" in error.msg


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "SECURE_CSP",
            {"script-src": ["self"]},
            "SECURE_CSP: Content-Security-Policy: invalid "
            "source 'self' in script-src: keywords, nonces and hashes must be single-quoted",
        ),
        ("SECURE_CSP", {"script-src": 5}, "SECURE_CSP: script-src: expected a list of sources"),
        ("SECURE_CSP", {"scrip-src": [CSP.SELF]}, "did you mean 'script-src'"),
        ("SECURE_CSP", {"img-src": ["https://a.example;script-src *"]}, "directive injection"),
        ("SECURE_CSP", ["default-src 'self'"], "SECURE_CSP: expected a dict of directive"),
        (
            "SECURE_CSP_REPORT_ONLY",
            {"default-src": [CSP.SELF, "'unsafe-inlin'"]},
            "SECURE_CSP_REPORT_ONLY: Content-Security-Policy: invalid source \"'unsafe-inlin'\"",
        ),
    ],
)
def test_opted_in_bad_values_name_the_setting_and_directive(
    setting: str, value: object, message: str
) -> None:
    bad = override_settings(**{**OPTED_IN, setting: value})
    with bad, pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        get_secure()


def test_the_opt_in_must_be_a_bool() -> None:
    bad = override_settings(**{**OPTED_IN, "SECURE_HEADERS_USE_DJANGO_CSP": "yes"})
    with bad, pytest.raises(ImproperlyConfigured, match="SECURE_HEADERS_USE_DJANGO_CSP: expected"):
        get_secure()


# -- @csp_override and @csp_report_only_override -----------------------------------------


def expected_both(nonce: str) -> dict[str, str]:
    from django_csp_urls import OVERRIDE, REPORT_ONLY

    return {
        "Content-Security-Policy": build_policy(OVERRIDE, nonce),
        "Content-Security-Policy-Report-Only": build_policy(REPORT_ONLY, nonce),
    }


@pytest.mark.parametrize("opted_in", [False, True])
def test_both_decorators_replace_the_policies(opted_in: bool) -> None:
    settings = OPTED_IN if opted_in else {}
    with override_settings(**settings):
        response = Client().get("/both/")
    nonce = nonce_of(response.headers["Content-Security-Policy"])
    for name, value in expected_both(nonce).items():
        assert response.headers[name] == value
    assert page_nonces(response.content) == {nonce}
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_both_decorators_on_an_async_view_under_asgi() -> None:
    response = asgi_request("/async-both/")
    assert response.status == 200
    headers = response.headers
    nonce = nonce_of(headers["Content-Security-Policy"])
    for name, value in expected_both(nonce).items():
        assert headers[name] == value
    assert page_nonces(response.body) == {nonce}


def test_an_empty_config_sends_no_policy() -> None:
    with override_settings(**OPTED_IN):
        no_csp = Client().get("/no-csp/").headers
        no_report_only = Client().get("/no-report-only/").headers
    assert "Content-Security-Policy" not in no_csp
    assert "Content-Security-Policy-Report-Only" in no_csp
    assert "Content-Security-Policy" in no_report_only
    assert "Content-Security-Policy-Report-Only" not in no_report_only
    # Nothing to leave out when the project sends no policy either.
    with override_settings(SECURE_HEADERS={"csp": False}):
        response = Client().get("/no-csp/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers


def test_this_packages_decorators_apply_on_top() -> None:
    response = Client().get("/with-ours/")
    csp = response.headers["Content-Security-Policy"]
    assert csp == (
        f"default-src 'none'; script-src 'self' 'nonce-{nonce_of(csp)}' https://js.example"
    )
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_cached_view_keeps_its_policy() -> None:
    from django_csp_urls import CACHED, CALLS

    cache.clear()
    CALLS.clear()
    with override_settings(SECURE_HEADERS={"preset": "balanced"}):
        first, hit = Client().get("/cached/"), Client().get("/cached/")
    cache.clear()
    assert CALLS == ["cached"]  # the second response came from the cache
    assert first.headers["Content-Security-Policy"] == build_policy(CACHED)
    assert hit.headers["Content-Security-Policy"] == build_policy(CACHED)


def test_each_distinct_config_is_compiled_once() -> None:
    _compile.cache_clear()
    client = Client()
    for _ in range(3):
        client.get("/both/")
        client.get("/no-csp/")
    assert (_compile.cache_info().misses, _compile.cache_info().hits) == (2, 4)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/unquoted/",
            "@csp_override on the view 'unquoted': Content-Security-Policy: invalid source "
            "'self' in script-src: keywords, nonces and hashes must be single-quoted",
        ),
        ("/injected/", "@csp_override on the view 'django_csp_urls.injected': "),
    ],
)
def test_a_bad_decorator_config_is_a_clear_error(path: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        Client().get(path)
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 500


def test_an_unhashable_config_is_refused_too() -> None:
    # Not cacheable: read (and refused) on each response.
    request = RequestFactory().get("/somewhere/")
    state = {"_csp_config": {"script-src": [[CSP.SELF]]}}
    message = "@csp_override on the view of /somewhere/: script-src: sources must be strings"
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        response_override(request, state, frozenset())
