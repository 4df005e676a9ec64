"""System checks for ``SECURE_HEADERS``: ``manage.py check`` and ``check --deploy``.

Every message has a stable id so a project can silence it with
``SILENCED_SYSTEM_CHECKS``; the Django guide lists them all:
<https://typeerror.github.io/secure/frameworks/django/#system-checks>.

- ``E001``: the configuration is invalid.
- ``W001``-``W003``: the middleware is missing, listed twice, or placed where some
  responses never reach it.
- ``W004``: the per-site cache would store pages whose policy has a nonce.
- ``W010``-``W014``: one of Django's own header settings, written in the project's
  settings, asks for another value than ``SECURE_HEADERS`` sends (Django's defaults
  are not a clash: they only reach views exempted from our header).
- ``W015``-``W018``: Django 6's CSP, or another package's middleware, configures a
  header ``SECURE_HEADERS`` sends.
- ``W019``-``W020``: Django 6's ``SECURE_CSP`` sent twice, or read by nothing.
- ``W100``-``W127`` (``--deploy``): weak settings, found by ``secure.audit``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from secure import Secure
from secure._docs import docs_url
from secure_django._conf import EXCLUDE_SETTING, SETTING, get_exclude, get_secure
from secure_django._django_csp import HAS_DJANGO_CSP, USE_SETTING

__all__ = [
    "check_cached_nonce",
    "check_clashes",
    "check_configuration",
    "check_django_csp",
    "check_middleware",
    "check_weak_settings",
]

MIDDLEWARE_PATH: Final = "secure_django.middleware.SecureHeadersMiddleware"
_MIDDLEWARE_ALIASES: Final = frozenset({MIDDLEWARE_PATH, "secure_django.SecureHeadersMiddleware"})

_CACHE_MIDDLEWARE: Final = frozenset(
    {
        "django.middleware.cache.UpdateCacheMiddleware",
        "django.middleware.cache.CacheMiddleware",
    }
)
_SECURITY_MIDDLEWARE: Final = "django.middleware.security.SecurityMiddleware"
_XFRAME_MIDDLEWARE: Final = "django.middleware.clickjacking.XFrameOptionsMiddleware"
_DJANGO_CSP_MIDDLEWARE: Final = "django.middleware.csp.ContentSecurityPolicyMiddleware"
_DJANGO_CSP_CONTEXT_PROCESSOR: Final = "django.template.context_processors.csp"
_OUR_CONTEXT_PROCESSOR: Final = "secure_django.context_processors.csp_nonce"

# Middleware that answer some requests themselves, or replace the response, so a
# middleware listed after them never sees those responses.
_RESPONSE_MAKERS: Final[Mapping[str, str]] = {
    "django.middleware.common.CommonMiddleware": "APPEND_SLASH and PREPEND_WWW redirects",
    "django.middleware.http.ConditionalGetMiddleware": "304 Not Modified responses",
    "django.middleware.locale.LocaleMiddleware": "language-prefix redirects",
    "django.middleware.cache.FetchFromCacheMiddleware": "responses served from the cache",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware": "flat pages",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware": "redirects",
}

# Other packages' middleware that set a header SECURE_HEADERS also sets.
_OTHER_HEADER_MIDDLEWARE: Final[Mapping[str, str]] = {
    "csp.middleware.CSPMiddleware": "Content-Security-Policy",
    "django_permissions_policy.PermissionsPolicyMiddleware": "Permissions-Policy",
}

# -- messages -----------------------------------------------------------------------------

#: ``SECURE_HEADERS`` is invalid (unknown key, bad value, wrong type).
E001: Final = "secure_django.E001"

W001 = Warning(
    f"'{MIDDLEWARE_PATH}' is not in MIDDLEWARE, so no response gets the headers "
    f"configured in {SETTING}.",
    hint=f"Add '{MIDDLEWARE_PATH}' to MIDDLEWARE, right after '{_SECURITY_MIDDLEWARE}'.",
    id="secure_django.W001",
)
W002 = Warning(
    "SecureHeadersMiddleware is listed more than once in MIDDLEWARE.",
    hint="Keep a single entry, near the top of MIDDLEWARE.",
    id="secure_django.W002",
)
#: The middleware comes after one that answers some requests itself.
W003: Final = "secure_django.W003"

#: The per-site cache stores pages whose Content-Security-Policy has a nonce.
W004: Final = "secure_django.W004"

#: A setting one typo away from one of ours (``SECURE_HEADER``), which nothing reads.
W005: Final = "secure_django.W005"

#: Django's SECURE_HSTS_SECONDS (and friends) send another Strict-Transport-Security.
W010: Final = "secure_django.W010"
#: Django's SECURE_CONTENT_TYPE_NOSNIFF sends another X-Content-Type-Options.
W011: Final = "secure_django.W011"
#: Django's SECURE_REFERRER_POLICY sends another Referrer-Policy.
W012: Final = "secure_django.W012"
#: Django's SECURE_CROSS_ORIGIN_OPENER_POLICY sends another Cross-Origin-Opener-Policy.
W013: Final = "secure_django.W013"
#: Django's XFrameOptionsMiddleware sends another X-Frame-Options.
W014: Final = "secure_django.W014"

W015 = Warning(
    f"Django's ContentSecurityPolicyMiddleware and {SETTING} both configure "
    "Content-Security-Policy. SecureHeadersMiddleware's policy is the one sent: "
    "SECURE_CSP has no effect, and neither has Django's csp_override decorator.",
    hint=f"Move the policy into {SETTING}['csp'], then remove SECURE_CSP and "
    f"'{_DJANGO_CSP_MIDDLEWARE}'.",
    id="secure_django.W015",
)
W016 = Warning(
    f"Django's ContentSecurityPolicyMiddleware and {SETTING} both configure "
    "Content-Security-Policy-Report-Only. SecureHeadersMiddleware's policy is the one "
    "sent: SECURE_CSP_REPORT_ONLY has no effect.",
    hint=f"Move the policy into {SETTING}['csp_report_only'], then remove SECURE_CSP_REPORT_ONLY.",
    id="secure_django.W016",
)
W017 = Warning(
    f"'{_DJANGO_CSP_CONTEXT_PROCESSOR}' is in TEMPLATES: it sets {{{{ csp_nonce }}}} to "
    "Django's own nonce, which is not the nonce SecureHeadersMiddleware sends, so inline "
    "scripts using it are blocked.",
    hint=f"Replace it with '{_OUR_CONTEXT_PROCESSOR}'.",
    id="secure_django.W017",
)
#: Another package's middleware sets a header SECURE_HEADERS sets.
W018: Final = "secure_django.W018"

W019 = Warning(
    f"{USE_SETTING} = True makes SecureHeadersMiddleware send SECURE_CSP and "
    f"SECURE_CSP_REPORT_ONLY, and '{_DJANGO_CSP_MIDDLEWARE}' in MIDDLEWARE sends them too, "
    "with a nonce of its own: pages carry two policies whose nonces differ.",
    hint=f"Remove '{_DJANGO_CSP_MIDDLEWARE}' from MIDDLEWARE.",
    id="secure_django.W019",
)
#: SECURE_CSP (or SECURE_CSP_REPORT_ONLY) is set and nothing reads it.
W020: Final = "secure_django.W020"

#: A weak setting ``secure.audit`` found that has no id of its own below.
W100: Final = "secure_django.W100"

#: ``secure.audit`` rule -> check id, for the rules that warn (high and medium).
AUDIT_IDS: Final[Mapping[str, str]] = {
    "csp-unsafe-inline": "secure_django.W101",
    "hsts-short-max-age": "secure_django.W102",
    "hsts-preload-requirements": "secure_django.W103",
    "csp-missing": "secure_django.W104",
    "csp-report-only": "secure_django.W105",
    "csp-script-unrestricted": "secure_django.W106",
    "csp-unsafe-eval": "secure_django.W107",
    "csp-script-wildcard": "secure_django.W108",
    "csp-script-data": "secure_django.W109",
    "csp-script-http": "secure_django.W110",
    "csp-strict-dynamic-without-nonce": "secure_django.W111",
    "csp-weak-nonce": "secure_django.W112",
    "csp-object-src-missing": "secure_django.W113",
    "csp-base-uri-missing": "secure_django.W114",
    "csp-frame-ancestors-wildcard": "secure_django.W115",
    "csp-unquoted-keyword": "secure_django.W116",
    "hsts-missing": "secure_django.W117",
    "hsts-invalid": "secure_django.W118",
    "frame-protection-missing": "secure_django.W119",
    "xfo-invalid": "secure_django.W120",
    "xxss-enabled": "secure_django.W121",
    "referrer-unsafe-url": "secure_django.W122",
    "cors-null-origin": "secure_django.W123",
    "duplicate-header": "secure_django.W124",
    "csp-script-gadget-host": "secure_django.W125",
    "csp-object-src-wildcard": "secure_django.W126",
    "csp-nonce-without-base-uri": "secure_django.W127",
}
# Low and info findings (e.g. BALANCED's style-src 'unsafe-inline') are left to
# `secure check` and Secure.audit(); a deployment check warns about what matters.
_WARN_SEVERITIES: Final = frozenset({"high", "medium"})

# -- what is configured -------------------------------------------------------------------


class _DjangoHeader(NamedTuple):
    """A header one of Django's own settings makes Django send."""

    check_id: str
    header: str
    value: str
    #: The settings the value comes from; the first one names it in messages.
    settings: tuple[str, ...]


