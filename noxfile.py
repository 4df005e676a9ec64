"""Test every package against the framework versions it supports.

``uv run nox`` runs the default sessions: the unit tests of each package on every
Python 3.10-3.13 found on the machine and every supported framework line, the frameworks
served with secure-core alone (``stacks``: oldest and newest release of each), the
integration suite (real servers, a real browser), the docs build, lint and type checks.
``nox -s bench`` and ``nox -s fuzz`` run the benchmarks and the long fuzzing session;
``nox -s release`` builds and checks the distributions before a release.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = bool(os.environ.get("CI"))
nox.options.sessions = [
    "core",
    "flask",
    "django",
    "fastapi",
    "shiny",
    "stacks",
    "integration",
    "docs",
    "lint",
    "typecheck",
]

ROOT = Path(__file__).parent
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
DEV_PYTHON = (ROOT / ".python-version").read_text().strip()
TEST_DEPS = ["pytest>=8.3", "pytest-cov>=6.0", "hypothesis>=6.120", "http-sf>=1.5"]
# secure-core requires `secure>=3`, the file-less distribution that carries the 2.x name
# forward (docs/migration.md, "Installing"); both come from this tree, never from PyPI.
CORE = ["-e", "packages/secure-core", "-e", "packages/secure"]


def _add_pyenv_pythons() -> None:
    """Put every pyenv-installed CPython 3.10-3.13 on PATH so nox and uv can find it."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    bins = [
        str(path / "bin")
        for minor in PYTHONS
        for path in sorted((root / "versions").glob(f"{minor}.*"))
        if (path / "bin" / f"python{minor}").exists()
    ]
    if bins:
        os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])


_add_pyenv_pythons()


def _sync(session: nox.Session, *groups: str) -> None:
    """Install the locked dev environment (uv.lock) into the session's virtualenv."""
    args = ["uv", "sync", "--frozen", "--no-default-groups"]
    for group in groups:
        args += ["--group", group]
    session.run_install(
        *args,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
    )


@nox.session(python=PYTHONS)
def core(session: nox.Session) -> None:
    """secure-core's unit tests, with a 95% line-coverage floor.

    The middleware tests run real Starlette and Flask apps; the core itself needs neither.
    """
    # The `toml` extra: Python 3.10 reads TOML configuration with tomli.
    session.install(
        "-e", "packages/secure-core[toml]", *TEST_DEPS, "flask", "starlette", "httpx", "httpx2"
    )
    # Coverage is measured once, on the development Python (its sys.monitoring-based
    # tracer is cheap); the other Pythons run the same tests without the tracer.
    coverage = (
        ["--cov=secure", "--cov-report=term", "--cov-fail-under=95"]
        if session.python == DEV_PYTHON
        else []
    )
    session.run("pytest", "packages/secure-core/tests", *coverage, *session.posargs)


# Oldest supported line, and the newest; each framework line only where it supports
# the Python (Django 4.2: <=3.12; Django 6: >=3.12).
FLASK = ["2.3", "3.0", "3.1"]


@nox.session(python=PYTHONS)
@nox.parametrize("flask", FLASK)
def flask(session: nox.Session, flask: str) -> None:
    """secure-flask against Flask 2.3, 3.0 and the newest 3.x."""
    session.install(*CORE, "-e", "packages/secure-flask", f"flask~={flask}.0", *TEST_DEPS)
    session.run("pytest", "packages/secure-flask/tests", *session.posargs)


DJANGO = [
    (python, django)
    for python in PYTHONS
    for django in ("4.2", "5.2", "6.0")
    if not (django == "4.2" and python == "3.13")
    and not (django.startswith("6") and python in ("3.10", "3.11"))
]


DJANGO_STARTPROJECT = "packages/secure-django/tests/test_startproject.py"


@nox.session
@nox.parametrize(("python", "django"), DJANGO)
def django(session: nox.Session, django: str) -> None:
    """secure-django against Django 4.2 LTS, 5.2 LTS and the newest release."""
    spec = f"django~={django}.0" if django != "6.0" else "django>=6.0"
    session.install(*CORE, "-e", "packages/secure-django", spec, "jinja2", *TEST_DEPS)
    # The stock-project checks run `manage.py` in subprocesses (~40 s); what they pin
    # depends on the Django version, not on Python, so one Python per Django runs them.
    skip = [] if session.python == "3.12" else ["--ignore", DJANGO_STARTPROJECT]
    session.run("pytest", "packages/secure-django/tests", *skip, *session.posargs)


FASTAPI = {"oldest": ["fastapi==0.110.*", "starlette==0.37.*"], "newest": ["fastapi", "starlette"]}


