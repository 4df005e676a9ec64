"""``secure check`` against hostile servers: a raw socket server on 127.0.0.1 answers
with whatever bytes a case scripts (bad status lines, header floods, drips, redirects to
other schemes, terminal escape sequences), and the command must answer with a report
whose every server string is escaped, or one line on stderr with exit status 3, and
never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secure.cli import main
from secure.cli._safe import printable

Script = Callable[[socket.socket, str, bytes], None]


@contextmanager
def raw_server(script: Script) -> Iterator[str]:
    """Serve every connection with ``script(conn, base_url, request)``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            script(conn, base, data)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            thread = threading.Thread(target=handle, args=(conn,), daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield base
    finally:
        stop.set()
        acceptor.join()
        listener.close()
        for thread in threads:
            thread.join(10)


def reply(raw: bytes) -> Script:
    def script(conn: socket.socket, base: str, request: bytes) -> None:
        conn.sendall(raw.replace(b"{base}", base.encode()))

    return script


def response(*headers: bytes, status: bytes = b"200 OK") -> bytes:
    lines = [b"HTTP/1.1 " + status, *headers, b"Content-Length: 0", b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def check(base: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["check", base + "/", "--timeout", "5", *args])
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(status: int, out: str, err: str, *says: str) -> None:
    assert status == 3, err
    assert out == ""
    assert err.startswith("secure: error: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert_printable(err)
    for text in says:
        assert text in err, err


def assert_printable(text: str) -> None:
    for char in text:
        if char != "\n":
            assert char.isprintable(), f"unescaped {char!r} in {text!r}"


# -- malformed responses: one line, exit 3 --------------------------------------------------

MALFORMED = {
    "not http at all": b"hello there\r\n\r\n",
    "bad status code": b"HTTP/1.1 abc OK\r\n\r\n",
    "status line with an escape": b"HTTP/1.1 2\x1b[2J00 OK\r\n\r\n",
    "empty reply": b"",
    "header line over 64 KiB": b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
    "more than 100 header fields": response(*[b"X-F%d: v" % i for i in range(150)]),
    "more than 256 KiB of header fields": response(
        *[b"X-Big-%d: " % i + b"v" * 4000 for i in range(80)]
    ),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_responses_are_one_line_errors(raw: bytes) -> None:
    with raw_server(reply(raw)) as base:
        status, out, err = check(base)
    assert_one_line_error(status, out, err, "cannot fetch")


def test_too_many_header_bytes_names_the_cap() -> None:
    with raw_server(reply(MALFORMED["more than 256 KiB of header fields"])) as base:
        status, out, err = check(base)
    assert_one_line_error(status, out, err, "at most 262144 are read")


# -- redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "scheme"),
    [
        (b"ftp://127.0.0.1/file.txt", "ftp"),
        (b"file:///etc/passwd", "file"),
        (b"data:text/html,<h1>hi</h1>", "data"),
        (b"javascript:alert(1)", "javascript"),
        (b"gopher://127.0.0.1:70/", "gopher"),
    ],
)
def test_redirects_to_other_schemes_are_refused(location: bytes, scheme: str) -> None:
    with raw_server(reply(response(b"Location: " + location, status=b"302 Found"))) as base:
        status, out, err = check(base)
    assert_one_line_error(status, out, err, f"the '{scheme}' scheme is refused")


def test_a_redirect_loop_ends() -> None:
    with raw_server(reply(response(b"Location: {base}/again", status=b"301 Moved"))) as base:
        status, out, err = check(base)
    assert_one_line_error(status, out, err, "more than 10 redirects")


@pytest.mark.parametrize(
    "location",
    [b"http://[::1/", b"http://127.0.0.1:99999999/", b"http://127.0.0.1/\x1b[31mred"],
)
def test_invalid_redirect_targets_are_one_line_errors(location: bytes) -> None:
    with raw_server(reply(response(b"Location: " + location, status=b"302 Found"))) as base:
        status, out, err = check(base)
    assert_one_line_error(status, out, err)


def test_redirects_within_http_are_followed() -> None:
    pages = {
        b"/": response(b"Location: /next%1B", status=b"301 Moved"),
        b"/next%1B": response(b"X-Frame-Options: DENY"),
    }

    def route(conn: socket.socket, base: str, request: bytes) -> None:
        conn.sendall(pages[request.split(b" ")[1]])

    with raw_server(route) as base:
        status, out, err = check(base, "--format", "json")
    assert status == 0, err
    report = json.loads(out)
    assert report["redirects"] == [{"status": 301, "location": base + "/next%1B"}]
    assert ["X-Frame-Options", "DENY"] in report["headers"]


# -- the deadline ----------------------------------------------------------------------------


def drip(conn: socket.socket, base: str, request: bytes) -> None:
    """A byte of a header now and then: every read succeeds, the response never ends."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(600):
        conn.sendall(b"a")
        time.sleep(0.05)


def test_a_dripping_server_cannot_outlast_the_deadline() -> None:
    with raw_server(drip) as base:
        status, out, err = check(base, "--timeout", "1")
    assert_one_line_error(status, out, err, "timed out after 1 seconds")


@pytest.mark.parametrize("timeout", ["inf", "nan", "0", "-1", "soon", "1e400"])
def test_timeouts_that_are_not_a_positive_finite_number_are_refused(
    capsys: pytest.CaptureFixture[str], timeout: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "http://127.0.0.1:9/", "--timeout", timeout])
    assert exc.value.code == 2
    assert "--timeout" in capsys.readouterr().err


# -- what a server sends reaches the terminal escaped, and JSON exactly -------------------------

ESCAPES = {
    # Prints a fake grade over the real one: cursor up, erase line, then the text.
    "fake grade": "x\x1b[1A\x1b[2K\x1b[GScore 100/100, grade A+",
    # OSC 52 writes the clipboard of many terminals.
    "clipboard": "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07",
    # C1 CSI (0x9b) and DEL.
    "c1 and del": "a\x9b2Jb\x7fc",
    "tab and bell": "a\tb\x07",
}


@pytest.mark.parametrize("value", ESCAPES.values(), ids=ESCAPES.keys())
def test_server_strings_are_escaped_in_text_and_exact_in_json(value: str) -> None:
    raw = response(
        b"Content-Security-Policy: default-src 'self'; x " + value.encode("latin-1"),
        b"X-Frame-Options: " + value.encode("latin-1"),
        b"Server: " + value.encode("latin-1"),
    )
    with raw_server(reply(raw)) as base:
        status, text, err = check(base, "--color", "always")
        _, document, _ = check(base, "--format", "json")
        _, sarif, _ = check(base, "--format", "sarif")
    assert status == 0, err
    lines = text.splitlines()
    for line in lines:
        # Our own colours are the only escape sequences, and they are complete SGR codes.
        assert_printable(line.replace("\x1b[", "[").replace("\x1b", "ESC"))
    assert not any(c in text for c in "\x07\x9b\x7f\r")
    assert any(line.endswith(" Server: " + printable(value)) for line in lines)
    assert not any(line.startswith("Score 100") for line in lines)
    report = json.loads(document)
    headers = dict(report["headers"])
    # http.client reads field values as Latin-1; JSON gives back exactly that.
    assert headers["X-Frame-Options"] == headers["Server"]
    assert headers["Server"] == value
    assert_printable(document.replace("\n", ""))
    assert_printable(sarif.replace("\n", ""))
    json.loads(sarif)


@pytest.mark.parametrize("separator", [b"\r", b"\n", b"\r\n "])
def test_a_line_break_in_a_field_never_starts_a_line_of_the_report(separator: bytes) -> None:
    raw = response(b"Server: x" + separator + b"\x1b[2KScore 100/100, grade A+")
    with raw_server(reply(raw)) as base:
        status, text, err = check(base)
    assert status == 0, err
    for line in text.splitlines():
        assert not line.startswith("Score 100")
        assert_printable(line)


def test_a_host_without_a_scheme_gets_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(reply(response())) as base:
        host = base.removeprefix("http://")
        status = main(["check", host, "--timeout", "5"])
    err = capsys.readouterr().err
    assert status == 3
    assert err.startswith(f"secure: error: cannot fetch https://{host}/:")
    assert f"secure: hint: '{host}' has no scheme, so https:// was assumed" in err
    assert f"http://{host}" in err


# -- random responses never end in a traceback -----------------------------------------------

_bytes = st.binary(min_size=0, max_size=300)
_line = st.one_of(
    st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.0 302 Found", b"HTTP/1.1 404 X", b"ICY 200"]),
    _bytes,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(status=_line, fields=st.lists(_bytes, max_size=8))
def test_random_responses_give_a_report_or_one_line(status: bytes, fields: list[bytes]) -> None:
    raw = b"\r\n".join([status, *fields]) + b"\r\n\r\n"
    with raw_server(reply(raw)) as base:
        code, out, err = check(base, "--timeout", "3")
    assert code in (0, 3), err
    if code == 3:
        assert_one_line_error(code, out, err)
    else:
        for line in out.splitlines():
            assert_printable(line)


# -- linear time on long values ----------------------------------------------------------------


def test_long_runs_of_spaces_are_compared_in_linear_time() -> None:
    # r"\s*([;,])\s*" between two letters takes 50 s for 30,000 spaces and over an hour
    # for 300,000 (quadratic backtracking); the split-based comparison takes
    # milliseconds. The subprocess bound is generous.
    code = (
        "from secure.cli._check import _matches, _normalise\n"
        "v = ' ' * 300000\n"
        "assert _normalise('x' + v + 'y') == 'x y'\n"
        "assert _matches('a' + v + ';b', 'a;b', False)\n"
        "assert not _matches('nonce-' + v, 'nonce-{nonce}', True)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- proxies ----------------------------------------------------------------------------------


def test_http_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    def proxy(conn: socket.socket, base: str, request: bytes) -> None:
        seen.append(request.split(b"\r\n")[0])
        conn.sendall(response(b"X-Frame-Options: DENY"))

    for name in ("no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with raw_server(proxy) as base:
        monkeypatch.setenv("http_proxy", base)
        status, out, err = check("http://site.invalid", "--format", "json")
    assert status == 0, err
    assert seen == [b"HEAD http://site.invalid/ HTTP/1.1"]
    assert ["X-Frame-Options", "DENY"] in json.loads(out)["headers"]


def test_a_proxy_that_is_not_http_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", "socks5://127.0.0.1:9")
    status, out, err = check("http://site.invalid")
    assert_one_line_error(status, out, err, "unsupported proxy")
