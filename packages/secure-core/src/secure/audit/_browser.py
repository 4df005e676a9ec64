"""Framing, sniffing, referrer, cross-origin isolation and Permissions-Policy rules."""

from __future__ import annotations

from typing import Final

from secure._structured_field import InnerList, parse_dictionary, parse_item
from secure.audit._core import MDN, Report, Response, check, reports, rule
from secure.audit._csp import parse_policies
from secure.headers.referrer_policy import TOKENS as REFERRER_TOKENS

_XFO: Final = "X-Frame-Options"
_XCTO: Final = "X-Content-Type-Options"

# -- framing ---------------------------------------------------------------------------------

FRAME_PROTECTION_MISSING: Final = rule(
    "frame-protection-missing",
    "medium",
    _XFO,
    "Neither X-Frame-Options nor a CSP frame-ancestors directive: any site can frame "
    "the page (clickjacking).",
    f"{MDN}X-Frame-Options",
)
XFO_INVALID: Final = rule(
    "xfo-invalid",
    "medium",
    _XFO,
    "X-Frame-Options is not exactly one of DENY or SAMEORIGIN (ALLOW-FROM, ALLOWALL or "
    "conflicting values): browsers ignore it.",
    "https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header",
)


@check
def _framing(response: Response, report: Report) -> None:
    # CSP3 §6.4.2 / HTML: with frame-ancestors in an enforced policy, X-Frame-Options is
    # ignored, so frame-ancestors alone decides.
    policies = response.parsed("content-security-policy", parse_policies)
    if any("frame-ancestors" in policy for policy in policies):
        return
    xfo = response.get("x-frame-options")
    if not xfo:
        report.add(FRAME_PROTECTION_MISSING, "no X-Frame-Options and no CSP frame-ancestors")
        return
    # HTML "X-Frame-Options" processing: all fields form one comma-separated list; it
    # protects only if every value is the same, DENY or SAMEORIGIN (ASCII case-insensitive).
    values = {v.strip(" \t").lower() for field in xfo for v in field.split(",")}
    if len(values) != 1 or not values <= {"deny", "sameorigin"}:
        shown = ", ".join(xfo)[:80]
        report.add(XFO_INVALID, f"browsers ignore X-Frame-Options {shown!r}")


# -- X-Content-Type-Options ------------------------------------------------------------------

XCTO_MISSING: Final = rule(
    "xcto-missing",
    "low",
    _XCTO,
    "No X-Content-Type-Options: nosniff: browsers may sniff an upload or a JSON "
    "response into HTML or script.",
    "https://fetch.spec.whatwg.org/#x-content-type-options-header",
)
XCTO_INVALID: Final = rule(
    "xcto-invalid",
    "low",
    _XCTO,
    "X-Content-Type-Options is not nosniff, its only value, so browsers ignore it.",
    "https://fetch.spec.whatwg.org/#x-content-type-options-header",
)


@reports(XCTO_MISSING)
def _nosniff_missing(response: Response) -> str | None:
    return None if response.get("x-content-type-options") else "no X-Content-Type-Options: nosniff"


@reports(XCTO_INVALID)
def _nosniff_invalid(response: Response) -> str | None:
    values = response.get("x-content-type-options")
    # Fetch: the first value of the combined list must be "nosniff" (case-insensitive).
    if not values or values[0].split(",")[0].strip(" \t").lower() == "nosniff":
        return None
    return f"X-Content-Type-Options is {values[0][:40]!r}, not nosniff"


# -- Referrer-Policy -------------------------------------------------------------------------

REFERRER_UNSAFE_URL: Final = rule(
    "referrer-unsafe-url",
    "medium",
    "Referrer-Policy",
    "Referrer-Policy unsafe-url sends full URLs (paths, query strings, tokens) to every "
    "site, even over plain HTTP.",
    "https://www.w3.org/TR/referrer-policy/#referrer-policy-unsafe-url",
)
REFERRER_LEAKS_URL: Final = rule(
    "referrer-leaks-url",
    "low",
    "Referrer-Policy",
    "Referrer-Policy no-referrer-when-downgrade sends full URLs to other HTTPS sites.",
    "https://www.w3.org/TR/referrer-policy/#referrer-policy-no-referrer-when-downgrade",
)


