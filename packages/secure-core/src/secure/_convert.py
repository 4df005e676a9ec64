"""Other libraries' settings, converted to our configuration format.

People arrive with django-csp 4's ``CONTENT_SECURITY_POLICY`` dict, Django 6's
``SECURE_CSP``, flask-talisman's keyword arguments or helmet's options. :func:`convert`
turns each into the shared configuration format (``secure.config``), with notes for
what has no header equivalent; the configuration loader uses the same code to show the
equivalent in its error message when it meets one of those shapes, and ``secure
convert`` exposes it on the command line.

The vocabularies below are the peers' public, documented setting names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final, Literal, NamedTuple

from secure.nonce import NONCE

__all__ = ["SOURCES", "Converted", "convert", "detect"]

Source = Literal["django-csp", "django", "talisman", "helmet"]
#: The settings shapes :func:`convert` reads.
SOURCES: Final[tuple[Source, ...]] = ("django-csp", "django", "talisman", "helmet")

# django-csp 4 and Django 6 spell the nonce as a sentinel inside a directive's list.
_NONCE_SENTINELS: Final = frozenset({"<CSP_NONCE_SENTINEL>", "csp.constants.NONCE"})

# django-csp 4: CONTENT_SECURITY_POLICY = {"DIRECTIVES": {...}, "EXCLUDE_URL_PREFIXES": [...],
# "REPORT_PERCENTAGE": n}.
_DJANGO_CSP_KEYS: Final = frozenset({"DIRECTIVES", "EXCLUDE_URL_PREFIXES", "REPORT_PERCENTAGE"})
_DJANGO_SETTINGS: Final = {
    "CONTENT_SECURITY_POLICY": "csp",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY": "csp_report_only",
    "SECURE_CSP": "csp",
    "SECURE_CSP_REPORT_ONLY": "csp_report_only",
}

# flask-talisman's Talisman(app, **options) keywords.
_TALISMAN: Final = frozenset(
    {
        "content_security_policy",
        "content_security_policy_nonce_in",
        "content_security_policy_report_only",
        "content_security_policy_report_uri",
        "document_policy",
        "feature_policy",
        "force_file_save",
        "force_https",
        "force_https_permanent",
        "frame_options",
        "frame_options_allow_from",
        "permissions_policy",
        "referrer_policy",
        "session_cookie_http_only",
        "session_cookie_samesite",
        "session_cookie_secure",
        "strict_transport_security",
        "strict_transport_security_include_subdomains",
        "strict_transport_security_max_age",
        "strict_transport_security_preload",
        "x_content_type_options",
        "x_xss_protection",
    }
)

# helmet's options (and their older names) -> our key.
_HELMET: Final = {
    "contentSecurityPolicy": "csp",
    "crossOriginEmbedderPolicy": "coep",
    "crossOriginOpenerPolicy": "coop",
    "crossOriginResourcePolicy": "corp",
    "originAgentCluster": "Origin-Agent-Cluster",
    "referrerPolicy": "referrer",
    "strictTransportSecurity": "hsts",
    "hsts": "hsts",
    "xContentTypeOptions": "xcto",
    "noSniff": "xcto",
    "xDnsPrefetchControl": "xdfc",
    "dnsPrefetchControl": "xdfc",
    "xDownloadOptions": "X-Download-Options",
    "ieNoOpen": "X-Download-Options",
    "xFrameOptions": "xfo",
    "frameguard": "xfo",
    "xPermittedCrossDomainPolicies": "xpcdp",
    "permittedCrossDomainPolicies": "xpcdp",
    "xPoweredBy": "X-Powered-By",
    "hidePoweredBy": "X-Powered-By",
    "xXssProtection": "X-XSS-Protection",
    "xssFilter": "X-XSS-Protection",
}


class Converted(NamedTuple):
    """A configuration in our format, what it was read as, and what did not carry over."""

    config: dict[str, object]
    source: Source
    notes: list[str]


def detect(settings: Mapping[str, object]) -> Source | None:
    """Which peer's shape ``settings`` has, or ``None`` when it is none of them."""
    keys = {str(k) for k in settings}
    if not keys:
        return None
    if keys & _DJANGO_CSP_KEYS or (keys & set(_DJANGO_SETTINGS) and _is_django_csp_4(settings)):
        return "django-csp"
    if keys <= set(_DJANGO_SETTINGS):
        return "django"
    if keys & _TALISMAN and keys <= _TALISMAN:
        return "talisman"
    if keys & set(_HELMET) and keys <= set(_HELMET):
        return "helmet"
    if all(k in _csp_directives() for k in keys):
        return "django"  # a bare SECURE_CSP directive table
    return None


