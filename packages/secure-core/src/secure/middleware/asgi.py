"""Pure ASGI middleware that adds the security headers to every HTTP response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, TypeAlias

from secure.middleware._common import (
    NONCE_KEY,
    STATE_KEY,
    SecureArg,
    appendable_names,
    inherited_nonce,
    kept_names,
    nonce_replaced,
    refill,
    resolve_snapshot,
    split_templates,
    take_nonce,
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


class SecureASGIMiddleware:
    """Add security headers to every HTTP response of an ASGI application.

    Headers the configuration sets replace the application's (any case), except names
    in ``multi_ok`` (default ``secure.MULTI_OK``), which are appended; every other
    application header passes through in order. ``websocket`` and ``lifespan`` scopes
    are not touched. The configuration is compiled once, here: changing ``secure``
    afterwards does not change this middleware. With a CSP nonce slot, each request
    gets a fresh nonce in ``scope["state"]["csp_nonce"]`` (``request.state.csp_nonce``)::

        app = SecureASGIMiddleware(app, secure=Secure.with_default_headers())
    """

    __slots__ = ("_drop", "_headers", "_keep", "_slots", "app", "snapshot")

    def __init__(
        self,
        app: ASGIApp,
        *,
        secure: SecureArg = None,
        multi_ok: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        #: The immutable headers this middleware applies, fixed at construction.
        self.snapshot = snapshot = resolve_snapshot(secure)
        replaced = snapshot.names - appendable_names(multi_ok)
        # ASGI carries names as bytes; the spec asks for lower case ("Response Start").
        self._drop = frozenset(name.encode("latin-1") for name in replaced)
        # Application header names known not to be replaced: no lower() call for them.
        self._keep = frozenset(name.encode("latin-1") for name in kept_names(replaced))
        headers, slots = split_templates(snapshot)
        self._headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
        ]
        self._slots = [
            (index, name.lower().encode("latin-1"), tuple(p.encode("latin-1") for p in parts))
            for index, name, parts in slots
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots:
            await self._with_nonce(scope, receive, send)
            return

        # The closure holds only ``self`` and ``send``; what it needs from ``self`` is
        # read on the one message that uses it.
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                keep = self._keep
                drop = self._drop
                headers = [
                    h
                    for h in message.get("headers", ())
                    if h[0] in keep or h[0].lower() not in drop
                ]
                headers += self._headers
                # A new message: the application's dict and list stay as it built them.
                message = dict(message)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _with_nonce(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """The application call for a configuration with a nonce slot.

        A plain function returning the application's awaitable: the nonce path adds no
        coroutine of its own, and the static path above keeps its frame small.
        """
        # The nonce is chosen before the application runs and never changes for this
        # request, so whenever the page reads it, it matches the header.
        nonce = scope.get(NONCE_KEY)
        if nonce is None:
            try:
                nonce = take_nonce()
            except IndexError:
                nonce = refill()
            scope[NONCE_KEY] = nonce
        else:  # an outer Secure middleware chose it: share it so both headers agree
            nonce = inherited_nonce(nonce, f"scope[{NONCE_KEY!r}]")
        # Starlette's request.state reads this dict (ASGI lifespan "state" extension).
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state[STATE_KEY] = nonce
        filled = self._headers.copy()
        token = nonce.encode("ascii")
        for index, name, parts in self._slots:
            filled[index] = (name, token.join(parts))

        async def send_with_nonce(message: Message) -> None:
            if message["type"] == "http.response.start":
                if state.get(STATE_KEY) != nonce:
                    raise nonce_replaced(_NONCE_WHERE, nonce, state.get(STATE_KEY))
                keep = self._keep
                drop = self._drop
                headers = [
                    h
                    for h in message.get("headers", ())
                    if h[0] in keep or h[0].lower() not in drop
                ]
                headers += filled
                message = dict(message)
                message["headers"] = headers
            await send(message)

        return self.app(scope, receive, send_with_nonce)
