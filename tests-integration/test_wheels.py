"""The built distributions work on their own: build, install alone, smoke-test.

``uv build --all-packages`` builds each package's sdist, and its wheel from that sdist.
Each wheel must hold every file of its source tree (modules, ``py.typed``, template
tags) and declare the dependencies its ``pyproject.toml`` lists.

Then, per package, a fresh virtual environment (``python -m venv``) gets pip and only
the package's framework, from the index (``uv pip install``, served from uv's cache when
it has it), and then the package itself with pip from the built wheels alone
(``--no-index --find-links``): pip must pull ``secure-core`` from there, and nothing of
ours can come from anywhere else. A smoke test runs in that environment, so a module
missing from a wheel, a missing ``py.typed``, an import of a package that is not a
declared dependency, or a pin pip cannot satisfy fails here.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
from release_check import PACKAGES, source_version

# By name: tomllib is new in Python 3.11; the suite runs on the dev Python (3.12).
tomllib: Any = importlib.import_module("tomllib")

ROOT: Final = Path(__file__).resolve().parents[1]

#: distribution -> import package: ours, and `secure` 3.x, which carries the 2.x
#: distribution's name forward and holds no files (docs/migration.md, "Installing").
WHEELS: Final[dict[str, str | None]] = {"secure": None, **PACKAGES}


def _pinned(*names: str) -> list[str]:
    """``name==version`` as in this environment (the lock), so uv's cache has them."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in names]


# -- the smoke tests, run by the fresh environment's Python ------------------------------

_COMMON = """
import asyncio, importlib.metadata, importlib.resources, re

def assert_typed(package):
    assert importlib.resources.files(package).joinpath("py.typed").is_file(), package

def page_nonce(body):
    found = re.findall(r'nonce="([^"]+)"', body if isinstance(body, str) else body.decode())
    assert len(found) == 1, body
    return found[0]

async def call_asgi(app, path="/"):
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
        "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80), "state": {},
    }
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}
    return start["status"], headers, body
"""

_CORE = """
import os, subprocess, sys
import secure
from secure import Preset, Secure
from secure.middleware import SecureASGIMiddleware, SecureWSGIMiddleware

assert_typed("secure")
assert secure.__version__ == importlib.metadata.version("secure-core")
# No runtime dependency: nothing but pip and secure-core in this environment.
names = {d.metadata["Name"].lower() for d in importlib.metadata.distributions()}
assert names <= {"pip", "setuptools", "secure", "secure-core"}, names
assert dict(Secure.from_preset(Preset.STRICT).header_items())["X-Frame-Options"] == "DENY"

async def app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})

status, headers, _ = asyncio.run(call_asgi(SecureASGIMiddleware(app)))
assert headers["x-content-type-options"] == "nosniff", headers
# The console script the wheel declares.
script = os.path.join(os.path.dirname(sys.executable), "secure")
out = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
assert out.stdout.strip() == f"secure {secure.__version__}", out.stdout
"""

_FLASK = """
from flask import Flask, render_template_string
from secure_flask import Secure, exempt

assert_typed("secure_flask")
app = Flask("smoke")
app.config["SECURE_HEADERS"] = {"nonce": True}
Secure(app)

@app.get("/")
def index():
    return render_template_string('<script nonce="{{ csp_nonce() }}"></script>')

@app.get("/bare")
@exempt
def bare():
    return "bare"

client = app.test_client()
response = client.get("/")
nonce = page_nonce(response.get_data(as_text=True))
assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
assert "X-Frame-Options" not in client.get("/bare").headers
"""

_DJANGO = """
import django
from django.conf import settings

assert_typed("secure_django")
settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["testserver"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["secure_django"],
    MIDDLEWARE=["secure_django.middleware.SecureHeadersMiddleware"],
    SECURE_HEADERS={"preset": "strict", "nonce": True},
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
)
django.setup()

from django.core.management import call_command
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import path

TEMPLATE = '{% load secure_headers %}<script nonce="{% csp_nonce %}"></script>'

def index(request):
    return HttpResponse(engines["django"].from_string(TEMPLATE).render(request=request))

urlpatterns = [path("", index)]

response = Client().get("/")
nonce = page_nonce(response.content)
assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"], response.headers
assert response.headers["X-Frame-Options"] == "DENY"
call_command("check", verbosity=0)  # secure_django's system checks load and pass
"""

