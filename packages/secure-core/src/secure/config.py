"""The one configuration format shared by every framework package and the CLI.

A configuration is a plain mapping (a dict, a TOML table or a JSON object)::

    {
        "preset": "balanced",                       # balanced | basic | strict | none
        "csp": {"script-src": ["'self'", "https://cdn.example"]},  # merged into the preset
        "nonce": True,                              # a per-request nonce in script-src
        "hsts": {"max_age": 63072000, "include_subdomains": True},
        "xfo": False,                               # remove the preset's X-Frame-Options
        "custom": {"X-Robots-Tag": "noindex"},
        "remove": ["Server"],
    }

Every key and value is validated when the configuration is loaded; an unknown key
raises ``ValueError`` naming it and suggesting the closest valid one. The full schema
is documented in the configuration guide, <https://typeerror.github.io/secure/configuration/>.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, Literal, TypedDict

from secure._convert import Converted, convert
from secure._docs import see
from secure._secure import Secure

_FILES: Final = "configuration.md#files"

__all__ = [
    "Converted",
    "SecureConfig",
    "build",
    "convert",
    "load_config",
    "read_config_file",
]

#: What one header key accepts: a raw value, ``False``/``None`` to remove the header,
#: ``True`` for the builder's default, a list of tokens, or method/directive -> arguments.
HeaderSetting = str | bool | None | Sequence[str] | Mapping[str, object]


class SecureConfig(TypedDict, total=False):
    """The configuration schema (every key optional)."""

    preset: Literal["balanced", "basic", "strict", "none"] | None
    cache: HeaderSetting
    coep: HeaderSetting
    coop: HeaderSetting
    corp: HeaderSetting
    csp: HeaderSetting
    csp_report_only: HeaderSetting
    hsts: HeaderSetting
    permissions: HeaderSetting
    permissions_report_only: HeaderSetting
    referrer: HeaderSetting
    reporting_endpoints: HeaderSetting
    server: HeaderSetting
    xcto: HeaderSetting
    xdfc: HeaderSetting
    xfo: HeaderSetting
    xpcdp: HeaderSetting
    nonce: bool | Sequence[str]
    custom: Mapping[str, str]
    remove: Sequence[str]


def build(config: Mapping[str, object], *, base: Secure | None = None) -> Secure:
    """Build a ``Secure`` from a configuration mapping (see the module docstring).

    The same as ``Secure.from_config(config, base=base)``. ``base`` replaces the
    ``preset`` key: the configuration then edits that ``Secure`` (an integration's own
    preset, e.g. secure-shiny's) instead of a core preset.
    """
    return Secure.from_config(config, base=base)


def read_config_file(path: str | Path) -> dict[str, object]:
    """Read a TOML or JSON configuration file into a mapping.

    In a ``pyproject.toml`` the configuration lives in the ``[tool.secure]`` table.
    TOML uses ``tomllib`` (Python 3.11+); on Python 3.10 install ``secure-core[toml]``,
    which brings its backport ``tomli``. JSON works everywhere.
    """
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(see(f"secure config: {file}: invalid JSON: {exc}", _FILES)) from None
    elif file.suffix.lower() == ".toml":
        # Imported by name: tomllib is new in Python 3.11; on 3.10 the `toml` extra
        # installs tomli, the same parser under its original name.
        tomllib = None
        for toml_name in ("tomllib", "tomli"):
            try:
                tomllib = importlib.import_module(toml_name)
                break
            except ModuleNotFoundError:
                continue
        if tomllib is None:
            raise ValueError(
                see(
                    f"secure config: {file}: reading TOML on Python 3.10 needs the 'toml' "
                    "extra: pip install 'secure-core[toml]' (it installs tomli), or use a JSON "
                    "file",
                    _FILES,
                )
            )
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(see(f"secure config: {file}: invalid TOML: {exc}", _FILES)) from None
        if file.name == "pyproject.toml":
            data = data.get("tool", {}).get("secure", {})
    else:
        raise ValueError(
            see(
                f"secure config: {file}: unknown file type {file.suffix!r}; use .toml or .json",
                _FILES,
            )
        )
    if not isinstance(data, dict):
        raise ValueError(
            see(f"secure config: {file}: the top level must be a table/object", _FILES)
        )
    return data


def load_config(path: str | Path) -> Secure:
    """Read a TOML/JSON configuration file and build the ``Secure`` it describes."""
    return build(read_config_file(path))
