"""The README's quick-start command installs secure-core alone and does its job.

It runs the first command of the README's "Quick start" block as written, into a
throw-away environment (``UV_PROJECT_ENVIRONMENT``), so the clone's ``.venv`` is left
alone, and checks that nothing but secure-core was installed: not a development group,
not a framework.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_LIST = (
    "import importlib.metadata as m, json; "
    "print(json.dumps(sorted({d.metadata['Name'].lower() for d in m.distributions()})))"
)


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None, "the Quick start section has no bash block"
    return [line.split("  #")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_the_second_command_runs_the_tests() -> None:
    assert quick_start_commands()[1] == "uv run nox"


def test_the_first_command_installs_secure_core_alone(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    argv = shlex.split(quick_start_commands()[0])
    assert argv[:2] == ["uv", "run"], argv
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_FROZEN": "1"}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        [uv, *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert 'add_header Content-Security-Policy "' in result.stdout, result.stdout

    python = venv / "bin" / "python"
    listed = subprocess.run(
        [python, "-I", "-c", _LIST], capture_output=True, text=True, check=True, timeout=60
    )
    # secure-core and `secure` 3.x, the file-less distribution that carries 2.x's name
    # forward (docs/migration.md, "Installing"): nothing else.
    assert sorted(json.loads(listed.stdout)) == ["secure", "secure-core"]
