"""The version of every package in this repository (they are released together).

The five ``pyproject.toml`` files read it from here at build time; bump it here and add
the matching ``## X.Y.Z`` section to ``CHANGELOG.md``.
"""

__version__ = "1.0.0"
