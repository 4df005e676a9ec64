from __future__ import annotations

import logging

import pytest

from secure import (
    COMMA_JOIN_OK,
    DEFAULT_ALLOWED_HEADERS,
    MULTI_OK,
    CustomHeader,
    Secure,
)
from secure._pipeline import _Entry, validate


def dupes(*pairs: tuple[str, str]) -> Secure:
    return Secure(custom=[CustomHeader(n, v) for n, v in pairs])


def test_constants(balanced: list[tuple[str, str]]) -> None:
    assert "content-security-policy" in MULTI_OK
    assert "x-frame-options" not in COMMA_JOIN_OK
    assert "cache-control" in COMMA_JOIN_OK
    for name, _ in balanced:
        assert name.lower() in DEFAULT_ALLOWED_HEADERS
    for name in ("origin-agent-cluster", "x-download-options", "x-xss-protection"):
        assert name in DEFAULT_ALLOWED_HEADERS


def test_seed_pipeline_runs_as_written(
    caplog: pytest.LogCaptureFixture, balanced: list[tuple[str, str]]
) -> None:
    logger = logging.getLogger("secure")
    secure_headers = (
        Secure.with_default_headers()
        .allowlist_headers(
            allowed=DEFAULT_ALLOWED_HEADERS,
            allow_extra=["X-My-App-Header"],
            on_unexpected="warn",
            allow_x_prefixed=False,
            logger=logger,
        )
        .deduplicate_headers(
            action="raise", comma_join_ok=COMMA_JOIN_OK, multi_ok=MULTI_OK, logger=logger
        )
        .validate_and_normalize_headers(
            on_invalid="drop", strict=False, allow_obs_text=False, logger=logger
        )
    )
    assert dict(secure_headers.headers) == dict(balanced)
    assert caplog.records == []


@pytest.mark.parametrize("mode", ["raise", "drop", "warn"])
def test_allowlist_modes(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="t")
    s = dupes(("X-Frame-Options", "DENY"), ("X-Unknown", "1"))
    if mode == "raise":
        with pytest.raises(ValueError, match=r"X-Unknown: header is not in the allowlist"):
            s.allowlist_headers(on_unexpected="raise")
        return
    s.allowlist_headers(on_unexpected=mode, logger=logging.getLogger("t"))  # type: ignore[arg-type]
    names = [n for n, _ in s.header_items()]
    assert names == (["X-Frame-Options", "X-Unknown"] if mode == "warn" else ["X-Frame-Options"])
    assert "X-Unknown" in caplog.text
    level = logging.WARNING if mode == "warn" else logging.INFO
    assert caplog.records[0].levelno == level


def test_allowlist_is_case_insensitive_and_x_prefix_option() -> None:
    s = dupes(("x-frame-options", "DENY"), ("X-Custom", "1"), ("Other", "2"))
    s.allowlist_headers(allow_x_prefixed=True, on_unexpected="drop")
    assert [n for n, _ in s.header_items()] == ["x-frame-options", "X-Custom"]
    s2 = dupes(("X-Custom", "1"))
    s2.allowlist_headers(allow_extra=["x-custom"])
    assert list(s2.header_items()) == [("X-Custom", "1")]


def test_allowlist_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="on_unexpected"):
        Secure().allowlist_headers(on_unexpected="ignore")  # type: ignore[arg-type]


def test_deduplicate_raise_names_the_header() -> None:
    with pytest.raises(ValueError, match=r"X-Frame-Options: header is set 2 times"):
        dupes(("X-Frame-Options", "DENY"), ("x-frame-options", "SAMEORIGIN")).deduplicate_headers()


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("first", [("X-Frame-Options", "DENY"), ("Vary", "a")]),
        ("last", [("x-frame-options", "SAMEORIGIN"), ("Vary", "a")]),
    ],
)
def test_deduplicate_first_last(action: str, expected: list[tuple[str, str]]) -> None:
    s = dupes(("X-Frame-Options", "DENY"), ("Vary", "a"), ("x-frame-options", "SAMEORIGIN"))
    assert list(s.deduplicate_headers(action=action).header_items()) == expected  # type: ignore[arg-type]


