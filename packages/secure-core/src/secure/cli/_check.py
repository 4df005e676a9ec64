"""``secure check``: fetch a URL, grade its headers, compare them with a configuration.

The default score is deliberately simple so anyone can recompute it from the report
(<https://typeerror.github.io/secure/cli/> documents it). It measures what the site sends,
not how close it is to one of our presets: start at 100 and subtract

* for each policy-checker finding: high 20, medium 10, low 2, info 0 (a missing
  Content-Security-Policy, HSTS, framing protection or nosniff is such a finding);

and, only with an expectation given (``--preset`` or ``--config``),

* for each expected header the site does not send: 10, unless a finding already
  names that header (a header is never charged twice for being absent);
* for each header whose value differs from the expected one: 5.

The grade follows from the score: A+ >= 95 (no high or medium finding), A >= 90,
B >= 80, C >= 70, D >= 60, F below. ``--scoring observatory`` scores like MDN's HTTP
Observatory instead (:mod:`secure.cli._observatory`).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from secure._registry import HEADERS
from secure._validation import SCHEME
from secure.audit import Finding, audit_headers
from secure.cli._observatory import (
    ObservatoryTest,
    observatory_grade,
    observatory_score,
)
from secure.cli._safe import printable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import TypeAlias

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
GRADES: Final = (("A+", 95), ("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", 0))

SEVERITY_PENALTY: Final = {"high": 20, "medium": 10, "low": 2, "info": 0}
MISSING_PENALTY: Final = 10
DIFFERENT_PENALTY: Final = 5

#: Response headers worth showing as security-relevant when a site sends them.
SECURITY_HEADERS: Final = frozenset(
    {
        # Every header the library knows (secure._registry), and those a site may send
        # that we never do but reviewers look for.
        *(spec.lower for spec in HEADERS),
        "expect-ct",
        "nel",
        "report-to",
        "x-powered-by",
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


#: Redirects followed before giving up (browsers allow about 20; a page needs few).
MAX_REDIRECTS: Final = 10
#: Bytes of header fields accepted in one response. ``http.client`` also refuses more
#: than 100 fields and any line over 64 KiB.
MAX_HEADER_BYTES: Final = 256 * 1024
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_SCHEMES: Final = ("http", "https")


class _Deadline:
    """One monotonic deadline for the whole check: every hop, HEAD and GET."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise FetchError(f"timed out after {self.seconds:g} seconds")
        return left


def scheme_given(url: str) -> bool:
    """Whether ``url`` names its scheme (``host:8080`` is a host and a port, not one)."""
    return "://" in url or _OPAQUE_SCHEME.match(url) is not None


# "data:...", "javascript:...", "mailto:...": a scheme followed by anything but a port.
_OPAQUE_SCHEME: Final = re.compile(SCHEME + ":(?![0-9])")


def normalise_url(url: str) -> str:
    """``example.com`` -> ``https://example.com/``; refuse anything but http(s).

    Raises :class:`ValueError` (a usage error) naming what is wrong with ``url``.
    """
    shown = printable(url)
    if not scheme_given(url):
        url = "https://" + url
    if printable(url) != url or " " in url:
        raise ValueError(f"invalid URL {shown!r}: spaces and control characters are not allowed")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        if "[" in parts.netloc:
            # RFC 3986 §3.2.2: brackets hold an IP literal (Python < 3.11 does not check).
            ipaddress.IPv6Address((parts.hostname or "").split("%", 1)[0])
    except ValueError as exc:
        raise ValueError(f"invalid URL {shown!r}: {exc}") from None
    if parts.scheme not in _SCHEMES:
        raise ValueError(
            f"unsupported URL scheme {printable(parts.scheme)!r} in {shown!r}: "
            "secure check fetches http:// and https:// URLs only"
        )
    if not parts.hostname:
        raise ValueError(f"no host name in {shown!r}")
    if not parts.path:
        url = urllib.parse.urlunsplit(parts._replace(path="/"))
    return url


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if len(text) > 200:
        text = text[:200] + "..."
    return printable(text)


def _proxy(parts: urllib.parse.SplitResult) -> urllib.parse.SplitResult | None:
    """The proxy for this URL from http_proxy/https_proxy/no_proxy, as urllib reads them."""
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.netloc):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy
    proxied = urllib.parse.urlsplit(proxy)
    if proxied.scheme != "http" or not proxied.hostname:
        raise FetchError(f"unsupported proxy {printable(proxy)!r}: use an http:// proxy")
    return proxied