def _middleware() -> list[str]:
    return list(getattr(settings, "MIDDLEWARE", None) or ())


def _is_ours(path: str) -> bool:
    if path in _MIDDLEWARE_ALIASES:
        return True
    # A project's subclass, e.g. "myproject.middleware.SecureHeaders".
    from secure_django.middleware import SecureHeadersMiddleware

    try:
        cls = import_string(path)
    except ImportError:
        return False
    return isinstance(cls, type) and issubclass(cls, SecureHeadersMiddleware)


def _secure() -> Secure | None:
    """The configured ``Secure``, or ``None`` if the setting is invalid (see E001)."""
    try:
        return get_secure()
    except ImproperlyConfigured:
        return None


def _sent(secure: Secure) -> dict[str, tuple[str, str]]:
    """Lower-case name -> (name, value) of what the middleware sends; a nonce slot
    shows as ``'nonce-{nonce}'``."""
    return {name.lower(): (name, value) for name, value, _ in secure.snapshot().items}


def _context_processors() -> Iterable[str]:
    for backend in getattr(settings, "TEMPLATES", None) or ():
        options = backend.get("OPTIONS") or {}
        yield from options.get("context_processors") or ()


def _django_headers() -> list[_DjangoHeader]:
    """The headers Django's SecurityMiddleware and XFrameOptionsMiddleware would send,
    rendered the way those middleware render them."""
    middleware = _middleware()
    found: list[_DjangoHeader] = []
    if _SECURITY_MIDDLEWARE in middleware:
        seconds = getattr(settings, "SECURE_HSTS_SECONDS", 0)
        if seconds:
            value = f"max-age={seconds}"
            if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
                value += "; includeSubDomains"
            if getattr(settings, "SECURE_HSTS_PRELOAD", False):
                value += "; preload"
            found.append(_DjangoHeader(W010, "Strict-Transport-Security", value, _HSTS_SETTINGS))
        if getattr(settings, "SECURE_CONTENT_TYPE_NOSNIFF", False):
            found.append(
                _DjangoHeader(
                    W011, "X-Content-Type-Options", "nosniff", ("SECURE_CONTENT_TYPE_NOSNIFF",)
                )
            )
        referrer = getattr(settings, "SECURE_REFERRER_POLICY", None)
        if referrer:
            tokens = referrer.split(",") if isinstance(referrer, str) else referrer
            value = ",".join(token.strip() for token in tokens)
            found.append(_DjangoHeader(W012, "Referrer-Policy", value, ("SECURE_REFERRER_POLICY",)))
        coop = getattr(settings, "SECURE_CROSS_ORIGIN_OPENER_POLICY", None)
        if coop:
            found.append(
                _DjangoHeader(
                    W013,
                    "Cross-Origin-Opener-Policy",
                    str(coop),
                    ("SECURE_CROSS_ORIGIN_OPENER_POLICY",),
                )
            )
    if _XFRAME_MIDDLEWARE in middleware:
        value = str(getattr(settings, "X_FRAME_OPTIONS", "DENY")).upper()
        found.append(_DjangoHeader(W014, "X-Frame-Options", value, ("X_FRAME_OPTIONS",)))
    return found


