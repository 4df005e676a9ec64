"""``secure check --scoring observatory``: MDN HTTP Observatory's published scoring.

The tests, results and score modifiers are those of the HTTP Observatory's
"Tests and Scoring" methodology
(https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring): every site
starts at 100; penalties are subtracted first; bonuses are added only when the
penalised score is still 90 or more; the grade follows from the score, rounded down to
a multiple of 5 (100 and above is A+).

Only what one response's headers show is scored. Two of the Observatory's ten tests
need more than that and score 0 here: ``redirection`` (it fetches the ``http://`` URL
too) and ``subresource-integrity`` (it parses the HTML body). The HSTS preload list is
not consulted. ``tests-integration/test_observatory_agreement.py`` runs the real
``@mdn/mdn-http-observatory`` on a corpus of header sets and asserts the same results,
score and grade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from secure.cli._check import Deduction

__all__ = ["OBSERVATORY_GRADES", "ObservatoryTest", "observatory_grade", "observatory_score"]

_DOCS: Final = "https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"

#: Each result's score modifier, from the methodology's tables.
MODIFIERS: Final[dict[str, int]] = {
    # Content Security Policy
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-implemented-but-duplicate-directives": 0,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "csp-not-implemented-but-reporting-enabled": -25,
    # Cookies
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    # Cross-origin resource sharing
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    # Referrer-Policy
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    # Strict-Transport-Security
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "hsts-not-implemented-no-https": -20,
    # X-Content-Type-Options
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    # X-Frame-Options
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    # Cross-Origin-Resource-Policy
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-implemented-with-cross-origin": 0,
    "corp-not-implemented": 0,
    "corp-header-invalid": -5,
    # Not evaluated from headers alone.
    "not-evaluated": 0,
}

#: The grading chart: the lowest score of each grade, best first.
OBSERVATORY_GRADES: Final = (
    ("A+", 100),
    ("A", 90),
    ("A-", 85),
    ("B+", 80),
    ("B", 70),
    ("B-", 65),
    ("C+", 60),
    ("C", 50),
    ("C-", 45),
    ("D+", 40),
    ("D", 30),
    ("D-", 25),
    ("F", 0),
)
_EXTRA_CREDIT_FROM: Final = 90


@dataclass(frozen=True)
class ObservatoryTest:
    """One Observatory test: its name, the result it reached and that result's modifier."""

    name: str
    result: str

    @property
    def modifier(self) -> int:
        return MODIFIERS[self.result]


def observatory_grade(score: int) -> str:
    """The Observatory's letter grade for ``score``."""
    for grade, minimum in OBSERVATORY_GRADES:
        if score >= minimum:
            return grade
    return "F"


# -- reading the response the way the Observatory's client does ----------------------------


