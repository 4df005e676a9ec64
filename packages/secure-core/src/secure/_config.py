"""Reading the shared configuration format into builders (the engine behind ``secure.config``).

``resolve`` turns a configuration mapping into builders keyed like ``Secure``'s
constructor, starting from a preset's builders or from the builders of an existing
``Secure``; ``Secure.from_config`` assembles them. This module knows nothing of
``Secure``: data flows configuration -> builders -> ``Secure``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Final, NamedTuple

from secure import _csp_edit, _docs
from secure._docs import bare, see
from secure._presets import preset_builders
from secure._registry import KEYED, KEYWORDS, by_key
from secure._suggest import suggest
from secure._validation import show
from secure.headers import ContentSecurityPolicy, CustomHeader, PermissionsPolicy
from secure.headers._base import BaseHeader
from secure.headers._csp_grammar import DIRECTIVES as _CSP_KINDS
from secure.nonce import NONCE

__all__ = ["Resolved", "config_error", "resolve"]

#: The configuration keys that set a header: the registry's ``Secure(...)`` keywords.
HEADER_KEYS: Final = KEYWORDS
_OTHER_KEYS: Final = ("preset", "nonce", "custom", "remove")
KEYS: Final = (*_OTHER_KEYS, *HEADER_KEYS)

#: Header names are accepted as aliases of their keys ("Content-Security-Policy" = "csp").
ALIASES: Final = {spec.lower: spec.key for spec in KEYED if spec.key}


# Directive names with a fluent method on ContentSecurityPolicy.
_CSP_DIRECTIVES: Final = frozenset(
    m.replace("_", "-")
    for m in dir(ContentSecurityPolicy)
    if not m.startswith("_")
    and m not in ("set", "clear", "copy", "header_name", "header_value", "has_nonce")
    and m not in ("report_only", "custom_directive", "add_sources", "remove", "directives")
    and m not in ("nonce", "keyword")
)


# The directives a nonce can go into: those whose value is a source list.
_NONCE_DIRECTIVES: Final = tuple(d for d, kind in _CSP_KINDS.items() if kind == "sources")


def _suggest(word: str, choices: Sequence[str]) -> str:
    return suggest(word, choices, cutoff=0.5)


def config_error(path: str, message: str, page: str | None = None) -> ValueError:
    """The error for a bad value at ``path`` (a key, or ``key.subkey``).

    It ends with ``page`` of ``docs/``, by default the one that explains the key.
    """
    # A key is user input: show it with repr when it holds anything unprintable, so an
    # error message can never carry a raw CR/LF into a log.
    path = str.__str__(path)  # the real text of a str subclass, whatever it overrides
    shown = path if path.isascii() and path.isprintable() else show(path)
    return ValueError(see(f"secure config: {shown}: {bare(message)}", page or _page_for(path)))


# django.utils.csp.CSP.NONCE (Django 6) and django-csp 4's NONCE, as their settings hold it.
_DJANGO_NONCE: Final = "<CSP_NONCE_SENTINEL>"

_SECTIONS: Final = {
    "preset": _docs.PRESETS,
    "nonce": "configuration.md#nonces",
    "custom": _docs.CUSTOM_HEADERS,
    "remove": _docs.CONFIGURATION,
}


def _page_for(path: str) -> str:
    """The page of ``docs/`` that explains the setting at ``path``."""
    key = path.split(".", 1)[0]
    key = ALIASES.get(key.lower(), key)
    if key in _SECTIONS:
        return _SECTIONS[key]
    if key in HEADER_KEYS:
        return _docs.header_page(by_key(key).name)
    return _docs.CONFIGURATION


# Each peer's name in a message, and the section of docs/configuration.md about it.
_PEERS = {
    "django-csp": ("django-csp 4's CONTENT_SECURITY_POLICY", "coming-from-django-csp-4"),
    "django": ("Django's SECURE_CSP", "coming-from-django-6"),
    "talisman": ("flask-talisman's", "coming-from-flask-talisman"),
    "helmet": ("helmet's", "coming-from-helmet"),
}


def _known(raw: str) -> str | None:
    return raw if raw in KEYS else ALIASES.get(raw.lower())


def _refuse_peer_settings(
    config: Mapping[str, object], unknown: Sequence[object], *, starts_elsewhere: bool
) -> None:
    """A peer library's settings shape gets its equivalent in our format, not a key error.

    The peer's settings may sit beside ours (``{"preset": "strict", "frameguard": ...}``);
    when the configuration already says where it starts (its preset, or an integration's
    base), the equivalent shown leaves the preset out.
    """
    # Imported here: this is the error path only.
    from secure import _convert

    first_unknown = str(unknown[0])
    source = _convert.detect(config)
    if source is None:
        config = {k: config[k] for k in unknown if isinstance(k, str)}
        source = _convert.detect(config)
        starts_elsewhere = True
    if source is None:
        return
    peer, section = _PEERS[source]
    page = f"configuration.md#{section}"
    try:
        converted = _convert.convert(config, source)
    except (ValueError, TypeError):
        raise config_error(
            first_unknown,
            f"unknown key; these are {peer} settings, not ours; run 'secure convert' on them",
            page,
        ) from None
    notes = "".join(f"; note: {note}" for note in converted.notes)
    ours = {k: v for k, v in converted.config.items() if not (starts_elsewhere and k == "preset")}
    raise config_error(
        first_unknown,
        f"unknown key; these are {peer} settings, not ours; in our format they are "
        f"{json.dumps(ours)}{notes} ('secure convert' writes this for you)",
        page,
    )


def _key(raw: object) -> str:
    if not isinstance(raw, str):
        raise config_error(repr(raw), "keys must be strings")
    if raw in KEYS:
        return raw
    alias = ALIASES.get(raw.lower())
    if alias is not None:
        return alias
    raise config_error(raw, f"unknown key{_suggest(raw, KEYS)} (valid keys: {', '.join(KEYS)})")


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
        raise config_error(
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
    fresh = by_key(path).new_builder()
    builder = base.copy() if isinstance(base, ContentSecurityPolicy) else fresh
    assert isinstance(builder, ContentSecurityPolicy)
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
        elif isinstance(sources, (list, tuple, set, frozenset)):
            if not all(isinstance(s, str) for s in sources):
                raise config_error(where, f"sources must be strings, got {sources!r}")
            # Django 6 writes directives as sets (an order-free value: sorted here so the
            # header is the same on every run) and its CSP.NONCE as a sentinel string.
            given = sorted(sources) if isinstance(sources, (set, frozenset)) else sources
            values = [NONCE if s == _DJANGO_NONCE else str.__str__(s) for s in given]
            _set_directive(builder, name, values or ["'none'"])
        else:
            raise config_error(where, f"expected a list of sources, got {sources!r}")
    return builder


def _permissions(
    base: BaseHeader | None, path: str, spec: Mapping[str, object]
) -> PermissionsPolicy:
    fresh = by_key(path).new_builder()
    builder = base.copy() if isinstance(base, PermissionsPolicy) else fresh
    assert isinstance(builder, PermissionsPolicy)
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
            raise config_error(where, f"expected a list of origins, got {allowlist!r}")
        builder.remove(name)
        try:
            builder.add_directive(name, *allowlist)
        except ValueError as exc:
            raise config_error(where, str(exc)) from None
    return builder


def _header(key: str, setting: object, base: BaseHeader | None) -> BaseHeader | None:
    """The builder for one header key, or ``None`` to leave the header out."""
    spec = by_key(key)
    if setting is None or setting is False:
        return None
    if setting is True:
        return base.copy() if base is not None else spec.new_builder()
    if isinstance(setting, str):
        return spec.new_builder().set(setting)
    if isinstance(setting, Mapping):
        if spec.builder is ContentSecurityPolicy:
            return _csp(base, key, setting)
        if spec.builder is PermissionsPolicy:
            return _permissions(base, key, setting)
        builder = spec.new_builder()
        for name, args in setting.items():
            _call(builder, key, str(name), args)
        return builder
    if isinstance(setting, (list, tuple)):
        if spec.builder is ContentSecurityPolicy and any(
            isinstance(token, str) and " " in token.strip() for token in setting
        ):
            # ["default-src 'self'", ...]: policy text given as a list.
            policy = "; ".join(str(token).strip() for token in setting)
            raise config_error(
                key,
                "takes a table of directive -> sources, or one policy string, not a list of "
                f"directives; write {{{json.dumps(key)}: {json.dumps(policy)}}}",
            )
        builder = spec.new_builder()
        for token in setting:
            if not isinstance(token, str):
                raise config_error(key, f"expected strings, got {token!r}")
            _call(builder, key, token.replace("-", "_"), True)
        return builder
    raise config_error(
        key,
        f"expected a string, true/false, a list or a table, got {type(setting).__name__} "
        f"{setting!r}",
    )


class Resolved(NamedTuple):
    """What a configuration describes: builders keyed like ``Secure(...)`` (``"custom"``
    holds the rest) and the header names to leave out."""

    builders: dict[str, object]
    remove: list[str]


def resolve(config: Mapping[str, object], *, base: Mapping[str, object] | None = None) -> Resolved:
    """Read a configuration mapping (see ``secure.config``) into builders.

    ``base`` (builders keyed like ``Secure(...)``, e.g. an integration's own preset)
    replaces the ``preset`` key: the configuration then edits those builders.
    """
    if not isinstance(config, Mapping):
        raise ValueError(
            see(
                "secure config: expected a mapping (dict/TOML table/JSON object), "
                f"got {type(config).__name__}",
                _docs.CONFIGURATION,
            )
        )
    settings: dict[str, object] = {}
    unknown = [k for k in config if not isinstance(k, str) or _known(k) is None]
    if unknown:
        _refuse_peer_settings(config, unknown, starts_elsewhere=base is not None)
    for raw_key, value in config.items():
        key = _key(raw_key)
        if key in settings:
            raise config_error(str(raw_key), f"given twice (as {key!r} and an alias)")
        settings[key] = value

    # Start from the preset's (or the base's) builders, keyed like the constructor.
    preset = settings.get("preset", "balanced")
    current: dict[str, object]
    if base is not None:
        if "preset" in settings:
            raise config_error("preset", "cannot be combined with a base configuration")
        current = dict(base)
    elif preset is None or preset == "none":
        current = {}
    elif isinstance(preset, str):
        try:
            current = preset_builders(preset)
        except ValueError as exc:
            raise config_error("preset", str(exc)) from None
    else:
        raise config_error("preset", f"expected a preset name, got {preset!r}")
    preset_custom = current.pop("custom", None)
    extras: list[BaseHeader] = list(preset_custom) if isinstance(preset_custom, list) else []
    for key in HEADER_KEYS:
        if key not in settings:
            continue
        previous = current.get(key)
        try:
            built = _header(
                key, settings[key], previous if isinstance(previous, BaseHeader) else None
            )
            if built is not None:
                built.header_value  # noqa: B018 - renders now, so the error names the key
            current[key] = built
        except (ValueError, TypeError) as exc:
            message = str(exc)
            raise (
                ValueError(message)
                if message.startswith("secure config:")
                else config_error(key, message)
            ) from None

    nonce = settings.get("nonce", False)
    if nonce:
        directives: Sequence[str]
        if nonce is True:
            directives = ("script-src",)
        elif isinstance(nonce, (list, tuple)) and all(isinstance(d, str) for d in nonce):
            directives = [d.replace("_", "-") for d in nonce]
            for name in directives:
                # A nonce is a source expression (CSP3 §2.3.1): only a directive that takes
                # sources can hold one, and a typo must not become a new directive.
                if _CSP_KINDS.get(name) != "sources":
                    raise config_error(
                        "nonce",
                        f"{name!r} is not a CSP directive that takes sources"
                        f"{_suggest(name, _NONCE_DIRECTIVES)}",
                    )
        else:
            raise config_error("nonce", f"expected true or a list of CSP directives, got {nonce!r}")
        csp = current.get("csp")
        if not isinstance(csp, ContentSecurityPolicy):
            raise config_error("nonce", "needs a Content-Security-Policy; set 'csp' or a preset")
        csp = csp.copy()
        try:
            _csp_edit.add_nonce(csp, directives)
        except ValueError as exc:
            raise config_error("nonce", str(exc)) from None
        current["csp"] = csp
    elif nonce is not False:
        raise config_error("nonce", f"expected true or a list of CSP directives, got {nonce!r}")

    custom = settings.get("custom", {})
    if not isinstance(custom, Mapping):
        raise config_error("custom", f"expected a table of header name -> value, got {custom!r}")
    seen: dict[str, str] = {}
    for name, value in custom.items():
        lower = str(name).lower()
        if lower in seen:
            # Field names are case-insensitive (RFC 9110 §5.1): two spellings are one header.
            raise config_error(
                f"custom.{name}",
                f"given twice ({seen[lower]!r} and {name!r}); header names are case-insensitive",
            )
        seen[lower] = str(name)
        managed = ALIASES.get(lower)
        if managed is not None and current.get(managed) is not None:
            # One header, one place: a custom copy next to the key's would send it twice.
            raise config_error(
                f"custom.{name}",
                f"{name} is already set by {managed!r}; set it there, or set "
                f"{managed!r} to false to send this value instead",
            )
        try:
            extras.append(CustomHeader(name, value))
        except (ValueError, TypeError) as exc:
            raise config_error(f"custom.{name}", str(exc)) from None
    current["custom"] = extras

    remove = settings.get("remove", [])
    if isinstance(remove, str) or not isinstance(remove, (list, tuple)):
        raise config_error("remove", f"expected a list of header names, got {remove!r}")
    return Resolved(current, list(remove))
