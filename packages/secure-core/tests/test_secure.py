from __future__ import annotations

import asyncio
import re

import pytest

from secure import (
    NONCE,
    CacheControl,
    ContentSecurityPolicy,
    CustomHeader,
    HeaderSetError,
    PermissionsPolicy,
    Preset,
    ReportingEndpoints,
    Secure,
    StrictTransportSecurity,
    XFrameOptions,
)
from secure.headers._base import BaseHeader

NONCE_RE = re.compile(r"'nonce-([A-Za-z0-9_-]{24})'")


class SetHeaderResponse:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def set_header(self, name: str, value: str) -> None:
        self.calls.append((name, value))


class MappingResponse:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {"X-Frame-Options": "ALLOWALL", "Content-Type": "a/b"}


class AsyncSetterResponse:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def set_header(self, name: str, value: str) -> None:
        self.calls.append((name, value))


class AwaitableReturningResponse:
    """A sync-looking setter that hands back a coroutine (e.g. a wrapped async method)."""

    def __init__(self) -> None:
        self.inner = AsyncSetterResponse()

    def set_header(self, name: str, value: str):  # type: ignore[no-untyped-def]
        return self.inner.set_header(name, value)


class ReadOnlyHeaders:
    headers = (("a", "b"),)


class RefusingResponse:
    def set_header(self, name: str, value: str) -> None:
        raise TypeError("refused")


def nonce_csp() -> ContentSecurityPolicy:
    return ContentSecurityPolicy().default_src("'self'").script_src("'self'", NONCE)


def test_empty_secure_has_no_headers() -> None:
    assert Secure().header_items() == ()
    assert dict(Secure().headers) == {}


def test_order_follows_the_spec_whatever_the_keyword_order() -> None:
    s = Secure(
        xfo=XFrameOptions().deny(),
        hsts=StrictTransportSecurity(),
        cache=CacheControl().no_store(),
        custom=[CustomHeader("X-Later", "1")],
        csp=ContentSecurityPolicy().default_src("'self'"),
        csp_report_only=ContentSecurityPolicy().default_src("'none'"),
        permissions=PermissionsPolicy().camera(),
        permissions_report_only=PermissionsPolicy().microphone(),
        reporting_endpoints=ReportingEndpoints().endpoint("csp", "https://r.example/csp"),
    )
    assert [name for name, _ in s.header_items()] == [
        "Cache-Control",
        "Content-Security-Policy",
        "Content-Security-Policy-Report-Only",
        "Strict-Transport-Security",
        "Permissions-Policy",
        "Permissions-Policy-Report-Only",
        "X-Frame-Options",
        "Reporting-Endpoints",
        "X-Later",
    ]


def test_enforced_and_report_only_csp_side_by_side(baseline_csp: str) -> None:
    strict_csp = Secure.from_preset(Preset.STRICT).headers["Content-Security-Policy"]
    s = Secure(
        csp=ContentSecurityPolicy().set(baseline_csp),
        csp_report_only=ContentSecurityPolicy().set(strict_csp).report_uri("/csp-report"),
    )
    assert dict(s.header_items()) == {
        "Content-Security-Policy": baseline_csp,
        "Content-Security-Policy-Report-Only": strict_csp + "; report-uri /csp-report",
    }


def test_csp_report_only_keyword_does_not_change_the_given_builder() -> None:
    builder = ContentSecurityPolicy().default_src("'self'")
    Secure(csp_report_only=builder)
    assert builder.header_name == "Content-Security-Policy"


def test_wrong_builder_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"Secure\(xfo=...\) takes a XFrameOptions"):
        Secure(xfo=CacheControl())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="custom"):
        Secure(custom=[("X-A", "b")])  # type: ignore[list-item]


def test_invalid_builder_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="Strict-Transport-Security"):
        Secure(hsts=StrictTransportSecurity().max_age(300).preload())


def test_headers_is_read_only() -> None:
    headers = Secure.with_default_headers().headers
    with pytest.raises(TypeError):
        headers["X-Frame-Options"] = "DENY"  # type: ignore[index]


def test_set_headers_with_set_header(balanced: list[tuple[str, str]]) -> None:
    response = SetHeaderResponse()
    assert Secure.with_default_headers().set_headers(response) is None
    assert response.calls == balanced


def test_set_headers_with_mapping_overwrites_managed_and_keeps_others(
    balanced: list[tuple[str, str]],
) -> None:
    response = MappingResponse()
    Secure.with_default_headers().set_headers(response)
    assert response.headers == {"X-Frame-Options": "SAMEORIGIN", "Content-Type": "a/b"} | dict(
        balanced
    )


