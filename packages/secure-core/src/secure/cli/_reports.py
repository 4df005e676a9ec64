"""``secure reports``: what browsers reported as blocked, and the configuration change."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, Final, TextIO

from secure._registry import by_key
from secure.reports._propose import Group, Proposal, group_reports, propose
from secure.reports._record import Report, ReportError, escape, parse_body

__all__ = ["add_parser", "run"]

EPILOG: Final = """\
Each line of FILE is a report as the JSON Lines sink writes it
(secure.reports.JSONLinesSink), or a body as a browser sends it: a Reporting API
array, one Reporting API report, or a legacy {"csp-report": ...} object. Lines that
are not reports are skipped with a warning.

The proposed change is in the shared configuration format: merge it into your
configuration (each list replaces that directive's sources). Inline code, eval()
and scheme sources for scripts are never proposed; they are listed with advice.

exit status: 0 ok, 2 the file cannot be read.

examples:
  secure reports reports.jsonl
  secure reports - < reports.jsonl
  secure reports reports.jsonl --format json"""

_HEADING: Final = {
    "enforce": "Blocked by Content-Security-Policy",
    "report": "Reported by Content-Security-Policy-Report-Only (not blocked)",
}


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``secure reports`` on the ``secure`` command's subparsers."""
    sub = commands.add_parser(
        "reports",
        help="summarise violation reports and propose a configuration change",
        description=(
            "Read violation reports (JSON Lines) and print what was blocked, grouped and\n"
            "counted, with the configuration change that would allow it."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument("file", metavar="FILE", help="a JSON Lines file of reports, or - for stdin")
    sub.add_argument(
        "-f",
        "--format",
        choices=("text", "json"),
        default="text",
        metavar="FORMAT",
        help="text (default) or json",
    )


def read_reports(stream: TextIO, err: TextIO, name: str) -> tuple[list[Report], int]:
    """The reports of a JSON Lines stream, and how many lines were skipped."""
    reports: list[Report] = []
    skipped = 0
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            reports.extend(_line_reports(line))
        except ReportError as exc:
            skipped += 1
            if skipped <= 10:
                err.write(f"secure: warning: {escape(name)}:{number}: skipped: {exc.reason}\n")
    if skipped > 10:
        err.write(f"secure: warning: {skipped} lines skipped in all\n")
    return reports, skipped


def _line_reports(line: str) -> Iterator[Report]:
    raw = line.strip().encode("utf-8", "replace")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError, or a number too long to read
        raise ReportError("not JSON") from None
    if isinstance(data, list):
        yield from parse_body("application/reports+json", raw, max_reports=10_000)
    elif isinstance(data, dict) and "csp-report" in data:
        yield from parse_body("application/csp-report", raw, max_reports=1)
    elif isinstance(data, dict) and "body" in data and "directive" not in data:
        yield from parse_body("application/reports+json", b"[" + raw + b"]", max_reports=1)
    else:
        yield Report.from_dict(data)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``secure reports``; return the exit status."""
    name = args.file
    try:
        if name == "-":
            reports, skipped = read_reports(sys.stdin, err, "<stdin>")
        else:
            with open(name, encoding="utf-8", errors="replace") as stream:
                reports, skipped = read_reports(stream, err, name)
    except OSError as exc:
        err.write(f"secure: error: cannot read {escape(name)}: {exc.strerror}\n")
        return 2
    groups = group_reports(reports)
    proposal = propose(reports)
    if args.format == "json":
        out.write(json.dumps(_as_json(reports, skipped, groups, proposal), indent=2) + "\n")
    else:
        _write_text(out, reports, skipped, groups, proposal)
    return 0


def _as_json(
    reports: list[Report], skipped: int, groups: list[Group], proposal: Proposal
) -> dict[str, object]:
    return {
        "reports": len(reports),
        "skipped": skipped,
        "groups": [
            {
                "type": g.type,
                "disposition": g.disposition,
                "directive": g.directive,
                "blocked": g.blocked,
                "count": g.count,
                "paths": list(g.paths),
            }
            for g in groups
        ],
        "proposal": proposal.config,
        "added": proposal.added,
        "notes": [
            {
                "key": n.key,
                "directive": n.directive,
                "blocked": n.blocked,
                "count": n.count,
                "paths": list(n.paths),
                "advice": n.advice,
            }
            for n in proposal.notes
        ],
    }


def _pages(paths: tuple[str, ...]) -> str:
    shown = ", ".join(escape(p) for p in paths[:3])
    return shown + (f" (+{len(paths) - 3} more)" if len(paths) > 3 else "")


def _table(out: TextIO, groups: list[Group], *, with_type: bool) -> None:
    rows = [
        (
            str(g.count),
            escape(g.type) if with_type else escape(g.directive),
            escape(g.directive if with_type else g.blocked) or "-",
            _pages(g.paths) or "-",
        )
        for g in groups
    ]
    titles = (
        ("count", "type", "detail", "pages")
        if with_type
        else (
            "count",
            "directive",
            "blocked",
            "pages",
        )
    )
    widths = [max(len(r[i]) for r in [titles, *rows]) for i in range(3)]
    for row in [titles, *rows]:
        count, second, third, pages = row
        out.write(
            f"  {count:>{widths[0]}}  {second:<{widths[1]}}  {third:<{widths[2]}}  {pages}".rstrip()
            + "\n"
        )


def _write_text(
    out: TextIO, reports: list[Report], skipped: int, groups: list[Group], proposal: Proposal
) -> None:
    w = out.write
    extra = f", {skipped} line{'' if skipped == 1 else 's'} skipped" if skipped else ""
    w(f"{len(reports)} reports{extra}\n")
    for disposition in ("enforce", "report"):
        chosen = [g for g in groups if g.type == "csp-violation" and g.disposition == disposition]
        if chosen:
            w(f"\n{_HEADING[disposition]}\n")
            _table(out, chosen, with_type=False)
    others = [g for g in groups if g.type != "csp-violation"]
    if others:
        w("\nOther reports\n")
        _table(out, others, with_type=True)
    w("\nProposed change (shared configuration format; each list replaces the directive's)\n")
    if not proposal.config:
        w("  (none)\n")
    for key, directives in proposal.config.items():
        w(f"\n  [{key}]  # {by_key(key).name}\n")
        for directive, sources in directives.items():
            added = set(proposal.added.get(key, {}).get(directive, ()))
            values = ", ".join(json.dumps(s) for s in sources)
            note = "  # adds " + ", ".join(s for s in sources if s in added)
            w(f"  {directive} = [{values}]{note}\n")
    if proposal.notes:
        w("\nNot proposed\n")
        for n in proposal.notes:
            where = f" on {_pages(n.paths)}" if n.paths else ""
            blocked = escape(n.blocked) or "-"
            w(f"  {escape(n.directive)} {blocked}{where} ({n.count}): {escape(n.advice)}\n")