class _Headers:
    """Fields by lower-case name. Repeated fields are one ", "-joined value (as an HTTP
    client library presents them), except Set-Cookie, which stays a list."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        fields: dict[str, list[str]] = {}
        for name, value in items:
            fields.setdefault(name.lower(), []).append(value)
        self.cookies = fields.pop("set-cookie", [])
        self.fields = {name: ", ".join(values) for name, values in fields.items()}

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


# -- Content Security Policy -----------------------------------------------------------------

_BROAD: Final = frozenset(
    {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
)
_INLINE: Final = frozenset({"'unsafe-inline'", "data:"})
_BROAD_OR_INLINE: Final = _BROAD | _INLINE
_PASSIVE: Final = ("img-src", "media-src")
_NONCE_HASH: Final = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
_REPEATABLE: Final = frozenset({"report-uri", "report-to"})
_SHORTEST_POLICY: Final = len("img-src") - 1


class _InvalidPolicy(ValueError):
    pass


def _parse_policy(value: str) -> tuple[dict[str, set[str]], bool]:
    """Directive -> sources (lower-cased), and whether a reporting directive repeats."""
    value = value.replace("\r", "").replace("\n", "").strip()
    if len(value) < _SHORTEST_POLICY:
        raise _InvalidPolicy(value)
    policy: dict[str, set[str]] = {}
    repeated = False
    for entry in value.split(";"):
        tokens = entry.split()
        if not tokens:
            continue
        directive = tokens[0].lower()
        if directive in policy:
            if directive not in _REPEATABLE:
                raise _InvalidPolicy(directive)
            repeated = True
        # An empty source list matches nothing: the Observatory reads it as 'none'.
        policy[directive] = {token.lower() for token in tokens[1:]} or {"'none'"}
    return policy, repeated


def _has_nonce_or_hash(sources: set[str]) -> bool:
    return any(source.startswith(_NONCE_HASH) for source in sources)


def _csp(headers: _Headers, https: bool) -> tuple[str, dict[str, set[str]] | None]:
    """The CSP test's result, and the parsed policy (for the X-Frame-Options test)."""
    value = headers.get("content-security-policy")
    if value is None:
        if headers.get("content-security-policy-report-only"):
            return "csp-not-implemented-but-reporting-enabled", None
        return "csp-not-implemented", None
    try:
        policy, repeated = _parse_policy(value)
    except _InvalidPolicy:
        return "csp-header-invalid", None
    frame_ancestors = "frame-ancestors" in policy
    anywhere = {"*"}
    default = policy.get("default-src")
    # A missing directive falls back to default-src, which is the same set: what is
    # dropped from one below is dropped from the other too, as in the Observatory.
    script = policy.get("script-src") or default or set(anywhere)
    style = policy.get("style-src") or default or set(anywhere)
    objects = policy.get("object-src") or default or set(anywhere)

    # CSP3 §8.2: with a nonce or a hash, 'unsafe-inline' is ignored.
    for sources in (script, style):
        if _has_nonce_or_hash(sources):
            sources.discard("'unsafe-inline'")
    result: str | None = None
    if _has_nonce_or_hash(script) and "'strict-dynamic'" in script:
        # CSP3 §8.3: 'strict-dynamic' ignores host and scheme sources and 'self'.
        for source in list(script):
            if source.startswith(tuple(_BROAD)) or source in ("'self'", "'unsafe-inline'"):
                script.discard(source)
    elif "'strict-dynamic'" in script:
        result = "csp-header-invalid"

    active = [
        source
        for directive, sources in policy.items()
        if directive not in _PASSIVE and directive != "script-src"
        for source in sources
    ] + list(script)
    passive = [
        source for directive in _PASSIVE for source in (policy.get(directive) or default or set())
    ]

    def first(candidate: str) -> None:
        nonlocal result
        if result is None:
            result = candidate

    def insecure(sources: list[str]) -> bool:
        return https and any(s.startswith(("http:", "ftp:")) for s in sources)

    if script & _BROAD_OR_INLINE or objects & _BROAD:
        first("csp-implemented-with-unsafe-inline")
    if insecure(active):
        first("csp-implemented-with-insecure-scheme")
    if "'unsafe-eval'" in script | style:
        first("csp-implemented-with-unsafe-eval")
    if insecure(passive):
        first("csp-implemented-with-insecure-scheme-in-passive-content-only")
    if style & _BROAD_OR_INLINE:
        first("csp-implemented-with-unsafe-inline-in-style-src-only")
    if default == {"'none'"}:
        first("csp-implemented-with-no-unsafe-default-src-none")
    first("csp-implemented-with-no-unsafe")
    assert result is not None
    passing = {
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    }
    if result in passing and repeated:
        result = "csp-implemented-but-duplicate-directives"
    return result, {"frame-ancestors": set()} if frame_ancestors else {}


# -- the other header tests ---------------------------------------------------------------

_SIX_MONTHS: Final = 15768000


def _js_parse_int(text: str) -> int | None:
    """``parseInt(text, 10)``: leading whitespace, a sign and digits; None for NaN."""
    text = text.lstrip(" \t\n\r\f\v")
    sign = -1 if text.startswith("-") else 1
    if text[:1] in "+-" and text:
        text = text[1:]
    digits = ""
    for char in text:
        if not ("0" <= char <= "9"):
            break
        digits += char
    return sign * int(digits) if digits else None


