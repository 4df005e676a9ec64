"""``SecureMiddleware``: the core ASGI middleware, with FastAPI's per-route rules.

The headers, the merge with the application's and the nonce are the core's
(:class:`secure.middleware.SecureASGIMiddleware`); this module only picks each
response's :class:`secure.Override` (``select=``): the route's :class:`SecureHeaders`
rules and the policy of FastAPI's documentation pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from starlette.applications import Starlette
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.routing import Mount

from secure import MULTI_OK, Override, Preset, Secure
from secure._docs import see
from secure.middleware import (
    NONCE_SCOPE_KEY,
    NONCE_STATE_KEY,
    PathPrefixes,
    SecureASGIMiddleware,
)
from secure_fastapi._docs import DocsPage, DocsPolicy, find_docs_pages
from secure_fastapi._headers import (
    APPLIED_KEY,
    MIDDLEWARE_KEY,
    RULES_KEY,
    Scoped,
    SecureHeaders,
)

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Receive, Scope, Send

    from secure import HeaderSnapshot

__all__ = ["SecureMiddleware"]

# What an outer SecureMiddleware sends once an inner one (more specific) chose the headers.
_NOTHING: Final = Override(exempt_all=True)
# Documentation-page overrides kept per (page, app, root_path); past this, built again.
_MAX_DOCS_OVERRIDES: Final = 64
# Where __call__ hands the exception to the error page.
_ERROR_KEY: Final = "secure_fastapi.error"


class SecureMiddleware:
    """Add the security headers to every HTTP response of a FastAPI or Starlette app.

    ``secure`` is a ``secure.Secure``, a preset (``Preset.STRICT`` or ``"strict"``) or a
    configuration mapping; the default is the BALANCED preset. It is compiled once.
    Route dependencies (:class:`SecureHeaders`) adjust it per route, checked against it
    when the app starts; FastAPI's own ``/docs`` and ``/redoc`` pages get the CSP they
    need (``docs``, see :class:`DocsPolicy`). Configured headers replace the
    application's, except the CSP (the app's own policy is kept beside ours) and names
    in ``multi_ok`` (default ``secure.MULTI_OK``), which are appended. WebSocket and
    lifespan scopes pass through untouched, and so do requests under an ``exclude`` path
    prefix (``exclude=["/admin/"]``: see :class:`secure.middleware.PathPrefixes`)::

        app.add_middleware(SecureMiddleware, secure="strict")

    A configuration error is raised here when ``app`` is the application itself; given
    to ``add_middleware`` it fails the server's start (the lifespan startup), or the
    first request when the server runs no lifespan.
    """

    __slots__ = (
        "_core",
        "_docs",
        "_docs_ids",
        "_docs_overrides",
        "_docs_pages",
        "_error",
        "_error_page",
        "_exclude",
        "_multi_ok",
        "_ready",
        "_registered",
        "_secure",
        "app",
    )

    def __init__(
        self,
        app: ASGIApp,
        *,
        secure: Secure | Preset | str | Mapping[str, object] | None = None,
        multi_ok: Iterable[str] | None = None,
        docs: DocsPolicy | bool = True,
        exclude: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        self._error: Exception | None = None
        self._registered = False
        # Registered, without a configuration error: __call__ checks only this.
        self._ready = False
        # Starlette's default 500 page through the same headers, built at the first 500.
        self._error_page: SecureASGIMiddleware | None = None
        # FastAPI's documentation endpoints: id(endpoint) -> (page, app, endpoint). The
        # endpoint is held, so its id stays its own.
        self._docs_pages: dict[int, tuple[DocsPage, FastAPI, object]] = {}
        self._docs_ids: frozenset[int] = frozenset()
        self._docs_overrides: dict[tuple[str, int, str], Override] = {}
        try:
            self._configure(secure, multi_ok, docs, exclude)
            if isinstance(app, Starlette):  # wrapping the application: check it now
                self._register(app)
        except (ValueError, TypeError) as exc:
            # add_middleware builds the middleware inside the app's first call (the
            # lifespan startup under a server): keep the error for __call__, which
            # reports it the way the server stops on.
            if isinstance(app, Starlette):
                raise
            self._error = exc

    def _configure(
        self,
        secure: Secure | Preset | str | Mapping[str, object] | None,
        multi_ok: Iterable[str] | None,
        docs: DocsPolicy | bool,
        exclude: Iterable[str] | None,
    ) -> None:
        if isinstance(multi_ok, (str, bytes)):
            raise TypeError(
                see(
                    f"multi_ok: expected a collection of header names, got the single string "
                    f"{multi_ok!r}; wrap it: multi_ok={{{multi_ok!r}}}",
                    "frameworks/fastapi.md#configuration",
                )
            )
        if not isinstance(docs, (bool, DocsPolicy)):
            raise TypeError(
                see(
                    f"docs: expected True, False or a DocsPolicy, got {docs!r}",
                    "frameworks/fastapi.md#fastapis-docs-and-redoc",
                )
            )
        # A private copy: changing the caller's object later must not change this one.
        self._secure = Secure.coerce(secure).copy()
        self._multi_ok = MULTI_OK if multi_ok is None else multi_ok
        self._exclude = None if exclude is None else PathPrefixes(exclude)
        self._core = SecureASGIMiddleware(
            self.app,
            secure=self._secure,
            multi_ok=self._multi_ok,
            select=self._select,
            exclude=self._exclude,
        )
        # The documentation pages only need their own CSP where the app sends one.
        has_csp = "content-security-policy" in self._core.snapshot.names
        self._docs: DocsPolicy | None = (
            (DocsPolicy() if docs is True else docs or None) if has_csp else None
        )

    @property
    def secure(self) -> Secure:
        """A copy of the app-wide configuration this middleware applies."""
        if self._error is not None:
            raise self._error
        return self._secure.copy()

    def plan_for(self, scope: Scope) -> HeaderSnapshot:
        """The compiled headers for this request's route, as they stand now."""
        override = self._override(scope)
        return self._core.snapshot if override is None else self._secure.snapshot(override)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._ready:
            self._first_call(scope)
            if self._error is not None:
                if scope["type"] == "lifespan":
                    await _fail_startup(self._error, receive, send)
                raise self._error
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[MIDDLEWARE_KEY] = self
        try:
            # The core's select path, without the core's own coroutine around it.
            await self._core._respond(scope, receive, send)
        except Exception as exc:
            if not _renders_default_error(scope) or not _not_started(scope):
                raise
            # Starlette's ServerErrorMiddleware sits outside every add_middleware entry
            # and would send its 500 without these headers. Send the same default page
            # from here, through the headers; it sees the response started, sends
            # nothing, and re-raises the exception for the server to log, as usual.
            scope[_ERROR_KEY] = exc
            await self._default_error_page()(scope, receive, send)
            raise

    # -- registration: the app's routes, checked against the configuration -----------------

    def _first_call(self, scope: Scope) -> None:
        if self._error is None and not self._registered:
            try:
                self._register(scope.get("app"))
            except (ValueError, TypeError) as exc:
                self._error = exc
        self._registered = True
        self._ready = self._error is None

    def _default_error_page(self) -> SecureASGIMiddleware:
        """Starlette's default 500 page, sent through the same headers (see __call__)."""
        if self._error_page is None:
            self._error_page = SecureASGIMiddleware(
                _default_error_page,
                secure=self._secure,
                multi_ok=self._multi_ok,
                select=self._select,
                exclude=self._exclude,
            )
        return self._error_page

    def _register(self, app: object) -> None:
        """Check every route's rules against the configuration; find the docs pages."""
        self._registered = True
        for where, override in _route_overrides(app, None, ""):
            try:
                self._secure.snapshot(override)  # validates, and compiles it once
            except ValueError as exc:
                raise ValueError(f"route {where}: {exc}") from exc
        if self._docs is not None:
            for endpoint, page, owner in find_docs_pages(app):
                self._docs_pages[id(endpoint)] = (page, owner, endpoint)  # type: ignore[assignment]
            self._docs_ids = frozenset(self._docs_pages)
        self._ready = self._error is None

    # -- per response -----------------------------------------------------------------------

    def _select(self, scope: Scope) -> Override | None:
        """This response's override, claiming the response for this middleware.

        ``select=`` of the core middleware, called as every response starts, with the
        one argument the core passes (an exact-arguments call is the cheap one). The
        claim makes an outer SecureMiddleware (less specific) leave the response alone.
        """
        applied: object = scope.setdefault(APPLIED_KEY, self)
        if applied is not self:
            return _NOTHING  # an inner SecureMiddleware (more specific) chose them
        if self._docs_ids and id(scope.get("endpoint")) in self._docs_ids:
            return self._override(scope)
        override: Override | None = scope.get(RULES_KEY)
        return override

    def _override(self, scope: Scope) -> Override | None:
        """The route's override: the docs page's policy, then the route's rules."""
        override: Override | None = scope.get(RULES_KEY)
        if self._docs_ids and id(scope.get("endpoint")) in self._docs_ids:
            docs = self._docs_override(scope)
            override = docs if override is None else docs | override
        return override

    def _docs_override(self, scope: Scope) -> Override:
        page, app, _ = self._docs_pages[id(scope["endpoint"])]
        root_path = scope.get("root_path", "")
        key = (page, id(app), root_path)
        override = self._docs_overrides.get(key)
        if override is None:
            assert self._docs is not None
            override = Override(csp=self._docs.csp_for(page, app, root_path))
            if len(self._docs_overrides) < _MAX_DOCS_OVERRIDES:
                self._docs_overrides[key] = override
        return override