@nox.session(python=PYTHONS)
@nox.parametrize("release", list(FASTAPI))
def fastapi(session: nox.Session, release: str) -> None:
    """secure-fastapi against the oldest supported and newest FastAPI/Starlette."""
    session.install(
        *CORE,
        "-e",
        "packages/secure-fastapi",
        *FASTAPI[release],
        "httpx",
        "httpx2",
        "jinja2",
        "python-multipart",
        # test_startup.py runs a real uvicorn process.
        "uvicorn",
        *TEST_DEPS,
    )
    # Starlette 0.37's TestClient leaves anyio streams to the collector; on Python 3.13
    # they are reported at interpreter teardown, outside any test's warning filters.
    teardown = (
        ["-W", "ignore::pytest.PytestUnraisableExceptionWarning"] if release == "oldest" else []
    )
    session.run("pytest", *teardown, "packages/secure-fastapi/tests", *session.posargs)


# Shiny 1.0 builds Express apps only with the htmltools of its time.
SHINY = {"oldest": ["shiny==1.0.*", "htmltools==0.5.*"], "newest": ["shiny"]}


@nox.session(python=PYTHONS)
@nox.parametrize("release", list(SHINY))
def shiny(session: nox.Session, release: str) -> None:
    """secure-shiny against the oldest supported and newest Shiny."""
    session.install(
        *CORE, "-e", "packages/secure-shiny", *SHINY[release], "httpx", "httpx2", *TEST_DEPS
    )
    session.run("pytest", "packages/secure-shiny/tests", *session.posargs)


# Frameworks served with secure-core alone (docs/frameworks/<name>.md): the oldest
# release each page supports and the newest, with the server(s) the page recommends and
# what its examples use. One Python: what varies here is the framework, not the language.
STACKS = {
    # Litestar 2.13 imports sniffio without declaring it (newer anyio dropped it).
    "litestar": (["litestar==2.13.*", "sniffio"], ["litestar"], ["granian", "jinja2", "httpx"]),
    "quart": (["quart==0.19.*"], ["quart"], ["hypercorn", "httpx"]),
    "falcon": (["falcon==3.1.*"], ["falcon"], ["pyuwsgi", "uvicorn", "httpx", "webtest"]),
    # Sanic 23.12 with the websockets of its time (11 renamed a module it imports).
    "sanic": (
        ["sanic==23.12.*", "sanic-testing==23.12.*", "websockets==10.*"],
        ["sanic", "sanic-testing"],
        [],
    ),
    "aiohttp": (["aiohttp==3.9.*"], ["aiohttp"], []),
    # Tornado 6.3 calls datetime.utcfromtimestamp(), deprecated on Python 3.12.
    "tornado": (["tornado==6.4.*"], ["tornado"], []),
    # Pyramid 2.0 imports pkg_resources, which setuptools 81 deprecated and later removed.
    "pyramid": (["pyramid==2.0.*", "setuptools<81"], ["pyramid"], ["waitress", "webtest"]),
    # Bottle 0.12 drops what an after_request hook set on redirects, aborts and 404s.
    "bottle": (["bottle==0.13.*"], ["bottle"], ["gunicorn", "webtest"]),
}


@nox.session(python=DEV_PYTHON)
@nox.parametrize("release", ["oldest", "newest"])
@nox.parametrize("framework", list(STACKS))
def stacks(session: nox.Session, framework: str, release: str) -> None:
    """A framework with secure-core alone: its docs page and its demo app behind its
    server, at the oldest supported and the newest release."""
    oldest, newest, tools = STACKS[framework]
    session.install(*CORE, *(oldest if release == "oldest" else newest), *tools, "pytest>=8.3")
    session.run("pytest", "tests-stacks", *session.posargs, env={"SECURE_STACKS": framework})


@nox.session(python=DEV_PYTHON)
def integration(session: nox.Session) -> None:
    """Real servers on 127.0.0.1, headless Chromium, load, and the built wheels."""
    _sync(session, "test", "frameworks", "integration", "docs", "stacks")
    session.run("pytest", "tests-integration", *session.posargs)


