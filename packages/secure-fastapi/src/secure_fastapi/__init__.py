"""Security headers for FastAPI and Starlette, powered by ``secure``.

::

    from fastapi import FastAPI
    from secure_fastapi import SecureMiddleware

    app = FastAPI()
    app.add_middleware(SecureMiddleware)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from secure_fastapi._docs import DocsPolicy
from secure_fastapi._headers import SecureHeaders, csp_nonce
from secure_fastapi._middleware import SecureMiddleware
from secure_fastapi._templates import install_csp_nonce
from secure_fastapi.reports import collect_reports, reports_route

if TYPE_CHECKING:
    from fastapi import Depends

    #: The request's CSP nonce as a FastAPI dependency: ``def view(nonce: CSPNonce)``.
    CSPNonce = Annotated[str, Depends(csp_nonce)]

__all__ = [
    "CSPNonce",
    "DocsPolicy",
    "SecureHeaders",
    "SecureMiddleware",
    "collect_reports",
    "csp_nonce",
    "install_csp_nonce",
    "reports_route",
]


def __getattr__(name: str) -> Any:
    # CSPNonce needs FastAPI, an optional dependency: build it on first use.
    if name == "CSPNonce":
        from fastapi import Depends

        alias = Annotated[str, Depends(csp_nonce)]
        globals()["CSPNonce"] = alias
        return alias
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
