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
            self._exclude is not None and self._exclude.matches_scope(scope)
        ):
            await self.app(scope, receive, send)
        elif self._plain:
            # The common case, decided in __init__ (one plan without a nonce slot), served
            # here without a call of its own.
            plan = self.snapshot

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    # A new message: the application's dict and list stay as it built them.
                    message = dict(message)
                    message["headers"] = plan.merge_asgi(message.get("headers", ()))
                await send(message)

            await self.app(scope, receive, send_with_headers)
        elif self._select is None:
            await self._with_nonce(scope, receive, send)
        else:
            # _respond tests the scope type and the exclusion again: two cheap tests, kept
            # so that secure-fastapi, which calls it directly, reaches the per-route
            # closure in one call.
            await self._respond(scope, receive, send)

    def _with_nonce(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The application call for a configuration with a nonce slot (one plan)."""
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

    def _respond(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The application call when ``select`` picks each response's plan.

        A plain call returning the awaitable: a framework package's middleware that has
        a coroutine of its own awaits this instead of the middleware, which runs one
        coroutine fewer per request (it does what awaiting the middleware does).
        """
        if scope["type"] != "http" or (
            self._exclude is not None and self._exclude.matches_scope(scope)
        ):
            return self.app(scope, receive, send)
        select = self._select
        if select is None:
            return self(scope, receive, send)
        # A nonce the default plan needs is chosen before the application runs, so the
        # page reads the value the header will carry; None when only a route's policy
        # has a nonce slot (it is chosen when that response starts).
        nonce = scope_nonce(scope) if self.snapshot.needs_nonce else None

        # Most responses keep the default plan: one select() call, no cache lookup, no
        # nonce work.
        async def send_per_route(message: Message) -> None:
            if message["type"] == "http.response.start":
                override = select(scope)
                plan = self.snapshot if override is None else self._compiled(override)
                message = dict(message)
                message["headers"] = plan.merge_asgi(
                    message.get("headers", ()),
                    self._start_nonce(scope, nonce) if plan.needs_nonce else None,
                )
            await send(message)

        return self.app(scope, receive, send_per_route)

    def _start_nonce(self, scope: Scope, chosen: str | None) -> str:
        """The nonce for a response whose plan has a nonce slot, as the response starts."""
        if chosen is None:  # only this route's policy has a nonce slot
            return scope_nonce(scope)
        found = scope["state"].get(NONCE_STATE_KEY)
        if found != chosen:
            raise nonce_replaced(_NONCE_WHERE, chosen, found)
        return chosen
