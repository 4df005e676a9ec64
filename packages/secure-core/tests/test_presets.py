from __future__ import annotations

import pytest

from secure import Preset, Secure

BASELINE_CSP = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; "
    "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests"
)

BALANCED = [
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Content-Security-Policy", BASELINE_CSP),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Server", ""),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
]


BASIC = [
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Content-Security-Policy", BASELINE_CSP),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Permitted-Cross-Domain-Policies", "none"),
    ("X-DNS-Prefetch-Control", "off"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Origin-Agent-Cluster", "?1"),
    ("X-Download-Options", "noopen"),
    ("X-XSS-Protection", "0"),
]

STRICT = [
    ("Cache-Control", "no-store, max-age=0"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'",
    ),
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
    ("Referrer-Policy", "no-referrer"),
    ("Server", ""),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
]


@pytest.mark.parametrize(
    ("preset", "expected"),
    [(Preset.BALANCED, BALANCED), (Preset.BASIC, BASIC), (Preset.STRICT, STRICT)],
)
def test_preset_values_are_exact(preset: Preset, expected: list[tuple[str, str]]) -> None:
    assert list(Secure.from_preset(preset).header_items()) == expected


def test_with_default_headers_is_balanced() -> None:
    assert list(Secure.with_default_headers().header_items()) == BALANCED


@pytest.mark.parametrize("name", ["balanced", "BASIC", " Strict "])
def test_preset_by_name(name: str) -> None:
    assert Secure.from_preset(name) == Secure.from_preset(Preset(name.strip().lower()))


def test_unknown_preset_suggests_the_closest() -> None:
    with pytest.raises(ValueError, match=r"unknown preset 'strikt'.*did you mean 'strict'"):
        Secure.from_preset("strikt")


def test_preset_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="preset must be a Preset"):
        Secure.from_preset(3)  # type: ignore[arg-type]


def test_every_call_returns_an_independent_object() -> None:
    first = Secure.from_preset(Preset.BALANCED)
    second = Secure.from_preset(Preset.BALANCED)
    assert first is not second
    first.allowlist_headers(allowed=["x-frame-options"], on_unexpected="drop")
    assert list(second.header_items()) == BALANCED
    assert list(Secure.with_default_headers().header_items()) == BALANCED


def test_preset_is_a_str_enum() -> None:
    assert Preset.STRICT == "strict"
    assert str(Preset.BASIC) == "basic"
