"""Reporting-Endpoints (W3C Reporting API; an RFC 9651 dictionary of strings)."""

from __future__ import annotations

import http_sf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.reporting_endpoints import ReportingEndpoints

NAME = "Reporting-Endpoints"
# Every error message starts with the header name.
NAMED = rf"^{NAME}: "


def error_text(excinfo: pytest.ExceptionInfo[Exception], *fragments: str) -> str:
    message = str(excinfo.value)
    assert message.startswith(f"{NAME}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_empty_refuses_to_render() -> None:
    builder = ReportingEndpoints()
    assert builder.header_name == NAME
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.header_value  # noqa: B018
    error_text(excinfo, "no endpoints", "endpoint(")


def test_one_endpoint() -> None:
    builder = ReportingEndpoints()
    assert builder.endpoint("csp", "https://example.com/csp") is builder
    assert builder.header_value == 'csp="https://example.com/csp"'


def test_endpoints_in_order_and_replaced_in_place() -> None:
    builder = (
        ReportingEndpoints()
        .endpoint("default", "https://example.com/r")
        .endpoint("csp-endpoint", "https://example.com/csp?x=1,2")
        .endpoint("default", "https://reports.example.com/")
    )
    assert builder.header_value == (
        'default="https://reports.example.com/", csp-endpoint="https://example.com/csp?x=1,2"'
    )
    assert builder.endpoints == {
        "default": "https://reports.example.com/",
        "csp-endpoint": "https://example.com/csp?x=1,2",
    }
    builder.endpoints["x"] = "mutating the copy"
    assert "x" not in builder.endpoints


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/reports",
        "HTTPS://EXAMPLE.COM/",
        "https://example.com:8443/r#frag",
        "https://[2001:db8::1]/r",
        "http://localhost:8000/r",
        "http://app.localhost/r",
        "http://127.0.0.1/r",
        "http://127.1.2.3:9/r",
        "http://[::1]:8000/r",
        "https://example.com/%22quoted%22",
        # A path: the browser resolves it against the response's URL.
        "/reports",
        "/_reports/csp?v=1",
    ],
)
def test_accepted_urls(url: str) -> None:
    assert ReportingEndpoints().endpoint("e", url).header_value == f'e="{url}"'


@pytest.mark.parametrize(
    ("url", "fragments"),
    [
        ("http://example.com/r", ["not potentially trustworthy", "https://"]),
        ("http://10.0.0.1/r", ["not potentially trustworthy"]),
        ("ftp://example.com/r", ["not potentially trustworthy"]),
        ("javascript:alert(1)", ["must be absolute"]),
        ("reports", ["must be absolute"]),
        ("//evil.example/reports", ["must be absolute"]),
        ("example.com/reports", ["must be absolute"]),
        ("https://", ["must be absolute"]),
        ("", ["must be absolute"]),
        ('https://example.com/"', ["U+0022", "percent-encode"]),
        ("https://example.com/\\", ["U+005C"]),
        ("https://example.com/a b", ["U+0020 (SP)"]),
        ("https://example.com/\r\nX: y", ["U+000D (CR)"]),
        ("https://exämple.com/", ["U+00E4"]),
        ("https://[::1/", ["invalid URL"]),
        ("https://example.com:port/", ["invalid URL"]),
    ],
)
def test_rejected_urls(url: str, fragments: list[str]) -> None:
    builder = ReportingEndpoints().endpoint("a", "https://a.example/")
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.endpoint("e", url)
    error_text(excinfo, repr(url), "'e'", *fragments)
    assert builder.header_value == 'a="https://a.example/"'


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("CSP", ["try 'csp'"]),
        ("1csp", ["structured-field key"]),
        ("", ["structured-field key"]),
        ("a b", ["structured-field key"]),
        ("a=b", ["structured-field key"]),
        ("a,b", ["structured-field key"]),
    ],
)
def test_rejected_names(name: str, fragments: list[str]) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        ReportingEndpoints().endpoint(name, "https://example.com/")
    error_text(excinfo, repr(name), *fragments)


@pytest.mark.parametrize(("name", "url"), [(1, "https://e.com/"), ("a", None), ("a", b"https://")])
def test_rejected_types(name: object, url: object) -> None:
    with pytest.raises(TypeError) as excinfo:
        ReportingEndpoints().endpoint(name, url)  # type: ignore[arg-type]
    error_text(excinfo, "must be a str")