def _hsts(headers: _Headers, https: bool) -> str:
    if not https:
        return "hsts-not-implemented-no-https"
    value = headers.get("strict-transport-security")
    if value is None:
        return "hsts-not-implemented"
    value = value[:1024]
    if "," in value:
        return "hsts-header-invalid"  # set more than once
    max_age: int | None = None
    found = False
    for parameter in value.split(";"):
        parameter = parameter.strip().lower()
        if parameter.startswith("max-age="):
            found = True
            max_age = _js_parse_int(parameter[8:128])
    if not found:
        return "hsts-header-invalid"
    # A max-age that is not a number (NaN) compares false with anything.
    if max_age is not None and max_age < _SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


def _xfo(headers: _Headers, csp: dict[str, set[str]] | None) -> str:
    if csp and "frame-ancestors" in csp:
        return "x-frame-options-implemented-via-csp"
    value = headers.get("x-frame-options")
    if not value:
        return "x-frame-options-not-implemented"
    value = value[:1024].strip().lower()
    if value in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    if value.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def _xcto(headers: _Headers) -> str:
    value = headers.get("x-content-type-options")
    if not value:
        return "x-content-type-options-not-implemented"
    if value[:256].strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


_PRIVATE_REFERRER: Final = ("no-referrer", "same-origin", "strict-origin")
_PRIVATE_REFERRER_ALL: Final = (*_PRIVATE_REFERRER, "strict-origin-when-cross-origin")
_UNSAFE_REFERRER: Final = (
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "no-referrer-when-downgrade",
)


def _referrer(headers: _Headers) -> str:
    value = headers.get("referrer-policy")
    if value is None:
        return "referrer-policy-not-implemented"
    # The last recognised token wins (Referrer Policy §8.1, as browsers read a list).
    known = [
        token.strip().lower()
        for token in value.split(",")
        if token.strip().lower() in (*_PRIVATE_REFERRER_ALL, *_UNSAFE_REFERRER)
    ]
    policy = known[-1] if known else ""
    if policy in _PRIVATE_REFERRER_ALL:
        return "referrer-policy-private"
    if policy in _UNSAFE_REFERRER:
        return "referrer-policy-unsafe"
    return "referrer-policy-header-invalid"


def _corp(headers: _Headers) -> str:
    value = headers.get("cross-origin-resource-policy")
    if not value:
        return "corp-not-implemented"
    value = value[:256].strip().lower()
    results = {
        "same-site": "corp-implemented-with-same-site",
        "same-origin": "corp-implemented-with-same-origin",
        "cross-origin": "corp-implemented-with-cross-origin",
    }
    # An all-blank value is as good as none.
    return results.get(value, "corp-header-invalid" if value else "corp-not-implemented")


def _cors(headers: _Headers) -> str:
    value = headers.get("access-control-allow-origin")
    if not value:
        return "cross-origin-resource-sharing-not-implemented"
    if value[:256].strip().lower() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    # "Universal access" is an Origin reflected with credentials; secure check sends
    # no Origin, so it cannot see that and reports a restricted origin.
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


# -- cookies -----------------------------------------------------------------------------

_COOKIE_ORDER: Final = (
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
)
_IGNORED_COOKIES: Final = ("heroku-session-affinity",)


@dataclass
class _Cookie:
    name: str
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None
    invalid_same_site: bool = False


