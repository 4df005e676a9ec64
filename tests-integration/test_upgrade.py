"""Upgrading from ``secure`` 2.x, in every order of pip commands a user may run.

``secure`` 2.x (the PyPI distribution) and secure-core install the same import package,
``secure``, so they list the same file paths. Each test starts a fresh virtual
environment with ``secure==2.0.1`` from PyPI, then runs pip commands against our built
wheels only (``--no-index --find-links``), and checks where the user ends up: a working
``import secure`` (secure-core's, not a mix of both), or one message that says what to
run, after which it works.

The mechanism under test (docs/migration.md, "Installing"): ``secure`` 3 is the next
major version of the 2.x distribution and holds no files; it requires secure-core, and
secure-core requires ``secure>=3``. So pip replaces 2.x before it writes secure-core's
files, and uninstalling ``secure`` later removes nothing secure-core needs.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
from release_check import source_version

# By name: tomllib is new in Python 3.11; the suite runs on the dev Python (3.12).
tomllib: Any = importlib.import_module("tomllib")

ROOT: Final = Path(__file__).resolve().parents[1]
OLD: Final = "secure==2.0.1"


def _version(package: str) -> str:
    """`secure` 3.x's own version; ours all come from secure-core's ``_version.py``."""
    text = (ROOT / "packages" / package / "pyproject.toml").read_text()
    project = tomllib.loads(text)["project"]
    return str(project["version"]) if "version" in project else source_version()


#: the distributions each end state holds (name -> version)
CORE: Final = {"secure": _version("secure"), "secure-core": _version("secure-core")}
CORE_ONLY: Final = {"secure-core": _version("secure-core")}
FLASK: Final = {**CORE_ONLY, "secure-flask": _version("secure-flask")}

#: what `import secure` must give: secure-core's package, nothing left of 2.x
_WORKS: Final = """
import importlib.metadata, importlib.util, pathlib, sys
import secure
from secure import Secure, ContentSecurityPolicy
from secure.secure import HeaderSetError
from secure.headers.base_header import BaseHeader, HeaderName