def test_clear() -> None:
    builder = ReportingEndpoints().endpoint("a", "https://e.com/")
    assert builder.clear() is builder
    with pytest.raises(ValueError, match=NAMED):
        builder.header_value  # noqa: B018
    assert builder.endpoints == {}


def test_copy_is_independent() -> None:
    original = ReportingEndpoints().endpoint("a", "https://e.com/")
    duplicate = original.copy()
    assert duplicate == original
    assert duplicate is not original
    duplicate.endpoint("b", "https://f.com/")
    assert original.header_value == 'a="https://e.com/"'
    assert duplicate.endpoints == {"a": "https://e.com/", "b": "https://f.com/"}


def test_equality() -> None:
    assert ReportingEndpoints() == ReportingEndpoints()
    one = ReportingEndpoints().endpoint("a", "https://e.com/")
    assert one == ReportingEndpoints().set('a="https://e.com/"')
    assert one != ReportingEndpoints().endpoint("a", "https://f.com/")


@pytest.mark.parametrize(
    "raw",
    [
        'a="https://e.com/"',
        'a="https://e.com/", b="http://localhost/r"',
        'a="https://e.com/x,y",b="https://f.com/"',
        'csp-endpoint="https://e.com/"  ,  *x.y_z="https://f.com/"',
    ],
)
def test_set_accepts_dictionaries(raw: str) -> None:
    builder = ReportingEndpoints()
    assert builder.set(raw) is builder
    assert builder.header_value == raw


def test_set_adopts_the_parsed_endpoints() -> None:
    builder = ReportingEndpoints().set('a="https://e.com/",b="https://f.com/"')
    assert builder.endpoints == {"a": "https://e.com/", "b": "https://f.com/"}
    builder.endpoint("c", "https://g.com/")
    assert builder.header_value == 'a="https://e.com/", b="https://f.com/", c="https://g.com/"'


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["cannot parse"]),
        ("a=https://e.com/", ["cannot parse"]),
        ('A="https://e.com/"', ["cannot parse"]),
        ('a="https://e.com/";x=1', ["cannot parse", "', '"]),
        ('a="https://e.com/",', ["cannot parse"]),
        ('a="https://e.com/" b="https://f.com/"', ["cannot parse"]),
        ('a="https://e.com/", a="https://f.com/"', ["'a' appears twice"]),
        ('a="http://e.com/"', ["not potentially trustworthy"]),
        ('a="https://e.com/\\"x"', ["cannot parse"]),
        ('a="relative"', ["must be absolute"]),
        ("a", ["cannot parse"]),
    ],
)
def test_set_rejects_invalid_values(raw: str, fragments: list[str]) -> None:
    builder = ReportingEndpoints().endpoint("z", "https://z.example/")
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.set(raw)
    error_text(excinfo, *fragments)
    assert builder.endpoints == {"z": "https://z.example/"}


KEYS = st.builds(str.__add__, st.sampled_from("abz*"), st.text(alphabet="az09_-.*", max_size=8))
PATHS = st.text(alphabet="abcXYZ0189-._~!$&'()*+,;=:@/?#%", max_size=20)


@given(st.lists(st.tuples(KEYS, PATHS), min_size=1, max_size=5))
def test_any_endpoints_render_an_rfc9651_dictionary(entries: list[tuple[str, str]]) -> None:
    builder = ReportingEndpoints()
    for key, path in entries:
        builder.endpoint(key, f"https://example.com/{path}")
    value = builder.header_value
    assert is_field_value(value)
    parsed = http_sf.parse(value.encode(), tltype="dictionary")
    assert isinstance(parsed, dict)
    urls = {}
    for key, member in parsed.items():
        assert isinstance(member, tuple)
        assert member[1] == {}  # no parameters
        urls[key] = member[0]
    assert urls == builder.endpoints
    assert ReportingEndpoints().set(value) == builder


@given(st.text(max_size=40))
def test_set_accepts_only_valid_field_values(raw: str) -> None:
    try:
        builder = ReportingEndpoints().set(raw)
    except ValueError:
        return
    assert is_field_value(builder.header_value)