@nox.session(python=DEV_PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site with its API reference; any warning is an error."""
    _sync(session, "docs")
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        f"{session.create_tmp()}/site",
        # Material's end-of-life notice; README.md (development notes) says why we stay.
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


CHECK = "tests-integration/release_check.py"


@nox.session(python=DEV_PYTHON)
def release(session: nox.Session) -> None:
    """Build every sdist and wheel and check they are ready to publish (not in the default run).

    ``uv build`` (each wheel from its sdist), ``twine check --strict``, then
    ``tests-integration/release_check.py``: one version everywhere with a CHANGELOG.md
    section, LICENSE in every artifact, project URLs, no repository-relative links in the
    long descriptions, a compatible secure-core pin. Last, each wheel is installed alone
    in a fresh virtual environment (our packages only from the built wheels) and imported.
    """
    session.install("twine>=6.1", "packaging>=24")
    tmp = Path(session.create_tmp())
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("uv", "build", "--all-packages", "--out-dir", str(dist), external=True)
    artifacts = sorted(str(path) for path in [*dist.glob("*.whl"), *dist.glob("*.tar.gz")])
    session.run("twine", "check", "--strict", *artifacts)
    session.run("python", CHECK, str(dist))

    core_wheel = next(dist.glob("secure_core-*.whl"))
    carrier_wheel = next(dist.glob("secure-*.whl"))
    for wheel in sorted(dist.glob("*.whl")):
        name = wheel.name.split("-")[0]
        venv = tmp / f"venv-{name}"
        shutil.rmtree(venv, ignore_errors=True)
        session.run(
            "uv", "venv", "--quiet", "--python", str(session.python), str(venv), external=True
        )
        python = str(venv / "bin" / "python")
        # Our packages from the built wheels only, never from an index: secure-core and
        # `secure` 3.x (the file-less name carrier secure-core requires).
        session.run(
            "uv",
            "pip",
            "install",
            "--quiet",
            "--python",
            python,
            str(wheel),
            str(core_wheel),
            str(carrier_wheel),
            external=True,
        )
        # -I: nothing from the working directory or PYTHONPATH, only the fresh environment.
        session.run(python, "-I", "-W", "error", CHECK, "--imports", name, external=True)


@nox.session(python=DEV_PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    _sync(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=DEV_PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over every package's source."""
    _sync(session, "lint", "frameworks", "test")
    session.run("mypy", "--strict", *sorted(str(p) for p in ROOT.glob("packages/*/src")))


@nox.session(python=PYTHONS[0])
def minimums(session: nox.Session) -> None:
    """Every package's tests with the lowest direct dependency versions we declare."""
    session.install(
        "--resolution=lowest-direct",
        *CORE,
        *("-e", "packages/secure-flask"),
        *("-e", "packages/secure-django"),
        *("-e", "packages/secure-fastapi[fastapi]"),
        *("-e", "packages/secure-shiny"),
        # Flask 2.3.0's test client reads werkzeug.__version__, gone in Werkzeug 3.1:
        # pair it with the Werkzeug it was released with.
        "werkzeug==2.3.*",
        # Test-only tools, at the lowest versions the tests work with.
        "httpx>=0.27",
        "jinja2>=3.1",
        "python-multipart>=0.0.9",
        *TEST_DEPS,
    )
    # secure-core has no dependencies to lower; the framework packages do.
    packages = ("secure-django", "secure-fastapi", "secure-flask", "secure-shiny")
    session.run("pytest", *(f"packages/{name}/tests" for name in packages))


@nox.session(python=DEV_PYTHON)
def bench(session: nox.Session) -> None:
    """The benchmark suite: per-request overhead next to the floor and the peer libraries,
    import and construction time; writes benchmarks/README.md (about 7 minutes)."""
    _sync(session, "dev", "bench")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=DEV_PYTHON)
def fuzz(session: nox.Session) -> None:
    """Long fuzzing, not in the default run: atheris, then Hypothesis at length.

    ``nox -s fuzz`` runs atheris (libFuzzer) over every entry point of secure-core for
    600 seconds (``nox -s fuzz -- 3600`` for an hour), keeping its corpus in
    ``fuzz/corpus`` and writing what it finds to ``fuzz/findings``; then the fuzz tests
    with the ``secure-long`` Hypothesis profile and every payload through every method.
    """
    session.install(*CORE, *TEST_DEPS, "atheris>=3.0")
    seconds = session.posargs[0] if session.posargs else "600"
    corpus = ROOT / "fuzz" / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    session.run(
        "python",
        "fuzz/fuzz_headers.py",
        str(corpus),
        f"-max_total_time={seconds}",
        "-max_len=1024",
        "-rss_limit_mb=4096",
        "-print_final_stats=1",
    )
    session.run(
        "pytest",
        "packages/secure-core/tests/test_fuzz_builders.py",
        "packages/secure-core/tests/test_fuzz_config.py",
        "packages/secure-core/tests/test_fuzz_middleware.py",
        "packages/secure-core/tests/test_audit.py",
        env={"SECURE_FUZZ_PROFILE": "secure-long", "SECURE_FUZZ_FULL": "1"},
    )
