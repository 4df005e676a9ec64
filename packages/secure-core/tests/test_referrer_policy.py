"""Referrer-Policy (W3C Referrer Policy §3, §8.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.referrer_policy import ReferrerPolicy

NAME = "Referrer-Policy"
# Every error message starts with the header name.
NAMED = rf"^{NAME}: "
METHODS = {
    "no_referrer": "no-referrer",
    "no_referrer_when_downgrade": "no-referrer-when-downgrade",
    "origin": "origin",
    "origin_when_cross_origin": "origin-when-cross-origin",
    "same_origin": "same-origin",
    "strict_origin": "strict-origin",
    "strict_origin_when_cross_origin": "strict-origin-when-cross-origin",
    "unsafe_url": "unsafe-url",
}


def error_text(excinfo: pytest.ExceptionInfo[Exception], *fragments: str) -> str:
    message = str(excinfo.value)
    assert message.startswith(f"{NAME}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_default() -> None:
    builder = ReferrerPolicy()
    assert builder.header_name == NAME
    assert builder.header_value == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(("method", "token"), METHODS.items())
def test_each_token(method: str, token: str) -> None:
    builder = ReferrerPolicy()
    assert getattr(builder, method)() is builder
    assert builder.header_value == token
    assert ReferrerPolicy().set(token) == builder


def test_several_calls_build_a_fallback_list() -> None:
    builder = ReferrerPolicy().no_referrer().strict_origin_when_cross_origin()
    assert builder.header_value == "no-referrer, strict-origin-when-cross-origin"


def test_a_repeated_token_moves_to_the_end() -> None:
    # The last token a browser understands wins, so order carries the meaning.
    builder = ReferrerPolicy().no_referrer().strict_origin().no_referrer()
    assert builder.header_value == "strict-origin, no-referrer"


def test_clear() -> None:
    builder = ReferrerPolicy().no_referrer().unsafe_url()
    assert builder.clear() is builder
    assert builder.header_value == "strict-origin-when-cross-origin"
    assert builder.set("origin").clear().header_value == "strict-origin-when-cross-origin"
    assert builder.origin().header_value == "origin"


def test_copy_is_independent() -> None:
    original = ReferrerPolicy().no_referrer()
    duplicate = original.copy()
    assert duplicate == original
    assert duplicate is not original
    duplicate.strict_origin()
    assert original.header_value == "no-referrer"
    assert duplicate.header_value == "no-referrer, strict-origin"


def test_equality() -> None:
    assert ReferrerPolicy() == ReferrerPolicy().strict_origin_when_cross_origin()
    assert ReferrerPolicy().origin() != ReferrerPolicy().same_origin()
    with pytest.raises(TypeError):
        hash(ReferrerPolicy())


@pytest.mark.parametrize(
    "raw",
    [
        "no-referrer",
        "no-referrer, strict-origin-when-cross-origin",
        "no-referrer,strict-origin",
        "origin ,\tunsafe-url",
        ", ".join(METHODS.values()),
    ],
)
def test_set_accepts_token_lists(raw: str) -> None:
    builder = ReferrerPolicy()
    assert builder.set(raw) is builder
    assert builder.header_value == raw


def test_set_adopts_the_parsed_list() -> None:
    builder = ReferrerPolicy().set("no-referrer,origin")
    assert builder.strict_origin().header_value == "no-referrer, origin, strict-origin"
    # Duplicates in a raw value keep their last position, as a browser reads them.
    builder = ReferrerPolicy().set("origin, no-referrer, origin")
    assert builder.header_value == "origin, no-referrer, origin"
    assert builder.unsafe_url().header_value == "no-referrer, origin, unsafe-url"


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["empty policy"]),
        ("no-referer", ["unknown policy 'no-referer'", "did you mean 'no-referrer'?"]),
        ("No-Referrer", ["did you mean 'no-referrer'?"]),
        ("strict_origin", ["did you mean 'strict-origin'?"]),
        ("no-referrer, unsafe_url", ["in 'no-referrer, unsafe_url'", "did you mean 'unsafe-url'?"]),
        ("no-referrer,, origin", ["empty policy"]),
        ("no-referrer,", ["empty policy"]),
        ("no-referrer origin", ["unknown policy"]),
        ("no-referrer; origin", ["unknown policy"]),
        ("origin\n", ["control character"]),
    ],
)
def test_set_rejects_invalid_values(raw: str, fragments: list[str]) -> None:
    builder = ReferrerPolicy().origin()
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.set(raw)
    message = error_text(excinfo, *fragments)
    for token in METHODS.values():
        if "unknown" in message:
            assert repr(token) in message  # the fix: every valid token is listed
    assert builder.header_value == "origin"


def test_set_rejects_non_str() -> None:
    with pytest.raises(TypeError) as excinfo:
        ReferrerPolicy().set(["no-referrer"])  # type: ignore[arg-type]
    error_text(excinfo, "must be a str")


@given(st.lists(st.sampled_from(sorted(METHODS)), max_size=10))
def test_any_call_sequence_renders_a_valid_list(methods: list[str]) -> None:
    builder = ReferrerPolicy()
    for method in methods:
        getattr(builder, method)()
    value = builder.header_value
    assert is_field_value(value)
    tokens = value.split(", ")
    assert len(tokens) == len(set(tokens))
    assert set(tokens) <= set(METHODS.values())
    if methods:
        assert tokens[-1] == METHODS[methods[-1]]  # the last call is what browsers use
    assert ReferrerPolicy().set(value) == builder


@given(st.text(max_size=40))
def test_set_accepts_only_valid_field_values(raw: str) -> None:
    try:
        builder = ReferrerPolicy().set(raw)
    except ValueError:
        return
    assert is_field_value(builder.header_value)
