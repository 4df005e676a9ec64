"""Code written for ``secure`` 2.x's documented API runs here, with 2.x's behaviour.

Each test restates something 2.x's README or its documentation pages promise (import
paths, builder methods, defaults, errors), in our own words. Where this library
deliberately differs (docs/migration.md lists each difference with the one-line change),
the test says so and checks our behaviour instead.
"""

from __future__ import annotations

import asyncio
import importlib
from enum import Enum
from typing import Any

import pytest

import secure
from secure import (
    CacheControl,
    ContentSecurityPolicy,
    CrossOriginEmbedderPolicy,
    CrossOriginOpenerPolicy,
    CrossOriginResourcePolicy,
    CustomHeader,
    PermissionsPolicy,
    Preset,
    ReferrerPolicy,
    Secure,
    Server,
    StrictTransportSecurity,
    XContentTypeOptions,
    XDnsPrefetchControl,
    XFrameOptions,
    XPermittedCrossDomainPolicies,
)
from secure.headers.base_header import BaseHeader, HeaderDefaultValue, HeaderName

CSP_DEFAULT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)
PP_DEFAULT = "geolocation=(), microphone=(), camera=()"

# 2.x's builder modules, each holding the class of the same name.
BUILDER_MODULES = {
    "cache_control": "CacheControl",
    "content_security_policy": "ContentSecurityPolicy",
    "cross_origin_embedder_policy": "CrossOriginEmbedderPolicy",
    "cross_origin_opener_policy": "CrossOriginOpenerPolicy",
    "cross_origin_resource_policy": "CrossOriginResourcePolicy",
    "custom_header": "CustomHeader",
    "permissions_policy": "PermissionsPolicy",
    "referrer_policy": "ReferrerPolicy",
    "server": "Server",
    "strict_transport_security": "StrictTransportSecurity",
    "x_content_type_options": "XContentTypeOptions",
    "x_dns_prefetch_control": "XDnsPrefetchControl",
    "x_frame_options": "XFrameOptions",
    "x_permitted_cross_domain_policies": "XPermittedCrossDomainPolicies",
}


class DictResponse:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


# --- import paths --------------------------------------------------------------------------


def test_the_2x_module_paths_import() -> None:
    from secure.secure import (
        COMMA_JOIN_OK,
        DEFAULT_ALLOWED_HEADERS,
        MULTI_OK,
        HeaderSetError,
    )
    from secure.secure import Preset as SecurePreset
    from secure.secure import Secure as SecureClass

    assert SecureClass is Secure and SecurePreset is Preset
    assert HeaderSetError is secure.HeaderSetError
    assert (COMMA_JOIN_OK, DEFAULT_ALLOWED_HEADERS, MULTI_OK) == (
        secure.COMMA_JOIN_OK,
        secure.DEFAULT_ALLOWED_HEADERS,
        secure.MULTI_OK,
    )
    assert BaseHeader is secure.headers.BaseHeader


@pytest.mark.parametrize(("module", "name"), BUILDER_MODULES.items())
def test_every_builder_imports_from_its_2x_module(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(f"secure.headers.{module}"), name)
    assert cls is getattr(secure, name) is getattr(secure.headers, name)
    assert issubclass(cls, BaseHeader)


def test_header_name_enum_names_each_builders_header() -> None:
    assert issubclass(HeaderName, Enum)
    assert HeaderName.CACHE_CONTROL.value == "Cache-Control"
    assert HeaderName.PERMISSION_POLICY.value == "Permissions-Policy"
    assert HeaderName.CONTENT_SECURITY_POLICY_REPORT_ONLY.value == (
        "Content-Security-Policy-Report-Only"
    )
    builders = {
        getattr(secure, name)().header_name
        for name in BUILDER_MODULES.values()
        if name != "CustomHeader"
    }
    names = {member.value for member in HeaderName}
    assert names - builders == {"Content-Security-Policy-Report-Only"}


def test_header_default_value_enum_is_what_each_builder_sends() -> None:
    assert {member.name: member.value for member in HeaderDefaultValue} == {
        "CACHE_CONTROL": "no-store, max-age=0",
        "CONTENT_SECURITY_POLICY": CSP_DEFAULT,
        "CROSS_ORIGIN_EMBEDDER_POLICY": "require-corp",
        "CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "PERMISSION_POLICY": PP_DEFAULT,
        "REFERRER_POLICY": "strict-origin-when-cross-origin",
        "SERVER": "",
        "STRICT_TRANSPORT_SECURITY": "max-age=31536000",
        "X_CONTENT_TYPE_OPTIONS": "nosniff",
        "X_DNS_PREFETCH_CONTROL": "off",
        "X_FRAME_OPTIONS": "SAMEORIGIN",
        "X_PERMITTED_CROSS_DOMAIN_POLICIES": "none",
    }


