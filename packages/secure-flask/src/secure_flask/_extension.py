"""The Flask extension: ``Secure(app)`` or ``Secure()`` + ``init_app(app)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, NoReturn, cast
from urllib.parse import urlsplit, urlunsplit

from flask import Request, abort, current_app, g, has_request_context, redirect, request
from werkzeug.sansio.utils import host_is_trusted

from secure import Secure as SecureHeaders
from secure import _convert
from secure._docs import see
from secure._suggest import suggest
from secure.middleware import PathPrefixes, environ_nonce
from secure_flask._overrides import check_placement, mark_for

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import TypeAlias

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask
    from flask.typing import ResponseReturnValue

    from secure import HeaderSnapshot, Preset

    _HeadersConfig: TypeAlias = SecureHeaders | Preset | str | Mapping[str, object] | None

__all__ = ["Secure", "csp_nonce"]

#: Where Werkzeug puts the request object made from an environ.
_REQUEST_KEY: Final = "werkzeug.request"
_CSP_NAMES: Final = frozenset({"content-security-policy", "content-security-policy-report-only"})

# Constructor keyword -> app.config key.
_CONFIG_KEYS: Final = {
    "secure": "SECURE_HEADERS",
    "force_https": "SECURE_FORCE_HTTPS",
    "force_https_permanent": "SECURE_FORCE_HTTPS_PERMANENT",
    "harden_session_cookie": "SECURE_HARDEN_SESSION_COOKIE",
    "exclude": "SECURE_HEADERS_EXCLUDE",
}


def _refuse_misspelt_settings(app: Flask) -> None:
    """A ``SECURE_*`` key one typo away from ours would be ignored: refuse it instead."""
    ours = set(_CONFIG_KEYS.values())
    for key in app.config:
        if not isinstance(key, str) or not key.startswith("SECURE_") or key in ours:
            continue
        hint = suggest(key, sorted(ours), cutoff=0.85)
        if hint:
            raise ValueError(
                see(
                    f"app.config[{key!r}] is not a secure-flask setting and would be ignored{hint}",
                    "frameworks/flask.md#options",
                )
            )


def _refuse_unknown_options(options: Mapping[str, object]) -> NoReturn:
    """A keyword ``Secure()`` does not take; flask-talisman's get their equivalent."""
    first = next(iter(options))
    if _convert.detect(options) == "talisman":
        # The configuration loader knows flask-talisman's keywords and shows our format.
        try:
            SecureHeaders.from_config(options)
        except ValueError as exc:
            raise TypeError(
                f"Secure({first}=...) is a flask-talisman keyword; pass the configuration as "
                f"Secure(app, secure=...): {exc}"
            ) from None
    raise TypeError(
        see(
            f"Secure() got an unexpected keyword argument {first!r}"
            f"{suggest(first, list(_CONFIG_KEYS))}",
            "frameworks/flask.md#options",
        )
    )


def _headers_from(value: object, where: str) -> SecureHeaders:
    try:
        return SecureHeaders.coerce(cast("_HeadersConfig", value))
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}: {exc}") from exc


def _exclude(value: object, where: str) -> PathPrefixes | None:
    if value is None:
        return None
    return PathPrefixes(cast("Iterable[str]", value), where=where) or None


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(
            see(
                f"{where} must be True or False, got {type(value).__name__} {value!r}",
                "frameworks/flask.md#options",
            )
        )
    return value


