"""Secure(exclude=...) / SECURE_HEADERS_EXCLUDE: URL path prefixes left to the app."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string, request

from secure_flask import Secure

PAGE = '<script nonce="{{ csp_nonce() }}"></script>'


def make_app(**config: object) -> Flask:
    app = Flask(__name__)
    app.config.update(config)

    @app.get("/admin/", defaults={"rest": ""})
    @app.get("/admin/<path:rest>")
    def admin(rest: str) -> tuple[str, int, dict[str, str]]:
        return render_template_string(PAGE), 200, {"X-Frame-Options": "SAMEORIGIN"}

    @app.get("/page/")
    def page() -> str:
        return render_template_string(PAGE)

    @app.get("/environ/")
    def environ() -> str:
        return str("secure.csp_nonce" in request.environ)

    return app


@pytest.mark.parametrize("where", ["option", "config"])
def test_excluded_paths_keep_only_the_apps_headers(where: str) -> None:
    if where == "option":
        app = make_app()
        Secure(app, secure={"nonce": True}, exclude=["/admin/"])
    else:
        app = make_app(SECURE_HEADERS={"nonce": True}, SECURE_HEADERS_EXCLUDE=["/admin"])
        Secure(app)
    client = app.test_client()
    admin = client.get("/admin/login/")
    assert admin.status_code == 200
    assert admin.text == '<script nonce=""></script>'  # no nonce: no policy is sent
    assert admin.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Content-Security-Policy" not in admin.headers
    assert "X-Content-Type-Options" not in admin.headers
    page = client.get("/page/")
    nonce = page.text.split('"')[1]
    assert nonce and f"'nonce-{nonce}'" in page.headers["Content-Security-Policy"]
    for path in ("/administrator/", "/ADMIN/", "/admin/../page/", "/admin//x"):
        assert "Content-Security-Policy" in client.get(path).headers, path


def test_the_config_key_wins_over_the_option_and_init_app_reads_it_again() -> None:
    app = make_app(SECURE_HEADERS_EXCLUDE=["/page/"])
    extension = Secure(app, exclude=["/admin/"])
    client = app.test_client()
    assert "Content-Security-Policy" in client.get("/admin/").headers
    assert "Content-Security-Policy" not in client.get("/page/").headers
    app.config["SECURE_HEADERS_EXCLUDE"] = []
    extension.init_app(app)
    assert "Content-Security-Policy" in client.get("/page/").headers


@pytest.mark.parametrize(
    ("config", "option", "message"),
    [
        ({}, "/admin/", r"^Secure\(exclude=\.\.\.\): expected a list of path prefixes"),
        ({}, ["admin/"], r"^Secure\(exclude=\.\.\.\): 'admin/' must start with '/'"),
        (
            {"SECURE_HEADERS_EXCLUDE": ["/"]},
            None,
            r"^app.config\['SECURE_HEADERS_EXCLUDE'\]: '/' would leave every path out",
        ),
        (
            {"SECURE_HEADERS_EXCLUDE": [3]},
            None,
            r"^app.config\['SECURE_HEADERS_EXCLUDE'\]: path prefixes must be strings, got 3",
        ),
    ],
)
def test_a_bad_value_names_the_option_or_key(
    config: dict[str, object], option: object, message: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        Secure(make_app(**config), exclude=option)  # type: ignore[arg-type]


def test_a_near_miss_of_the_key_is_refused() -> None:
    with pytest.raises(ValueError, match="did you mean 'SECURE_HEADERS_EXCLUDE'"):
        Secure(make_app(SECURE_HEADER_EXCLUDE=["/admin/"]))