_FASTAPI = """
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from secure_fastapi import CSPNonce, SecureMiddleware

assert_typed("secure_fastapi")
app = FastAPI()
app.add_middleware(SecureMiddleware, secure={"nonce": True})

@app.get("/", response_class=HTMLResponse)
def index(nonce: CSPNonce) -> str:
    return f'<script nonce="{nonce}"></script>'

status, headers, body = asyncio.run(call_asgi(app))
assert status == 200, (status, body)
assert f"'nonce-{page_nonce(body)}'" in headers["content-security-policy"], headers
"""

_STARLETTE = """
import importlib.util
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route
from secure_fastapi import SecureMiddleware, csp_nonce

assert_typed("secure_fastapi")
# FastAPI is an optional extra: plain Starlette must be enough.
assert importlib.util.find_spec("fastapi") is None

def index(request):
    return HTMLResponse(f'<script nonce="{csp_nonce(request)}"></script>')

app = Starlette(
    routes=[Route("/", index)],
    middleware=[Middleware(SecureMiddleware, secure={"nonce": True})],
)
status, headers, body = asyncio.run(call_asgi(app))
assert status == 200, (status, body)
assert f"'nonce-{page_nonce(body)}'" in headers["content-security-policy"], headers
"""

_SHINY = """
from shiny import App, ui
from secure_shiny import secure_app

assert_typed("secure_shiny")
app = secure_app(App(ui.page_fluid(ui.h1("smoke")), None))
status, headers, body = asyncio.run(call_asgi(app))
assert status == 200, (status, body[:500])
assert "frame-ancestors 'none'" in headers["content-security-policy"], headers
assert b"smoke" in body
"""


@dataclass(frozen=True)
class Install:
    """One fresh environment: its framework from the index, then ours from the wheels."""

    requirement: str  # what pip installs from the built wheels
    third_party: tuple[str, ...]  # installed first, pinned to the lock's versions
    smoke: str
    #: our distributions pip must have installed (the requirement pulls secure-core)
    ours: frozenset[str]

    def __str__(self) -> str:
        return self.requirement


INSTALLS: Final = [
    Install("secure-core", (), _CORE, frozenset({"secure", "secure-core"})),
    Install(
        "secure-flask",
        tuple(_pinned("flask")),
        _FLASK,
        frozenset({"secure", "secure-core", "secure-flask"}),
    ),
    Install(
        "secure-django",
        tuple(_pinned("django")),
        _DJANGO,
        frozenset({"secure", "secure-core", "secure-django"}),
    ),
    Install(
        "secure-fastapi[fastapi]",
        tuple(_pinned("fastapi")),
        _FASTAPI,
        frozenset({"secure", "secure-core", "secure-fastapi"}),
    ),
    Install(
        "secure-fastapi",
        tuple(_pinned("starlette")),
        _STARLETTE,
        frozenset({"secure", "secure-core", "secure-fastapi"}),
    ),
    Install(
        "secure-shiny",
        tuple(_pinned("shiny")),
        _SHINY,
        frozenset({"secure", "secure-core", "secure-shiny"}),
    ),
]


_LIST_DISTRIBUTIONS: Final = (
    "import importlib.metadata, json; "
    "print(json.dumps([d.metadata['Name'].lower() for d in importlib.metadata.distributions()]))"
)

# -- helpers -------------------------------------------------------------------------------


