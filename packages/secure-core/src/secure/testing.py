"""Check the headers your application sends, from your own tests.

Works with any test client (Flask's, Django's, Starlette's and FastAPI's httpx-based
one), with plain ``(name, value)`` pairs or a mapping, and needs no test framework;
the pytest plugin (installed with secure-core) wraps the same functions as fixtures::

    from secure.testing import assert_secure_headers

    def test_home(client):
        assert_secure_headers(client.get("/"), "secure.toml")

What is checked, and why, is in the testing guide (<https://typeerror.github.io/secure/testing/>):

* every header of the expected configuration is sent exactly once;
* no value is weaker than configured: a Content-Security-Policy may be stricter
  (see :func:`csp_loosenings`), every other header must be equal;
* the policy checker (:mod:`secure.audit`) finds nothing at or above ``min_severity``;
* in an HTML body, every ``nonce`` attribute equals the header's nonce, and every inline
  script, inline style and event handler is allowed by a nonce or hash of the policy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Union

from secure import Secure
from secure._html import SCRIPT_TYPES
from secure.audit import SEVERITIES, Finding, Severity, audit_headers

# The policy checker's CSP parser: policies are read the same way everywhere.
from secure.audit._csp import Policy, parse_policies
from secure.headers._csp_grammar import fallback_chain

if TYPE_CHECKING:
    from typing import TypeAlias

    from secure.cli._check import CheckReport

__all__ = [
    "Expected",
    "HeaderReport",
    "Problem",
    "assert_grade",
    "assert_routes_secure",
    "assert_secure_headers",
    "check_headers",
    "check_routes",
    "csp_loosenings",
    "expected_headers",
]

#: What a check compares against: a ``Secure``, a preset name (``"balanced"``), the
#: path of a TOML/JSON configuration file, or a configuration mapping.
Expected: TypeAlias = Union[Secure, str, "os.PathLike[str]", Mapping[str, object]]

ProblemKind = Literal[
    "missing", "repeated", "weaker", "different", "finding", "nonce-mismatch", "inline", "error"
]

_CSP_NAMES: Final = frozenset({"content-security-policy", "content-security-policy-report-only"})
_NONCE_SOURCE: Final = re.compile(r"'nonce-([A-Za-z0-9+/_=-]+)'")
_HASH_SOURCE: Final = re.compile(r"'(sha256|sha384|sha512)-([A-Za-z0-9+/_=-]+)'", re.IGNORECASE)
# Infra "ASCII whitespace", which CSP3 §2.2.1 splits on.
_WHITESPACE: Final = re.compile(r"[\t\n\f\r ]+")
_ANY_NONCE: Final = "'nonce-*'"


# -- the expected configuration ----------------------------------------------------------------


def _configuration(expected: Expected | None) -> tuple[Secure, str]:
    """The ``Secure`` to compare with, and how to name it in messages."""
    if expected is None:
        return Secure.from_preset("balanced"), "preset balanced"
    if isinstance(expected, Secure):
        return expected, "the given Secure"
    if isinstance(expected, Mapping):
        return Secure.from_config(expected), "the given configuration"
    if isinstance(expected, os.PathLike) or (
        isinstance(expected, str) and Path(expected).suffix.lower() in (".toml", ".json")
    ):
        from secure.config import load_config

        path = Path(os.fspath(expected))
        return load_config(path), f"configuration {path}"
    if isinstance(expected, str):
        return Secure.from_preset(expected), f"preset {expected}"
    raise TypeError(
        "expected a secure.Secure, a preset name, a configuration file path or a "
        f"configuration mapping, got {type(expected).__name__} {expected!r:.100}"
    )


def expected_headers(expected: Expected | None = None) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs a configuration sends; a nonce slot reads ``{nonce}``.

    >>> "'nonce-{nonce}'" in dict(expected_headers({"nonce": True}))["Content-Security-Policy"]
    True
    """
    configured, _ = _configuration(expected)
    return _expected_items(configured)


def _expected_items(configured: Secure) -> list[tuple[str, str]]:
    # Two reads: a per-response nonce differs between them, a fixed nonce does not.
    first = list(configured.headers.items())
    second = dict(configured.headers)
    items = []
    for name, value in first:
        if name.lower() in _CSP_NAMES and value != second.get(name):
            fresh = set(_NONCE_SOURCE.findall(value)) - set(_NONCE_SOURCE.findall(second[name]))
            for nonce in fresh:
                value = value.replace(f"'nonce-{nonce}'", "'nonce-{nonce}'")
        items.append((name, value))
    return items