async def _default_error_page(scope: Scope, receive: Receive, send: Send) -> None:
    """Starlette's default 500 page for the exception stored in the scope."""
    exc = scope.pop(_ERROR_KEY)
    response = ServerErrorMiddleware(_default_error_page).error_response(Request(scope), exc)
    await response(scope, receive, send)


def _not_started(scope: Scope) -> bool:
    """True when no response went out, so an error page can still be sent."""
    if APPLIED_KEY not in scope:
        return True
    # The one way the start can fail after the headers were chosen: the app replaced
    # the nonce. Put the middleware's back so the error page's header and state agree.
    state = scope.get("state") or {}
    nonce = scope.get(NONCE_SCOPE_KEY)
    if nonce is not None and state.get(NONCE_STATE_KEY) != nonce:
        state[NONCE_STATE_KEY] = nonce
        del scope[APPLIED_KEY]
        return True
    return False


async def _fail_startup(error: Exception, receive: Receive, send: Send) -> None:
    """Answer the lifespan startup with the configuration error, then raise it.

    A server stops on ``lifespan.startup.failed`` (uvicorn, with ``--lifespan auto`` as
    well as ``on``, logs the message); an exception alone would make uvicorn's ``auto``
    mode decide that the app has no lifespan and start anyway. Raising afterwards, as
    Starlette's router does, hands the traceback to the server or test client.
    """
    message = await receive()
    if message["type"] == "lifespan.startup":
        await send({"type": "lifespan.startup.failed", "message": f"SecureMiddleware: {error}"})
    raise error


