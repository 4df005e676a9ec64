"""View decorators that change the headers of one view's responses.

Each decorator works on function views and class-based views, sync or async::

    @override_headers({"X-Frame-Options": "DENY"})
    def settings_page(request): ...

    @add_csp_sources({"script-src": ["https://js.stripe.com"]})
    class CheckoutView(View): ...

The derived headers are computed once, when the view is decorated, from the
project's ``SECURE_HEADERS``; per request the middleware only reads them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import wraps
from inspect import iscoroutine
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from secure.headers import ContentSecurityPolicy
from secure_django._apply import RESPONSE_ATTR, VIEW_ATTR, Override, Step
from secure_django._conf import get_secure

if TYPE_CHECKING:
    from django.http import HttpResponseBase

__all__ = ["add_csp_sources", "exempt_headers", "override_headers", "replace_csp"]

_V = TypeVar("_V", bound=Callable[..., Any])


def override_headers(headers: Mapping[str, str | None]) -> Callable[[_V], _V]:
    """Set or replace headers by name for this view; ``None`` removes a header.

    >>> @override_headers({"X-Frame-Options": "DENY", "Cache-Control": "no-store"})
    ... def account(request): ...
    """
    headers = dict(headers)
    return _decorator(lambda s: s.derive(headers=headers))


def add_csp_sources(sources: Mapping[str, Sequence[str]]) -> Callable[[_V], _V]:
    """Add sources to Content-Security-Policy directives for this view.

    A directive missing from the policy is created. ``secure.nonce.NONCE`` adds a
    nonce slot.

    >>> @add_csp_sources({"script-src": ["https://js.stripe.com"]})
    ... def checkout(request): ...
    """
    sources = {directive: _as_tuple(values) for directive, values in sources.items()}
    return _decorator(lambda s: s.derive(csp_sources=sources))


def replace_csp(policy: ContentSecurityPolicy | str) -> Callable[[_V], _V]:
    """Send this Content-Security-Policy for this view instead of the project's.

    >>> @replace_csp("default-src 'none'; img-src 'self'")
    ... def image_viewer(request): ...
    """
    if not isinstance(policy, (ContentSecurityPolicy, str)):
        raise TypeError(
            "replace_csp() takes a ContentSecurityPolicy or a policy string, "
            f"got {type(policy).__name__} {policy!r}"
        )
    policy = policy.copy() if isinstance(policy, ContentSecurityPolicy) else policy
    return _decorator(lambda s: s.derive(csp=policy))


def exempt_headers(*names: str) -> Callable[[_V], _V]:
    """Leave the named headers off this view's responses; with no names, all of them.

    >>> @exempt_headers("X-Frame-Options")
    ... def embeddable_widget(request): ...
    """
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"exempt_headers() takes header names, got {name!r}")
    if names:
        return _decorator(lambda s: s.derive(exempt=names))
    return _decorator(lambda s: s.derive(exempt=s.snapshot().names))


def _as_tuple(values: Sequence[str] | str) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(values)


def _decorator(step: Step) -> Callable[[_V], _V]:
    override = Override((step,))

    def decorator(view: _V) -> _V:
        if isinstance(view, type):
            return _decorate_class(view, override)  # type: ignore[return-value]
        return _decorate_function(view, override)

    return decorator


def _prepare(view: object, override: Override) -> Override:
    """Compose with decorators already on ``view`` and resolve now, so a bad
    override fails at import time, not on the first request."""
    combined = override.after(getattr(view, VIEW_ATTR, None))
    if settings.configured:
        try:
            base = get_secure()
        except ImproperlyConfigured:
            # SECURE_HEADERS itself is broken: the middleware refuses to start and
            # `manage.py check` reports it (E001); importing views must not hide that.
            return combined
        combined.resolve(base)
    return combined


def _tag(result: Any, override: Override) -> Any:
    """Mark a view's response for the middleware. ``result`` may be a coroutine: a
    class-based view's ``dispatch`` returns its async handler's coroutine, and
    ``method_decorator`` hands that to a sync wrapper."""
    if iscoroutine(result):
        return _tag_later(result, override)
    result.__dict__[RESPONSE_ATTR] = override
    return result


async def _tag_later(pending: Awaitable[HttpResponseBase], override: Override) -> HttpResponseBase:
    response = await pending
    response.__dict__[RESPONSE_ATTR] = override
    return response


def _decorate_function(view: _V, override: Override) -> _V:
    combined = _prepare(view, override)
    wrapper: Callable[..., Any]
    if iscoroutinefunction(view):

        @wraps(view)
        async def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            return _tag(await view(request, *args, **kwargs), combined)

    else:

        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            return _tag(view(request, *args, **kwargs), combined)

    setattr(wrapper, VIEW_ATTR, combined)
    return wrapper  # type: ignore[return-value]


def _decorate_class(view: type[Any], override: Override) -> type[Any]:
    dispatch = getattr(view, "dispatch", None)
    if dispatch is None:
        raise TypeError(
            f"{view.__qualname__} has no dispatch() method; decorate a view function, "
            "a class-based view, or the result of as_view()"
        )
    combined = _prepare(dispatch, override)

    @wraps(dispatch)
    def wrapped_dispatch(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        return _tag(dispatch(self, request, *args, **kwargs), combined)

    setattr(wrapped_dispatch, VIEW_ATTR, combined)
    view.dispatch = wrapped_dispatch
    return view
