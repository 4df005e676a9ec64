"""Per-route overrides: one core value, validated on creation, compiled once per variant."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from secure import NONCE, Override, Preset, Secure
from secure.headers import ContentSecurityPolicy
from secure.headers._csp_grammar import fallback_chain
from secure.middleware import SecureASGIMiddleware, SecureWSGIMiddleware


def csp_of(config: Secure) -> str:
    return config.header_items(nonce="abc")[
        [n for n, _ in config.header_items(nonce="abc")].index("Content-Security-Policy")
    ][1]


# -- a managed header's value goes through its own grammar --------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Frame-Options", "DENNY"),
        ("X-Frame-Options", "ALLOWALL"),
        ("Strict-Transport-Security", "max-age=abc"),
        ("X-Content-Type-Options", "nosnif"),
        ("Referrer-Policy", "no-referer"),
        ("Permissions-Policy", "camera=(self"),
        ("Content-Security-Policy", "default-src 'bogus'"),
    ],
)
def test_bad_values_for_managed_headers_are_refused_like_the_config(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name) as from_override:
        Override(headers={name: value})
    with pytest.raises(ValueError, match=name):
        Secure.with_default_headers().derive(headers={name: value})
    with pytest.raises(ValueError, match=name) as from_config:
        Secure.from_config({"custom": {}, name: value})
    # The same grammar speaks in both places (the configuration adds its docs page).
    assert str(from_override.value) in str(from_config.value)
    assert str(from_config.value).endswith("/)")


def test_valid_managed_values_are_accepted_and_canonically_named() -> None:
    derived = Secure.with_default_headers().derive(headers={"x-frame-options": "DENY"})
    assert derived.headers["X-Frame-Options"] == "DENY"
    assert [n for n, _ in derived.header_items()].count("X-Frame-Options") == 1


def test_a_csp_given_as_a_header_keeps_its_nonce_slot() -> None:
    derived = Secure.with_default_headers().derive(
        headers={"Content-Security-Policy": f"default-src 'self'; script-src {NONCE}"}
    )
    assert derived.has_nonce
    assert csp_of(derived) == "default-src 'self'; script-src 'nonce-abc'"


# -- names the configuration does not send -------------------------------------------------


def test_exempting_a_typo_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(ValueError, match=r"X-Fram-Options: .*did you mean 'X-Frame-Options'"):
        Secure.with_default_headers().derive(exempt=["X-Fram-Options"])


def test_removing_a_header_not_sent_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"Cache-Control: cannot remove"):
        Secure.with_default_headers().derive(headers={"Cache-Control": None})


def test_a_new_header_close_to_a_known_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"did you mean 'X-Frame-Options'"):
        Secure.with_default_headers().derive(headers={"X-Fram-Options": "DENY"})


def test_a_genuinely_new_header_is_added() -> None:
    derived = Secure.with_default_headers().derive(headers={"X-Robots-Tag": "noindex"})
    assert derived.headers["X-Robots-Tag"] == "noindex"


def test_exempt_all_sends_nothing() -> None:
    assert Secure.with_default_headers().derive(exempt_all=True).header_items() == ()


def test_exempt_all_then_set_sends_only_what_the_override_sets() -> None:
    derived = Secure.with_default_headers().derive(
        exempt_all=True, headers={"X-Frame-Options": "DENY"}, exempt=["Server"]
    )
    assert list(derived.header_items()) == [("X-Frame-Options", "DENY")]


# -- adding sources keeps what the directive allowed ----------------------------------------


@pytest.mark.parametrize("directive", ["img-src", "connect-src", "frame-src", "font-src"])
def test_adding_a_cdn_under_strict_keeps_self(directive: str) -> None:
    strict = Secure.from_preset(Preset.STRICT)
    derived = strict.derive(csp_sources={directive: ["https://cdn.example"]})
    policy = ContentSecurityPolicy().set(csp_of(derived)).directives
    assert policy[directive] == ("'self'", "https://cdn.example")
    assert policy["default-src"] == ("'self'",)  # untouched


def test_element_directive_starts_from_script_src() -> None:
    base = Secure(csp=ContentSecurityPolicy().default_src("'none'").script_src("'self'"))
    derived = base.derive(csp_sources={"script-src-elem": ["https://js.example"]})
    policy = ContentSecurityPolicy().set(csp_of(derived)).directives
    assert policy["script-src-elem"] == ("'self'", "https://js.example")


def test_none_is_replaced_not_joined() -> None:
    base = Secure(csp=ContentSecurityPolicy().default_src("'none'"))
    derived = base.derive(csp_sources={"img-src": ["https://img.example"]})
    assert csp_of(derived) == "default-src 'none'; img-src https://img.example"


def test_fallback_chains_follow_csp3() -> None:
    assert fallback_chain("img-src") == ("img-src", "default-src")
    assert fallback_chain("script-src-elem") == ("script-src-elem", "script-src", "default-src")
    assert fallback_chain("worker-src") == ("worker-src", "child-src", "script-src", "default-src")
    assert fallback_chain("base-uri") == ("base-uri",)


def test_config_and_overrides_share_the_fallback_rule() -> None:
    # The config loader's nonce uses the same rule: a missing script-src starts from
    # default-src, so the nonce is added beside 'self' rather than replacing it.
    config = Secure.from_config(
        {"preset": "none", "csp": {"default-src": ["'self'"]}, "nonce": True}
    )
    assert csp_of(config) == "default-src 'self'; script-src 'self' 'nonce-abc'"
    derived = Secure(csp=ContentSecurityPolicy().default_src("'self'")).derive(
        csp_sources={"script-src": [NONCE]}
    )
    assert csp_of(derived) == csp_of(config)


# -- the nonce goes into every directive that governs the element kind ------------------------


def test_nonce_goes_into_script_src_elem_when_present() -> None:
    config = Secure.from_config(
        {
            "preset": "none",
            "csp": {"default-src": ["'self'"], "script-src-elem": ["'self'"]},
            "nonce": True,
        }
    )
    policy = ContentSecurityPolicy().set(csp_of(config)).directives
    assert policy["script-src"] == ("'self'", "'nonce-abc'")
    assert policy["script-src-elem"] == ("'self'", "'nonce-abc'")


def test_nonce_goes_into_style_src_elem_when_styles_are_nonced() -> None:
    config = Secure.from_config(
        {
            "preset": "none",
            "csp": {"default-src": ["'self'"], "style-src-elem": ["'self'"]},
            "nonce": ["script-src", "style-src"],
        }
    )
    policy = ContentSecurityPolicy().set(csp_of(config)).directives
    assert "'nonce-abc'" in policy["style-src"]
    assert "'nonce-abc'" in policy["style-src-elem"]
    assert "script-src-elem" not in policy  # not added where the policy had none


# -- header names differing only in case are one header -------------------------------------


def test_override_names_differing_in_case_are_an_error() -> None:
    with pytest.raises(ValueError, match="case-insensitive"):
        Override(headers={"X-Robots-Tag": "noindex", "x-robots-tag": "none"})


def test_config_custom_names_differing_in_case_are_an_error() -> None:
    with pytest.raises(ValueError, match=r"custom\.x-robots-tag: given twice"):
        Secure.from_config({"custom": {"X-Robots-Tag": "noindex", "x-robots-tag": "none"}})


def test_an_override_replaces_a_header_whatever_its_case() -> None:
    base = Secure.from_config({"custom": {"X-Robots-Tag": "noindex"}})
    derived = base.derive(headers={"x-robots-tag": "none"})
    items = [(n, v) for n, v in derived.header_items() if n.lower() == "x-robots-tag"]
    assert items == [("x-robots-tag", "none")]


# -- the value itself ------------------------------------------------------------------------


def test_override_is_immutable_hashable_and_picklable() -> None:
    override = Override(
        headers={"X-Frame-Options": "DENY"},
        csp_sources={"img-src": "https://cdn.example"},
        exempt="Server",
    )
    with pytest.raises(AttributeError):
        override.exempt = ()  # type: ignore[misc]
    again = pickle.loads(pickle.dumps(override))
    assert again == override and hash(again) == hash(override)
    assert {override: 1}[again] == 1
    assert override.csp_sources == (("img-src", ("https://cdn.example",)),)


def test_overrides_compose_right_wins() -> None:
    left = Override(headers={"X-Frame-Options": "DENY"}, exempt=["Server"])
    right = Override(headers={"X-Frame-Options": "SAMEORIGIN"}, csp_sources={"img-src": ["a.b"]})
    both = left | right
    assert dict(both.headers) == {"X-Frame-Options": "SAMEORIGIN"}
    assert both.exempt == ("Server",)
    assert both.csp_sources == (("img-src", ("a.b",)),)
    # Setting a header again un-exempts it.
    assert (Override(exempt=["Server"]) | Override(headers={"Server": "x"})).exempt == ()


def test_derive_accepts_an_override_and_keywords_together() -> None:
    base = Secure.with_default_headers()
    derived = base.derive(Override(exempt=["Server"]), headers={"X-Frame-Options": "DENY"})
    assert "Server" not in derived.headers
    assert derived.headers["X-Frame-Options"] == "DENY"
    assert base.headers["X-Frame-Options"] == "SAMEORIGIN"  # untouched


def test_snapshot_per_override_is_compiled_once_and_bounded() -> None:
    base = Secure.with_default_headers()
    override = Override(exempt=["X-Frame-Options"])
    first = base.snapshot(override)
    assert "x-frame-options" not in first.names
    assert base.derive(override) is not base.derive(override)  # each caller's own copy
    variants = base._state.variants
    assert variants[override] is variants[Override(exempt=["x-frame-options"])]
    assert base.snapshot(override) is first  # compiled once
    for i in range(300):
        base.snapshot(Override(headers={"X-Variant": str(i)}))
    assert len(base._state.variants) <= 256


def test_derive_edits_builders_and_never_parses_rendered_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = Secure.from_preset(Preset.STRICT)

    def refuse(self: ContentSecurityPolicy, value: str) -> ContentSecurityPolicy:
        raise AssertionError("parsed a rendered policy back")

    monkeypatch.setattr(ContentSecurityPolicy, "set", refuse)
    derived = base.derive(csp_sources={"img-src": ["https://cdn.example"]})
    assert "https://cdn.example" in derived.headers["Content-Security-Policy"]
    edited = Secure.from_config({"csp": {"img-src": ["'self'", "data:"]}}, base=base)
    assert "img-src 'self' data:" in edited.headers["Content-Security-Policy"]


def test_a_builder_changed_after_construction_reaches_secure_but_no_plan_taken() -> None:
    # Secure follows the builders it was given (secure 2.x's behaviour); a compiled
    # plan, a copy and a derived variant taken before the change keep what they had.
    csp = ContentSecurityPolicy().default_src("'self'")
    config = Secure(csp=csp)
    plan, copy, derived = config.snapshot(), config.copy(), config.derive(exempt=())
    csp.default_src("'none'")
    assert config.headers["Content-Security-Policy"] == "default-src 'none'"
    assert plan.items == (("Content-Security-Policy", "default-src 'self'", False),)
    assert copy.headers["Content-Security-Policy"] == "default-src 'self'"
    assert derived.headers["Content-Security-Policy"] == "default-src 'self'"
    assert config.snapshot() is not plan


# -- the middleware picks a per-route plan through select= ----------------------------------


def _wsgi_app(environ: dict[str, object], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Frame-Options", "DENY")])
    return [b"ok"]


def _run_wsgi(app: Any, path: str) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Any:
        seen.extend(headers)
        return lambda data: None

    app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response)
    return seen


def test_wsgi_select_picks_a_compiled_plan_per_route() -> None:
    embeddable = Override(exempt=["X-Frame-Options"], csp_sources={"frame-ancestors": ["*"]})
    app = SecureWSGIMiddleware(
        _wsgi_app,
        secure=Secure.with_default_headers(),
        select=lambda environ: embeddable if environ["PATH_INFO"] == "/embed" else None,
    )
    default = dict(_run_wsgi(app, "/"))
    assert default["X-Frame-Options"] == "SAMEORIGIN"
    embed = _run_wsgi(app, "/embed")
    # Ours no longer replaces the app's header on that route: the app's own DENY passes.
    assert [v for n, v in embed if n == "X-Frame-Options"] == ["DENY"]
    assert "frame-ancestors 'self' *" in dict(embed)["Content-Security-Policy"]
    assert app.plan_for({"PATH_INFO": "/embed"}) is app.plan_for({"PATH_INFO": "/embed"})


def test_a_route_whose_override_adds_a_nonce_gets_one() -> None:
    nonced = Override(csp_sources={"script-src": [NONCE]})
    app = SecureWSGIMiddleware(
        _wsgi_app, secure=Secure.with_default_headers(), select=lambda environ: nonced
    )
    csp = dict(_run_wsgi(app, "/"))["Content-Security-Policy"]
    assert "'nonce-{nonce}'" not in csp and "'nonce-" in csp


def test_asgi_select_sees_the_scope_after_routing() -> None:
    import asyncio

    async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["route"] = "/embed"  # as a router records the matched route
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    app = SecureASGIMiddleware(
        asgi_app,
        secure=Secure.with_default_headers(),
        select=lambda scope: Override(exempt="X-Frame-Options") if scope.get("route") else None,
    )
    asyncio.run(app({"type": "http", "path": "/"}, None, send))  # type: ignore[arg-type]
    names = [name for name, _ in sent[0]["headers"]]
    assert b"x-frame-options" not in names and b"content-security-policy" in names


def test_asgi_respond_does_what_awaiting_the_middleware_does() -> None:
    import asyncio

    async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    def names_sent(app: SecureASGIMiddleware, respond: bool, scope: dict[str, Any]) -> list[bytes]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        call = app._respond if respond else app
        asyncio.run(call(scope, None, send))  # type: ignore[arg-type]
        return [name for name, _ in sent[0]["headers"]]

    exempt = Override(exempt=["X-Frame-Options"])
    selecting = SecureASGIMiddleware(
        asgi_app,
        select=lambda scope: exempt if scope["path"] == "/embed" else None,
        exclude=["/raw/"],
    )
    static = SecureASGIMiddleware(asgi_app)
    static_excluding = SecureASGIMiddleware(asgi_app, exclude=["/raw/"])
    nonced = SecureASGIMiddleware(
        asgi_app, secure=Secure.with_default_headers().derive(csp_sources={"script-src": [NONCE]})
    )
    for app in (selecting, static, static_excluding, nonced):
        for path in ("/", "/embed", "/raw/file"):
            scope = {"type": "http", "path": path, "root_path": ""}
            assert names_sent(app, True, dict(scope)) == names_sent(app, False, dict(scope))
    assert names_sent(selecting, True, {"type": "http", "path": "/raw/x", "root_path": ""}) == []
    embed = names_sent(selecting, True, {"type": "http", "path": "/embed", "root_path": ""})
    assert b"x-frame-options" not in embed and b"content-security-policy" in embed


def test_select_and_exclude_are_fixed_at_construction() -> None:
    # The middleware picks each request's path from them once, when it is created: a
    # later assignment would be silently ignored, so it is refused.
    for app in (SecureASGIMiddleware(_wsgi_app), SecureWSGIMiddleware(_wsgi_app)):
        with pytest.raises(AttributeError):
            app.select = lambda where: None  # type: ignore[misc]
        with pytest.raises(AttributeError):
            app.exclude = None  # type: ignore[misc]
        assert app.select is None and app.exclude is None


def test_select_needs_the_configuration_not_a_snapshot() -> None:
    with pytest.raises(TypeError, match="select= needs the Secure"):
        SecureWSGIMiddleware(
            _wsgi_app, secure=Secure.with_default_headers().snapshot(), select=lambda e: None
        )
