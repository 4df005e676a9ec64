"""``secure check``: fetch a URL, compare its headers and grade them.

The score is deliberately simple so anyone can recompute it from the report
(``docs/cli.md`` documents it): start at 100 and subtract

* for each policy-checker finding: high 20, medium 10, low 5, info 0;
* for each expected header the site does not send: 10, unless a finding already
  names that header (a header is never charged twice for being absent);
* for each header whose value differs from the expected one: 5, only when the
  expectation was given explicitly with ``--preset`` or ``--config``.

The grade follows from the score: A+ 100, A >= 90, B >= 80, C >= 70, D >= 60, F below.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from secure.audit import Finding, audit_headers

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from http.client import HTTPMessage, HTTPResponse
    from typing import IO, TypeAlias

    #: The policy checker's signature: any header list in, findings out.
    Checker: TypeAlias = Callable[[Iterable[tuple[str, str]]], Sequence[Finding]]

__all__ = [
    "GRADES",
    "CheckReport",
    "Deduction",
    "FetchError",
    "Fetched",
    "build_report",
    "fetch",
    "grade_for",
]

#: Grades from best to worst, with the lowest score that earns each.
GRADES: Final = (("A+", 100), ("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", 0))

SEVERITY_PENALTY: Final = {"high": 20, "medium": 10, "low": 5, "info": 0}
MISSING_PENALTY: Final = 10
DIFFERENT_PENALTY: Final = 5

#: Response headers worth showing as security-relevant when a site sends them.
SECURITY_HEADERS: Final = frozenset(
    {
        "cache-control",
        "clear-site-data",
        "content-security-policy",
        "content-security-policy-report-only",
        "cross-origin-embedder-policy",
        "cross-origin-embedder-policy-report-only",
        "cross-origin-opener-policy",
        "cross-origin-opener-policy-report-only",
        "cross-origin-resource-policy",
        "expect-ct",
        "nel",
        "origin-agent-cluster",
        "permissions-policy",
        "permissions-policy-report-only",
        "referrer-policy",
        "report-to",
        "reporting-endpoints",
        "server",
        "strict-transport-security",
        "x-content-type-options",
        "x-dns-prefetch-control",
        "x-download-options",
        "x-frame-options",
        "x-permitted-cross-domain-policies",
        "x-powered-by",
        "x-xss-protection",
    }
)


class FetchError(Exception):
    """The URL could not be fetched; the message says why, for the user."""


# -- fetching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """One fetched response: where it came from and every header field it carried."""

    url: str
    final_url: str
    method: str
    status: int
    items: tuple[tuple[str, str], ...]
    redirects: tuple[tuple[int, str], ...] = ()


class _RecordingRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects like urllib does, remembering each hop for the report."""

    def __init__(self) -> None:
        self.hops: list[tuple[int, str]] = []

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            self.hops.append((code, newurl))
            # Before Python 3.13 urllib turns a redirected HEAD into a GET; keep it a HEAD.
            if req.get_method() == "HEAD":
                new.method = "HEAD"
        return new


def normalise_url(url: str) -> str:
    """``example.com`` -> ``https://example.com/``; refuse anything but http(s)."""
    if "://" not in url:
        url = "https://" + url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"unsupported URL scheme {parts.scheme!r} in {url!r}: use http or https")
    if not parts.hostname:
        raise FetchError(f"no host name in {url!r}")
    if not parts.path:
        url = urllib.parse.urlunsplit(parts._replace(path="/"))
    return url


def _items(fields: Iterable[tuple[str, object]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, str(value)) for name, value in fields)


def _request(url: str, method: str, timeout: float, user_agent: str) -> Fetched:
    redirects = _RecordingRedirects()
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent})
    try:
        response: HTTPResponse = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        # An error status still has headers worth checking (error pages need them too).
        with exc:
            return Fetched(
                url,
                exc.geturl(),
                method,
                exc.code,
                _items(exc.headers.items()),
                tuple(redirects.hops),
            )
    with response:
        return Fetched(
            url,
            response.geturl(),
            method,
            response.status,
            _items(response.headers.items()),
            tuple(redirects.hops),
        )


