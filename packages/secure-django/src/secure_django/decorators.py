"""View decorators that change the headers of one view's responses.

Each decorator builds one :class:`secure.Override` and works on function views and
class-based views, sync or async::

    @override(headers={"X-Frame-Options": "DENY"})
    def settings_page(request): ...

    @override(csp_sources={"script-src": ["https://js.stripe.com"]})
    class CheckoutView(View): ...

A decorator returns a new object (a wrapper around a function, a subclass of a class)
and never changes what it was given, so the same view can be routed elsewhere
unmarked. The override is checked against ``SECURE_HEADERS`` when the decorator is
created; the responses the view returns carry it as plain data, and
``SecureHeadersMiddleware`` has the core compile it once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from inspect import iscoroutine
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

from asgiref.sync import iscoroutinefunction

from secure import Override
from secure._docs import see
from secure.headers import ContentSecurityPolicy
from secure_django._apply import RESPONSE_ATTR
from secure_django._conf import check_override

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from django.http import HttpResponseBase

__all__ = [
    "add_csp_sources",
    "exempt",
    "exempt_headers",
    "override",
    "override_headers",
    "replace_csp",
]

_V = TypeVar("_V", bound=Callable[..., Any])

# Set on the wrappers and subclasses made here (functools.wraps carries it on to other
# decorators' wrappers), never on what a decorator was given: the combined override of
# every decorator of this package below, so stacked decorators compose.
MARK_ATTR: Final = "__secure_django_override__"


def override(
    headers: Mapping[str, str | None] | None = None,
    *,
    csp: ContentSecurityPolicy | str | None = None,
    csp_sources: Mapping[str, Sequence[str] | str] | None = None,
) -> Callable[[_V], _V]:
    """Change the headers of one view: the same vocabulary as ``secure.Override``.

    ``headers`` sets or replaces headers by name (``None`` removes one), ``csp``
    replaces the Content-Security-Policy, ``csp_sources`` adds sources to CSP directives
    (a missing directive starts from its fallback, so ``'self'`` is kept)::

        @override(csp_sources={"script-src": ["https://js.stripe.com"]})
        def checkout(request): ...

    A bad name or value, or a change that does not fit ``SECURE_HEADERS``, raises
    ``ValueError`` here.
    """
    if headers is None and csp is None and not csp_sources:
        raise TypeError(
            see("override() needs headers=, csp= or csp_sources=", "frameworks/django.md#per-view")
        )
    return _decorator(Override(headers=headers, csp=csp, csp_sources=csp_sources))


@overload
def exempt(view: _V, /) -> _V: ...
@overload
def exempt(*headers: str) -> Callable[[_V], _V]: ...
def exempt(*args: Any) -> Any:
    """Leave headers off one view's responses; all of them by default.

    ``@exempt`` (or ``@exempt()``) sends none of the configured headers;
    ``@exempt("X-Frame-Options")`` leaves out the named ones, so a header the view
    sets itself is kept as it is::

        @exempt("X-Frame-Options")
        def embeddable_widget(request): ...
    """
    if len(args) == 1 and not isinstance(args[0], str):
        return _decorator(Override(exempt_all=True))(args[0])
    return _exempt("exempt", args)


def override_headers(headers: Mapping[str, str | None]) -> Callable[[_V], _V]:
    """Set or replace headers by name for this view; ``None`` removes a header.

    The 1.0 name of ``override(headers=...)``::

        @override_headers({"X-Frame-Options": "DENY", "Cache-Control": "no-store"})
        def account(request): ...
    """
    if not isinstance(headers, Mapping):
        raise TypeError(
            see(
                f"override_headers() takes a mapping of header name -> value, got {headers!r}",
                "frameworks/django.md#per-view",
            )
        )
    return _decorator(Override(headers=headers))


def add_csp_sources(sources: Mapping[str, Sequence[str] | str]) -> Callable[[_V], _V]:
    """Add sources to Content-Security-Policy directives for this view.

    The 1.0 name of ``override(csp_sources=...)``. A directive missing from the policy
    starts from its CSP Level 3 fallback (``img-src`` from ``default-src``), so
    ``'self'`` is kept. ``secure.nonce.NONCE`` adds a nonce slot::

        @add_csp_sources({"script-src": ["https://js.stripe.com"]})
        def checkout(request): ...
    """
    return _decorator(Override(csp_sources=sources))


def replace_csp(policy: ContentSecurityPolicy | str) -> Callable[[_V], _V]:
    """Send this Content-Security-Policy for this view instead of the project's.

    The 1.0 name of ``override(csp=...)``::

        @replace_csp("default-src 'none'; img-src 'self'")
        def image_viewer(request): ...
    """
    if not isinstance(policy, (ContentSecurityPolicy, str)):
        raise TypeError(
            see(
                "replace_csp() takes a ContentSecurityPolicy or a policy string, "
                f"got {type(policy).__name__} {policy!r}",
                "frameworks/django.md#per-view",
            )
        )
    return _decorator(Override(csp=policy))


def exempt_headers(*names: str) -> Callable[[_V], _V]:
    """Leave the named headers off this view's responses; with no names, all of them.

    The 1.0 name of ``exempt(...)``::

        @exempt_headers("X-Frame-Options")
        def embeddable_widget(request): ...
    """
    return _exempt("exempt_headers", names)


def _exempt(function: str, names: Sequence[object]) -> Callable[[_V], _V]:
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                see(
                    f"{function}() takes header names, got {type(name).__name__} {name!r}",
                    "frameworks/django.md#per-view",
                )
            )
    checked = cast("tuple[str, ...]", tuple(names))
    return _decorator(Override(exempt=checked) if checked else Override(exempt_all=True))


def _decorator(change: Override) -> Callable[[_V], _V]:
    # Checked once, here: Django's method_decorator applies the decorator below to a
    # new bound method on every request.
    check_override(change)

    def decorate(view: _V) -> _V:
        return _marked(view, change)

    return decorate


def _combined(target: object, change: Override) -> Override:
    """``change`` on top of the decorators already on ``target`` (nearest first)."""
    below = getattr(target, MARK_ATTR, None)
    if not isinstance(below, Override):
        return change
    combined = below | change
    check_override(combined)
    return combined


def _marked(view: _V, change: Override) -> _V:
    if isinstance(view, type):
        return cast("_V", _subclass(view, change))
    if not callable(view):
        raise TypeError(
            see(
                "a secure_django decorator takes a view function, a class-based view or the "
                f"result of as_view(), got {type(view).__name__} {view!r}",
                "frameworks/django.md#per-view",
            )
        )
    combined = _combined(view, change)
    wrapper: Callable[..., Any]
    if iscoroutinefunction(view):

        async def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            return _tag(await view(request, *args, **kwargs), combined)

    else:

        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            return _tag(view(request, *args, **kwargs), combined)

    # The name, the docstring and what Django reads (view_class, csrf_exempt, the
    # coroutine marker of an async as_view()); then the combined override on top.
    functools.update_wrapper(wrapper, view)
    setattr(wrapper, MARK_ATTR, combined)
    return cast("_V", wrapper)


def _subclass(view: type[Any], change: Override) -> type[Any]:
    """A subclass of a class-based view whose ``dispatch`` marks the response."""
    if not callable(getattr(view, "dispatch", None)):
        raise TypeError(
            see(
                f"{view.__qualname__} has no dispatch() method; decorate a view function, "
                "a class-based view, or the result of as_view()",
                "frameworks/django.md#class-based-views",
            )
        )
    combined = _combined(view, change)
    namespace = {
        MARK_ATTR: combined,
        "__module__": view.__module__,
        "__qualname__": view.__qualname__,
        "__doc__": view.__doc__,
    }
    # type(view): the class's own metaclass builds the subclass.
    metaclass: Callable[..., type[Any]] = type(view)
    subclass = metaclass(view.__name__, (view,), namespace)

    def dispatch(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        return _tag(super(subclass, self).dispatch(request, *args, **kwargs), combined)

    # Its __dict__ too: as_view() copies what decorators such as csrf_exempt left there.
    functools.update_wrapper(dispatch, view.dispatch)
    # The class was made just above: setting its method changes nothing anyone else has.
    subclass.dispatch = dispatch
    return subclass


def _tag(response: Any, combined: Override) -> Any:
    """Put the override on the view's response. ``response`` may be a coroutine: a
    class-based view's ``dispatch`` returns its async handler's coroutine."""
    if iscoroutine(response):
        return _tag_later(response, combined)
    response.__dict__[RESPONSE_ATTR] = combined
    return response


async def _tag_later(pending: Awaitable[HttpResponseBase], combined: Override) -> HttpResponseBase:
    response = await pending
    response.__dict__[RESPONSE_ATTR] = combined
    return response