# -- reading a response ------------------------------------------------------------------------


def _header_items(headers: Any) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping) and not hasattr(headers, "multi_items"):
        pairs: Iterable[Any] = headers.items()
    elif hasattr(headers, "multi_items"):  # httpx, Starlette
        pairs = headers.multi_items()
    elif hasattr(headers, "to_wsgi_list"):  # Werkzeug (Flask)
        pairs = headers.to_wsgi_list()
    elif hasattr(headers, "items"):  # http.client, email.message, Django
        pairs = headers.items()
    else:
        pairs = headers
    items = []
    for pair in pairs:
        name, value = pair
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        items.append((str(name), str(value)))
    return items


def _body(response: Any) -> bytes | None:
    if getattr(response, "streaming", False):  # Django's StreamingHttpResponse
        return None
    get_data = getattr(response, "get_data", None)
    if callable(get_data):  # Werkzeug (Flask)
        data = get_data()
        return data if isinstance(data, bytes) else None
    for attribute in ("content", "body"):  # httpx / Django / Starlette responses
        try:
            data = getattr(response, attribute, None)
        except Exception:  # httpx raises when a streamed body was not read
            return None
        if isinstance(data, bytes):
            return data
    return None


def _read_response(response: Any) -> tuple[list[tuple[str, str]], bytes | None]:
    """The header fields and the body (``None`` when unknown) of any response object."""
    if isinstance(response, Mapping) or (
        isinstance(response, (list, tuple))
        and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in response)
    ):
        return _header_items(response), None
    headers = getattr(response, "headers", None)
    if headers is None and callable(getattr(response, "getheaders", None)):
        headers = response.getheaders()  # http.client.HTTPResponse
    if headers is None:
        raise TypeError(
            "cannot read headers from "
            f"{type(response).__name__}: pass a test-client response, a mapping or a "
            "list of (name, value) pairs"
        )
    items = _header_items(headers)
    # Django keeps cookies out of response.headers until the handler writes them.
    cookies = getattr(response, "cookies", None)
    if isinstance(cookies, SimpleCookie) and not any(
        name.lower() == "set-cookie" for name, _ in items
    ):
        items += [("Set-Cookie", morsel.OutputString()) for morsel in cookies.values()]
    return items, _body(response)


# -- reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a response fails: what kind, which header (if one), and why."""

    kind: ProblemKind
    header: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.header}: {self.message}" if self.header else self.message


