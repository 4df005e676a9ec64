"""secure.testing: the header assertion, the CSP "same or stricter" rule, the page scan,
and the route walk over plain WSGI/ASGI callables, Flask and Starlette."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from secure import Secure, csp_hash
from secure.testing import (
    assert_routes_secure,
    assert_secure_headers,
    check_headers,
    check_routes,
    csp_loosenings,
    expected_headers,
)

NONCE = "AAAAAAAAAAAAAAAAAAAAAAAA"
CONFIG = {"preset": "balanced", "nonce": ["script-src"]}


def sent(**changes: str | None) -> list[tuple[str, str]]:
    """What CONFIG sends with NONCE, with some headers replaced (None: dropped)."""
    items = [(n, v.replace("{nonce}", NONCE)) for n, v in expected_headers(CONFIG)]
    names = {k.replace("_", "-").lower(): v for k, v in changes.items()}
    out = [(n, names.get(n.lower(), v)) for n, v in items if names.get(n.lower(), v) is not None]
    return [(n, v) for n, v in out if v is not None]


def kinds(report: Any) -> list[tuple[str, str | None]]:
    return [(p.kind, p.header) for p in report.problems]


# -- expectations ------------------------------------------------------------------------------


def test_expected_headers_show_the_nonce_slot() -> None:
    csp = dict(expected_headers(CONFIG))["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-{nonce}'" in csp


@pytest.mark.parametrize("source", ["balanced", "preset.json", "mapping", "secure"])
def test_every_kind_of_expectation(tmp_path: Any, monkeypatch: Any, source: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "preset.json").write_text(json.dumps({"preset": "balanced"}))
    expected: Any = {
        "balanced": "balanced",
        "preset.json": "preset.json",
        "mapping": {"preset": "balanced"},
        "secure": Secure.from_preset("balanced"),
    }[source]
    headers = dict(Secure.from_preset("balanced").headers)
    assert check_headers(headers, expected).ok


def test_a_bad_expectation_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"expected a secure\.Secure"):
        check_headers({}, 42)  # type: ignore[arg-type]


def test_an_unknown_preset_names_it() -> None:
    with pytest.raises(ValueError, match="nosuchpreset"):
        check_headers({}, "nosuchpreset")


# -- headers -----------------------------------------------------------------------------------


def test_the_configured_headers_pass() -> None:
    report = assert_secure_headers(sent(), CONFIG)
    assert report.ok and bool(report)
    assert str(report) == "the response: ok (the given configuration)"


def test_names_and_spacing_do_not_matter() -> None:
    items = [(n.upper(), v.replace("; ", ";")) for n, v in sent()]
    assert check_headers(items, CONFIG).ok


def test_a_missing_header_fails_with_a_diff() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_secure_headers(sent(x_frame_options=None, server=None), CONFIG, label="GET /")
    message = str(caught.value)
    assert message.startswith("GET / does not match the given configuration:\n")
    assert "  * X-Frame-Options: not sent\n" in message
    assert "  - X-Frame-Options: SAMEORIGIN\n  + X-Frame-Options: (not sent)" in message
    assert "  = Referrer-Policy: strict-origin-when-cross-origin" in message
    assert "  = Server: \n" in message


def test_a_repeated_header_fails() -> None:
    items = [*sent(), ("X-Frame-Options", "SAMEORIGIN")]
    report = check_headers(items, CONFIG)
    assert kinds(report) == [("repeated", "X-Frame-Options")]
    assert "  + X-Frame-Options: SAMEORIGIN\n  + X-Frame-Options: SAMEORIGIN" in report.format()


def test_another_value_fails() -> None:
    report = check_headers(sent(referrer_policy="unsafe-url"), CONFIG)
    assert ("different", "Referrer-Policy") in kinds(report)
    assert "'unsafe-url' instead of 'strict-origin-when-cross-origin'" in report.format()
    # the policy checker finds it too, but only at or above the chosen severity
    assert ("finding", "Referrer-Policy") not in kinds(report)
    low = check_headers(sent(referrer_policy="unsafe-url"), CONFIG, min_severity="medium")
    assert ("finding", "Referrer-Policy") in kinds(low)


def test_an_empty_server_may_be_absent() -> None:
    assert check_headers(sent(server=None), CONFIG).ok


def test_findings_of_the_sent_headers_fail() -> None:
    items = [*sent(), ("X-XSS-Protection", "1; mode=block")]
    assert check_headers(items, CONFIG).ok  # medium: below the default
    report = check_headers(items, CONFIG, min_severity="medium")
    assert kinds(report) == [("finding", "X-XSS-Protection")]
    assert "[xxss-enabled]" in report.format()
    assert check_headers(items, CONFIG, min_severity=None).ok


def test_an_unknown_severity_is_refused() -> None:
    with pytest.raises(ValueError, match="min_severity must be one of high"):
        check_headers(sent(), CONFIG, min_severity="urgent")  # type: ignore[arg-type]


def test_the_csp_diff_shows_only_changed_directives() -> None:
    csp = dict(sent())["Content-Security-Policy"].replace("object-src 'none'", "object-src *")
    report = check_headers(sent(content_security_policy=csp), CONFIG)
    text = report.format()
    assert "  * Content-Security-Policy: object-src allows *, which the configuration" in text
    assert "  - Content-Security-Policy: object-src 'none'\n" in text
    assert "  + Content-Security-Policy: object-src *\n" in text
    assert "  = Content-Security-Policy: (10 other directives the same)" in text


def test_a_dropped_csp_directive_is_shown() -> None:
    csp = dict(sent())["Content-Security-Policy"].replace("; upgrade-insecure-requests", "")
    text = check_headers(sent(content_security_policy=csp), CONFIG).format()
    assert "upgrade-insecure-requests is missing" in text
    assert "  + Content-Security-Policy: (no upgrade-insecure-requests)" in text


# -- CSP: same or stricter ---------------------------------------------------------------------

STRICTER = [
    ("script-src 'self' https://cdn.example", "script-src 'self'"),
    ("script-src 'self'", "script-src 'none'"),
    ("script-src 'self'", "script-src 'self'; object-src 'none'"),
    ("default-src 'self'", "default-src 'self'; script-src 'self'"),
    ("script-src 'nonce-a' 'unsafe-inline'", "script-src 'nonce-b'"),
    ("script-src 'self' 'nonce-a'", "script-src 'SELF' 'nonce-b' 'report-sample'"),
    (
        "script-src 'strict-dynamic' 'nonce-a' https:",
        "script-src 'strict-dynamic' 'nonce-b' https://cdn.example",
    ),
    ("sandbox allow-scripts allow-forms", "sandbox allow-scripts"),
    ("frame-ancestors 'self'", "frame-ancestors 'none'"),
    ("script-src 'self'", "script-src 'self', script-src 'self' https://other.example"),
    ("img-src https://a.example/", "img-src https://A.example"),
    ("trusted-types one two", "trusted-types one"),
    ("require-trusted-types-for 'script'", "require-trusted-types-for 'script'"),
    ("webrtc 'block'", "webrtc 'block'"),
]

WEAKER = [
    ("script-src 'self'", "script-src 'self' https://cdn.example", "allows https://cdn.example"),
    ("script-src 'self'", "object-src 'none'", "script-src is not restricted"),
    ("default-src 'self'", "default-src 'self'; img-src *", "img-src allows *"),
    ("script-src 'nonce-a'", "script-src 'unsafe-inline'", "allows 'unsafe-inline'"),
    ("script-src 'self'", "script-src 'self' 'nonce-b'", "allows 'nonce-*'"),
    (
        "script-src 'strict-dynamic' 'nonce-a' https:",
        "script-src 'nonce-b' https:",
        "allows https:",
    ),
    ("script-src 'self'", "script-src-elem 'self'; script-src *", "script-src allows *"),
    ("upgrade-insecure-requests", "default-src 'self'", "upgrade-insecure-requests is missing"),
    ("sandbox", "default-src 'self'", "sandbox is missing"),
    ("sandbox allow-forms", "sandbox allow-forms allow-scripts", "sandbox allows allow-scripts"),
    ("report-uri /csp", "default-src 'self'", "report-uri is missing, configured: /csp"),
    ("report-to csp", "report-to other", "report-to is other, configured: csp"),
    (
        "require-trusted-types-for 'script'",
        "default-src 'self'",
        "require-trusted-types-for 'script' is missing",
    ),
    ("trusted-types one", "default-src 'self'", "trusted-types is missing"),
    ("trusted-types one", "trusted-types one two", "trusted-types allows two"),
    ("trusted-types *", "trusted-types * 'allow-duplicates'", "allows 'allow-duplicates'"),
    ("webrtc 'block'", "webrtc 'allow'", "webrtc is not 'block'"),
    ("fenced-frame-src 'none'", "frame-src *", "frame-src allows *"),
    ("fenced-frame-src 'none'", "img-src *", "fenced-frame-src is not restricted"),
    ("script-src 'self'", " ; ", "the policy is empty"),
    ("navigate-to 'self'", "navigate-to *", "navigate-to differs from the configured"),
]


@pytest.mark.parametrize(("expected", "sent_policy"), STRICTER)
def test_csp_same_or_stricter_passes(expected: str, sent_policy: str) -> None:
    assert csp_loosenings(expected, sent_policy) == []


@pytest.mark.parametrize(("expected", "sent_policy", "reason"), WEAKER)
def test_csp_looser_fails(expected: str, sent_policy: str, reason: str) -> None:
    reasons = csp_loosenings(expected, sent_policy)
    assert any(reason in r for r in reasons), reasons


def test_a_loosened_fallback_is_reported_once() -> None:
    # default-src * loosens every fetch directive, but says so once per source directive.
    reasons = csp_loosenings("default-src 'self'", "default-src *")
    assert reasons == ["default-src allows *, which the configuration does not"]


# -- pages -------------------------------------------------------------------------------------


def page(html: str, **changes: str | None) -> list[tuple[str, str]]:
    return [*sent(**changes), ("Content-Type", "text/html; charset=utf-8")]


def check_page(html: str, items: list[tuple[str, str]] | None = None) -> list[str]:
    report = check_headers(items or page(html), CONFIG, body=html.encode())
    return [p.message for p in report.problems]


def test_a_nonced_page_passes() -> None:
    html = f"""<!doctype html><title>x</title>