def _connection(
    parts: urllib.parse.SplitResult, deadline: _Deadline
) -> tuple[http.client.HTTPConnection, bool]:
    """A connection for ``parts`` and whether requests on it name the absolute URL."""
    timeout = deadline.remaining()
    host = parts.hostname or ""
    proxy = _proxy(parts)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        if proxy is None:
            return http.client.HTTPSConnection(
                host, parts.port, timeout=timeout, context=context
            ), False
        # HTTPS through a proxy: a CONNECT tunnel, then TLS with the site itself.
        conn = http.client.HTTPSConnection(
            proxy.hostname or "", proxy.port, timeout=timeout, context=context
        )
        conn.set_tunnel(host, parts.port)
        return conn, False
    if proxy is None:
        return http.client.HTTPConnection(host, parts.port, timeout=timeout), False
    # Plain HTTP through a proxy: the request line names the absolute URL (RFC 9112 §3.2.2).
    return http.client.HTTPConnection(proxy.hostname or "", proxy.port, timeout=timeout), True


def _abort(conn: http.client.HTTPConnection, deadline: _Deadline) -> None:
    # Wakes a read blocked on a server that sends a byte now and then: each read
    # would succeed within a per-read timeout, so only the deadline can stop it.
    deadline.expired = True
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _exchange(
    url: str, method: str, user_agent: str, deadline: _Deadline
) -> tuple[int, tuple[tuple[str, str], ...]]:
    parts = urllib.parse.urlsplit(url)
    conn, absolute = _connection(parts, deadline)
    scheme, netloc = (parts.scheme, parts.netloc) if absolute else ("", "")
    target = urllib.parse.urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    watchdog = threading.Timer(deadline.remaining(), _abort, (conn, deadline))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request(method, target, headers={"User-Agent": user_agent, "Accept": "*/*"})
        response = conn.getresponse()
        items = tuple(response.getheaders())
        status = response.status
    finally:
        watchdog.cancel()
        conn.close()
    if deadline.expired:
        # The reads ended because the watchdog shut the socket: what arrived is partial.
        raise OSError("the deadline passed while reading the response")
    size = sum(len(name) + len(value) + 4 for name, value in items)
    if size > MAX_HEADER_BYTES:
        raise http.client.HTTPException(
            f"the response headers are {size} bytes; at most {MAX_HEADER_BYTES} are read"
        )
    return status, items


class _Failed(FetchError):
    """A protocol or network failure of one method: GET may still work after HEAD."""


def _request(url: str, method: str, user_agent: str, deadline: _Deadline) -> Fetched:
    hops: list[tuple[int, str]] = []
    current = url
    while True:
        try:
            status, items = _exchange(current, method, user_agent, deadline)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if deadline.expired or deadline.end <= time.monotonic():
                raise FetchError(
                    f"cannot fetch {printable(current)}: timed out after "
                    f"{deadline.seconds:g} seconds"
                ) from None
            raise _Failed(f"cannot fetch {printable(current)}: {_one_line(exc)}") from None
        location = next((v for n, v in items if n.lower() == "location"), None)
        if status not in _REDIRECTS or location is None:
            return Fetched(url, current, method, status, items, tuple(hops))
        try:
            target = urllib.parse.urljoin(current, location.strip())
            scheme = urllib.parse.urlsplit(target).scheme
        except ValueError as exc:
            raise FetchError(
                f"{printable(current)} redirects to an invalid URL: {_one_line(exc)}"
            ) from None
        if scheme not in _SCHEMES:
            # RFC 9110 §15.4: the client chooses whether to follow; a checker of web
            # pages has no business with ftp:, file: or data: targets.
            raise FetchError(
                f"{printable(current)} redirects to {printable(target)[:200]!r}: the "
                f"{printable(scheme)!r} scheme is refused (only http and https are followed)"
            )
        hops.append((status, target))
        if len(hops) > MAX_REDIRECTS:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects from {printable(url)}")
        current = target


def fetch(url: str, *, timeout: float = 10.0, user_agent: str = "secure-check") -> Fetched:
    """HEAD ``url`` (following redirects); fall back to GET when HEAD is refused.

    Servers that do not implement HEAD answer 405/501 or drop the connection; any
    status of 400 or more to HEAD is retried with GET, whose answer is the one reported.
    ``timeout`` bounds the whole check, every redirect and both methods together.
    """
    deadline = _Deadline(timeout)
    try:
        head: Fetched | None = _request(url, "HEAD", user_agent, deadline)
    except _Failed:
        head = None
    if head is not None and head.status < 400:
        return head
    try:
        return _request(url, "GET", user_agent, deadline)
    except _Failed:
        if head is not None:
            return head  # the GET failed too: report what HEAD got
        raise


