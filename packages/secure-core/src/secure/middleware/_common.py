"""What the ASGI and WSGI middleware share: the ``secure=`` argument and the request nonce.

The compiled plan (which headers, which application fields they replace, the merge)
lives in :class:`~secure.HeaderSnapshot`; this module only picks and guards the
request's nonce, in the places framework code reads it from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypeAlias, TypeVar, Union

from secure._docs import OVERRIDES, see
from secure._paths import PathPrefixes, path_prefixes
from secure._snapshot import _COMMON_NAMES, HeaderSnapshot
from secure.nonce import generate_nonce, is_nonce

if TYPE_CHECKING:
    from secure._override import Override
    from secure._presets import Preset
    from secure._secure import Secure

__all__ = [
    "NONCE_ENVIRON_KEY",
    "NONCE_SCOPE_KEY",
    "NONCE_STATE_KEY",
    "SecureArg",
    "Select",
    "environ_nonce",
    "resolve_snapshot",
    "scope_nonce",
]

#: What the ``secure=`` argument accepts: a ``Secure``, a snapshot taken from one, or
#: anything ``Secure.coerce`` reads (a preset, a preset name, a configuration mapping);
#: ``None`` means ``Secure.with_default_headers()``.
SecureArg: TypeAlias = Union["Secure", HeaderSnapshot, "Preset", str, Mapping[str, object], None]

#: The WSGI environ key that holds the request's nonce.
NONCE_ENVIRON_KEY: Final = "secure.csp_nonce"
#: The ASGI scope key that holds the request's nonce, so that stacked middleware (and a
#: framework package's hook) agree on one nonce per request.
NONCE_SCOPE_KEY: Final = "secure.csp_nonce"
#: The key in ``scope["state"]`` (Starlette's ``request.state.csp_nonce``).
NONCE_STATE_KEY: Final = "csp_nonce"

# 1.0 names, kept for code that imported them.
NONCE_KEY: Final = NONCE_ENVIRON_KEY
STATE_KEY: Final = NONCE_STATE_KEY


def resolve_snapshot(secure: SecureArg) -> HeaderSnapshot:
    """The immutable snapshot a middleware keeps for its whole life."""
    if isinstance(secure, HeaderSnapshot):
        return secure
    from secure._secure import Secure

    return Secure.coerce(secure).snapshot()


App = TypeVar("App")

#: Picks the override for one request, given its ASGI scope or WSGI environ as the
#: response starts (after routing): ``None`` keeps the configuration as it is.
Select: TypeAlias = Callable[[Any], "Override | None"]

# Distinct overrides one middleware compiles; the oldest is compiled again past this.
_PLAN_CACHE_SIZE: Final = 256


class Middleware(Generic[App]):
    """What both middlewares keep: the wrapped application and the compiled plan.

    The plan is fixed here, at construction: changing ``secure`` afterwards does not
    change the middleware. ``select`` lets a framework pick a per-route
    :class:`~secure.Override` for each response; each distinct override is compiled once.
    Requests under an ``exclude`` prefix (:class:`PathPrefixes`) skip the middleware.
    """

    __slots__ = (
        "_exclude",
        "_plain",
        "_plans",
        "_secure",
        "_select",
        "app",
        "multi_ok",
        "snapshot",
    )

    def __init__(
        self,
        app: App,
        *,
        secure: SecureArg = None,
        multi_ok: Iterable[str] | None = None,
        select: Select | None = None,
        exclude: Iterable[str] | PathPrefixes | None = None,
    ) -> None:
        self.app = app
        self._exclude = path_prefixes(exclude, "exclude")
        self.multi_ok = multi_ok
        self._select = select
        if isinstance(secure, HeaderSnapshot):
            if select is not None:
                raise TypeError(
                    see(
                        "select= needs the Secure configuration to compile overrides from, "
                        "not a HeaderSnapshot; pass secure=<the Secure>",
                        OVERRIDES,
                    )
                )
            self._secure: Secure | None = None
            plan = secure
        else:
            from secure._secure import Secure

            # A frozen copy: builders changed after this (Secure.headers_list) reach neither
            # the default plan nor the per-route plans compiled later from it.
            self._secure = Secure.coerce(secure).copy()
            plan = self._secure.snapshot()
        #: The compiled plan this middleware applies (``multi_ok`` names are appended).
        self.snapshot = plan if multi_ok is None else plan.with_multi_ok(multi_ok)
        self._plans: dict[Override, HeaderSnapshot] = {}
        # The common case, checked once here instead of on every request: one plan
        # without a nonce slot.
        self._plain = select is None and not self.snapshot.needs_nonce

    @property
    def exclude(self) -> PathPrefixes | None:
        """The path prefixes left to the application alone (``None`` for none); fixed."""
        return self._exclude

    @property
    def select(self) -> Select | None:
        """The per-response plan picker given at construction, or ``None``; fixed."""
        return self._select

    def plan_for(self, where: Any) -> HeaderSnapshot:
        """The plan for one request: its route's override (``select``), or the default."""
        override = self._select(where) if self._select is not None else None
        return self.snapshot if override is None else self._compiled(override)

    def _compiled(self, override: Override) -> HeaderSnapshot:
        """The plan for one override, compiled once (``multi_ok`` names appended)."""
        plan = self._plans.get(override)
        if plan is None:
            assert self._secure is not None  # guaranteed by __init__ when select is set
            plan = self._secure.snapshot(override)
            if self.multi_ok is not None:
                plan = plan.with_multi_ok(self.multi_ok)
            if len(self._plans) >= _PLAN_CACHE_SIZE:
                del self._plans[next(iter(self._plans))]
            self._plans[override] = plan
        return plan


