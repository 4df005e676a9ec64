"""The single-token builders, Server and CustomHeader."""

from __future__ import annotations

import re

import http_sf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_name, is_field_value
from secure.headers._token import ReportingTokenHeader, TokenHeader
from secure.headers.cross_origin_embedder_policy import CrossOriginEmbedderPolicy
from secure.headers.cross_origin_opener_policy import CrossOriginOpenerPolicy
from secure.headers.cross_origin_resource_policy import CrossOriginResourcePolicy
from secure.headers.custom_header import CustomHeader
from secure.headers.origin_agent_cluster import OriginAgentCluster
from secure.headers.server import Server
from secure.headers.x_content_type_options import XContentTypeOptions
from secure.headers.x_dns_prefetch_control import XDnsPrefetchControl
from secure.headers.x_frame_options import XFrameOptions
from secure.headers.x_permitted_cross_domain_policies import XPermittedCrossDomainPolicies

# Every error message starts with the header name.
NAMED = r"^[A-Za-z-]+: "

# builder class -> (header name, default value, {method name: rendered value})
TOKEN_BUILDERS: dict[type[TokenHeader], tuple[str, str, dict[str, str]]] = {
    XFrameOptions: (
        "X-Frame-Options",
        "SAMEORIGIN",
        {"deny": "DENY", "sameorigin": "SAMEORIGIN"},
    ),
    XContentTypeOptions: ("X-Content-Type-Options", "nosniff", {"nosniff": "nosniff"}),
    CrossOriginOpenerPolicy: (
        "Cross-Origin-Opener-Policy",
        "same-origin",
        {
            "same_origin": "same-origin",
            "same_origin_allow_popups": "same-origin-allow-popups",
            "unsafe_none": "unsafe-none",
            "noopener_allow_popups": "noopener-allow-popups",
        },
    ),
    CrossOriginEmbedderPolicy: (
        "Cross-Origin-Embedder-Policy",
        "require-corp",
        {
            "require_corp": "require-corp",
            "credentialless": "credentialless",
            "unsafe_none": "unsafe-none",
        },
    ),
    CrossOriginResourcePolicy: (
        "Cross-Origin-Resource-Policy",
        "same-origin",
        {"same_origin": "same-origin", "same_site": "same-site", "cross_origin": "cross-origin"},
    ),
    XDnsPrefetchControl: ("X-DNS-Prefetch-Control", "off", {"on": "on", "off": "off"}),
    XPermittedCrossDomainPolicies: (
        "X-Permitted-Cross-Domain-Policies",
        "none",
        {
            "none": "none",
            "master_only": "master-only",
            "by_content_type": "by-content-type",
            "by_ftp_filename": "by-ftp-filename",
            "all": "all",
            "none_this_response": "none-this-response",
        },
    ),
    OriginAgentCluster: ("Origin-Agent-Cluster", "?1", {"on": "?1", "off": "?0"}),
}

DEFAULTS = [(cls, name, default) for cls, (name, default, _) in TOKEN_BUILDERS.items()]
METHODS = [
    pytest.param(cls, method, value, id=f"{cls.__name__}.{method}")
    for cls, (_, _, methods) in TOKEN_BUILDERS.items()
    for method, value in methods.items()
]
CLASSES = list(TOKEN_BUILDERS)
REPORTING = [CrossOriginOpenerPolicy, CrossOriginEmbedderPolicy]
# RFC 9651 §3.1.2 keys: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
SF_KEYS = st.builds(
    str.__add__,
    st.sampled_from("abcxyz*"),
    st.text(alphabet="abcxyz0189_-.*", max_size=10),
)


