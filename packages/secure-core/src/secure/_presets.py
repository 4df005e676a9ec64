"""The presets: named sets of builders. Each call builds fresh, independent builders.

``Secure.from_preset`` assembles them; this module knows nothing of ``Secure``.
"""

from __future__ import annotations

import enum
from typing import Any

from secure import headers as h
from secure._suggest import suggest

__all__ = ["Preset", "parse_preset", "preset_builders"]


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


def parse_preset(preset: Preset | str) -> Preset:
    """A ``Preset`` from a member or its name (case-insensitive)."""
    if isinstance(preset, Preset):
        return preset
    if isinstance(preset, str):
        try:
            return Preset(preset.strip().lower())
        except ValueError:
            pass
        names = [p.value for p in Preset]
        hint = suggest(preset, names)
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(names)}{hint}")
    raise TypeError(f"preset must be a Preset or its name, got {type(preset).__name__}")


def preset_builders(preset: Preset | str) -> dict[str, Any]:
    """Fresh builders of ``preset``, keyed like ``Secure``'s constructor keywords."""
    return _FACTORIES[parse_preset(preset)]()
