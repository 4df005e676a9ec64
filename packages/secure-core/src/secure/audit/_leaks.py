"""Legacy and leaky headers, CORS, cookies, and the header fields themselves."""

from __future__ import annotations

import re
from typing import Final

from secure._registry import HEADERS
from secure.audit._core import MDN, OWASP_HEADERS, Report, Response, check, rule, shown, title

# -- legacy headers --------------------------------------------------------------------------

XXSS_ENABLED: Final = rule(
    "xxss-enabled",
    "medium",
    "X-XSS-Protection",
    "X-XSS-Protection other than 0: the old XSS auditors it turns on could be abused "
    "to leak data and disable page scripts; send 0 or nothing.",
    f"{OWASP_HEADERS}#x-xss-protection",
)


@check
def _xss_auditor(response: Response, report: Report) -> None:
    for value in response.get("x-xss-protection")[:1]:
        if value.strip(" \t") != "0":
            report.add(XXSS_ENABLED, f"X-XSS-Protection is {value[:40]!r}; send 0 or nothing")


HPKP_PRESENT: Final = rule(
    "hpkp-present",
    "low",
    "Public-Key-Pins",
    "Public-Key-Pins is obsolete and can lock users out of the site; remove it.",
    f"{OWASP_HEADERS}#public-key-pins-hpkp",
)
EXPECT_CT_PRESENT: Final = rule(
    "expect-ct-present",
    "info",
    "Expect-CT",
    "Expect-CT is obsolete (Certificate Transparency is enforced by browsers); remove it.",
    f"{MDN}Expect-CT",
)
FEATURE_POLICY_PRESENT: Final = rule(
    "feature-policy-present",
    "info",
    "Feature-Policy",
    "Feature-Policy was replaced by Permissions-Policy; browsers prefer the new header.",
    f"{MDN}Permissions-Policy",
)


@check
def _obsolete(response: Response, report: Report) -> None:
    for name in ("public-key-pins", "public-key-pins-report-only"):
        if name in response.fields:
            report.add(HPKP_PRESENT, f"{title(name)} is sent", title(name))
    if "expect-ct" in response.fields:
        report.add(EXPECT_CT_PRESENT, "Expect-CT is sent")
    if "feature-policy" in response.fields:
        report.add(FEATURE_POLICY_PRESENT, "Feature-Policy is sent; use Permissions-Policy")


# -- what the server says about itself ------------------------------------------------------

SERVER_VERSION: Final = rule(
    "server-version",
    "low",
    "Server",
    "The Server header names a version: attackers use it to pick known exploits.",
    "https://www.rfc-editor.org/rfc/rfc9110#section-10.2.4",
)
# "/1", "/ v2" or "1.2" anywhere. Each branch has one quantifier, followed by a fixed
# character, so a search is linear in the value's length (the earlier \d+\.\d+ retried
# every run of digits from each of its positions: quadratic on a long run of digits).
_VERSION: Final = re.compile(r"/\s*v?\d|\d\.\d")


@check
def _server_version(response: Response, report: Report) -> None:
    for value in response.get("server")[:1]:
        if _VERSION.search(value):
            report.add(SERVER_VERSION, f"Server: {value[:60]!r} names a version")


POWERED_BY: Final = rule(
    "powered-by",
    "low",
    "X-Powered-By",
    "X-Powered-By (or X-AspNet-Version) advertises the framework and its version.",
    f"{OWASP_HEADERS}#x-powered-by",
)


@check
def _powered_by(response: Response, report: Report) -> None:
    for name in ("x-powered-by", "x-aspnet-version", "x-aspnetmvc-version"):
        for value in response.get(name)[:1]:
            report.add(POWERED_BY, f"{title(name)}: {value[:60]!r}", title(name))


# -- CORS and cookies ----------------------------------------------------------------------

CORS_NULL_ORIGIN: Final = rule(
    "cors-null-origin",
    "medium",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Origin: null lets sandboxed iframes and data: documents, "
    "which any site can create, read the response.",
    f"{MDN}Access-Control-Allow-Origin",
)