class Secure:
    """Security headers for a Flask app.

    ::

        from flask import Flask
        from secure_flask import Secure

        app = Flask(__name__)
        Secure(app)                      # the BALANCED preset on every response

    With an application factory, create it once and call :meth:`init_app` per app.
    Each app's ``app.config`` wins over the options given here, which are the defaults
    for every app this object initialises:

    * ``secure`` / ``SECURE_HEADERS``: a ``secure.Secure``, a ``Preset`` or preset
      name, or a configuration mapping in the shared format (default: BALANCED).
    * ``force_https`` / ``SECURE_FORCE_HTTPS``: redirect plain-HTTP requests to
      HTTPS (307; 308 with ``force_https_permanent`` / ``SECURE_FORCE_HTTPS_PERMANENT``),
      except views marked ``@allow_http``.
    * ``harden_session_cookie`` / ``SECURE_HARDEN_SESSION_COOKIE``: mark Flask's
      session cookie ``Secure``, ``HttpOnly`` and ``SameSite=Lax``.
    * ``exclude`` / ``SECURE_HEADERS_EXCLUDE``: URL path prefixes (``["/admin/"]``)
      whose responses get none of the headers (see ``secure.middleware.PathPrefixes``).

    A bad value raises ``ValueError`` (``TypeError`` for a wrong type) naming the
    option or config key.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        secure: _HeadersConfig = None,
        force_https: bool = False,
        force_https_permanent: bool = False,
        harden_session_cookie: bool = False,
        exclude: Iterable[str] | None = None,
        **unknown: NoReturn,
    ) -> None:
        if unknown:
            _refuse_unknown_options(unknown)
        # Checked now so a mistake fails where it was written.
        self._defaults: dict[str, object] = {
            "secure": _headers_from(secure, "Secure(secure=...)"),
            "force_https": _flag(force_https, "Secure(force_https=...)"),
            "force_https_permanent": _flag(
                force_https_permanent, "Secure(force_https_permanent=...)"
            ),
            "harden_session_cookie": _flag(
                harden_session_cookie, "Secure(harden_session_cookie=...)"
            ),
            "exclude": _exclude(exclude, "Secure(exclude=...)"),
        }
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Read ``app``'s configuration and apply the headers to all its responses.

        Calling it again for the same app re-reads the configuration; registering a
        second ``Secure`` object on the same app raises ``RuntimeError``.
        """
        _refuse_misspelt_settings(app)
        options = dict(self._defaults)
        for option, key in _CONFIG_KEYS.items():
            if key in app.config:
                options[option] = app.config[key]
        where = "app.config[{!r}]".format
        headers = _headers_from(options["secure"], where("SECURE_HEADERS"))
        force_https = _flag(options["force_https"], where("SECURE_FORCE_HTTPS"))
        permanent = _flag(options["force_https_permanent"], where("SECURE_FORCE_HTTPS_PERMANENT"))
        harden = _flag(options["harden_session_cookie"], where("SECURE_HARDEN_SESSION_COOKIE"))
        exclude = _exclude(options["exclude"], where("SECURE_HEADERS_EXCLUDE"))

        state = app.extensions.get("secure")
        if state is None:
            state = _AppState(self, app, headers)
            app.extensions["secure"] = state
            # The Flask extension guide's way to add WSGI middleware; the wrapper
            # reads the app's plans from ``state``, so init_app again swaps them.
            app.wsgi_app = _HeadersMiddleware(app.wsgi_app, state)  # type: ignore[method-assign]
            app.add_template_global(csp_nonce, "csp_nonce")
        elif isinstance(state, _AppState) and state.extension is self:
            state.configure(app, headers)  # init_app again: re-read, register nothing twice
        else:
            raise RuntimeError(
                "this Flask app already has a secure_flask.Secure; "
                "import and use that one instead of creating another"
            )
        if force_https and not state.redirect_registered:
            app.before_request(state.redirect_to_https)
            state.redirect_registered = True
        state.exclude = exclude
        state.force_https = force_https
        state.redirect_code = 308 if permanent else 307
        if harden:
            # Flask's own settings (flask.sessions.SecureCookieSessionInterface).
            app.config["SESSION_COOKIE_SECURE"] = True
            app.config["SESSION_COOKIE_HTTPONLY"] = True
            if app.config.get("SESSION_COOKIE_SAMESITE") != "Strict":
                app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    @staticmethod
    def headers_for(app: Flask) -> SecureHeaders:
        """The ``secure.Secure`` an app's responses get (before view overrides)."""
        return _state(app).secure


class _AppState:
    """What ``init_app`` builds for one app; kept in ``app.extensions["secure"]``."""

    __slots__ = (
        "exclude",
        "extension",
        "force_https",
        "http_ok",
        "plans",
        "redirect_code",
        "redirect_registered",
        "secure",
    )

    def __init__(self, extension: Secure, app: Flask, headers: SecureHeaders) -> None:
        self.extension: Final = extension
        self.exclude: PathPrefixes | None = None
        self.force_https = False
        self.redirect_code = 307
        self.redirect_registered = False
        self.configure(app, headers)

    def configure(self, app: Flask, headers: SecureHeaders) -> None:
        # Compile the views registered so far: a decorator that does not fit this
        # app's headers fails here, and leaves the previous configuration in place.
        plans, http_ok = _compile(app, headers)
        self.secure = headers
        self.plans = plans
        self.http_ok = http_ok

    def plan_for(self, endpoint: str | None) -> HeaderSnapshot:
        """The compiled plan of an endpoint (``None``: no endpoint, e.g. a 404)."""
        plan = self.plans.get(endpoint)
        if plan is None:
            # A view registered after init_app (Flask allows none after the first
            # request): compile the table again, once, and swap it in whole, so a
            # concurrent request sees the old table or the new one.
            plans, self.http_ok = _compile(current_app, self.secure)
            plan = plans.setdefault(endpoint, plans[None])
            self.plans = plans
        return plan

    def redirect_to_https(self) -> ResponseReturnValue | None:
        if not self.force_https or request.is_secure:
            return None
        self.plan_for(request.endpoint)  # compiles a view added after init_app
        if request.endpoint in self.http_ok:
            return None
        host = _trusted_host()
        if host is None:
            # The Host header is the client's to choose: redirecting to it would send
            # users wherever an attacker's link or a poisoned cache says (OWASP, "Host
            # header injection"). Only a host the app names is a redirect target.
            abort(
                400,
                "force_https redirects only to a trusted host: set SERVER_NAME, or "
                "TRUSTED_HOSTS to the host names this app answers to",
            )
        target = urlsplit(request.url)._replace(scheme="https", netloc=host)
        # 307/308 keep the method and body (RFC 9110 §15.4.8, §15.4.9); 301/302 let
        # clients turn a POST into a GET.
        return redirect(urlunsplit(target), self.redirect_code)


