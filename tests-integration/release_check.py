"""Checks that the built distributions are ready to publish.

``nox -s release`` builds every sdist and wheel and then runs this module on them::

    python tests-integration/release_check.py DIST_DIR
    python -I tests-integration/release_check.py --imports secure-flask   # in a fresh venv

It prints every problem it finds and exits with 1 if there is any: a package or
artifact missing, a version that differs from the single source
(``packages/secure-core/src/secure/_version.py``) or has no ``## X.Y.Z`` section in
CHANGELOG.md, a wheel or sdist without the LICENSE text, a missing project URL, a long
description with a link that only works inside the repository, or a framework package
whose ``secure-core`` requirement does not admit the version released with it.
``test_release_check.py`` proves each check fails on a broken artifact.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email import message_from_string
from email.message import Message
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
VERSION_FILE: Final = ROOT / "packages" / "secure-core" / "src" / "secure" / "_version.py"

#: distribution -> import package
PACKAGES: Final = {
    "secure-core": "secure",
    "secure-flask": "secure_flask",
    "secure-django": "secure_django",
    "secure-fastapi": "secure_fastapi",
    "secure-shiny": "secure_shiny",
}

#: Distributions with a version of their own: `secure` 3.x carries the 2.x distribution's
#: name forward and holds no files (docs/migration.md, "Installing").
NAME_CARRIERS: Final = {"secure": ROOT / "packages" / "secure" / "pyproject.toml"}


def carrier_version(dist: str) -> str:
    """The version a name-carrying distribution declares in its pyproject.toml."""
    match = re.search(r'^version = "([^"]+)"$', NAME_CARRIERS[dist].read_text("utf-8"), re.M)
    if match is None:
        raise ValueError(f"{NAME_CARRIERS[dist]}: no version")
    return match[1]


#: The project URLs every distribution declares (Core Metadata ``Project-URL`` labels).
URL_LABELS: Final = ("Homepage", "Documentation", "Repository", "Issues", "Changelog")

_VERSION = re.compile(r'^__version__ = "([^"]+)"$', re.M)
# "## 1.0.0", "## 1.0.0 - 2026-01-31", "## [1.0.0]"
_CHANGELOG_HEADING = re.compile(r"^## \[?(\d+\.\d+\.\d+[^\]\s]*)\]?", re.M)
# Inline links and images, reference definitions, and HTML href/src attributes.
_LINKS = re.compile(
    r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)"
    r"|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)"
    r"""|(?:href|src)\s*=\s*["']([^"']+)["']""",
    re.M,
)
_FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1", re.M | re.S)


def source_version() -> str:
    """The version every package is built with."""
    match = _VERSION.search(VERSION_FILE.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f'{VERSION_FILE}: no __version__ = "..." line')
    return match[1]


def changelog_versions(text: str) -> list[str]:
    """The released versions that CHANGELOG.md has a ``## X.Y.Z`` section for."""
    return _CHANGELOG_HEADING.findall(text)


def check_changelog(version: str, text: str) -> list[str]:
    if version not in changelog_versions(text):
        return [f"CHANGELOG.md has no '## {version}' section: write one before releasing"]
    return []


def relative_links(markdown: str) -> list[str]:
    """Link targets that break outside the repository (on PyPI, say).

    Absolute ``http(s)``/``mailto`` links and in-page ``#anchors`` work anywhere; code
    blocks are not links.
    """
    prose = _FENCE.sub("", markdown)
    targets = [next(g for g in match.groups() if g) for match in _LINKS.finditer(prose)]
    return [t for t in targets if not re.match(r"(?:https?:|mailto:|#)", t)]


@dataclass(frozen=True)
class Artifact:
    """One built file: its core metadata and the names of the files it holds."""

    path: Path
    metadata: Message
    names: tuple[str, ...]

    @property
    def is_wheel(self) -> bool:
        return self.path.suffix == ".whl"

    def read(self, name: str) -> bytes:
        if self.is_wheel:
            with zipfile.ZipFile(self.path) as archive:
                return archive.read(name)
        with tarfile.open(self.path) as archive:
            member = archive.extractfile(name)
            assert member is not None, name
            return member.read()


