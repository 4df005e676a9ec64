"""What HTML says about inline code, for the code that scans pages for it."""

from __future__ import annotations

from typing import Final

__all__ = ["SCRIPT_TYPES"]

# HTML, "prepare the script element": an empty type or a JavaScript MIME type makes a
# classic script; "module", "importmap" and "speculationrules" run too, and CSP governs
# all of them. Any other type (application/json, text/template, ...) is a data block
# the browser never runs, so it needs no CSP source.
SCRIPT_TYPES: Final = frozenset(
    {
        "",
        "module",
        "importmap",
        "speculationrules",
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