def test_deduplicate_concat_only_for_list_fields() -> None:
    s = dupes(("Cache-Control", "no-store"), ("cache-control", "max-age=0"))
    assert list(s.deduplicate_headers(action="concat").header_items()) == [
        ("Cache-Control", "no-store, max-age=0")
    ]
    with pytest.raises(ValueError, match="cannot be joined"):
        dupes(("X-Frame-Options", "DENY"), ("X-Frame-Options", "DENY")).deduplicate_headers(
            action="concat"
        )


def test_deduplicate_keeps_multi_ok(caplog: pytest.LogCaptureFixture) -> None:
    s = dupes(("Content-Security-Policy", "a 'self'"), ("Content-Security-Policy", "b 'self'"))
    s.deduplicate_headers()
    assert len(s.header_items()) == 2
    with pytest.raises(ValueError, match="more than once"):
        s.validate_and_normalize_headers()


def test_deduplicate_rejects_unknown_action() -> None:
    with pytest.raises(ValueError, match="action"):
        Secure().deduplicate_headers(action="merge")  # type: ignore[arg-type]


def test_validate_normalizes_names_and_freezes() -> None:
    s = dupes(("x-frame-options", "DENY"), ("x-dns-prefetch-control", "off"), ("X-Mine", "1"))
    s.validate_and_normalize_headers()
    assert dict(s.headers) == {
        "X-Frame-Options": "DENY",
        "X-DNS-Prefetch-Control": "off",
        "X-Mine": "1",
    }
    with pytest.raises(TypeError):
        s.headers["X-Mine"] = "2"  # type: ignore[index]
    # set_headers uses the normalised names.
    response = type("R", (), {"headers": {}})()
    s.set_headers(response)
    assert list(response.headers) == ["X-Frame-Options", "X-DNS-Prefetch-Control", "X-Mine"]


@pytest.mark.parametrize(
    "entry",
    [
        _Entry("Bad Name", "v", False),
        _Entry("X-A", "bad\nvalue", False),
        _Entry("X-A", " padded", False),
        _Entry("X-A", "caf\xe9", False),
    ],
)
def test_validate_modes_on_invalid_entries(entry: _Entry, caplog: pytest.LogCaptureFixture) -> None:
    good = _Entry("X-Ok", "1", False)
    logger = logging.getLogger("t")
    caplog.set_level(logging.DEBUG, logger="t")
    kept, mapping = validate(
        [entry, good],
        on_invalid="drop",
        strict=False,
        allow_obs_text=False,
        logger=logger,
        grammar={},
    )
    assert kept == [good] and dict(mapping) == {"X-Ok": "1"}
    kept, _ = validate(
        [entry, good],
        on_invalid="warn",
        strict=False,
        allow_obs_text=False,
        logger=logger,
        grammar={},
    )
    assert kept == [good]
    assert caplog.records[-1].levelno == logging.WARNING
    with pytest.raises(ValueError, match="invalid header"):
        validate(
            [entry],
            on_invalid="raise",
            strict=False,
            allow_obs_text=False,
            logger=None,
            grammar={},
        )


def test_obs_text_is_opt_in() -> None:
    entry = _Entry("X-A", "caf\xe9", False)
    kept, _ = validate(
        [entry], on_invalid="raise", strict=False, allow_obs_text=True, logger=None, grammar={}
    )
    assert kept == [entry]


def test_strict_checks_grammar_and_length(balanced: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="grammar"):
        dupes(("Strict-Transport-Security", "includeSubDomains")).validate_and_normalize_headers(
            on_invalid="raise", strict=True
        )
    with pytest.raises(ValueError, match="longer than 4096"):
        dupes(("X-Long", "a" * 5000)).validate_and_normalize_headers(
            on_invalid="raise", strict=True
        )
    ok = Secure.with_default_headers().validate_and_normalize_headers(
        on_invalid="raise", strict=True
    )
    assert dict(ok.headers) == dict(balanced)


def test_validate_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError, match="on_invalid"):
        Secure().validate_and_normalize_headers(on_invalid="ignore")  # type: ignore[arg-type]


def test_pipeline_steps_reset_the_frozen_mapping() -> None:
    s = dupes(("X-A", "1"), ("X-B", "2")).validate_and_normalize_headers()
    s.allowlist_headers(allowed=["x-a"], on_unexpected="drop")
    assert dict(s.headers) == {"X-A": "1"}
    s.validate_and_normalize_headers()
    s.deduplicate_headers()
    assert dict(s.headers) == {"X-A": "1"}
