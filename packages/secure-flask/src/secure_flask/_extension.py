"""The Flask extension: ``Secure(app)`` or ``Secure()`` + ``init_app(app)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, cast

from flask import current_app, g, has_request_context, redirect, request
from werkzeug.datastructures import Headers

from secure import Secure as SecureHeaders
from secure.nonce import generate_nonce, is_nonce
from secure_flask._overrides import derive_for, rules_for

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TypeAlias

    from flask import Flask
    from flask.typing import ResponseReturnValue
    from werkzeug.wrappers import Response

    from secure import Preset
    from secure._snapshot import HeaderSnapshot

    _HeadersConfig: TypeAlias = SecureHeaders | Preset | str | Mapping[str, object] | None

__all__ = ["Secure", "csp_nonce"]

#: The per-request nonce lives in the WSGI environ, under the key the core's
#: ``SecureWSGIMiddleware`` uses: strictly per request, whatever the app context.
NONCE_ENVIRON_KEY: Final = "secure.csp_nonce"

# Constructor keyword -> app.config key.
_CONFIG_KEYS: Final = {
    "secure": "SECURE_HEADERS",
    "force_https": "SECURE_FORCE_HTTPS",
    "force_https_permanent": "SECURE_FORCE_HTTPS_PERMANENT",
    "harden_session_cookie": "SECURE_HARDEN_SESSION_COOKIE",
}


def _headers_from(value: object, where: str) -> SecureHeaders:
    try:
        return SecureHeaders.coerce(cast("_HeadersConfig", value))
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}: {exc}") from exc


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be True or False, got {type(value).__name__} {value!r}")
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
    ) -> None:
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
        }
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Read ``app``'s configuration and apply the headers to all its responses.

        Calling it again for the same app re-reads the configuration; registering a
        second ``Secure`` object on the same app raises ``RuntimeError``.
        """
        options = dict(self._defaults)
        for option, key in _CONFIG_KEYS.items():
            if key in app.config:
                options[option] = app.config[key]
        where = "app.config[{!r}]".format
        headers = _headers_from(options["secure"], where("SECURE_HEADERS"))
        force_https = _flag(options["force_https"], where("SECURE_FORCE_HTTPS"))
        permanent = _flag(options["force_https_permanent"], where("SECURE_FORCE_HTTPS_PERMANENT"))
        harden = _flag(options["harden_session_cookie"], where("SECURE_HARDEN_SESSION_COOKIE"))

        state = app.extensions.get("secure")
        if state is None:
            state = _AppState(self, app, headers)
            app.extensions["secure"] = state
            app.after_request(state.after_request)
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
        "_endpoints",
        "_http_ok",
        "extension",
        "force_https",
        "redirect_code",
        "redirect_registered",
        "secure",
    )

    def __init__(self, extension: Secure, app: Flask, headers: SecureHeaders) -> None:
        self.extension: Final = extension
        self.force_https = False
        self.redirect_code = 307
        self.redirect_registered = False
        self.configure(app, headers)

    def configure(self, app: Flask, headers: SecureHeaders) -> None:
        # Compile the views registered so far: a decorator that does not fit this
        # app's headers fails here, and leaves the previous configuration in place.
        endpoints, http_ok = _compile(app, headers, headers.snapshot())
        self.secure = headers
        self._endpoints = endpoints
        self._http_ok = http_ok

    def snapshot_for(self, endpoint: str | None) -> HeaderSnapshot:
        snapshot = self._endpoints.get(endpoint)
        if snapshot is None:
            # A view registered after init_app (Flask allows none after the first
            # request): compile the table again, once, and swap it in whole, so a
            # concurrent request sees the old table or the new one.
            endpoints, self._http_ok = _compile(current_app, self.secure, self._endpoints[None])
            snapshot = endpoints.setdefault(endpoint, endpoints[None])
            self._endpoints = endpoints
        return snapshot

    # -- per request: keep these short --------------------------------------------------

    def after_request(self, response: Response) -> Response:
        req = request._get_current_object()  # type: ignore[attr-defined]
        snapshot = self._endpoints.get(req.endpoint)
        if snapshot is None:
            snapshot = self.snapshot_for(req.endpoint)
        if snapshot.needs_nonce:
            environ = req.environ
            nonce = environ.get(NONCE_ENVIRON_KEY)
            if nonce is None:
                nonce = environ[NONCE_ENVIRON_KEY] = generate_nonce()
            else:
                _check_nonce(nonce)
            items = snapshot.str_items(nonce)
        else:
            items = snapshot.str_items()
        _apply(response.headers, items, snapshot.names)
        return response

    def redirect_to_https(self) -> ResponseReturnValue | None:
        if not self.force_https or request.is_secure:
            return None
        self.snapshot_for(request.endpoint)  # compiles a view added after init_app
        if request.endpoint in self._http_ok:
            return None
        # 307/308 keep the method and body (RFC 9110 §15.4.8, §15.4.9); 301/302 let
        # clients turn a POST into a GET.
        return redirect(request.url.replace("http://", "https://", 1), self.redirect_code)