# --- errors ----------------------------------------------------------------------------------


class RefusingResponse:
    def set_header(self, name: str, value: str) -> None:
        raise KeyError(name)


def test_header_set_error_is_a_runtime_error() -> None:
    from secure.secure import HeaderSetError

    assert issubclass(HeaderSetError, RuntimeError)
    with pytest.raises(RuntimeError) as excinfo:
        Secure(xfo=XFrameOptions()).set_headers(RefusingResponse())
    assert isinstance(excinfo.value, HeaderSetError)
    assert isinstance(excinfo.value.__cause__, KeyError)


# --- value(): every builder -------------------------------------------------------------------


VALUES: list[tuple[BaseHeader, str]] = [
    (CacheControl().no_cache(), "no-store, max-age=0"),
    (ContentSecurityPolicy().img_src("'self'"), "script-src 'none'"),
    (CrossOriginEmbedderPolicy(), "credentialless"),
    (CrossOriginOpenerPolicy(), "unsafe-none"),
    (CrossOriginResourcePolicy(), "same-site"),
    (CustomHeader("X-Custom-Header", "CustomValue"), "NewValue"),
    (PermissionsPolicy().usb(), "camera=()"),
    (ReferrerPolicy().same_origin(), "no-referrer"),
    (Server(), "edge"),
    (StrictTransportSecurity().include_subdomains(), "max-age=300"),
    (XContentTypeOptions(), "nosniff"),
    (XDnsPrefetchControl(), "on"),
    (XFrameOptions(), "DENY"),
    (XPermittedCrossDomainPolicies(), "master-only"),
]


@pytest.mark.parametrize(("builder", "raw"), VALUES, ids=lambda v: type(v).__name__)
def test_value_replaces_the_whole_header_value(builder: BaseHeader, raw: str) -> None:
    copy = builder.copy()
    assert copy.value(raw) is copy
    assert copy.header_value == raw
    # set() replaces too, except on a configured ReferrerPolicy, where 2.x appends.
    assert copy == builder.copy().clear().set(raw)


@pytest.mark.parametrize(("builder", "raw"), VALUES, ids=lambda v: type(v).__name__)
def test_value_refuses_header_splitting(builder: BaseHeader, raw: str) -> None:
    # Deliberate difference: 2.x drops or rejects CR/LF later (or only in the pipeline);
    # here a control character is a ValueError naming the header when it is configured.
    with pytest.raises(ValueError, match=builder.header_name):
        builder.copy().value(f"{raw}\r\nSet-Cookie: a=b")


# --- Cache-Control ----------------------------------------------------------------------------


def test_cache_control_default_and_recipes() -> None:
    cc = CacheControl()
    assert (cc.header_name, cc.header_value) == ("Cache-Control", "no-store, max-age=0")
    assert Secure(cache=CacheControl()).headers["Cache-Control"] == "no-store, max-age=0"
    assert CacheControl().no_cache().header_value == "no-cache"
    assert CacheControl().public().max_age(31536000).immutable().header_value == (
        "public, max-age=31536000, immutable"
    )
    assert CacheControl().s_maxage(604800).max_age(60).header_value == (
        "s-maxage=604800, max-age=60"
    )
    assert (
        CacheControl()
        .max_age(604800)
        .stale_while_revalidate(86400)
        .stale_if_error(86400)
        .header_value
        == "max-age=604800, stale-while-revalidate=86400, stale-if-error=86400"
    )
    # Repeating a parameterised directive overwrites it.
    assert CacheControl().max_age(60).max_age(0).header_value == "max-age=0"
    assert CacheControl().no_cache().clear().header_value == "no-store, max-age=0"
    assert CacheControl().must_understand().no_store().header_value == ("must-understand, no-store")


def test_cache_control_2x_spellings_and_request_directives() -> None:
    assert CacheControl().s_max_age(10).header_value == "s-maxage=10"
    assert CacheControl().max_stale().header_value == "max-stale"
    assert CacheControl().max_stale(5).header_value == "max-stale=5"
    assert CacheControl().min_fresh(5).header_value == "min-fresh=5"
    assert CacheControl().only_if_cached().header_value == "only-if-cached"
    # The rendering reads back with the builder's own grammar.
    raw = "max-stale, min-fresh=5, only-if-cached"
    assert CacheControl().set(raw).header_value == raw
    with pytest.raises(ValueError, match="Cache-Control"):
        CacheControl().min_fresh(-1)


