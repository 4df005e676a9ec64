"""The benchmark levels: each builds its variants around one minimal application.

A level's ``build()`` imports its framework itself, so the orchestrator can run every
level in a fresh process and a level whose framework (or package) is missing is
reported, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from timing import (
    BALANCED,
    NONCE_CONFIG,
    CarefulASGIMiddleware,
    CarefulWSGIMiddleware,
    FloorASGIMiddleware,
    FloorWSGIMiddleware,
    Headers,
    Level,
    Receive,
    Scope,
    Send,
    StartResponse,
    Target,
    Variant,
    expect_exact,
    expect_names,
    expect_none,
)

_BODY = b"ok"


async def plain_asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The smallest HTTP application: 200, two headers, a two-byte body."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"2"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _BODY})


def plain_wsgi_app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """The smallest WSGI application: 200, two headers, a two-byte body."""
    start_response(
        "200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")]
    )
    return [_BODY]


def _nonce_expected() -> Headers:
    import secure

    return secure.Secure.from_config(NONCE_CONFIG).header_items(nonce="X")


def _ours(app: Any, nonce: bool, *, lower: bool, key: str = "secure", label: str) -> Variant:
    return Variant(
        key + ("-nonce" if nonce else ""),
        label + (" + nonce" if nonce else ""),
        "ours",
        app,
        expect_exact(_nonce_expected(), nonce=True, lower=lower)
        if nonce
        else expect_exact(lower=lower),
        nonce=nonce,
    )


def _floor_targets(ours: Iterable[str] = ("secure",)) -> list[Target]:
    targets = []
    for key in ours:
        targets.append(Target(key, "B", 1.25, "static headers: overhead ≤ 1.25x B's"))
        targets.append(Target(f"{key}-nonce", "B", 2.5, "per-request nonce: overhead ≤ 2.5x B's"))
    return targets


def _careful(cls: Any, app: Any, *, lower: bool) -> list[Variant]:
    """Hand-written middleware with our guarantees (dedupe, untouched app message)."""
    template = dict(_nonce_expected())["Content-Security-Policy"].replace(
        "'nonce-X'", "'nonce-{nonce}'"
    )
    return [
        Variant(
            "careful",
            "hand-written, same guarantees (dedupe, app's message untouched)",
            "floor",
            cls(app),
            expect_exact(lower=lower),
        ),
        Variant(
            "careful-nonce",
            "hand-written, same guarantees + secrets.token_urlsafe nonce",
            "floor",
            cls(app, nonce_template=template),
            expect_exact(_nonce_expected(), nonce=True, lower=lower),
            nonce=True,
        ),
    ]


def _careful_targets() -> list[Target]:
    return [
        Target("secure", "careful", 1.0, "for reference: vs hand-written, same guarantees"),
        Target(
            "secure-nonce",
            "careful-nonce",
            1.0,
            "for reference: vs hand-written, same guarantees, with nonce",
        ),
    ]


# -- raw ASGI and WSGI -------------------------------------------------------------------


def raw_asgi() -> Level:
    from secure.middleware import SecureASGIMiddleware

    app = plain_asgi_app
    return Level(
        "asgi",
        "Raw ASGI middleware",
        "asgi",
        [
            Variant("A", "no headers", "baseline", app, expect_none),
            Variant(
                "B",
                "floor: constant pre-encoded list",
                "floor",
                FloorASGIMiddleware(app),
                expect_exact(),
            ),
            _ours(SecureASGIMiddleware(app), False, lower=True, label="SecureASGIMiddleware"),
            _ours(
                SecureASGIMiddleware(app, secure=dict(NONCE_CONFIG)),
                True,
                lower=True,
                label="SecureASGIMiddleware",
            ),
            *_careful(CarefulASGIMiddleware, app, lower=True),
        ],
        _floor_targets() + _careful_targets(),
    )


def raw_wsgi() -> Level:
    from secure.middleware import SecureWSGIMiddleware

    app = plain_wsgi_app
    return Level(
        "wsgi",
        "Raw WSGI middleware",
        "wsgi",
        [
            Variant("A", "no headers", "baseline", app, expect_none),
            Variant("B", "floor: constant list", "floor", FloorWSGIMiddleware(app), expect_exact()),
            _ours(SecureWSGIMiddleware(app), False, lower=False, label="SecureWSGIMiddleware"),
            _ours(
                SecureWSGIMiddleware(app, secure=dict(NONCE_CONFIG)),
                True,
                lower=False,
                label="SecureWSGIMiddleware",
            ),
            *_careful(CarefulWSGIMiddleware, app, lower=False),
        ],
        _floor_targets() + _careful_targets(),
    )


# -- Starlette and FastAPI ------------------------------------------------------------------


def _asgi_framework(key: str) -> Level:
    from starlette.middleware import Middleware
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import PlainTextResponse

    from secure.middleware import SecureASGIMiddleware

    if key == "fastapi":
        from fastapi import FastAPI

        def make(*middleware: Middleware) -> Any:
            app = FastAPI(middleware=list(middleware))

            @app.get("/")
            async def home() -> PlainTextResponse:
                return PlainTextResponse("ok")

            return app

        title = "FastAPI app, called as ASGI"
    else:
        from starlette.applications import Starlette
        from starlette.routing import Route

        async def home(request: object) -> PlainTextResponse:
            return PlainTextResponse("ok")

        def make(*middleware: Middleware) -> Any:
            return Starlette(routes=[Route("/", home)], middleware=list(middleware))

        title = "Starlette app, called as ASGI"

    variants = [
        Variant("A", "no headers", "baseline", make(), expect_none),
        Variant(
            "B",
            "floor: constant pre-encoded list",
            "floor",
            make(Middleware(FloorASGIMiddleware)),
            expect_exact(),
        ),
    ]
    notes = []
    ours = ["secure"]
    try:
        from secure_fastapi import SecureMiddleware
    except ImportError as exc:
        notes.append(f"secure_fastapi.SecureMiddleware not measured: {exc}")
    else:
        if issubclass(SecureMiddleware, BaseHTTPMiddleware):
            raise AssertionError("secure_fastapi.SecureMiddleware must be pure ASGI")
        variants.append(
            _ours(make(Middleware(SecureMiddleware)), False, lower=True, label="SecureMiddleware")
        )
        variants.append(
            _ours(
                make(Middleware(SecureMiddleware, secure=dict(NONCE_CONFIG))),
                True,
                lower=True,
                label="SecureMiddleware",
            )
        )
    variants.append(
        _ours(
            make(Middleware(SecureASGIMiddleware)),
            False,
            lower=True,
            key="core",
            label="secure.middleware.SecureASGIMiddleware",
        )
    )
    ours.append("core")
    try:
        from Secweb import SecWeb  # type: ignore[attr-defined]
    except ImportError as exc:
        notes.append(f"Secweb not measured: {exc}")
    else:
        app = make()
        SecWeb(app=app)
        variants.append(
            Variant(
                "secweb",
                "Secweb defaults (SecWeb(app=app))",
                "peer",
                app,
                expect_names(*SECWEB_NAMES),
            )
        )
    targets = [t for t in _floor_targets(ours) if t.variant != "core-nonce"]
    return Level(key, title, "asgi", variants, targets, notes)


#: What ``SecWeb(app=app)`` sends with its defaults (observed, then required).
SECWEB_NAMES = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
)


def starlette_level() -> Level:
    return _asgi_framework("starlette")


def fastapi_level() -> Level:
    return _asgi_framework("fastapi")


# -- Flask ------------------------------------------------------------------------------

#: What flask-talisman sends on an HTTPS request, given a CSP and a Permissions-Policy.
TALISMAN_NAMES = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
)


def flask_level() -> Level:
    from flask import Flask

    from secure.middleware import SecureWSGIMiddleware

    def make() -> Any:
        app = Flask("bench")

        @app.route("/")
        def home() -> str:
            return "ok"

        return app

    floor = make()
    floor.wsgi_app = FloorWSGIMiddleware(floor.wsgi_app)
    core = make()
    core.wsgi_app = SecureWSGIMiddleware(core.wsgi_app)
    variants = [
        Variant("A", "no headers", "baseline", make(), expect_none),
        Variant("B", "floor: constant list, WSGI middleware", "floor", floor, expect_exact()),
    ]
    notes = []
    targets = [Target("secure", "B", 1.25, "for reference: overhead vs the floor")]
    try:
        from secure_flask import Secure
    except ImportError as exc:
        notes.append(f"secure_flask not measured: {exc}")
    else:
        plain = make()
        Secure(plain)
        nonce = make()
        Secure(nonce, secure=dict(NONCE_CONFIG))
        variants.append(_ours(plain, False, lower=False, label="secure_flask.Secure(app)"))
        variants.append(_ours(nonce, True, lower=False, label="secure_flask.Secure(app)"))
    variants.append(
        _ours(core, False, lower=False, key="core", label="secure.middleware.SecureWSGIMiddleware")
    )
    try:
        from flask_talisman import Talisman  # type: ignore[import-untyped]
    except ImportError as exc:
        notes.append(f"flask-talisman not measured: {exc}")
    else:
        # The same policy as ours, so both build the same CSP.
        policy = {k: " ".join(v) for k, v in _balanced_csp_directives().items()}
        features = {"geolocation": "()", "microphone": "()", "camera": "()"}
        talisman = make()
        Talisman(talisman, content_security_policy=policy, permissions_policy=features)
        talisman_nonce = make()
        Talisman(
            talisman_nonce,
            content_security_policy=policy,
            content_security_policy_nonce_in=["script-src"],
            permissions_policy=features,
        )
        variants.append(
            Variant(
                "talisman",
                "flask-talisman, BALANCED's CSP",
                "peer",
                talisman,
                expect_names(*TALISMAN_NAMES),
            )
        )
        variants.append(
            Variant(
                "talisman-nonce",
                "flask-talisman, BALANCED's CSP + nonce",
                "peer",
                talisman_nonce,
                expect_names(*TALISMAN_NAMES, nonce=True),
                nonce=True,
            )
        )
        targets = [
            Target("secure", "talisman", 0.3, "overhead ≤ 0.3x flask-talisman's"),
            Target(
                "secure-nonce",
                "talisman-nonce",
                0.3,
                "with nonces: overhead ≤ 0.3x flask-talisman's (with nonces)",
            ),
            *targets,
        ]
    return Level("flask", "Flask app, called as WSGI", "wsgi", variants, targets, notes)


# -- Django -----------------------------------------------------------------------------

#: What SecurityMiddleware + XFrameOptionsMiddleware send (HSTS configured, HTTPS request).
DJANGO_NAMES = (
    "Strict-Transport-Security",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
)

_DJANGO_SECURITY = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def _balanced_csp_directives() -> dict[str, list[str]]:
    """BALANCED's CSP as a directive -> sources mapping, for django-csp and Django 6."""
    csp = dict(BALANCED)["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def django_level() -> Level:
    import django
    from django.conf import settings

    policy = _balanced_csp_directives()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="django_urls",
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={},
        USE_TZ=True,
        LOGGING_CONFIG=None,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        # django-csp 4 (csp.middleware.CSPMiddleware)
        CONTENT_SECURITY_POLICY={
            "DIRECTIVES": {k: v or True for k, v in policy.items()},
        },
        # Django 6's own ContentSecurityPolicyMiddleware
        SECURE_CSP={k: v or True for k, v in policy.items()},
    )
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    def make(middleware: list[str], secure_headers: object = None) -> Any:
        with override_settings(MIDDLEWARE=middleware, SECURE_HEADERS=secure_headers):
            return WSGIHandler()

    variants = [
        Variant("A", "no headers", "baseline", make([]), expect_none),
        Variant(
            "B",
            "floor: constant list, WSGI middleware",
            "floor",
            FloorWSGIMiddleware(make([])),
            expect_exact(),
        ),
    ]
    notes = []
    targets = [
        Target(
            "secure",
            "django",
            1.0,
            "overhead ≤ SecurityMiddleware + XFrameOptionsMiddleware's, full preset",
        ),
        Target("secure", "B", 1.25, "for reference: overhead vs the floor"),
        Target("secure", "core", 1.5, "overhead ≤ 1.5x the core WSGI middleware's"),
        Target("secure", "B-django", 1.25, "for reference: vs a constant Django middleware"),
    ]
    variants.append(
        Variant(
            "B-django",
            "floor: constant list, Django middleware",
            "floor",
            make(["django_urls.FloorMiddleware"]),
            expect_exact(),
        )
    )
    from secure import Secure
    from secure.middleware import SecureWSGIMiddleware

    variants.append(
        _ours(
            SecureWSGIMiddleware(make([]), secure=Secure.with_default_headers()),
            False,
            lower=False,
            key="core",
            label="secure.middleware.SecureWSGIMiddleware around the handler",
        )
    )
    try:
        import secure_django.middleware  # noqa: F401
    except ImportError as exc:
        notes.append(f"secure_django not measured: {exc}")
    else:
        ours = ["secure_django.middleware.SecureHeadersMiddleware"]
        variants.append(_ours(make(ours), False, lower=False, label="SecureHeadersMiddleware"))
        variants.append(
            _ours(
                make(ours, dict(NONCE_CONFIG)), True, lower=False, label="SecureHeadersMiddleware"
            )
        )
    variants.append(
        Variant(
            "django",
            "Django SecurityMiddleware + XFrameOptionsMiddleware",
            "peer",
            make(_DJANGO_SECURITY),
            expect_names(*DJANGO_NAMES),
        )
    )
    try:
        import csp.middleware  # noqa: F401
    except ImportError as exc:
        notes.append(f"django-csp not measured: {exc}")
    else:
        variants.append(
            Variant(
                "django-csp",
                "Django's two + django-csp CSPMiddleware",
                "peer",
                make([*_DJANGO_SECURITY, "csp.middleware.CSPMiddleware"]),
                expect_names(*DJANGO_NAMES, "Content-Security-Policy"),
            )
        )
    try:
        import django.middleware.csp
    except ImportError:
        notes.append(f"Django {django.__version__} has no built-in CSP middleware")
    else:
        variants.append(
            Variant(
                "django-builtin-csp",
                "Django's two + Django's ContentSecurityPolicyMiddleware",
                "peer",
                make([*_DJANGO_SECURITY, "django.middleware.csp.ContentSecurityPolicyMiddleware"]),
                expect_names(*DJANGO_NAMES, "Content-Security-Policy"),
            )
        )
    return Level("django", "Django's WSGI handler", "wsgi", variants, targets, notes)


LEVELS: dict[str, Callable[[], Level]] = {
    "asgi": raw_asgi,
    "wsgi": raw_wsgi,
    "starlette": starlette_level,
    "fastapi": fastapi_level,
    "flask": flask_level,
    "django": django_level,
}


def build(key: str) -> Level:
    return LEVELS[key]()
