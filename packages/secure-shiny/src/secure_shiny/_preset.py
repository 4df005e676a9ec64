"""The Shiny preset: the strictest headers under which a Shiny app still works.

Every allowance below was found by serving Shiny apps behind the policy and driving
them in headless Chromium until the console reported no CSP violation; the Shiny guide
tells the story of each one:
<https://typeerror.github.io/secure/frameworks/shiny/#each-allowance-and-why-shiny-needs-it>.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path
from typing import Any

from shiny import App, ui

from secure import (
    NONCE,
    ContentSecurityPolicy,
    CrossOriginEmbedderPolicy,
    CrossOriginOpenerPolicy,
    CrossOriginResourcePolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    Server,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
    csp_hash,
)
from secure_shiny._inline import InlineContent, scan_html

__all__ = ["shiny_csp", "shiny_inline_sources", "shiny_preset"]


@functools.cache
def _builtin_inline() -> InlineContent:
    # The inline elements Shiny's own components write, taken from the installed Shiny
    # rather than copied, so the hashes follow Shiny upgrades. Each part below is there
    # because it emits one (seen in Chromium's console under a hash-less policy):
    parts: list[ui.TagChild] = [
        ui.page_sidebar(
            # sidebar: <script>bslib.Sidebar.initCollapsibleAll()</script>
            ui.sidebar(),
            # card: <script>window.bslib.Card.initializeAllCards();</script>
            ui.card(),
            # the date picker's dependency: <script>...datepicker.noConflict()...</script>
            ui.input_date("secure_shiny_probe", "probe"),
        ),
        # ui.modal_show(): its <script> opens the dialog; it arrives over the websocket.
        ui.modal(),
        # Busy indicators write a <script> that sets page flags; ui.busy_indicators.use()
        # chooses one of four variants (the default one is in every Shiny page).
        *(
            ui.busy_indicators.use(spinners=spinners, pulse=pulse)
            for spinners in (True, False)
            for pulse in (True, False)
        ),
    ]
    # page_sidebar() (page_fillable) also writes <style>html { height: 100%; }</style>.
    # Shiny renders the page, with every dependency it adds itself, as it serves it.
    page = App(ui.TagList(*parts), None).ui
    assert not callable(page)
    scanned = scan_html(page["html"])
    return InlineContent(
        scanned.scripts, (*scanned.styles, *_bundled_styles()), scanned.conditional_panels
    )


# A script of Shiny's that inserts a <style> element whose text is a string constant of
# the same bundle: render.data_frame's grid writes its whole stylesheet this way
# (`innerHTML = `<style>${css}</style>``), and without it the grid loses its layout.
_STYLE_TEMPLATE = re.compile(r"innerHTML\s*=\s*`<style>\$\{([A-Za-z_$][\w$]*)\}</style>`")


def _bundled_styles() -> tuple[str, ...]:
    """The texts of the <style> elements Shiny's own JavaScript bundles insert."""
    import shiny

    styles: list[str] = []
    for bundle in sorted(Path(shiny.__file__).parent.joinpath("www").rglob("*.js")):
        source = bundle.read_text(encoding="utf-8", errors="replace")
        for match in _STYLE_TEMPLATE.finditer(source):
            constant = re.search(
                rf"(?:var|let|const)\s+{re.escape(match.group(1))}\s*=\s*`([^`]*)`", source
            )
            # A template literal with escapes or interpolations would need a JavaScript
            # engine to know its value; Shiny's are plain text.
            if (
                constant is not None
                and "\\" not in constant.group(1)
                and "${" not in constant.group(1)
            ):
                styles.append(constant.group(1))
    return tuple(styles)


def _hashes(texts: tuple[str, ...]) -> list[str]:
    # HTML, "prepare the script element": an empty inline script never runs, so it
    # needs no source.
    return sorted({csp_hash(text) for text in texts if text})


def _static_page(app: App | None) -> InlineContent | None:
    # A static UI is rendered once, when the App is built; a UI function per request.
    if app is None or callable(app.ui):
        return None
    return scan_html(app.ui["html"])


def shiny_inline_sources(app: App | None = None) -> dict[str, list[str]]:
    """CSP hash sources for the inline scripts and styles Shiny writes.

    Returns ``{"script-src": [...], "style-src": [...]}``. With ``app``, the inline
    elements of its UI are included too, when the UI is static (rendered once, at start-up:
    a UI function renders per request and cannot be hashed ahead of time)::

        extra = shiny_inline_sources(app)
        secure_headers = Secure.from_preset("strict").derive(csp_sources=extra)
    """
    return _sources(_static_page(app))


def _sources(page: InlineContent | None) -> dict[str, list[str]]:
    content = [_builtin_inline()] if page is None else [_builtin_inline(), page]
    return {
        "script-src": _hashes(tuple(s for c in content for s in c.scripts)),
        "style-src": _hashes(tuple(s for c in content for s in c.styles)),
    }