def test_cache_control_custom_appends_one_directive() -> None:
    assert CacheControl().custom("no-cache").header_value == "no-cache"
    assert CacheControl().no_store().custom("must-revalidate").header_value == (
        "no-store, must-revalidate"
    )
    assert CacheControl().custom("max-age=5").custom("max-age=6").header_value == "max-age=6"


def test_cache_control_custom_refuses_what_rfc_9111_does_not_define() -> None:
    # Deliberate difference: unknown tokens are refused; send such a value whole with
    # CustomHeader("Cache-Control", "...") instead.
    builder = CacheControl().no_store()
    with pytest.raises(ValueError, match=r"^Cache-Control: unknown directive 'x-cache-mode'"):
        builder.custom("x-cache-mode=aggressive")
    with pytest.raises(ValueError, match="Cache-Control"):
        builder.custom("no-store\r\nX: y")
    with pytest.raises(ValueError, match="conflicts"):
        CacheControl().private().custom("public")
    assert builder.header_value == "no-store"  # a refused call changes nothing
    assert CustomHeader("Cache-Control", "x-cache-mode=aggressive").header_value == (
        "x-cache-mode=aggressive"
    )


# --- Content-Security-Policy -------------------------------------------------------------------


def test_csp_documented_examples() -> None:
    csp = ContentSecurityPolicy().default_src("'self'").script_src("'self'").object_src("'none'")
    assert csp.header_name == "Content-Security-Policy"
    assert csp.header_value == "default-src 'self'; script-src 'self'; object-src 'none'"
    readme = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", "cdn.typeerror.com")
        .style_src("'unsafe-inline'")
        .img_src("'self'", "images.typeerror.com")
        .connect_src("'self'", "api.typeerror.com")
    )
    assert readme.header_value == (
        "default-src 'self'; script-src 'self' cdn.typeerror.com; style-src 'unsafe-inline'; "
        "img-src 'self' images.typeerror.com; connect-src 'self' api.typeerror.com"
    )
    assert ContentSecurityPolicy.nonce("abc123") == "'nonce-abc123'"
    strict_dynamic = ContentSecurityPolicy().script_src(
        ContentSecurityPolicy().nonce("abc123"), "'strict-dynamic'"
    )
    assert strict_dynamic.header_value == "script-src 'nonce-abc123' 'strict-dynamic'"


def test_csp_without_directives_sends_the_2x_default() -> None:
    assert ContentSecurityPolicy().header_value == CSP_DEFAULT
    assert Secure(csp=ContentSecurityPolicy()).headers["Content-Security-Policy"] == CSP_DEFAULT
    assert ContentSecurityPolicy().img_src("'self'").clear().header_value == CSP_DEFAULT


def test_csp_report_only_then_enforce() -> None:
    csp = ContentSecurityPolicy().default_src("'self'").report_only()
    assert csp.header_name == "Content-Security-Policy-Report-Only"
    assert csp.enforce() is csp
    assert (csp.header_name, csp.header_value) == ("Content-Security-Policy", "default-src 'self'")


def test_csp_custom_sets_any_directive() -> None:
    assert ContentSecurityPolicy().custom("navigate-to", "'self'").header_value == (
        "navigate-to 'self'"
    )
    csp = ContentSecurityPolicy().default_src("'self'").value("script-src 'none'")
    assert csp.header_value == "script-src 'none'"
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        ContentSecurityPolicy().custom("navigate-to", "'self'; script-src *")


# --- Permissions-Policy -------------------------------------------------------------------------


def test_permissions_policy_documented_examples() -> None:
    assert PermissionsPolicy().geolocation().camera().microphone().header_value == (
        "geolocation=(), camera=(), microphone=()"
    )
    readme = PermissionsPolicy().geolocation("'self'").camera("'none'").microphone("'none'")
    assert readme.header_value == "geolocation=(self), camera=(), microphone=()"
    assert PermissionsPolicy().add_directive("usb", "'self'").header_value == "usb=(self)"
    assert PermissionsPolicy().directive("ch-ua", "self").header_value == "ch-ua=(self)"
    assert PermissionsPolicy().geolocation("*").header_value == "geolocation=*"


def test_permissions_policy_without_features_sends_the_2x_default() -> None:
    assert PermissionsPolicy().header_value == PP_DEFAULT
    assert PermissionsPolicy().usb().clear().header_value == PP_DEFAULT
    assert Secure(permissions=PermissionsPolicy()).headers["Permissions-Policy"] == PP_DEFAULT


