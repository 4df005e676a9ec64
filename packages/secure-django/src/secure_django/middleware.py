"""``SecureHeadersMiddleware``: the project's security headers on every response."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.cache import get_max_age
from django.utils.functional import SimpleLazyObject

from secure.middleware import environ_nonce
from secure_django._apply import APPLIED_ATTR, RESPONSE_ATTR, prepare, set_headers, set_prepared
from secure_django._conf import check_pending, get_exclude, get_secure
from secure_django._django_csp import (
    ENFORCE_ATTR,
    HAS_DJANGO_CSP,
    REPORT_ONLY_ATTR,
    response_override,
)

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

    from secure._snapshot import HeaderSnapshot

__all__ = ["CachedNonceWarning", "SecureHeadersMiddleware"]

_GetResponse = Callable[["HttpRequest"], Any]


class CachedNonceWarning(RuntimeWarning):
    """A response whose Content-Security-Policy has a nonce may be served again from a
    cache: the nonce is replayed (or, with the cache below the middleware, no longer
    matches the page) — see <https://typeerror.github.io/secure/frameworks/django/#caching>."""


class SecureHeadersMiddleware:
    """Apply ``settings.SECURE_HEADERS`` to every response, sync or async.

    Add it near the top of ``MIDDLEWARE``, right after Django's ``SecurityMiddleware``::

        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "secure_django.middleware.SecureHeadersMiddleware",
            ...
        ]

    ``request.csp_nonce`` is the request's CSP nonce, generated on first use; the same
    value fills the policy's nonce slot in the response header. Requests whose
    ``request.path_info`` is under a ``SECURE_HEADERS_EXCLUDE`` prefix pass through
    untouched: no header and no ``request.csp_nonce``.
    """

    sync_capable: Final = True
    async_capable: Final = True

    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        self.secure: Final = get_secure()
        self.snapshot: Final[HeaderSnapshot] = self.secure.snapshot()
        self._prepared = prepare(self.snapshot)
        self._sent = frozenset(name.lower() for name, _, _ in self.snapshot.items)
        self.exclude: Final = get_exclude()
        check_pending(self.secure)
        # Django hands an async get_response under ASGI (when the rest of the stack is
        # async capable); answer in kind so no thread hop is added (Django docs,
        # "Asynchronous support" in "Middleware").
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.exclude is not None and self.exclude.matches(request.path_info):
            # Left to the application (and other middleware) alone; under ASGI this is
            # the coroutine of the async get_response.
            return self.get_response(request)
        if self._is_async:
            return self.__acall__(request)
        # The core's per-request nonce, kept in request.META like a WSGI environ's and
        # chosen on first use.
        request.csp_nonce = SimpleLazyObject(partial(environ_nonce, request.META))  # type: ignore[attr-defined]
        response: HttpResponseBase = self.get_response(request)
        self._apply(request, response)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        request.csp_nonce = SimpleLazyObject(partial(environ_nonce, request.META))  # type: ignore[attr-defined]
        response: HttpResponseBase = await self.get_response(request)
        self._apply(request, response)
        return response

    def _apply(self, request: HttpRequest, response: HttpResponseBase) -> None:
        state = response.__dict__
        applied = state.get(APPLIED_ATTR)
        if applied is None:
            override = state.get(RESPONSE_ATTR)
            if HAS_DJANGO_CSP and (ENFORCE_ATTR in state or REPORT_ONLY_ATTR in state):
                # Django 6's @csp_override / @csp_report_only_override on the view: their
                # policy replaces the project's (and an @override(csp=...)); the sources an
                # @override(csp_sources=...) adds are added to it.
                django_csp = response_override(request, state, self._sent)
                if django_csp is not None:
                    override = django_csp if override is None else override | django_csp
            prepared = self._prepared
            if (
                override is None
                and prepared is not None
                and set_prepared(response.headers, prepared)
            ):
                applied = state[APPLIED_ATTR] = False
            else:
                plan = self.snapshot if override is None else self.secure.snapshot(override)
                applied = state[APPLIED_ATTR] = plan.needs_nonce
                # The nonce the page read through request.csp_nonce, or a fresh one if
                # it read none (read from META directly: the lazy object is slow).
                nonce = environ_nonce(request.META) if applied else None
                set_headers(response.headers, plan, nonce)
        # else: a copy from Django's cache, stored with our headers on: served as stored.
        if applied and _cacheable(response):
            _warn_cached_nonce(request, response)


def _cacheable(response: HttpResponseBase) -> bool:
    """Whether Django's cache middleware (and any shared cache) would keep this response."""
    max_age = get_max_age(response)
    if not max_age:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def _warn_cached_nonce(request: HttpRequest, response: HttpResponseBase) -> None:
    warnings.warn(
        f"Content-Security-Policy: the response to {request.path} has a CSP nonce and is "
        f"cacheable (Cache-Control: {response.get('Cache-Control')}); served again from a "
        "cache, it replays its nonce or no longer matches its page. Do not cache pages "
        "with a nonce (cache_page, UpdateCacheMiddleware): exempt them from the cache, or "
        "use a policy without a nonce slot on them.",
        CachedNonceWarning,
        stacklevel=2,
    )
