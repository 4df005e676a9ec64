"""The core-only stacks of one framework (``SECURE_STACKS``), at one release.

These tests reuse the integration suite's servers, raw client and docs runner: this
directory puts ``tests-integration`` on ``sys.path``.
"""

from __future__ import annotations

import sys
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parents[1] / "tests-integration"
sys.path.insert(0, str(INTEGRATION))
