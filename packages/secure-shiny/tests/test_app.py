from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from shiny import App, Inputs, Outputs, Session, render, ui
from shiny.express import wrap_express_app
from starlette.requests import Request

from secure import Preset, Secure, csp_hash
from secure_shiny import csp_nonce, secure_app, shiny_preset

Get = Callable[..., Any]


def server(input: Inputs, output: Outputs, session: Session) -> None:
    @render.text
    def txt() -> str:
        return f"n*2 is {input.n() * 2}"


def slider_app() -> App:
    app_ui = ui.page_fluid(
        ui.input_slider("n", "N", min=0, max=100, value=20),
        ui.output_text("txt"),
    )
    return App(app_ui, server)


def assert_headers(response: Any, expected: Secure) -> None:
    """Every header of ``expected`` is on the response exactly once, with its value."""
    for name, value in expected.header_items():
        assert response.values(name) == [value], name


def test_default_is_the_shiny_preset(get: Get) -> None:
    app = slider_app()
    response = get(secure_app(app), "/")
    assert response.status == 200
    assert response.values("content-type") == ["text/html; charset=utf-8"]
    assert 'id="txt"' in response.text
    assert_headers(response, shiny_preset(app))
    assert response.values("content-security-policy")[0].startswith("default-src 'none'")


@pytest.mark.parametrize("path", ["/", "/no/such/page", "/session/0/upload/x"])
def test_every_http_response(get: Get, path: str) -> None:
    response = get(secure_app(slider_app()), path)
    assert_headers(response, shiny_preset())


def test_static_assets(get: Get) -> None:
    wrapped = secure_app(slider_app())
    page = get(wrapped, "/").text
    script = re.search(r'<script src="(lib/shiny-[^"]+/shiny(?:\.min)?\.js)"', page)
    assert script is not None
    response = get(wrapped, "/" + script[1])
    assert response.status == 200
    assert response.values("content-type")[0].startswith("text/javascript")
    assert_headers(response, shiny_preset())


def test_websocket_is_untouched(websocket: Callable[..., Any]) -> None:
    # What shiny.js sends first: the inputs, and which outputs are visible.
    init = {"method": "init", "data": {"n": 20, ".clientdata_output_txt_hidden": False}}
    run = websocket(secure_app(slider_app()), init, "n*2 is 40")
    assert run.accept["type"] == "websocket.accept"
    assert not run.accept.get("headers")
    outputs = [m["values"] for m in run.received if m.get("values")]
    assert {"txt": "n*2 is 40"} in outputs


@pytest.mark.parametrize(
    "secure",
    ["strict", Preset.STRICT, {"preset": "strict"}, Secure.from_preset(Preset.STRICT)],
    ids=["name", "preset", "config", "secure"],
)
def test_other_configurations(get: Get, secure: Any) -> None:
    response = get(secure_app(slider_app(), secure), "/")
    assert_headers(response, Secure.from_preset(Preset.STRICT))
    assert response.values("x-frame-options") == ["DENY"]


def test_config_mapping(get: Get) -> None:
    config: Mapping[str, object] = {"preset": "balanced", "xfo": "DENY", "custom": {"X-A": "1"}}
    response = get(secure_app(slider_app(), config), "/")
    assert_headers(response, Secure.from_config(config))
    assert response.values("x-a") == ["1"]


def test_shiny_by_name(get: Get) -> None:
    app = slider_app()
    assert_headers(get(secure_app(app, "shiny"), "/"), shiny_preset(app))


def test_shiny_preset_in_config(get: Get) -> None:
    app = slider_app()
    config = {"preset": "shiny", "xfo": "SAMEORIGIN", "csp": {"img-src": ["'self'"]}}
    expected = Secure.from_config(
        {"xfo": "SAMEORIGIN", "csp": {"img-src": ["'self'"]}}, base=shiny_preset(app)
    )
    response = get(secure_app(app, config), "/")
    assert_headers(response, expected)
    assert response.values("x-frame-options") == ["SAMEORIGIN"]
    assert response.values("content-security-policy")[0].count("img-src 'self';") == 1
    with pytest.raises(ValueError, match="hstss: unknown key; did you mean 'hsts'"):
        secure_app(app, {"preset": "shiny", "hstss": "max-age=1"})


