"""Run the benchmark suite and write ``benchmarks/README.md``.

::

    nox -s bench                                    # the whole suite, writes the README
    uv run --group bench python benchmarks/run.py   # the same, in the dev environment
    uv run python benchmarks/run.py --check         # correctness checks only (seconds)
    uv run --group bench python benchmarks/run.py --levels asgi,wsgi --seconds 20 --no-write

Each request level runs in a fresh process (frameworks never share one); inside it the
variants are timed interleaved (see ``timing.py``). Import times are measured in fresh
processes too, construction times in one more.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import timing  # noqa: E402

X = "\u00d7"  # the multiplication sign, for ratios in the report

LEVEL_KEYS = ("asgi", "wsgi", "starlette", "fastapi", "flask", "django")

#: The standard library modules the core's code needs once a name is used: the import
#: targets are stated on top of them (an application has usually loaded them already).
STDLIB = "typing, re, enum, dataclasses, functools, collections"

#: (row, what is imported first and timed separately, the import timed) for the
#: import-time table.
IMPORTS: tuple[tuple[str, str, str], ...] = (
    ("secure", "", "import secure"),
    ("secure after stdlib", STDLIB, "import secure"),
    ("secure, first use", "", "from secure import Secure"),
    ("secure, first use after stdlib", STDLIB, "from secure import Secure"),
    (
        "secure, default headers after stdlib",
        STDLIB,
        "from secure import Secure; Secure.with_default_headers()",
    ),
    ("secure_flask", "flask", "import secure_flask"),
    ("secure_django", "django.http", "import secure_django"),
    ("secure_fastapi", "fastapi", "import secure_fastapi"),
    ("secure_shiny", "shiny", "import secure_shiny"),
    # References: what the standard library modules secure needs cost on their own.
    ("re, enum", "", "import re, enum"),
    ("re, enum, typing", "", "import re, enum, typing"),
    ("stdlib", "", f"import {STDLIB}"),
)

#: (row, limit in ms, what the target says) for the import targets.
IMPORT_TARGETS: tuple[tuple[str, float, str], ...] = (
    ("secure", 10.0, "`import secure` ≤ 10 ms"),
    ("secure after stdlib", 4.0, f"`import secure` ≤ 4 ms on top of `import {STDLIB}`"),
)

#: What the import-time breakdown runs: the first use of the library.
BREAKDOWN = "from secure import Secure"

#: Modules ``import secure`` must not pull in (they cost milliseconds and are not
#: needed until some rarely used path asks for them).
HEAVY = (
    "asyncio",
    "base64",
    "dataclasses",
    "difflib",
    "hashlib",
    "inspect",
    "json",
    "logging",
    "random",
    "secrets",
    "tomllib",
)

#: The configuration whose construction is timed (a typical shared-format config).
CONFIG: dict[str, object] = {
    "preset": "balanced",
    "csp": {"script-src": ["'self'", "https://cdn.example.com"], "report-to": "csp"},
    "hsts": {"max-age": 63072000, "include-subdomains": True, "preload": True},
    "referrer": "no-referrer",
    "custom": {"X-Robots-Tag": "noindex"},
    "nonce": True,
}


# -- children: one level, construction, profile ----------------------------------------


def child_level(key: str, seconds: float, check_only: bool) -> dict[str, Any]:
    import asyncio

    import levels

    level = levels.build(key)
    loop = asyncio.new_event_loop()
    problems = timing.check_level(level, loop)
    sent = {
        v.key: len(
            [
                n
                for n, _ in timing.observe(level, v, loop)
                if n.lower() in timing.SECURITY_NAMES or n.lower() == "server"
            ]
        )
        for v in level.variants
    }
    if check_only:
        samples = timing.measure(level, seconds=0, block=3, min_rounds=2, max_rounds=2)
    else:
        samples = timing.measure(level, seconds=seconds)
    problems += timing.check_level(level, loop)
    loop.close()
    return {
        "key": level.key,
        "title": level.title,
        "protocol": level.protocol,
        "variants": [
            {"key": v.key, "label": v.label, "role": v.role, "sent": sent[v.key]}
            for v in level.variants
        ],
        "targets": [asdict(t) for t in level.targets],
        "notes": level.notes,
        "problems": problems,
        "block": samples.block,
        "rounds": samples.rounds,
        "ns": samples.ns,
    }


def child_construct(seconds: float) -> dict[str, Any]:
    from secure import Preset, Secure

    cases: dict[str, Callable[[], object]] = {
        "Secure.with_default_headers()": Secure.with_default_headers,
        "Secure.from_preset(Preset.STRICT)": lambda: Secure.from_preset(Preset.STRICT),
        "Secure.from_config(CONFIG)": lambda: Secure.from_config(CONFIG),
        "Secure.with_default_headers().snapshot()": lambda: (
            Secure.with_default_headers().snapshot()
        ),
    }
    # The first call in a fresh process (imports done): presets are rendered then.
    first: dict[str, float] = {}
    for name, func in cases.items():
        start = time.thread_time_ns()
        func()
        first[name] = (time.thread_time_ns() - start) / 1000
    results: dict[str, list[float]] = {name: [] for name in cases}
    order = list(cases)
    rng = random.Random(0)
    n = 20
    deadline = time.monotonic() + seconds
    rounds = 0
    while rounds < 10 or time.monotonic() < deadline:
        rng.shuffle(order)
        for name in order:
            func = cases[name]
            start = time.thread_time_ns()
            for _ in range(n):
                func()
            results[name].append((time.thread_time_ns() - start) / n / 1000)
        rounds += 1
    return {
        name: {"median": statistics.median(v), "min": min(v), "first": first[name]}
        for name, v in results.items()
    }


def child_profile(requests: int) -> dict[str, Any]:
    """cProfile of the per-request path: what one request through our middleware costs."""
    import asyncio
    import cProfile
    import pstats

    import levels

    out: dict[str, Any] = {}
    loop = asyncio.new_event_loop()
    for key in ("asgi", "wsgi"):
        level = levels.build(key)
        for variant in level.variants:
            if variant.role != "ours":
                continue
            timing.time_block(level, variant, 100, loop)  # warm up
            profiler = cProfile.Profile(time.thread_time_ns, 1e-9)
            profiler.enable()
            timing.time_block(level, variant, requests, loop)
            profiler.disable()
            table: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
            table = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
            rows: list[dict[str, Any]] = []
            for (file, line, func), (_cc, calls, tottime, _cum, _callers) in table.items():
                where = _short(file)
                if where.startswith("timing.py") and func.startswith("_"):
                    continue
                rows.append(
                    {
                        "function": f"{where}:{line}({func})" if line else func,
                        "calls": calls / requests,
                        "tottime_us": tottime / requests * 1e6,
                    }
                )
            rows.sort(key=lambda r: -r["tottime_us"])
            total = sum(r["tottime_us"] for r in rows)
            out[f"{key}/{variant.key}"] = {"total_us": total, "rows": rows[:8]}
    loop.close()
    return out


def _short(file: str) -> str:
    for marker in ("/site-packages/", "/src/", "/lib/python"):
        if marker in file:
            return (
                file.split(marker, 1)[1].split("/", 1)[-1]
                if marker == "/lib/python"
                else (file.split(marker, 1)[1])
            )
    return Path(file).name if file != "~" else "builtins"


# -- import time --------------------------------------------------------------------------

_PROBE = """
import sys, time
clock = time.process_time_ns
t0 = clock()
{first}
t1 = clock()
{statement}
t2 = clock()
print((t1 - t0) / 1e6, (t2 - t1) / 1e6, sorted(sys.modules))
"""


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    # Bytecode is written and reused, as after any install (this environment may set
    # PYTHONDONTWRITEBYTECODE, which would make every run compile from source).
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=True, env=env
    )


def _probe(first: str, statement: str) -> tuple[float, float, list[str]]:
    code = _PROBE.format(first=f"import {first}" if first else "", statement=statement)
    fw, own, modules = _python("-c", code).stdout.split(" ", 2)
    return float(fw), float(own), eval(modules)  # a list of names printed by the probe


def _importtime_breakdown(runs: int) -> list[tuple[str, float]]:
    """Own time of each module the first use of ``secure`` loads: the minimum over runs."""
    best: dict[str, int] = {}
    for _ in range(runs):
        for line in _python("-X", "importtime", "-c", BREAKDOWN).stderr.splitlines():
            parts = line.removeprefix("import time:").split("|")
            if len(parts) != 3 or not parts[0].strip().isdigit():
                continue
            name = parts[2].strip()
            best[name] = min(best.get(name, 1 << 60), int(parts[0]))
    baseline: set[str] = set()
    for line in _python("-X", "importtime", "-c", "pass").stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3:
            baseline.add(parts[2].strip())
    rows = [(name, us / 1000) for name, us in best.items() if name not in baseline]
    return sorted(rows, key=lambda r: -r[1])


def measure_imports(runs: int) -> dict[str, Any]:
    """CPU time of each import in a fresh process: what comes first, then the import."""
    plans = []
    for row, first, statement in IMPORTS:
        try:
            _probe(first, statement)  # also compiles and caches the bytecode
        except subprocess.CalledProcessError as exc:
            last = exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else exc
            plans.append((row, first, statement, f"not measured: {last}"))
            continue
        plans.append((row, first, statement, ""))
    samples: dict[str, list[tuple[float, float]]] = {p[0]: [] for p in plans if not p[3]}
    loaded: list[str] = []
    rng = random.Random(0)
    for _ in range(runs):
        order = [p for p in plans if not p[3]]
        rng.shuffle(order)
        for row, first, statement, _ in order:
            fw, own, modules = _probe(first, statement)
            samples[row].append((fw, own))
            if row == "secure":
                loaded = modules
    result: dict[str, Any] = {}
    for row, first, statement, skip in plans:
        if skip:
            result[row] = {"skipped": skip}
            continue
        values = samples[row]
        result[row] = {
            "first": first,
            "statement": statement,
            "first_ms": statistics.median(v[0] for v in values) if first else None,
            "package_ms": statistics.median(v[1] for v in values),
            "package_min_ms": min(v[1] for v in values),
            "runs": len(values),
        }
    result["heavy_loaded"] = sorted(m for m in HEAVY if m in loaded)
    result["module_count"] = len(loaded)
    result["breakdown"] = _importtime_breakdown(max(3, runs // 2))[:15]
    return result


# -- statistics and the report -----------------------------------------------------------


def summarise(level: dict[str, Any]) -> dict[str, Any]:
    samples = timing.Samples(level["key"], level["block"], level["rounds"], level["ns"])
    over = timing.overheads(samples)
    base = statistics.median(samples.ns["A"])
    rows = []
    for variant in level["variants"]:
        key = variant["key"]
        ratio = timing.ratio(samples, key, "B") if key not in ("A", "B") else None
        rows.append(
            {
                **variant,
                "time_us": statistics.median(samples.ns[key]) / 1000,
                "overhead_us": statistics.median(over[key]) / 1000,
                "overhead_pct": statistics.median(over[key]) / base * 100,
                "ratio_b": asdict(ratio) if ratio else None,
            }
        )
    targets = []
    for target in level["targets"]:
        if target["variant"] not in samples.ns or target["reference"] not in samples.ns:
            continue
        estimate = timing.ratio(samples, target["variant"], target["reference"])
        targets.append({**target, **asdict(estimate), "met": estimate.value <= target["limit"]})
    return {"rows": rows, "targets": targets}


def _machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    lines = [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; load average at the end of the run: "
        + (", ".join(f"{x:.1f}" for x in load) if load else "n/a"),
        f"- OS: {platform.system()} {platform.release()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
    ]
    versions = []
    for dist in (
        "secure-core",
        "secure-flask",
        "secure-django",
        "secure-fastapi",
        "secure-shiny",
        "starlette",
        "fastapi",
        "flask",
        "werkzeug",
        "django",
        "shiny",
        "flask-talisman",
        "django-csp",
        "secweb",
    ):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} (not installed)")
    lines.append("- Versions: " + ", ".join(versions))
    return lines


def _fmt_ratio(r: dict[str, float] | None) -> str:
    if r is None:
        return "—"
    return f"{r['value']:.2f}{X} [{r['low']:.2f}, {r['high']:.2f}]"


def render(results: dict[str, Any], args: argparse.Namespace) -> str:
    out = [
        "# Benchmarks",
        "",
        "<!-- Generated by benchmarks/run.py; edit benchmarks/ANALYSIS.md or the script. -->",
        "",
        "What the security headers cost per request, next to the floor (a hand-written",
        "middleware that appends a constant, pre-encoded list of the same headers) and the",
        "libraries that install beside `secure`. Reproduce with `nox -s bench` (about 7",
        "minutes on 2 cores); `python benchmarks/run.py --check` runs only the correctness",
        "checks (the default test run does, in `tests-integration/test_benchmarks_smoke.py`).",
        "",
        "## Machine",
        "",
        *results.get("machine", _machine()),
        f"- Run: {results.get('when', '')}, {args.seconds:.0f} s of interleaved rounds per level",
        "",
        "## Method",
        "",
        "- Every level is one minimal app (200, a two-byte body) called directly, no sockets:",
        "  ASGI apps awaited with a fresh scope per request, WSGI apps called with a fresh",
        "  environ and their body consumed and closed, Django through its `WSGIHandler`.",
        "  Requests are HTTPS (`scheme`/`wsgi.url_scheme`), so HSTS is sent by every variant.",
        "- Variants of a level live in one process and are timed in blocks of the same number",
        "  of requests (about 4 ms of `A`), interleaved in a fresh random order each round.",
        "  Time is the thread's CPU time (`time.thread_time_ns`), so other processes on the",
        "  machine preempting the benchmark do not count; the collector stays on, with the",
        "  setup objects frozen (`gc.freeze`).",
        "- Overhead = a variant's time per request minus `A`'s in the same round; the table",
        "  gives the median over rounds. Ratios are median overhead over median overhead, with",
        "  a 95% percentile-bootstrap interval (2000 resamples of whole rounds).",
        "- Each variant's response is checked before and after timing: `B` and `secure` must",
        "  send exactly the BALANCED headers (ASGI names lower-case), nonce variants a fresh",
        "  nonce per request, peers their own header set; `A` none.",
        "",
    ]
    # Targets summary
    out += [
        "## Targets",
        "",
        "| level | target | variant vs reference | measured [95% CI] | limit | |",
        "|---|---|---|---|---|---|",
    ]
    for key in LEVEL_KEYS:
        level = results["levels"].get(key)
        if not level or "summary" not in level:
            continue
        for t in level["summary"]["targets"]:
            out.append(
                f"| {key} | {t['text']} | `{t['variant']}` / `{t['reference']}` | "
                f"{t['value']:.2f}{X} [{t['low']:.2f}, {t['high']:.2f}] | ≤ {t['limit']}{X} | "
                f"{'met' if t['met'] else '**not met**'} |"
            )
    imports = results.get("imports", {})
    for row, limit, text in IMPORT_TARGETS:
        if "package_ms" in imports.get(row, {}):
            ms = imports[row]["package_ms"]
            out.append(
                f"| import | {text} | fresh process, median | {ms:.1f} ms | "
                f"≤ {limit:g} ms | {'met' if ms <= limit else '**not met**'} |"
            )
    construct = results.get("construct", {})
    if construct:
        us = construct["Secure.with_default_headers()"]["median"]
        out.append(
            f"| construction | `Secure.with_default_headers()` ≤ 20 µs | median | "
            f"{us:.1f} µs | ≤ 20 µs | {'met' if us <= 20 else '**not met**'} |"
        )
    out.append("")
    # Levels
    for key in LEVEL_KEYS:
        level = results["levels"].get(key)
        if not level:
            continue
        out += [f"## {level.get('title', key)}", ""]
        if "error" in level:
            out += [f"Not measured: {level['error']}", ""]
            continue
        out += [
            f"{level['rounds']} rounds of {level['block']} requests per variant.",
            "",
            "| variant | | security headers | per request | overhead vs A | "
            f"overhead / A | {X} B's overhead [95% CI] |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in level["summary"]["rows"]:
            out.append(
                f"| `{row['key']}` | {row['label']} | {row['sent']} | {row['time_us']:.2f} µs | "
                f"{row['overhead_us']:+.2f} µs | {row['overhead_pct']:+.0f}% | "
                f"{_fmt_ratio(row['ratio_b'])} |"
            )
        for note in level.get("notes", []):
            out.append(f"\n- {note}")
        out.append("")
    # Imports
    if imports:
        runs = imports.get("secure", {}).get("runs", 0)
        out += [
            "## Import time",
            "",
            f"CPU time (`time.process_time_ns`) of the import statement in a fresh process, "
            f"{runs} runs each in random order, bytecode cached (as after any install); "
            "median, and minimum. What the row imports first (a framework, or the standard "
            'library modules an application has usually loaded) is timed separately, so "adds" '
            "is what the import costs beyond it. `import secure` loads the names it exports "
            "on first use; `from secure import Secure` is that first use.",
            "",
            "| row | imported first | first | import | adds |",
            "|---|---|---|---|---|",
        ]
        for row, _, _ in IMPORTS:
            info = imports.get(row, {})
            if "skipped" in info:
                out.append(f"| {row} | | | | {info['skipped']} |")
                continue
            if not info:
                continue
            first = f"{info['first_ms']:.1f} ms" if info.get("first_ms") is not None else "—"
            out.append(
                f"| {row} | `{info['first'] or '—'}` | {first} | `{info['statement']}` | "
                f"{info['package_ms']:.1f} ms (min {info['package_min_ms']:.1f}) |"
            )
        heavy = imports.get("heavy_loaded", [])
        out += [
            "",
            f"After `import secure`: {imports.get('module_count')} modules in "
            f"`sys.modules`; of {', '.join(f'`{m}`' for m in HEAVY)}: "
            f"{', '.join(f'`{m}`' for m in heavy) if heavy else 'none'} loaded.",
            "",
            f"Where `{BREAKDOWN}` spends its time (`python -X importtime`, own time "
            "per module beyond a bare interpreter start, minimum over runs, wall clock):",
            "",
            "| module | own time |",
            "|---|---|",
        ]
        for name, ms in imports.get("breakdown", []):
            out.append(f"| `{name}` | {ms:.2f} ms |")
        out.append("")
    # Construction
    if construct:
        out += [
            "## Construction",
            "",
            "CPU time per call in a fresh process: the first call (presets are rendered and",
            "validated then), and the median and minimum over rounds of 20 calls after it.",
            "",
            "| call | first call | median | min |",
            "|---|---|---|---|",
        ]
        for name, value in construct.items():
            out.append(
                f"| `{name}` | {value['first']:.1f} µs | {value['median']:.1f} µs | "
                f"{value['min']:.1f} µs |"
            )
        out.append("")
    # Profile
    profile = results.get("profile")
    if profile:
        out += [
            "## Profile of the hot path",
            "",
            "`cProfile` (thread CPU time) over the raw ASGI and WSGI levels: per request, the",
            "functions with the most own time (the profiler's per-call cost inflates small",
            "functions; read it for where the time goes, the tables above for how much).",
            "",
        ]
        for name, data in profile.items():
            out += [
                f"**{name}** — {data['total_us']:.2f} µs profiled per request",
                "",
                "| function | calls / request | own time / request |",
                "|---|---|---|",
            ]
            for row in data["rows"]:
                if row["tottime_us"] < 0.01:  # the harness and the event loop, per block
                    continue
                out.append(
                    f"| `{row['function']}` | {row['calls']:.2f} | {row['tottime_us']:.2f} µs |"
                )
            out.append("")
    analysis = HERE / "ANALYSIS.md"
    if analysis.exists():
        out += [analysis.read_text().strip(), ""]
    return "\n".join(out)


# -- main ---------------------------------------------------------------------------------


def _run_child(args: Sequence[str], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        )
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default=",".join(LEVEL_KEYS))
    parser.add_argument("--seconds", type=float, default=45.0, help="timing per level")
    parser.add_argument("--import-runs", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="correctness checks only")
    parser.add_argument("--no-write", action="store_true", help="print, do not write README")
    parser.add_argument("--output", type=Path, default=HERE / "README.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--render", type=Path, help="write the README from --json results")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.render:
        saved = json.loads(args.render.read_text())
        args.seconds = saved.get("seconds", args.seconds)
        args.output.write_text(render(saved, args))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0

    if args.child:
        kind, _, key = args.child.partition(":")
        if kind == "level":
            data = child_level(key, args.seconds, args.check)
        elif kind == "construct":
            data = child_construct(args.seconds)
        elif kind == "profile":
            data = child_profile(int(key))
        else:
            raise SystemExit(f"unknown child {args.child!r}")
        print(json.dumps(data))
        return 0

    keys = [k for k in args.levels.split(",") if k]
    unknown = sorted(set(keys) - set(LEVEL_KEYS))
    if unknown:
        parser.error(f"unknown levels {unknown}; choose from {', '.join(LEVEL_KEYS)}")
    results: dict[str, Any] = {"levels": {}, "seconds": args.seconds, "machine": _machine()}
    failed = False
    for key in keys:
        started = time.monotonic()
        child = ["--child", f"level:{key}", "--seconds", str(args.seconds)]
        try:
            level = _run_child(
                [*child, "--check"] if args.check else child, timeout=args.seconds * 3 + 300
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            results["levels"][key] = {"title": key, "error": str(exc)}
            print(f"{key}: ERROR {exc}", file=sys.stderr)
            failed = True
            continue
        if level["problems"]:
            failed = True
            for problem in level["problems"]:
                print(f"FAIL {problem}", file=sys.stderr)
        for note in level["notes"]:
            print(f"{key}: {note}", file=sys.stderr)
        print(
            f"{key}: {len(level['variants'])} variants checked"
            + ("" if args.check else f", {level['rounds']} rounds")
            + f" ({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
        )
        if not args.check:
            level["summary"] = summarise(level)
            for row in level["summary"]["rows"]:
                print(
                    f"  {row['key']:<20} {row['time_us']:8.2f} µs  {row['overhead_us']:+7.2f} µs"
                    f"  {_fmt_ratio(row['ratio_b'])}",
                    file=sys.stderr,
                )
        results["levels"][key] = level
    if args.check:
        return 1 if failed else 0
    results["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print("imports ...", file=sys.stderr)
    results["imports"] = measure_imports(args.import_runs)
    print("construction ...", file=sys.stderr)
    results["construct"] = _run_child(["--child", "construct", "--seconds", "5"], timeout=300)
    print("profile ...", file=sys.stderr)
    results["profile"] = _run_child(["--child", "profile:20000"], timeout=300)
    results["machine"] = _machine()
    report = render(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.no_write:
        print(report)
    else:
        args.output.write_text(report)
        print(f"wrote {args.output}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