def fetch(url: str, *, timeout: float = 10.0, user_agent: str = "secure-check") -> Fetched:
    """HEAD ``url`` (following redirects); fall back to GET when HEAD is refused.

    Servers that do not implement HEAD answer 405/501 or drop the connection; any
    status of 400 or more to HEAD is retried with GET, whose answer is the one reported.
    """
    try:
        head = _request(url, "HEAD", timeout, user_agent)
    except (urllib.error.URLError, OSError, ValueError):
        head = None
    if head is not None and head.status < 400:
        return head
    try:
        return _request(url, "GET", timeout, user_agent)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if head is not None:
            return head  # the GET failed too: report what HEAD got
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        raise FetchError(f"cannot fetch {url}: {reason}") from None


# -- comparing and grading ------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    """One line of the score: how many points and why."""

    points: int
    reason: str


@dataclass(frozen=True)
class Difference:
    """A header the site sends with another value than the expected configuration."""

    name: str
    actual: str
    expected: str


@dataclass(frozen=True)
class CheckReport:
    """Everything ``secure check`` prints, in text or JSON."""

    fetched: Fetched
    security_headers: tuple[tuple[str, str], ...]
    missing: tuple[tuple[str, str], ...]
    different: tuple[Difference, ...]
    findings: tuple[Finding, ...]
    expectation: str
    deductions: tuple[Deduction, ...] = field(default=())

    @property
    def score(self) -> int:
        return max(0, 100 - sum(d.points for d in self.deductions))

    @property
    def grade(self) -> str:
        return grade_for(self.score)


def grade_for(score: int) -> str:
    """The letter grade of a score (see :data:`GRADES`)."""
    for grade, minimum in GRADES:
        if score >= minimum:
            return grade
    return "F"


def _normalise(value: str) -> str:
    # Compare the way the recipients parse: tokens are case-insensitive and spaces
    # around ";" and "," are optional whitespace (RFC 9110 §5.6.1, §5.6.3).
    value = re.sub(r"\s*([;,])\s*", r"\1", value.strip())
    return re.sub(r"\s+", " ", value).rstrip(";").lower()


def _matches(actual: str, expected: str, templated: bool) -> bool:
    if not templated:
        return _normalise(actual) == _normalise(expected)
    # A nonce slot matches any base64 value (CSP Level 3 §2.3.1 base64-value).
    head, _, tail = _normalise(expected).partition("{nonce}")
    pattern = re.escape(head) + r"[a-z0-9+/_=-]+" + re.escape(tail)
    return re.fullmatch(pattern, _normalise(actual)) is not None


def build_report(
    fetched: Fetched,
    expected: Sequence[tuple[str, str, bool]],
    *,
    explicit: bool,
    expectation: str,
    checker: Checker = audit_headers,
) -> CheckReport:
    """Compare ``fetched`` with the ``expected`` (name, value, templated) triples."""
    sent: dict[str, list[tuple[str, str]]] = {}
    for name, value in fetched.items:
        sent.setdefault(name.lower(), []).append((name, value))

    missing: list[tuple[str, str]] = []
    different: list[Difference] = []
    for name, value, templated in expected:
        fields = sent.get(name.lower())
        if not fields:
            # An expected empty Server means "do not advertise": absent is even better.
            if not (name.lower() == "server" and not value):
                missing.append((name, value))
            continue
        # Several fields of one name are one comma-joined value (RFC 9110 §5.3).
        actual = ", ".join(v for _, v in fields)
        if not _matches(actual, value, templated):
            different.append(Difference(fields[0][0], actual, value))

    findings = tuple(checker(fetched.items))

    deductions = [
        Deduction(SEVERITY_PENALTY.get(f.severity, 0), f"{f.severity}: {f.header}: {f.message}")
        for f in findings
        if SEVERITY_PENALTY.get(f.severity, 0)
    ]
    named = {f.header.lower() for f in findings}
    deductions += [
        Deduction(MISSING_PENALTY, f"{name} is missing")
        for name, _ in missing
        if name.lower() not in named
    ]
    if explicit:
        deductions += [
            Deduction(DIFFERENT_PENALTY, f"{d.name} differs from the expected value")
            for d in different
        ]
    security = tuple(
        (name, value) for name, value in fetched.items if name.lower() in SECURITY_HEADERS
    )
    return CheckReport(
        fetched=fetched,
        security_headers=security,
        missing=tuple(missing),
        different=tuple(different),
        findings=findings,
        expectation=expectation,
        deductions=tuple(deductions),
    )