def error_text(excinfo: pytest.ExceptionInfo[Exception], header: str, *fragments: str) -> str:
    """Assert the message starts with the header name and holds every fragment."""
    message = str(excinfo.value)
    assert message.startswith(f"{header}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def other_method(cls: type[TokenHeader]) -> tuple[str, str]:
    """A method whose value differs from the default (or the only one there is)."""
    _, default, methods = TOKEN_BUILDERS[cls]
    for method, value in methods.items():
        if value != default:
            return method, value
    return next(iter(methods.items()))


# --- rendering -------------------------------------------------------------------------


@pytest.mark.parametrize(("cls", "name", "default"), DEFAULTS)
def test_default(cls: type[TokenHeader], name: str, default: str) -> None:
    builder = cls()
    assert builder.header_name == name
    assert builder.header_value == default
    assert builder.has_nonce is False


@pytest.mark.parametrize(("cls", "method", "value"), METHODS)
def test_method_renders_its_token(cls: type[TokenHeader], method: str, value: str) -> None:
    builder = cls()
    assert getattr(builder, method)() is builder
    assert builder.header_value == value


@pytest.mark.parametrize(("cls", "method", "value"), METHODS)
def test_method_replaces_the_token(cls: type[TokenHeader], method: str, value: str) -> None:
    builder = cls()
    for other in TOKEN_BUILDERS[cls][2]:
        getattr(builder, other)()
    getattr(builder, method)()
    assert builder.header_value == value


@pytest.mark.parametrize(("cls", "method", "value"), METHODS)
def test_set_accepts_each_token(cls: type[TokenHeader], method: str, value: str) -> None:
    builder = cls()
    assert builder.set(value) is builder
    assert builder.header_value == value
    assert builder == getattr(cls(), method)()


# --- clear, copy, equality -------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_clear_returns_to_default(cls: type[TokenHeader]) -> None:
    _, default, _ = TOKEN_BUILDERS[cls]
    method, value = other_method(cls)
    builder = getattr(cls(), method)()
    assert builder.clear() is builder
    assert builder.header_value == default
    assert builder.set(value).clear().header_value == default


@pytest.mark.parametrize("cls", CLASSES)
def test_copy_is_independent(cls: type[TokenHeader]) -> None:
    _, default, _ = TOKEN_BUILDERS[cls]
    original = cls()
    duplicate = original.copy()
    assert duplicate is not original
    assert duplicate == original
    assert type(duplicate) is cls
    method, value = other_method(cls)
    getattr(duplicate, method)()
    assert duplicate.header_value == value
    assert original.header_value == default


@pytest.mark.parametrize("cls", CLASSES)
def test_copy_keeps_a_raw_value(cls: type[TokenHeader]) -> None:
    _, value = other_method(cls)
    original = cls().set(value)
    duplicate = original.copy()
    assert duplicate.header_value == value
    duplicate.clear()
    assert original.header_value == value


@pytest.mark.parametrize("cls", CLASSES)
def test_equality_is_by_rendered_value(cls: type[TokenHeader]) -> None:
    method, value = other_method(cls)
    assert getattr(cls(), method)() == cls().set(value)
    assert cls() == cls()
    assert (cls() != object()) is True
    with pytest.raises(TypeError):
        hash(cls())


def test_equality_needs_the_same_class() -> None:
    # Both render "same-origin", but they are different headers.
    assert CrossOriginOpenerPolicy() != CrossOriginResourcePolicy()
    assert XDnsPrefetchControl().on() != OriginAgentCluster()


def test_fluent_call_after_set_uses_the_structured_state() -> None:
    builder = XFrameOptions().set("deny")
    assert builder.header_value == "deny"
    assert builder.sameorigin().header_value == "SAMEORIGIN"


@pytest.mark.parametrize("cls", CLASSES)
def test_repr_names_class_header_and_value(cls: type[TokenHeader]) -> None:
    name, default, _ = TOKEN_BUILDERS[cls]
    assert repr(cls()) == f"{cls.__name__}({name}: {default!r})"


# --- set(): grammar ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "raw"),
    [
        (XFrameOptions, "deny"),
        (XFrameOptions, "SameOrigin"),
        (XContentTypeOptions, "NoSniff"),
        (XDnsPrefetchControl, "OFF"),
        (XDnsPrefetchControl, "On"),
    ],
)
def test_set_is_case_insensitive_where_the_spec_is(cls: type[TokenHeader], raw: str) -> None:
    # The raw value is sent as given; browsers compare these case-insensitively.
    assert cls().set(raw).header_value == raw


