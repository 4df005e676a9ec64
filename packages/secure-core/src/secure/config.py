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
is documented in ``docs/configuration.md``.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypedDict

from secure._validation import show
from secure.headers import ContentSecurityPolicy, CustomHeader, PermissionsPolicy
from secure.headers._base import BaseHeader
from secure.nonce import NONCE

if TYPE_CHECKING:
    from secure._secure import Secure

__all__ = ["SecureConfig", "build", "load_config", "read_config_file"]

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


_HEADER_KEYS: Final = (
    "cache",
    "coep",
    "coop",
    "corp",
    "csp",
    "csp_report_only",
    "hsts",
    "permissions",
    "permissions_report_only",
    "referrer",
    "reporting_endpoints",
    "server",
    "xcto",
    "xdfc",
    "xfo",
    "xpcdp",
)
_OTHER_KEYS: Final = ("preset", "nonce", "custom", "remove")
_KEYS: Final = (*_OTHER_KEYS, *_HEADER_KEYS)

# Header names are accepted as aliases of their keys ("Content-Security-Policy" = "csp").
_ALIASES: Final = {
    "cache-control": "cache",
    "cross-origin-embedder-policy": "coep",
    "cross-origin-opener-policy": "coop",
    "cross-origin-resource-policy": "corp",
    "content-security-policy": "csp",
    "content-security-policy-report-only": "csp_report_only",
    "strict-transport-security": "hsts",
    "permissions-policy": "permissions",
    "permissions-policy-report-only": "permissions_report_only",
    "referrer-policy": "referrer",
    "reporting-endpoints": "reporting_endpoints",
    "server": "server",
    "x-content-type-options": "xcto",
    "x-dns-prefetch-control": "xdfc",
    "x-frame-options": "xfo",
    "x-permitted-cross-domain-policies": "xpcdp",
}


# Directive names with a fluent method on ContentSecurityPolicy.
_CSP_DIRECTIVES: Final = frozenset(
    m.replace("_", "-")
    for m in dir(ContentSecurityPolicy)
    if not m.startswith("_")
    and m not in ("set", "clear", "copy", "header_name", "header_value", "has_nonce")
    and m not in ("report_only", "custom_directive", "add_sources", "remove", "directives")
    and m not in ("nonce", "keyword")
)