def open_artifact(path: Path) -> Artifact:
    """Read a wheel's METADATA or an sdist's PKG-INFO."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as archive:
            names = tuple(archive.namelist())
            info = next(n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            raw = archive.read(info).decode("utf-8")
    else:
        with tarfile.open(path) as archive:
            names = tuple(m.name for m in archive.getmembers() if m.isfile())
            info = next(n for n in names if n.count("/") == 1 and n.endswith("/PKG-INFO"))
            member = archive.extractfile(info)
            assert member is not None
            raw = member.read().decode("utf-8")
    return Artifact(path, message_from_string(raw), names)


def check_artifact(artifact: Artifact, version: str, license_text: bytes) -> list[str]:
    """Every problem with one wheel or sdist."""
    meta = artifact.metadata
    name = artifact.path.name
    problems: list[str] = []
    dist = str(meta["Name"])
    if dist not in PACKAGES and dist not in NAME_CARRIERS:
        problems.append(f"{name}: unknown distribution {dist!r}")
    expected_version = carrier_version(dist) if dist in NAME_CARRIERS else version
    if meta["Version"] != expected_version:
        problems.append(
            f"{name}: version {meta['Version']}, but its source says {expected_version}"
        )
    if meta["License-Expression"] != "MIT":
        problems.append(f"{name}: License-Expression is {meta['License-Expression']!r}, not MIT")

    # The license text itself, as a License-File and inside the archive.
    license_files = meta.get_all("License-File") or []
    if "LICENSE" not in license_files:
        problems.append(f"{name}: no 'License-File: LICENSE' in its metadata")
    if artifact.is_wheel:
        wanted = [n for n in artifact.names if n.endswith(".dist-info/licenses/LICENSE")]
    else:
        wanted = [n for n in artifact.names if n.count("/") == 1 and n.endswith("/LICENSE")]
    if not wanted:
        problems.append(f"{name}: the LICENSE file is not in the archive")
    elif artifact.read(wanted[0]).strip() != license_text.strip():
        problems.append(f"{name}: its LICENSE differs from the repository's LICENSE")

    urls = {
        label.strip(): url.strip()
        for label, _, url in (u.partition(",") for u in meta.get_all("Project-URL") or [])
    }
    problems += [
        f"{name}: no https Project-URL {label!r}"
        for label in URL_LABELS
        if not urls.get(label, "").startswith("https://")
    ]

    description = artifact.metadata.get_payload()
    assert isinstance(description, str)
    if meta["Description-Content-Type"] != "text/markdown" or not description.strip():
        problems.append(f"{name}: the long description is missing or not Markdown")
    problems += [
        f"{name}: the long description links to {target!r}, which breaks outside the repository"
        for target in relative_links(description)
    ]

    if dist != "secure-core":
        from packaging.requirements import Requirement

        core = [
            r
            for r in map(Requirement, meta.get_all("Requires-Dist") or [])
            if r.name == "secure-core"
        ]
        if not core:
            problems.append(f"{name}: does not require secure-core")
        elif not core[0].specifier.contains(version) or not core[0].specifier:
            problems.append(
                f"{name}: requires {core[0]}, which does not admit secure-core {version}"
            )
        elif core[0].specifier.contains(f"{int(version.split('.')[0]) + 1}.0.0"):
            problems.append(f"{name}: requires {core[0]}, with no bound below the next major")
    return problems


def check_dist(dist_dir: Path, version: str, changelog: str, license_text: bytes) -> list[str]:
    """Every problem with a directory of built distributions."""
    problems = check_changelog(version, changelog)
    for dist in PACKAGES:
        stem = f"{dist.replace('-', '_')}-{version}"
        for file in (f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"):
            if not (dist_dir / file).is_file():
                problems.append(f"{file} was not built")
    for path in sorted(dist_dir.iterdir()):
        if path.name.endswith((".whl", ".tar.gz")):
            problems += check_artifact(open_artifact(path), version, license_text)
    return problems


def check_imports(dist: str) -> list[str]:
    """Import an installed distribution's package; its ``__version__`` must be the version.

    Run by the Python of an environment that holds only that wheel and its dependencies,
    so this uses the standard library alone.
    """
    import importlib
    import importlib.metadata

    # A name carrier holds no package of its own: it brings secure-core's.
    package = PACKAGES.get(dist, "secure")
    if dist in NAME_CARRIERS:
        module = importlib.import_module(package)
        print(f"release check: {dist} {importlib.metadata.version(dist)} brings {package}")
        return []
    module = importlib.import_module(package)
    installed = importlib.metadata.version(dist)
    reported = getattr(module, "__version__", installed)
    if reported != installed:
        return [f"{package}.__version__ is {reported!r}, but {dist} {installed} is installed"]
    print(f"release check: {dist} {installed} installs and imports on its own")
    return []


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--imports":
        problems = check_imports(argv[1].replace("_", "-"))
        for problem in problems:
            print(f"release check: {problem}", file=sys.stderr)
        return 1 if problems else 0
    if len(argv) != 1:
        print("usage: release_check.py DIST_DIR | --imports DISTRIBUTION", file=sys.stderr)
        return 2
    problems = check_dist(
        Path(argv[0]),
        source_version(),
        (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
        (ROOT / "LICENSE").read_bytes(),
    )
    for problem in problems:
        print(f"release check: {problem}", file=sys.stderr)
    if not problems:
        print(f"release check: {len(PACKAGES)} packages at {source_version()}: ready to publish")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
