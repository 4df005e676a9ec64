"""Instructions per request, counted by Valgrind's callgrind.

Timings on a shared machine move by 5-10% between runs, which hides a change of a few
dozen nanoseconds; the number of instructions a request executes does not move (the
hash seed is fixed). Use it to compare two versions of the code, next to the timed
benchmark (``run.py``), which stays the measure of the targets::

    python benchmarks/instructions.py asgi                  # every variant of a level
    python benchmarks/instructions.py asgi:A asgi:B asgi:secure wsgi:secure-nonce

Each ``level:variant`` runs in two fresh processes under ``valgrind --tool=callgrind``:
both build the level and make a warm-up of requests, then one makes ``--requests``
more and the other none. The difference, divided by the count, is the figure: start-up
and imports cancel out. Instructions are not time (a system call or a cache miss
counts little), so a result is a hint to confirm with ``run.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
_WARM_UP = 200
_COLLECTED = re.compile(r"Collected : (\d+)")


def child(spec: str, requests: int) -> None:
    """Build the level, warm the variant up, then make ``requests`` requests."""
    import asyncio
    import gc

    import levels
    import timing

    key, _, name = spec.partition(":")
    level = levels.build(key)
    found = [v for v in level.variants if v.key == name]
    if not found:
        known = ", ".join(f"{key}:{v.key}" for v in level.variants)
        raise SystemExit(f"{spec}: no such variant; this level has {known}")
    variant = found[0]
    loop = asyncio.new_event_loop()
    timing.time_block(level, variant, _WARM_UP, loop)
    # As the timed benchmark does: what setup left behind is never traced again.
    gc.collect()
    gc.freeze()
    if requests:
        timing.time_block(level, variant, requests, loop)
    loop.close()


def _count(spec: str, requests: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            spec,
            "--requests",
            str(requests),
        ],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{spec}: callgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_request(spec: str, requests: int) -> float:
    """Instructions one request of ``spec`` executes, beyond start-up and warm-up."""
    return (_count(spec, requests) - _count(spec, 0)) / requests


def _specs(names: Sequence[str]) -> list[str]:
    import levels

    specs = []
    for name in names:
        if ":" in name:
            specs.append(name)
        else:
            specs.extend(f"{name}:{v.key}" for v in levels.build(name).variants)
    return specs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="+", help="a level, or level:variant")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    if args.child:
        child(args.specs[0], args.requests)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    counts = {spec: per_request(spec, args.requests) for spec in _specs(args.specs)}
    print("| variant | instructions per request | over A | x B's |")
    print("|---|---|---|---|")
    for spec, count in counts.items():
        key = spec.partition(":")[0]
        base = counts.get(f"{key}:A")
        floor = counts.get(f"{key}:B")
        over = f"{count - base:+.0f}" if base is not None else "—"
        ratio = (
            f"{(count - base) / (floor - base):.2f}"
            if base is not None and floor is not None and floor != base
            else "—"
        )
        print(f"| `{spec}` | {count:.0f} | {over} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