def _csp_directives() -> frozenset[str]:
    from secure.headers._csp_grammar import DIRECTIVES

    return frozenset(DIRECTIVES)


def _is_django_csp_4(settings: Mapping[str, object]) -> bool:
    return any(
        isinstance(value, Mapping) and {str(k) for k in value} & _DJANGO_CSP_KEYS
        for value in settings.values()
    )


def convert(settings: Mapping[str, object], source: Source | None = None) -> Converted:
    """Convert a peer's settings to our configuration format.

    ``source`` is one of :data:`SOURCES`; ``None`` detects it. The result's ``config``
    builds with ``Secure.from_config``; ``notes`` say what has no equivalent.
    """
    if not isinstance(settings, Mapping):
        raise ValueError(f"expected a mapping of settings, got {type(settings).__name__}")
    found = source or detect(settings)
    if found is None:
        raise ValueError(
            "these settings are not a django-csp, Django, flask-talisman or helmet shape; "
            f"name the source ({', '.join(SOURCES)})"
        )
    if found not in SOURCES:
        raise ValueError(f"unknown source {found!r}: choose one of {', '.join(SOURCES)}")
    notes: list[str] = []
    config: dict[str, object] = {"preset": "balanced"}
    if found in ("django-csp", "django"):
        _from_django(settings, config, notes)
    elif found == "talisman":
        _from_talisman(settings, config, notes)
    else:
        _from_helmet(settings, config, notes)
    return Converted(config, found, notes)


# -- CSP ------------------------------------------------------------------------------------