@pytest.mark.parametrize(
    ("method", "feature"),
    [
        ("aria_notify", "aria-notify"),
        ("document_domain", "document-domain"),
        ("language_detector", "language-detector"),
        ("on_device_speech_recognition", "on-device-speech-recognition"),
        ("summarizer", "summarizer"),
        ("translator", "translator"),
    ],
)
def test_permissions_policy_features_2x_had(method: str, feature: str) -> None:
    policy: PermissionsPolicy = getattr(PermissionsPolicy(), method)("'self'")
    assert policy.header_value == f"{feature}=(self)"
    assert getattr(PermissionsPolicy(), method)().header_value == f"{feature}=()"


# --- Referrer-Policy ---------------------------------------------------------------------------


def test_referrer_policy_documented_api() -> None:
    assert ReferrerPolicy().header_value == "strict-origin-when-cross-origin"
    assert ReferrerPolicy().value("no-referrer").header_value == "no-referrer"
    assert ReferrerPolicy().no_referrer().header_value == "no-referrer"
    fallback = ReferrerPolicy().fallback("no-referrer", "strict-origin-when-cross-origin")
    assert (fallback.header_name, fallback.header_value) == (
        "Referrer-Policy",
        "no-referrer, strict-origin-when-cross-origin",
    )
    added = ReferrerPolicy().clear().add("no-referrer").add("strict-origin-when-cross-origin")
    assert added.header_value == fallback.header_value
    assert ReferrerPolicy().add("no-referrer, same-origin").header_value == (
        "no-referrer, same-origin"
    )
    # Duplicate tokens are ignored.
    assert ReferrerPolicy().add("no-referrer").add("same-origin").add(
        "no-referrer"
    ).header_value == ("no-referrer, same-origin")
    # set() appends like add(), as 2.x documents; on a new builder it is the value.
    assert ReferrerPolicy().no_referrer().set("same-origin").header_value == (
        "no-referrer, same-origin"
    )
    assert ReferrerPolicy().no_referrer().set("no-referrer, origin").header_value == (
        "no-referrer, origin"
    )
    assert ReferrerPolicy().set("same-origin").header_value == "same-origin"
    with pytest.raises(ValueError, match="bogus"):
        ReferrerPolicy().origin().set("origin, bogus")
    # value()/custom() replace whatever was configured.
    assert ReferrerPolicy().no_referrer().value("origin").header_value == "origin"
    assert ReferrerPolicy().no_referrer().custom("same-origin, origin").header_value == (
        "same-origin, origin"
    )
    assert ReferrerPolicy().same_origin().fallback().header_value == (
        "strict-origin-when-cross-origin"
    )
    assert ReferrerPolicy().no_referrer().clear().header_value == "strict-origin-when-cross-origin"


def test_referrer_policy_refuses_unknown_policies() -> None:
    # Deliberate difference: 2.x sends any token; an unknown policy is refused here.
    builder = ReferrerPolicy().same_origin()
    with pytest.raises(ValueError, match=r"^Referrer-Policy: unknown policy 'bogus'"):
        builder.add("bogus")
    with pytest.raises(ValueError, match="Referrer-Policy"):
        builder.fallback("no-referrer", "bogus")
    assert builder.header_value == "same-origin"  # a refused call changes nothing


# --- the single-token headers ---------------------------------------------------------------------


def test_dns_prefetch_control_documented_api() -> None:
    xdfc = XDnsPrefetchControl()
    assert (xdfc.header_name, xdfc.header_value) == ("X-DNS-Prefetch-Control", "off")
    assert XDnsPrefetchControl().on().header_value == "on"
    assert XDnsPrefetchControl().allow().header_value == "on"
    assert XDnsPrefetchControl().on().disable().header_value == "off"
    # value() normalises the case for stable output.
    assert XDnsPrefetchControl().value("ON").header_value == "on"
    assert XDnsPrefetchControl().value("Off").header_value == "off"
    assert XDnsPrefetchControl().custom("off").header_value == "off"
    assert XDnsPrefetchControl().on().clear().header_value == "off"
    with pytest.raises(ValueError, match="X-DNS-Prefetch-Control"):
        XDnsPrefetchControl().value("maybe")


def test_permitted_cross_domain_policies_documented_api() -> None:
    xpcdp = XPermittedCrossDomainPolicies()
    assert (xpcdp.header_name, xpcdp.header_value) == ("X-Permitted-Cross-Domain-Policies", "none")
    for method, token in [
        ("master_only", "master-only"),
        ("by_content_type", "by-content-type"),
        ("by_ftp_filename", "by-ftp-filename"),
        ("all", "all"),
        ("none_this_response", "none-this-response"),
    ]:
        assert getattr(XPermittedCrossDomainPolicies(), method)().header_value == token
        assert XPermittedCrossDomainPolicies().policy(token).header_value == token
    with pytest.raises(ValueError, match="X-Permitted-Cross-Domain-Policies"):
        XPermittedCrossDomainPolicies().policy("bogus")
    assert XPermittedCrossDomainPolicies().custom("master-only").header_value == "master-only"
    assert XPermittedCrossDomainPolicies().all().clear().header_value == "none"


