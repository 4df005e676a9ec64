"""Content-Security-Policies for FastAPI's interactive documentation pages.

FastAPI's ``/docs`` (Swagger UI) page starts Swagger UI with an inline ``<script>``,
and both ``/docs`` and ``/redoc`` load their code from a CDN, so an app-wide policy such
as the BALANCED preset's ``script-src 'self'`` blocks them. Each policy here allows
exactly what one page needs: the asset origin, and the SHA-256 hash of the inline script
FastAPI renders for this app (CSP Level 3 §8.4), never ``'unsafe-inline'`` for scripts.
The hash is computed from FastAPI's own ``get_swagger_ui_html``, so it follows the
FastAPI version that is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Literal

from secure._docs import see
from secure.headers import ContentSecurityPolicy
from secure.nonce import csp_hash
from secure_fastapi._headers import SecureHeaders

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["DocsPolicy", "inline_scripts"]

#: The pages FastAPI serves itself.
DocsPage = Literal["swagger-ui", "redoc", "oauth2-redirect"]

_JSDELIVR = "https://cdn.jsdelivr.net"
# get_swagger_ui_html / get_redoc_html default favicon.
_FAVICON = "https://fastapi.tiangolo.com"
# get_redoc_html(with_google_fonts=True): a stylesheet from fonts.googleapis.com that
# loads font files from fonts.gstatic.com.
_FONTS_CSS = "https://fonts.googleapis.com"
_FONTS_FILES = "https://fonts.gstatic.com"
# ReDoc's "API docs by Redocly" link shows a logo from this origin.
_REDOC_LOGO = "https://cdn.redoc.ly"


class _InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None


def inline_scripts(html: str) -> list[str]:
    """The text of every inline ``<script>`` (one without ``src``) in ``html``, in order.

    The text is exactly what a browser hashes for a CSP hash source (CSP Level 3 §8.4).
    """
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def _sources(name: str, value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    sources = tuple(value)
    if not all(isinstance(s, str) for s in sources):
        raise TypeError(
            see(
                f"DocsPolicy: {name} must be CSP sources (str), got {sources!r}",
                "frameworks/fastapi.md#self-hosted-assets",
            )
        )
    return sources


def _unique(*sources: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(sources))


@dataclass(frozen=True)
class DocsPolicy:
    """The CSPs that FastAPI's ``/docs``, ``/redoc`` and OAuth2 redirect pages need.

    ``SecureMiddleware`` applies them to FastAPI's own documentation routes (pass
    ``docs=DocsPolicy(...)`` to change the origins, ``docs=False`` to turn this off).
    ``assets`` are the origins of the Swagger UI and ReDoc files (jsDelivr by default;
    ``"'self'"`` when you serve them yourself), ``favicon`` the origin of the page icon,
    ``connect`` extra origins Swagger UI's "Try it out" may call::

        app.add_middleware(SecureMiddleware, docs=DocsPolicy(assets="'self'", favicon="'self'"))

    For documentation routes you write yourself, use :meth:`swagger_ui`, :meth:`redoc`
    and :meth:`oauth2_redirect` as route dependencies.
    """

    assets: str | Iterable[str] = (_JSDELIVR,)
    favicon: str | Iterable[str] = (_FAVICON,)
    connect: str | Iterable[str] = ()

    def __post_init__(self) -> None:
        for name in ("assets", "favicon", "connect"):
            object.__setattr__(self, name, _sources(name, getattr(self, name)))
        # Build each policy once so a bad source fails here, not on the first request.
        self._base("'self'")
        self.redoc_csp()

    def _base(self, *script: str) -> ContentSecurityPolicy:
        _, favicon, connect = self._tuples()
        csp = (
            ContentSecurityPolicy()
            .default_src("'self'")
            .base_uri("'self'")
            .connect_src(*_unique("'self'", *connect))
            .form_action("'self'")
            .frame_ancestors("'self'")
            .img_src(*_unique("'self'", "data:", *favicon))
            .object_src("'none'")
        )
        if script:
            csp.script_src(*_unique(*script))
        return csp

    def _tuples(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return (
            _sources("assets", self.assets),
            _sources("favicon", self.favicon),
            _sources("connect", self.connect),
        )

    def swagger_ui_csp(
        self,
        *,
        openapi_url: str = "/openapi.json",
        oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        init_oauth: Mapping[str, Any] | None = None,
        swagger_ui_parameters: Mapping[str, Any] | None = None,
    ) -> ContentSecurityPolicy:
        """The policy for a page from ``fastapi.openapi.docs.get_swagger_ui_html``.

        Pass the arguments you give ``get_swagger_ui_html`` (other than the title and
        asset URLs): they are part of the inline script, so they change its hash.
        """
        from fastapi.openapi.docs import get_swagger_ui_html

        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title="",
            oauth2_redirect_url=oauth2_redirect_url,
            init_oauth=dict(init_oauth) if init_oauth is not None else None,
            swagger_ui_parameters=(
                dict(swagger_ui_parameters) if swagger_ui_parameters is not None else None
            ),
        )
        assets = self._tuples()[0]
        hashes = [csp_hash(script) for script in inline_scripts(bytes(page.body).decode())]
        # Swagger UI sets a few style attributes, and its stylesheet is on the CDN.
        return self._base(*assets, *hashes).style_src(*_unique(*assets, "'unsafe-inline'"))

    def redoc_csp(self, *, google_fonts: bool = True) -> ContentSecurityPolicy:
        """The policy for a page from ``fastapi.openapi.docs.get_redoc_html``.

        ReDoc injects its styles at run time (so ``style-src 'unsafe-inline'``), runs
        its search index in a worker made from a ``blob:`` URL (``worker-src``) and shows
        a logo from ``cdn.redoc.ly``.
        """
        assets = self._tuples()[0]
        csp = self._base(*assets).worker_src("'self'", "blob:")
        csp.add_sources("img-src", _REDOC_LOGO)
        if google_fonts:
            csp.style_src("'self'", "'unsafe-inline'", _FONTS_CSS)
            csp.font_src("'self'", _FONTS_FILES)
        else:
            csp.style_src("'self'", "'unsafe-inline'")
        return csp

    def oauth2_redirect_csp(self) -> ContentSecurityPolicy:
        """The policy for ``get_swagger_ui_oauth2_redirect_html``: its one inline script."""
        from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html

        page = get_swagger_ui_oauth2_redirect_html()
        hashes = [csp_hash(script) for script in inline_scripts(bytes(page.body).decode())]
        return (
            ContentSecurityPolicy()
            .default_src("'none'")
            .base_uri("'none'")
            .form_action("'none'")
            .frame_ancestors("'self'")
            .script_src(*hashes)
        )

    # -- dependencies for documentation routes you write yourself ------------------------

    def swagger_ui(
        self,
        *,
        openapi_url: str = "/openapi.json",
        oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        init_oauth: Mapping[str, Any] | None = None,
        swagger_ui_parameters: Mapping[str, Any] | None = None,
    ) -> SecureHeaders:
        """A route dependency that sends :meth:`swagger_ui_csp` on a custom docs route."""
        return SecureHeaders(
            csp=self.swagger_ui_csp(
                openapi_url=openapi_url,
                oauth2_redirect_url=oauth2_redirect_url,
                init_oauth=init_oauth,
                swagger_ui_parameters=swagger_ui_parameters,
            )
        )

    def redoc(self, *, google_fonts: bool = True) -> SecureHeaders:
        """A route dependency that sends :meth:`redoc_csp` on a custom ReDoc route."""
        return SecureHeaders(csp=self.redoc_csp(google_fonts=google_fonts))

    def oauth2_redirect(self) -> SecureHeaders:
        """A route dependency that sends :meth:`oauth2_redirect_csp`."""
        return SecureHeaders(csp=self.oauth2_redirect_csp())

    # -- FastAPI's own routes --------------------------------------------------------------

    def csp_for(self, page: DocsPage, app: FastAPI, root_path: str) -> ContentSecurityPolicy:
        """The policy for one of ``app``'s own documentation pages.

        Uses the same arguments as ``FastAPI.setup()``: the OpenAPI and redirect URLs
        are prefixed with the request's ``root_path``.
        """
        if page == "redoc":
            return self.redoc_csp()
        if page == "oauth2-redirect":
            return self.oauth2_redirect_csp()
        root = root_path.rstrip("/")
        redirect = app.swagger_ui_oauth2_redirect_url
        return self.swagger_ui_csp(
            openapi_url=root + (app.openapi_url or ""),
            oauth2_redirect_url=root + redirect if redirect else None,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )


def find_docs_pages(app: object, depth: int = 0) -> list[tuple[object, DocsPage, object]]:
    """FastAPI's own documentation endpoints in ``app`` and the apps mounted in it.

    Returns ``(endpoint, page, the FastAPI app that serves it)`` triples.
    """
    import sys

    fastapi = sys.modules.get("fastapi")
    routes = getattr(app, "routes", None)
    if fastapi is None or not isinstance(routes, list) or depth > 8:
        return []
    from fastapi.routing import APIRoute
    from starlette.routing import Mount, Route

    found: list[tuple[object, DocsPage, object]] = []
    if isinstance(app, fastapi.FastAPI) and app.openapi_url:
        pages: dict[str | None, DocsPage] = {
            app.docs_url: "swagger-ui",
            app.redoc_url: "redoc",
            app.swagger_ui_oauth2_redirect_url if app.docs_url else None: "oauth2-redirect",
        }
        pages.pop(None, None)
        # FastAPI adds its documentation routes with add_route(): plain Starlette routes.
        found += [
            (route.endpoint, pages[route.path], app)
            for route in routes
            if isinstance(route, Route) and not isinstance(route, APIRoute) and route.path in pages
        ]
    for route in routes:
        if isinstance(route, Mount):
            found += find_docs_pages(route.app, depth + 1)
    return found
