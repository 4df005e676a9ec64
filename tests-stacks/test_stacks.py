"""One framework without a package of its own, at the release nox installed.

``nox -s stacks`` runs this for each framework (``SECURE_STACKS=<name>``) against its
oldest supported and its newest release: the framework's docs page
(``docs/frameworks/<name>.md``) runs as a reader would run it, and the demo app goes
behind the server that page recommends, checked byte for byte as in
``tests-integration/test_core_only_servers.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest
import test_docs_examples as docs_examples

# The server checks, collected here too: they run the selected framework's stacks.
from test_core_only_servers import (  # noqa: F401
    STACKS,
    served,
    test_headers_on_the_wire,
    test_what_the_server_adds,
)

FRAMEWORKS: Final = sorted({stack.framework for stack in STACKS})


def test_a_framework_is_selected() -> None:
    """Run per framework (nox sets ``SECURE_STACKS``), or for all of them."""
    assert FRAMEWORKS, f"no stack for SECURE_STACKS={os.environ.get('SECURE_STACKS')!r}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_docs_page_runs(framework: str, tmp_path: Path) -> None:
    page = docs_examples.DOCS / "frameworks" / f"{framework}.md"
    result = subprocess.run(
        [sys.executable, *docs_examples._warning_options(), docs_examples.__file__, str(page)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
