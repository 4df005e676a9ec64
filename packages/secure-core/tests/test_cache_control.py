"""Cache-Control (RFC 9111 §5.2, RFC 8246, RFC 5861)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.cache_control import CacheControl

NAME = "Cache-Control"
# Every error message starts with the header name.
NAMED = rf"^{NAME}: "

FLAGS = [
    ("no_store", "no-store"),
    ("no_transform", "no-transform"),
    ("must_revalidate", "must-revalidate"),
    ("proxy_revalidate", "proxy-revalidate"),
    ("must_understand", "must-understand"),
    ("public", "public"),
    ("immutable", "immutable"),
    ("no_cache", "no-cache"),
    ("private", "private"),
]
NUMERIC = [
    ("max_age", "max-age"),
    ("s_maxage", "s-maxage"),
    ("stale_while_revalidate", "stale-while-revalidate"),
    ("stale_if_error", "stale-if-error"),
]
FIELD_LISTS = [("no_cache", "no-cache"), ("private", "private")]


def error_text(excinfo: pytest.ExceptionInfo[Exception], *fragments: str) -> str:
    message = str(excinfo.value)
    assert message.startswith(f"{NAME}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_default() -> None:
    builder = CacheControl()
    assert builder.header_name == NAME
    # Nothing stored, and what is stored anyway is already stale (2.x's default too).
    assert builder.header_value == "no-store, max-age=0"


def test_seed_example() -> None:
    assert CacheControl().no_store().max_age(0).header_value == "no-store, max-age=0"


@pytest.mark.parametrize(("method", "rendered"), FLAGS)
def test_flag_directives(method: str, rendered: str) -> None:
    builder = CacheControl()
    assert getattr(builder, method)() is builder
    assert builder.header_value == rendered


@pytest.mark.parametrize(("method", "rendered"), NUMERIC)
@pytest.mark.parametrize("seconds", [0, 1, 600, 31536000, 2**31])
def test_numeric_directives(method: str, rendered: str, seconds: int) -> None:
    builder = CacheControl()
    assert getattr(builder, method)(seconds) is builder
    assert builder.header_value == f"{rendered}={seconds}"


@pytest.mark.parametrize(("method", "rendered"), FIELD_LISTS)
def test_field_name_lists_are_quoted(method: str, rendered: str) -> None:
    assert getattr(CacheControl(), method)("Set-Cookie").header_value == f'{rendered}="Set-Cookie"'
    assert (
        getattr(CacheControl(), method)("Set-Cookie", "Authorization").header_value
        == f'{rendered}="Set-Cookie, Authorization"'
    )


def test_every_directive_together_in_call_order() -> None:
    builder = (
        CacheControl()
        .public()
        .max_age(60)
        .s_maxage(120)
        .no_cache("Set-Cookie")
        .no_store()
        .no_transform()
        .must_revalidate()
        .proxy_revalidate()
        .must_understand()
        .immutable()
        .stale_while_revalidate(30)
        .stale_if_error(86400)
    )
    assert builder.header_value == (
        'public, max-age=60, s-maxage=120, no-cache="Set-Cookie", no-store, no-transform, '
        "must-revalidate, proxy-revalidate, must-understand, immutable, "
        "stale-while-revalidate=30, stale-if-error=86400"
    )


def test_repeating_a_directive_replaces_it_in_place() -> None:
    builder = CacheControl().max_age(10).no_store().max_age(20)
    assert builder.header_value == "max-age=20, no-store"
    builder.no_cache("Set-Cookie").no_cache()
    assert builder.header_value == "max-age=20, no-store, no-cache"
    builder.private().private("Authorization")
    assert builder.header_value == 'max-age=20, no-store, no-cache, private="Authorization"'


@pytest.mark.parametrize(
    "build",
    [
        lambda: CacheControl().public().private(),
        lambda: CacheControl().private().public(),
        lambda: CacheControl().private("Set-Cookie").public(),
    ],
)
def test_public_and_private_conflict(build: Any) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        build()
    error_text(excinfo, "conflicts with", "clear()")


def test_a_refused_call_leaves_the_builder_unchanged() -> None:
    builder = CacheControl().private()
    with pytest.raises(ValueError, match=NAMED):
        builder.public()
    assert builder.header_value == "private"
    with pytest.raises(ValueError, match=NAMED):
        builder.max_age(-1)
    assert builder.header_value == "private"
    assert builder.clear().public().header_value == "public"


@pytest.mark.parametrize(("method", "rendered"), NUMERIC)
@pytest.mark.parametrize("bad", [-1, -3600])
def test_negative_seconds_are_refused(method: str, rendered: str, bad: int) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        getattr(CacheControl(), method)(bad)
    error_text(excinfo, rendered, repr(bad), "0 or more")


@pytest.mark.parametrize(("method", "rendered"), NUMERIC)
@pytest.mark.parametrize("bad", [True, False, 1.5, "60", None])
def test_non_int_seconds_are_refused(method: str, rendered: str, bad: object) -> None:
    with pytest.raises(TypeError) as excinfo:
        getattr(CacheControl(), method)(bad)
    error_text(excinfo, rendered, repr(bad), "int")


@pytest.mark.parametrize(("method", "rendered"), FIELD_LISTS)
@pytest.mark.parametrize("bad", ["Set Cookie", "", 'a"b', "a,b", "X\r\n"])
def test_bad_field_names_are_refused(method: str, rendered: str, bad: str) -> None:
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        getattr(CacheControl(), method)(bad)
    error_text(excinfo)


@pytest.mark.parametrize(("method", "rendered"), FIELD_LISTS)
def test_non_str_field_names_are_refused(method: str, rendered: str) -> None:
    with pytest.raises(TypeError) as excinfo:
        getattr(CacheControl(), method)(1)
    error_text(excinfo, "must be a str")


def test_clear() -> None:
    builder = CacheControl().public().max_age(60)
    assert builder.clear() is builder
    assert builder.header_value == "no-store, max-age=0"
    assert builder.set("max-age=5").clear().header_value == "no-store, max-age=0"
    assert builder.max_age(1).header_value == "max-age=1"


def test_copy_is_independent() -> None:
    original = CacheControl().no_cache("Set-Cookie").max_age(5)
    duplicate = original.copy()
    assert duplicate == original
    assert duplicate is not original
    duplicate.max_age(10).immutable()
    assert original.header_value == 'no-cache="Set-Cookie", max-age=5'
    assert duplicate.header_value == 'no-cache="Set-Cookie", max-age=10, immutable'


def test_equality() -> None:
    assert CacheControl() == CacheControl().no_store().max_age(0)
    assert CacheControl() != CacheControl().no_store()
    assert CacheControl().no_store().max_age(0) == CacheControl().set("no-store, max-age=0")
    assert CacheControl().max_age(0).no_store() != CacheControl().no_store().max_age(0)
    with pytest.raises(TypeError):
        hash(CacheControl())


# --- set() -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "no-store",
        "no-store, max-age=0",
        "NO-STORE",
        "public,max-age=31536000,immutable",
        "private, no-cache",
        'no-cache="Set-Cookie"',
        'no-cache="Set-Cookie, Authorization", private="X-Secret"',
        'private="a,b"',
        "s-maxage=0, proxy-revalidate, must-understand, no-store",
        "max-age=60, stale-while-revalidate=30, stale-if-error=86400",
        "no-transform , must-revalidate",
        "max-age=007",
    ],
)
def test_set_accepts_valid_values(raw: str) -> None:
    builder = CacheControl()
    assert builder.set(raw) is builder
    assert builder.header_value == raw


def test_set_adopts_the_parsed_directives() -> None:
    builder = CacheControl().set('NO-CACHE="set-cookie",max-age=007')
    assert builder.header_value == 'NO-CACHE="set-cookie",max-age=007'
    assert builder.immutable().header_value == 'no-cache="set-cookie", max-age=7, immutable'
    with pytest.raises(ValueError, match="conflicts"):
        CacheControl().set("private").public()


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("", ["cannot parse"]),
        ("no-stor", ["unknown directive", "did you mean 'no-store'?", "'immutable'"]),
        ("maxage=0", ["did you mean 'max-age'?"]),
        ("no_store", ["did you mean 'no-store'?"]),
        ("no-store, no-store", ["twice", "§4.2.1"]),
        ("max-age=1, MAX-AGE=2", ["twice"]),
        ("public, private", ["conflicts"]),
        ("max-age", ["number of seconds", "'max-age=0'"]),
        ('max-age="60"', ["without quotes"]),
        ("max-age=-1", ["number of seconds"]),
        ("max-age=1.5", ["number of seconds"]),
        ("max-age=abc", ["number of seconds"]),
        ("no-store=1", ["takes no value", "'no-store'"]),
        ('immutable="x"', ["takes no value"]),
        ("no-cache=Set-Cookie", ["in quotes", "'no-cache=\"Set-Cookie\"'"]),
        ('no-cache=""', ["lists no field names"]),
        ('private="Set Cookie"', ["invalid header name"]),
        ('private="a,,b"', ["header name is empty"]),
        ("max-stale=soon", ["needs a number of seconds", "'max-stale'"]),
        ("min-fresh", ["needs a number of seconds", "'min-fresh'"]),
        ("only-if-cached=1", ["takes no value"]),
        ("no-store max-age=0", ["cannot parse", "', '"]),
        ("no-store;max-age=0", ["cannot parse"]),
        ("no-store,", ["cannot parse"]),
        (",no-store", ["cannot parse"]),
        ('no-cache="Set-Cookie', ["cannot parse"]),
        ("no-store\r\nX: y", ["control character"]),
    ],
)
def test_set_rejects_invalid_values(raw: str, fragments: list[str]) -> None:
    builder = CacheControl().max_age(1)
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.set(raw)
    error_text(excinfo, repr(raw) if raw else "''", *fragments)
    assert builder.header_value == "max-age=1"  # unchanged


def test_set_rejects_non_str() -> None:
    with pytest.raises(TypeError) as excinfo:
        CacheControl().set(0)  # type: ignore[arg-type]
    error_text(excinfo, "must be a str")


# --- properties ----------------------------------------------------------------------------

FIELD_NAMES = st.text(alphabet="abcXYZ019-_!#$%&'*+.^`|~", min_size=1, max_size=8)
CALLS = st.one_of(
    st.tuples(st.sampled_from([m for m, _ in FLAGS])),
    st.tuples(st.sampled_from([m for m, _ in NUMERIC]), st.integers(0, 2**40)),
    st.builds(
        lambda method, names: (method, *names),
        st.sampled_from([m for m, _ in FIELD_LISTS]),
        st.lists(FIELD_NAMES, max_size=3),
    ),
)


@given(st.lists(CALLS, max_size=12))
def test_any_accepted_calls_render_a_valid_value(calls: list[tuple[Any, ...]]) -> None:
    builder = CacheControl()
    applied: set[str] = set()
    for method, *args in calls:
        if {"public": "private", "private": "public"}.get(method) in applied:
            with pytest.raises(ValueError, match="conflicts"):
                getattr(builder, method)(*args)
            continue
        getattr(builder, method)(*args)
        applied.add(method)
    value = builder.header_value
    assert is_field_value(value)
    # What the builder renders, set() accepts and parses back to the same directives.
    assert CacheControl().set(value) == builder
    if calls:  # (the default "no-store" is only what an unconfigured builder sends)
        assert CacheControl().set(value).max_age(5) == builder.copy().max_age(5)


@given(st.text(max_size=40))
def test_set_accepts_only_valid_field_values(raw: str) -> None:
    try:
        builder = CacheControl().set(raw)
    except ValueError:
        return
    assert is_field_value(builder.header_value)