def _inherited(value: object, where: str) -> str:
    """A nonce an outer layer stored for this request, checked before it reaches a header."""
    if is_nonce(value):
        return value  # type: ignore[return-value]
    raise ValueError(
        f"Content-Security-Policy: {where} holds {value!r}, which is not a nonce "
        "(a base64 value, CSP Level 3 §2.3.1); only the Secure middleware should set it"
    )


def scope_nonce(scope: MutableMapping[str, Any]) -> str:
    """The request's nonce for an ASGI scope: the one already chosen, or a fresh one.

    It is stored under :data:`NONCE_SCOPE_KEY` and in ``scope["state"]`` so that every
    layer of the request, and the page, read the same value.
    """
    nonce = scope.get(NONCE_SCOPE_KEY)
    if nonce is None:
        nonce = scope[NONCE_SCOPE_KEY] = generate_nonce()
    else:  # an outer layer chose it: share it so both headers agree
        nonce = _inherited(nonce, f"scope[{NONCE_SCOPE_KEY!r}]")
    # Starlette's request.state reads this dict (ASGI lifespan "state" extension).
    state = scope.get("state")
    if state is None:
        state = scope["state"] = {}
    state[NONCE_STATE_KEY] = nonce
    return nonce


def environ_nonce(environ: MutableMapping[str, Any]) -> str:
    """The request's nonce for a WSGI environ: the one already chosen, or a fresh one."""
    nonce = environ.get(NONCE_ENVIRON_KEY)
    if nonce is None:
        nonce = environ[NONCE_ENVIRON_KEY] = generate_nonce()
        return nonce
    return _inherited(nonce, f"environ[{NONCE_ENVIRON_KEY!r}]")


def nonce_replaced(where: str, expected: str, found: object) -> RuntimeError:
    """The error for a nonce that was overwritten before the response headers went out."""
    return RuntimeError(
        f"Content-Security-Policy: {where} was changed from {expected!r} to {found!r} "
        "after the middleware generated it; the page and the header would carry different "
        "nonces and the browser would block the page's scripts. Read the nonce, never "
        "assign it."
    )


def kept_names(drop: frozenset[str]) -> frozenset[str]:
    """Common application header names, in both spellings, that are not in ``drop``."""
    return frozenset(
        spelling
        for name in _COMMON_NAMES
        if name.lower() not in drop
        for spelling in (name, name.lower())
    )
