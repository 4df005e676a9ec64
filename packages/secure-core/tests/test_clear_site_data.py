"""Clear-Site-Data (W3C Clear Site Data §3.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.clear_site_data import ClearSiteData

NAME = "Clear-Site-Data"
# Every error message starts with the header name.
NAMED = rf"^{NAME}: "
METHODS = {
    "cache": "cache",
    "cookies": "cookies",
    "storage": "storage",
    "execution_contexts": "executionContexts",
    "client_hints": "clientHints",
    "prefetch_cache": "prefetchCache",
    "prerender_cache": "prerenderCache",
    "all": "*",
}


def error_text(excinfo: pytest.ExceptionInfo[Exception], *fragments: str) -> str:
    message = str(excinfo.value)
    assert message.startswith(f"{NAME}: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def test_empty_refuses_to_render() -> None:
    builder = ClearSiteData()
    assert builder.header_name == NAME
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.header_value  # noqa: B018
    error_text(excinfo, "no data types", "cache()", "all()")
    assert "<invalid:" in repr(builder)


@pytest.mark.parametrize(("method", "data_type"), METHODS.items())
def test_each_type_renders_quoted(method: str, data_type: str) -> None:
    builder = ClearSiteData()
    assert getattr(builder, method)() is builder
    assert builder.header_value == f'"{data_type}"'


def test_types_render_in_call_order_once() -> None:
    builder = ClearSiteData().cookies().cache().cookies().storage()
    assert builder.header_value == '"cookies", "cache", "storage"'


def test_clear() -> None:
    builder = ClearSiteData().cache()
    assert builder.clear() is builder
    with pytest.raises(ValueError, match=NAMED):
        builder.header_value  # noqa: B018
    builder.set('"cookies"').clear()
    assert builder.cache().header_value == '"cache"'


def test_copy_is_independent() -> None:
    original = ClearSiteData().cache()
    duplicate = original.copy()
    assert duplicate == original
    assert duplicate is not original
    duplicate.cookies()
    assert original.header_value == '"cache"'
    assert duplicate.header_value == '"cache", "cookies"'


def test_equality() -> None:
    assert ClearSiteData() == ClearSiteData()  # both empty
    assert ClearSiteData().cache() == ClearSiteData().set('"cache"')
    assert ClearSiteData().cache().cookies() != ClearSiteData().cookies().cache()
    assert ClearSiteData() != ClearSiteData().all()


@pytest.mark.parametrize(
    "raw",
    ['"cache"', '"cache", "cookies"', '"*"', '"cache","storage"', '"executionContexts" , "*"'],
)
def test_set_accepts_quoted_lists(raw: str) -> None:
    builder = ClearSiteData()
    assert builder.set(raw) is builder
    assert builder.header_value == raw


def test_set_adopts_the_parsed_types() -> None:
    builder = ClearSiteData().set('"cache","cache"')
    assert builder.cookies().header_value == '"cache", "cookies"'


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ("cache", ["must be quoted", "'\"cache\"'"]),
        ('"cache", cookies', ["'cookies'", "must be quoted"]),
        ("*", ["must be quoted"]),
        ('"cahce"', ["unknown data type 'cahce'", "did you mean 'cache'?", "'executionContexts'"]),
        ('"Cookies"', ["did you mean 'cookies'?"]),
        ('"execution-contexts"', ["did you mean 'executionContexts'?"]),
        ("", ["cannot parse"]),
        ('"cache",', ["cannot parse"]),
        ("'cache'", ["cannot parse"]),
        ('"cache" "cookies"', ["unknown data type"]),
        ('"', ["cannot parse"]),
    ],
)
def test_set_rejects_invalid_values(raw: str, fragments: list[str]) -> None:
    builder = ClearSiteData().cache()
    with pytest.raises(ValueError, match=NAMED) as excinfo:
        builder.set(raw)
    error_text(excinfo, *fragments)
    assert builder.header_value == '"cache"'


def test_set_rejects_non_str() -> None:
    with pytest.raises(TypeError) as excinfo:
        ClearSiteData().set(None)  # type: ignore[arg-type]
    error_text(excinfo, "must be a str")


@given(st.lists(st.sampled_from(sorted(METHODS)), min_size=1, max_size=10))
def test_any_call_sequence_renders_a_valid_value(methods: list[str]) -> None:
    builder = ClearSiteData()
    for method in methods:
        getattr(builder, method)()
    value = builder.header_value
    assert is_field_value(value)
    assert ClearSiteData().set(value) == builder


@given(st.text(max_size=40))
def test_set_accepts_only_valid_field_values(raw: str) -> None:
    try:
        builder = ClearSiteData().set(raw)
    except ValueError:
        return
    assert is_field_value(builder.header_value)