_HSTS_SETTINGS: Final = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)
# The values Django's settings accept for these headers (Django refuses others with
# security.E023 and security.E024).
_DJANGO_XFO: Final = frozenset({"DENY", "SAMEORIGIN"})
_DJANGO_COOP: Final = frozenset({"same-origin", "same-origin-allow-popups", "unsafe-none"})


def _equal_settings(header: str, ours: str) -> dict[str, object] | None:
    """Django's settings that make Django's middleware send ``ours`` for ``header``, or
    ``None`` where no value of theirs does."""
    if header == "Strict-Transport-Security":
        parts = [part.lower() for part in _SEPARATORS.split(ours.strip()) if part]
        max_age = next((p.partition("=")[2] for p in parts if p.startswith("max-age=")), "")
        if not max_age.isdigit():
            return None
        return {
            "SECURE_HSTS_SECONDS": int(max_age),
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "includesubdomains" in parts,
            "SECURE_HSTS_PRELOAD": "preload" in parts,
        }
    if header == "X-Content-Type-Options":
        return {"SECURE_CONTENT_TYPE_NOSNIFF": ours.strip().lower() == "nosniff"}
    if header == "Referrer-Policy":
        return {"SECURE_REFERRER_POLICY": ours}
    if header == "Cross-Origin-Opener-Policy" and ours in _DJANGO_COOP:
        return {"SECURE_CROSS_ORIGIN_OPENER_POLICY": ours}
    if header == "X-Frame-Options" and ours.upper() in _DJANGO_XFO:
        return {"X_FRAME_OPTIONS": ours.upper()}
    return None