def shiny_csp(
    app: App | None = None, *, nonce: bool = False, unsafe_eval: bool = False
) -> ContentSecurityPolicy:
    """The Shiny preset's Content-Security-Policy, as a builder you can change.

    Takes the same arguments as :func:`shiny_preset`. To let a portal frame the app::

        csp = shiny_csp(app).frame_ancestors("https://portal.example")
        secure_headers = shiny_preset(app).derive(csp=csp, headers={"X-Frame-Options": None})
    """
    page = _static_page(app)
    sources = _sources(page)
    script_src = ["'self'", *sources["script-src"]]
    style_src = ["'self'", *sources["style-src"]]
    if nonce:
        script_src.append(NONCE)
        style_src.append(NONCE)
    if unsafe_eval:
        script_src.append("'unsafe-eval'")
    elif page is not None and page.conditional_panels:
        warnings.warn(
            "this Shiny app uses ui.panel_conditional(), whose condition Shiny evaluates "
            "with new Function(); the Shiny preset blocks that and the panel never shows. "
            "Pass shiny_preset(app, unsafe_eval=True) to allow it",
            UserWarning,
            stacklevel=3,
        )
    return (
        ContentSecurityPolicy()
        # Nothing is allowed unless a directive below says so (CSP3 §6.1, default-src).
        .default_src("'none'")
        # Shiny's JavaScript (jQuery, shiny.js, Bootstrap, bslib, ...) is served by the
        # app itself; the hashes cover the inline scripts Shiny writes into the page or
        # sends over the websocket (a nonce cannot reach those).
        .script_src(*script_src)
        # Shiny's CSS files, and the hashes of its few inline <style> elements.
        .style_src(*style_src)
        # Shiny and bslib write style="" attributes everywhere (card and output heights,
        # sidebar width, icons); they cannot run script (CSP3 §6.1, style-src-attr).
        .style_src_attr("'unsafe-inline'")
        # Bootstrap's CSS draws select carets and check marks as data: SVG images;
        # render.image()/render.plot() send their images as data: URLs.
        .img_src("'self'", "data:")
        # The Bootstrap theme's font files are served by the app.
        .font_src("'self'")
        # The websocket (/websocket/) and Shiny's uploads and dynamic routes; 'self'
        # matches ws:/wss: on the same host (CSP3 §6.7.2, "Does url match expression in
        # origin with redirect count?").
        .connect_src("'self'")
        # No <base>, no form submissions (Shiny talks over the websocket), no framing.
        .base_uri("'none'")
        .form_action("'none'")
        .frame_ancestors("'none'")
    )


def shiny_preset(
    app: App | None = None, *, nonce: bool = False, unsafe_eval: bool = False
) -> Secure:
    """The Shiny preset: a fresh ``secure.Secure`` made for Shiny apps.

    ``app`` adds hashes for the inline ``<script>``/``<style>`` elements of its static UI.
    ``nonce=True`` adds a per-request nonce to ``script-src`` and ``style-src`` for your
    own inline elements (read it with :func:`secure_shiny.csp_nonce` in a UI function).
    ``unsafe_eval=True`` allows ``eval``, which ``ui.panel_conditional()`` needs::

        app = secure_app(App(app_ui, server), secure=shiny_preset(nonce=True))
    """
    return Secure(**shiny_preset_builders(app, nonce=nonce, unsafe_eval=unsafe_eval))


def shiny_preset_builders(
    app: App | None = None, *, nonce: bool = False, unsafe_eval: bool = False
) -> dict[str, Any]:
    """The Shiny preset: the strictest headers under which a Shiny app still works.

    Fresh builders, keyed like ``Secure(...)``'s keywords.

    The ``secure.presets`` entry point: with secure-shiny installed, the name
    ``"shiny"`` works wherever a preset name does (``Secure.from_preset("shiny")``,
    ``{"preset": "shiny"}``, ``secure show --preset shiny``).
    """
    return {
        "csp": shiny_csp(app, nonce=nonce, unsafe_eval=unsafe_eval),
        # Every resource a Shiny page loads is same-origin, so cross-origin isolation
        # costs nothing.
        "coep": CrossOriginEmbedderPolicy().require_corp(),
        "coop": CrossOriginOpenerPolicy().same_origin(),
        "corp": CrossOriginResourcePolicy().same_origin(),
        "hsts": StrictTransportSecurity().max_age(63072000).include_subdomains(),
        "permissions": PermissionsPolicy().geolocation().microphone().camera(),
        "referrer": ReferrerPolicy().no_referrer(),
        "server": Server(),
        "xcto": XContentTypeOptions().nosniff(),
        "xfo": XFrameOptions().deny(),
    }
