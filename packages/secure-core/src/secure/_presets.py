"""The presets: named sets of builders. Each call builds fresh, independent builders.

``Secure.from_preset`` assembles them; this module knows nothing of ``Secure``.
"""

from __future__ import annotations

import enum
from typing import Any

from secure import headers as h
from secure._docs import PRESETS, see
from secure._suggest import suggest

__all__ = [
    "ENTRY_POINT_GROUP",
    "Preset",
    "PresetInfo",
    "available_presets",
    "parse_preset",
    "preset_builders",
]


class Preset(str, enum.Enum):
    """Named header profiles for :meth:`Secure.from_preset`."""

    #: Recommended defaults; the same as ``Secure.with_default_headers()``.
    BALANCED = "balanced"
    #: Helmet.js parity: the compatibility-focused set, legacy headers included.
    BASIC = "basic"
    #: Hardened: no framing, no referrer, no caching, cross-origin isolation.
    STRICT = "strict"

    def __str__(self) -> str:
        return self.value


def _baseline_csp() -> h.ContentSecurityPolicy:
    # Helmet's default policy, shared by BALANCED and BASIC.
    return (
        h.ContentSecurityPolicy()
        .default_src("'self'")
        .base_uri("'self'")
        .font_src("'self'", "https:", "data:")
        .form_action("'self'")
        .frame_ancestors("'self'")
        .img_src("'self'", "data:")
        .object_src("'none'")
        .script_src("'self'")
        .script_src_attr("'none'")
        .style_src("'self'", "https:", "'unsafe-inline'")
        .upgrade_insecure_requests()
    )


def _no_powerful_features() -> h.PermissionsPolicy:
    return h.PermissionsPolicy().geolocation().microphone().camera()


def _balanced() -> dict[str, Any]:
    return {
        "corp": h.CrossOriginResourcePolicy().same_origin(),
        "csp": _baseline_csp(),
        "hsts": h.StrictTransportSecurity().max_age(31536000).include_subdomains(),
        "permissions": _no_powerful_features(),
        "referrer": h.ReferrerPolicy().strict_origin_when_cross_origin(),
        "server": h.Server().set(""),
        "xcto": h.XContentTypeOptions().nosniff(),
        "xfo": h.XFrameOptions().sameorigin(),
    }


def _basic() -> dict[str, Any]:
    return {
        "coop": h.CrossOriginOpenerPolicy().same_origin(),
        "corp": h.CrossOriginResourcePolicy().same_origin(),
        "csp": _baseline_csp(),
        "hsts": h.StrictTransportSecurity().max_age(31536000).include_subdomains(),
        "referrer": h.ReferrerPolicy().no_referrer(),
        "xpcdp": h.XPermittedCrossDomainPolicies().none(),
        "xdfc": h.XDnsPrefetchControl().off(),
        "xcto": h.XContentTypeOptions().nosniff(),
        "xfo": h.XFrameOptions().sameorigin(),
        "custom": [
            h.OriginAgentCluster().on(),
            h.CustomHeader("X-Download-Options", "noopen"),
            # "0" turns off the legacy XSS auditor, which itself enabled attacks (OWASP).
            h.CustomHeader("X-XSS-Protection", "0"),
        ],
    }


def _strict() -> dict[str, Any]:
    return {
        "cache": h.CacheControl().no_store().max_age(0),
        "coep": h.CrossOriginEmbedderPolicy().require_corp(),
        "coop": h.CrossOriginOpenerPolicy().same_origin(),
        "csp": (
            h.ContentSecurityPolicy()
            .default_src("'self'")
            .script_src("'self'")
            .style_src("'self'")
            .object_src("'none'")
            .base_uri("'none'")
            .frame_ancestors("'none'")
        ),
        "hsts": h.StrictTransportSecurity().max_age(63072000).include_subdomains(),
        "permissions": _no_powerful_features(),
        "referrer": h.ReferrerPolicy().no_referrer(),
        "server": h.Server().set(""),
        "xcto": h.XContentTypeOptions().nosniff(),
        "xfo": h.XFrameOptions().deny(),
    }


_FACTORIES = {Preset.BALANCED: _balanced, Preset.BASIC: _basic, Preset.STRICT: _strict}