assert secure.__version__ == importlib.metadata.version("secure-core"), secure.__version__
package = pathlib.Path(secure.__file__).parent
# Nothing of 2.x's private modules is left behind for anything to import by mistake.
assert not (package / "_internal").exists(), sorted(p.name for p in package.iterdir())
headers = Secure(csp=ContentSecurityPolicy().default_src("'self'"))
assert list(headers.header_items()) == [("Content-Security-Policy", "default-src 'self'")]
assert issubclass(HeaderSetError, RuntimeError)
print("works", importlib.metadata.version("secure-core"))
"""

_LIST: Final = (
    "import importlib.metadata as m\n"
    "for d in m.distributions(): print(f\"{d.metadata['Name'].lower()}=={d.version}\")"
)

#: the one message the stand-in module (packages/secure-core/src/secure.py) gives
_REPAIR: Final = "pip install --force-reinstall secure-core"
#: what `pip check` says once the file-less `secure` 3.x is uninstalled: true, harmless
#: (`pip install secure` puts it back), and the only complaint allowed
_ONLY_COMPLAINT: Final = (
    f"secure-core {CORE['secure-core']} requires secure, which is not installed."
)


def _env() -> dict[str, str]:
    """This environment, minus anything that would point pip, uv or Python elsewhere."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
        and not key.startswith("PIP_")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(args: Sequence[str | Path], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(arg) for arg in args],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert result.returncode == 0, (
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not on PATH; the integration suite runs through uv", False)
    return uv


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our wheels, built by ``uv build`` as a release would be."""
    out = tmp_path_factory.mktemp("upgrade-dist")
    for package in ("secure", "secure-core", "secure-flask"):
        _run([_uv(), "build", "--quiet", "--wheel", "--package", package, "--out-dir", out])
    return out


class Environment:
    """A fresh virtual environment holding pip and ``secure`` 2.0.1 from PyPI.

    ``installer`` is ``"pip"`` (the venv's own pip) or ``"uv"`` (``uv pip``); either
    finds our distributions in the wheelhouse and nowhere else.
    """

    def __init__(self, path: Path, wheelhouse: Path, installer: str = "pip") -> None:
        self.python = path / "bin" / "python"
        self.wheelhouse = wheelhouse
        self.installer = installer
        _run([sys.executable, "-m", "venv", "--without-pip", path])
        # pip and 2.0.1 come from the index (uv's cache when it has them).
        _run([_uv(), "pip", "install", "--quiet", "--python", self.python, "pip", OLD])
        assert self.ours() == {"secure": "2.0.1"}

    def pip(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``pip ARGS`` (or ``uv pip ARGS``), our wheels only."""
        if args[0] == "install":
            args = (*args, "--no-index", "--find-links", str(self.wheelhouse))
        if self.installer == "uv":
            args = tuple(arg for arg in args if arg != "-y")  # uv never asks
            return _run([_uv(), "pip", *args, "--python", self.python])
        return _run([self.python, "-m", "pip", *args])

    def ours(self) -> dict[str, str]:
        """The installed ``secure*`` distributions: name -> version."""
        listing = _run([self.python, "-I", "-c", _LIST]).stdout
        pairs = (line.split("==") for line in listing.split())
        return {name: version for name, version in pairs if name.startswith("secure")}

    def import_secure(self) -> subprocess.CompletedProcess[str]:
        # -I: nothing from the working directory, PYTHONPATH or the user site.
        return _run([self.python, "-I", "-W", "error", "-c", textwrap.dedent(_WORKS)], check=False)

    def assert_works(self) -> None:
        result = self.import_secure()
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("works"), result.stdout

    def assert_consistent(self) -> None:
        """``pip check`` passes, or names only the missing (file-less) ``secure`` 3.x."""
        result = _run([self.python, "-m", "pip", "check"], check=False)
        if result.returncode != 0:
            assert result.stdout.strip() == _ONLY_COMPLAINT, result.stdout


@dataclass(frozen=True)
class Order:
    """One sequence of install commands a 2.x user may run; after each, who is installed."""

    name: str
    steps: tuple[tuple[tuple[str, ...], dict[str, str]], ...]

    def __str__(self) -> str:
        return self.name


ORDERS: Final = [
    # What migration.md says to do.
    Order(
        "uninstall-old-then-install-core",
        ((("uninstall", "-y", "secure"), {}), (("install", "secure-core"), CORE)),
    ),
    # Installing secure-core replaces 2.x first (it requires secure>=3, which holds no
    # files), so uninstalling `secure` afterwards removes nothing secure-core needs.
    Order(
        "install-core-then-uninstall-old",
        ((("install", "secure-core"), CORE), (("uninstall", "-y", "secure"), CORE_ONLY)),
    ),
    Order(
        "install-core-then-upgrade-old",
        ((("install", "secure-core"), CORE), (("install", "-U", "secure"), CORE)),
    ),
    # A framework package pulls secure-core, which replaces 2.x the same way.
    Order(
        "install-framework-then-uninstall-old",
        ((("install", "secure-flask"), FLASK | CORE), (("uninstall", "-y", "secure"), FLASK)),
    ),
]


# Every order with pip; with uv (which removes an old distribution before it writes the
# new one) the one that went wrong before this mechanism.
@pytest.mark.parametrize(
    ("order", "installer"),
    [*((order, "pip") for order in ORDERS), (ORDERS[1], "uv")],
    ids=lambda value: str(value),
)
def test_every_order_ends_with_a_working_import(
    wheelhouse: Path, tmp_path: Path, order: Order, installer: str
) -> None:
    env = Environment(tmp_path / "venv", wheelhouse, installer)
    if "framework" in order.name:
        # Flask itself comes from the index, pinned to the lock's version.
        flask = f"flask=={importlib.metadata.version('flask')}"
        _run([_uv(), "pip", "install", "--quiet", "--python", env.python, flask])
    for command, installed in order.steps:
        env.pip(*command)
        assert env.ours() == installed, command
        if installed:  # after uninstalling 2.x alone there is nothing to import
            env.assert_works()
    env.assert_consistent()


def test_upgrading_the_old_distribution_in_place_with_pip_says_what_to_run(
    wheelhouse: Path, tmp_path: Path
) -> None:
    """``pip install -U secure`` over 2.x: pip writes secure-core (a dependency of
    ``secure`` 3) before it removes 2.x, and 2.x's file list takes the shared paths with
    it. ``import secure`` then fails with one message naming the command, and that
    command restores a working install."""
    env = Environment(tmp_path / "venv", wheelhouse)
    env.pip("install", "-U", "secure")
    assert env.ours() == CORE
    result = env.import_secure()
    assert result.returncode != 0, "pip's order changed: update docs/migration.md"
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ImportError:"), result.stderr
    assert _REPAIR in last_line, result.stderr
    env.pip(*_REPAIR.split()[1:])
    assert env.ours() == CORE
    env.assert_works()
    env.assert_consistent()


def test_upgrading_the_old_distribution_in_place_with_uv_works(
    wheelhouse: Path, tmp_path: Path
) -> None:
    """uv removes the old distribution before it writes the new ones."""
    env = Environment(tmp_path / "venv", wheelhouse, "uv")
    env.pip("install", "-U", "secure")
    assert env.ours() == CORE
    env.assert_works()
    env.assert_consistent()


def test_pinning_the_old_version_again_is_refused(wheelhouse: Path, tmp_path: Path) -> None:
    """A requirements file that still pins 2.x next to secure-core cannot resolve, with
    pip's message naming both, instead of mixing the two packages' files."""
    env = Environment(tmp_path / "venv", wheelhouse)
    # The installed 2.0.1 is the only candidate for the pin; the refusal is the resolver's.
    result = _run(
        [
            *(env.python, "-m", "pip", "install", "--no-index", "--find-links", wheelhouse),
            *("secure-core", OLD),
        ],
        check=False,
    )
    assert result.returncode != 0
    assert f"secure-core {CORE['secure-core']} depends on secure>=3" in result.stdout
    assert env.ours() == {"secure": "2.0.1"}
    env.pip("uninstall", "-y", "secure")
    env.pip("install", "secure-core")
    env.assert_works()
