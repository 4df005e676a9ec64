"""``python -m secure``: the same as the ``secure`` command."""

from __future__ import annotations

from secure.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