def test_set_headers_async_awaits_async_setters(balanced: list[tuple[str, str]]) -> None:
    response = AsyncSetterResponse()
    asyncio.run(Secure.with_default_headers().set_headers_async(response))
    assert response.calls == balanced


def test_set_headers_async_accepts_sync_setters(balanced: list[tuple[str, str]]) -> None:
    response = SetHeaderResponse()
    asyncio.run(Secure.with_default_headers().set_headers_async(response))
    assert response.calls == balanced


def test_set_headers_refuses_async_setter() -> None:
    with pytest.raises(RuntimeError, match="set_headers_async"):
        Secure.with_default_headers().set_headers(AsyncSetterResponse())


def test_set_headers_refuses_setter_returning_awaitable() -> None:
    with pytest.raises(RuntimeError, match="set_headers_async"):
        Secure.with_default_headers().set_headers(AwaitableReturningResponse())


@pytest.mark.parametrize("response", [object(), ReadOnlyHeaders()])
def test_set_headers_without_an_interface(response: object) -> None:
    with pytest.raises(AttributeError, match="set_header"):
        Secure.with_default_headers().set_headers(response)


def test_set_headers_wraps_errors() -> None:
    with pytest.raises(HeaderSetError, match="Cross-Origin-Resource-Policy") as info:
        Secure.with_default_headers().set_headers(RefusingResponse())
    assert isinstance(info.value.__cause__, TypeError)
    with pytest.raises(HeaderSetError):
        asyncio.run(Secure.with_default_headers().set_headers_async(RefusingResponse()))


def test_nonce_slot_gets_a_fresh_nonce_per_call() -> None:
    s = Secure(csp=nonce_csp())
    assert s.has_nonce
    first = NONCE_RE.search(dict(s.header_items())["Content-Security-Policy"])
    second = NONCE_RE.search(dict(s.header_items())["Content-Security-Policy"])
    assert first and second and first.group(1) != second.group(1)


def test_set_headers_returns_the_nonce_it_used() -> None:
    s = Secure(csp=nonce_csp())
    response = SetHeaderResponse()
    nonce = s.set_headers(response)
    assert nonce is not None
    assert dict(response.calls)["Content-Security-Policy"] == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'"
    )
    assert s.set_headers(SetHeaderResponse(), nonce="abc123") == "abc123"
    assert asyncio.run(s.set_headers_async(AsyncSetterResponse(), nonce="x-y_z")) == "x-y_z"


@pytest.mark.parametrize("bad", ["a b", "a;b", "'x'", "", "ab\r\n"])
def test_a_caller_supplied_nonce_is_validated(bad: str) -> None:
    with pytest.raises(ValueError, match="Content-Security-Policy: invalid nonce"):
        Secure(csp=nonce_csp()).header_items(nonce=bad)


def test_nonce_is_ignored_without_a_slot() -> None:
    s = Secure.with_default_headers()
    assert s.set_headers(SetHeaderResponse(), nonce="abc") is None
    assert not s.has_nonce


def test_snapshot_is_detached_from_later_changes() -> None:
    s = Secure(custom=[CustomHeader("X-A", "1"), CustomHeader("X-B", "2")])
    snap = s.snapshot()
    s.allowlist_headers(allowed=["x-a"], on_unexpected="drop")
    assert snap.str_items() == [("X-A", "1"), ("X-B", "2")]
    assert s.snapshot().str_items() == [("X-A", "1")]
    assert snap.asgi_items() == [(b"x-a", b"1"), (b"x-b", b"2")]
    assert snap.names == {"x-a", "x-b"}


def test_snapshot_fills_the_nonce() -> None:
    snap = Secure(csp=nonce_csp()).snapshot()
    assert snap.needs_nonce
    assert snap.str_items("n1") == [
        ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-n1'")
    ]
    assert snap.asgi_items("n1") == [
        (b"content-security-policy", b"default-src 'self'; script-src 'self' 'nonce-n1'")
    ]
    with pytest.raises(ValueError, match="nonce slot"):
        snap.str_items()
    with pytest.raises(ValueError, match="nonce slot"):
        snap.asgi_items()


