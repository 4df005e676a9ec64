"""WSGI middleware (PEP 3333) that adds the security headers to every response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secure.middleware._common import (
    NONCE_KEY,
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

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["SecureWSGIMiddleware"]

_NONCE_WHERE = f"environ[{NONCE_KEY!r}]"


class SecureWSGIMiddleware:
    """Add security headers to every response of a WSGI application.

    Headers the configuration sets replace the application's (any case), except names
    in ``multi_ok`` (default ``secure.MULTI_OK``), which are appended; every other
    application header passes through in order. The configuration is compiled once,
    here: changing ``secure`` afterwards does not change this middleware. With a CSP
    nonce slot, each request gets a fresh nonce in ``environ["secure.csp_nonce"]``::

        app.wsgi_app = SecureWSGIMiddleware(app.wsgi_app, secure=Secure.with_default_headers())
    """

    __slots__ = ("_drop", "_headers", "_keep", "_slots", "app", "snapshot")

    def __init__(
        self,
        app: WSGIApplication,
        *,
        secure: SecureArg = None,
        multi_ok: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        #: The immutable headers this middleware applies, fixed at construction.
        self.snapshot = snapshot = resolve_snapshot(secure)
        self._drop = snapshot.names - appendable_names(multi_ok)
        # Application header names known not to be replaced: no lower() call for them.
        self._keep = kept_names(self._drop)
        self._headers, self._slots = split_templates(snapshot)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._slots:
            return self._with_nonce(environ, start_response)

        # The closure holds only ``self`` and ``start_response``.
        def start_with_headers(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            keep = self._keep
            drop = self._drop
            merged = [h for h in headers if h[0] in keep or h[0].lower() not in drop]
            merged += self._headers
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
        # The nonce is chosen before the application runs and never changes for this
        # request, so whenever the page reads it, it matches the header.
        nonce = environ.get(NONCE_KEY)
        if nonce is None:
            try:
                nonce = take_nonce()
            except IndexError:
                nonce = refill()
            environ[NONCE_KEY] = nonce
        else:  # an outer Secure middleware chose it: share it so both headers agree
            nonce = inherited_nonce(nonce, _NONCE_WHERE)
        filled = self._headers.copy()
        for index, name, parts in self._slots:
            filled[index] = (name, nonce.join(parts))

        def start_with_nonce(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            if environ.get(NONCE_KEY) != nonce:
                raise nonce_replaced(_NONCE_WHERE, nonce, environ.get(NONCE_KEY))
            keep = self._keep
            drop = self._drop
            merged = [h for h in headers if h[0] in keep or h[0].lower() not in drop]
            merged += filled
            if exc_info is None:
                return start_response(status, merged)
            return start_response(status, merged, exc_info)

        return self.app(environ, start_with_nonce)
