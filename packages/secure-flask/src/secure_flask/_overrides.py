"""View- and blueprint-level decorators: ``override``, ``exempt`` and ``allow_http``.

Each decorator builds a :class:`secure.Override` (validated when it is created) and
returns a new, marked object: a wrapper around a view function, a subclass of a view
class. What it was given is never changed, so the same function or class can be
registered elsewhere unmarked. A blueprint cannot be wrapped without breaking its
registration, so blueprints are marked in a table here, keyed by the blueprint object.
The extension turns the marks into one compiled plan per endpoint with
``secure.Secure.snapshot(override)``; the header logic is the core's.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar, cast, overload

from flask import Blueprint
from flask.views import View

from secure import Override
from secure._docs import see

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from flask import Flask

    from secure.headers import ContentSecurityPolicy

__all__ = ["allow_http", "exempt", "override"]

_Target = TypeVar("_Target", bound="Callable[..., Any] | Blueprint")

# Set on the wrappers and subclasses made here (functools.wraps copies it on to the
# wrappers of other decorators); never on what a decorator was given.
_MARK_ATTR: Final = "__secure_flask_mark__"


class Mark(NamedTuple):
    """What the decorators on one view, class or blueprint ask for."""

    override: Override = Override()
    #: Not a header change: the view answers plain HTTP despite ``force_https``.
    allow_http: bool = False

    def __or__(self, other: object) -> Mark:
        if not isinstance(other, Mark):
            return NotImplemented
        return Mark(self.override | other.override, self.allow_http or other.allow_http)


_NO_MARK: Final = Mark()

# Blueprint -> its mark. Weak keys: a blueprint that is dropped takes its mark with it.
_blueprint_marks: weakref.WeakKeyDictionary[object, Mark] = weakref.WeakKeyDictionary()


# Function -> the wrappers made of it here. A decorator placed above ``@app.route``
# wraps a function the route already registered, unmarked: the extension looks for
# registered functions whose wrappers are registered nowhere, and says so.
_wrappers_of: weakref.WeakKeyDictionary[object, weakref.WeakSet[object]] = (
    weakref.WeakKeyDictionary()
)


def _marked(target: _Target, mark: Mark, decorator: str) -> _Target:
    if isinstance(target, Blueprint):
        _blueprint_marks[target] = _blueprint_marks.get(target, _NO_MARK) | mark
        return target
    if isinstance(target, type):
        if not issubclass(target, View):
            raise TypeError(
                see(
                    f"@{decorator} decorates a view function, a flask.views.View class or a "
                    f"Blueprint, got the class {target.__qualname__}",
                    "frameworks/flask.md#per-view-and-per-blueprint",
                )
            )
        # A subclass carries the mark; the class itself stays as it was.
        namespace = {
            _MARK_ATTR: getattr(target, _MARK_ATTR, _NO_MARK) | mark,
            "__module__": target.__module__,
            "__qualname__": target.__qualname__,
            "__doc__": target.__doc__,
        }
        return cast("_Target", type(target.__name__, (target,), namespace))
    if not callable(target):
        raise TypeError(
            see(
                f"@{decorator} decorates a view function, a flask.views.View class or a "
                f"Blueprint, got {type(target).__name__} {target!r}",
                "frameworks/flask.md#per-view-and-per-blueprint",
            )
        )
    view = target
    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(view):

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            return await view(*args, **kwargs)

    else:

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

    # Copies the name (Flask's default endpoint), the docstring, and the attributes
    # Flask reads (methods, view_class, ...); then the combined mark goes on top.
    functools.update_wrapper(wrapper, view)
    setattr(wrapper, _MARK_ATTR, getattr(view, _MARK_ATTR, _NO_MARK) | mark)
    # A builtin cannot be weakly referenced; there is nothing to look for then.
    with contextlib.suppress(TypeError):
        _wrappers_of.setdefault(view, weakref.WeakSet()).add(wrapper)
    return cast("_Target", wrapper)


def override(
    headers: Mapping[str, str | None] | None = None,
    *,
    csp: ContentSecurityPolicy | str | None = None,
    csp_sources: Mapping[str, Sequence[str] | str] | None = None,
) -> Callable[[_Target], _Target]:
    """Change the headers of one view, or of every view of a blueprint.

    ``headers`` sets or replaces headers by name (``None`` removes one), ``csp`` replaces
    the Content-Security-Policy, ``csp_sources`` adds sources to CSP directives::

        @app.get("/checkout")
        @override(csp_sources={"script-src": ["https://js.stripe.com"]})
        def checkout(): ...

    Place it below ``@app.route``. A bad name or value raises ``ValueError`` here; a
    rule that does not fit the app's configuration raises in ``init_app``.
    """
    if headers is None and csp is None and not csp_sources:
        raise TypeError(
            see(
                "@override needs headers=, csp= or csp_sources=",
                "frameworks/flask.md#per-view-and-per-blueprint",
            )
        )
    mark = Mark(Override(headers=headers, csp=csp, csp_sources=csp_sources))
    return lambda target: _marked(target, mark, "override")


@overload
def exempt(target: _Target, /) -> _Target: ...
@overload
def exempt(*headers: str) -> Callable[[_Target], _Target]: ...
def exempt(*args: Any) -> Any:
    """Leave headers off one view's responses, or a blueprint's; all of them by default.

    ``@exempt`` (or ``@exempt()``) sends none of the managed headers;
    ``@exempt("X-Frame-Options")`` leaves out the named ones, so a header the view
    sets itself is kept as it is::

        @app.get("/widget")
        @exempt("X-Frame-Options")
        def widget(): ...
    """
    if len(args) == 1 and not isinstance(args[0], str):
        return _marked(args[0], Mark(Override(exempt_all=True)), "exempt")
    for name in args:
        if not isinstance(name, str):
            raise TypeError(
                see(
                    f"@exempt takes header names, got {type(name).__name__} {name!r}",
                    "frameworks/flask.md#per-view-and-per-blueprint",
                )
            )
    mark = Mark(Override(exempt=args) if args else Override(exempt_all=True))
    return lambda target: _marked(target, mark, "exempt")


@overload
def allow_http(target: _Target, /) -> _Target: ...
@overload
def allow_http() -> Callable[[_Target], _Target]: ...
def allow_http(target: Any = None, /) -> Any:
    """Serve a view (or a blueprint) over plain HTTP even when ``force_https`` is on.

    For a load balancer's health check that cannot speak HTTPS::

        @app.get("/healthz")
        @allow_http
        def healthz(): ...

    The security headers are still sent.
    """
    mark = Mark(allow_http=True)
    if target is None:
        return lambda target: _marked(target, mark, "allow_http")
    return _marked(target, mark, "allow_http")


def mark_for(app: Flask, endpoint: str) -> Mark:
    """An endpoint's combined mark: outer blueprint's first, the view's own last."""
    mark = _NO_MARK
    # Nested blueprints are registered under dotted names: "outer.inner.view" belongs
    # to "outer.inner", which belongs to "outer" (as flask.Request.blueprints).
    names: list[str] = []
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:
        names.append(blueprint)
        blueprint = blueprint.rpartition(".")[0]
    for name in reversed(names):
        registered = app.blueprints.get(name)
        if registered is not None:
            mark |= _blueprint_marks.get(registered, _NO_MARK)
    view = app.view_functions.get(endpoint)
    mark |= getattr(getattr(view, "view_class", None), _MARK_ATTR, _NO_MARK)
    mark |= getattr(view, _MARK_ATTR, _NO_MARK)
    return mark


def _unwrapped(view: object) -> list[object]:
    """``view`` and what it wraps, through ``functools.wraps``'s ``__wrapped__``."""
    chain = [view]
    while (inner := getattr(chain[-1], "__wrapped__", None)) is not None and len(chain) < 100:
        chain.append(inner)
    return chain


def check_placement(app: Flask) -> None:
    """Refuse a view registered bare while only a marked wrapper of it exists.

    That is a decorator written above ``@app.route``: the route registered the function
    before the decorator wrapped it, so the view would silently go without its rule.
    """
    registered = {id(f) for view in app.view_functions.values() for f in _unwrapped(view)}
    for endpoint, view in app.view_functions.items():
        for function in _unwrapped(view):
            try:
                wrappers = _wrappers_of.get(function)
            except TypeError:
                continue
            if wrappers and not any(id(w) in registered for w in wrappers):
                name = getattr(function, "__qualname__", repr(function))
                raise ValueError(
                    see(
                        f"view {endpoint!r}: {name} is registered without the @override, "
                        "@exempt or @allow_http written on it, because the decorator is "
                        "above @app.route (the route registered the function first); put "
                        "them below the route decorator",
                        "frameworks/flask.md#blueprints-and-order",
                    )
                )