def _clash_hint(django: _DjangoHeader, ours: str) -> str:
    equal = _equal_settings(django.header, ours)
    if equal is None:
        return (
            f"Remove {django.settings[0]} from your settings, or send the header from "
            f"{SETTING} with a value Django's setting can express."
        )
    assignments = "; ".join(f"{name} = {value!r}" for name, value in equal.items())
    return (
        f"Give Django's setting the value {SETTING} sends ({assignments}), so that "
        "Django's own check --deploy judges the header actually sent."
    )


def _django_csp_active(setting: str) -> bool:
    return bool(getattr(settings, setting, None)) and _DJANGO_CSP_MIDDLEWARE in _middleware()


_SEPARATORS: Final = re.compile(r"\s*[;,]\s*")


def _same_value(header: str, ours: str, theirs: str) -> bool:
    """True when two values of ``header`` mean the same to a browser.

    Tokens and directive names are case-insensitive (RFC 9110 §5.6.2; RFC 6797 §6.1
    for HSTS, whose directives may come in any order). Referrer-Policy is an ordered
    fallback list (Referrer Policy §11.1, "Unknown Policy Values"), so order counts.
    """
    a = [part.lower() for part in _SEPARATORS.split(ours.strip()) if part]
    b = [part.lower() for part in _SEPARATORS.split(theirs.strip()) if part]
    if header == "Strict-Transport-Security":
        return sorted(a) == sorted(b)
    return a == b


# -- checks -------------------------------------------------------------------------------


