"""One typed record for every browser report, and the strict parsers that build it.

Two wire formats arrive at a report endpoint:

* the Reporting API (W3C Reporting API §3.6 "Send reports"): ``application/reports+json``,
  a JSON array of ``{"type", "url", "age", "user_agent", "body"}`` objects, of any report
  type (``csp-violation``, ``permissions-policy-violation``, ``coep``, ``coop``,
  ``deprecation``, ``intervention``, ...);
* CSP's legacy ``report-uri`` (CSP3 §5.4 "Obtain the deprecated serialization"):
  ``application/csp-report``, one ``{"csp-report": {...}}`` object with hyphenated keys.

Both become a :class:`Report`. Reports are untrusted input: every field is type-checked,
strings are capped and made encodable, nested values are dropped, and anything that does
not fit is refused with :class:`ReportError` (the receiver answers 400).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal
from urllib.parse import urlsplit

__all__ = [
    "MAX_STRING",
    "Report",
    "ReportError",
    "Scalar",
    "blocked_key",
    "document_path",
    "escape",
    "parse_body",
    "parse_csp_report",
    "parse_reports_json",
]

#: JSON scalars kept from a report body.
Scalar = str | int | float | bool | None

#: Longest string kept from a report; longer ones are cut (a script sample is 40
#: characters, a URL rarely more than 2,000).
MAX_STRING: Final = 4096

Source = Literal["reporting-api", "report-uri"]


class ReportError(ValueError):
    """A report body that cannot be accepted; ``status`` is the HTTP answer."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Report:
    """One browser report, from the Reporting API or a legacy ``report-uri`` body.

    ``directive`` is the CSP effective directive (``script-src-elem``), the Permissions
    Policy feature (``camera``), or ``""`` for types without one; ``blocked`` is the
    blocked URL or keyword (``inline``, ``eval``), ``""`` when none. ``body`` holds every
    scalar field of the original body, as sent.

    >>> Report(type="csp-violation", url="https://example.com/").document_path
    '/'
    """

    type: str
    url: str
    directive: str = ""
    blocked: str = ""
    disposition: str = ""
    source_file: str = ""
    line: int | None = None
    column: int | None = None
    sample: str = ""
    policy: str = ""
    status_code: int | None = None
    referrer: str = ""
    user_agent: str = ""
    age: int | None = None
    source: Source = "reporting-api"
    body: Mapping[str, Scalar] = field(default_factory=lambda: MappingProxyType({}), hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.body, MappingProxyType):
            object.__setattr__(self, "body", MappingProxyType(dict(self.body)))

    @property
    def document_path(self) -> str:
        """The path of the document that sent the report, without query or fragment."""
        return document_path(self.url)

    @property
    def blocked_origin(self) -> str:
        """The blocked URL's origin (``https://cdn.example``), scheme (``data:``) or keyword."""
        return blocked_key(self.blocked)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "type": self.type,
            "url": self.url,
            "directive": self.directive,
            "blocked": self.blocked,
            "disposition": self.disposition,
            "source_file": self.source_file,
            "line": self.line,
            "column": self.column,
            "sample": self.sample,
            "policy": self.policy,
            "status_code": self.status_code,
            "referrer": self.referrer,
            "user_agent": self.user_agent,
            "age": self.age,
            "source": self.source,
            "body": dict(self.body),
        }

    @classmethod
    def from_dict(cls, data: object) -> Report:
        """Read back what :meth:`to_dict` wrote, with the same strict checks."""
        if not isinstance(data, dict):
            raise ReportError(f"a report record must be an object, got {_kind(data)}")
        unknown = sorted(set(data) - _RECORD_FIELDS)
        if unknown:
            raise ReportError(f"unknown report record field {escape(unknown[0])}")
        source = data.get("source", "reporting-api")
        if source not in ("reporting-api", "report-uri"):
            raise ReportError("report record field 'source' must be reporting-api or report-uri")
        body = data.get("body", {})
        if not isinstance(body, dict):
            raise ReportError(f"report record field 'body' must be an object, got {_kind(body)}")
        return cls(
            type=_required_str(data, "type"),
            url=_str(data, "url"),
            directive=_str(data, "directive"),
            blocked=_str(data, "blocked"),
            disposition=_str(data, "disposition"),
            source_file=_str(data, "source_file"),
            line=_int(data, "line"),
            column=_int(data, "column"),
            sample=_str(data, "sample"),
            policy=_str(data, "policy"),
            status_code=_int(data, "status_code"),
            referrer=_str(data, "referrer"),
            user_agent=_str(data, "user_agent"),
            age=_int(data, "age"),
            source=source,
            body=_scalars(body),
        )