def test_opener_embedder_resource_policies_documented_api() -> None:
    assert CrossOriginOpenerPolicy().header_value == "same-origin"
    assert CrossOriginOpenerPolicy().custom("same-origin-allow-popups").header_value == (
        "same-origin-allow-popups"
    )
    assert CrossOriginOpenerPolicy().noopener_allow_popups().clear().header_value == "same-origin"
    assert CrossOriginEmbedderPolicy().credentialless().header_value == "credentialless"
    assert CrossOriginEmbedderPolicy().unsafe_none().clear().header_value == "require-corp"
    assert CrossOriginResourcePolicy().same_site().header_value == "same-site"
    assert CrossOriginResourcePolicy().cross_origin().clear().header_value == "same-origin"


def test_frame_options_documented_api() -> None:
    assert XFrameOptions().header_value == "SAMEORIGIN"
    assert XFrameOptions().deny().header_value == "DENY"
    assert XFrameOptions().custom("SAMEORIGIN").header_value == "SAMEORIGIN"
    assert XFrameOptions().deny().clear().header_value == "SAMEORIGIN"


def test_frame_options_allow_from_is_refused_with_the_replacement() -> None:
    # Browsers ignore ALLOW-FROM; the error points at CSP frame-ancestors.
    with pytest.raises(ValueError, match="frame-ancestors") as excinfo:
        XFrameOptions().allow_from("https://partner.example")
    assert str(excinfo.value).startswith("X-Frame-Options: ")


def test_hsts_documented_api() -> None:
    assert StrictTransportSecurity().header_value == "max-age=31536000"
    assert StrictTransportSecurity().max_age(31536000).include_subdomains().header_value == (
        "max-age=31536000; includeSubDomains"
    )
    # preload() also turns includeSubDomains on, and needs a year of max-age.
    assert StrictTransportSecurity().max_age(31536000).preload().header_value == (
        "max-age=31536000; includeSubDomains; preload"
    )
    with pytest.raises(ValueError, match="Strict-Transport-Security"):
        StrictTransportSecurity().max_age(100).preload().header_value  # noqa: B018
    assert StrictTransportSecurity().value("max-age=5").header_value == "max-age=5"
    assert StrictTransportSecurity().max_age(5).clear().header_value == "max-age=31536000"


def test_simple_headers_documented_api() -> None:
    assert XContentTypeOptions().nosniff().header_value == "nosniff"
    assert XContentTypeOptions().set("nosniff").clear().header_value == "nosniff"
    assert (Server().set("").header_name, Server().set("").header_value) == ("Server", "")
    custom = CustomHeader("X-Custom-Header", "CustomValue")
    assert (custom.header_name, custom.header_value) == ("X-Custom-Header", "CustomValue")
    custom.set("NewValue")
    assert custom.header_value == "NewValue"


# --- Secure as 2.x documents it --------------------------------------------


def test_configuration_guide_examples() -> None:
    assert Secure(xfo=XFrameOptions().sameorigin()).headers["X-Frame-Options"] == "SAMEORIGIN"
    hsts = StrictTransportSecurity().max_age(63072000).include_subdomains().preload()
    assert Secure(hsts=hsts).headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains; preload"
    )
    custom = Secure(custom=[CustomHeader("X-Custom-Header", "CustomValue")])
    assert list(custom.header_items()) == [("X-Custom-Header", "CustomValue")]
    # with_default_headers() called on an instance, as one framework guide writes it
    assert Secure().with_default_headers() == Secure.from_preset(Preset.BALANCED)


