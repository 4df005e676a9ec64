"""Per-route header rules and the request's CSP nonce.

A :class:`SecureHeaders` rule is a FastAPI dependency. When a route runs it, the rule
appends itself to the request's scope; :class:`~secure_fastapi.SecureMiddleware` reads
the rules at ``http.response.start`` and sends the headers of the app-wide configuration
with the rules applied in order (``Secure.derive``), compiled once per combination.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the annotations of
# ``SecureHeaders.__call__`` and ``csp_nonce`` at run time to inject the connection.
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any, Final

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from secure import Secure
from secure.headers import ContentSecurityPolicy

# The core ASGI middleware's nonce keys: stacked middleware agree on one nonce, and the
# public place is ``scope["state"]["csp_nonce"]``.
from secure.middleware._common import NONCE_KEY, STATE_KEY
from secure.nonce import generate_nonce

__all__ = ["SecureHeaders", "csp_nonce"]

#: Scope key holding the tuple of rules the route ran, outermost first; the middleware
#: replaces it with :data:`APPLIED` when it sends the response headers.
RULES_KEY: Final = "secure_fastapi"
APPLIED: Final = "applied"

# A configuration with a CSP, to check a rule's arguments when the rule is created:
# errors in a rule surface at import time, not on the first request.
_PROBE: Final = Secure(csp=ContentSecurityPolicy().default_src("'self'"))


def ensure_nonce(scope: MutableMapping[str, Any]) -> str:
    """The request's nonce, generated and stored on first use."""
    nonce: str | None = scope.get(NONCE_KEY)
    if nonce is None:
        nonce = scope[NONCE_KEY] = generate_nonce()
        scope.setdefault("state", {})[STATE_KEY] = nonce
    return nonce


def csp_nonce(request: HTTPConnection) -> str:
    """The CSP nonce of this request, the value the middleware puts in the header.

    Use it as a FastAPI dependency (or the ``CSPNonce`` annotation) or call it with a
    Starlette request; ``request.state.csp_nonce`` holds the same value::

        @app.get("/")
        def page(nonce: CSPNonce) -> HTMLResponse:
            return HTMLResponse(f"<script nonce='{nonce}'>...</script>")
    """
    return ensure_nonce(request.scope)


class SecureHeaders:
    """A per-route adjustment of the app-wide headers, used as a FastAPI dependency.

    ``headers`` sets or replaces headers by name (``None`` removes one), ``csp``
    replaces the Content-Security-Policy, ``csp_sources`` adds sources to CSP
    directives, ``exempt`` leaves the named headers out (``True``: every header).
    Rules at app, router and route level all apply, in that order, so the route's
    choice wins::

        embed = SecureHeaders(csp_sources={"frame-ancestors": ["https://partner.example"]},
                              exempt=["X-Frame-Options"])

        @app.get("/widget", dependencies=[Depends(embed)])
        def widget() -> dict[str, str]: ...
    """

    __slots__ = ("_csp", "_csp_sources", "_exempt", "_exempt_all", "_headers", "needs_nonce")

    def __init__(
        self,
        *,
        headers: Mapping[str, str | None] | None = None,
        csp: ContentSecurityPolicy | str | None = None,
        csp_sources: Mapping[str, Sequence[str]] | None = None,
        exempt: bool | Iterable[str] = (),
    ) -> None:
        self._headers = dict(headers) if headers else None
        # A builder is copied: changing it later must not change this rule.
        self._csp = csp.copy() if isinstance(csp, ContentSecurityPolicy) else csp
        self._csp_sources = (
            {d: (s,) if isinstance(s, str) else tuple(s) for d, s in csp_sources.items()}
            if csp_sources
            else None
        )
        if isinstance(exempt, bool):
            self._exempt_all = exempt
            self._exempt: tuple[str, ...] = ()
        elif isinstance(exempt, str):
            raise TypeError(
                f"exempt: expected header names or True, got the single string {exempt!r}; "
                f"wrap it: exempt=[{exempt!r}]"
            )
        else:
            self._exempt_all = False
            self._exempt = tuple(exempt)
        if self._exempt_all and self._csp_sources and self._csp is None:
            raise ValueError(
                "Content-Security-Policy: exempt=True removes the CSP, so csp_sources has "
                "nothing to add to; pass csp=... as well, or drop exempt=True"
            )
        # Validate every argument now, against a configuration that has a CSP.
        probe = self.apply(_PROBE)
        #: True when this rule puts a nonce slot in the CSP.
        self.needs_nonce: bool = probe.has_nonce and not _PROBE.has_nonce

    def apply(self, secure: Secure) -> Secure:
        """``secure`` with this rule applied; ``secure`` itself is not changed."""
        if self._exempt_all:
            secure = secure.derive(exempt=secure.snapshot().names)
        return secure.derive(
            headers=self._headers,
            csp=self._csp.copy() if isinstance(self._csp, ContentSecurityPolicy) else self._csp,
            csp_sources=self._csp_sources,
            exempt=self._exempt,
        )

    def __call__(self, connection: HTTPConnection) -> None:
        """Record this rule for the current request (FastAPI calls it as a dependency)."""
        self.record(connection.scope)

    def record(self, scope: MutableMapping[str, Any]) -> None:
        """Record this rule in an ASGI scope, for code that runs without FastAPI."""
        rules = scope.get(RULES_KEY) or ()
        if rules == APPLIED:  # the response has started: too late to change its headers
            return
        scope[RULES_KEY] = (*rules, self)
        if self.needs_nonce:
            ensure_nonce(scope)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """An ASGI app that applies this rule to everything ``app`` serves.

        For plain Starlette routes and mounts::

            Mount("/embed", app=SecureHeaders(exempt=["X-Frame-Options"]).wrap(embed_app))
        """
        return _Scoped(app, self)

    def __repr__(self) -> str:
        parts = [
            f"{name}={value!r}"
            for name, value in (
                ("headers", self._headers),
                ("csp", self._csp),
                ("csp_sources", self._csp_sources),
                ("exempt", True if self._exempt_all else self._exempt or None),
            )
            if value is not None
        ]
        return f"SecureHeaders({', '.join(parts)})"


class _Scoped:
    """An ASGI app that records a rule, then calls the wrapped app."""

    __slots__ = ("app", "rule")

    def __init__(self, app: ASGIApp, rule: SecureHeaders) -> None:
        self.app = app
        self.rule = rule

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.rule.record(scope)
        await self.app(scope, receive, send)
