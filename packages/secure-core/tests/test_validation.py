from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import (
    check_field_name,
    check_field_value,
    check_str,
    describe_char,
    is_field_name,
    is_field_value,
)


@pytest.mark.parametrize("name", ["X-Test", "x", "a!#$%&'*+-.^_`|~9"])
def test_valid_names(name: str) -> None:
    assert check_field_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "header name is empty"),
        ("X Test", r"U\+0020 \(SP\) is not allowed"),
        ("X-Test:", r"U\+003A is not allowed"),
        ("Ünïcode", r"U\+00DC is not allowed"),
        ("X\r\nY", r"U\+000D \(CR\)"),
    ],
)
def test_invalid_names(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_field_name(name, header="X")


def test_non_str_name_is_type_error() -> None:
    with pytest.raises(TypeError, match="header name must be a str, got bytes"):
        check_field_name(b"X-A")


@pytest.mark.parametrize("value", ["", "a", "a b", "a\tb", "max-age=1; preload", "!~"])
def test_valid_values(value: str) -> None:
    assert check_field_value("X-A", value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\r\nSet-Cookie: x=1", r"X-A: invalid value .*U\+000D \(CR\)"),
        ("a\nb", r"U\+000A \(LF\)"),
        ("a\x00b", r"U\+0000 \(NUL\)"),
        ("a\x7fb", r"U\+007F \(DEL\)"),
        ("a\x85b", r"U\+0085 \(NEL\)"),
        ("a\u2028b", r"non-ASCII character U\+2028"),
        ("caf\xe9", r"non-ASCII character U\+00E9"),
        (" a", "leading or trailing whitespace"),
        ("a\t", "leading or trailing whitespace"),
    ],
)
def test_invalid_values(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_field_value("X-A", value)


def test_obs_text_allowed_on_request_but_never_c1() -> None:
    assert check_field_value("X-A", "caf\xe9", allow_obs_text=True) == "caf\xe9"
    with pytest.raises(ValueError, match="control character"):
        check_field_value("X-A", "a\x85b", allow_obs_text=True)
    with pytest.raises(ValueError, match="non-ASCII"):
        check_field_value("X-A", "a\u0100", allow_obs_text=True)


def test_check_str() -> None:
    assert check_str("X-A", "v") == "v"
    with pytest.raises(TypeError, match="X-A: value must be a str, got int 3"):
        check_str("X-A", 3)


def test_describe_char() -> None:
    assert describe_char("\r") == "U+000D (CR)"
    assert describe_char("é") == "U+00E9"


@given(st.text())
def test_values_either_valid_or_refused(value: str) -> None:
    try:
        check_field_value("X-A", value)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith("X-A: invalid value")
        assert not is_field_value(value)
    else:
        assert is_field_value(value)
        assert all(0x20 <= ord(c) < 0x7F or c == "\t" for c in value)
        assert value == value.strip(" \t")


@given(st.text())
def test_names_either_tokens_or_refused(name: str) -> None:
    try:
        check_field_name(name)
    except ValueError:
        assert not is_field_name(name)
    else:
        assert name and name.isascii() and is_field_name(name)