def _rules(dependant: Any) -> Iterator[Override]:
    """The SecureHeaders rules of a FastAPI dependant, in the order FastAPI runs them."""
    for sub in getattr(dependant, "dependencies", ()):
        yield from _rules(sub)
        call = getattr(sub, "call", None)
        if isinstance(call, SecureHeaders):
            yield call.override


def _combined(before: Override | None, rules: Iterable[Override]) -> Override | None:
    for rule in rules:
        before = rule if before is None else before | rule
    return before


def _route_overrides(
    app: object, inherited: Override | None, prefix: str, depth: int = 0
) -> Iterator[tuple[str, Override]]:
    """Each route's combined override (mount rules, then the route's own), by path."""
    routes = getattr(app, "routes", None)
    if not isinstance(routes, list) or depth > 8:
        return
    for route in routes:
        path = prefix + str(getattr(route, "path", ""))
        override = _combined(inherited, _rules(getattr(route, "dependant", None)))
        if override is not None and override is not inherited:
            yield path, override
        if isinstance(route, Mount):
            inner: object = route.app
            while isinstance(inner, Scoped):
                override = _combined(override, (inner.rule.override,))
                inner = inner.app
            if override is not None and override is not inherited:
                yield path, override
            yield from _route_overrides(inner, override, path, depth + 1)


def _renders_default_error(scope: Scope) -> bool:
    """True when the app's 500 is Starlette's plain default page.

    A debug traceback page is left alone (its inline script would be blocked by the
    CSP), and so is a custom 500 handler: it can only run once, in Starlette's
    ServerErrorMiddleware. Wrap the whole app to put headers on those too.
    """
    app = scope.get("app")
    if not isinstance(app, Starlette) or app.debug:
        return False
    return not any(key in (500, Exception) for key in app.exception_handlers)