# -- comparing and grading ------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    """One line of the score: points taken off (negative for a bonus) and why."""

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
    """Everything ``secure check`` prints, in text, JSON or SARIF.

    ``missing`` holds ``(name, expected value)``; the value is ``None`` when no
    configuration was given and the header is missing by the policy checker's account.
    ``expectation`` is ``None`` without ``--preset``/``--config``.
    """

    fetched: Fetched
    security_headers: tuple[tuple[str, str], ...]
    missing: tuple[tuple[str, str | None], ...]
    different: tuple[Difference, ...]
    findings: tuple[Finding, ...]
    expectation: str | None
    deductions: tuple[Deduction, ...] = field(default=())
    scoring: str = "secure"
    tests: tuple[ObservatoryTest, ...] = field(default=())

    @property
    def score(self) -> int:
        return max(0, 100 - sum(d.points for d in self.deductions))

    @property
    def grade(self) -> str:
        if self.scoring == "observatory":
            return observatory_grade(self.score)
        return grade_for(self.score)


def grade_for(score: int) -> str:
    """The letter grade of a score in the default scoring (see :data:`GRADES`)."""
    for grade, minimum in GRADES:
        if score >= minimum:
            return grade
    return "F"


def _normalise(value: str) -> str:
    # Compare the way the recipients parse: tokens are case-insensitive and spaces
    # around ";" and "," are optional whitespace (RFC 9110 §5.6.1, §5.6.3). Split and
    # join rather than a regex like r"\s*([;,])\s*", which backtracks quadratically
    # over a long run of spaces.
    parts = [" ".join(segment.split()) for segment in value.replace(",", ";,;").split(";")]
    joined = ";".join(parts).replace(";,;", ",")
    return joined.rstrip(";").lower()


def _matches(actual: str, expected: str, templated: bool) -> bool:
    if not templated:
        return _normalise(actual) == _normalise(expected)
    # A nonce slot matches any base64 value (CSP Level 3 §2.3.1 base64-value).
    head, _, tail = _normalise(expected).partition("{nonce}")
    actual = _normalise(actual)
    if len(actual) < len(head) + len(tail) + 1:
        return False
    if not (actual.startswith(head) and actual.endswith(tail)):
        return False
    nonce = actual[len(head) : len(actual) - len(tail)]
    return _BASE64.fullmatch(nonce) is not None


_BASE64: Final = re.compile(r"[a-z0-9+/_=-]+")


def build_report(
    fetched: Fetched,
    expected: Sequence[tuple[str, str, bool]] | None,
    *,
    expectation: str | None = None,
    scoring: str = "secure",
    checker: Checker = audit_headers,
) -> CheckReport:
    """Grade ``fetched``; with ``expected`` (name, value, templated) triples, compare too.

    ``scoring`` is ``"secure"`` (the default: the policy checker's findings, and with an
    expectation its differences) or ``"observatory"`` (MDN HTTP Observatory's scoring).
    """
    sent: dict[str, list[tuple[str, str]]] = {}
    for name, value in fetched.items:
        sent.setdefault(name.lower(), []).append((name, value))
    findings = tuple(checker(fetched.items))

    missing: list[tuple[str, str | None]] = []
    different: list[Difference] = []
    if expected is not None:
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
    else:
        # Without an expectation, a header is missing when the checker asks for it.
        for finding in findings:
            name = finding.header
            absent = name.lower() not in sent and all(name != m for m, _ in missing)
            if absent and _TOKEN.fullmatch(name):
                missing.append((name, None))

    tests: tuple[ObservatoryTest, ...] = ()
    if scoring == "observatory":
        tests, deductions = observatory_score(fetched.items, https=_is_https(fetched))
    else:
        deductions = [
            Deduction(SEVERITY_PENALTY[f.severity], f"{f.severity}: {f.header}: {f.message}")
            for f in findings
            if SEVERITY_PENALTY.get(f.severity, 0)
        ]
        named = {f.header.lower() for f in findings}
        deductions += [
            Deduction(MISSING_PENALTY, f"{name} is missing")
            for name, value in missing
            if value is not None and name.lower() not in named
        ]
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
        scoring=scoring,
        tests=tests,
    )


_TOKEN: Final = re.compile(r"[A-Za-z0-9-]+")


def _is_https(fetched: Fetched) -> bool:
    return fetched.final_url.lower().startswith("https://")