def _parse_cookie(value: str) -> _Cookie | None:
    # RFC 6265 §5.2: name=value, then attributes; unknown SameSite values are ignored.
    pair, *attributes = value.split(";")
    if "=" not in pair:
        return None
    name = pair.split("=", 1)[0].strip()
    if not name:
        return None
    cookie = _Cookie(name)
    for attribute in attributes:
        key = attribute.partition("=")[0].strip().lower()
        if key == "secure":
            cookie.secure = True
        elif key == "httponly":
            cookie.http_only = True
        elif key == "samesite":
            # The Observatory's own reading of the raw header, before a cookie jar's.
            raw = attribute.strip().split("=")
            same_site = raw[1].strip().lower() if len(raw) > 1 else ""
            if same_site not in ("lax", "strict", "none"):
                cookie.invalid_same_site = True
            else:
                cookie.same_site = same_site
    return cookie


def _cookies(headers: _Headers, hsts_passes: bool) -> str:
    result: str | None = None

    def worse(candidate: str) -> None:
        nonlocal result
        if result is None or _COOKIE_ORDER.index(candidate) > _COOKIE_ORDER.index(result):
            result = candidate

    parsed = [_parse_cookie(v) for v in headers.cookies]
    cookies = [c for c in parsed if c is not None and c.name not in _IGNORED_COOKIES]
    if not cookies:
        return "cookies-not-found"
    missing_same_site = False
    for cookie in cookies:
        name = cookie.name.lower()
        session = "login" in name or "sess" in name
        if cookie.invalid_same_site:
            worse("cookies-samesite-flag-invalid")
        if not cookie.secure and cookie.same_site == "none":
            worse("cookies-samesite-flag-invalid")
        if not cookie.secure:
            worse(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-without-secure-flag"
            )
        if "csrf" in name and not cookie.same_site:
            worse("cookies-anticsrf-without-samesite-flag")
        if session and not cookie.secure:
            worse(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts_passes
                else "cookies-session-without-secure-flag"
            )
        if session and not cookie.http_only:
            worse("cookies-session-without-httponly-flag")
        if not cookie.same_site:
            missing_same_site = True
    if result is not None:
        return result
    if missing_same_site:
        return "cookies-secure-with-httponly-sessions"
    return "cookies-secure-with-httponly-sessions-and-samesite"


# -- the score ---------------------------------------------------------------------------


def observatory_tests(items: Iterable[tuple[str, str]], *, https: bool) -> list[ObservatoryTest]:
    """Every Observatory test's result for one response's header fields."""
    headers = _Headers(items)
    csp_result, csp = _csp(headers, https)
    hsts = _hsts(headers, https)
    return [
        ObservatoryTest("content-security-policy", csp_result),
        ObservatoryTest(
            "cookies", _cookies(headers, hsts == "hsts-implemented-max-age-at-least-six-months")
        ),
        ObservatoryTest("cross-origin-resource-sharing", _cors(headers)),
        ObservatoryTest("redirection", "not-evaluated"),
        ObservatoryTest("referrer-policy", _referrer(headers)),
        ObservatoryTest("strict-transport-security", hsts),
        ObservatoryTest("subresource-integrity", "not-evaluated"),
        ObservatoryTest("x-content-type-options", _xcto(headers)),
        ObservatoryTest("x-frame-options", _xfo(headers, csp)),
        ObservatoryTest("cross-origin-resource-policy", _corp(headers)),
    ]


def observatory_score(
    items: Iterable[tuple[str, str]], *, https: bool
) -> tuple[tuple[ObservatoryTest, ...], list[Deduction]]:
    """The tests and the score lines: penalties, then bonuses if the score stays >= 90.

    Each line's ``points`` is what it takes off the score (negative for a bonus), so
    the score is ``max(0, 100 - sum(points))`` as in the default scoring.
    """
    from secure.cli._check import Deduction

    tests = observatory_tests(items, https=https)
    penalties = [t for t in tests if t.modifier < 0]
    bonuses = [t for t in tests if t.modifier > 0]
    lines = [Deduction(-t.modifier, f"{t.name}: {t.result}") for t in penalties]
    if 100 + sum(t.modifier for t in penalties) >= _EXTRA_CREDIT_FROM:
        lines += [Deduction(-t.modifier, f"{t.name}: {t.result} (bonus)") for t in bonuses]
    return tuple(tests), lines