#: Installed packages add presets through this entry-point group. An entry point names
#: a callable taking no arguments that returns fresh builders keyed like ``Secure``'s
#: constructor keywords (``"custom"`` for a list of other builders), e.g. in
#: secure-shiny's ``pyproject.toml``::
#:
#:     [project.entry-points."secure.presets"]
#:     shiny = "secure_shiny._preset:shiny_preset_builders"
ENTRY_POINT_GROUP = "secure.presets"

# Presets our own packages provide, so a missing one can name what to install.
_PROVIDED_BY = {"shiny": "secure-shiny"}


class PresetInfo:
    """One available preset: its name and the distribution that provides it."""

    __slots__ = ("name", "provider", "summary")

    def __init__(self, name: str, provider: str, summary: str) -> None:
        self.name = name
        self.provider = provider
        self.summary = summary

    def __repr__(self) -> str:
        return f"PresetInfo({self.name!r}, provider={self.provider!r})"


def _entry_points() -> dict[str, Any]:
    # importlib.metadata is imported only when a preset outside the core is asked for.
    from importlib.metadata import entry_points

    found: dict[str, Any] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        name = point.name.strip().lower()
        if name not in found and name not in _FACTORIES_BY_NAME:
            found[name] = point
    return found


_SUMMARIES = {
    Preset.BALANCED: "recommended defaults (Secure.with_default_headers())",
    Preset.BASIC: "Helmet.js parity, legacy headers included",
    Preset.STRICT: "hardened: no framing, no referrer, no caching, cross-origin isolation",
}

_FACTORIES_BY_NAME = {member.value: factory for member, factory in _FACTORIES.items()}


def available_presets() -> list[PresetInfo]:
    """Every preset that can be used here: the core's, then installed packages'."""
    presets = [PresetInfo(member.value, "secure-core", _SUMMARIES[member]) for member in Preset]
    for name, point in sorted(_entry_points().items()):
        dist = getattr(point, "dist", None)
        provider = getattr(dist, "name", None) or point.value.split(":")[0]
        try:
            doc = (point.load().__doc__ or "").strip().splitlines()
        except Exception:  # a broken plugin still gets listed, with where it points
            doc = []
        presets.append(PresetInfo(name, provider, doc[0] if doc else point.value))
    return presets


def parse_preset(preset: Preset | str) -> Preset | str:
    """A core ``Preset`` member, or the name of an installed package's preset.

    Names are case-insensitive. An unknown name is a ``ValueError`` listing what is
    available, suggesting the closest name, and naming the package that provides it
    when it is one of ours that is not installed.
    """
    if isinstance(preset, Preset):
        return preset
    if not isinstance(preset, str):
        raise TypeError(
            see(f"preset must be a Preset or its name, got {type(preset).__name__}", PRESETS)
        )
    name = preset.strip().lower()
    try:
        return Preset(name)
    except ValueError:
        pass
    installed = _entry_points()
    if name in installed:
        return name
    if name in _PROVIDED_BY:
        raise ValueError(
            see(
                f"unknown preset {preset!r}: the {name!r} preset comes with the "
                f"{_PROVIDED_BY[name]} package; install it (pip install {_PROVIDED_BY[name]})",
                PRESETS,
            )
        )
    names = [p.value for p in Preset] + sorted(installed)
    hint = suggest(preset, [*names, *_PROVIDED_BY])
    raise ValueError(
        see(f"unknown preset {preset!r}: choose one of {', '.join(names)}{hint}", PRESETS)
    )


def preset_builders(preset: Preset | str) -> dict[str, Any]:
    """Fresh builders of ``preset``, keyed like ``Secure``'s constructor keywords."""
    parsed = parse_preset(preset)
    if isinstance(parsed, Preset):
        return _FACTORIES[parsed]()
    point = _entry_points()[parsed]
    builders = point.load()()
    if not isinstance(builders, dict):
        raise TypeError(
            see(
                f"preset {parsed!r} ({point.value}) returned {type(builders).__name__}; a "
                "preset entry point returns a dict of Secure keyword -> builder",
                PRESETS,
            )
        )
    return builders