@pytest.mark.parametrize(
    ("cls", "raw", "suggestion"),
    [
        (XFrameOptions, "DENNY", "'DENY'"),
        (XFrameOptions, "same-origin", "'SAMEORIGIN'"),
        (XContentTypeOptions, "no-sniff", "'nosniff'"),
        (CrossOriginOpenerPolicy, "same_origin", "'same-origin'"),
        (CrossOriginOpenerPolicy, "Same-Origin", "'same-origin'"),
        (CrossOriginOpenerPolicy, "same-origin-allow-popup", "'same-origin-allow-popups'"),
        (CrossOriginEmbedderPolicy, "require-cors", "'require-corp'"),
        (CrossOriginEmbedderPolicy, "credentialles", "'credentialless'"),
        (CrossOriginResourcePolicy, "same-sites", "'same-site'"),
        (CrossOriginResourcePolicy, "CROSS-ORIGIN", "'cross-origin'"),
        (XDnsPrefetchControl, "of", "'off'"),
        (XPermittedCrossDomainPolicies, "master_only", "'master-only'"),
        (XPermittedCrossDomainPolicies, "None", "'none'"),
        (OriginAgentCluster, "1", "'?1'"),
    ],
)
def test_set_rejects_unknown_tokens_with_a_suggestion(
    cls: type[TokenHeader], raw: str, suggestion: str
) -> None:
    name, _, methods = TOKEN_BUILDERS[cls]
    builder = cls()
    with pytest.raises(ValueError, match=r"did you mean") as excinfo:
        builder.set(raw)
    message = error_text(excinfo, name, repr(raw), f"did you mean {suggestion}?")
    for value in methods.values():
        assert repr(value) in message  # the fix: every valid token is listed
    assert builder.header_value == TOKEN_BUILDERS[cls][1]  # unchanged


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("raw", ["", "zzzz", "a b", "DENY, DENY", "nosniff;"])
def test_set_rejects_anything_else(cls: type[TokenHeader], raw: str) -> None:
    name, default, _ = TOKEN_BUILDERS[cls]
    builder = cls()
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.set(raw)
    error_text(excinfo, name, repr(raw))
    assert builder.header_value == default


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("raw", ["DENY\r\nSet-Cookie: a=1", "nosniff\x00", " nosniff", "off\n"])
def test_set_rejects_invalid_field_values(cls: type[TokenHeader], raw: str) -> None:
    name, _, _ = TOKEN_BUILDERS[cls]
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        cls().set(raw)
    error_text(excinfo, name, repr(raw))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("raw", [None, 1, b"DENY", True])
def test_set_rejects_non_str(cls: type[TokenHeader], raw: object) -> None:
    name, _, _ = TOKEN_BUILDERS[cls]
    with pytest.raises(TypeError) as excinfo:
        cls().set(raw)  # type: ignore[arg-type]
    error_text(excinfo, name, repr(raw), "must be a str")


@pytest.mark.parametrize(
    "raw", ["ALLOW-FROM https://example.com", "allow-from https://a.example", "ALLOW-FROM"]
)
def test_x_frame_options_refuses_allow_from(raw: str) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        XFrameOptions().set(raw)
    error_text(excinfo, "X-Frame-Options", repr(raw), "frame-ancestors", "obsolete")


# --- report-to on COOP and COEP --------------------------------------------------------


@pytest.mark.parametrize("cls", REPORTING)
def test_report_to_renders_a_parameter(cls: type[CrossOriginOpenerPolicy]) -> None:
    _, default, _ = TOKEN_BUILDERS[cls]
    builder = cls()
    assert builder.report_to("coop-endpoint") is builder
    assert builder.header_value == f'{default}; report-to="coop-endpoint"'
    # RFC 9651 item: the token with a report-to string parameter.
    parsed = http_sf.parse(builder.header_value.encode(), tltype="item")
    assert isinstance(parsed, tuple)
    assert str(parsed[0]) == default
    assert parsed[1] == {"report-to": "coop-endpoint"}


@pytest.mark.parametrize("cls", REPORTING)
def test_report_to_survives_a_token_change(cls: type[CrossOriginOpenerPolicy]) -> None:
    method, value = other_method(cls)
    builder = getattr(cls().report_to("a"), method)()
    assert builder.header_value == f'{value}; report-to="a"'
    assert builder.report_to("b").header_value == f'{value}; report-to="b"'
    assert builder.clear().header_value == TOKEN_BUILDERS[cls][1]


