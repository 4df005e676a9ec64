"""secure.reports: parsing, the receiver's limits, the sinks, the aggregate, the wiring."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from secure import Secure
from secure.reports import (
    AggregateSink,
    JSONLinesSink,
    LoggingSink,
    Report,
    ReportError,
    ReportReceiver,
    ReportsASGIApp,
    ReportsWSGIApp,
    escape,
    format_line,
    parse_body,
    with_reporting,
)

CSP_BODY = {
    "documentURL": "https://app.example/checkout?card=1#x",
    "referrer": "",
    "blockedURL": "https://cdn.example/lib.js",
    "effectiveDirective": "script-src-elem",
    "originalPolicy": "default-src 'self'; report-to default",
    "sourceFile": "https://app.example/checkout",
    "sample": "",
    "disposition": "enforce",
    "statusCode": 200,
    "lineNumber": 12,
    "columnNumber": 3,
}


def api_report(**body: Any) -> dict[str, Any]:
    return {
        "type": "csp-violation",
        "url": "https://app.example/checkout?card=1",
        "age": 10,
        "user_agent": "Chrome",
        "body": {**CSP_BODY, **body},
    }


def api_body(*reports: dict[str, Any]) -> bytes:
    return json.dumps(list(reports or [api_report()])).encode()


LEGACY = {
    "csp-report": {
        "document-uri": "https://app.example/",
        "referrer": "",
        "violated-directive": "img-src 'self'",
        "effective-directive": "img-src",
        "original-policy": "img-src 'self'; report-uri /_reports",
        "disposition": "report",
        "blocked-uri": "data",
        "line-number": 4,
        "source-file": "https://app.example/",
        "status-code": 0,
        "script-sample": "",
    }
}


# -- parsing --------------------------------------------------------------------------------


def test_reporting_api_csp_violation_becomes_a_report() -> None:
    (report,) = parse_body("application/reports+json", api_body(), max_reports=10)
    assert report == Report(
        type="csp-violation",
        url="https://app.example/checkout?card=1#x",
        directive="script-src-elem",
        blocked="https://cdn.example/lib.js",
        disposition="enforce",
        source_file="https://app.example/checkout",
        line=12,
        column=3,
        policy="default-src 'self'; report-to default",
        status_code=200,
        user_agent="Chrome",
        age=10,
        body=CSP_BODY,
    )
    assert report.document_path == "/checkout"
    assert report.blocked_origin == "https://cdn.example"
    with pytest.raises(AttributeError):
        report.type = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.body["x"] = 1  # type: ignore[index]
    assert len({report, report}) == 1  # hashable, for sets and dict keys


def test_legacy_report_uri_body_becomes_the_same_record() -> None:
    (report,) = parse_body(
        "application/csp-report; charset=utf-8", json.dumps(LEGACY).encode(), max_reports=1
    )
    assert (report.type, report.directive, report.blocked, report.disposition) == (
        "csp-violation",
        "img-src",
        "data",
        "report",
    )
    assert report.source == "report-uri"
    assert report.line == 4
    assert report.blocked_origin == "data:"


def test_legacy_violated_directive_is_cut_to_its_name() -> None:
    inner = dict(LEGACY["csp-report"])
    del inner["effective-directive"]
    (report,) = parse_body(
        "application/json", json.dumps({"csp-report": inner}).encode(), max_reports=1
    )
    assert report.directive == "img-src"


@pytest.mark.parametrize(
    ("report_type", "body", "directive", "blocked"),
    [
        (
            "permissions-policy-violation",
            {"featureId": "camera", "disposition": "enforce", "lineNumber": 1},
            "camera",
            "",
        ),
        (
            "coep",
            {"type": "corp", "blockedURL": "https://x.example/a.png", "disposition": "enforce"},
            "",
            "https://x.example/a.png",
        ),
        ("coop", {"disposition": "enforce", "effectivePolicy": "same-origin"}, "same-origin", ""),
        ("deprecation", {"id": "X", "message": "gone", "nested": {"dropped": 1}}, "", ""),
        ("intervention", {}, "", ""),
    ],
)
def test_any_report_type_is_accepted(
    report_type: str, body: dict[str, object], directive: str, blocked: str
) -> None:
    raw = json.dumps([{"type": report_type, "url": "https://a.example/", "body": body}]).encode()
    (report,) = parse_body("application/reports+json", raw, max_reports=5)
    assert (report.type, report.directive, report.blocked) == (report_type, directive, blocked)
    assert "nested" not in report.body  # only scalar fields are kept


def test_report_round_trips_through_a_dict() -> None:
    (report,) = parse_body("application/reports+json", api_body(), max_reports=1)
    assert Report.from_dict(json.loads(json.dumps(report.to_dict()))) == report


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be an object"),
        ({"url": "x"}, "type is required"),
        ({"type": "x", "nope": 1}, "unknown report record field"),
        ({"type": "x", "line": "1"}, "line must be an integer"),
        ({"type": "x", "source": "smtp"}, "source"),
        ({"type": "x", "body": []}, "body"),
    ],
)
def test_report_from_dict_is_strict(data: object, message: str) -> None:
    with pytest.raises(ReportError, match=message):
        Report.from_dict(data)


@pytest.mark.parametrize(
    ("content_type", "body", "status", "reason"),
    [
        ("application/reports+json", b"not json", 400, "not JSON"),
        ("application/reports+json", b"\xff\xfe", 400, "not UTF-8"),
        ("application/reports+json", b"[NaN]", 400, "NaN is not JSON"),
        ("application/reports+json", b"{}", 400, "expected an array"),
        ("application/reports+json", b"[]", 400, "empty batch"),
        ("application/reports+json", b"[1]", 400, "must be an object"),
        ("application/reports+json", b'[{"type": 1}]', 400, "type must be a string, got a number"),
        ("application/reports+json", b'[{"type": ""}]', 400, "type is required"),
        ("application/reports+json", b'[{"type": "x", "body": []}]', 400, "body must be"),
        ("application/reports+json", b'[{"type": "x", "age": "1"}]', 400, "age must be"),
        ("application/reports+json", b'[{"type": "x", "age": true}]', 400, "age must be"),
        ("application/reports+json", b'[{"type": "x", "age": 1e400}]', 400, "age must be"),
        ("application/reports+json", b'[{"type": "x", "age": 99999999999999999999}]', 400, "range"),
        (
            "application/reports+json",
            b'[{"type": "csp-violation", "body": {"lineNumber": [1]}}]',
            400,
            "lineNumber must be an integer, got an array",
        ),
        (
            "application/reports+json",
            b'[{"type": "csp-violation", "body": {"blockedURL": {}}}]',
            400,
            "blockedURL must be a string, got an object",
        ),
        ("application/reports+json", b"[" * 10_000 + b"]" * 10_000, 400, "nested too deeply"),
        (
            "application/reports+json",
            b'[{"type": "x", "age": ' + b"9" * 5000 + b"}]",
            400,
            "number too long",
        ),
        ("application/reports+json", json.dumps([{"type": "x"}] * 11).encode(), 413, "limit"),
        ("application/csp-report", b"[]", 400, "must be an object"),
        ("application/csp-report", b'{"csp-report": "x"}', 400, "csp-report must be an object"),
        ("text/plain", b"[]", 415, "text/plain"),
        ("", b"[]", 415, "no Content-Type"),
    ],
)
def test_malformed_bodies_are_refused(
    content_type: str, body: bytes, status: int, reason: str
) -> None:
    with pytest.raises(ReportError, match=reason) as excinfo:
        parse_body(content_type, body, max_reports=10)
    assert excinfo.value.status == status


def test_strings_are_capped_and_made_encodable() -> None:
    raw = json.dumps([api_report(sample="a" * 100_000, sourceFile="\ud800x")]).encode()
    (report,) = parse_body("application/reports+json", raw, max_reports=1)
    assert len(report.sample) == 4096
    assert report.source_file == "?x"
    report.source_file.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", "plain text"),
        ("a\r\nINFO forged", "a\\x0d\\x0aINFO forged"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x00\x7f\x85", "\\x00\\x7f\\x85"),
        ("\u2028\u202e", "\\u2028\\u202e"),
        ("back\\slash", "back\\\\slash"),
        ("café", "café"),
    ],
)
def test_escape(value: str, expected: str) -> None:
    assert escape(value) == expected


@pytest.mark.parametrize(
    ("blocked", "key"),
    [
        ("https://cdn.example:443/a.js?x", "https://cdn.example"),
        ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000"),
        ("wss://ws.example/socket", "wss://ws.example"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("data:image/png;base64,AAAA", "data:"),
        ("blob:https://app.example/uuid", "blob:"),
        ("data", "data:"),
        ("blob", "blob:"),
        ("inline", "inline"),
        ("eval", "eval"),
        ("", ""),
        ("https://[::1/", "https://[::1/"),
    ],
)
def test_blocked_key(blocked: str, key: str) -> None:
    assert Report(type="csp-violation", url="", blocked=blocked).blocked_origin == key


# -- the receiver through WSGI ---------------------------------------------------------------


class Collected(list[Report]):
    def __call__(self, report: Report) -> None:
        self.append(report)


def wsgi_call(
    app: ReportsWSGIApp,
    body: bytes = b"",
    *,
    method: str = "POST",
    content_type: str = "application/reports+json",
    length: str | None = None,
    client: str = "203.0.113.9",
    headers: dict[str, str] | None = None,
    terminated: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "CONTENT_TYPE": content_type,
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": client,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    elif not terminated:
        environ["CONTENT_LENGTH"] = str(len(body))
    if terminated:
        environ["wsgi.input_terminated"] = True
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    payload = b"".join(app(environ, start_response))
    return int(seen["status"].split()[0]), seen["headers"], payload


def test_wsgi_accepts_both_formats_and_answers_204_with_no_body() -> None:
    sink = Collected()
    app = ReportsWSGIApp(ReportReceiver(sinks=[sink]))
    assert wsgi_call(app, api_body(api_report(), api_report())) == (204, {}, b"")
    status, _, payload = wsgi_call(
        app, json.dumps(LEGACY).encode(), content_type="application/csp-report"
    )
    assert (status, payload) == (204, b"")
    assert [r.source for r in sink] == ["reporting-api", "reporting-api", "report-uri"]
    assert app.receiver.stats["accepted"] == 3


def test_wsgi_reads_a_terminated_stream_without_length() -> None:
    sink = Collected()
    app = ReportsWSGIApp(ReportReceiver(sinks=[sink]))
    assert wsgi_call(app, api_body(), terminated=True)[0] == 204
    assert len(sink) == 1
    # Without a length and without wsgi.input_terminated, reading could block.
    status, _, _ = wsgi_call_without_length(app, api_body())
    assert status == 411
    assert len(sink) == 1


def wsgi_call_without_length(app: ReportsWSGIApp, body: bytes) -> tuple[int, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/reports+json",
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": "198.51.100.1",
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    payload = b"".join(app(environ, start_response))
    return int(seen["status"].split()[0]), {}, payload


HOSTILE = [
    pytest.param(
        b"\x00\x01\x1b[2J<script>raw</script>", "application/reports+json", 400, id="not-json"
    ),
    pytest.param(
        b"[" + b" " * (10 * 1024 * 1024) + b"]", "application/reports+json", 413, id="10MB"
    ),
    pytest.param(b"[" * 10_000 + b"]" * 10_000, "application/reports+json", 400, id="nested-lists"),
    pytest.param(
        b'[{"type": ["raw-marker"], "url": {"raw": "marker"}}]',
        "application/reports+json",
        400,
        id="wrong-types",
    ),
    pytest.param(
        b'[{"type": "csp-violation\\r\\nFORGED raw-marker \\u001b[31m", "body": []}]',
        "application/reports+json",
        400,
        id="escape-sequences",
    ),
    pytest.param(
        json.dumps([{"type": "raw-marker" * 100_000}]).encode(),
        "application/reports+json",
        413,
        id="huge-string",
    ),
    pytest.param(b"raw-marker" * 10, "text/html\r\nX-Forged: yes", 415, id="bad-media-type"),
    pytest.param(
        b'{"csp-report": {"blocked-uri": 5}}', "application/csp-report", 400, id="legacy-types"
    ),
]


@pytest.mark.parametrize(("body", "content_type", "status"), HOSTILE)
def test_hostile_bodies_are_refused_with_nothing_raw_in_the_logs(
    body: bytes, content_type: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    sink = Collected()
    app = ReportsWSGIApp(ReportReceiver(sinks=[sink, LoggingSink()]))
    with caplog.at_level(logging.DEBUG, logger="secure.reports"):
        got, headers, payload = wsgi_call(app, body, content_type=content_type)
    assert (got, payload) == (status, b"")
    assert "raw" not in json.dumps(headers)
    assert sink == []
    logged = caplog.text
    assert "refused reports from 203.0.113.9" in logged
    assert "raw-marker" not in logged and "<script>" not in logged and "marker" not in logged
    assert all(c == "\n" or c.isprintable() for c in logged)
    counter = {400: "malformed", 413: "too_large", 415: "bad_media_type"}[status]
    assert app.receiver.stats[counter] == 1


def test_a_too_large_content_length_is_refused_before_reading() -> None:
    class Exploding(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise AssertionError("the body was read")

    app = ReportsWSGIApp(ReportReceiver(sinks=[], max_body=1000))
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/reports+json",
        "CONTENT_LENGTH": "1001",
        "wsgi.input": Exploding(),
    }
    statuses: list[str] = []
    app(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["413 Content Too Large"]


@pytest.mark.parametrize("length", ["-1", "1e3", "١٢", "abc"])
def test_an_invalid_content_length_is_refused(length: str) -> None:
    app = ReportsWSGIApp(ReportReceiver(sinks=[]))
    assert wsgi_call(app, api_body(), length=length)[0] == 400


def test_a_content_length_of_thousands_of_digits_is_413() -> None:
    app = ReportsWSGIApp(ReportReceiver(sinks=[]))
    assert wsgi_call(app, api_body(), length="9" * 5000)[0] == 413
    assert wsgi_call(app, api_body(), length="0" * 5000 + "10")[0] == 400  # 10 bytes: not JSON
    start, _ = asgi_call(
        ReportsASGIApp(ReportReceiver(sinks=[])), [b""], headers={"content-length": "9" * 5000}
    )
    assert start["status"] == 413


def test_a_body_longer_than_announced_is_cut_at_max_body() -> None:
    app = ReportsWSGIApp(ReportReceiver(sinks=[], max_body=100))
    assert wsgi_call(app, b"[" + b" " * 500 + b"]", terminated=True)[0] == 413


def test_methods_other_than_post_and_options_get_405() -> None:
    app = ReportsWSGIApp(ReportReceiver(sinks=[]))
    status, headers, _ = wsgi_call(app, method="GET")
    assert (status, headers["Allow"]) == (405, "POST, OPTIONS")
    assert app.receiver.stats["bad_method"] == 1


def test_cors_preflight_for_a_cross_origin_endpoint() -> None:
    app = ReportsWSGIApp(ReportReceiver(sinks=[]))
    status, headers, payload = wsgi_call(
        app,
        method="OPTIONS",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert (status, payload) == (204, b"")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Methods"] == "POST"
    assert headers["Access-Control-Allow-Headers"] == "Content-Type"
    # The POST that follows carries the header too, or the browser discards the answer.
    status, headers, _ = wsgi_call(app, api_body(), headers={"Origin": "https://app.example"})
    assert (status, headers["Access-Control-Allow-Origin"]) == (204, "*")


def test_cors_with_an_allow_list() -> None:
    app = ReportsWSGIApp(ReportReceiver(sinks=[], allow_origins=["https://App.example/"]))
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    _, headers, _ = wsgi_call(app, method="OPTIONS", headers=preflight)
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert headers["Vary"] == "Origin"
    _, headers, _ = wsgi_call(
        app, method="OPTIONS", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in headers
    _, headers, _ = wsgi_call(app, api_body(), headers={"Origin": "https://evil.example\r\n"})
    assert "Access-Control-Allow-Origin" not in headers


def test_rate_limit_per_client() -> None:
    sink = Collected()
    app = ReportsWSGIApp(ReportReceiver(sinks=[sink], rate_limit=(3, 3600)))
    two = api_body(api_report(), api_report())
    assert wsgi_call(app, two)[0] == 204
    status, headers, _ = wsgi_call(app, two)  # 4 > 3: the whole batch is refused
    assert (status, headers["Retry-After"]) == (429, "3600")
    assert wsgi_call(app, api_body())[0] == 429  # and the client waits for the window
    assert wsgi_call(app, api_body(), client="198.51.100.7")[0] == 204
    assert len(sink) == 3
    assert app.receiver.stats["rate_limited"] == 2


def test_rate_limit_by_a_proxy_header() -> None:
    app = ReportsWSGIApp(
        ReportReceiver(sinks=[], rate_limit=(1, 3600), client_header="X-Forwarded-For")
    )
    first = {"X-Forwarded-For": "spoofed, 192.0.2.1"}
    assert wsgi_call(app, api_body(), headers=first)[0] == 204
    # Only the last address, the one the proxy appended, counts.
    assert wsgi_call(app, api_body(), headers={"X-Forwarded-For": "other, 192.0.2.1"})[0] == 429
    assert wsgi_call(app, api_body(), headers={"X-Forwarded-For": "192.0.2.2"})[0] == 204


def test_the_client_table_is_bounded() -> None:
    receiver = ReportReceiver(sinks=[], rate_limit=(1, 3600), max_clients=10)
    app = ReportsWSGIApp(receiver)
    for i in range(50):
        wsgi_call(app, api_body(), client=f"10.0.0.{i}")
    assert receiver._limiter is not None
    assert len(receiver._limiter) == 10


def test_a_failing_sink_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(report: Report) -> None:
        raise RuntimeError("disk full")

    sink = Collected()
    app = ReportsWSGIApp(ReportReceiver(sinks=[broken, sink]))
    with caplog.at_level(logging.ERROR, logger="secure.reports"):
        assert wsgi_call(app, api_body())[0] == 204
    assert len(sink) == 1
    assert app.receiver.stats["sink_errors"] == 1
    assert "report sink" in caplog.text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sinks": ["not callable"]}, "must be callable"),
        ({"max_body": 0}, "max_body"),
        ({"max_reports": True}, "max_reports"),
        ({"rate_limit": 5}, "rate_limit"),
        ({"rate_limit": (5, 0)}, "window"),
        ({"rate_limit": (0, 60)}, "rate_limit"),
        ({"client_header": " "}, "client_header"),
        ({"allow_origins": "https://a.example"}, "allow_origins"),
    ],
)
def test_receiver_options_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        ReportReceiver(**options)


# -- the receiver through ASGI ----------------------------------------------------------------


def asgi_call(
    app: ReportsASGIApp,
    chunks: Iterable[bytes],
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    scope_type: str = "http",
) -> list[dict[str, Any]]:
    pending = list(chunks)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    raw = {"content-type": "application/reports+json", **(headers or {})}
    scope = {
        "type": scope_type,
        "method": method,
        "path": "/_reports",
        "headers": [(k.encode(), v.encode()) for k, v in raw.items()],
        "client": ("192.0.2.50", 5000),
    }
    asyncio.run(app(scope, receive, send))
    return sent


def test_asgi_accepts_a_chunked_batch() -> None:
    sink = Collected()
    app = ReportsASGIApp(ReportReceiver(sinks=[sink]))
    body = api_body(api_report(), api_report())
    start, end = asgi_call(app, [body[:10], body[10:]])
    assert start["status"] == 204
    assert end == {"type": "http.response.body", "body": b""}
    assert len(sink) == 2


def test_asgi_stops_reading_past_max_body() -> None:
    app = ReportsASGIApp(ReportReceiver(sinks=[], max_body=100))
    start, _ = asgi_call(app, [b"[" + b" " * 80, b" " * 80, b"never read"])
    assert start["status"] == 413


def test_asgi_refusals_and_preflight() -> None:
    app = ReportsASGIApp(ReportReceiver(sinks=[]))
    assert asgi_call(app, [b"nope"])[0]["status"] == 400
    assert asgi_call(app, [b"[]"], headers={"content-type": "text/plain"})[0]["status"] == 415
    assert asgi_call(app, [b""], headers={"content-length": "99999999"})[0]["status"] == 413
    preflight = asgi_call(
        app,
        [],
        method="OPTIONS",
        headers={"origin": "http://other.test", "access-control-request-method": "POST"},
    )
    assert (b"access-control-allow-origin", b"*") in preflight[0]["headers"]


def test_asgi_client_gone_before_the_body_sends_nothing() -> None:
    app = ReportsASGIApp(ReportReceiver(sinks=[]))
    assert asgi_call(app, []) == []


def test_asgi_lifespan_and_websocket() -> None:
    app = ReportsASGIApp()
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    sent.clear()
    asyncio.run(app({"type": "websocket"}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}]


# -- sinks ----------------------------------------------------------------------------------


def test_logging_sink_writes_one_escaped_line(caplog: pytest.LogCaptureFixture) -> None:
    report = Report(
        type="csp-violation",
        url="https://a.example/\r\nFORGED",
        directive="script-src-elem",
        blocked="inline",
        sample='alert("x")\x1b[0m',
        line=3,
    )
    with caplog.at_level(logging.INFO, logger="secure.reports"):
        LoggingSink()(report)
    (record,) = caplog.records
    assert record.getMessage() == (
        "report type=csp-violation url=https://a.example/\\x0d\\x0aFORGED "
        'directive=script-src-elem blocked=inline line=3 sample="alert(\\"x\\")\\x1b[0m"'
    )
    assert record.secure_report["sample"] == 'alert("x")\x1b[0m'  # type: ignore[attr-defined]
    assert repr(LoggingSink()) == "LoggingSink('secure.reports', level=INFO)"


def test_format_line_skips_empty_fields() -> None:
    assert format_line(Report(type="deprecation", url="")) == "report type=deprecation"


def test_jsonlines_sink_appends_ascii_lines(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    sink = JSONLinesSink(path)
    first = Report(type="csp-violation", url="https://a.example/", sample="\u2028é")
    sink(first)
    sink(Report(type="deprecation", url="https://a.example/"))
    lines = path.read_bytes().splitlines()
    assert len(lines) == 2
    assert all(line.isascii() for line in lines)
    assert Report.from_dict(json.loads(lines[0])) == first


# -- the aggregate ----------------------------------------------------------------------------


def test_aggregate_counts_per_key(tmp_path: Path) -> None:
    aggregate = AggregateSink(tmp_path / "agg.sqlite3")
    (report,) = parse_body("application/reports+json", api_body(), max_reports=1)
    other_page = Report(**{**report.to_dict(), "url": "https://app.example/other"})  # type: ignore[arg-type]
    for _ in range(3):
        aggregate(report)
    aggregate(other_page)
    rows = aggregate.rows()
    assert [(r.count, r.path) for r in rows] == [(3, "/checkout"), (1, "/other")]
    top = rows[0]
    assert (top.type, top.directive, top.blocked, top.disposition) == (
        "csp-violation",
        "script-src-elem",
        "https://cdn.example",
        "enforce",
    )
    assert top.first_seen <= top.last_seen
    assert top.sample == report
    assert (len(aggregate), aggregate.total, aggregate.evicted) == (2, 4, 0)
    aggregate.clear()
    assert len(aggregate) == 0


def test_aggregate_table_is_bounded_and_keeps_the_frequent(tmp_path: Path) -> None:
    aggregate = AggregateSink(tmp_path / "agg.sqlite3", max_rows=5)
    frequent = Report(
        type="csp-violation", url="https://a.example/", blocked="https://keep.example/"
    )
    for _ in range(3):
        aggregate(frequent)
    for i in range(100):
        aggregate(
            Report(type="csp-violation", url="https://a.example/", blocked=f"https://{i}.junk/")
        )
    assert len(aggregate) == 5
    assert aggregate.evicted == 96
    assert aggregate.rows()[0].blocked == "https://keep.example"


@pytest.mark.parametrize(("path", "max_rows"), [(":memory:", 10), ("x.db", 0), ("x.db", True)])
def test_aggregate_options_are_checked(path: str, max_rows: int, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="AggregateSink"):
        AggregateSink(tmp_path / path if path != ":memory:" else path, max_rows=max_rows)


WORKER = """
import sys
from secure.reports import AggregateSink, Report

path, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
aggregate = AggregateSink(path, max_rows=50)
for i in range(count):
    aggregate(Report(type="csp-violation", url=f"https://a.example/page{i % 4}",
                     directive="img-src", blocked="https://img.example/x.png", line=worker))
"""


def test_aggregate_is_shared_by_two_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    AggregateSink(path)  # the schema exists first, as when a server's master creates it
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, path, str(n), "200"]) for n in (1, 2)
    ]
    assert [worker.wait(120) for worker in workers] == [0, 0]
    aggregate = AggregateSink(path)
    assert aggregate.total == 400
    assert sorted((r.path, r.count) for r in aggregate.rows()) == [
        (f"/page{i}", 100) for i in range(4)
    ]
    journal = aggregate._connection().execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"


# -- wiring ---------------------------------------------------------------------------------


def test_with_reporting_wires_both_policies_and_keeps_other_endpoints() -> None:
    base = Secure.from_config(
        {
            "preset": "balanced",
            "csp_report_only": {"default-src": ["'self'"]},
            "reporting_endpoints": 'coop="https://r.example/coop"',
            "nonce": True,
        }
    )
    wired = with_reporting(base, "/_reports", group="csp")
    headers = dict(wired.header_items(nonce="abc123"))
    assert headers["Reporting-Endpoints"] == 'coop="https://r.example/coop", csp="/_reports"'
    for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only"):
        assert headers[name].endswith("; report-uri /_reports; report-to csp")
    assert "'nonce-abc123'" in headers["Content-Security-Policy"]
    assert "report-to" not in dict(base.header_items(nonce="abc123"))["Content-Security-Policy"]
    # The rest is unchanged.
    assert {k: v for k, v in headers.items() if "Policy" not in k and "Reporting" not in k} == {
        k: v
        for k, v in base.header_items(nonce="abc123")
        if "Policy" not in k and "Reporting" not in k
    }


def test_with_reporting_replaces_an_endpoint_of_the_same_name() -> None:
    first = with_reporting(None, "https://old.example/r")
    second = with_reporting(first, "https://new.example/r")
    assert second.headers["Reporting-Endpoints"] == 'default="https://new.example/r"'
    assert second.headers["Content-Security-Policy"].count("report-uri") == 1
    assert "report-uri https://new.example/r;" in second.headers["Content-Security-Policy"]


def test_with_reporting_without_a_csp_adds_only_the_endpoint() -> None:
    wired = with_reporting({"preset": "none", "xcto": True}, "/r")
    assert dict(wired.headers) == {
        "X-Content-Type-Options": "nosniff",
        "Reporting-Endpoints": 'default="/r"',
    }


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [("http://example.com/r", "not potentially trustworthy"), ("r", "must be absolute")],
)
def test_with_reporting_refuses_an_endpoint_browsers_would_ignore(
    endpoint: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        with_reporting(None, endpoint)