@dataclass(frozen=True)
class HeaderReport:
    """The result of checking one response; true when nothing is wrong."""

    label: str
    expectation: str
    expected: tuple[tuple[str, str], ...]
    sent: tuple[tuple[str, str], ...]
    problems: tuple[Problem, ...] = ()
    findings: tuple[Finding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    def format(self) -> str:
        """The problems, then a diff of the expected and the sent headers."""
        lines = [f"{self.label} does not match {self.expectation}:"]
        lines += [f"  * {problem}" for problem in self.problems]
        lines.append("expected (-) vs sent (+); = same:")
        lines += _diff(self.expected, self.sent)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format() if self.problems else f"{self.label}: ok ({self.expectation})"


def _diff(expected: Sequence[tuple[str, str]], sent: Sequence[tuple[str, str]]) -> list[str]:
    by_name: dict[str, list[str]] = {}
    for name, value in sent:
        by_name.setdefault(name.lower(), []).append(value)
    lines = []
    for name, value in expected:
        values = by_name.get(name.lower(), [])
        if (len(values) == 1 and _same(name, value, values[0])) or _absent_ok(name, value, values):
            lines.append(f"  = {name}: {value}")
            continue
        if name.lower() in _CSP_NAMES and len(values) == 1:
            lines += _csp_diff(name, value, values[0])
            continue
        lines.append(f"  - {name}: {value}")
        lines += [f"  + {name}: {v}" for v in values] or [f"  + {name}: (not sent)"]
    return lines


def _absent_ok(name: str, value: str, values: list[str]) -> bool:
    # An empty Server means "do not advertise a server": absent is as good.
    return not values and name.lower() == "server" and not value


def _csp_diff(name: str, expected: str, sent: str) -> list[str]:
    """Only the directives that differ, one per line."""
    want = {d.split(" ", 1)[0].lower(): d for d in _directives(expected)}
    got = {d.split(" ", 1)[0].lower(): d for d in _directives(sent)}
    lines = []
    same = 0
    for directive in [*want, *(d for d in got if d not in want)]:
        a, b = want.get(directive), got.get(directive)
        if a is not None and b is not None and _same(name, a, b):
            same += 1
            continue
        lines.append(f"  - {name}: {a if a is not None else '(no ' + directive + ')'}")
        lines.append(f"  + {name}: {b if b is not None else '(no ' + directive + ')'}")
    if same:
        lines.append(f"  = {name}: ({same} other directive{'s' * (same != 1)} the same)")
    return lines


def _directives(value: str) -> list[str]:
    return [" ".join(_WHITESPACE.split(d.strip())) for d in value.split(";") if d.strip()]


def _normalise(value: str) -> str:
    # Recipients treat spaces around ";" and "," as optional whitespace and tokens as
    # case-insensitive (RFC 9110 §5.6.1, §5.6.3); any nonce fills a nonce slot.
    value = _NONCE_SOURCE.sub("'nonce-*'", value.replace("{nonce}", "slot"))
    value = re.sub(r"\s*([;,])\s*", r"\1", value.strip())
    return re.sub(r"\s+", " ", value).rstrip(";").lower()


def _same(name: str, expected: str, sent: str) -> bool:
    return _normalise(expected) == _normalise(sent)


# -- Content-Security-Policy: same or stricter -------------------------------------------------


# The directives a configuration restricts: every fetch directive (each falls back along
# CSP3 §6.8.3's chain, secure.headers._csp_grammar.fallback_chain) and the navigation and
# document directives, which have no fallback.
_COMPARED: Final = (
    "default-src",
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "style-src",
    "style-src-elem",
    "style-src-attr",
    "worker-src",
    "child-src",
    "frame-src",
    "fenced-frame-src",
    "connect-src",
    "font-src",
    "img-src",
    "manifest-src",
    "media-src",
    "object-src",
    "prefetch-src",
    "base-uri",
    "form-action",
    "frame-ancestors",
)
# CSP3 §8.2: 'strict-dynamic' governs script-like requests, workers included.
_SCRIPT_DIRECTIVES: Final = frozenset(
    {"script-src", "script-src-elem", "script-src-attr", "worker-src"}
)
_FLAGS: Final = ("upgrade-insecure-requests", "block-all-mixed-content")
_REPORTING: Final = ("report-uri", "report-to")


def _effective(policy: Policy, directive: str) -> tuple[str, tuple[str, ...]] | None:
    for name in fallback_chain(directive):
        if name in policy:
            return name, policy[name]
    return None


def _source_key(source: str) -> str:
    lower = source.lower()
    if lower.startswith("'nonce-"):
        return _ANY_NONCE  # a fresh one per response
    if _HASH_SOURCE.fullmatch(source):
        algorithm, _, digest = source[1:-1].partition("-")
        return f"'{algorithm.lower()}-{digest}'"  # base64 is case-sensitive
    return lower.rstrip("/") if "://" in lower and lower.count("/") == 3 else lower


def _allowances(sources: Sequence[str], directive: str) -> set[str]:
    """What a source list lets through, as comparable keys (CSP3 §6.7.2)."""
    keys = {_source_key(s) for s in sources} - {"'report-sample'"}
    keys.discard("'none'")  # 'none' alone allows nothing; next to other sources it is ignored
    trusted = any(k == _ANY_NONCE or _HASH_SOURCE.fullmatch(k) for k in keys)
    if trusted:
        # CSP3 §6.7.3.3: 'unsafe-inline' is ignored next to a nonce or hash.
        keys.discard("'unsafe-inline'")
        if directive in _SCRIPT_DIRECTIVES and "'strict-dynamic'" in keys:
            # CSP3 §8.2: with 'strict-dynamic' host, scheme and 'self' sources are ignored.
            keys = {k for k in keys if k.startswith("'") and k != "'self'"}
    return keys


def _policy_loosenings(expected: Policy, sent: Policy) -> list[str]:
    reasons: list[str] = []
    for directive in _COMPARED:
        want = _effective(expected, directive)
        if want is None:
            continue
        got = _effective(sent, directive)
        if got is None:
            reason = f"{directive} is not restricted (configured: {want[0]} {' '.join(want[1])})"
        else:
            extra = _allowances(got[1], directive) - _allowances(want[1], directive)
            if not extra:
                continue
            reason = f"{got[0]} allows {' '.join(sorted(extra))}, which the configuration does not"
        if reason not in reasons:
            reasons.append(reason)
    reasons += [f"{flag} is missing" for flag in _FLAGS if flag in expected and flag not in sent]
    if "sandbox" in expected:
        if "sandbox" not in sent:
            reasons.append("sandbox is missing")
        else:
            extra = {t.lower() for t in sent["sandbox"]} - {t.lower() for t in expected["sandbox"]}
            if extra:
                reasons.append(f"sandbox allows {' '.join(sorted(extra))}")
    if "require-trusted-types-for" in expected:
        missing = {t.lower() for t in expected["require-trusted-types-for"]} - {
            t.lower() for t in sent.get("require-trusted-types-for", [])
        }
        if missing:
            reasons.append(f"require-trusted-types-for {' '.join(sorted(missing))} is missing")
    if "trusted-types" in expected:
        allowed = set(expected["trusted-types"]) - {"'none'"}
        if "trusted-types" not in sent:
            reasons.append("trusted-types is missing")
        elif "*" not in allowed or "'allow-duplicates'" not in allowed:
            extra = set(sent["trusted-types"]) - {"'none'"} - allowed
            if "*" in allowed:
                extra &= {"'allow-duplicates'"}
            if extra:
                reasons.append(f"trusted-types allows {' '.join(sorted(extra))}")
    blocked = [v.lower() for v in expected.get("webrtc", [])][:1] == ["'block'"]
    if blocked and [v.lower() for v in sent.get("webrtc", [])] != ["'block'"]:
        reasons.append("webrtc is not 'block'")
    for name in _REPORTING:
        if name in expected and sent.get(name) != expected[name]:
            shown = " ".join(sent[name]) if name in sent else "missing"
            reasons.append(f"{name} is {shown}, configured: {' '.join(expected[name])}")
    known = {*_COMPARED, *_FLAGS, *_REPORTING, "sandbox", "webrtc"}
    known |= {"require-trusted-types-for", "trusted-types"}
    for name, values in expected.items():
        if name not in known and sent.get(name) != values:
            reasons.append(f"{name} differs from the configured {' '.join(values)!r}")
    return reasons


def csp_loosenings(expected: str, sent: str) -> list[str]:
    """Why the ``sent`` Content-Security-Policy is weaker than ``expected`` (empty if not).

    The sent policy passes when, for every directive the configuration restricts, the
    sent policy restricts it too (through the same CSP3 fallback chain) and lets
    through nothing the configured one does not: a subset of its sources, compared
    after the browser's own rules ('unsafe-inline' ignored next to a nonce or hash,
    host sources ignored under 'strict-dynamic'). Flags such as
    upgrade-insecure-requests stay, sandbox allows no more, reporting stays the same.
    A source is compared as written: ``https://a.example`` does not stand in for a
    configured ``https://*.example``. Several sent policies all apply, so one stricter
    policy among them is enough.

    >>> csp_loosenings("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    ["script-src allows 'unsafe-inline', which the configuration does not"]
    """
    wanted = parse_policies(expected, fold_case=False)
    sent_policies = parse_policies(sent, fold_case=False)
    if not sent_policies:
        return ["the policy is empty"]
    results = [
        [reason for want in wanted for reason in _policy_loosenings(want, got)]
        for got in sent_policies
    ]
    return min(results, key=len)


# -- HTML: nonces and inline code --------------------------------------------------------------

InlineKind = Literal["script", "style", "handler", "style-attribute", "javascript-url"]

_URL_ATTRIBUTES: Final = frozenset({"href", "src", "action", "formaction"})
# CSP3 §6.7.3.1 and §4.2.3: which directive governs each kind of inline code.
_INLINE_DIRECTIVE: Final[Mapping[InlineKind, str]] = {
    "script": "script-src-elem",
    "javascript-url": "script-src-elem",
    "handler": "script-src-attr",
    "style": "style-src-elem",
    "style-attribute": "style-src-attr",
}


@dataclass(frozen=True)
class _Inline:
    kind: InlineKind
    what: str  # e.g. "<script>", "onclick of <button>"
    line: int
    text: str
    nonce: str | None


class _PageScan(HTMLParser):
    """Nonce attributes and inline code of a page, with their line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nonces: list[tuple[str, int, str]] = []
        self.inline: list[_Inline] = []
        self._open: tuple[str, int, str | None, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # HTML: the first of a repeated attribute
        line = self.getpos()[0]
        nonce = values.get("nonce")
        if nonce is not None:
            self.nonces.append((tag, line, nonce))
        for name, value in values.items():
            if name.startswith("on") and len(name) > 2:
                self.inline.append(_Inline("handler", f"{name} of <{tag}>", line, value, None))
            elif name == "style" and value.strip():
                self.inline.append(
                    _Inline("style-attribute", f"style of <{tag}>", line, value, None)
                )
            elif name in _URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.inline.append(
                    _Inline("javascript-url", f"{name} of <{tag}>", line, value, None)
                )
        script = (
            tag == "script"
            and "src" not in values
            and values.get("type", "").strip().lower() in SCRIPT_TYPES
        )
        if script or tag == "style":
            self._open = (tag, line, nonce, [])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[3].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and self._open[0] == tag:
            name, line, nonce, parts = self._open
            self._open = None
            text = "".join(parts)
            # HTML "prepare the script element": an empty inline script does nothing.
            if text.strip():
                kind: InlineKind = "script" if name == "script" else "style"
                self.inline.append(_Inline(kind, f"<{name}>", line, text, nonce))


def _hash_allowed(sources: Sequence[str], text: str) -> bool:
    from secure.nonce import csp_hash

    for algorithm in {m[1].lower() for s in sources if (m := _HASH_SOURCE.fullmatch(s))}:
        if csp_hash(text, algorithm) in sources:  # type: ignore[arg-type]
            return True
    return False


def _verdict(policy: Policy, item: _Inline) -> Literal["trusted", "all", "blocked", "open"]:
    """How one enforced policy treats one piece of inline code (CSP3 §6.7.3)."""
    found = _effective(policy, _INLINE_DIRECTIVE[item.kind])
    if found is None:
        return "open"
    sources = found[1]
    lower = [s.lower() for s in sources]
    trusted = any(_source_key(s) == _ANY_NONCE or _HASH_SOURCE.fullmatch(s) for s in sources)
    scripts = item.kind in ("script", "handler", "javascript-url")
    if item.kind in ("script", "style"):
        if item.nonce and f"'nonce-{item.nonce}'" in sources:
            return "trusted"
        if _hash_allowed(sources, item.text):
            return "trusted"
    elif "'unsafe-hashes'" in lower and _hash_allowed(sources, item.text):
        return "trusted"
    # CSP3 "Does a source list allow all inline behavior for type?"
    if "'unsafe-inline'" in lower and not trusted and not (scripts and "'strict-dynamic'" in lower):
        return "all"
    return "blocked"


def _page_problems(items: Sequence[tuple[str, str]], body: bytes, charset: str) -> list[Problem]:
    scan = _PageScan()
    scan.feed(body.decode(charset, errors="replace"))
    scan.close()
    enforced = [
        policy
        for name, value in items
        if name.lower() == "content-security-policy"
        for policy in parse_policies(value, fold_case=False)
    ]
    header_nonces = {
        m for name, v in items if name.lower() in _CSP_NAMES for m in _NONCE_SOURCE.findall(v)
    }
    problems: list[Problem] = []
    # With no nonce in the policy there is nothing to match: a nonce'd element is then
    # reported below if the policy blocks it, and a missing policy by the header checks.
    for tag, line, nonce in scan.nonces if header_nonces else ():
        if nonce not in header_nonces:
            want = " or ".join(repr(n) for n in sorted(header_nonces))
            message = f"the nonce of <{tag}> on line {line} is {nonce!r}, the header's is {want}"
            problems.append(Problem("nonce-mismatch", "Content-Security-Policy", message))
    for item in sorted(scan.inline, key=lambda i: i.line):
        verdicts = {_verdict(p, item) for p in enforced} or {"open"}
        where = f"inline {item.what} on line {item.line}"
        scripts = item.kind in ("script", "handler", "javascript-url")
        if "blocked" in verdicts:
            fix = (
                "give it the response's nonce"
                if item.kind in ("script", "style")
                else "move it into a nonce'd script or stylesheet"
            )
            message = f"{where} is blocked by the policy ({_excerpt(item.text)}): {fix}"
        elif scripts and verdicts <= {"all", "open"}:
            why = "'unsafe-inline'" if "all" in verdicts else "no policy restricting scripts"
            message = f"{where} runs without a nonce or hash, through {why}"
        else:
            continue
        problems.append(Problem("inline", "Content-Security-Policy", message))
    return problems


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _content_type(items: Sequence[tuple[str, str]]) -> tuple[str | None, str]:
    for name, value in items:
        if name.lower() == "content-type":
            media, *params = value.split(";")
            charset = "utf-8"
            for param in params:
                key, _, arg = param.strip().partition("=")
                if key.lower() == "charset" and arg:
                    charset = arg.strip('"')
            return media.strip().lower(), charset
    return None, "utf-8"


# -- the checks --------------------------------------------------------------------------------


def _at_least(severity: Severity | None) -> set[str]:
    if severity is None:
        return set()
    if severity not in SEVERITIES:
        raise ValueError(
            f"min_severity must be one of {', '.join(SEVERITIES)} or None, got {severity!r}"
        )
    return set(SEVERITIES[: SEVERITIES.index(severity) + 1])


def check_headers(
    response: Any,
    expected: Expected | None = None,
    *,
    min_severity: Severity | None = "high",
    body: bytes | str | None = None,
    label: str = "the response",
) -> HeaderReport:
    """Check one response against a configuration; see :func:`assert_secure_headers`."""
    configured, expectation = _configuration(expected)
    want = _expected_items(configured)
    sent, read_body = _read_response(response)
    if body is not None:
        read_body = body.encode() if isinstance(body, str) else body
    problems: list[Problem] = []
    by_name: dict[str, list[str]] = {}
    for name, value in sent:
        by_name.setdefault(name.lower(), []).append(value)
    for name, value in want:
        values = by_name.get(name.lower(), [])
        if not values:
            if not _absent_ok(name, value, values):
                problems.append(Problem("missing", name, "not sent"))
            continue
        if len(values) > 1:
            problems.append(Problem("repeated", name, f"sent {len(values)} times"))
            continue
        if name.lower() in _CSP_NAMES:
            template = value.replace("{nonce}", "configured")
            problems += [Problem("weaker", name, r) for r in csp_loosenings(template, values[0])]
        elif not _same(name, value, values[0]):
            problems.append(Problem("different", name, f"{values[0]!r} instead of {value!r}"))
    serious = _at_least(min_severity)
    findings = tuple(audit_headers(sent))
    problems += [
        Problem("finding", f.header, f"{f.severity}: {f.message} [{f.rule}]")
        for f in findings
        if f.severity in serious
    ]
    media, charset = _content_type(sent)
    # Without a Content-Type, a body given by hand is read as HTML if it looks like it.
    guessed = media is None and body is not None and (read_body or b"").lstrip()[:1] == b"<"
    html = media in ("text/html", "application/xhtml+xml") or guessed
    if html and read_body:
        problems += _page_problems(sent, read_body, charset)
    return HeaderReport(label, expectation, tuple(want), tuple(sent), tuple(problems), findings)


def assert_secure_headers(
    response: Any,
    expected: Expected | None = None,
    *,
    min_severity: Severity | None = "high",
    body: bytes | str | None = None,
    label: str = "the response",
) -> HeaderReport:
    """Fail with a readable diff unless ``response`` sends the ``expected`` headers.

    ``response`` is a test client's response (Flask, Django, Starlette/FastAPI), a
    mapping or a list of ``(name, value)`` pairs (then pass the page as ``body`` to
    check its nonces). ``expected`` is a ``Secure``, a preset name, a configuration
    file path or mapping (default: the BALANCED preset). Policy-checker findings at or
    above ``min_severity`` fail too (``None``: ignore them).

    >>> assert_secure_headers(client.get("/"), "secure.toml")
    """
    report = check_headers(response, expected, min_severity=min_severity, body=body, label=label)
    if not report.ok:
        raise AssertionError(report.format())
    return report


def check_routes(
    app: Any,
    expected: Expected | None = None,
    *,
    paths: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    per_path: Mapping[str, Expected] | None = None,
    min_severity: Severity | None = "high",
) -> list[HeaderReport]:
    """Request every GET route of ``app`` and check each response; one report per path.

    ``app`` is a Flask, FastAPI or Starlette app, a Django ``Client`` or WSGI/ASGI
    handler, or any WSGI/ASGI callable (then ``paths`` is required). Without ``paths``
    every GET route without parameters is requested; ``skip`` leaves paths out and
    ``per_path`` gives some paths an expectation of their own.
    """
    from secure._routes import client_for, discover

    if paths is None:
        found = discover(app)
        if found is None:
            raise TypeError(f"cannot list the routes of {type(app).__name__}: pass paths=[...]")
        paths = found
    skipped = set(skip)
    chosen = [p for p in dict.fromkeys(paths) if p not in skipped]
    if not chosen:
        raise ValueError(
            f"no route to check in {type(app).__name__}: it has no GET route without "
            "parameters (or all were skipped); list some with paths=[...]"
        )
    special = dict(per_path or {})
    reports = []
    with client_for(app) as get:
        for path in chosen:
            label = f"GET {path}"
            try:
                response = get(path)
            except Exception as exc:
                configured, expectation = _configuration(special.get(path, expected))
                problem = Problem("error", None, f"the request raised {exc!r}")
                want = tuple(_expected_items(configured))
                reports.append(HeaderReport(label, expectation, want, (), (problem,)))
                continue
            reports.append(
                check_headers(
                    response, special.get(path, expected), min_severity=min_severity, label=label
                )
            )
    return reports


def assert_routes_secure(
    app: Any,
    expected: Expected | None = None,
    *,
    paths: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    per_path: Mapping[str, Expected] | None = None,
    min_severity: Severity | None = "high",
) -> list[HeaderReport]:
    """:func:`check_routes`, failing with every route's problems at once.

    >>> assert_routes_secure(app, "secure.toml", skip=["/health"])
    """
    reports = check_routes(
        app, expected, paths=paths, skip=skip, per_path=per_path, min_severity=min_severity
    )
    failed = [r for r in reports if not r.ok]
    if failed:
        head = f"{len(failed)} of {len(reports)} routes fail the header check\n\n"
        raise AssertionError(head + "\n\n".join(r.format() for r in failed))
    return reports


# -- a live URL --------------------------------------------------------------------------------


def assert_grade(
    url: str,
    min_grade: str = "A",
    expected: Expected | None = None,
    *,
    timeout: float = 10.0,
) -> CheckReport:
    """Fail unless ``secure check URL`` would grade the live site ``min_grade`` or better.

    The grade is the command line's (<https://typeerror.github.io/secure/cli/>): the policy
    checker's findings, missing headers and, when ``expected`` is given, values that differ
    cost points.

    >>> assert_grade("https://staging.example.com", "A", "secure.toml")
    """
    from secure.cli._check import GRADES, FetchError, build_report, fetch, normalise_url

    grades = [grade for grade, _ in GRADES]
    if min_grade not in grades:
        raise ValueError(f"min_grade must be one of {', '.join(grades)}, got {min_grade!r}")
    configured, expectation = _configuration(expected)
    templated = [(name, value, "{nonce}" in value) for name, value in _expected_items(configured)]
    try:
        fetched = fetch(normalise_url(url), timeout=timeout, user_agent="secure-pytest")
    except FetchError as exc:
        raise AssertionError(f"secure check {url}: {exc}") from None
    # Without an expectation the grade measures security alone (what is sent), as
    # `secure check` does; with one it also counts the differences.
    if expected is None:
        report = build_report(fetched, None)
    else:
        report = build_report(fetched, templated, expectation=expectation)
    if grades.index(report.grade) > grades.index(min_grade):
        lines = [
            f"secure check {url}: grade {report.grade} (score {report.score}) is below "
            f"{min_grade}" + (f", compared with {expectation}:" if expected is not None else ":")
        ]
        lines += [f"  -{d.points:<3} {d.reason}" for d in report.deductions]
        raise AssertionError("\n".join(lines))
    return report