@pytest.mark.parametrize("cls", REPORTING)
def test_report_to_copy_is_independent(cls: type[CrossOriginOpenerPolicy]) -> None:
    original = cls().report_to("a")
    duplicate = original.copy().report_to("b")
    assert original.header_value.endswith('report-to="a"')
    assert duplicate.header_value.endswith('report-to="b"')


@pytest.mark.parametrize("cls", REPORTING)
@pytest.mark.parametrize(
    ("endpoint", "hint"),
    [
        ("Coop", "try 'coop'"),
        ("1abc", "structured-field key"),
        ("", "structured-field key"),
        ('a"b', "structured-field key"),
        ("a b", "structured-field key"),
        ("a;b", "structured-field key"),
    ],
)
def test_report_to_rejects_bad_endpoint_names(
    cls: type[CrossOriginOpenerPolicy], endpoint: str, hint: str
) -> None:
    name, _, _ = TOKEN_BUILDERS[cls]
    builder = cls()
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.report_to(endpoint)
    error_text(excinfo, name, repr(endpoint), hint)
    assert builder.header_value == TOKEN_BUILDERS[cls][1]


@pytest.mark.parametrize("cls", REPORTING)
def test_report_to_rejects_non_str(cls: type[CrossOriginOpenerPolicy]) -> None:
    with pytest.raises(TypeError) as excinfo:
        cls().report_to(1)  # type: ignore[arg-type]
    error_text(excinfo, TOKEN_BUILDERS[cls][0], "1")


@pytest.mark.parametrize("cls", REPORTING)
@pytest.mark.parametrize("raw", ['unsafe-none; report-to="r"', 'unsafe-none;report-to="r-1.x"'])
def test_set_parses_report_to(cls: type[CrossOriginOpenerPolicy], raw: str) -> None:
    builder = cls().set(raw)
    assert builder.header_value == raw
    endpoint = raw.split('"')[1]
    # Adopted: a later method keeps the parsed endpoint.
    assert builder.unsafe_none().header_value == f'unsafe-none; report-to="{endpoint}"'


@pytest.mark.parametrize("cls", REPORTING)
@pytest.mark.parametrize(
    "raw",
    [
        'unsafe-none; report-to="Upper"',
        "unsafe-none; report-to=r",
        'unsafe-none; reportto="r"',
        'unsafe-none; report-to="r"; x=1',
        'unsafe-none ; report-to="r"',
        "unsafe-none;",
        'unsafe-none; report-to="a\\"b"',
        'nope; report-to="r"',
    ],
)
def test_set_rejects_bad_parameters(cls: type[CrossOriginOpenerPolicy], raw: str) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        cls().set(raw)
    error_text(excinfo, TOKEN_BUILDERS[cls][0])


def test_origin_agent_cluster_is_a_structured_boolean() -> None:
    assert http_sf.parse(b"?1", tltype="item") == (True, {})
    assert http_sf.parse(OriginAgentCluster().off().header_value.encode(), tltype="item") == (
        False,
        {},
    )


# --- properties --------------------------------------------------------------------------


@given(data=st.data())
def test_any_method_sequence_renders_a_valid_token(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(CLASSES))
    _, _, methods = TOKEN_BUILDERS[cls]
    builder = cls()
    for method in data.draw(st.lists(st.sampled_from(sorted(methods)), max_size=6)):
        getattr(builder, method)()
    if isinstance(builder, ReportingTokenHeader) and data.draw(st.booleans()):
        builder.report_to(data.draw(SF_KEYS))
    value = builder.header_value
    assert is_field_value(value)
    assert value.split(";")[0] in methods.values()
    assert cls().set(value) == builder  # what we render, set() accepts


@given(cls=st.sampled_from(CLASSES), raw=st.text(max_size=40))
def test_set_accepts_only_valid_field_values(cls: type[TokenHeader], raw: str) -> None:
    builder = cls()
    try:
        builder.set(raw)
    except ValueError:
        return
    assert is_field_value(builder.header_value)


# --- Server --------------------------------------------------------------------------------


def test_server_defaults_to_empty() -> None:
    assert Server().header_name == "Server"
    assert Server().header_value == ""
    assert Server().set("").header_value == ""


