"""The ``secure`` command: show a configuration's headers, check a live site.

Only the console script and ``python -m secure`` import this package, so
``import secure`` stays fast. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from typing import TYPE_CHECKING, Final, NoReturn, TextIO

from secure._docs import docs_url
from secure.cli._check import (
    CheckReport,
    FetchError,
    build_report,
    fetch,
    normalise_url,
    scheme_given,
)
from secure.cli._config_tools import ConvertError, run_convert, run_presets
from secure.cli._config_tools import add_parsers as add_config_parsers
from secure.cli._formats import FORMATS, STATIC_FORMATS, FormatError, render
from secure.cli._observatory import OBSERVATORY_GRADES
from secure.cli._reports import add_parser as add_reports_parser
from secure.cli._reports import run as run_reports
from secure.cli._safe import printable, redact_quoted
from secure.cli._sarif import sarif_log

if TYPE_CHECKING:
    from collections.abc import Sequence

    from secure._secure import Secure

__all__ = ["main"]

#: Exit statuses (documented in docs/cli.md).
EXIT_OK: Final = 0
EXIT_GRADE: Final = 1  # check: the grade is below --fail-under
EXIT_USAGE: Final = 2  # bad arguments or configuration (argparse uses 2 as well)
EXIT_FETCH: Final = 3  # check: the URL could not be fetched

PRESETS: Final = ("balanced", "basic", "strict")
#: Every grade, best first: the Observatory's chart; the default scoring uses A+ to F.
GRADE_NAMES: Final = tuple(grade for grade, _ in OBSERVATORY_GRADES)
SCORINGS: Final = ("secure", "observatory")

DESCRIPTION: Final = """\
Show the security headers of a secure configuration, ready to paste into a web
server or hosting platform, or check the headers a live site sends."""

SHOW_EPILOG: Final = """\
formats:
  http        plain "Name: value" lines (default)
  json        a JSON object of name -> value
  nginx       add_header ... always; (include in a server block)
  apache      Header always set ... (mod_headers)
  caddy       a header { ... } block for a Caddyfile site
  netlify     a Netlify _headers file
  vercel      a vercel.json with a headers rule
  cloudflare  a Cloudflare Pages _headers file

examples:
  secure show
  secure show --preset strict --format nginx > security-headers.conf
  secure show --config secure.toml --format caddy
  secure show --config secure.json --format vercel > vercel.json"""

CHECK_EPILOG: Final = """\
scoring:
  secure       (default) the score starts at 100 and loses points for each
               finding of the policy checker (high 20, medium 10, low 2); with
               --preset or --config also for each expected header that is
               missing (10) or sent with another value (5). Grades: A+ >= 95,
               A >= 90, B >= 80, C >= 70, D >= 60, F below.
  observatory  MDN HTTP Observatory's published scoring and grades (A+ to F
               with +/-), from the headers of the checked response.

exit status: 0 ok, 1 grade below --fail-under, 2 usage or configuration error,
3 the URL could not be fetched or its response could not be read.

examples:
  secure check https://example.com
  secure check https://example.com --preset strict
  secure check https://staging.example.com --config secure.toml --fail-under B
  secure check https://example.com --scoring observatory --fail-under A+
  secure check https://example.com --format sarif > secure-check.sarif"""


