"""Peers' settings are recognised in errors and converted to our format on request.

The inputs are the shapes each peer documents (django-csp 4, Django 6's SECURE_CSP,
flask-talisman's keywords, helmet's options), written here as our own test data.
"""

from __future__ import annotations

import json
import os
import pprint
from collections.abc import Iterator
from pathlib import Path

import pytest

from secure import NONCE, Secure
from secure._convert import convert, detect

DJANGO_CSP_4 = {
    "DIRECTIVES": {
        "default-src": ["'self'", "*.example.com"],
        "script-src": ["'self'", "js.cdn.com/example/", "<CSP_NONCE_SENTINEL>"],
        "img-src": ["'self'", "data:", "example.com"],
    },
    "EXCLUDE_URL_PREFIXES": ["/admin"],
}
DJANGO_6 = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "<CSP_NONCE_SENTINEL>"],
    "style-src": ["'self'", "'unsafe-inline'"],
}
DJANGO_SETTINGS = {
    "SECURE_CSP": {"default-src": ["'self'"]},
    "SECURE_CSP_REPORT_ONLY": {"default-src": ["'none'"], "report-uri": "/csp-reports/"},
}
TALISMAN = {
    "content_security_policy": {"default-src": "'self'", "img-src": ["*", "data:"]},
    "content_security_policy_nonce_in": ["script-src"],
    "frame_options": "DENY",
    "strict_transport_security_max_age": 63072000,
    "strict_transport_security_preload": True,
    "referrer_policy": "no-referrer",
    "permissions_policy": {"geolocation": "()", "camera": "(self)"},
    "force_https": True,
}
HELMET = {
    "contentSecurityPolicy": {
        "directives": {"defaultSrc": ["'self'"], "scriptSrc": ["'self'", "https://cdn.example"]}
    },
    "frameguard": {"action": "deny"},
    "hsts": {"maxAge": 600, "includeSubDomains": False},
    "referrerPolicy": {"policy": "no-referrer"},
    "crossOriginEmbedderPolicy": False,
    "xPoweredBy": False,
}


@pytest.mark.parametrize(
    ("settings", "source"),
    [
        (DJANGO_CSP_4, "django-csp"),
        ({"CONTENT_SECURITY_POLICY": DJANGO_CSP_4}, "django-csp"),
        (DJANGO_6, "django"),
        (DJANGO_SETTINGS, "django"),
        (TALISMAN, "talisman"),
        (HELMET, "helmet"),
        ({"csp": {"default-src": ["'self'"]}}, None),
    ],
)
def test_detect(settings: dict[str, object], source: str | None) -> None:
    assert detect(settings) == source


def headers(config: dict[str, object]) -> dict[str, str]:
    return dict(Secure.from_config(config).header_items(nonce="abc"))


def test_django_csp_4() -> None:
    result = convert(DJANGO_CSP_4)
    assert result.config == {
        "preset": "balanced",
        "csp": "default-src 'self' *.example.com; script-src 'self' js.cdn.com/example/ "
        f"{NONCE}; img-src 'self' data: example.com",
    }
    assert any("EXCLUDE_URL_PREFIXES" in note for note in result.notes)
    sent = headers(result.config)
    assert "script-src 'self' js.cdn.com/example/ 'nonce-abc'" in sent["Content-Security-Policy"]
    assert sent["X-Frame-Options"] == "SAMEORIGIN"  # the rest of the preset stays


def test_django_settings_enforced_and_report_only() -> None:
    result = convert(DJANGO_SETTINGS)
    assert result.config["csp"] == "default-src 'self'"
    assert result.config["csp_report_only"] == "default-src 'none'; report-uri /csp-reports/"
    sent = headers(result.config)
    assert sent["Content-Security-Policy-Report-Only"].endswith("report-uri /csp-reports/")


def test_django_6_table_and_its_constants() -> None:
    django_csp = pytest.importorskip("django.utils.csp")
    csp = django_csp.CSP
    settings = {"default-src": [csp.SELF], "script-src": [csp.SELF, csp.NONCE]}
    assert convert(settings).config["csp"] == f"default-src 'self'; script-src 'self' {NONCE}"


class _BackwardsSet(set[str]):
    """A set that iterates backwards: its order is not the one a header may depend on."""

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(super().__iter__(), reverse=True))


def test_django_6_set_valued_directives_convert_in_sorted_order() -> None:
    # As Django renders them; a set's own order changes with the string hash seed.
    settings = {"SECURE_CSP": {"img-src": _BackwardsSet({"'self'", "data:", "https://a.example"})}}
    assert convert(settings).config["csp"] == "img-src 'self' data: https://a.example"