def _suggest(word: str, choices: Sequence[str]) -> str:
    if len(word) > 64:  # no key is that long; difflib is quadratic in the length
        return ""
    from difflib import get_close_matches

    close = get_close_matches(word.lower().replace("-", "_"), list(choices), n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""


def _fail(path: str, message: str) -> ValueError:
    # A key is user input: show it with repr when it holds anything unprintable, so an
    # error message can never carry a raw CR/LF into a log.
    path = str.__str__(path)  # the real text of a str subclass, whatever it overrides
    shown = path if path.isascii() and path.isprintable() else show(path)
    return ValueError(f"secure config: {shown}: {message}")


def _key(raw: object) -> str:
    if not isinstance(raw, str):
        raise _fail(repr(raw), "keys must be strings")
    if raw in _KEYS:
        return raw
    alias = _ALIASES.get(raw.lower())
    if alias is not None:
        return alias
    raise _fail(raw, f"unknown key{_suggest(raw, _KEYS)} (valid keys: {', '.join(_KEYS)})")


def _public_methods(builder: BaseHeader) -> list[str]:
    return sorted(
        name
        for name in dir(builder)
        if not name.startswith("_")
        and name not in ("set", "clear", "copy", "header_name", "header_value", "has_nonce")
        and callable(getattr(builder, name))
    )


def _call(builder: BaseHeader, path: str, name: str, args: object) -> None:
    """Call ``builder.<name>(...)`` for one ``method: arguments`` pair of a mapping."""
    method_name = name.replace("-", "_")
    methods = _public_methods(builder)
    if method_name not in methods:
        raise _fail(
            f"{path}.{name}",
            f"{builder.header_name} has no option {name!r}{_suggest(name, methods)}",
        )
    method = getattr(builder, method_name)
    if args is False or args is None:
        # Flags such as include_subdomains(enabled=False) can be switched off.
        code = getattr(getattr(method, "__func__", method), "__code__", None)
        if args is False and code is not None and "enabled" in code.co_varnames:
            method(False)
        return
    if args is True:
        method()
    elif isinstance(args, (list, tuple)):
        method(*args)
    else:
        method(args)


def _set_directive(builder: ContentSecurityPolicy, name: str, sources: list[str]) -> None:
    """Replace one directive's sources, keeping its place in the policy."""
    method = getattr(builder, name.replace("-", "_"), None)
    if name in _CSP_DIRECTIVES and callable(method):
        method(*sources)
    else:
        builder.remove(name)
        builder.custom_directive(name, *sources)


def _csp(base: BaseHeader | None, path: str, spec: Mapping[str, object]) -> ContentSecurityPolicy:
    """Merge a directive -> sources mapping into a copy of the preset's CSP."""
    builder = base.copy() if isinstance(base, ContentSecurityPolicy) else ContentSecurityPolicy()
    for directive, sources in spec.items():
        name = str(directive).replace("_", "-")
        where = f"{path}.{directive}"
        if sources is None or sources is False:
            builder.remove(name)
        elif sources is True:
            _call(builder, path, name, True)
        elif isinstance(sources, str):
            # Split on the spaces and tabs of CSP's own grammar only (CSP3 §2.2), so
            # NEL or U+2028 stay inside a source and are refused there.
            _set_directive(builder, name, [p for p in re.split(r"[ \t]+", sources) if p])
        elif isinstance(sources, (list, tuple)):
            if not all(isinstance(s, str) for s in sources):
                raise _fail(where, f"sources must be strings, got {sources!r}")
            _set_directive(builder, name, list(sources) or ["'none'"])
        else:
            raise _fail(where, f"expected a list of sources, got {sources!r}")
    return builder


def _permissions(
    base: BaseHeader | None, path: str, spec: Mapping[str, object]
) -> PermissionsPolicy:
    builder = base.copy() if isinstance(base, PermissionsPolicy) else PermissionsPolicy()
    for feature, allowlist in spec.items():
        name = str(feature).replace("_", "-")
        where = f"{path}.{feature}"
        if allowlist is None or allowlist is False:
            builder.remove(name)
            continue
        if isinstance(allowlist, str):
            allowlist = [p for p in re.split(r"[ \t]+", allowlist) if p]
        if not isinstance(allowlist, (list, tuple)) or not all(
            isinstance(a, str) for a in allowlist
        ):
            raise _fail(where, f"expected a list of origins, got {allowlist!r}")
        builder.remove(name)
        builder.add_directive(name, *allowlist)
    return builder


def _header(key: str, setting: object, base: BaseHeader | None) -> BaseHeader | None:
    """The builder for one header key, or ``None`` to leave the header out."""
    from secure._secure import _BUILDERS

    cls = _BUILDERS[key]
    if setting is None or setting is False:
        return None
    if setting is True:
        return base.copy() if base is not None else cls()
    if isinstance(setting, str):
        return cls().set(setting)
    if isinstance(setting, Mapping):
        if cls is ContentSecurityPolicy:
            return _csp(base, key, setting)
        if cls is PermissionsPolicy:
            return _permissions(base, key, setting)
        builder = cls()
        for name, args in setting.items():
            _call(builder, key, str(name), args)
        return builder
    if isinstance(setting, (list, tuple)):
        builder = cls()
        for token in setting:
            if not isinstance(token, str):
                raise _fail(key, f"expected strings, got {token!r}")
            _call(builder, key, token.replace("-", "_"), True)
        return builder
    raise _fail(
        key,
        f"expected a string, true/false, a list or a table, got {type(setting).__name__} "
        f"{setting!r}",
    )


def _with_nonce(csp: ContentSecurityPolicy, directives: Sequence[str]) -> None:
    for directive in directives:
        current = csp.directives
        if directive not in current:
            # CSP Level 3 §6.8.3: a missing script-src/style-src falls back to
            # default-src, so start from its sources to keep what it allowed.
            fallback = [s for s in current.get("default-src", ()) if s != "'none'"]
            if fallback:
                csp.add_sources(directive, *fallback)
        elif "'none'" in current[directive]:
            csp.remove(directive)
        if NONCE not in csp.directives.get(directive, ()):
            csp.add_sources(directive, NONCE)


def _builders_of(base: Secure) -> dict[str, BaseHeader | None]:
    """An existing ``Secure`` split back into constructor keywords, as editable builders.

    Every builder's ``set()`` parses its raw value into structured state (a CSP keeps its
    nonce slot), so a table in the configuration edits these exactly as a preset's.
    """
    from secure._secure import _BUILDERS

    current: dict[str, BaseHeader | None] = {}
    custom: list[BaseHeader] = []
    for name, value, _ in base.snapshot().items:
        key = _ALIASES.get(name.lower())
        if key is None or key in current:
            custom.append(CustomHeader(name, value))
            continue
        builder = _BUILDERS[key]()
        if isinstance(builder, (ContentSecurityPolicy, PermissionsPolicy)) and key.endswith(
            "_report_only"
        ):
            builder.report_only()
        # The CSP builder finds its nonce slot in the value itself.
        current[key] = builder.set(value)
    current["custom"] = custom  # type: ignore[assignment]
    return current


def build(config: Mapping[str, object], *, base: Secure | None = None) -> Secure:
    """Build a ``Secure`` from a configuration mapping (see the module docstring).

    ``base`` replaces the ``preset`` key: the configuration then edits that ``Secure``
    (an integration's own preset, e.g. secure-shiny's) instead of a core preset.
    """
    from secure._presets import preset_builders
    from secure._secure import Secure

    if not isinstance(config, Mapping):
        raise ValueError(
            f"secure config: expected a mapping (dict/TOML table/JSON object), "
            f"got {type(config).__name__}"
        )
    settings: dict[str, object] = {}
    for raw_key, value in config.items():
        key = _key(raw_key)
        if key in settings:
            raise _fail(str(raw_key), f"given twice (as {key!r} and an alias)")
        settings[key] = value

    # Start from the preset's builders, keyed like the constructor.
    preset = settings.get("preset", "balanced")
    current: dict[str, BaseHeader | None]
    if base is not None:
        if "preset" in settings:
            raise _fail("preset", "cannot be combined with a base configuration")
        current = _builders_of(base)
    elif preset is None or preset == "none":
        current = {}
    elif isinstance(preset, str):
        try:
            current = preset_builders(preset)
        except ValueError as exc:
            raise _fail("preset", str(exc)) from None
    else:
        raise _fail("preset", f"expected a preset name, got {preset!r}")
    preset_custom: object = current.pop("custom", None)
    extras: list[BaseHeader] = list(preset_custom) if isinstance(preset_custom, list) else []
    for key in _HEADER_KEYS:
        if key not in settings:
            continue
        try:
            current[key] = _header(key, settings[key], current.get(key))
        except (ValueError, TypeError) as exc:
            message = str(exc)
            raise (
                ValueError(message) if message.startswith("secure config:") else _fail(key, message)
            ) from None

    nonce = settings.get("nonce", False)
    if nonce:
        directives: Sequence[str]
        if nonce is True:
            directives = ("script-src",)
        elif isinstance(nonce, (list, tuple)) and all(isinstance(d, str) for d in nonce):
            directives = [d.replace("_", "-") for d in nonce]
        else:
            raise _fail("nonce", f"expected true or a list of CSP directives, got {nonce!r}")
        csp = current.get("csp")
        if not isinstance(csp, ContentSecurityPolicy):
            raise _fail("nonce", "needs a Content-Security-Policy; set 'csp' or a preset")
        csp = csp.copy()
        try:
            _with_nonce(csp, directives)
        except ValueError as exc:
            raise _fail("nonce", str(exc)) from None
        current["csp"] = csp
    elif nonce is not False:
        raise _fail("nonce", f"expected true or a list of CSP directives, got {nonce!r}")

    custom = settings.get("custom", {})
    if not isinstance(custom, Mapping):
        raise _fail("custom", f"expected a table of header name -> value, got {custom!r}")
    for name, value in custom.items():
        managed = _ALIASES.get(str(name).lower())
        if managed is not None and current.get(managed) is not None:
            # One header, one place: a custom copy next to the key's would send it twice.
            raise _fail(
                f"custom.{name}",
                f"{name} is already set by {managed!r}; set it there, or set "
                f"{managed!r} to false to send this value instead",
            )
        try:
            extras.append(CustomHeader(name, value))
        except (ValueError, TypeError) as exc:
            raise _fail(f"custom.{name}", str(exc)) from None

    result = Secure(custom=extras, **current)  # type: ignore[arg-type]
    remove = settings.get("remove", [])
    if isinstance(remove, str) or not isinstance(remove, (list, tuple)):
        raise _fail("remove", f"expected a list of header names, got {remove!r}")
    if remove:
        try:
            result = result.derive(exempt=remove)
        except (ValueError, TypeError) as exc:
            raise _fail("remove", str(exc)) from None
    return result


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
            raise ValueError(f"secure config: {file}: invalid JSON: {exc}") from None
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
                f"secure config: {file}: reading TOML on Python 3.10 needs the 'toml' extra: "
                "pip install 'secure-core[toml]' (it installs tomli), or use a JSON file"
            )
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"secure config: {file}: invalid TOML: {exc}") from None
        if file.name == "pyproject.toml":
            data = data.get("tool", {}).get("secure", {})
    else:
        raise ValueError(
            f"secure config: {file}: unknown file type {file.suffix!r}; use .toml or .json"
        )
    if not isinstance(data, dict):
        raise ValueError(f"secure config: {file}: the top level must be a table/object")
    return data


def load_config(path: str | Path) -> Secure:
    """Read a TOML/JSON configuration file and build the ``Secure`` it describes."""
    return build(read_config_file(path))
