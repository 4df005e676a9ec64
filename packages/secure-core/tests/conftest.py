"""Shared helpers for secure-core's tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# The golden preset values, shared by every package's tests.
GOLDEN = json.loads(
    (Path(__file__).resolve().parents[3] / "testdata" / "presets.json").read_text("utf-8")
)
BALANCED = [(name, value) for name, value in GOLDEN["balanced"]]
BASELINE_CSP = dict(BALANCED)["Content-Security-Policy"]


@pytest.fixture
def balanced() -> list[tuple[str, str]]:
    """The BALANCED preset's headers, exactly (``testdata/presets.json``)."""
    return list(BALANCED)


@pytest.fixture
def baseline_csp() -> str:
    """The CSP shared by BALANCED and BASIC."""
    return BASELINE_CSP
