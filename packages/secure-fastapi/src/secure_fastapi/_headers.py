"""Per-route header rules and the request's CSP nonce.

A :class:`SecureHeaders` rule is a FastAPI dependency holding a :class:`secure.Override`,
validated when the rule is made. When a route runs it, the rule adds its override to the
request's scope; :class:`~secure_fastapi.SecureMiddleware` hands that override to the
core middleware as the response starts, which compiles each distinct one once.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the annotations of
# ``SecureHeaders.__call__`` and ``csp_nonce`` at run time to inject the connection.
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any, Final

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from secure import NONCE, Override, Secure
from secure._docs import see
from secure.headers import ContentSecurityPolicy
from secure.middleware import NONCE_SCOPE_KEY, scope_nonce

__all__ = ["SecureHeaders", "csp_nonce"]

#: Scope key holding the combined override of the rules the route ran, outermost first.
RULES_KEY: Final = "secure_fastapi"
#: Scope key holding the innermost SecureMiddleware of the request (for ``csp_nonce``).
MIDDLEWARE_KEY: Final = "secure_fastapi.middleware"
#: Scope key set once a SecureMiddleware has chosen this response's headers.
APPLIED_KEY: Final = "secure_fastapi.applied"


def csp_nonce(request: HTTPConnection) -> str:
    """The CSP nonce of this request, the value the middleware puts in the header.

    Use it as a FastAPI dependency (or the ``CSPNonce`` annotation) or call it with a
    Starlette request; ``request.state.csp_nonce`` holds the same value::

        @app.get("/")
        def page(nonce: CSPNonce) -> HTMLResponse:
            return HTMLResponse(f"<script nonce='{nonce}'>...</script>")

    Raises ``RuntimeError`` when the route's CSP has no nonce slot: the page would
    carry a nonce the header does not allow, and the browser would block its scripts.
    A route that sends no CSP gets a nonce (nothing blocks its scripts).
    """
    scope = request.scope
    middleware = scope.get(MIDDLEWARE_KEY)
    if middleware is not None:
        plan = middleware.plan_for(scope)
        # Without a CSP nothing blocks the page's scripts: a nonce is harmless there.
        usable: bool = plan.needs_nonce or "content-security-policy" not in plan.names
    else:  # only the core middleware: it chose the nonce before the app ran, if any
        usable = scope.get(NONCE_SCOPE_KEY) is not None
    if not usable:
        raise RuntimeError(
            "Content-Security-Policy: this route's policy has no nonce slot, so a nonce "
            "would not be in the header and the browser would block the page's scripts. "
            "Add one to the configuration (NONCE in script-src) or to the route, with a "
            "rule that runs before the nonce is read: "
            "dependencies=[Depends(SecureHeaders(csp_sources={'script-src': [NONCE]}))]"
        )
    return scope_nonce(scope)


class SecureHeaders:
    """A per-route adjustment of the app-wide headers, used as a FastAPI dependency.

    ``headers`` sets or replaces headers by name (``None`` removes one), ``csp``
    replaces the Content-Security-Policy, ``csp_sources`` adds sources to CSP
    directives (a missing directive starts from its fallback, so ``'self'`` is kept),
    ``exempt`` leaves the named headers out (``True``: every header). The arguments are
    checked here, and against the app's configuration when the app starts. Rules at
    app, router and route level all apply, in that order, so the route's choice wins::

        embed = SecureHeaders(csp_sources={"frame-ancestors": ["https://partner.example"]},
                              exempt=["X-Frame-Options"])

        @app.get("/widget", dependencies=[Depends(embed)])
        def widget() -> dict[str, str]: ...
    """

    __slots__ = ("override",)

    override: Override

    def __init__(
        self,
        *,
        headers: Mapping[str, str | None] | None = None,
        csp: ContentSecurityPolicy | str | None = None,
        csp_sources: Mapping[str, Sequence[str]] | None = None,
        exempt: bool | Iterable[str] = (),
    ) -> None:
        if isinstance(exempt, str):
            raise TypeError(
                see(
                    f"exempt: expected header names or True, got the single string {exempt!r}; "
                    f"wrap it: exempt=[{exempt!r}]",
                    "frameworks/fastapi.md#per-route-headers",
                )
            )
        exempt_all = exempt is True
        if exempt_all and csp_sources and csp is None:
            raise ValueError(
                see(
                    "Content-Security-Policy: exempt=True removes the CSP, so csp_sources has "
                    "nothing to add to; pass csp=... as well, or drop exempt=True",
                    "frameworks/fastapi.md#per-route-headers",
                )
            )
        #: The :class:`secure.Override` this rule applies (immutable, validated).
        object.__setattr__(
            self,
            "override",
            Override(
                headers=headers,
                csp=csp,
                csp_sources=csp_sources,
                exempt=() if isinstance(exempt, bool) else exempt,
                exempt_all=exempt_all,
            ),
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SecureHeaders is immutable (cannot set {name!r})")

    @property
    def needs_nonce(self) -> bool:
        """True when this rule puts a CSP nonce slot in the policy."""
        o = self.override
        return any(NONCE in sources for _, sources in o.csp_sources) or (
            o.csp is not None and NONCE in o.csp
        )

    def apply(self, secure: Secure) -> Secure:
        """``secure`` with this rule applied; ``secure`` itself is not changed."""
        return secure.derive(self.override)

    def __call__(self, connection: HTTPConnection) -> None:
        """Record this rule for the current request (FastAPI calls it as a dependency)."""
        self.record(connection.scope)

    def record(self, scope: MutableMapping[str, Any]) -> None:
        """Record this rule in an ASGI scope, for code that runs without FastAPI."""
        if APPLIED_KEY in scope:  # the response has started: too late to change it
            return
        before: Override | None = scope.get(RULES_KEY)
        scope[RULES_KEY] = self.override if before is None else before | self.override

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """An ASGI app that applies this rule to everything ``app`` serves.

        For plain Starlette routes and mounts::

            Mount("/embed", app=SecureHeaders(exempt=["X-Frame-Options"]).wrap(embed_app))
        """
        return Scoped(app, self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SecureHeaders):
            return NotImplemented
        return self.override == other.override

    def __hash__(self) -> int:
        return hash(self.override)

    def __repr__(self) -> str:
        # The override's fields, with its exempt_all spelt as this class's exempt=True.
        fields = dict(self.override._repr_fields())
        if fields.pop("exempt_all", False):
            fields["exempt"] = True
        parts = [f"{name}={value!r}" for name, value in fields.items()]
        return f"SecureHeaders({', '.join(parts)})"


class Scoped:
    """An ASGI app that records a rule, then calls the wrapped app."""

    __slots__ = ("app", "rule")

    def __init__(self, app: ASGIApp, rule: SecureHeaders) -> None:
        self.app = app
        self.rule = rule

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.rule.record(scope)
        await self.app(scope, receive, send)
