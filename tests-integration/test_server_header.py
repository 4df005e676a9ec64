"""What each documented server sends as ``Server``, and the setting that leaves one.

The presets send an empty ``Server`` header to replace the server's product name (RFC 9110
§10.2.4). Application servers add their own beside it, or drop it. For each server the
framework pages document (docs/frameworks/*.md, "The Server header"), a raw HTTP/1.1
client reads every ``Server`` line as it arrives: first with the server's defaults, then
with the one setting from ``secure.servers`` (or the server's own option). The apps here
configure ``Server: demo`` so that the configured value cannot be mistaken for a
server's empty one.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import gunicorn_command, uvicorn_command
from stacks import APPS_DIR, fetch

Server = Callable[..., str]

CONFIG = '{"preset": "balanced", "server": "demo"}'

FLASK_APP = f"""
import sys
from flask import Flask
from secure_flask import Secure

app = Flask(__name__)
app.config["SECURE_HEADERS"] = {CONFIG}
Secure(app)

@app.get("/")
def index():
    return "hello"

if __name__ == "__main__":
    from secure.servers import werkzeug_request_handler

    handler = werkzeug_request_handler() if sys.argv[3] == "fixed" else None
    app.run(host=sys.argv[1], port=int(sys.argv[2]), request_handler=handler)
"""

GUNICORN_CONF = f"""
from secure import Secure
from secure.servers import gunicorn_server_header

gunicorn_server_header(Secure.from_config({CONFIG}))
"""

STARLETTE_APP = f"""
import sys
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from secure import Secure
from secure.middleware import SecureASGIMiddleware

async def index(request):
    return PlainTextResponse("hello")

app = SecureASGIMiddleware(
    Starlette(routes=[Route("/", index)]), secure=Secure.from_config({CONFIG})
)

if __name__ == "__main__":
    import uvicorn
    from secure.servers import UVICORN_OPTIONS

    uvicorn.run("app:app", host=sys.argv[1], port=int(sys.argv[2]), log_level="warning",
                **UVICORN_OPTIONS)
"""

SHINY_APP = f"""
from shiny import App, ui
from secure import Secure
from secure_shiny import secure_app

app = secure_app(App(ui.page_fluid("hello"), None), Secure.from_config({CONFIG}))
"""


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(source))
    return path


def server_lines(url: str) -> list[str]:
    response = fetch(url, "/")
    assert response.status == 200, str(response)
    return response.get_all("Server")


WERKZEUG = re.compile(r"Werkzeug/\S+ Python/\S+")


@pytest.mark.parametrize("fixed", [False, True], ids=["default", "request_handler"])
def test_werkzeug_dev_server(tmp_path: Path, server: Server, fixed: bool) -> None:
    write(tmp_path, "app.py", FLASK_APP)
    mode = "fixed" if fixed else "default"
    url = server([sys.executable, "app.py", "{host}", "{port}", mode], cwd=tmp_path)
    sent = server_lines(url)
    if fixed:
        assert sent == ["demo"]
    else:
        # Werkzeug's own first, then the application's: two headers.
        assert len(sent) == 2
        assert WERKZEUG.fullmatch(sent[0])
        assert sent[1] == "demo"


@pytest.mark.parametrize("fixed", [False, True], ids=["default", "gunicorn_server_header"])
def test_gunicorn(tmp_path: Path, server: Server, fixed: bool) -> None:
    write(tmp_path, "app.py", FLASK_APP)
    args = ["--config", str(write(tmp_path, "conf.py", GUNICORN_CONF))] if fixed else []
    url = server(gunicorn_command("app:app", chdir=tmp_path, args=args), cwd=tmp_path)
    # gunicorn drops the application's Server and writes its own value.
    assert server_lines(url) == (["demo"] if fixed else ["gunicorn"])


def test_gunicorn_server_header_without_a_configuration(tmp_path: Path, server: Server) -> None:
    """With no Secure given, the presets' value: one empty Server header."""
    write(tmp_path, "app.py", FLASK_APP)
    conf = write(
        tmp_path,
        "conf.py",
        "from secure.servers import gunicorn_server_header\ngunicorn_server_header()\n",
    )
    url = server(gunicorn_command("app:app", chdir=tmp_path, args=["-c", str(conf)]), cwd=tmp_path)
    assert server_lines(url) == [""]


@pytest.mark.parametrize("how", ["default", "--no-server-header", "UVICORN_OPTIONS"], ids=str)
def test_uvicorn(tmp_path: Path, server: Server, how: str) -> None:
    write(tmp_path, "app.py", STARLETTE_APP)
    if how == "UVICORN_OPTIONS":
        command = [sys.executable, "app.py", "{host}", "{port}"]
    else:
        args = [how] if how != "default" else []
        command = uvicorn_command("app:app", app_dir=tmp_path, args=args)
    url = server(command, cwd=tmp_path)
    # uvicorn's own first, then the application's.
    assert server_lines(url) == (["uvicorn", "demo"] if how == "default" else ["demo"])


def test_django_runserver(server: Server) -> None:
    """runserver (wsgiref) writes its own Server only when the application sent none."""
    command = [sys.executable, "-m", "django", "runserver", "{host}:{port}", "--noreload"]
    url = server(command, cwd=APPS_DIR, env={"DJANGO_SETTINGS_MODULE": "django_demo.settings"})
    # The demo app's configuration: the BALANCED preset's empty value.
    assert server_lines(url) == [""]


def test_shiny_run(tmp_path: Path, server: Server) -> None:
    """``shiny run`` starts uvicorn with its default: uvicorn's header beside ours."""
    write(tmp_path, "app.py", SHINY_APP)
    command = [sys.executable, "-m", "shiny", "run", "app.py", "--host", "{host}"]
    url = server([*command, "--port", "{port}"], cwd=tmp_path)
    assert server_lines(url) == ["uvicorn", "demo"]