@check
def _referrer(response: Response, report: Report) -> None:
    # Referrer Policy §8.1: the last token that is a policy wins (tokens match exactly).
    policy = None
    for value in response.get("referrer-policy"):
        for token in value.split(","):
            token = token.strip(" \t")
            if token in REFERRER_TOKENS:
                policy = token
    if policy == "unsafe-url":
        report.add(REFERRER_UNSAFE_URL, "Referrer-Policy is unsafe-url")
    elif policy == "no-referrer-when-downgrade":
        report.add(REFERRER_LEAKS_URL, "Referrer-Policy is no-referrer-when-downgrade")


# -- cross-origin isolation ------------------------------------------------------------------

COEP_WITHOUT_COOP: Final = rule(
    "coep-without-coop",
    "low",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Embedder-Policy without Cross-Origin-Opener-Policy: same-origin: the "
    "page pays COEP's restrictions but never becomes cross-origin isolated.",
    "https://developer.mozilla.org/en-US/docs/Web/API/Window/crossOriginIsolated",
)


def _item_token(values: list[str]) -> str | None:
    """The token of an RFC 9651 Item field (COOP, COEP), or None when absent or invalid.

    HTML parses these headers as structured-field Items, and a value that does not parse
    counts as no header at all.
    """
    if not values:
        return None
    try:
        item = parse_item("", values[0])
    except ValueError:
        return None
    return item.text if item.kind == "token" else None


@check
def _isolation(response: Response, report: Report) -> None:
    coep = _item_token(response.get("cross-origin-embedder-policy"))
    coop = _item_token(response.get("cross-origin-opener-policy"))
    if coep in ("require-corp", "credentialless") and coop != "same-origin":
        shown = "absent or invalid" if coop is None else repr(coop[:40])
        report.add(
            COEP_WITHOUT_COOP,
            f"COEP {coep} with Cross-Origin-Opener-Policy {shown}: not cross-origin isolated",
        )


# -- Permissions-Policy ----------------------------------------------------------------------

PERMISSIONS_WILDCARD: Final = rule(
    "permissions-wildcard",
    "low",
    "Permissions-Policy",
    "A powerful feature (camera, microphone, geolocation, ...) is delegated to every "
    "origin with *.",
    f"{MDN}Permissions-Policy",
)
PERMISSIONS_INVALID: Final = rule(
    "permissions-invalid",
    "low",
    "Permissions-Policy",
    "Permissions-Policy is not an RFC 9651 dictionary, so browsers ignore all of it.",
    "https://www.w3.org/TR/permissions-policy/#structured-header-serialization",
)
# Features that reach the user's devices, data or money: delegating them to every
# origin is worth a look. Each is a PermissionsPolicy method (a test checks).
POWERFUL_FEATURES: Final = frozenset(
    {
        "bluetooth",
        "camera",
        "clipboard-read",
        "display-capture",
        "geolocation",
        "hid",
        "idle-detection",
        "local-fonts",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    }
)


@check
def _permissions(response: Response, report: Report) -> None:
    wildcards: list[str] = []
    for value in response.get("permissions-policy"):
        try:
            members = parse_dictionary("Permissions-Policy", value) if value else []
        except ValueError:
            report.add(PERMISSIONS_INVALID, f"browsers ignore {value[:80]!r}")
            continue
        for feature, member in members:
            items = member.items if isinstance(member, InnerList) else (member,)
            # Permissions Policy: the token * (alone or in the list) allows every origin.
            if feature in POWERFUL_FEATURES and any(
                i.kind == "token" and i.text == "*" for i in items
            ):
                wildcards.append(feature)
    if wildcards:
        report.add(PERMISSIONS_WILDCARD, f"{', '.join(wildcards)} allowed for every origin")
