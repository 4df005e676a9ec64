"""secure_fastapi.reports: the report endpoint as a route, wired to the middleware."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from secure.reports import Report, ReportReceiver
from secure_fastapi import SecureMiddleware, collect_reports, reports_route

REPORTS = json.dumps(
    [
        {
            "type": "csp-violation",
            "url": "https://app.example/",
            "body": {"effectiveDirective": "img-src", "blockedURL": "https://x.example/a.png"},
        }
    ]
)
HEADERS = {"content-type": "application/reports+json"}


def test_fastapi_collects_reports_and_wires_the_middleware() -> None:
    received: list[Report] = []
    app = FastAPI()

    @app.get("/")
    def index() -> dict[str, str]:
        return {"ok": "yes"}

    wired = collect_reports(
        app, {"preset": "strict"}, receiver=ReportReceiver(sinks=[received.append])
    )
    app.add_middleware(SecureMiddleware, secure=wired)
    client = TestClient(app)
    response = client.post("/_reports", content=REPORTS, headers=HEADERS)
    assert (response.status_code, response.content) == (204, b"")
    assert [r.directive for r in received] == ["img-src"]
    headers = client.get("/").headers
    assert headers["reporting-endpoints"] == 'default="/_reports"'
    assert headers["content-security-policy"].endswith("report-uri /_reports; report-to default")
    # Not in the API schema.
    assert "/_reports" not in client.get("/openapi.json").json()["paths"]


def test_starlette_route_before_a_catch_all_mount() -> None:
    received: list[Report] = []

    async def fallback(scope: object, receive: object, send: object) -> None:
        response = PlainTextResponse("fallback", status_code=404)
        await response(scope, receive, send)  # type: ignore[arg-type]

    app = Starlette(
        routes=[Route("/", lambda request: PlainTextResponse("hi")), Mount("/", fallback)]
    )
    wired = collect_reports(
        app, "balanced", path="/csp", receiver=ReportReceiver(sinks=[received.append])
    )
    app.add_middleware(SecureMiddleware, secure=wired)
    client = TestClient(app)
    assert client.post("/csp", content=REPORTS, headers=HEADERS).status_code == 204
    assert len(received) == 1
    assert client.get("/").headers["reporting-endpoints"] == 'default="/csp"'


@pytest.mark.parametrize(
    ("method", "body", "headers", "status"),
    [
        ("POST", "not json", HEADERS, 400),
        ("POST", "[]", {"content-type": "text/plain"}, 415),
        ("POST", "[" + " " * 70_000 + "]", HEADERS, 413),
        ("GET", "", {}, 405),
        ("PUT", "", {}, 405),
        (
            "OPTIONS",
            "",
            {"origin": "https://o.example", "access-control-request-method": "POST"},
            204,
        ),
    ],
)
def test_route_answers(method: str, body: str, headers: dict[str, str], status: int) -> None:
    app = Starlette(routes=[reports_route(receiver=ReportReceiver(sinks=[]))])
    response = TestClient(app).request(method, "/_reports", content=body, headers=headers)
    assert (response.status_code, response.content) == (status, b"")
