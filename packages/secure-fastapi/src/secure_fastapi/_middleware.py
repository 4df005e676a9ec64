"""``SecureMiddleware``: pure ASGI middleware for FastAPI and Starlette."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from starlette.applications import Starlette
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request

from secure import MULTI_OK, Preset, Secure
from secure.middleware._common import NONCE_KEY, STATE_KEY, kept_names
from secure.nonce import generate_nonce, is_nonce
from secure_fastapi._docs import DocsPage, DocsPolicy, find_docs_pages
from secure_fastapi._headers import (
    APPLIED,
    RULES_KEY,
    SecureHeaders,
    ensure_nonce,
)

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from secure.headers import ContentSecurityPolicy

__all__ = ["SecureMiddleware"]


# Variants are compiled once per combination of rules; a cap keeps an app that makes
# rules per request from growing the cache without bound (it then compiles each time).
_MAX_VARIANTS: Final = 1024
# A nonce no header value can contain by chance, to find the nonce slots once.
_MARK: Final = generate_nonce()
_MARK_BYTES: Final = _MARK.encode("ascii")


class _Compiled:
    """One configuration, ready for ``http.response.start``: what to drop, what to add."""

    __slots__ = ("drop", "headers", "keep", "names", "secure", "slots", "static")

    def __init__(self, secure: Secure, appendable: frozenset[bytes]) -> None:
        self.secure = secure
        snapshot = secure.snapshot()
        self.names = snapshot.asgi_names
        #: Lower-case byte names the application's headers lose (replaced, not appended).
        self.drop = snapshot.asgi_names - appendable
        #: Common application header names (in lower case and as usually spelled) that
        #: are not in ``drop``: kept without a ``lower()`` call.
        self.keep = frozenset(
            name.encode("latin-1")
            for name in kept_names(frozenset(n.decode("latin-1") for n in self.drop))
        )
        #: The encoded headers; ``None`` when they carry a nonce slot.
        self.static = None if snapshot.needs_nonce else tuple(snapshot.asgi_items())
        # With a nonce slot: the headers rendered once around a marker nonce, and the
        # templated ones split at it, so a request copies a list and fills one value.
        self.headers: list[tuple[bytes, bytes]] = []
        self.slots: tuple[tuple[int, bytes, tuple[bytes, ...]], ...] = ()
        if self.static is None:
            self.headers = snapshot.asgi_items(_MARK)
            self.slots = tuple(
                (index, name, tuple(value.split(_MARK_BYTES)))
                for index, (name, value) in enumerate(self.headers)
                if _MARK_BYTES in value
            )

    def with_nonce(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        nonce = scope.get(NONCE_KEY)
        if nonce is None:  # a rule added the slot and nobody asked for the nonce yet
            nonce = ensure_nonce(scope)
        found = scope.get("state", {}).get(STATE_KEY)
        if found != nonce:
            raise RuntimeError(
                'Content-Security-Policy: scope["state"]["csp_nonce"] was changed from '
                f"{nonce!r} to {found!r} after it was generated; the page and the header "
                "would carry different nonces and the browser would block the page's "
                "scripts. Read the nonce (request.state.csp_nonce), never assign it."
            )
        token = nonce.encode("ascii")
        headers = self.headers.copy()
        for index, name, parts in self.slots:
            headers[index] = (name, token.join(parts))
        return headers


class SecureMiddleware:
    """Add the security headers to every HTTP response of a FastAPI or Starlette app.

    ``secure`` is a ``secure.Secure``, a preset (``Preset.STRICT`` or ``"strict"``) or a
    configuration mapping; the default is the BALANCED preset. It is compiled once, here.
    Route dependencies (:class:`SecureHeaders`) adjust it per route; FastAPI's own
    ``/docs`` and ``/redoc`` pages get the CSP they need (``docs``, see
    :class:`DocsPolicy`). Configured headers replace the application's, except names in
    ``multi_ok`` (default ``secure.MULTI_OK``), which are appended. WebSocket and lifespan
    scopes pass through untouched::

        app.add_middleware(SecureMiddleware, secure="strict")
    """

    __slots__ = ("_appendable", "_base", "_docs", "_docs_ids", "_docs_pages", "_variants", "app")

    def __init__(
        self,
        app: ASGIApp,
        *,
        secure: Secure | Preset | str | Mapping[str, object] | None = None,
        multi_ok: Iterable[str] | None = None,
        docs: DocsPolicy | bool = True,
    ) -> None:
        self.app = app
        if multi_ok is None:
            names: Iterable[str] = MULTI_OK
        elif isinstance(multi_ok, (str, bytes)):
            raise TypeError(
                f"multi_ok: expected a collection of header names, got the single string "
                f"{multi_ok!r}; wrap it: multi_ok={{{multi_ok!r}}}"
            )
        else:
            names = multi_ok
        self._appendable = frozenset(name.lower().encode("latin-1") for name in names)
        # A private copy: changing the caller's object later must not change this one.
        self._base = _Compiled(Secure.coerce(secure).copy(), self._appendable)
        if not isinstance(docs, (bool, DocsPolicy)):
            raise TypeError(f"docs: expected True, False or a DocsPolicy, got {docs!r}")
        # The documentation pages only need their own CSP where the app sends one.
        has_csp = b"content-security-policy" in self._base.names
        self._docs: DocsPolicy | None = (
            (DocsPolicy() if docs is True else docs or None) if has_csp else None
        )
        # FastAPI's documentation endpoints in the app (and the FastAPI apps mounted in
        # it): id(endpoint) -> (page, app, endpoint). The endpoint is held, so its id stays
        # its own. Found here when ``app`` is the application itself (the middleware wraps
        # it), else on the first request, from scope["app"] (add_middleware).
        self._docs_pages: dict[int, tuple[DocsPage, FastAPI, object]] = {}
        self._docs_ids: frozenset[int] | None = frozenset()
        if self._docs is not None:
            self._docs_ids = self._find_docs(app) or None
        self._variants: dict[object, _Compiled] = {}

    @property
    def secure(self) -> Secure:
        """A copy of the app-wide configuration this middleware applies."""
        return self._base.secure.copy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._docs_ids is None:
            self._docs_ids = self._find_docs(scope.get("app"))
        if self._base.static is None:
            self._request_nonce(scope)

        # The closure holds only self, scope and send; the rest is read on the one
        # message that needs it.
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # One scope entry: the route's rules (a tuple), APPLIED once a Secure
                # middleware handled this response, or nothing.
                marked = scope.get(RULES_KEY)
                if marked is APPLIED:  # an inner SecureMiddleware (more specific) did
                    await send(message)
                    return
                docs = self._docs_ids
                if marked is not None or (docs and id(scope.get("endpoint")) in docs):
                    headers = self._headers(scope, message)
                else:  # the common case: the app-wide headers
                    base = self._base
                    keep = base.keep
                    drop = base.drop
                    headers = [
                        h
                        for h in message.get("headers", ())
                        if h[0] in keep or h[0].lower() not in drop
                    ]
                    static = base.static
                    headers += base.with_nonce(scope) if static is None else static
                scope[RULES_KEY] = APPLIED
                # A new message: the application's dict and list stay as it built them.
                message = dict(message)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if scope.get(RULES_KEY) is APPLIED or not _renders_default_error(scope):
                raise
            # Starlette's ServerErrorMiddleware sits outside every add_middleware entry
            # and would send its 500 without these headers. Send the same default page
            # from here, through the headers; it sees the response started, sends
            # nothing, and re-raises the exception for the server to log, as usual.
            self._prepare_error_page(scope)
            response = ServerErrorMiddleware(self.app).error_response(Request(scope), exc)
            await response(scope, receive, send_with_headers)
            raise

    def _prepare_error_page(self, scope: Scope) -> None:
        """Make sure the error page's headers can be built, whatever went wrong."""
        try:
            self._select(scope)
        except Exception:  # a broken rule must not break the error page too
            scope.pop(RULES_KEY, None)
        nonce = scope.get(NONCE_KEY)
        if nonce is not None:
            scope.setdefault("state", {})[STATE_KEY] = nonce

    def _request_nonce(self, scope: Scope) -> None:
        nonce = scope.get(NONCE_KEY)
        if nonce is None:
            nonce = scope[NONCE_KEY] = generate_nonce()
        # An outer Secure middleware chose the nonce: share it, so both headers agree.
        elif not is_nonce(nonce):
            raise ValueError(
                f"Content-Security-Policy: scope[{NONCE_KEY!r}] holds {nonce!r}, which is "
                "not a nonce (a base64 value, CSP Level 3 §2.3.1); only the Secure "
                "middleware should set it"
            )
        # Starlette's request.state reads this dict (the ASGI "state" extension).
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state[STATE_KEY] = nonce

    # -- variants: route rules and documentation pages ------------------------------------

    def _headers(self, scope: Scope, message: Message) -> list[tuple[bytes, bytes]]:
        compiled = self._select(scope)
        keep = compiled.keep
        drop = compiled.drop
        headers = [
            h for h in message.get("headers", ()) if h[0] in keep or h[0].lower() not in drop
        ]
        static = compiled.static
        headers += compiled.with_nonce(scope) if static is None else static
        return headers

    def _find_docs(self, app: object) -> frozenset[int]:
        for endpoint, page, owner in find_docs_pages(app):
            self._docs_pages[id(endpoint)] = (page, owner, endpoint)  # type: ignore[assignment]
        return frozenset(self._docs_pages)

    def _select(self, scope: Scope) -> _Compiled:
        """The configuration for this response: docs page policy, then route rules."""
        rules: tuple[SecureHeaders, ...] = scope.get(RULES_KEY) or ()
        page = self._docs_pages.get(id(scope.get("endpoint"))) if self._docs_pages else None
        if page is None and not rules:
            return self._base
        key: tuple[object, ...] = rules
        if page is not None:
            key = (page[0], id(page[1]), scope.get("root_path", ""), *rules)
        compiled = self._variants.get(key)
        if compiled is None:
            secure = self._base.secure
            if page is not None:
                secure = secure.derive(csp=self._docs_csp(page, scope))
            for rule in rules:
                secure = rule.apply(secure)
            compiled = _Compiled(secure, self._appendable)
            if len(self._variants) < _MAX_VARIANTS:
                self._variants[key] = compiled
        return compiled

    def _docs_csp(
        self, page: tuple[DocsPage, FastAPI, object], scope: Scope
    ) -> ContentSecurityPolicy:
        assert self._docs is not None
        kind, app, _ = page
        return self._docs.csp_for(kind, app, scope.get("root_path", ""))


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