@register(Tags.security)
def check_configuration(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """E001: ``SECURE_HEADERS`` (and ``SECURE_HEADERS_EXCLUDE``) must be valid."""
    try:
        get_secure()
    except ImproperlyConfigured as exc:
        hint = (
            f"{SETTING} takes a preset name, a secure.Secure, or a dict in the shared "
            f"configuration format ({docs_url('configuration.md')})."
        )
        return [Error(str(exc), hint=hint, id=E001)]
    try:
        get_exclude()
    except ImproperlyConfigured as exc:
        hint = f"{EXCLUDE_SETTING} takes a list of URL path prefixes such as ['/admin/']."
        return [Error(str(exc), hint=hint, id=E001)]
    return []


# Ours, which a near-miss is compared with; Django's own SECURE_* settings are not near
# enough to them to be taken for a typo (SECURE_HSTS_SECONDS, SECURE_CSP, ...).
_OUR_SETTINGS: Final = (
    "SECURE_HEADERS",
    "SECURE_HEADERS_EXCLUDE",
    "SECURE_HEADERS_REPORTS",
    USE_SETTING,
)


@register(Tags.security)
def check_misspelt_settings(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """A ``SECURE_*`` setting close to one of ours is a typo that leaves ours unset."""
    from secure._suggest import closest

    messages: list[CheckMessage] = []
    for name in dir(settings):
        if not name.startswith("SECURE_") or name in _OUR_SETTINGS:
            continue
        near = closest(name, _OUR_SETTINGS, cutoff=0.85)
        if near is not None:
            messages.append(
                Warning(
                    f"{name} is not a secure_django setting and nothing reads it.",
                    hint=f"Did you mean {near}?",
                    id=W005,
                )
            )
    return messages


@register(Tags.security)
def check_middleware(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """W001-W003: the middleware is installed once, above any middleware that answers
    requests itself."""
    middleware = _middleware()
    positions = [i for i, path in enumerate(middleware) if _is_ours(path)]
    if not positions:
        return [W001]
    messages: list[CheckMessage] = []
    if len(positions) > 1:
        messages.append(W002)
    for path in middleware[: positions[0]]:
        what = _RESPONSE_MAKERS.get(path)
        if what is not None:
            messages.append(
                Warning(
                    f"SecureHeadersMiddleware comes after '{path}' in MIDDLEWARE, so the "
                    f"responses that middleware returns itself ({what}) get no security "
                    "headers.",
                    hint=f"Move SecureHeadersMiddleware above '{path}', right after "
                    f"'{_SECURITY_MIDDLEWARE}'.",
                    id=W003,
                )
            )
    return messages


@register(Tags.security, Tags.caches)
def check_cached_nonce(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """W004: the per-site cache and a nonce slot in the project's policy.

    A cached page keeps the nonce of the request that filled the cache: served again
    with the same header it replays the nonce (CSP3 §7.1, "Nonce Reuse": a new value
    each time a policy is sent), with a new one its own scripts are blocked.
    """
    cached = [path for path in _middleware() if path in _CACHE_MIDDLEWARE]
    secure = _secure()
    if not cached or secure is None or not secure.snapshot().needs_nonce:
        return []
    return [
        Warning(
            f"'{cached[0]}' caches every page, and the Content-Security-Policy of "
            f"{SETTING} has a nonce: a cached page is served with the nonce of the request "
            "that filled the cache.",
            hint="Use the per-view cache (cache_page) only on views without a nonce slot "
            "(exempt or replace their CSP), or a policy with hashes instead of a nonce; "
            f"see {docs_url('frameworks/django.md#caching')}.",
            id=W004,
        )
    ]


@register(Tags.security)
def check_clashes(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """W010-W014, W018: another middleware would send a header SECURE_HEADERS sends.

    Django's SecurityMiddleware only fills headers a response lacks and its
    XFrameOptionsMiddleware skips responses that have the header, so, in either order in
    MIDDLEWARE, the value of SECURE_HEADERS is the one sent; the Django setting only
    shows on views exempted from that header. W010-W014 report a Django setting the
    project set to another value; equal values, a setting that turns Django's header
    off, and Django's defaults are not a clash.
    """
    secure = _secure()
    if secure is None:
        return []
    sent = _sent(secure)
    messages: list[CheckMessage] = []
    for django in _django_headers():
        ours = sent.get(django.header.lower())
        if ours is None or _same_value(django.header, ours[1], django.value):
            continue
        # Django's defaults (SECURE_REFERRER_POLICY = "same-origin", X_FRAME_OPTIONS =
        # "DENY", ...) are not a choice the project made: they only fill the views
        # exempted from our header, as they would without us. A value the project wrote
        # in its settings and that is never sent is dead configuration.
        if not any(settings.is_overridden(name) for name in django.settings):
            continue
        setting = django.settings[0]
        messages.append(
            Warning(
                f"{setting} asks Django to send '{django.header}: {django.value}', but "
                f"{SETTING} sends '{django.header}: {ours[1]}'. Django's middleware only "
                "add a header a response lacks, so SecureHeadersMiddleware's value is the "
                f"one sent; {setting} only reaches views exempted from {django.header}.",
                hint=_clash_hint(django, ours[1]),
                id=django.check_id,
            )
        )
    for path in _middleware():
        other = _OTHER_HEADER_MIDDLEWARE.get(path)
        if other is not None and other.lower() in sent:
            messages.append(
                Warning(
                    f"'{path}' in MIDDLEWARE also sets {other}, which {SETTING} sends: two "
                    "middleware configure one header.",
                    hint=f"Move its settings into {SETTING} (see the migration table at "
                    f"{docs_url('frameworks/django.md#migrating')}) and remove it from "
                    "MIDDLEWARE.",
                    id=W018,
                )
            )
    return messages


@register(Tags.security)
def check_django_csp(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """W015-W017, W019, W020: Django 6's own CSP configured next to SECURE_HEADERS."""
    messages: list[CheckMessage] = []
    secure = _secure()
    opted_in = getattr(settings, USE_SETTING, False) is True
    if opted_in:
        if _DJANGO_CSP_MIDDLEWARE in _middleware():
            messages.append(W019)
    elif HAS_DJANGO_CSP and _DJANGO_CSP_MIDDLEWARE not in _middleware():
        messages += [
            Warning(
                f"{name} is set, but nothing reads it: '{_DJANGO_CSP_MIDDLEWARE}' is not in "
                f"MIDDLEWARE and {USE_SETTING} is not True, so its policy is never sent.",
                hint=f"Set {USE_SETTING} = True to send it from SecureHeadersMiddleware, or "
                f"move the policy into {SETTING} and remove {name}.",
                id=W020,
            )
            for name in ("SECURE_CSP", "SECURE_CSP_REPORT_ONLY")
            if getattr(settings, name, None)
        ]
    if secure is not None and not opted_in:
        sent = _sent(secure)
        if _django_csp_active("SECURE_CSP") and "content-security-policy" in sent:
            messages.append(W015)
        if (
            _django_csp_active("SECURE_CSP_REPORT_ONLY")
            and "content-security-policy-report-only" in sent
        ):
            messages.append(W016)
    if _DJANGO_CSP_CONTEXT_PROCESSOR in _context_processors():
        messages.append(W017)
    return messages


@register(Tags.security, deploy=True)
def check_weak_settings(app_configs: Sequence[Any] | None, **kwargs: Any) -> list[CheckMessage]:
    """W100-W127 (``--deploy``): weak settings, as ``secure.audit`` judges them.

    The audit reads what responses will carry: the headers of SECURE_HEADERS, plus the
    ones Django's own settings add where SECURE_HEADERS sends none.
    """
    from secure.audit import RULES, audit_headers

    secure = _secure()
    if secure is None:
        return []
    sent = _sent(secure)
    items = list(sent.values())
    items += [(d.header, d.value) for d in _django_headers() if d.header.lower() not in sent]
    # Django 6 renders SECURE_CSP itself; it is Django's policy to judge, not ours.
    skip_csp = "content-security-policy" not in sent and _django_csp_active("SECURE_CSP")
    messages: list[CheckMessage] = []
    for finding in audit_headers(items):
        if finding.severity not in _WARN_SEVERITIES:
            continue
        if skip_csp and finding.header == "Content-Security-Policy":
            continue
        rule = RULES.get(finding.rule)
        why = f" {rule.summary}" if rule is not None else ""
        messages.append(
            Warning(
                f"{finding.header}: {finding.message} [{finding.rule}].{why}",
                hint=f"Adjust {SETTING}; see {finding.reference}",
                id=AUDIT_IDS.get(finding.rule, W100),
            )
        )
    return messages