def _sources(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        items: list[object] = list(value.split())
    elif isinstance(value, (set, frozenset)):
        # Django 6 sorts a set-valued directive (django.utils.csp.build_policy), so the
        # header is the same in every process, whatever the string hash seed.
        items = sorted(value, key=str)
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif value is True:
        return []
    else:
        raise ValueError(f"{where}: expected a list of sources, got {value!r}")
    out = []
    for item in items:
        text = str(item)
        out.append(NONCE if text in _NONCE_SENTINELS or type(item).__name__ == "Nonce" else text)
    return out


def _policy(directives: Mapping[str, object], where: str) -> str:
    """A directive table as one policy string (replacing a preset's policy, not merging)."""
    parts = []
    for name, value in directives.items():
        directive = re.sub(r"(?<!^)([A-Z])", r"-\1", str(name)).lower().replace("_", "-")
        if value is False or value is None:
            continue
        parts.append(" ".join([directive, *_sources(value, f"{where}.{name}")]))
    return "; ".join(parts)


def _from_django(
    settings: Mapping[str, object], config: dict[str, object], notes: list[str]
) -> None:
    tables: dict[str, object]
    if set(map(str, settings)) <= set(_DJANGO_SETTINGS):
        tables = {_DJANGO_SETTINGS[str(k)]: v for k, v in settings.items()}
    else:
        tables = {"csp": settings}
    for key, table in tables.items():
        if not isinstance(table, Mapping):
            raise ValueError(f"{key}: expected a dict of directives, got {table!r}")
        directives = table.get("DIRECTIVES", table)
        if not isinstance(directives, Mapping):
            raise ValueError(f"DIRECTIVES: expected a dict, got {directives!r}")
        config[key] = _policy(directives, key)
        if table.get("EXCLUDE_URL_PREFIXES"):
            notes.append(
                "EXCLUDE_URL_PREFIXES: exempt those URLs in your framework package "
                "(e.g. secure_django's per-view exemptions)"
            )
        if "REPORT_PERCENTAGE" in table:
            notes.append("REPORT_PERCENTAGE: not supported; every violation is reported")


# -- flask-talisman --------------------------------------------------------------------------


def _talisman_permissions(value: object) -> str:
    """The policy as one string: it replaces the preset's, as talisman's did."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        raise ValueError(f"permissions_policy: expected a dict or a string, got {value!r}")
    members = []
    for feature, allow in value.items():
        text = str(allow).strip()
        members.append(f"{feature}={text if text.startswith('(') or text == '*' else f'({text})'}")
    return ", ".join(members)


def _from_talisman(
    settings: Mapping[str, object], config: dict[str, object], notes: list[str]
) -> None:
    get = settings.get
    csp = get("content_security_policy")
    key = "csp_report_only" if get("content_security_policy_report_only") else "csp"
    if csp is not None and csp is not False:
        policy = csp if isinstance(csp, str) else _policy(_mapping(csp, "csp"), key)
        if get("content_security_policy_report_uri"):
            policy += f"; report-uri {get('content_security_policy_report_uri')}"
        config[key] = policy
    elif csp is False:
        config["csp"] = False
    nonce_in = get("content_security_policy_nonce_in")
    if nonce_in:
        config["nonce"] = list(_sources(nonce_in, "content_security_policy_nonce_in"))
    frame = get("frame_options")
    if frame is not None:
        if str(frame).upper().startswith("ALLOW-FROM"):
            notes.append(
                "frame_options ALLOW-FROM: browsers ignore it; allow the framing origin in "
                "the CSP's frame-ancestors directive instead"
            )
            config["xfo"] = False
        else:
            config["xfo"] = str(frame).upper() if frame else False
    if get("strict_transport_security") is False:
        config["hsts"] = False
    elif any(k.startswith("strict_transport_security") for k in map(str, settings)):
        config["hsts"] = {
            "max_age": int(str(get("strict_transport_security_max_age", 31556926))),
            "include_subdomains": bool(get("strict_transport_security_include_subdomains", True)),
            "preload": bool(get("strict_transport_security_preload", False)),
        }
    if "referrer_policy" in settings:
        config["referrer"] = get("referrer_policy") or False
    if "permissions_policy" in settings:
        config["permissions"] = _talisman_permissions(get("permissions_policy"))
    if get("x_content_type_options") is False:
        config["xcto"] = False
    if get("x_xss_protection"):
        notes.append(
            "x_xss_protection: we send no X-XSS-Protection by default (the auditor it "
            "enabled was itself exploitable); BASIC sends 'X-XSS-Protection: 0'"
        )
    for name, note in (
        ("feature_policy", "Feature-Policy is obsolete; use Permissions-Policy ('permissions')"),
        ("document_policy", "Document-Policy: set it under 'custom' if you need it"),
        ("force_https", "force_https: use your framework package's HTTPS redirect"),
        ("force_file_save", "force_file_save: set Content-Disposition on those responses"),
        ("session_cookie_secure", "session cookies: set them in your framework's settings"),
    ):
        if name in settings:
            notes.append(note)


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a dict, got {value!r}")
    return value


# -- helmet ------------------------------------------------------------------------------------


def _from_helmet(
    settings: Mapping[str, object], config: dict[str, object], notes: list[str]
) -> None:
    custom: dict[str, str] = {}
    for option, value in settings.items():
        key = _HELMET[str(option)]
        if value is False:
            if key.startswith(("X-", "Origin")):
                continue  # a header we do not send by default anyway
            config[key] = False
            continue
        options = value if isinstance(value, Mapping) else {}
        if key == "csp":
            directives = _mapping(options.get("directives", {}), f"{option}.directives")
            config["csp"] = _policy(directives, "csp")
            if options.get("reportOnly"):
                config["csp_report_only"] = config.pop("csp")
        elif key in ("coep", "coop", "corp"):
            if "policy" in options:
                config[key] = str(options["policy"])
        elif key == "referrer":
            policy = options.get("policy")
            if isinstance(policy, str):
                config["referrer"] = policy
            elif isinstance(policy, (list, tuple)):
                config["referrer"] = ", ".join(str(p) for p in policy)
        elif key == "hsts":
            config["hsts"] = {
                "max_age": int(str(options.get("maxAge", 31536000))),
                "include_subdomains": bool(options.get("includeSubDomains", True)),
                "preload": bool(options.get("preload", False)),
            }
        elif key == "xfo":
            config["xfo"] = str(options.get("action", "sameorigin")).upper()
        elif key == "xdfc":
            config["xdfc"] = "on" if options.get("allow") else "off"
        elif key == "xpcdp":
            config["xpcdp"] = str(options.get("permittedPolicies", "none"))
        elif key == "xcto":
            config["xcto"] = "nosniff"
        elif key == "Origin-Agent-Cluster":
            custom[key] = "?1"
        elif key == "X-Download-Options":
            custom[key] = "noopen"
        elif key == "X-XSS-Protection":
            custom[key] = "0"
        elif key == "X-Powered-By":
            notes.append("X-Powered-By: Python servers do not send it; nothing to remove")
    if custom:
        config["custom"] = custom


def as_json(config: Mapping[str, object]) -> str:
    """The configuration as indented JSON."""
    return json.dumps(config, indent=2)