def test_app_inline_code_is_allowed(get: Get) -> None:
    app = App(ui.page_fluid(ui.tags.script("window.own = 1;")), None)
    csp = get(secure_app(app), "/").values("content-security-policy")[0]
    assert csp_hash("window.own = 1;") in csp


def nonce_app() -> App:
    def app_ui(request: Request) -> ui.Tag:
        return ui.page_fluid(ui.tags.script("window.own = 1;", nonce=csp_nonce(request)))

    return App(app_ui, None)


def test_nonce_reaches_the_page(get: Get) -> None:
    wrapped = secure_app(nonce_app(), shiny_preset(nonce=True))
    seen = set()
    for _ in range(2):
        response = get(wrapped, "/")
        csp = response.values("content-security-policy")[0]
        header_nonce = re.findall(r"'nonce-([^']+)'", csp)
        page_nonce = re.findall(r'<script nonce="([^"]+)">window.own', response.text)
        assert len(set(header_nonce)) == 1
        assert page_nonce == header_nonce[:1]
        seen.add(page_nonce[0])
    assert len(seen) == 2


def test_csp_nonce_without_a_nonce_slot(get: Get) -> None:
    with pytest.raises(LookupError, match=r"no CSP nonce.*nonce=True"):
        get(secure_app(nonce_app()), "/")


def skip_unless_express_works(tmp_path: Path) -> None:
    # Shiny 1.0 cannot build any Express app with htmltools >= 0.6 (a stricter tagify()
    # checks); its own requirement allows that htmltools. Shiny 1.0 with htmltools 0.5
    # runs this test.
    plain = tmp_path / "plain.py"
    plain.write_text("from shiny.express import ui\n\nui.p('plain')\n")
    try:
        wrap_express_app(plain)
    except (TypeError, AttributeError) as exc:
        pytest.skip(f"this Shiny cannot run Express apps with this htmltools: {exc}")


def test_express_app(get: Get, tmp_path: Path) -> None:
    skip_unless_express_works(tmp_path)
    source = """
        from shiny import render
        from shiny.express import input, ui

        ui.input_slider("n", "N", min=0, max=100, value=20)
        ui.tags.script("window.expressOwn = 1;")

        @render.text
        def txt():
            return f"n*2 is {input.n() * 2}"
    """
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(source))
    response = get(secure_app(path), "/")
    assert response.status == 200
    assert 'id="txt"' in response.text
    csp = response.values("content-security-policy")[0]
    assert csp_hash("window.expressOwn = 1;") in csp
    assert response.values("x-frame-options") == ["DENY"]
    # A str path works too.
    assert get(secure_app(str(path)), "/").status == 200


def test_helmet_option_names_on_the_shiny_preset_get_their_equivalent() -> None:
    config = {"preset": "shiny", "referrerPolicy": {"policy": "no-referrer"}}
    with pytest.raises(ValueError, match="helmet") as raised:
        secure_app(slider_app(), config)
    # The Shiny preset stays where it is: the equivalent has no preset of its own.
    assert str(raised.value) == (
        "secure config: referrerPolicy: unknown key; these are helmet's settings, not ours; in "
        'our format they are {"referrer": "no-referrer"} (\'secure convert\' writes this for '
        "you) (see https://typeerror.github.io/secure/configuration/#coming-from-helmet)"
    )


def test_errors_end_with_their_documentation_page() -> None:
    with pytest.raises(ValueError, match="a path starts with '/'") as raised:
        secure_app(slider_app(), reports="x")
    assert str(raised.value).endswith(
        "(see https://typeerror.github.io/secure/frameworks/shiny/#violation-reports)"
    )
