"""TOML configuration files on every supported Python.

Python 3.11+ reads TOML with the standard library's ``tomllib``; Python 3.10 has none, and
the ``secure-core[toml]`` extra installs its backport ``tomli``. The core session installs
that extra, so these tests read real TOML on 3.10 as well.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from secure.config import load_config, read_config_file

#: The module that reads TOML on this Python.
PARSER = "tomllib" if sys.version_info >= (3, 11) else "tomli"


def test_pyproject_tool_secure_table(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "app"\n\n[tool.secure]\npreset = "strict"\nxfo = "SAMEORIGIN"\n'
    )
    assert read_config_file(pyproject) == {"preset": "strict", "xfo": "SAMEORIGIN"}
    assert load_config(pyproject).headers["X-Frame-Options"] == "SAMEORIGIN"


def test_missing_parser_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secure.toml"
    path.write_text('preset = "basic"\n')
    # `None` in sys.modules makes the import fail as if the module were not installed.
    monkeypatch.setitem(sys.modules, PARSER, None)
    if PARSER == "tomllib":
        monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(ValueError, match=r"secure\.toml.*pip install 'secure-core\[toml\]'"):
        read_config_file(path)


def test_toml_extra_is_declared_for_python_310_only() -> None:
    requires = importlib.metadata.requires("secure-core") or []
    extra = [Requirement(r) for r in requires if "extra ==" in r]
    assert [r.name for r in extra] == ["tomli"]
    marker = extra[0].marker
    assert marker is not None
    assert marker.evaluate({"python_version": "3.10", "extra": "toml"})
    assert not marker.evaluate({"python_version": "3.11", "extra": "toml"})
    # The core itself depends on no third-party code: its one requirement is `secure` 3.x,
    # a file-less distribution of ours that carries 2.x's name forward so an upgrade
    # replaces 2.x instead of overwriting it (docs/migration.md, "Installing").
    assert [r for r in requires if "extra ==" not in r] == ["secure>=3"]
