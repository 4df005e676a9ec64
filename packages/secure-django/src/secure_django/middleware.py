"""``SecureHeadersMiddleware``: the project's security headers on every response."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.functional import SimpleLazyObject

from secure.nonce import generate_nonce
from secure_django._apply import RESPONSE_ATTR, Compiled
from secure_django._conf import get_secure

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

    from secure._snapshot import HeaderSnapshot

__all__ = ["SecureHeadersMiddleware"]

_GetResponse = Callable[["HttpRequest"], Any]


class SecureHeadersMiddleware:
    """Apply ``settings.SECURE_HEADERS`` to every response, sync or async.

    Add it near the top of ``MIDDLEWARE``, right after Django's ``SecurityMiddleware``::

        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "secure_django.middleware.SecureHeadersMiddleware",
            ...
        ]

    ``request.csp_nonce`` is the request's CSP nonce, generated on first use; the same
    value fills the policy's nonce slot in the response header.
    """

    sync_capable: Final = True
    async_capable: Final = True

    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        self.secure: Final = get_secure()
        self.snapshot: Final[HeaderSnapshot] = self.secure.snapshot()
        self._compiled = Compiled(self.snapshot)
        # Django hands an async get_response under ASGI (when the rest of the stack is
        # async capable); answer in kind so no thread hop is added (Django docs,
        # "Asynchronous support" in "Middleware").
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self._is_async:
            return self.__acall__(request)
        nonce = request.csp_nonce = SimpleLazyObject(generate_nonce)  # type: ignore[attr-defined]
        response: HttpResponseBase = self.get_response(request)
        self._apply(response, nonce)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = request.csp_nonce = SimpleLazyObject(generate_nonce)  # type: ignore[attr-defined]
        response: HttpResponseBase = await self.get_response(request)
        self._apply(response, nonce)
        return response

    def _apply(self, response: HttpResponseBase, nonce: SimpleLazyObject[str]) -> None:
        override = response.__dict__.get(RESPONSE_ATTR)
        compiled = self._compiled if override is None else override.resolve(self.secure)
        compiled.apply(response, nonce)