class _Style:
    """ANSI styling, switched on only for a terminal (and never under NO_COLOR)."""

    _CODES: Final = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "dim": "2"}

    def __init__(self, stream: TextIO, mode: str) -> None:
        if mode == "always":
            self.enabled = True
        elif mode == "never" or os.environ.get("NO_COLOR"):
            # https://no-color.org: any non-empty NO_COLOR disables colour.
            self.enabled = False
        else:
            isatty = getattr(stream, "isatty", None)
            self.enabled = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(self._CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


class _UsageError(Exception):
    """A problem with the arguments or the configuration, reported without a traceback."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a "did you mean" for a misspelt option (``--formt``)."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            from secure._suggest import suggest

            words = message.split(":", 1)[1].split()
            typo = next((w.split("=", 1)[0] for w in words if w.startswith("-")), None)
            if typo is not None:
                message += suggest(typo, sorted(_option_strings(self)), cutoff=0.7)
        super().error(message)


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of a parser and of its subcommands."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(s for s in action.option_strings if s.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="secure",
        description=DESCRIPTION,
        epilog="Run 'secure show --help' or 'secure check --help' for examples.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def source_options(sub: argparse.ArgumentParser, default_help: str) -> None:
        group = sub.add_mutually_exclusive_group()
        group.add_argument(
            "--preset",
            metavar="NAME",
            help=f"{'|'.join(PRESETS)}, or a preset an installed package provides "
            f"('secure presets' lists them); {default_help}",
        )
        group.add_argument(
            "--config", metavar="FILE", help="a TOML or JSON configuration file (shared format)"
        )

    def color_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--color",
            choices=("auto", "always", "never"),
            default="auto",
            help="colour output: auto (only on a terminal, default), always or never",
        )

    show = commands.add_parser(
        "show",
        help="print the headers of a preset or configuration file",
        description="Print the headers of a preset or a configuration file.",
        epilog=SHOW_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source_options(show, "default: balanced")
    show.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default="http",
        metavar="FORMAT",
        help=f"one of {', '.join(FORMATS)} (default: http)",
    )

    check = commands.add_parser(
        "check",
        help="fetch a URL and grade the security headers it sends",
        description=(
            "Fetch URL (HEAD, then GET if HEAD is refused; http(s) redirects are followed)\n"
            "and report its security headers: what is sent, missing or weak, the policy\n"
            "checker's findings, a score and a grade; with --preset or --config, also what\n"
            "differs from the expected configuration."
        ),
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("url", metavar="URL", help="http(s) URL; https:// is assumed if omitted")
    source_options(check, "the expected configuration (default: none, grade only)")
    check.add_argument(
        "--fail-under",
        choices=GRADE_NAMES,
        metavar="GRADE",
        help=f"exit with status 1 when the grade is below GRADE ({', '.join(GRADE_NAMES)})",
    )
    check.add_argument(
        "-f",
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        metavar="FORMAT",
        help="report format: text (default), json or sarif (SARIF 2.1.0)",
    )
    check.add_argument(
        "--scoring",
        choices=SCORINGS,
        default="secure",
        metavar="NAME",
        help="secure (default: the policy checker's findings) or observatory "
        "(MDN HTTP Observatory's scoring)",
    )
    check.add_argument(
        "--timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="time allowed for the whole check, every redirect included (10)",
    )
    color_option(check)
    add_reports_parser(commands)
    add_config_parsers(commands)
    return parser


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse reports a ValueError as usage)."""
    seconds = float(text)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(text)
    return seconds


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("secure-core")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _load(preset: str | None, config: str | None) -> tuple[Secure, str]:
    """The configuration to show or expect, and how to describe where it came from."""
    from secure._secure import Secure

    if config is not None:
        from secure.config import load_config

        shown = printable(config)
        try:
            return load_config(config), f"--config {shown}"
        except FileNotFoundError:
            raise _UsageError(f"configuration file not found: {shown}") from None
        except IsADirectoryError:
            raise _UsageError(f"{shown} is a directory, not a configuration file") from None
        except UnicodeDecodeError as exc:
            raise _UsageError(f"{shown} is not UTF-8 text: {exc.reason}") from None
        except OSError as exc:
            raise _UsageError(f"cannot read {shown}: {exc.strerror}") from None
        except RecursionError:
            raise _UsageError(f"{shown}: the configuration is nested too deeply") from None
        except (ValueError, TypeError, AttributeError) as exc:
            # The loader and the builders quote the value they refuse in full; it may
            # be a secret (an Authorization header): show only enough to find it.
            raise _UsageError(f"{shown}: {redact_quoted(str(exc))}") from None
    name = preset or "balanced"
    try:
        return Secure.from_preset(name), f"--preset {printable(name)}"
    except ValueError as exc:
        raise _UsageError(f"--preset: {printable(str(exc))}") from None


def _show(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    configured, source = _load(args.preset, args.config)
    entries = configured.snapshot().items
    names = [name.lower() for name, _, _ in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _UsageError(
            f"the configuration sends {', '.join(duplicates)} more than once; a static "
            "configuration holds one value per header"
        )
    templated = [name for name, _, slot in entries if slot]
    if templated and args.format in STATIC_FORMATS:
        raise _UsageError(
            f"{templated[0]} has a per-request nonce slot ('nonce-{{nonce}}'); a static "
            f"{args.format} configuration cannot give every response a fresh nonce. "
            "Remove 'nonce' from the configuration and allow inline code with hash "
            "sources (secure.nonce.csp_hash), or send this header from the application "
            f"with the middleware (see {docs_url('nonces.md')})"
        )
    items = [(name, value) for name, value, _ in entries]
    try:
        rendered = render(args.format, items, f"secure show {source} --format {args.format}")
    except FormatError as exc:
        raise _UsageError(str(exc)) from None
    out.write(rendered.text)
    for note in rendered.notes:
        err.write(f"note: {note}\n")
    if templated:
        err.write(
            f"note: {templated[0]} holds a nonce slot, shown as {{nonce}}; the application "
            "fills it with a fresh value on every response\n"
        )
    return EXIT_OK


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    explicit = args.preset is not None or args.config is not None
    expected = None
    expectation = None
    if explicit:
        configured, _ = _load(args.preset, args.config)
        expected = configured.snapshot().items
        if args.config is not None:
            expectation = f"configuration {printable(args.config)}"
        else:
            expectation = f"preset {args.preset}"
    try:
        url = normalise_url(args.url)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    try:
        fetched = fetch(url, timeout=args.timeout, user_agent=f"secure-check/{_version()}")
    except FetchError as exc:
        err.write(f"secure: error: {exc}\n")
        if not scheme_given(args.url):
            err.write(
                f"secure: hint: {printable(args.url)!r} has no scheme, so https:// was "
                f"assumed; for plain HTTP, check http://{printable(args.url)}\n"
            )
        return EXIT_FETCH
    report = build_report(fetched, expected, expectation=expectation, scoring=args.scoring)
    if args.format == "json":
        out.write(_json_text(_report_json(report)))
    elif args.format == "sarif":
        log = sarif_log(report, version=_version(), config=args.config)
        out.write(_json_text(log))
    else:
        _write_report(report, out, _Style(out, args.color))
    if args.fail_under is not None and _below(report.grade, args.fail_under):
        err.write(f"secure: grade {report.grade} is below the required {args.fail_under}\n")
        return EXIT_GRADE
    return EXIT_OK


def _json_text(document: object) -> str:
    # json escapes C0 controls itself; DEL and the C1 controls (which some terminals
    # read as escape sequences) pass through with ensure_ascii=False. \u escapes keep
    # the document exactly the same data, and safe to print.
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


_JSON_UNSAFE: Final = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _below(grade: str, required: str) -> bool:
    return GRADE_NAMES.index(grade) > GRADE_NAMES.index(required)


def _report_json(report: CheckReport) -> dict[str, object]:
    fetched = report.fetched
    document: dict[str, object] = {
        "url": fetched.url,
        "final_url": fetched.final_url,
        "method": fetched.method,
        "status": fetched.status,
        "redirects": [{"status": code, "location": url} for code, url in fetched.redirects],
        "expected": report.expectation,
        "headers": [[name, value] for name, value in fetched.items],
        "security_headers": [[name, value] for name, value in report.security_headers],
        "missing": [{"header": name, "expected": value} for name, value in report.missing],
        "different": [
            {"header": d.name, "actual": d.actual, "expected": d.expected} for d in report.different
        ],
        "findings": [
            {
                "severity": f.severity,
                "header": f.header,
                "message": f.message,
                "rule": f.rule,
                "reference": f.reference,
            }
            for f in report.findings
        ],
        "scoring": report.scoring,
        "deductions": [{"points": d.points, "reason": d.reason} for d in report.deductions],
        "score": report.score,
        "grade": report.grade,
    }
    if report.tests:
        document["tests"] = [
            {"test": t.name, "result": t.result, "modifier": t.modifier} for t in report.tests
        ]
    return document


_SEVERITY_STYLE: Final = {"high": "red", "medium": "yellow", "low": "yellow", "info": "dim"}


def _write_report(report: CheckReport, out: TextIO, style: _Style) -> None:
    # Everything the server sent goes through printable(): a header value must not be
    # able to move the cursor, fake a line of this report or set the clipboard.
    p = printable
    fetched = report.fetched
    w = out.write
    w(f"{style('Checked', 'bold')} {p(fetched.final_url)} ({fetched.method} {fetched.status})\n")
    for code, location in fetched.redirects:
        w(f"  redirect {code} -> {p(location)}\n")
    if report.expectation is not None:
        w(f"Expected: {report.expectation}\n")
    if fetched.final_url.startswith("http://"):
        # RFC 6797 §8.1: HSTS received over plain HTTP is ignored.
        w("Note: browsers ignore Strict-Transport-Security over plain HTTP; check https://\n")

    w(f"\n{style('Security headers sent', 'bold')}\n")
    if not report.security_headers:
        w("  (none)\n")
    for name, value in report.security_headers:
        w(f"  {style('+', 'green')} {p(name)}:{' ' if value else ''}{p(value)}\n")

    w(f"\n{style('Missing', 'bold')}\n")
    if not report.missing:
        w("  (none)\n")
    for name, wanted in report.missing:
        shown = "" if wanted is None else f"  (expected: {p(wanted)})"
        w(f"  {style('-', 'red')} {p(name)}{shown}\n")

    if report.expectation is not None:
        w(f"\n{style('Different from the expected configuration', 'bold')}\n")
        if not report.different:
            w("  (none)\n")
        for diff in report.different:
            w(f"  {style('~', 'yellow')} {p(diff.name)}: {p(diff.actual)}\n")
            w(f"      expected: {p(diff.expected)}\n")

    w(f"\n{style('Policy checker findings', 'bold')}\n")
    if not report.findings:
        w("  (none)\n")
    for f in report.findings:
        label = style(f"{f.severity:<6}", _SEVERITY_STYLE.get(f.severity, "dim"))
        w(f"  {label} {p(f.header)}: {p(f.message)} [{f.rule}]\n")
        w(f"         {style(f.reference, 'dim')}\n")

    if report.tests:
        w(f"\n{style('HTTP Observatory tests', 'bold')}\n")
        for t in report.tests:
            w(f"  {t.modifier:+4d}  {t.name}: {t.result}\n")

    good = report.grade.startswith("A")
    grade_style = "green" if good else "yellow" if report.grade[0] in "BC" else "red"
    grade = style(report.grade, "bold", grade_style)
    scale = "" if report.scoring == "observatory" else "/100"
    label = " (HTTP Observatory scoring)" if report.scoring == "observatory" else ""
    w(f"\n{style('Score', 'bold')} {report.score}{scale}, grade {grade}{label}\n")
    for d in report.deductions:
        sign = "-" if d.points >= 0 else "+"
        w(f"  {sign}{abs(d.points):<3} {p(d.reason)}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``secure`` command on ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Example: ``main(["show", "--preset", "strict", "--format", "nginx"])``.
    """
    args = _parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "reports":
            return run_reports(args, out, err)
        if args.command == "presets":
            return run_presets(out)
        if args.command == "convert":
            try:
                return run_convert(args, out, err)
            except ConvertError as exc:
                raise _UsageError(f"convert: {printable(str(exc))}") from None
        if args.command == "show":
            return _show(args, out, err)
        return _check(args, out, err)
    except _UsageError as exc:
        err.write(f"secure: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("secure: interrupted\n")
        return 130
    except BrokenPipeError:
        # `secure show | head`: the reader went away; not an error worth a traceback.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
