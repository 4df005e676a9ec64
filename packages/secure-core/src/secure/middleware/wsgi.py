"""WSGI middleware (PEP 3333) that adds the security headers to every response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secure.middleware._common import (
    NONCE_ENVIRON_KEY,
    Middleware,
    environ_nonce,
    nonce_replaced,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    _Base = Middleware[WSGIApplication]
else:  # _typeshed exists for type checkers only
    _Base = Middleware

__all__ = ["SecureWSGIMiddleware"]

_NONCE_WHERE = f"environ[{NONCE_ENVIRON_KEY!r}]"


class SecureWSGIMiddleware(_Base):
    """Add security headers to every response of a WSGI application.

    Headers the configuration sets replace the application's (any case), except names
    in ``multi_ok`` (default ``secure.MULTI_OK``), which are appended; every other
    application header passes through in order. The configuration is compiled once,
    here: changing ``secure`` afterwards does not change this middleware. With a CSP
    nonce slot, each request gets a fresh nonce in ``environ["secure.csp_nonce"]``.
    ``select(environ)``, called as the response starts, may pick a per-route
    :class:`~secure.Override`; requests under an ``exclude`` path prefix (``PATH_INFO``,
    below ``SCRIPT_NAME``) pass straight through to the application::

        app.wsgi_app = SecureWSGIMiddleware(app.wsgi_app, secure=Secure.with_default_headers())
    """

    __slots__ = ()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._exclude is not None and self._exclude.matches_environ(environ):
            return self.app(environ, start_response)
        if not self._plain:
            if self._select is None:
                return self._with_nonce(environ, start_response)
            return self._per_route(environ, start_response)
        # The common case, decided in __init__ (one plan without a nonce slot), served
        # here without a call of its own.
        plan = self.snapshot

        def start_with_headers(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            merged = plan.merge_wsgi(headers)
            # PEP 3333: the server's start_response decides what exc_info means (replace
            # the headers if none were sent yet, re-raise otherwise); its write()
            # callable is handed back unchanged.
            if exc_info is None:
                return start_response(status, merged)
            return start_response(status, merged, exc_info)

        # The application's iterable is returned as it is: the server calls its
        # close() exactly once (PEP 3333) and can still spot a wsgi.file_wrapper.
        return self.app(environ, start_with_headers)

    def _with_nonce(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The application call for a configuration with a nonce slot (one plan)."""
        plan = self.snapshot
        # The nonce is chosen before the application runs and never changes for this
        # request, so whenever the page reads it, it matches the header.
        nonce = environ_nonce(environ)

        def start_with_nonce(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            if environ.get(NONCE_ENVIRON_KEY) != nonce:
                raise nonce_replaced(_NONCE_WHERE, nonce, environ.get(NONCE_ENVIRON_KEY))
            merged = plan.merge_wsgi(headers, nonce)
            if exc_info is None:
                return start_response(status, merged)
            return start_response(status, merged, exc_info)

        return self.app(environ, start_with_nonce)

    def _per_route(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The application call when ``select`` picks each response's plan."""
        # A nonce the default plan needs is chosen before the application runs, so the
        # page reads the value the header will carry; None when only a route's policy
        # has a nonce slot (it is chosen when that response starts).
        nonce = environ_nonce(environ) if self.snapshot.needs_nonce else None
        select = self._select
        assert select is not None  # only called with one

        def start_with_plan(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            override = select(environ)
            plan = self.snapshot if override is None else self._compiled(override)
            merged = plan.merge_wsgi(
                headers, self._start_nonce(environ, nonce) if plan.needs_nonce else None
            )
            if exc_info is None:
                return start_response(status, merged)
            return start_response(status, merged, exc_info)

        return self.app(environ, start_with_plan)

    def _start_nonce(self, environ: WSGIEnvironment, chosen: str | None) -> str:
        """The nonce for a response whose plan has a nonce slot, as the response starts."""
        if chosen is None:  # only this route's policy has a nonce slot
            return environ_nonce(environ)
        found = environ.get(NONCE_ENVIRON_KEY)
        if found != chosen:
            raise nonce_replaced(_NONCE_WHERE, chosen, found)
        return chosen