def test_talisman() -> None:
    result = convert(TALISMAN)
    assert result.config == {
        "preset": "balanced",
        "csp": "default-src 'self'; img-src * data:",
        "nonce": ["script-src"],
        "xfo": "DENY",
        "hsts": {"max_age": 63072000, "include_subdomains": True, "preload": True},
        "referrer": "no-referrer",
        "permissions": "geolocation=(), camera=(self)",
    }
    assert any("force_https" in note for note in result.notes)
    sent = headers(result.config)
    assert sent["Content-Security-Policy"] == (
        "default-src 'self'; img-src * data:; script-src 'self' 'nonce-abc'"
    )
    assert sent["Permissions-Policy"] == "geolocation=(), camera=(self)"
    assert sent["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"


def test_helmet() -> None:
    result = convert(HELMET)
    assert result.config == {
        "preset": "balanced",
        "csp": "default-src 'self'; script-src 'self' https://cdn.example",
        "xfo": "DENY",
        "hsts": {"max_age": 600, "include_subdomains": False, "preload": False},
        "referrer": "no-referrer",
        "coep": False,
    }
    headers(result.config)


# -- the loader recognises the shapes and shows the equivalent --------------------------------


@pytest.mark.parametrize(
    ("settings", "key", "label"),
    [
        (DJANGO_CSP_4, "DIRECTIVES", "django-csp 4's CONTENT_SECURITY_POLICY"),
        (DJANGO_6, "default-src", "Django's SECURE_CSP"),
        (TALISMAN, "content_security_policy", "flask-talisman's"),
        (HELMET, "contentSecurityPolicy", "helmet's"),
    ],
)
def test_peer_shapes_get_their_equivalent_in_the_error(
    settings: dict[str, object], key: str, label: str
) -> None:
    with pytest.raises(ValueError, match="not ours") as excinfo:
        Secure.from_config(settings)
    message = str(excinfo.value)
    assert message.startswith(f"secure config: {key}: unknown key; these are {label} settings")
    assert json.dumps(convert(settings).config) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("config", "base"),
    [
        ({"preset": "strict", "frameguard": {"action": "deny"}}, None),
        ({"frameguard": {"action": "deny"}}, Secure.with_default_headers()),
    ],
    ids=["beside-our-preset", "on-a-base"],
)
def test_peer_settings_beside_ours_get_their_equivalent(
    config: dict[str, object], base: Secure | None
) -> None:
    """Helmet's names next to our keys, or on an integration's base, are still recognised."""
    with pytest.raises(ValueError, match="helmet") as excinfo:
        Secure.from_config(config, base=base)
    assert str(excinfo.value) == (
        "secure config: frameguard: unknown key; these are helmet's settings, not ours; in our "
        'format they are {"xfo": "DENY"} (\'secure convert\' writes this for you) '
        "(see https://typeerror.github.io/secure/configuration/#coming-from-helmet)"
    )


def test_a_list_of_policy_strings_gets_the_string_form() -> None:
    with pytest.raises(
        ValueError, match=r"""write \{"csp": "default-src 'self'; img-src data:"\}"""
    ):
        Secure.from_config({"csp": ["default-src 'self'", "img-src data:"]})


def test_a_permissions_typo_is_an_error_with_the_suggestion() -> None:
    with pytest.raises(ValueError, match=r"permissions\.camra: .*did you mean 'camera'"):
        Secure.from_config({"permissions": {"camra": []}})


def test_unknown_settings_shape_needs_a_source() -> None:
    with pytest.raises(ValueError, match="name the source"):
        convert({"whatever": 1})


# -- the docs section is generated from this converter ---------------------------------------

DOCS = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"
BEGIN = (
    "<!-- generated by tests/test_convert.py from secure.config.convert: do not edit by hand -->"
)
END = "<!-- end of generated section -->"
PEER_EXAMPLES = [
    ("django-csp 4", "CONTENT_SECURITY_POLICY", DJANGO_CSP_4),
    ("Django 6", "SECURE_CSP", DJANGO_6),
    ("flask-talisman", "talisman_options", TALISMAN),
    ("helmet", "helmet_options", HELMET),
]


def generated_section() -> str:
    parts = [
        BEGIN,
        "",
        "Settings written for another library are recognised: the configuration loader's "
        "error shows their equivalent in this format, and `secure convert settings.json` "
        "(JSON or a Python literal) or `secure.config.convert(settings)` writes it. Each "
        "example below is converted by that same code.",
    ]
    for label, name, settings in PEER_EXAMPLES:
        result = convert(settings)
        parts += [
            "",
            f"### Coming from {label}",
            "",
            "```python",
            f"{name} = {pprint.pformat(settings, sort_dicts=False, width=88)}",
            "```",
            "",
            "becomes",
            "",
            "```json",
            json.dumps(result.config, indent=2),
            "```",
        ]
        if result.notes:
            parts += ["", *(f"- {note}" for note in result.notes)]
    parts += ["", END]
    return "\n".join(parts)


def test_docs_section_is_generated_from_the_converter() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    expected = generated_section()
    if os.environ.get("SECURE_UPDATE_DOCS"):
        DOCS.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        return
    assert text[start:end] == expected, "run SECURE_UPDATE_DOCS=1 pytest tests/test_convert.py"


def test_django_6_constants_and_sets_are_accepted_in_our_format() -> None:
    django_csp = pytest.importorskip("django.utils.csp")
    csp = django_csp.CSP
    config = Secure.from_config(
        {"preset": "none", "csp": {"default-src": {csp.SELF}, "script-src": [csp.SELF, csp.NONCE]}}
    )
    assert config.has_nonce
    assert dict(config.header_items(nonce="abc"))["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self' 'nonce-abc'"
    )


def test_set_valued_directives_render_in_a_stable_order() -> None:
    config = Secure.from_config({"preset": "none", "csp": {"img-src": {"data:", "'self'"}}})
    assert config.headers["Content-Security-Policy"] == "img-src 'self' data:"