<script nonce="{NONCE}">go()</script>
<script src="/app.js" nonce="{NONCE}"></script>
<script type="application/json">{{"data": 1}}</script>
<script></script>
<style>p {{ color: red }}</style><p style="color: blue">x</p>"""
    assert check_page(html) == []


def test_a_wrong_nonce_is_named_with_its_line() -> None:
    html = f'<p>x</p>\n<script nonce="{NONCE}">a()</script>\n<script nonce="stale">b()</script>'
    assert check_page(html) == [
        f"the nonce of <script> on line 3 is 'stale', the header's is '{NONCE}'",
        "inline <script> on line 3 is blocked by the policy ('b()'): give it the response's nonce",
    ]


def test_nonces_are_matched_only_against_a_nonce_in_the_header() -> None:
    # No CSP at all: the missing header is the problem, not the page's nonce.
    items = [(n, v) for n, v in page("") if n != "Content-Security-Policy"]
    report = check_headers(items, CONFIG, body='<link rel="stylesheet" nonce="x" href="/a.css">')
    assert kinds(report) == [
        ("missing", "Content-Security-Policy"),
        ("finding", "Content-Security-Policy"),
    ]


def test_inline_code_without_nonce_or_hash_fails() -> None:
    html = (
        "<script>\n  alert(1)\n</script>\n"
        '<button onclick="go()">go</button>\n'
        '<a href="javascript:go()">go</a>\n'
        '<script type="module">import "/m.js"</script>'
    )
    assert check_page(html) == [
        "inline <script> on line 1 is blocked by the policy ('alert(1)'): give it the "
        "response's nonce",
        "inline onclick of <button> on line 4 is blocked by the policy ('go()'): move it into a "
        "nonce'd script or stylesheet",
        "inline href of <a> on line 5 is blocked by the policy ('javascript:go()'): move it "
        "into a nonce'd script or stylesheet",
        "inline <script> on line 6 is blocked by the policy ('import \"/m.js\"'): give it the "
        "response's nonce",
    ]


def test_a_hash_allows_inline_code() -> None:
    body = "alert(1)"
    csp = f"script-src 'self' {csp_hash(body, 'sha384')}; script-src-attr 'unsafe-hashes' " + (
        csp_hash("go()")
    )
    items = [("Content-Security-Policy", csp), ("Content-Type", "text/html")]
    html = f'<script>{body}</script><b onclick="go()">x</b><b onclick="no()">y</b>'
    report = check_headers(items, Secure(), body=html, min_severity=None)
    assert [p.message for p in report.problems] == [
        "inline onclick of <b> on line 1 is blocked by the policy ('no()'): move it into a "
        "nonce'd script or stylesheet"
    ]


def test_unsafe_inline_scripts_run_without_a_nonce() -> None:
    items = [("Content-Security-Policy", "script-src 'unsafe-inline'; style-src 'self'")]
    html = '<script>x()</script><p style="color: red">x</p>'
    report = check_headers(items, Secure(), body=html, min_severity=None)
    assert [p.message for p in report.problems] == [
        "inline <script> on line 1 runs without a nonce or hash, through 'unsafe-inline'",
        "inline style of <p> on line 1 is blocked by the policy ('color: red'): move it into a "
        "nonce'd script or stylesheet",
    ]


def test_without_a_policy_scripts_are_unguarded() -> None:
    report = check_headers([], Secure(), body="<html><script>x()</script>", min_severity=None)
    assert [p.message for p in report.problems] == [
        "inline <script> on line 1 runs without a nonce or hash, through no policy "
        "restricting scripts"
    ]


def test_strict_dynamic_ignores_unsafe_inline() -> None:
    csp = f"script-src 'strict-dynamic' 'unsafe-inline' {csp_hash('ok()')}"
    report = check_headers(
        [("Content-Security-Policy", csp)], Secure(), body="<script>x()</script>"
    )
    assert "is blocked by the policy" in report.format()


def test_a_page_is_read_only_when_it_is_html() -> None:
    text = [*sent(), ("Content-Type", "text/plain")]
    assert check_headers(text, CONFIG, body="<script>x()</script>").ok
    latin = [*sent(), ("Content-Type", 'text/html; charset="latin-1"')]
    html = b'<script nonce="\xe9">x()</script>'
    assert "'\xe9'" in check_headers(latin, CONFIG, body=html).format()


# -- responses of every shape ------------------------------------------------------------------


class HeaderList:
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def items(self) -> list[tuple[str, str]]:
        return self._items


class FakeHTTPResponse:
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items

    def getheaders(self) -> list[tuple[str, str]]:
        return self._items


def test_responses_of_every_shape() -> None:
    items = sent()
    assert check_headers(FakeHTTPResponse(items), CONFIG).ok
    assert check_headers(type("R", (), {"headers": HeaderList(items)})(), CONFIG).ok
    raw = [(n.encode(), v.encode()) for n, v in items]
    assert check_headers(type("R", (), {"headers": raw, "body": b""})(), CONFIG).ok
    with pytest.raises(TypeError, match="cannot read headers from int"):
        check_headers(42, CONFIG)


# -- routes ------------------------------------------------------------------------------------


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    items = sent()
    if environ["PATH_INFO"] == "/bad":
        items = sent(x_frame_options=None)
    start_response("200 OK", [*items, ("Content-Type", "text/html")])
    return [f'<script nonce="{NONCE}">ok()</script>'.encode()]


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    items = sent(referrer_policy="no-referrer") if scope["path"] == "/bad" else sent()
    headers = [(n.encode(), v.encode()) for n, v in items]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize("app", [wsgi_app, asgi_app])
def test_plain_callables_need_paths(app: Any) -> None:
    with pytest.raises(TypeError, match="pass paths="):
        check_routes(app, CONFIG)
    reports = check_routes(app, CONFIG, paths=["/", "/bad", "/"])
    assert [(r.label, r.ok) for r in reports] == [("GET /", True), ("GET /bad", False)]
    with pytest.raises(AssertionError, match=r"^1 of 2 routes fail the header check\n\nGET /bad"):
        assert_routes_secure(app, CONFIG, paths=["/", "/bad?x=1"])
    assert len(assert_routes_secure(app, CONFIG, paths=["/", "/bad"], skip=["/bad"])) == 1


def test_an_asgi_app_from_async_code() -> None:
    async def main() -> list[Any]:
        return check_routes(asgi_app, CONFIG, paths=["/"])

    assert asyncio.run(main())[0].ok


def test_a_request_that_raises_is_a_failure() -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("down")

    (report,) = check_routes(broken, CONFIG, paths=["/"])
    assert report.format().startswith(
        "GET / does not match the given configuration:\n  * the request raised RuntimeError('down')"
    )


def test_nothing_to_check_is_an_error() -> None:
    with pytest.raises(ValueError, match="no route to check in function"):
        check_routes(wsgi_app, CONFIG, paths=["/"], skip=["/"])
    with pytest.raises(TypeError, match="not a WSGI/ASGI app"):
        check_routes(42, CONFIG, paths=["/"])


def test_flask_routes() -> None:
    from flask import Flask

    from secure.middleware import SecureWSGIMiddleware

    app = Flask(__name__)
    for path in ("/", "/about", "/items/<int:item>"):
        app.add_url_rule(path, path, lambda **_: "ok")
    app.add_url_rule("/form", "form", lambda: "ok", methods=["POST"])
    app.wsgi_app = SecureWSGIMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, secure=Secure.from_config(CONFIG)
    )
    reports = assert_routes_secure(app, CONFIG, per_path={"/about": Secure.from_config(CONFIG)})
    # /static/<path:filename> and /items/<int:item> have parameters, /form is POST only
    assert [r.label for r in reports] == ["GET /", "GET /about"]
    assert reports[1].expectation == "the given Secure"
    # another expectation for one path: the nonce it sends is more than BALANCED allows
    with pytest.raises(AssertionError, match="GET /about does not match preset balanced"):
        assert_routes_secure(app, CONFIG, per_path={"/about": "balanced"})


def test_starlette_routes() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    from secure.middleware import SecureASGIMiddleware

    def ok(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    def boom(request: Any) -> PlainTextResponse:
        raise RuntimeError("boom")

    async def socket(websocket: Any) -> None:
        await websocket.close()

    def make() -> Starlette:
        api = [Route("/v1", ok), Route("/v1/{id}", ok), Route("/post", ok, methods=["POST"])]
        return Starlette(
            routes=[
                Route("/", ok),
                Route("/boom", boom),
                Route("/user/{name}", ok),
                Mount("/api", routes=api),
                Mount("/static", StaticFiles(directory=".", check_dir=False)),
                WebSocketRoute("/ws", socket),
            ]
        )

    # as a plain ASGI callable, through the standard-library caller: the 500 page counts
    wrapped = SecureASGIMiddleware(make(), secure=Secure.from_config(CONFIG))
    reports = check_routes(wrapped, CONFIG, paths=["/", "/boom"])
    assert all(r.ok for r in reports)
    app = make()
    app.add_middleware(SecureASGIMiddleware, secure=Secure.from_config(CONFIG))
    reports = check_routes(app, CONFIG)
    assert [(r.label, r.ok) for r in reports] == [
        ("GET /", True),
        # Starlette's error page comes from ServerErrorMiddleware, outside user middleware
        ("GET /boom", False),
        ("GET /api/v1", True),
    ]
    assert ("missing", "Content-Security-Policy") in kinds(reports[1])


def test_a_starlette_test_client_runs_the_lifespan() -> None:
    import contextlib

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from secure.middleware import SecureASGIMiddleware

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> Any:
        app.state.greeting = "started"
        yield

    def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse(request.app.state.greeting)

    app = Starlette(routes=[Route("/hello", hello)], lifespan=lifespan)
    app.add_middleware(SecureASGIMiddleware, secure=Secure.from_config(CONFIG))
    with TestClient(app) as client:
        (report,) = assert_routes_secure(client, CONFIG)
    assert report.label == "GET /hello"