def test_derive_overrides_without_touching_the_original(balanced: list[tuple[str, str]]) -> None:
    base = Secure.with_default_headers()
    derived = base.derive(
        headers={"X-Frame-Options": "DENY", "X-Extra": "1", "Server": None},
        csp_sources={"script-src": ["https://cdn.example"], "connect-src": ["'self'"]},
        exempt=["Strict-Transport-Security"],
    )
    assert list(base.header_items()) == balanced
    items = dict(derived.header_items())
    assert items["X-Frame-Options"] == "DENY"
    assert items["X-Extra"] == "1"
    assert "Server" not in items
    assert "Strict-Transport-Security" not in items
    assert "script-src 'self' https://cdn.example;" in items["Content-Security-Policy"]
    assert items["Content-Security-Policy"].endswith(
        "upgrade-insecure-requests; connect-src 'self'"
    )
    # Order is kept: a replaced header stays where it was.
    assert [n for n, _ in derived.header_items()][-2:] == ["X-Frame-Options", "X-Extra"]


def test_derive_replaces_the_csp() -> None:
    base = Secure.with_default_headers()
    derived = base.derive(csp="default-src 'none'")
    assert derived.headers["Content-Security-Policy"] == "default-src 'none'"
    built = base.derive(csp=ContentSecurityPolicy().default_src("'self'"))
    assert built.headers["Content-Security-Policy"] == "default-src 'self'"


def test_derive_keeps_the_nonce_slot_when_adding_sources() -> None:
    derived = Secure(csp=nonce_csp()).derive(csp_sources={"script-src": "https://a.example"})
    assert derived.has_nonce
    assert derived.header_items(nonce="n")[0][1] == (
        "default-src 'self'; script-src 'self' 'nonce-n' https://a.example"
    )


def test_derive_validates_its_input() -> None:
    base = Secure.with_default_headers()
    with pytest.raises(ValueError, match="X-Bad"):
        base.derive(headers={"X-Bad": "a\r\nb"})
    with pytest.raises(ValueError, match="invalid header name"):
        base.derive(headers={"X Bad": "1"})
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        base.derive(csp_sources={"script-src": ["'self'; object-src *"]})
    with pytest.raises(ValueError, match="no CSP"):
        Secure().derive(csp_sources={"script-src": ["'self'"]})


def test_copy_is_independent_and_equal() -> None:
    s = Secure.with_default_headers()
    c = s.copy()
    assert c == s and c is not s
    c.allowlist_headers(allowed=[], on_unexpected="drop")
    assert c != s
    assert s != object()


def test_coerce() -> None:
    s = Secure.with_default_headers()
    assert Secure.coerce(s) is s
    assert Secure.coerce(None) == s
    assert Secure.coerce("strict") == Secure.from_preset(Preset.STRICT)
    assert Secure.coerce(Preset.BASIC) == Secure.from_preset(Preset.BASIC)
    assert Secure.coerce({"preset": "strict"}) == Secure.from_preset(Preset.STRICT)
    with pytest.raises(TypeError, match=r"expected a secure\.Secure"):
        Secure.coerce(42)  # type: ignore[arg-type]


def test_repr_and_hash() -> None:
    assert "X-Frame-Options" in repr(Secure.with_default_headers())
    with pytest.raises(TypeError):
        hash(Secure())


class BrokenHeader(BaseHeader):
    """A builder bug: a value that bypasses validation (defence in depth)."""

    _NAME = "X-Broken"

    @property
    def header_value(self) -> str:
        return "bad\r\nvalue"


def test_a_buggy_builder_never_reaches_the_wire() -> None:
    with pytest.raises(ValueError, match=r"X-Broken: invalid value 'bad\\r\\nvalue'"):
        Secure(custom=[BrokenHeader(), CustomHeader("X-Ok", "1")])


def test_derive_keeps_custom_and_flag_directives() -> None:
    base = Secure(
        csp=ContentSecurityPolicy()
        .default_src("'self'")
        .custom_directive("x-future", "'self'")
        .upgrade_insecure_requests()
    )
    derived = base.derive(csp_sources={"img-src": ["data:"]})
    # img-src was absent, so it starts from default-src (CSP3 §6.8.3): 'self' stays.
    assert derived.headers["Content-Security-Policy"] == (
        "default-src 'self'; x-future 'self'; upgrade-insecure-requests; img-src 'self' data:"
    )


def test_custom_must_be_iterable() -> None:
    with pytest.raises(TypeError, match=r"Secure\(custom=\.\.\.\) takes a list"):
        Secure(custom=1)  # type: ignore[arg-type]


def test_str_subclass_is_kept_as_its_real_text() -> None:
    class Loud(str):
        def __str__(self) -> str:
            return "x\r\nX-Injected: 1"

    s = Secure(custom=[CustomHeader("X-A", Loud("calm"))])
    [(_, value)] = s.header_items()
    assert type(value) is str
    assert f"{value}" == "calm"
