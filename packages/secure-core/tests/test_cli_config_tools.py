"""secure presets, secure convert, preset names from packages, and option typos."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from secure.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_presets_lists_the_core_presets_with_their_provider(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "presets")
    assert status == 0
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert {"balanced", "basic", "strict"} <= set(rows)
    assert rows["strict"] == "secure-core"


def test_an_unknown_preset_is_a_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "show", "--preset", "strct")
    assert (status, out) == (2, "")
    assert "unknown preset 'strct'" in err and "did you mean 'strict'" in err


def test_a_misspelt_option_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "show", "--formt", "nginx")
    assert status == 2
    assert "unrecognized arguments: --formt nginx; did you mean '--format'?" in err


@pytest.mark.parametrize(
    ("text", "csp"),
    [
        ('{"default-src": ["\'self\'"]}', "default-src 'self'"),
        # A settings dict pasted from Python, with Django's constants.
        (
            "{'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE]}",
            "default-src 'self'; script-src 'self' 'nonce-{nonce}'",
        ),
        ("{'DIRECTIVES': {'img-src': (SELF, 'data:')}}", "img-src 'self' data:"),
    ],
)
def test_convert_reads_json_and_python_literals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, csp: str
) -> None:
    path = tmp_path / "settings.py"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "convert", str(path))
    assert status == 0, err
    assert json.loads(out) == {"preset": "balanced", "csp": csp}
    assert "secure: read as" in err


def test_convert_writes_toml_and_notes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {"frame_options": "DENY", "force_https": True, "strict_transport_security": False}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(settings)))
    status, out, err = run(capsys, "convert", "-", "--format", "toml")
    assert status == 0
    assert out == 'preset = "balanced"\nxfo = "DENY"\nhsts = false\n'
    assert "note: force_https" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "expected a dict"),  # never called
        ("{'default-src': [os.environ]}", "only literals and CSP constants"),
        ("[1, 2]", "expected a dict"),
        ("{'whatever': 1}", "name the source"),
        ("{oops", "neither JSON nor a Python literal"),
    ],
)
def test_convert_refuses_what_it_cannot_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "settings.txt"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "convert", str(path))
    assert (status, out) == (2, "")
    assert message in err