@check
def _cors_null_origin(response: Response, report: Report) -> None:
    if any(v.strip(" \t").lower() == "null" for v in response.get("access-control-allow-origin")):
        report.add(CORS_NULL_ORIGIN, "Access-Control-Allow-Origin is null")


COOKIE_NO_SECURE: Final = rule(
    "cookie-no-secure",
    "medium",
    "Set-Cookie",
    "A cookie without Secure is also sent over plain HTTP, where it can be read or set "
    "by a network attacker.",
    "https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5",
)
COOKIE_NO_HTTPONLY: Final = rule(
    "cookie-no-httponly",
    "low",
    "Set-Cookie",
    "A cookie without HttpOnly can be read by any script, an injected one included; "
    "add it unless the page's own scripts must read the cookie.",
    "https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.6",
)


_INTEGER: Final = re.compile(r"-?[0-9]+")


def _cookie(value: str) -> tuple[str, dict[str, str]]:
    """A Set-Cookie value's name and its attributes (lower-case name -> value)."""
    pair, *attributes = value.split(";")
    attrs = {}
    for attribute in attributes:
        key, _, argument = attribute.partition("=")
        attrs[key.strip(" \t").lower()] = argument.strip(" \t")
    return pair.partition("=")[0].strip(" \t"), attrs


@check
def _cookies(response: Response, report: Report) -> None:
    insecure: list[str] = []
    scriptable: list[str] = []
    for value in response.get("set-cookie"):
        name, attrs = _cookie(value)
        # A cookie being deleted (Max-Age of zero or less) carries nothing to protect.
        max_age = attrs.get("max-age", "")
        if _INTEGER.fullmatch(max_age) and (max_age[0] == "-" or not max_age.strip("0")):
            continue
        if "secure" not in attrs:
            insecure.append(name)
        if "httponly" not in attrs:
            scriptable.append(name)
    if insecure:
        report.add(COOKIE_NO_SECURE, f"{shown(insecure)} without Secure")
    if scriptable:
        report.add(COOKIE_NO_HTTPONLY, f"{shown(scriptable)} without HttpOnly")


# -- the fields themselves -----------------------------------------------------------------

DUPLICATE_HEADER: Final = rule(
    "duplicate-header",
    "medium",
    "(several)",
    "A single-valued header (X-Frame-Options, HSTS, COOP, ...) is sent several times "
    "with different values: browsers use the first or ignore them all.",
    "https://www.rfc-editor.org/rfc/rfc9110#section-5.3",
)
# Headers a response carries once; several fields with different values are ignored or
# reduced to the first (RFC 6797 §8.1, HTML's X-Frame-Options processing, RFC 9651 items).
_SINGLE_VALUED: Final = {spec.lower: spec.name for spec in HEADERS if spec.single}


@check
def _duplicates(response: Response, report: Report) -> None:
    for name, header in _SINGLE_VALUED.items():
        values = response.get(name)
        if len({v.strip(" \t") for v in values}) > 1:
            report.add(
                DUPLICATE_HEADER,
                f"{header} is sent {len(values)} times with different values",
                header,
            )
    # HTML compares X-Frame-Options values case-insensitively.
    xfo = response.get("x-frame-options")
    if len({v.strip(" \t").lower() for v in xfo}) > 1:
        report.add(DUPLICATE_HEADER, f"X-Frame-Options is sent {len(xfo)} times", "X-Frame-Options")


HEADER_TOO_LONG: Final = rule(
    "header-too-long",
    "low",
    "(any)",
    "A field value longer than 4096 characters: proxies and servers with default "
    "buffer sizes refuse the whole response.",
    "https://www.rfc-editor.org/rfc/rfc9110#section-5.4",
)
_MAX_VALUE: Final = 4096


@check
def _too_long(response: Response, report: Report) -> None:
    for name, values in response.fields.items():
        longest = max(len(v) for v in values)
        if longest > _MAX_VALUE:
            header = title(name) if name.isascii() else repr(name[:40])
            report.add(
                HEADER_TOO_LONG,
                f"{header} is {longest} characters long (over {_MAX_VALUE})",
                header[:60],
            )