def _compile(
    app: Flask, headers: SecureHeaders, base: HeaderSnapshot
) -> tuple[dict[str | None, HeaderSnapshot], frozenset[str]]:
    """One snapshot per endpoint (``None``: no endpoint, e.g. a 404), and the
    endpoints marked ``@allow_http``."""
    endpoints: dict[str | None, HeaderSnapshot] = {None: base}
    http_ok: set[str] = set()
    for endpoint in app.view_functions:
        rules = rules_for(app, endpoint)
        if any(rule.allow_http for rule in rules):
            http_ok.add(endpoint)
        rules = [rule for rule in rules if not rule.allow_http]
        if not rules:
            endpoints[endpoint] = base
            continue
        try:
            endpoints[endpoint] = derive_for(headers, rules).snapshot()
        except ValueError as exc:
            raise ValueError(f"view {endpoint!r}: {exc}") from exc
    return endpoints, frozenset(http_ok)


def _apply(headers: Headers, items: list[tuple[str, str]], names: frozenset[str]) -> None:
    """Set our headers: each managed name ends up exactly once, with our value."""
    if type(headers) is Headers and _FAST_HEADERS:
        # Werkzeug's add() checks every value for newlines on each call; ours were
        # validated once, when the configuration was built (RFC 9110 §5.5), so append
        # to the header list directly: one list operation instead of eight checks.
        pairs = headers._list
        for name, _ in pairs:
            if name.lower() in names:
                pairs[:] = [pair for pair in pairs if pair[0].lower() not in names]
                break
        pairs.extend(items)
        return
    for name in {name for name, _ in headers if name.lower() in names}:
        del headers[name]
    headers.extend(items)


# The fast path relies on Werkzeug keeping its (name, value) list in ``_list``, as it
# has since its first release; if that ever changes, the public API is used instead.
_FAST_HEADERS: Final = isinstance(getattr(Headers(), "_list", None), list)


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

    Generated on first use and then also at ``g.csp_nonce``. Returns ``""`` when the
    policy for this view has no nonce slot (or outside a request), so a shared base
    template can always call it.
    """
    if not has_request_context():
        return ""
    environ = request.environ
    nonce: str | None = environ.get(NONCE_ENVIRON_KEY)
    if nonce is None:
        if not _state(current_app).snapshot_for(request.endpoint).needs_nonce:
            return ""
        nonce = environ[NONCE_ENVIRON_KEY] = generate_nonce()
    else:
        _check_nonce(nonce)
    g.csp_nonce = nonce
    return nonce


def _check_nonce(value: object) -> None:
    # The value goes into the CSP header: anything another layer stored under our
    # environ key must be a CSP base64-value (CSP Level 3 §2.3.1), never a ";".
    if not is_nonce(value):
        raise ValueError(
            f"Content-Security-Policy: request.environ[{NONCE_ENVIRON_KEY!r}] holds "
            f"{value!r}, which is not a nonce; read it with csp_nonce(), never assign it"
        )
