"""Coverage-guided fuzzing of every entry point of ``secure`` with atheris (libFuzzer).

Each input picks an entry point (every builder method, ``set()``, ``CustomHeader``,
``Secure(...)``, ``derive``, ``from_config``, both middlewares, ``audit_headers``) and a
value built from the fuzzer's bytes: arbitrary text, text assembled from CSP / header
grammar fragments and injection characters, a mutated corpus payload, or a non-str value.
The property is the one the test suite checks (``packages/secure-core/tests/fuzz_oracles.py``):
a ``ValueError``/``TypeError`` naming the header with no raw control characters, or
output that is a valid RFC 9110 field whose CSP reads back, with an independent CSP3
parser, into exactly what was configured and whose structured fields parse with http-sf.

Run it with ``nox -s fuzz`` or directly::

    python fuzz/fuzz_headers.py -max_total_time=600 -rss_limit_mb=4096

A broken property does not stop the run: each new (kind, entry family) is written to
``fuzz/findings/findings.jsonl`` as it is found, with the input that showed it, and a
summary goes to ``fuzz/findings/stats.json`` every few seconds. Set
``SECURE_FUZZ_STOP=1`` to crash on the first violation instead (libFuzzer then saves
the input as ``crash-*``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import atheris

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "packages" / "secure-core" / "tests"
FINDINGS = Path(os.environ.get("SECURE_FUZZ_FINDINGS", ROOT / "fuzz" / "findings"))

with atheris.instrument_imports(include=["secure"]):
    import secure  # noqa: F401  (instrumented before the oracles import it)


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"secure_core_tests.{name}", TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


oracles = _load("fuzz_oracles")

ENTRIES = oracles.entry_points(full=True)
PAYLOADS = [p.value for p in oracles.load_payloads()]
AUDIT_NAMES = oracles.AUDITED_NAMES
STOP = os.environ.get("SECURE_FUZZ_STOP") == "1"

# Pieces of the grammars under test and of the attacks on them, so short inputs reach
# deep into the parsers instead of failing at the first character.
FRAGMENTS = (
    "'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "'nonce-",
    "'sha256-", "{nonce}", "'nonce-{nonce}'", "https:", "http://", "https://", "data:", "*",
    "*.", "example.com", ".", ":", ":443", ":*", "/", "//", "/path", "%3B", "%2", "?", "#",
    "@", "'", '"', "\\", ";", ",", " ", "\t", "\r", "\n", "\r\n", "\x00", "\x7f", "\x85",
    "\xa0", "\u2028", "\u560a", "\uff07", "\u037e", "=", "(", ")", "self", "src", "max-age=",
    "31536000", "includeSubDomains", "preload", "no-store", "DENY", "nosniff", "?1",
    "report-to=", "script-src", "default-src", "frame-ancestors", "camera", "geolocation",
    "default", "0", "-1", "99999", "A", "a", "==",
)  # fmt: skip


def make_value(fdp: atheris.FuzzedDataProvider) -> object:
    """A value for one entry point argument, decided by the fuzzer's bytes."""
    choice = fdp.ConsumeIntInRange(0, 11)
    if choice <= 3:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 64))
    if choice <= 6:
        count = fdp.ConsumeIntInRange(1, 8)
        return "".join(
            FRAGMENTS[fdp.ConsumeIntInRange(0, len(FRAGMENTS) - 1)] for _ in range(count)
        )
    if choice == 7:
        payload = PAYLOADS[fdp.ConsumeIntInRange(0, len(PAYLOADS) - 1)]
        if isinstance(payload, str) and len(payload) < 1000:
            at = fdp.ConsumeIntInRange(0, len(payload))
            return payload[:at] + fdp.ConsumeUnicodeNoSurrogates(8) + payload[at:]
        return payload
    if choice == 8:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 9))
    if choice == 9:
        return [make_value(fdp) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    if choice == 10:
        return (None, True, False, b"x", 1.5, {"a": "b"})[fdp.ConsumeIntInRange(0, 5)]
    return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 32))  # surrogates allowed


seen: dict[tuple[str, str], int] = {}
stats = {"started": time.time(), "executions": 0, "accepted": 0, "refused": 0, "n/a": 0}
last_write = 0.0


def record(kind: str, family: str, detail: str, value: object) -> None:
    key = (kind, family)
    seen[key] = seen.get(key, 0) + 1
    if seen[key] == 1:
        FINDINGS.mkdir(parents=True, exist_ok=True)
        line = {
            "kind": kind,
            "family": family,
            "detail": detail[:2000],
            "input": repr(value)[:2000],
        }
        with (FINDINGS / "findings.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=True) + "\n")


def write_stats() -> None:
    global last_write
    now = time.time()
    if now - last_write < 5:
        return
    last_write = now
    FINDINGS.mkdir(parents=True, exist_ok=True)
    summary = dict(stats, seconds=round(now - stats["started"], 1))
    summary["violations"] = {f"{k} in {f}": n for (k, f), n in sorted(seen.items())}
    (FINDINGS / "stats.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    stats["executions"] += 1
    if fdp.ConsumeIntInRange(0, 15) == 0:
        # audit_headers on arbitrary fields, several at once, any case.
        fields = []
        for _ in range(fdp.ConsumeIntInRange(1, 4)):
            name = AUDIT_NAMES[fdp.ConsumeIntInRange(0, len(AUDIT_NAMES) - 1)]
            value = make_value(fdp)
            name = name.upper() if fdp.ConsumeBool() else name
            fields.append((name, value if isinstance(value, str) else ""))
        try:
            oracles.check_findings(oracles.audit_headers(fields))
        except Exception as exc:
            if STOP:
                raise
            record(getattr(exc, "kind", "foreign-exception"), "audit_headers", repr(exc), fields)
        write_stats()
        return
    entry = ENTRIES[fdp.ConsumeIntInRange(0, len(ENTRIES) - 1)]
    value = make_value(fdp)
    try:
        verdict = oracles.run_entry(entry, value)
    except oracles.PropertyViolation as violation:
        if STOP:
            raise
        record(violation.kind, entry.family, violation.detail, value)
        verdict = "violation"
    except RecursionError as exc:  # pragma: no cover - reported like any other crash
        record("foreign-exception", entry.family, repr(exc), value)
        verdict = "violation"
    if verdict != "violation":
        stats[verdict] += 1
    write_stats()


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