def _trusted_host() -> str | None:
    """The host an HTTPS redirect may go to: SERVER_NAME, or the request's host when
    TRUSTED_HOSTS lists it; ``None`` when the app names neither."""
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        return str(server_name)
    trusted = current_app.config.get("TRUSTED_HOSTS")
    if trusted:
        # Flask 3.1+ checks request.host against TRUSTED_HOSTS itself; older Flask
        # does not, so check here either way (Werkzeug's own matching rules).
        host = request.host
        return host if host_is_trusted(host, list(trusted)) else None
    return None


class _HeadersMiddleware:
    """Wraps ``app.wsgi_app``: merges the view's plan into the response as it starts.

    The merge is the core's (``HeaderSnapshot.merge_wsgi``, as in
    ``SecureWSGIMiddleware``): managed headers replace the app's, the app's own CSP
    and CSP-Report-Only are kept beside ours. Working at the WSGI layer spares
    Werkzeug's per-header checks of values that were validated once, in ``init_app``.
    """

    __slots__ = ("state", "wsgi_app")

    def __init__(self, wsgi_app: WSGIApplication, state: _AppState) -> None:
        self.wsgi_app = wsgi_app
        self.state = state

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        state = self.state
        if state.exclude is not None and state.exclude.matches_environ(environ):
            return self.wsgi_app(environ, start_response)

        def start_with_headers(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
        ) -> Callable[[bytes], object]:
            req = _flask_request(environ)
            if req is None:
                plan, request_environ = state.plans[None], environ
            else:
                endpoint = req.endpoint
                plan = state.plans.get(endpoint) or state.plan_for(endpoint)
                request_environ = req.environ
            nonce = environ_nonce(request_environ) if plan.needs_nonce else None
            merged = plan.merge_wsgi(headers, nonce)
            if exc_info is None:
                return start_response(status, merged)
            return start_response(status, merged, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def _flask_request(environ: WSGIEnvironment) -> Request | None:
    """The Flask request being answered: it says which view answered."""
    # Werkzeug keeps the request in the environ it was made from (the default
    # ``Request(populate_request=True)``): a dict lookup, where the ``flask.request``
    # proxy costs several microseconds. A middleware inside ours may have handed Flask
    # a copy of the environ; then the request context has it (Flask starts the
    # response inside it).
    req = environ.get(_REQUEST_KEY)
    if isinstance(req, Request):
        return req
    if has_request_context():
        return request._get_current_object()  # type: ignore[attr-defined,no-any-return]
    return None


def _compile(
    app: Flask, headers: SecureHeaders
) -> tuple[dict[str | None, HeaderSnapshot], frozenset[str]]:
    """One plan per endpoint (``None``: no endpoint, e.g. a 404), and the endpoints
    marked ``@allow_http``."""
    check_placement(app)
    base = headers.snapshot()
    plans: dict[str | None, HeaderSnapshot] = {None: base}
    http_ok: set[str] = set()
    for endpoint in app.view_functions:
        mark = mark_for(app, endpoint)
        if mark.allow_http:
            http_ok.add(endpoint)
        if mark.override.is_empty:
            plans[endpoint] = base
            continue
        try:
            plans[endpoint] = headers.snapshot(mark.override)
        except ValueError as exc:
            raise ValueError(f"view {endpoint!r}: {exc}") from exc
    return plans, frozenset(http_ok)


def _state(app: Flask) -> _AppState:
    state = app.extensions.get("secure")
    if not isinstance(state, _AppState):
        raise RuntimeError(
            f"secure_flask.Secure is not initialised on app {app.name!r}; "
            "call Secure(app) or secure.init_app(app) first"
        )
    return state


def csp_nonce() -> str:
    """This request's CSP nonce, the value in its Content-Security-Policy header.

    Available in templates as ``{{ csp_nonce() }}``::

        <script nonce="{{ csp_nonce() }}">...</script>

    Made on first use and then also at ``g.csp_nonce``. On a view whose policy has no
    nonce slot it raises ``RuntimeError``: the nonce would be in no header and the
    browser would block the element. Where no policy is sent (a view exempt from the
    CSP, a path under ``exclude``, or outside a request) nothing is blocked and it
    returns ``""``.
    """
    if not has_request_context():
        return ""
    state = _state(current_app)
    if state.exclude is not None and state.exclude.matches_environ(request.environ):
        return ""  # an excluded path: no policy is sent
    endpoint = request.endpoint
    plan = state.plan_for(endpoint)
    if not plan.needs_nonce:
        if not plan.names & _CSP_NAMES:
            return ""
        where = "this response" if endpoint is None else f"view {endpoint!r}"
        raise RuntimeError(
            f"Content-Security-Policy: {where} has no nonce slot, so csp_nonce() has no "
            "nonce to give and the browser would block the element. Add one with "
            '"nonce": true in SECURE_HEADERS, or for this view with '
            '@override(csp_sources={"script-src": [NONCE]}) (secure.nonce.NONCE)'
        )
    nonce = environ_nonce(request.environ)
    g.csp_nonce = nonce
    return nonce
