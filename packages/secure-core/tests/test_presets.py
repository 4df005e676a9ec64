from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure import Preset, Secure
from secure._presets import available_presets

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


# -- presets from installed packages (the "secure.presets" entry-point group) --------------


@pytest.fixture
def installed_preset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A distribution on sys.path that provides a preset named "acme" (real metadata)."""
    (tmp_path / "acme_presets.py").write_text(
        "from secure.headers import XFrameOptions\n"
        "def builders():\n"
        "    return {'xfo': XFrameOptions().deny(), 'custom': []}\n",
        encoding="utf-8",
    )
    info = tmp_path / "acme_presets-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-presets\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[secure.presets]\nacme = acme_presets:builders\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return "acme"


def test_a_package_preset_works_everywhere_a_name_does(installed_preset: str) -> None:
    assert list(Secure.from_preset("ACME").header_items()) == [("X-Frame-Options", "DENY")]
    config = Secure.from_config({"preset": installed_preset, "xcto": "nosniff"})
    assert config.headers == {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"}
    listed = {p.name: p.provider for p in available_presets()}
    assert listed["acme"] == "acme-presets"
    assert listed["balanced"] == "secure-core"


def test_a_typo_suggests_installed_presets(installed_preset: str) -> None:
    with pytest.raises(ValueError, match=r"unknown preset 'acmee'.*did you mean 'acme'"):
        Secure.from_preset("acmee")


def test_a_missing_package_preset_names_the_package_to_install() -> None:
    if "shiny" in {p.name for p in available_presets()}:
        pytest.skip("secure-shiny is installed here; its own tests cover the preset")
    with pytest.raises(ValueError, match=r"'shiny' preset comes with the secure-shiny package"):
        Secure.from_preset("shiny")
    with pytest.raises(ValueError, match=r"preset: .*pip install secure-shiny"):
        Secure.from_config({"preset": "shiny"})


def test_a_close_typo_of_a_core_preset_is_suggested() -> None:
    with pytest.raises(ValueError, match=r"did you mean 'strict'"):
        Secure.from_preset("strct")
