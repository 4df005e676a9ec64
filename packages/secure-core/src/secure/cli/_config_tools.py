"""``secure presets`` and ``secure convert``: what can be configured, and from what.

``presets`` lists every preset name that works here (the core's and installed packages'
through the ``secure.presets`` entry-point group); ``convert`` turns another library's
settings (django-csp, Django 6, flask-talisman, helmet) into our configuration format,
with the same code the configuration loader's error messages use.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from typing import TYPE_CHECKING, Any, Final, TextIO

from secure.cli._safe import printable

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["add_parsers", "run_convert", "run_presets"]

# Names people paste from their settings modules, as the values those constants hold:
# Django's django.utils.csp.CSP members and django-csp 4's csp.constants.
_CONSTANTS: Final = {
    "SELF": "'self'",
    "NONE": "'none'",
    "UNSAFE_INLINE": "'unsafe-inline'",
    "UNSAFE_EVAL": "'unsafe-eval'",
    "UNSAFE_HASHES": "'unsafe-hashes'",
    "STRICT_DYNAMIC": "'strict-dynamic'",
    "REPORT_SAMPLE": "'report-sample'",
    "WASM_UNSAFE_EVAL": "'wasm-unsafe-eval'",
    "NONCE": "<CSP_NONCE_SENTINEL>",
    "True": True,
    "False": False,
    "None": None,
}


class ConvertError(Exception):
    """Input that cannot be read as settings (exit 2)."""


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``presets`` and ``convert`` on the ``secure`` command's subparsers."""
    commands.add_parser(
        "presets",
        help="list the presets available here and the package that provides each",
        description="List every preset name that --preset and the 'preset' key accept here.",
    )
    convert = commands.add_parser(
        "convert",
        help="convert django-csp, Django, flask-talisman or helmet settings to ours",
        description=(
            "Read another library's settings (JSON, or a Python literal such as a "
            "settings dict, where CSP.SELF / SELF / NONCE may stand for their values) "
            "and print the same configuration in secure's format."
        ),
    )
    convert.add_argument("file", metavar="FILE", help="the settings file, or - for stdin")
    convert.add_argument(
        "--from",
        dest="source",
        choices=("auto", "django-csp", "django", "talisman", "helmet"),
        default="auto",
        help="whose settings these are (default: detect)",
    )
    convert.add_argument(
        "--format",
        choices=("json", "toml"),
        default="json",
        help="json (default) or toml, for a [tool.secure] table or secure.toml",
    )


def run_presets(out: TextIO) -> int:
    from secure._presets import available_presets

    presets = available_presets()
    name_width = max(len(p.name) for p in presets)
    provider_width = max(len(p.provider) for p in presets)
    for preset in presets:
        out.write(
            f"{preset.name:<{name_width}}  {preset.provider:<{provider_width}}  "
            f"{printable(preset.summary)}\n"
        )
    return 0


def _literal(text: str) -> object:
    """JSON, or a Python literal whose known constant names stand for their values."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConvertError(f"neither JSON nor a Python literal: {exc.msg}") from None
    if isinstance(tree.body, ast.Dict) or not isinstance(tree.body, ast.Call):
        return _evaluate(tree.body)
    raise ConvertError("expected a dict of settings")


def _evaluate(node: ast.expr) -> object:
    # A literal evaluator that also knows the peers' constant names; nothing is executed.
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.Attribute) and node.attr in _CONSTANTS:
        return _CONSTANTS[node.attr]  # CSP.SELF, constants.NONCE
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [_evaluate(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise ConvertError("'**' unpacking cannot be converted; write the keys out")
        return {
            _evaluate(key): _evaluate(value)  # type: ignore[arg-type]
            for key, value in zip(node.keys, node.values, strict=True)
        }
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _evaluate(node.operand)
        if isinstance(value, (int, float)):
            return -value
    raise ConvertError(f"line {node.lineno}: only literals and CSP constants can be converted")


def _toml(config: Mapping[str, object]) -> str:
    """Our configuration as TOML (its values are strings, numbers, booleans, lists, tables)."""
    scalars = [(k, v) for k, v in config.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in config.items() if isinstance(v, dict)]
    lines = [f"{k} = {json.dumps(v)}" for k, v in scalars]
    for name, table in tables:
        lines += [
            "",
            f"[{name}]",
            *(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in table.items()),
        ]
    return "\n".join(lines) + "\n"


def run_convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from secure._convert import convert

    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as file:
                text = file.read()
    except OSError as exc:
        raise ConvertError(f"cannot read {printable(args.file)}: {exc.strerror}") from None
    settings = _literal(text)
    if not isinstance(settings, dict):
        raise ConvertError(f"expected a dict of settings, got {type(settings).__name__}")
    source = None if args.source == "auto" else args.source
    try:
        result = convert(settings, source)
    except (ValueError, TypeError) as exc:
        raise ConvertError(str(exc)) from None
    out.write(
        _toml(result.config)
        if args.format == "toml"
        else json.dumps(result.config, indent=2) + "\n"
    )
    err.write(f"secure: read as {result.source} settings\n")
    for note in result.notes:
        err.write(f"secure: note: {printable(note)}\n")
    return 0
