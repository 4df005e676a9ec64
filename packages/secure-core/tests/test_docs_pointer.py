"""Every refusal of bad input ends with the documentation page that explains the setting.

The pointer is ``(see <url>)``, written by ``secure._docs.see`` only; the words before it
are the message the error always had.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

import secure.config
from secure import Override, Secure
from secure._docs import (
    BUILD,
    CONFIGURATION,
    CUSTOM_HEADERS,
    DOCS_URL,
    EXCLUDE,
    NONCES,
    OVERRIDES,
    PIPELINE,
    PRESETS,
    bare,
    docs_url,
    header_page,
    see,
)
from secure._registry import HEADERS
from secure.headers import (
    CacheControl,
    ClearSiteData,
    ContentSecurityPolicy,
    CrossOriginEmbedderPolicy,
    CrossOriginOpenerPolicy,
    CrossOriginResourcePolicy,
    CustomHeader,
    OriginAgentCluster,
    PermissionsPolicy,
    ReferrerPolicy,
    ReportingEndpoints,
    Server,
    StrictTransportSecurity,
    XContentTypeOptions,
    XDnsPrefetchControl,
    XFrameOptions,
    XPermittedCrossDomainPolicies,
)
from secure.middleware import PathPrefixes, SecureASGIMiddleware, SecureWSGIMiddleware
from secure.nonce import csp_hash

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
SOURCES = ROOT / "packages"


def _slug(heading: str) -> str:
    """The anchor MkDocs (Python-Markdown's toc) gives a heading."""
    text = unicodedata.normalize("NFKD", heading.replace("`", "")).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[-\s]+", "-", text)


def page_exists(page: str) -> bool:
    """``page`` (``path.md#anchor``) is a file of docs/ and, with an anchor, has that heading."""
    path, _, anchor = page.partition("#")
    file = DOCS / path
    if not file.is_file():
        return False
    if not anchor:
        return True
    headings = re.findall(r"^#{1,6} (.+)$", file.read_text(encoding="utf-8"), re.MULTILINE)
    return anchor in {_slug(h) for h in headings}


# (what is done, the error type, the words the message starts with, the page it ends with)
def _app(*args: object) -> None:
    """An application the middlewares wrap; never called."""


CASES: list[tuple[str, Callable[[], object], type[Exception], str, str]] = [
    (
        "XFrameOptions().set('DENNY')",
        lambda: XFrameOptions().set("DENNY"),
        ValueError,
        "X-Frame-Options: unknown value 'DENNY'; did you mean 'DENY'? "
        "(use one of 'DENY', 'SAMEORIGIN')",
        "headers/x-frame-options.md",
    ),
    (
        "StrictTransportSecurity().max_age(-1)",
        lambda: StrictTransportSecurity().max_age(-1),
        ValueError,
        "Strict-Transport-Security: max-age must be 0 or more seconds, got -1; delta-seconds "
        "is a non-negative integer (RFC 9111 §1.2.2)",
        "headers/strict-transport-security.md",
    ),
    (
        "StrictTransportSecurity().max_age('1')",
        lambda: StrictTransportSecurity().max_age("1"),  # type: ignore[arg-type]
        TypeError,
        "Strict-Transport-Security: max-age must be an int number of seconds, got str '1'",
        "headers/strict-transport-security.md",
    ),
    (
        "ContentSecurityPolicy().add_sources('scirpt-src')",
        lambda: ContentSecurityPolicy().add_sources("scirpt-src", "'self'"),
        ValueError,
        "Content-Security-Policy: unknown directive 'scirpt-src'; did you mean 'script-src'? "
        "(use custom_directive() for a directive this library does not know)",
        "headers/content-security-policy.md",
    ),
    (
        "ContentSecurityPolicy().set(...)",
        lambda: ContentSecurityPolicy().set("default-src 'bogus'"),
        ValueError,
        "Content-Security-Policy: invalid source \"'bogus'\" in default-src: unknown keyword",
        "headers/content-security-policy.md",
    ),
    (
        "PermissionsPolicy().add_directive('camra')",
        lambda: PermissionsPolicy().add_directive("camra"),
        ValueError,
        "Permissions-Policy: unknown feature 'camra'; did you mean 'camera'? (browsers ignore "
        "unknown features; for a new one named 'camra' use custom_feature('camra', ...))",
        "headers/permissions-policy.md",
    ),
    (
        "PermissionsPolicy().report_only('yes')",
        lambda: PermissionsPolicy().report_only("yes"),  # type: ignore[arg-type]
        TypeError,
        "Permissions-Policy: report_only() takes True or False, got 'yes'",
        "headers/permissions-policy.md",
    ),
    (
        "CustomHeader('X-A\\r\\n', 'v')",
        lambda: Secure(custom=[CustomHeader("X-A\r\n", "v")]),
        ValueError,
        "header name: invalid header name 'X-A\\r\\n': U+000D (CR) is not allowed",
        "headers/custom-headers.md",
    ),
    (
        "CustomHeader('X-A', 'v\\n')",
        lambda: CustomHeader("X-A", "v\n"),
        ValueError,
        "X-A: invalid value 'v\\n': control character U+000A (LF) is not allowed in an HTTP "
        "field value (RFC 9110 §5.5)",
        "headers/custom-headers.md",
    ),
    (
        "CacheControl().set('max-age=x')",
        lambda: CacheControl().set("max-age=x"),
        ValueError,
        "Cache-Control: 'max-age' in 'max-age=x' needs a number of seconds written without "
        "quotes, e.g. 'max-age=0' (RFC 9111 §1.2.2, §5.2)",
        "headers/cache-control.md",
    ),
    (
        "CacheControl().set('no-cache=x')",
        lambda: CacheControl().set("no-cache=Set-Cookie"),
        ValueError,
        "Cache-Control: write the field names of 'no-cache' in quotes",
        "headers/cache-control.md",
    ),
    (
        "ClearSiteData().header_value",
        lambda: ClearSiteData().header_value,
        ValueError,
        "Clear-Site-Data: no data types chosen, so there is nothing to send",
        "headers/clear-site-data.md",
    ),
    (
        "CrossOriginEmbedderPolicy().set('require')",
        lambda: CrossOriginEmbedderPolicy().set("require"),
        ValueError,
        "Cross-Origin-Embedder-Policy: unknown value 'require'",
        "headers/cross-origin-embedder-policy.md",
    ),
    (
        "CrossOriginOpenerPolicy().report_to('Bad')",
        lambda: CrossOriginOpenerPolicy().report_to("Bad"),
        ValueError,
        "Cross-Origin-Opener-Policy: invalid report-to endpoint name 'Bad' (try 'bad')",
        "headers/cross-origin-opener-policy.md",
    ),
    (
        "CrossOriginResourcePolicy().set('same')",
        lambda: CrossOriginResourcePolicy().set("same"),
        ValueError,
        "Cross-Origin-Resource-Policy: unknown value 'same'; did you mean 'same-site'?",
        "headers/cross-origin-resource-policy.md",
    ),
    (
        "OriginAgentCluster().set('?2')",
        lambda: OriginAgentCluster().set("?2"),
        ValueError,
        "Origin-Agent-Cluster: ",
        "headers/origin-agent-cluster.md",
    ),
    (
        "ReferrerPolicy().set('no-referer')",
        lambda: ReferrerPolicy().set("no-referer"),
        ValueError,
        "Referrer-Policy: unknown policy 'no-referer'; did you mean 'no-referrer'?",
        "headers/referrer-policy.md",
    ),
    (
        "ReportingEndpoints().endpoint('default', 'ftp://x')",
        lambda: ReportingEndpoints().endpoint("default", "ftp://x"),
        ValueError,
        "Reporting-Endpoints: URL 'ftp://x' for endpoint 'default' is not potentially trustworthy",
        "headers/reporting-endpoints.md",
    ),
    (
        "Server().set('a\\x01')",
        lambda: Server().set("a\x01"),
        ValueError,
        "Server: invalid value 'a\\x01': control character U+0001 is not allowed",
        "headers/server.md",
    ),
    (
        "XContentTypeOptions().set('nosnif')",
        lambda: XContentTypeOptions().set("nosnif"),
        ValueError,
        "X-Content-Type-Options: unknown value 'nosnif'; did you mean 'nosniff'?",
        "headers/x-content-type-options.md",
    ),
    (
        "XDnsPrefetchControl().set('of')",
        lambda: XDnsPrefetchControl().set("of"),
        ValueError,
        "X-DNS-Prefetch-Control: unknown value 'of'",
        "headers/x-dns-prefetch-control.md",
    ),
    (
        "XPermittedCrossDomainPolicies().set('nne')",
        lambda: XPermittedCrossDomainPolicies().set("nne"),
        ValueError,
        "X-Permitted-Cross-Domain-Policies: unknown value 'nne'",
        "headers/x-permitted-cross-domain-policies.md",
    ),
    (
        "Override(exempt=[1])",
        lambda: Override(exempt=[1]),  # type: ignore[list-item]
        TypeError,
        "override exempt: header names must be str, got 1",
        OVERRIDES,
    ),
    (
        "Override(headers={'X-Frame-Options': 'DENNY'})",
        lambda: Override(headers={"X-Frame-Options": "DENNY"}),
        ValueError,
        "X-Frame-Options: unknown value 'DENNY'; did you mean 'DENY'?",
        "headers/x-frame-options.md",
    ),
    (
        "Override(csp_sources={'scirpt-src': ...})",
        lambda: Override(csp_sources={"scirpt-src": ["https://cdn.example"]}),
        ValueError,
        "Content-Security-Policy: unknown directive 'scirpt-src'; did you mean 'script-src'?",
        "headers/content-security-policy.md",
    ),
    (
        "Override(headers=X-A twice)",
        lambda: Override(headers={"X-A": "1", "x-a": "2"}),
        ValueError,
        "x-a: given twice in override headers ('X-A' and 'x-a'); header names are case-insensitive",
        OVERRIDES,
    ),
    (
        "Secure.derive(exempt=['X-Fram-Options'])",
        lambda: Secure.with_default_headers().derive(exempt=["X-Fram-Options"]),
        ValueError,
        "X-Fram-Options: cannot exempt a header this configuration does not send; did you "
        "mean 'X-Frame-Options'?",
        OVERRIDES,
    ),
    (
        "Secure.derive('x')",
        lambda: Secure.with_default_headers().derive("x"),  # type: ignore[arg-type]
        TypeError,
        "derive() takes an Override, got str",
        OVERRIDES,
    ),
    (
        "Secure(hsts=XFrameOptions())",
        lambda: Secure(hsts=XFrameOptions()),  # type: ignore[arg-type]
        TypeError,
        "Secure(hsts=...) takes a StrictTransportSecurity, got XFrameOptions",
        BUILD,
    ),
    (
        "Secure(custom=[1])",
        lambda: Secure(custom=[1]),  # type: ignore[list-item]
        TypeError,
        "Secure(custom=[...]) takes header builders such as CustomHeader(name, value), got int 1",
        CUSTOM_HEADERS,
    ),
    (
        "Secure.coerce(3)",
        lambda: Secure.coerce(3),  # type: ignore[arg-type]
        TypeError,
        "expected a secure.Secure, a Preset, a preset name or a configuration mapping, got int 3",
        BUILD,
    ),
    (
        "Secure.from_preset('strickt')",
        lambda: Secure.from_preset("strickt"),
        ValueError,
        "unknown preset 'strickt': choose one of balanced, basic, strict",
        PRESETS,
    ),
    (
        "Secure.header_items(nonce='bad nonce')",
        lambda: Secure.from_config({"nonce": True}).header_items(nonce="bad nonce"),
        ValueError,
        "Content-Security-Policy: invalid nonce 'bad nonce'; a nonce is a base64 value",
        NONCES,
    ),
    (
        "csp_hash('x', 'md5')",
        lambda: csp_hash("x", "md5"),  # type: ignore[arg-type]
        ValueError,
        "Content-Security-Policy: unsupported hash algorithm 'md5'",
        "nonces.md#hashes-the-cache-friendly-alternative",
    ),
    (
        "deduplicate_headers(action='nope')",
        lambda: Secure.with_default_headers().deduplicate_headers(action="nope"),  # type: ignore[arg-type]
        ValueError,
        "deduplicate_headers: action must be 'raise', 'first', 'last' or 'concat', not 'nope'",
        PIPELINE,
    ),
    (
        "read_config_file('mkdocs.yml')",
        lambda: secure.config.read_config_file(ROOT / "mkdocs.yml"),
        ValueError,
        f"secure config: {ROOT / 'mkdocs.yml'}: unknown file type '.yml'; use .toml or .json",
        "configuration.md#files",
    ),
    (
        "SecureASGIMiddleware(exclude='/admin/')",
        lambda: SecureASGIMiddleware(_app, exclude="/admin/"),  # type: ignore[arg-type]
        TypeError,
        "exclude: expected a list of path prefixes, got '/admin/'; write ['/admin/']",
        EXCLUDE,
    ),
    (
        "SecureWSGIMiddleware(exclude=['admin/'])",
        lambda: SecureWSGIMiddleware(_app, exclude=["admin/"]),
        ValueError,
        "exclude: 'admin/' must start with '/'; write '/admin/'",
        EXCLUDE,
    ),
    (
        "PathPrefixes(['/a/../b'])",
        lambda: PathPrefixes(["/a/../b"]),
        ValueError,
        "exclude: '/a/../b' has an empty, '.' or '..' segment",
        EXCLUDE,
    ),
    (
        "SecureASGIMiddleware(snapshot, select=...)",
        lambda: SecureASGIMiddleware(
            _app, secure=Secure.with_default_headers().snapshot(), select=lambda scope: None
        ),
        TypeError,
        "select= needs the Secure configuration to compile overrides from",
        OVERRIDES,
    ),
    (
        "Secure.from_config([])",
        lambda: Secure.from_config([]),  # type: ignore[arg-type]
        ValueError,
        "secure config: expected a mapping (dict/TOML table/JSON object), got list",
        CONFIGURATION,
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "text", "page"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_refusal_ends_with_its_page(
    call: Callable[[], object], error: type[Exception], text: str, page: str
) -> None:
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    assert message.startswith(text)
    assert message.endswith(f" (see {docs_url(page)})")
    assert message.count("(see https://") == 1
    assert page_exists(page), page


def test_every_builder_is_in_the_table() -> None:
    covered = {page for *_, page in CASES if page.startswith("headers/")}
    builders = {header_page(spec.name) for spec in HEADERS if spec.builder is not None}
    assert builders <= covered


@pytest.mark.parametrize(
    ("config", "page"),
    [
        ({"hsts": {"max_age": -1}}, "headers/strict-transport-security.md"),
        ({"xfo": "DENNY"}, "headers/x-frame-options.md"),
        ({"custom": {"X-A": "v\n"}}, CUSTOM_HEADERS),
        ({"preset": "strickt"}, PRESETS),
        ({"nonce": ["scirpt-src"]}, "configuration.md#nonces"),
        ({"csp": {"scirpt-src": "'self'"}}, "headers/content-security-policy.md"),
        ({"permissions": {"camra": []}}, "headers/permissions-policy.md"),
        ({"remove": ["X-Fram-Options"]}, CONFIGURATION),
        ({"hstss": 1}, CONFIGURATION),
        ({"frameguard": {"action": "deny"}}, "configuration.md#coming-from-helmet"),
        ({"frame_options": "DENY"}, "configuration.md#coming-from-flask-talisman"),
        (
            {"DIRECTIVES": {"default-src": ["'self'"]}},
            "configuration.md#coming-from-django-csp-4",
        ),
    ],
)
def test_a_configuration_error_carries_one_pointer(config: dict[str, object], page: str) -> None:
    """The loader re-words a builder's message: the builder's pointer is not repeated."""
    with pytest.raises(ValueError, match=r"^secure config: ") as raised:
        Secure.from_config(config)
    message = str(raised.value)
    assert message.count("(see https://") == 1
    assert message.endswith(f" (see {docs_url(page)})")
    assert page_exists(page), page


def test_a_typo_in_nonce_directives_is_refused() -> None:
    """``nonce: ["scirpt-src"]`` used to add a directive no browser knows, without a word."""
    with pytest.raises(ValueError, match="did you mean 'script-src'"):
        Secure.from_config({"nonce": ["scirpt-src"]})
    with pytest.raises(ValueError, match="'sandbox' is not a CSP directive that takes sources"):
        Secure.from_config({"nonce": ["sandbox"]})


def test_see_replaces_a_pointer_the_message_already_has() -> None:
    inner = see("X-Frame-Options: bad", "headers/x-frame-options.md")
    outer = see(f"secure config: xfo: {inner}", "configuration.md#the-keys")
    assert outer == f"secure config: xfo: X-Frame-Options: bad (see {docs_url(CONFIGURATION)})"
    assert bare(outer) == "secure config: xfo: X-Frame-Options: bad"
    assert bare("no pointer (see RFC 9110)") == "no pointer (see RFC 9110)"


def test_every_header_with_a_builder_has_its_page() -> None:
    for spec in HEADERS:
        if spec.builder is not None:
            assert page_exists(header_page(spec.name)), spec.name
    assert header_page("X-Unknown") == CUSTOM_HEADERS
    assert header_page("content-security-policy-report-only") == (
        "headers/content-security-policy.md"
    )


def _pages_named_in_sources() -> set[str]:
    """Every ``*.md`` page literal the packages hand to ``see`` or ``docs_url``."""
    pages: set[str] = set()
    for file in SOURCES.glob("*/src/**/*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[a-z0-9/_-]+\.md(#[a-z0-9-]+)?", node.value)
            ):
                pages.add(node.value)
    return pages


def test_every_page_the_packages_point_at_exists() -> None:
    pages = _pages_named_in_sources()
    assert {CONFIGURATION, OVERRIDES, BUILD, PIPELINE, NONCES, EXCLUDE} <= pages
    missing = sorted(page for page in pages if not page_exists(page))
    assert missing == []


def _page_of(url: str) -> str:
    """The ``docs/`` page (``path.md#anchor``) a published address comes from."""
    path, _, anchor = url.removeprefix(DOCS_URL).partition("#")
    stem = path.rstrip("/")
    candidates = [f"{stem}.md", f"{stem}/index.md"] if stem else ["index.md"]
    page = next((c for c in candidates if (DOCS / c).is_file()), candidates[0])
    assert docs_url(page) == url.partition("#")[0], url  # the address MkDocs publishes
    return f"{page}#{anchor}" if anchor else page


def test_every_documentation_address_in_the_sources_exists() -> None:
    """Docstrings link the published pages; each address is a page (and heading) of docs/."""
    found = {
        match
        for file in SOURCES.glob("*/src/**/*.py")
        for match in re.findall(
            re.escape(DOCS_URL) + r"[\w/#.-]*", file.read_text(encoding="utf-8")
        )
    }
    assert len(found) > 10
    missing = sorted(url for url in found if not page_exists(_page_of(url.rstrip("."))))
    assert missing == []


def test_no_docstring_names_a_repository_path() -> None:
    """The API reference renders docstrings: ``docs/x.md`` means nothing to its readers."""
    named = []
    public = [
        file
        for file in SOURCES.glob("*/src/**/*.py")
        if not any(part.startswith("_") and part != "__init__.py" for part in file.parts)
    ]
    assert len(public) > 20
    for file in public:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(
                node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
            ) and not getattr(node, "name", "").startswith("_"):
                doc = ast.get_docstring(node) or ""
                if re.search(r"(?<![\w/.])docs/[\w/-]*", doc):
                    named.append(f"{file.relative_to(ROOT)}:{getattr(node, 'name', '')}")
    assert named == []