def test_presets_match_2_0_1_except_balanced_coop() -> None:
    basic = dict(Secure.from_preset(Preset.BASIC).header_items())
    strict = dict(Secure.from_preset(Preset.STRICT).header_items())
    balanced = dict(Secure.from_preset(Preset.BALANCED).header_items())
    assert basic["Cross-Origin-Opener-Policy"] == "same-origin"
    assert basic["X-XSS-Protection"] == "0"
    assert strict["Cache-Control"] == "no-store, max-age=0"
    assert strict["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    # Deliberate difference: BALANCED sends the documented list, which has no COOP.
    assert "Cross-Origin-Opener-Policy" not in balanced


def test_set_headers_sync_and_async() -> None:
    secure_headers = Secure.with_default_headers()
    response = DictResponse()
    assert secure_headers.set_headers(response) is None
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"

    class AsyncResponse:
        def __init__(self) -> None:
            self.seen: dict[str, str] = {}

        async def set_header(self, name: str, value: str) -> None:
            self.seen[name] = value

    async_response = AsyncResponse()
    asyncio.run(secure_headers.set_headers_async(async_response))
    assert async_response.seen == response.headers
    with pytest.raises(RuntimeError, match="set_headers_async"):
        secure_headers.set_headers(AsyncResponse())
    with pytest.raises(AttributeError):
        secure_headers.set_headers(object())


def test_multi_valued_headers_through_header_items() -> None:
    class MultiHeaders:
        def __init__(self) -> None:
            self.items: list[tuple[str, str]] = []

        def add(self, name: str, value: str) -> None:
            self.items.append((name, value))

    headers = MultiHeaders()
    secure_headers = Secure.with_default_headers()
    for name, value in secure_headers.header_items():
        headers.add(name, value)
    assert headers.items == list(secure_headers.header_items())


def test_cherrypy_style_update_from_headers() -> None:
    target: dict[str, Any] = {}
    target.update(Secure.with_default_headers().headers)
    assert target["X-Content-Type-Options"] == "nosniff"


def test_flask_after_request_example() -> None:
    flask = pytest.importorskip("flask")
    app = flask.Flask(__name__)
    secure_headers = Secure.from_preset(Preset.STRICT)

    @app.after_request
    def add_security_headers(response: Any) -> Any:
        secure_headers.set_headers(response)
        return response

    @app.route("/")
    def home() -> str:
        return "Hello, world"

    response = app.test_client().get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store, max-age=0"


def test_starlette_http_middleware_example() -> None:
    pytest.importorskip("httpx")
    from starlette.applications import Starlette
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import Response
    from starlette.routing import Route
    from starlette.testclient import TestClient

    secure_headers = Secure.with_default_headers()

    async def homepage(request: Any) -> Response:
        return Response("Hello, world")

    class SecurityHeadersMiddleware(BaseHTTPMiddleware):
        async def dispatch(self, request: Any, call_next: Any) -> Any:
            response = await call_next(request)
            await secure_headers.set_headers_async(response)
            return response

    app = Starlette(routes=[Route("/", homepage)])
    app.add_middleware(SecurityHeadersMiddleware)
    with TestClient(app) as client:
        headers = client.get("/").headers
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["permissions-policy"] == PP_DEFAULT


def test_str_lists_name_colon_value_lines() -> None:
    # 2.x documents print(secure_headers) as one "Name: value" line per header.
    from secure import Secure, XContentTypeOptions, XFrameOptions

    secure_headers = Secure(xfo=XFrameOptions().deny(), xcto=XContentTypeOptions())
    assert str(secure_headers) == "X-Content-Type-Options: nosniff\nX-Frame-Options: DENY"
    assert str(Secure()) == ""
    assert str(Secure.with_default_headers()).splitlines()[-1] == "X-Frame-Options: SAMEORIGIN"


# --- Secure keeps the builders it was given (2.x's headers_list) -------------------------------
# 2.x's README, configuration guide and Secure documentation: headers_list is the mutable
# list of builders, and headers, header_items(), str() and set_headers() read it each time.


def test_headers_list_is_the_ordered_list_of_builders() -> None:
    xfo, xcto = XFrameOptions(), XContentTypeOptions()
    secure_headers = Secure(xcto=xcto, xfo=xfo)
    assert isinstance(secure_headers.headers_list, list)
    assert secure_headers.headers_list == [xcto, xfo]
    assert all(isinstance(h, BaseHeader) for h in secure_headers.headers_list)


def test_customising_a_preset_through_headers_list() -> None:
    # The configuration guide's recipe: replace the preset's HSTS builder.
    secure_headers = Secure.from_preset(Preset.BASIC)
    secure_headers.headers_list = [
        header
        for header in secure_headers.headers_list
        if header.header_name != "Strict-Transport-Security"
    ]
    secure_headers.headers_list.append(
        StrictTransportSecurity().max_age(63072000).include_subdomains()
    )
    assert secure_headers.headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains"
    )
    names = [name for name, _ in secure_headers.header_items()]
    assert names[-1] == "Strict-Transport-Security"
    assert names.count("Strict-Transport-Security") == 1


def test_appending_a_builder_reaches_the_response() -> None:
    secure_headers = Secure(xfo=XFrameOptions())
    secure_headers.headers_list.append(CustomHeader("X-App", "1"))
    response = DictResponse()
    secure_headers.set_headers(response)
    assert response.headers == {"X-Frame-Options": "SAMEORIGIN", "X-App": "1"}


