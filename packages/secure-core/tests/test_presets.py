from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure import Preset, Secure

# The golden values, shared by every package's tests.
GOLDEN = json.loads(
    (Path(__file__).resolve().parents[3] / "testdata" / "presets.json").read_text("utf-8")
)
BALANCED, BASIC, STRICT = (
    [tuple(pair) for pair in GOLDEN[name]] for name in ("balanced", "basic", "strict")
)
BASELINE_CSP = dict(BALANCED)["Content-Security-Policy"]


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
