"""Pure ASGI middleware that adds the security headers to every HTTP response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeAlias

from secure.middleware._common import (
    NONCE_STATE_KEY,
    Middleware,
    nonce_replaced,
    scope_nonce,
)

__all__ = ["SecureASGIMiddleware"]

# The ASGI 3 callable shapes, structurally the same as Starlette's ``starlette.types``
# so the middleware type-checks in ``app.add_middleware(...)``.
Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]

_NONCE_WHERE = 'scope["state"]["csp_nonce"]'


class SecureASGIMiddleware(Middleware[ASGIApp]):
    """Add security headers to every HTTP response of an ASGI application.

    Headers the configuration sets replace the application's (any case), except names
    in ``multi_ok`` (default ``secure.MULTI_OK``), which are appended; every other
    application header passes through in order. ``websocket`` and ``lifespan`` scopes
    are not touched. The configuration is compiled once, here: changing ``secure``
    afterwards does not change this middleware. With a CSP nonce slot, each request
    gets a fresh nonce in ``scope["state"]["csp_nonce"]`` (``request.state.csp_nonce``).
    ``select(scope)``, called as the response starts, may pick a per-route
    :class:`~secure.Override`; requests under an ``exclude`` path prefix (relative to
    ``root_path``) pass straight through to the application::

        app = SecureASGIMiddleware(app, secure=Secure.with_default_headers())
    """

    __slots__ = ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.exclude is not None and self.exclude.matches_scope(scope)
        ):
            await self.app(scope, receive, send)
            return
        plan = self.snapshot
        if self.select is not None:
            await self._per_route(scope, receive, send)
            return
        if plan.needs_nonce:
            await self._with_nonce(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A new message: the application's dict and list stay as it built them.
                message = dict(message)
                message["headers"] = plan.merge_asgi(message.get("headers", ()))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _respond(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """What awaiting the middleware does, for a wrapper with its own coroutine.

        A plain call returning the awaitable: a framework package's middleware that
        awaits this, instead of the middleware, runs one coroutine fewer per request on
        the ``select`` path (the other paths return the middleware's own coroutine).
        """
        if self.select is None or scope["type"] != "http":
            return self(scope, receive, send)
        if self.exclude is not None and self.exclude.matches_scope(scope):
            return self.app(scope, receive, send)
        return self._per_route(scope, receive, send)

    def _with_nonce(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The application call for a configuration with a nonce slot (one plan).

        A plain function returning the application's awaitable: this path adds no
        coroutine of its own.
        """
        plan = self.snapshot
        # The nonce is chosen before the application runs and never changes for this
        # request, so whenever the page reads it, it matches the header.
        nonce = scope_nonce(scope)
        state = scope["state"]

        async def send_with_nonce(message: Message) -> None:
            if message["type"] == "http.response.start":
                if state.get(NONCE_STATE_KEY) != nonce:
                    raise nonce_replaced(_NONCE_WHERE, nonce, state.get(NONCE_STATE_KEY))
                message = dict(message)
                message["headers"] = plan.merge_asgi(message.get("headers", ()), nonce)
            await send(message)

        return self.app(scope, receive, send_with_nonce)

    def _per_route(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The application call when ``select`` picks each response's plan."""
        # The nonce is chosen before the application runs and never changes for this
        # request, so whenever the page reads it, it matches the header.
        default = self.snapshot
        select = self.select
        assert select is not None  # only called with one
        nonce = scope_nonce(scope) if default.needs_nonce else None

        async def send_per_route(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Most responses keep the default: one call, no cache lookup.
                override = select(scope)
                plan = default if override is None else self._compiled(override)
                used = None
                if plan.needs_nonce:
                    if nonce is None:  # only this route's policy has a nonce slot
                        used = scope_nonce(scope)
                    else:
                        found = scope["state"].get(NONCE_STATE_KEY)
                        if found != nonce:
                            raise nonce_replaced(_NONCE_WHERE, nonce, found)
                        used = nonce
                message = dict(message)
                message["headers"] = plan.merge_asgi(message.get("headers", ()), used)
            await send(message)

        return self.app(scope, receive, send_per_route)
