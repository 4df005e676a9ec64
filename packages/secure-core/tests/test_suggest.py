"""The one "did you mean" helper every error message uses."""

from __future__ import annotations

import subprocess
import sys

import pytest

from secure._suggest import suggest


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("no-referer", ["no-referrer", "origin"], "; did you mean 'no-referrer'?"),
        # case and "-"/"_" never count against a match; the choice keeps its spelling
        ("NO_REFERRER", ["no-referrer"], "; did you mean 'no-referrer'?"),
        (
            "execution-contexts",
            ["cache", "executionContexts"],
            "; did you mean 'executionContexts'?",
        ),
        ("max-agee", ["max_age", "include_subdomains"], "; did you mean 'max_age'?"),
        ("'sel'", ("'self'", "'none'"), "; did you mean \"'self'\"?"),
        ("zzzz", ["no-referrer", "origin"], ""),
        ("", [], ""),
        # difflib is quadratic in the word's length: a huge word gets no suggestion
        ("no-referrer" * 10, ["no-referrer" * 10], ""),
    ],
)
def test_suggest(word: str, choices: list[str], expected: str) -> None:
    assert suggest(word, choices) == expected


def test_cutoff_loosens_or_tightens_the_match() -> None:
    assert suggest("hstss", ["hsts", "csp"], cutoff=0.5) == "; did you mean 'hsts'?"
    assert suggest("hx", ["hsts"], cutoff=0.5) == ""
    assert suggest("hx", ["hsts"], cutoff=0.3) == "; did you mean 'hsts'?"


def test_importing_the_helper_does_not_import_difflib() -> None:
    code = "import sys, secure._suggest; print('difflib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