_RECORD_FIELDS: Final = frozenset(
    (
        "type",
        "url",
        "directive",
        "blocked",
        "disposition",
        "source_file",
        "line",
        "column",
        "sample",
        "policy",
        "status_code",
        "referrer",
        "user_agent",
        "age",
        "source",
        "body",
    )
)


# -- text hygiene ---------------------------------------------------------------------------


def clean(value: str) -> str:
    """Cap a string and make it encodable: a lone surrogate (JSON allows ``\\ud800``)
    becomes ``?``, so files, logs and SQLite never fail on it."""
    if len(value) > MAX_STRING:
        value = value[:MAX_STRING]
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def escape(value: object) -> str:
    """``value`` as one printable line: control, format and separator characters
    (CR, LF, ESC, DEL, NEL, U+2028, bidi controls...) become ``\\xNN``/``\\uNNNN``, and
    a backslash is doubled, so a log line can never be split, recoloured or forged."""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


# -- strict field readers -------------------------------------------------------------------


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - json only makes the kinds above


def _str(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ReportError(f"field {escape(key)} must be a string, got {_kind(value)}")
    return clean(value)


def _required_str(data: Mapping[str, object], key: str) -> str:
    value = _str(data, key)
    if not value:
        raise ReportError(f"field {key} is required and must be a non-empty string")
    return value


def _int(data: Mapping[str, object], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReportError(f"field {escape(key)} must be an integer, got {_kind(value)}")
    if not -(2**53) <= value <= 2**53:  # JSON's safe integers; SQLite holds 64 bits
        raise ReportError(f"field {escape(key)} is out of range")
    return value


def _scalars(body: Mapping[str, object]) -> dict[str, Scalar]:
    """The scalar fields of a body, strings cleaned; nested arrays and objects dropped."""
    kept: dict[str, Scalar] = {}
    for key, value in body.items():
        if len(kept) >= 64:  # no report type has that many fields
            break
        if isinstance(value, str):
            kept[clean(key)] = clean(value)
        elif isinstance(value, bool) or value is None:
            kept[clean(key)] = value
        elif isinstance(value, int):
            kept[clean(key)] = value if -(2**53) <= value <= 2**53 else None
        elif isinstance(value, float):
            kept[clean(key)] = value if math.isfinite(value) else None
    return kept


# -- the two wire formats -------------------------------------------------------------------


def _first_token(directive: str) -> str:
    # Old browsers put the whole directive ("script-src 'self'") in violated-directive.
    return directive.split(" ", 1)[0].lower()


def _reporting_api_report(item: object, user_agent: str) -> Report:
    if not isinstance(item, dict):
        raise ReportError(f"each report must be an object, got {_kind(item)}")
    report_type = _required_str(item, "type")
    url = _str(item, "url")
    body = item.get("body")
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ReportError(f"field body must be an object, got {_kind(body)}")
    agent = _str(item, "user_agent") or user_agent
    age = _int(item, "age")
    fields = {key: body.get(key) for key in body if isinstance(key, str)}
    if report_type == "csp-violation":
        # CSP3 §5.3 "Create a violation object": CSPViolationReportBody's members.
        return Report(
            type=report_type,
            url=_str(fields, "documentURL") or url,
            directive=_first_token(_str(fields, "effectiveDirective")),
            blocked=_str(fields, "blockedURL"),
            disposition=_str(fields, "disposition"),
            source_file=_str(fields, "sourceFile"),
            line=_int(fields, "lineNumber"),
            column=_int(fields, "columnNumber"),
            sample=_str(fields, "sample"),
            policy=_str(fields, "originalPolicy"),
            status_code=_int(fields, "statusCode"),
            referrer=_str(fields, "referrer"),
            user_agent=agent,
            age=age,
            body=_scalars(fields),
        )
    # Permissions Policy §8 "Reporting": featureId; COEP/COOP/others: what they have.
    directive = _str(fields, "featureId") or _str(fields, "effectivePolicy")
    return Report(
        type=report_type,
        url=url,
        directive=directive,
        blocked=_str(fields, "blockedURL"),
        disposition=_str(fields, "disposition"),
        source_file=_str(fields, "sourceFile"),
        line=_int(fields, "lineNumber"),
        column=_int(fields, "columnNumber"),
        user_agent=agent,
        age=age,
        body=_scalars(fields),
    )


def _legacy_report(data: object, user_agent: str) -> Report:
    if not isinstance(data, dict):
        raise ReportError(f"a csp-report body must be an object, got {_kind(data)}")
    inner = data.get("csp-report")
    if not isinstance(inner, dict):
        raise ReportError(f"field csp-report must be an object, got {_kind(inner)}")
    fields = {key: inner.get(key) for key in inner if isinstance(key, str)}
    directive = _str(fields, "effective-directive") or _str(fields, "violated-directive")
    return Report(
        type="csp-violation",
        url=_str(fields, "document-uri"),
        directive=_first_token(directive),
        blocked=_str(fields, "blocked-uri"),
        disposition=_str(fields, "disposition"),
        source_file=_str(fields, "source-file"),
        line=_int(fields, "line-number"),
        column=_int(fields, "column-number"),
        sample=_str(fields, "script-sample"),
        policy=_str(fields, "original-policy"),
        status_code=_int(fields, "status-code"),
        referrer=_str(fields, "referrer"),
        user_agent=user_agent,
        source="report-uri",
        body=_scalars(fields),
    )


def _reject_constant(name: str) -> object:
    raise ReportError(f"{name} is not JSON")


def _decode(raw: bytes) -> object:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReportError("the body is not UTF-8") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # Only the position: the decoder's message never quotes the input.
        raise ReportError(f"not JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ReportError("JSON nested too deeply") from None
    except ReportError:
        raise  # NaN or Infinity, refused by _reject_constant
    except ValueError:
        # An integer literal past int_max_str_digits (CPython's limit on int(str)).
        raise ReportError("a number too long to read") from None


def parse_reports_json(raw: bytes, *, max_reports: int, user_agent: str = "") -> list[Report]:
    """Parse an ``application/reports+json`` body: a JSON array of reports."""
    data = _decode(raw)
    if not isinstance(data, list):
        raise ReportError(f"expected an array of reports, got {_kind(data)}")
    if len(data) > max_reports:
        raise ReportError(f"{len(data)} reports in one batch; the limit is {max_reports}", 413)
    if not data:
        raise ReportError("an empty batch")
    return [_reporting_api_report(item, clean(user_agent)) for item in data]


def parse_csp_report(raw: bytes, *, user_agent: str = "") -> list[Report]:
    """Parse a legacy ``application/csp-report`` body."""
    return [_legacy_report(_decode(raw), clean(user_agent))]


def parse_body(
    content_type: str, raw: bytes, *, max_reports: int, user_agent: str = ""
) -> list[Report]:
    """Parse a body by its media type; ``application/json`` is read by its shape.

    Raises :class:`ReportError` with status 415 for any other media type.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/reports+json":
        return parse_reports_json(raw, max_reports=max_reports, user_agent=user_agent)
    if media == "application/csp-report":
        return parse_csp_report(raw, user_agent=user_agent)
    if media == "application/json":
        data = _decode(raw)
        if isinstance(data, list):
            return parse_reports_json(raw, max_reports=max_reports, user_agent=user_agent)
        return [_legacy_report(data, clean(user_agent))]
    raise ReportError(
        "expected application/reports+json or application/csp-report, got "
        f"{escape(media[:100]) or 'no Content-Type'}",
        415,
    )


# -- grouping keys ----------------------------------------------------------------------------


_SCHEME_ONLY: Final = frozenset(("data", "blob", "filesystem", "mediastream"))


def document_path(url: str) -> str:
    """The path of a document URL (``/checkout``), never its query or fragment."""
    if not url:
        return ""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return (path or "/")[:512]


def blocked_key(blocked: str) -> str:
    """What a blocked URL is grouped by: its origin, its scheme (``data:``), or the
    keyword a browser reports (``inline``, ``eval``, ``wasm-eval``, ``trusted-types-sink``)."""
    if not blocked:
        return ""
    if blocked in _SCHEME_ONLY:
        # Browsers report data:, blob: ... URLs by their bare scheme name ("data").
        return f"{blocked}:"
    try:
        parts = urlsplit(blocked)
        port = parts.port
    except ValueError:
        return blocked[:200]
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ws", "wss") and parts.hostname:
        host = parts.hostname
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        default = {"http": 80, "https": 443, "ws": 80, "wss": 443}[scheme]
        return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")
    if scheme and ":" in blocked:
        return f"{scheme}:"
    return blocked[:200]
