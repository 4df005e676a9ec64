"""The release checks (``release_check.py``, run by ``nox -s release``) catch what they claim.

Each check runs here on small hand-made wheels and sdists, one defect at a time, and on
the repository's own sources (which the checks read at release time).
"""

from __future__ import annotations

import importlib
import io
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from release_check import (
    PACKAGES,
    ROOT,
    VERSION_FILE,
    check_artifact,
    check_changelog,
    check_dist,
    open_artifact,
    relative_links,
    source_version,
)

tomllib: Any = importlib.import_module("tomllib")  # the suite runs on the dev Python

LICENSE = b"MIT License\n\nCopyright (c) the secure contributors\n"
URLS = [
    "Homepage, https://example.org/",
    "Documentation, https://example.org/docs/",
    "Repository, https://example.org/repo",
    "Issues, https://example.org/repo/issues",
    "Changelog, https://example.org/repo/CHANGELOG.md",
]


def _metadata(name: str = "secure-flask", version: str = "1.2.0", **changes: Any) -> str:
    fields: dict[str, Any] = {
        "Metadata-Version": "2.4",
        "Name": name,
        "Version": version,
        "License-Expression": "MIT",
        "License-File": ["LICENSE"],
        "Project-URL": URLS,
        "Requires-Dist": ["flask>=2.3", "secure-core<2,>=1.0.0"],
        "Description-Content-Type": "text/markdown",
    }
    fields.update(changes)
    lines = [
        f"{key}: {item}"
        for key, value in fields.items()
        if value is not None
        for item in (value if isinstance(value, list) else [value])
    ]
    description = changes.get("description", "# secure-flask\n\nSee https://example.org/.\n")
    lines = [line for line in lines if not line.startswith("description:")]
    return "\n".join(lines) + "\n\n" + description


def _wheel(
    directory: Path, metadata: str, *, license_text: bytes | None = LICENSE, stem: str = ""
) -> Path:
    stem = stem or "secure_flask-1.2.0"
    path = directory / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("secure_flask/__init__.py", "")
        archive.writestr(f"{stem}.dist-info/METADATA", metadata)
        if license_text is not None:
            archive.writestr(f"{stem}.dist-info/licenses/LICENSE", license_text)
    return path


def _sdist(directory: Path, metadata: str, *, license_text: bytes | None = LICENSE) -> Path:
    stem = "secure_flask-1.2.0"
    path = directory / f"{stem}.tar.gz"
    files = {f"{stem}/PKG-INFO": metadata.encode(), f"{stem}/pyproject.toml": b""}
    if license_text is not None:
        files[f"{stem}/LICENSE"] = license_text
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _problems(path: Path) -> list[str]:
    return check_artifact(open_artifact(path), "1.2.0", LICENSE)


@pytest.mark.parametrize("build", [_wheel, _sdist], ids=["wheel", "sdist"])
def test_a_complete_artifact_passes(tmp_path: Path, build: Any) -> None:
    assert _problems(build(tmp_path, _metadata())) == []


@pytest.mark.parametrize("build", [_wheel, _sdist], ids=["wheel", "sdist"])
def test_missing_or_different_license(tmp_path: Path, build: Any) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    missing = _problems(build(tmp_path / "a", _metadata(), license_text=None))
    assert any("LICENSE file is not in the archive" in p for p in missing), missing
    other = _problems(build(tmp_path / "b", _metadata(), license_text=b"Apache-2.0"))
    assert any("differs from the repository's LICENSE" in p for p in other), other


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"Version": "1.1.0"}, "version 1.1.0, but its source says 1.2.0"),
        ({"License-Expression": None}, "License-Expression is None"),
        ({"License-File": None}, "no 'License-File: LICENSE'"),
        ({"Project-URL": URLS[:-1]}, "no https Project-URL 'Changelog'"),
        ({"Project-URL": [*URLS[:-1], "Changelog, CHANGELOG.md"]}, "Project-URL 'Changelog'"),
        ({"description": "See [the guide](../../docs/flask.md).\n"}, "'../../docs/flask.md'"),
        ({"Description-Content-Type": "text/x-rst"}, "not Markdown"),
        ({"Requires-Dist": ["flask>=2.3"]}, "does not require secure-core"),
        ({"Requires-Dist": ["secure-core>=1.3"]}, "does not admit secure-core 1.2.0"),
        ({"Requires-Dist": ["secure-core>=1.0"]}, "no bound below the next major"),
        ({"Name": "secure-other"}, "unknown distribution"),
    ],
)
def test_each_metadata_defect_is_reported(
    tmp_path: Path, changes: dict[str, Any], expected: str
) -> None:
    problems = _problems(_wheel(tmp_path, _metadata(**changes)))
    assert any(expected in p for p in problems), problems


def test_secure_core_needs_no_pin_on_itself(tmp_path: Path) -> None:
    metadata = _metadata("secure-core", **{"Requires-Dist": None})
    assert _problems(_wheel(tmp_path, metadata, stem="secure_core-1.2.0")) == []


def test_a_version_without_a_changelog_section_is_refused(tmp_path: Path) -> None:
    changelog = "# Changelog\n\n## Unreleased\n\n- a change\n\n## 1.1.0\n\n- first\n"
    assert check_changelog("1.2.0", changelog) == [
        "CHANGELOG.md has no '## 1.2.0' section: write one before releasing"
    ]
    assert check_changelog("1.1.0", changelog) == []
    # The same refusal from the whole check, which also lists the artifacts not built.
    problems = check_dist(tmp_path, "1.2.0", changelog, LICENSE)
    assert problems[0].startswith("CHANGELOG.md has no '## 1.2.0' section")
    assert "secure_core-1.2.0-py3-none-any.whl was not built" in problems
    assert len(problems) == 1 + 2 * len(PACKAGES)


def test_relative_links() -> None:
    text = (
        "[a](https://example.org/x) [b](docs/x.md) ![c](img/logo.png) [d](#usage)\n"
        '<a href="../../LICENSE">e</a> <img src="https://example.org/i.png">\n'
        "[ref]: ../CHANGELOG.md\n"
        "[mail](mailto:security@example.org)\n"
        "```python\nx = [y](z)\n```\n"
    )
    assert relative_links(text) == ["docs/x.md", "img/logo.png", "../../LICENSE", "../CHANGELOG.md"]


# -- the repository's own sources -----------------------------------------------------------


def test_one_version_source_for_every_package() -> None:
    version_file = VERSION_FILE.relative_to(ROOT / "packages")
    for dist in PACKAGES:
        project_dir = ROOT / "packages" / dist
        config = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
        assert "version" not in config["project"], dist
        assert config["project"]["dynamic"] == ["version"], dist
        path = (project_dir / config["tool"]["hatch"]["version"]["path"]).resolve()
        assert path == VERSION_FILE, (dist, path, version_file)


def test_the_changelog_has_the_current_version_and_an_unreleased_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert check_changelog(source_version(), changelog) == []
    assert "\n## Unreleased\n" in changelog


@pytest.mark.parametrize("dist", PACKAGES)
def test_package_readme_and_license_work_outside_the_repository(dist: str) -> None:
    package = ROOT / "packages" / dist
    assert relative_links((package / "README.md").read_text(encoding="utf-8")) == []
    # Each package holds a copy of the LICENSE (an sdist cannot reach the root's).
    assert (package / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
