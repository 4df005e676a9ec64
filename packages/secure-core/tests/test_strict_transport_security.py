"""Strict-Transport-Security (RFC 6797 §6.1, hstspreload.org)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.strict_transport_security import StrictTransportSecurity

NAME = "Strict-Transport-Security"
# Every error message starts with the header name.
NAMED = rf"^{NAME}: "
YEAR = 31536000


def error_text(excinfo: pytest.ExceptionInfo[Exception], *fragments: str) -> str:
    message = str(excinfo.value)
    assert message.startswith(f"{NAME}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_default() -> None:
    builder = StrictTransportSecurity()
    assert builder.header_name == NAME
    assert builder.header_value == "max-age=31536000"


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (StrictTransportSecurity().max_age(0), "max-age=0"),
        (StrictTransportSecurity().max_age(63072000), "max-age=63072000"),
        (StrictTransportSecurity().include_subdomains(), "max-age=31536000; includeSubDomains"),
        (
            StrictTransportSecurity().max_age(63072000).include_subdomains(),
            "max-age=63072000; includeSubDomains",
        ),
        (
            StrictTransportSecurity().max_age(YEAR).include_subdomains().preload(),
            "max-age=31536000; includeSubDomains; preload",
        ),
        # Always rendered in RFC order, whatever the call order.
        (
            StrictTransportSecurity().preload().include_subdomains().max_age(63072000),
            "max-age=63072000; includeSubDomains; preload",
        ),
        (
            StrictTransportSecurity().include_subdomains().include_subdomains(False),
            "max-age=31536000",
        ),
        # hstspreload.org requires includeSubDomains, so preload() turns it on (as in 2.x).
        (StrictTransportSecurity().preload(), "max-age=31536000; includeSubDomains; preload"),
        (
            StrictTransportSecurity().include_subdomains().preload().preload(False),
            "max-age=31536000; includeSubDomains",
        ),
        (StrictTransportSecurity().max_age(1).max_age(2), "max-age=2"),
    ],
)
def test_rendering(builder: StrictTransportSecurity, expected: str) -> None:
    assert builder.header_value == expected


def test_methods_return_the_builder() -> None:
    builder = StrictTransportSecurity()
    assert builder.max_age(1) is builder
    assert builder.include_subdomains() is builder
    assert builder.preload() is builder


@pytest.mark.parametrize(
    ("builder", "fragments"),
    [
        (StrictTransportSecurity().preload().include_subdomains(False), ["includeSubDomains"]),
        (
            StrictTransportSecurity().max_age(300).include_subdomains().preload(),
            ["this one is 300"],
        ),
        (StrictTransportSecurity().max_age(YEAR - 1).include_subdomains().preload(), ["31535999"]),
        (
            StrictTransportSecurity().max_age(0).preload().include_subdomains(False),
            ["this one is 0", "and includeSubDomains"],
        ),
    ],
)
def test_preload_refuses_to_render_without_its_requirements(
    builder: StrictTransportSecurity, fragments: list[str]
) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.header_value  # noqa: B018
    error_text(excinfo, "preload", "hstspreload.org", "include_subdomains()", *fragments)


@pytest.mark.parametrize("bad", [-1, -31536000])
def test_max_age_refuses_negative(bad: int) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        StrictTransportSecurity().max_age(bad)
    error_text(excinfo, "max-age", repr(bad))


@pytest.mark.parametrize("bad", [True, 1.0, "31536000", None])
def test_max_age_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError) as excinfo:
        StrictTransportSecurity().max_age(bad)  # type: ignore[arg-type]
    error_text(excinfo, "max-age", repr(bad))


@pytest.mark.parametrize("method", ["include_subdomains", "preload"])
@pytest.mark.parametrize("bad", [1, "yes", None])
def test_flags_take_only_bools(method: str, bad: object) -> None:
    with pytest.raises(TypeError) as excinfo:
        getattr(StrictTransportSecurity(), method)(bad)
    error_text(excinfo, method, repr(bad), "True or False")


def test_clear() -> None:
    builder = StrictTransportSecurity().max_age(YEAR * 2).include_subdomains().preload()
    assert builder.clear() is builder
    assert builder.header_value == "max-age=31536000"
    assert builder.set("max-age=0").clear().header_value == "max-age=31536000"


def test_copy_is_independent() -> None:
    original = StrictTransportSecurity().max_age(63072000)
    duplicate = original.copy()
    assert duplicate == original
    assert duplicate is not original
    duplicate.include_subdomains().preload()
    assert original.header_value == "max-age=63072000"
    assert duplicate.header_value == "max-age=63072000; includeSubDomains; preload"


def test_equality() -> None:
    assert StrictTransportSecurity() == StrictTransportSecurity().max_age(YEAR)
    assert StrictTransportSecurity() != StrictTransportSecurity().include_subdomains()
    assert StrictTransportSecurity().set("max-age=0") == StrictTransportSecurity().max_age(0)
    # Two builders that cannot render compare by their error.
    assert StrictTransportSecurity().preload() == StrictTransportSecurity().preload()
    assert StrictTransportSecurity().preload() != StrictTransportSecurity().max_age(1).preload()


# --- set() ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "max-age=0",
        "max-age=31536000",
        "max-age=31536000; includeSubDomains",
        "max-age=63072000; includeSubDomains; preload",
        "includeSubDomains; max-age=31536000",
        "Max-Age=31536000;includesubdomains",
        'max-age="31536000"',
        "max-age = 31536000",
        "max-age=31536000;",
        "max-age=31536000; ; includeSubDomains",
        "max-age=31536000;includeSubDomains;preload",
        "PRELOAD; INCLUDESUBDOMAINS; MAX-AGE=31536000",
    ],
)
def test_set_accepts_the_rfc_grammar(raw: str) -> None:
    builder = StrictTransportSecurity()
    assert builder.set(raw) is builder
    assert builder.header_value == raw


def test_set_adopts_the_parsed_policy() -> None:
    builder = StrictTransportSecurity().set('MAX-AGE="63072000"; includesubdomains')
    assert builder.preload().header_value == "max-age=63072000; includeSubDomains; preload"
    assert StrictTransportSecurity().set("max-age=5").include_subdomains().header_value == (
        "max-age=5; includeSubDomains"
    )


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["no max-age", "required"]),
        ("includeSubDomains", ["no max-age"]),
        ("preload", ["no max-age"]),
        ("max-age=1; max-age=2", ["twice"]),
        ("max-age=1; includeSubDomains; includesubdomains", ["twice"]),
        ("max-age", ["number of seconds"]),
        ("max-age=", ["cannot parse"]),
        ("max-age=-1", ["number of seconds"]),
        ("max-age=1.5", ["number of seconds"]),
        ('max-age="1', ["cannot parse"]),
        ('max-age="abc"', ["number of seconds"]),
        ("max-age=1, includeSubDomains", ["cannot parse", "'; '"]),
        (
            "max-age=1; include-subdomains",
            ["unknown directive", "did you mean 'includeSubDomains'?"],
        ),
        ("max-age=1; include_sub_domains", ["did you mean 'includeSubDomains'?"]),
        ("maxage=1", ["did you mean 'max-age'?"]),
        ("max-age=1; includeSubDomains=1", ["takes no value"]),
        ("max-age=31536000; includeSubDomains; preload=yes", ["takes no value"]),
        ("max-age=31536000; preload", ["needs includeSubDomains", "hstspreload.org"]),
        ("max-age=300; includeSubDomains; preload", ["this one is 300"]),
        ("max-age=1 2", ["cannot parse"]),
        ("max-age=1\r\n", ["control character"]),
    ],
)
def test_set_rejects_invalid_values(raw: str, fragments: list[str]) -> None:
    builder = StrictTransportSecurity().max_age(5)
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.set(raw)
    error_text(excinfo, *fragments)
    if raw:
        assert repr(raw) in str(excinfo.value) or repr(raw.strip()) in str(excinfo.value)
    assert builder.header_value == "max-age=5"  # unchanged


def test_set_rejects_non_str() -> None:
    with pytest.raises(TypeError) as excinfo:
        StrictTransportSecurity().set(31536000)  # type: ignore[arg-type]
    error_text(excinfo, "must be a str")


# --- properties ----------------------------------------------------------------------------


@given(
    max_age=st.integers(min_value=0, max_value=2**40),
    include_subdomains=st.booleans(),
    preload=st.booleans(),
)
def test_any_policy_renders_or_explains(
    max_age: int, include_subdomains: bool, preload: bool
) -> None:
    builder = (
        StrictTransportSecurity()
        .max_age(max_age)
        .include_subdomains(include_subdomains)
        .preload(preload)
    )
    # preload() turns includeSubDomains on; only max-age can still fall short.
    if preload and max_age < YEAR:
        with pytest.raises(ValueError, match="preload"):
            builder.header_value  # noqa: B018
        return
    value = builder.header_value
    assert is_field_value(value)
    assert value.startswith(f"max-age={max_age}")
    assert StrictTransportSecurity().set(value) == builder


@given(st.text(max_size=40))
def test_set_accepts_only_valid_field_values(raw: str) -> None:
    try:
        builder = StrictTransportSecurity().set(raw)
    except ValueError:
        return
    assert is_field_value(builder.header_value)