def test_changing_a_builder_after_passing_it_changes_the_headers() -> None:
    xfo = XFrameOptions()
    csp = ContentSecurityPolicy().default_src("'self'")
    secure_headers = Secure(csp=csp, xfo=xfo)
    xfo.deny()
    csp.img_src("'self'", "data:")
    assert secure_headers.headers["X-Frame-Options"] == "DENY"
    assert dict(secure_headers.header_items())["Content-Security-Policy"] == (
        "default-src 'self'; img-src 'self' data:"
    )
    response = DictResponse()
    asyncio.run(secure_headers.set_headers_async(response))
    assert response.headers["X-Frame-Options"] == "DENY"


def test_header_items_is_a_tuple_of_pairs() -> None:
    items = Secure(xfo=XFrameOptions(), xcto=XContentTypeOptions()).header_items()
    assert items == (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN"))
    assert Secure().header_items() == ()


def test_headers_raises_on_a_repeated_name_and_header_items_keeps_both() -> None:
    secure_headers = Secure(custom=[CustomHeader("X-App", "1"), CustomHeader("x-app", "2")])
    with pytest.raises(ValueError, match="x-app"):
        secure_headers.headers  # noqa: B018
    assert list(secure_headers.header_items()) == [("X-App", "1"), ("x-app", "2")]
    # Even for names that may repeat on the wire (MULTI_OK): the mapping is single-valued.
    two_csps = Secure(
        csp=ContentSecurityPolicy().default_src("'self'"),
        custom=[CustomHeader("Content-Security-Policy", "img-src 'self'")],
    )
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        two_csps.headers  # noqa: B018


def test_normalized_headers_follow_later_changes_to_the_builders() -> None:
    # headers returns the normalised snapshot "until the configured headers change".
    secure_headers = Secure.with_default_headers().validate_and_normalize_headers()
    secure_headers.headers_list.append(CustomHeader("X-App", "1"))
    assert secure_headers.headers["X-App"] == "1"


# --- the live builder list: our own checks of how it follows changes ---------------------------


class Toggle(BaseHeader):
    """A builder whose value a caller can change without any validation on the way."""

    _NAME = "X-Toggle"

    def __init__(self) -> None:
        super().__init__()
        self.text = "on"

    def _render(self) -> str:
        return self.text


def test_snapshot_is_cached_until_a_builder_changes() -> None:
    xfo = XFrameOptions()
    secure_headers = Secure(xfo=xfo)
    first = secure_headers.snapshot()
    assert secure_headers.snapshot() is first  # nothing changed: the same compiled plan
    xfo.deny()
    second = secure_headers.snapshot()
    assert second is not first
    assert first.items == (("X-Frame-Options", "SAMEORIGIN", False),)  # taken plans stay
    assert second.items == (("X-Frame-Options", "DENY", False),)


def test_an_invalid_change_is_refused_on_every_rendering_surface() -> None:
    toggle = Toggle()
    secure_headers = Secure(custom=[toggle])
    assert secure_headers.headers["X-Toggle"] == "on"
    toggle.text = "on\r\nSet-Cookie: session=evil"
    response = DictResponse()
    for render in (
        lambda: secure_headers.headers,
        secure_headers.header_items,
        secure_headers.snapshot,
        lambda: str(secure_headers),
        lambda: secure_headers.set_headers(response),
        lambda: asyncio.run(secure_headers.set_headers_async(response)),
        lambda: secure_headers.derive(exempt=()),
    ):
        with pytest.raises(ValueError, match="X-Toggle"):
            render()
    assert response.headers == {}  # nothing was set before the error
    toggle.text = "off"
    assert secure_headers.headers["X-Toggle"] == "off"


def test_the_same_name_twice_is_refused_by_headers() -> None:
    name = "X-Same"  # one string object for both: equal names, not only equal objects
    twice = Secure(custom=[CustomHeader(name, "1"), CustomHeader(name, "2")])
    with pytest.raises(ValueError, match="X-Same: header is configured more than once"):
        twice.headers  # noqa: B018
    assert twice.deduplicate_headers(action="last").headers == {"X-Same": "2"}


def test_a_subclass_with_its_own_header_value_is_followed() -> None:
    class Fixed(BaseHeader):
        _NAME = "X-Fixed"

        def __init__(self) -> None:
            super().__init__()
            self.text = "a"

        @property
        def header_value(self) -> str:
            return self.text

    fixed = Fixed()
    secure_headers = Secure(custom=[fixed])
    fixed.text = "b"
    assert secure_headers.headers["X-Fixed"] == "b"
    fixed.text = "b\nc"
    with pytest.raises(ValueError, match="X-Fixed"):
        secure_headers.header_items()


def test_headers_list_refuses_what_is_not_a_builder() -> None:
    secure_headers = Secure(xfo=XFrameOptions())
    secure_headers.headers_list.append("X-App: 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="header builders"):
        secure_headers.header_items()
    secure_headers.headers_list.pop()
    with pytest.raises(TypeError, match="header builders"):
        secure_headers.headers_list = [XFrameOptions(), "X-App: 1"]  # type: ignore[list-item]
    with pytest.raises(TypeError, match="list"):
        secure_headers.headers_list = (XFrameOptions(),)  # type: ignore[assignment]
    assert list(secure_headers.header_items()) == [("X-Frame-Options", "SAMEORIGIN")]


def test_presets_and_configurations_never_hand_out_their_own_builders() -> None:
    # No liveness to pay for: nothing outside can reach the builders behind the values.
    for built in (
        Secure.from_preset(Preset.BALANCED),
        Secure.from_config({"preset": "strict", "xfo": "SAMEORIGIN"}),
        Secure.with_default_headers().derive(exempt=["Server"]),
        Secure(xfo=XFrameOptions()).copy(),
    ):
        assert built._live is None
        private = [entry.builder for entry in built._state.entries]
        listed = built.headers_list  # fresh copies, from here on followed like any list
        assert all(b is not p for b in listed for p in private)
    preset = Secure.from_preset(Preset.BALANCED)
    for builder in preset.headers_list:
        if isinstance(builder, XFrameOptions):
            builder.deny()
    assert preset.headers["X-Frame-Options"] == "DENY"
    # The preset every from_preset() call copies is untouched.
    assert Secure.from_preset(Preset.BALANCED).headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pipeline_methods_rewrite_the_builder_list_in_place() -> None:
    xfo = XFrameOptions()
    app, other = CustomHeader("X-App", "1"), CustomHeader("X-Other", "2")
    secure_headers = Secure(xfo=xfo, custom=[app, other])
    builders = secure_headers.headers_list
    secure_headers.allowlist_headers(allow_extra=["X-App"], on_unexpected="drop")
    assert secure_headers.headers_list is builders
    assert builders == [xfo, app]
    xfo.deny()  # the remaining builders are still followed
    assert list(secure_headers.header_items()) == [("X-Frame-Options", "DENY"), ("X-App", "1")]
    joined = Secure(
        cache=CacheControl().no_store(), custom=[CustomHeader("Cache-Control", "no-cache")]
    )
    joined.deduplicate_headers(action="concat")
    [only] = joined.headers_list
    assert (type(only), only.header_value) == (CustomHeader, "no-store, no-cache")


def test_report_only_builders_stay_report_only_when_changed() -> None:
    policy = ContentSecurityPolicy().default_src("'self'")
    secure_headers = Secure(csp_report_only=policy)
    assert secure_headers.headers_list == [policy]
    policy.img_src("'self'")
    assert secure_headers.headers == {
        "Content-Security-Policy-Report-Only": "default-src 'self'; img-src 'self'"
    }
    assert policy.header_name == "Content-Security-Policy"  # the caller's builder is untouched


def test_middleware_compiles_when_it_is_created() -> None:
    from secure.middleware import SecureWSGIMiddleware

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b""]

    xfo = XFrameOptions()
    secure_headers = Secure(xfo=xfo)
    middleware = SecureWSGIMiddleware(app, secure=secure_headers)
    xfo.deny()
    seen: list[list[tuple[str, str]]] = []
    middleware({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, lambda s, h, e=None: seen.append(h))
    assert ("X-Frame-Options", "SAMEORIGIN") in seen[0]
    assert secure_headers.headers["X-Frame-Options"] == "DENY"


def test_renders_from_many_threads_while_a_builder_changes() -> None:
    # Every call sees a whole, validated configuration: the old one or the new one.
    import threading

    xfo = XFrameOptions()
    secure_headers = Secure(xfo=xfo, xcto=XContentTypeOptions())
    seen: set[str] = set()
    errors: list[BaseException] = []

    def render() -> None:
        try:
            for _ in range(200):
                response = DictResponse()
                secure_headers.set_headers(response)
                seen.add(response.headers["X-Frame-Options"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=render) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(50):
        xfo.deny()
        xfo.sameorigin()
    xfo.deny()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seen <= {"DENY", "SAMEORIGIN"}
    assert secure_headers.headers["X-Frame-Options"] == "DENY"
