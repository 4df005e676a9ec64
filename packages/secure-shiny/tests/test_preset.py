from __future__ import annotations

import re
import warnings

import pytest
from shiny import App, ui

from secure import Secure, csp_hash
from secure_shiny import shiny_csp, shiny_inline_sources, shiny_preset
from secure_shiny._inline import scan_html


def _csp(secure: Secure, nonce: str | None = None) -> dict[str, list[str]]:
    value = dict(secure.header_items(nonce=nonce))["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in value.split("; ")}


def _page_html(app: App) -> str:
    assert not callable(app.ui)
    return app.ui["html"]


def test_headers() -> None:
    sources = shiny_inline_sources()
    csp = "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src 'self'", *sources["script-src"]]),
            " ".join(["style-src 'self'", *sources["style-src"]]),
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    assert list(shiny_preset().header_items()) == [
        ("Cross-Origin-Embedder-Policy", "require-corp"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Content-Security-Policy", csp),
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
        ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
        ("Referrer-Policy", "no-referrer"),
        ("Server", ""),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
    ]


def test_hashes_cover_shiny_inline_code() -> None:
    # Every inline script and style of a page using the components that write them.
    app = App(
        ui.page_sidebar(
            ui.sidebar(ui.input_date("day", "Day")),
            ui.card("card"),
            ui.modal("modal"),
            ui.busy_indicators.use(spinners=False, pulse=True),
        ),
        None,
    )
    content = scan_html(_page_html(app))
    assert len(content.scripts) >= 4
    csp = _csp(shiny_preset())
    for script in content.scripts:
        assert csp_hash(script) in csp["script-src"], script
    for style in content.styles:
        assert csp_hash(style) in csp["style-src"], style


def test_only_hashes_beside_self() -> None:
    sources = shiny_inline_sources()
    assert sources["script-src"]
    assert sources["style-src"]
    for source in [*sources["script-src"], *sources["style-src"]]:
        assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", source)
    assert sources["script-src"] == sorted(set(sources["script-src"]))


def test_each_call_is_fresh() -> None:
    first, second = shiny_preset(), shiny_preset()
    assert first is not second
    changed = first.derive(csp_sources={"img-src": ["https://tiles.example"]})
    assert "https://tiles.example" in _csp(changed)["img-src"]
    assert first.header_items() == second.header_items()


def test_nonce() -> None:
    secure = shiny_preset(nonce=True)
    assert secure.has_nonce
    csp = _csp(secure, nonce="abc123")
    assert csp["script-src"][-1] == "'nonce-abc123'"
    assert csp["style-src"][-1] == "'nonce-abc123'"
    assert not shiny_preset().has_nonce


def test_unsafe_eval() -> None:
    assert "'unsafe-eval'" in _csp(shiny_preset(unsafe_eval=True))["script-src"]
    assert "'unsafe-eval'" not in _csp(shiny_preset())["script-src"]


def test_app_inline_code_is_hashed() -> None:
    app = App(
        ui.page_fluid(
            ui.tags.script("window.appOwn = 1;"),
            ui.tags.style("#x { color: red; }"),
            ui.tags.script(),  # empty: never runs, needs nothing
        ),
        None,
    )
    csp = _csp(shiny_preset(app))
    assert csp_hash("window.appOwn = 1;") in csp["script-src"]
    assert csp_hash("#x { color: red; }") in csp["style-src"]
    assert csp_hash("") not in csp["script-src"]
    assert csp_hash("window.appOwn = 1;") in shiny_inline_sources(app)["script-src"]
    assert csp_hash("window.appOwn = 1;") not in _csp(shiny_preset())["script-src"]


def test_ui_function_is_not_rendered() -> None:
    def app_ui(request: object) -> ui.Tag:
        raise AssertionError("the UI function must not be called at start-up")

    app = App(app_ui, None)
    assert shiny_preset(app).header_items() == shiny_preset().header_items()


def test_conditional_panel_warns() -> None:
    app = App(ui.page_fluid(ui.panel_conditional("input.n > 5", "big")), None)
    with pytest.warns(UserWarning, match=r"panel_conditional\(\).*unsafe_eval=True"):
        shiny_preset(app)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        secure = shiny_preset(app, unsafe_eval=True)
    assert "'unsafe-eval'" in _csp(secure)["script-src"]


def test_shiny_csp_is_the_preset_policy() -> None:
    csp = shiny_csp()
    assert dict(shiny_preset().header_items())["Content-Security-Policy"] == csp.header_value
    framed = shiny_preset().derive(
        csp=shiny_csp().frame_ancestors("https://portal.example"),
        headers={"X-Frame-Options": None},
    )
    assert _csp(framed)["frame-ancestors"] == ["https://portal.example"]
    assert "X-Frame-Options" not in framed.headers


def test_the_shiny_preset_is_a_preset_name_everywhere() -> None:
    # secure-shiny registers "shiny" in the secure.presets entry-point group.
    from secure._presets import available_presets

    assert Secure.from_preset("shiny") == shiny_preset()
    assert {p.name: p.provider for p in available_presets()}["shiny"] == "secure-shiny"
    edited = Secure.from_config({"preset": "shiny", "xfo": "SAMEORIGIN"})
    assert edited.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_a_typo_of_shiny_suggests_it() -> None:
    from secure_shiny import secure_app

    app = App(ui.page_fluid("hi"), None)
    with pytest.raises(ValueError, match=r"did you mean 'shiny'"):
        secure_app(app, {"preset": "shinny"})
