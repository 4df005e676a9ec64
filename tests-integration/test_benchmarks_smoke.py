"""The benchmark suite still works: every variant of every level sends its headers.

Runs ``benchmarks/run.py --check``: each level is built in a fresh process, each variant
(no headers, the hand-written floor, ``secure`` with and without a nonce, and every peer
library that is installed) answers a few requests, and its response headers are checked
before and after a tiny timing run. ``nox -s bench`` runs the full measurement.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_variant_sends_its_headers() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    checked = [line for line in result.stderr.splitlines() if "variants checked" in line]
    assert len(checked) == 6, result.stderr


def test_the_instruction_counter_runs_each_protocol() -> None:
    # The callgrind runs need valgrind; the child they run does not: it builds the level,
    # warms the variant up and makes the requests, and fails on an unknown variant.
    script = ROOT / "benchmarks" / "instructions.py"
    for spec in ("asgi:secure-nonce", "wsgi:secure", "starlette:core"):
        done = subprocess.run(
            [sys.executable, str(script), "--child", spec, "--requests", "20"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
    bad = subprocess.run(
        [sys.executable, str(script), "--child", "asgi:nope", "--requests", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert bad.returncode != 0 and "asgi:nope" in bad.stderr