@pytest.mark.parametrize("raw", ["", "secure", "Apache/2.4 (Unix)", "a\tb"])
def test_server_set(raw: str) -> None:
    builder = Server()
    assert builder.set(raw) is builder
    assert builder.header_value == raw
    assert builder.clear().header_value == ""


@pytest.mark.parametrize(
    "raw", ["a\r\nSet-Cookie: x=1", "a\x00", " x", "x ", "caf\u00e9", "\u2028"]
)
def test_server_rejects_invalid_values(raw: str) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        Server().set(raw)
    error_text(excinfo, "Server", repr(raw))


def test_server_copy_and_equality() -> None:
    original = Server().set("a")
    duplicate = original.copy()
    assert duplicate == original
    duplicate.set("b")
    assert original.header_value == "a"
    assert Server() == Server().set("")
    assert Server() != Server().set("x")


@given(st.text(max_size=30))
def test_server_property(raw: str) -> None:
    try:
        value = Server().set(raw).header_value
    except ValueError:
        return
    assert value == raw
    assert is_field_value(value)


# --- CustomHeader --------------------------------------------------------------------------


def test_custom_header() -> None:
    header = CustomHeader("X-Robots-Tag", "noindex, nofollow")
    assert header.header_name == "X-Robots-Tag"
    assert header.header_value == "noindex, nofollow"
    assert repr(header) == "CustomHeader('X-Robots-Tag', 'noindex, nofollow')"


def test_custom_header_allows_an_empty_value() -> None:
    assert CustomHeader("X-Empty", "").header_value == ""


def test_custom_header_set_and_clear() -> None:
    header = CustomHeader("X-Test", "1")
    assert header.set("2") is header
    assert header.header_value == "2"
    assert header.clear().header_value == "1"  # back to the value it was made with
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        header.set("a\nb")
    error_text(excinfo, "X-Test", repr("a\nb"))


def test_custom_header_copy_and_equality() -> None:
    original = CustomHeader("X-Test", "1")
    duplicate = original.copy()
    assert duplicate == original
    assert duplicate.header_name == "X-Test"
    duplicate.set("2")
    assert original.header_value == "1"
    assert CustomHeader("X-A", "1") != CustomHeader("X-B", "1")
    assert CustomHeader("X-A", "1") != CustomHeader("X-A", "2")


@pytest.mark.parametrize(
    "bad", ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "a\x00b", "a\x7fb", " a"]
)
def test_custom_header_rejects_bad_values_at_construction(bad: str) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        CustomHeader("X-Test", bad)
    error_text(excinfo, "X-Test", repr(bad))


@pytest.mark.parametrize("bad", ["X Test", "X-Test:", "Ünïcode", "X-Test\r\n", "(x)"])
def test_custom_header_rejects_bad_names_at_construction(bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        CustomHeader(bad, "v")


def test_custom_header_rejects_an_empty_name() -> None:
    with pytest.raises(ValueError, match="header name is empty"):
        CustomHeader("", "v")


@pytest.mark.parametrize(("name", "value"), [(1, "v"), ("X-A", 1), (None, "v"), ("X-A", None)])
def test_custom_header_rejects_non_str(name: object, value: object) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        CustomHeader(name, value)  # type: ignore[arg-type]


@given(name=st.text(max_size=20), value=st.text(max_size=30))
def test_custom_header_property(name: str, value: str) -> None:
    try:
        header = CustomHeader(name, value)
    except ValueError:
        assert not (is_field_name(name) and is_field_value(value))
        return
    assert is_field_name(header.header_name)
    assert is_field_value(header.header_value)
    assert (header.header_name, header.header_value) == (name, value)


@pytest.mark.parametrize("cls", REPORTING)
def test_set_reads_the_value_as_a_structured_field_item(cls: type[CrossOriginOpenerPolicy]) -> None:
    # RFC 9651 §4.2.3.2: parameters may have spaces after ';' but not before it; a quoted
    # string is an item, but not one of the header's tokens.
    assert cls().set('unsafe-none;  report-to="r"').header_value == 'unsafe-none;  report-to="r"'
    with pytest.raises(ValueError, match=r"did you mean 'unsafe-none'\?"):
        cls().set('"unsafe-none"')
    with pytest.raises(ValueError, match="not an RFC 9651 structured-field Item"):
        cls().set("unsafe-none report-to")
