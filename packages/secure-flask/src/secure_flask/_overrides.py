"""View- and blueprint-level decorators: ``override``, ``exempt`` and ``allow_http``.

A decorator only records a rule on the view function (or blueprint) and returns it
unchanged, so it costs nothing per request and works above or below ``@app.route``.
The extension turns the rules into one compiled snapshot per endpoint, once, with
``secure.Secure.derive``; the header logic stays in the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from secure import Secure as SecureHeaders
from secure.headers import ContentSecurityPolicy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from flask import Blueprint, Flask

__all__ = ["allow_http", "exempt", "override"]

_Target = TypeVar("_Target", bound="Callable[..., Any] | Blueprint")

# Stored on the view function (functools.wraps copies it to wrappers) or the blueprint.
_RULES_ATTR: Final = "__secure_flask_rules__"


@dataclass(frozen=True)
class _Rule:
    """One decorator's change, applied to the app's headers with ``Secure.derive``."""

    headers: Mapping[str, str | None] | None = None
    csp: ContentSecurityPolicy | str | None = None
    csp_sources: Mapping[str, Sequence[str]] | None = None
    exempt: tuple[str, ...] = ()
    exempt_all: bool = False
    #: Not a header change: the view answers plain HTTP despite ``force_https``.
    allow_http: bool = False

    def apply(self, headers: SecureHeaders) -> SecureHeaders:
        if self.allow_http:
            return headers
        if self.exempt_all:
            return headers.derive(exempt=headers.snapshot().names)
        return headers.derive(
            headers=self.headers,
            csp=self.csp,
            csp_sources=self.csp_sources,
            exempt=self.exempt,
        )


def _attach(target: _Target, rule: _Rule, decorator: str) -> _Target:
    # Fail at decoration time, not at the first request: apply the rule to the
    # BALANCED preset, which validates every header name, value and CSP source.
    rule.apply(SecureHeaders.with_default_headers())
    rules: tuple[_Rule, ...] = getattr(target, _RULES_ATTR, ())
    try:
        setattr(target, _RULES_ATTR, (*rules, rule))
    except (AttributeError, TypeError):
        raise TypeError(
            f"@{decorator} decorates a view function, a View class or a Blueprint; "
            f"{target!r} does not accept attributes"
        ) from None
    return target


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

    Validated when the decorator runs: a bad name or value raises ``ValueError``.
    """
    if headers is None and csp is None and not csp_sources:
        raise TypeError("@override needs headers=, csp= or csp_sources=")
    rule = _Rule(
        headers=dict(headers) if headers is not None else None,
        # A builder is mutable: keep our own copy of what was configured.
        csp=csp.copy() if isinstance(csp, ContentSecurityPolicy) else csp,
        csp_sources=(
            {d: (s,) if isinstance(s, str) else tuple(s) for d, s in csp_sources.items()}
            if csp_sources
            else None
        ),
    )
    return lambda target: _attach(target, rule, "override")


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
        return _attach(args[0], _Rule(exempt_all=True), "exempt")
    for name in args:
        if not isinstance(name, str):
            raise TypeError(f"@exempt takes header names, got {type(name).__name__} {name!r}")
    rule = _Rule(exempt=tuple(args)) if args else _Rule(exempt_all=True)
    return lambda target: _attach(target, rule, "exempt")


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
    rule = _Rule(allow_http=True)
    if target is None:
        return lambda target: _attach(target, rule, "allow_http")
    return _attach(target, rule, "allow_http")


def rules_for(app: Flask, endpoint: str) -> list[_Rule]:
    """The rules for an endpoint: outer blueprint's first, the view's own last."""
    rules: list[_Rule] = []
    # Nested blueprints are registered under dotted names: "outer.inner.view" belongs
    # to "outer.inner", which belongs to "outer" (as flask.Request.blueprints).
    names: list[str] = []
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:
        names.append(blueprint)
        blueprint = blueprint.rpartition(".")[0]
    for name in reversed(names):
        rules.extend(getattr(app.blueprints.get(name), _RULES_ATTR, ()))
    view = app.view_functions.get(endpoint)
    rules.extend(getattr(getattr(view, "view_class", None), _RULES_ATTR, ()))
    rules.extend(getattr(view, _RULES_ATTR, ()))
    return rules


def derive_for(base: SecureHeaders, rules: Iterable[_Rule]) -> SecureHeaders:
    for rule in rules:
        base = rule.apply(base)
    return base