_NOT_INHERITED: Final = frozenset(
    {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON"}
)


def _env() -> dict[str, str]:
    """This environment, minus what would point pip, uv or Python at the dev venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _NOT_INHERITED and not key.startswith("PIP_")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(args: Sequence[str | Path], *, timeout: float, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not on PATH; the README's test command runs through uv", False)
    return uv


def _requirement_names(requirements: Sequence[str]) -> set[str]:
    """Each requirement normalised: ``secure-core>=1.0.0,<2`` and ``secure-core<2,>=1.0.0``
    are one; its marker, as the environments where it applies (Python, extra)."""
    from packaging.requirements import Requirement

    environments = [
        {"python_version": python, "python_full_version": f"{python}.0", "extra": extra}
        for python in ("3.10", "3.13")
        for extra in ("", "toml", "fastapi")
    ]
    normalised = set()
    for text in requirements:
        req = Requirement(text)
        applies = tuple(not req.marker or req.marker.evaluate(env) for env in environments)
        normalised.add(f"{req.name.lower()}{req.specifier} {applies}")
    return normalised


# -- build ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every package built by ``uv build`` (sdist, then the wheel from it)."""
    out = tmp_path_factory.mktemp("dist")
    _run([_uv(), "build", "--all-packages", "--out-dir", out], cwd=ROOT, timeout=300)
    return out


def test_every_package_is_built(wheelhouse: Path) -> None:
    built = sorted(path.name for path in wheelhouse.glob("*") if path.suffix in (".whl", ".gz"))
    expected = sorted(
        f"{dist.replace('-', '_')}-{_version(dist)}{suffix}"
        for dist in WHEELS
        for suffix in ("-py3-none-any.whl", ".tar.gz")
    )
    assert built == expected


def _project(dist: str) -> dict[str, Any]:
    """The ``[project]`` table of a package's pyproject.toml."""
    project: dict[str, Any] = tomllib.loads(
        (ROOT / "packages" / dist / "pyproject.toml").read_text()
    )["project"]
    return project


def _version(dist: str) -> str:
    """Our packages' version (secure-core's ``_version.py``); `secure` 3.x has its own."""
    project = _project(dist)
    if dist == "secure":
        return str(project["version"])
    assert "version" in project.get("dynamic", []), dist
    return source_version()


@pytest.mark.parametrize("dist", WHEELS)
def test_wheel_holds_the_whole_source_tree(wheelhouse: Path, dist: str) -> None:
    package = WHEELS[dist]
    source = ROOT / "packages" / dist / "src"
    # Everything under src/: the package, and secure-core's top-level modules (the pytest
    # plugin, the stand-in secure.py); the file-less ``secure`` distribution ships nothing.
    files = source.rglob("*") if package is not None else ()
    expected = {
        path.relative_to(source).as_posix()
        for path in files
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    if package is not None:
        assert f"{package}/py.typed" in expected, "the source tree has no py.typed"
    wheel = wheelhouse / f"{dist.replace('-', '_')}-{_version(dist)}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(
            next(name for name in names if name.endswith(".dist-info/METADATA"))
        ).decode()
    shipped = {name for name in names if ".dist-info/" not in name}
    assert shipped == expected

    # The wheel declares exactly the dependencies pyproject.toml lists (extras included).
    project = _project(dist)
    declared = list(project.get("dependencies", []))
    for extra, requirements in project.get("optional-dependencies", {}).items():
        declared += [
            f"{name}; ({marker}) and extra == '{extra}'" if marker else f"{req}; extra == '{extra}'"
            for req in requirements
            for name, _, marker in [req.partition(";")]
        ]
    requires = [
        line.removeprefix("Requires-Dist:").strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]
    assert _requirement_names(requires) == _requirement_names(declared)


# -- install alone and smoke-test ------------------------------------------------------------


@pytest.mark.parametrize("install", INSTALLS, ids=str)
def test_installed_wheel_works_alone(wheelhouse: Path, install: Install, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    # pip comes from the index (uv's cache) rather than ensurepip: the same pip, seconds
    # faster.
    _run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=180)
    python = venv / "bin" / "python"
    _run([_uv(), "pip", "install", "--python", python, "pip", *install.third_party], timeout=300)
    # Ours only from the built wheels: no index, no sdists.
    _run(
        [
            python,
            *("-m", "pip", "install", "--no-index", "--only-binary", ":all:"),
            *("--find-links", wheelhouse, install.requirement),
        ],
        timeout=300,
    )
    _run([python, "-m", "pip", "check"], timeout=120)
    installed = json.loads(_run([python, "-I", "-c", _LIST_DISTRIBUTIONS], timeout=60))
    assert {name for name in installed if name in WHEELS} == install.ours

    script = tmp_path / "smoke.py"
    script.write_text(textwrap.dedent(_COMMON) + textwrap.dedent(install.smoke))
    # -I: nothing from the working directory, PYTHONPATH or user site; warnings are errors.
    _run([python, "-I", "-W", "error", script], timeout=180, cwd=tmp_path)
