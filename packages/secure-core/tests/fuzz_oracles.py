"""What the fuzz tests, the payload corpus and the atheris harness all check.

The property every entry point of ``secure`` must keep, whatever it is given:

* either it raises ``ValueError`` / ``TypeError`` whose message names the header (or the
  configuration key / argument) and contains no raw control character, or
* everything it produces is a valid RFC 9110 field (name a token, value visible ASCII with
  inner spaces or tabs only), and

  - a Content-Security-Policy parses with the independent grammar in ``csp_grammar.py``
    into exactly the directives and sources that were configured;
  - a Permissions-Policy (and the other structured fields) parses with the ``http-sf``
    package (RFC 9651) into exactly the configured allowlists.

This module imports no test framework, so ``fuzz/fuzz_headers.py`` (atheris) loads it
by path as well. Load it with :func:`load_sibling`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import http_sf

import secure
from secure import headers as builders
from secure._docs import bare
from secure.audit import SEVERITIES, Finding, audit_headers
from secure.middleware import SecureASGIMiddleware, SecureWSGIMiddleware
from secure.nonce import NONCE

HERE = Path(__file__).resolve().parent
PAYLOADS = HERE / "payloads"


def load_sibling(name: str) -> ModuleType:
    """Import ``tests/<name>.py`` once (the tests run with ``--import-mode=importlib``)."""
    key = f"secure_core_tests.{name}"
    module = sys.modules.get(key)
    if module is None:
        spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return module


csp_grammar = load_sibling("csp_grammar")

#: The value the tests put in a nonce slot before parsing (base64, unlikely in payloads).
TEST_NONCE = "Zm9yLXRoZS1mdXp6LXRlc3Rz"


class PropertyViolation(AssertionError):
    """An entry point broke the property; ``kind`` classifies how, the message says what.

    Kinds: ``invalid-field`` (not an RFC 9110 field: the one that matters most),
    ``csp-grammar`` / ``csp-mismatch`` (the CSP does not read back as configured),
    ``sf-invalid`` / ``sf-mismatch`` (a structured field does not), ``str-subclass``
    (a str subclass whose str() differs from its text reached the output),
    ``unnamed-error`` (a refusal that does not name the header), ``log-injection``
    (a refusal whose message holds raw control characters), ``foreign-exception``
    (anything but ValueError/TypeError), ``model`` (any other broken promise).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"[{kind}] {message}")
        self.kind = kind
        self.detail = message


# -- the payload corpus ------------------------------------------------------------------------


class LyingStr(str):
    """A str whose methods lie: every way to read it back returns an injection."""

    lie = "x\r\nX-Injected: 1"

    def __str__(self) -> str:
        return self.lie

    def __format__(self, spec: str) -> str:
        return self.lie

    def __repr__(self) -> str:
        return f"LyingStr({str.__repr__(self)})"

    def lower(self) -> str:
        return self.lie

    def upper(self) -> str:
        return self.lie

    def strip(self, chars: str | None = None) -> str:
        return self.lie

    def replace(self, *args: Any, **kwargs: Any) -> str:
        return self.lie

    def split(self, *args: Any, **kwargs: Any) -> list[str]:  # type: ignore[override]
        return [self.lie]


def plain(value: object) -> object:
    """A str subclass's real text, as ``str.__str__`` gives it; anything else unchanged."""
    return str.__str__(value) if isinstance(value, str) else value


class PlainStrSubclass(str):
    """An honest str subclass (``enum.StrEnum`` members and the like are such objects)."""


def _decode(value: object) -> object:
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "$repeat":
            return str(arg[0]) * int(arg[1])
        if key == "$concat":
            return "".join(str(_decode(part)) for part in arg)
        if key == "$float":
            return float(arg)
        if key == "$bytes":
            return str(arg).encode("latin-1")
        if key == "$bytearray":
            return bytearray(str(arg).encode("latin-1"))
        if key == "$object":
            return object()
        if key == "$lying_str":
            return LyingStr(arg["data"])
        if key == "$str_subclass":
            return PlainStrSubclass(arg)
    return value


@dataclass(frozen=True)
class Payload:
    """One hostile or careless input from ``tests/payloads/*.json``."""

    corpus: str
    id: str
    value: object
    why: str

    def __repr__(self) -> str:
        return f"<{self.corpus}:{self.id}>"


def load_payloads() -> list[Payload]:
    """Every payload of every corpus file, decoded into Python objects."""
    return [
        Payload(path.stem, entry["id"], _decode(entry["value"]), entry["why"])
        for path in sorted(PAYLOADS.glob("*.json"))
        for entry in json.loads(path.read_text(encoding="ascii"))
    ]


# -- RFC 9110 fields ----------------------------------------------------------------------------

# RFC 9110 §5.6.2 tchar; §5.5 field-vchar without obs-text (secure never emits obs-text).
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_VCHAR = frozenset(chr(c) for c in range(0x21, 0x7F))


def check_field(name: object, value: object) -> tuple[str, str]:
    """Assert one field is a valid RFC 9110 field line; return it as str."""
    if isinstance(name, bytes) and isinstance(value, bytes):
        name, value = name.decode("latin-1"), value.decode("latin-1")
    if not isinstance(name, str) or not isinstance(value, str):
        raise PropertyViolation("invalid-field", f"field {name!r}: {value!r} is not a str pair")
    for text in (name, value):
        # Servers write fields with str(), format() or %s: a str subclass whose text and
        # str() differ passes validation with one and reaches the wire with the other.
        if (
            type(text) is not str
            and (str(text), format(text), "%s" % text) != (str.__str__(text),) * 3  # noqa: UP031
        ):
            raise PropertyViolation(
                "str-subclass", f"{type(text).__name__} {text!r} prints as {str(text)!r}"
            )
    name, value = str.__str__(name), str.__str__(value)
    if not name or not all(c in _TCHAR for c in name):
        raise PropertyViolation("invalid-field", f"field name {name!r} is not an RFC 9110 token")
    if value and (value[0] in " \t" or value[-1] in " \t"):
        raise PropertyViolation("invalid-field", f"{name}: {value!r} has surrounding whitespace")
    bad = [c for c in value if c not in _VCHAR and c not in " \t"]
    if bad:
        raise PropertyViolation(
            "invalid-field", f"{name}: value {value!r} holds {bad[0]!r} (not VCHAR/SP/HTAB)"
        )
    return name, value


def fill_nonce(value: str) -> str:
    return value.replace("{nonce}", TEST_NONCE)


def csp_directives(value: str) -> list[tuple[str, tuple[str, ...]]]:
    """The CSP's directives by the independent grammar (nonce slots read back as NONCE)."""
    try:
        parsed = csp_grammar.parse_policy(fill_nonce(value))
    except csp_grammar.CSPSyntaxError as exc:
        raise PropertyViolation(
            "csp-grammar", f"Content-Security-Policy {value!r} breaks CSP3: {exc}"
        ) from None
    filled = f"'nonce-{TEST_NONCE}'"
    return [(name, tuple(NONCE if s == filled else s for s in values)) for name, values in parsed]


def sf_parse(name: str, value: str, kind: str) -> Any:
    """Parse a structured field with http-sf (RFC 9651 §4.2), raising PropertyViolation.

    A repeated dictionary key is legal (the last one wins) but never what was configured,
    so it is a violation here.
    """
    repeated: list[str] = []
    try:
        parsed = http_sf.parse(
            value.encode("ascii"),
            tltype=kind,
            on_duplicate_key=lambda key, where: repeated.append(key),
        )
    except Exception as exc:  # http-sf raises several types for bad input
        raise PropertyViolation(
            "sf-invalid", f"{name} {value!r} is not an RFC 9651 {kind}: {exc}"
        ) from None
    if repeated:
        raise PropertyViolation("sf-mismatch", f"{name} {value!r} repeats {repeated!r}")
    return parsed


def pp_members(value: str) -> list[tuple[str, tuple[str, ...], str | None]]:
    """A Permissions-Policy, read by http-sf, in the builder's rendered-member vocabulary."""
    parsed = sf_parse("Permissions-Policy", value, "dictionary")
    members = []
    for key, (member, params) in parsed.items():
        items = [member] if not isinstance(member, list) else [i for i, _ in member]
        allowlist = []
        for item in items:
            if isinstance(item, http_sf.Token) and str(item) in ("*", "self", "src"):
                allowlist.append(str(item))
            elif isinstance(item, str) and not isinstance(item, http_sf.Token):
                allowlist.append(f'"{item}"')
            else:
                raise PropertyViolation(
                    "sf-mismatch", f"Permissions-Policy {value!r}: {key} holds {item!r}"
                )
        report_to = params.get("report-to")
        members.append((key, tuple(allowlist), None if report_to is None else str(report_to)))
    return members


# Structured fields other than Permissions-Policy, and their top-level type.
_SF_FIELDS = {
    "reporting-endpoints": "dictionary",
    "cross-origin-opener-policy": "item",
    "cross-origin-embedder-policy": "item",
    "origin-agent-cluster": "item",
}


def check_items(items: Iterable[tuple[object, object]]) -> list[tuple[str, str]]:
    """Assert every field is valid and every policy field parses; return them as str."""
    checked = []
    for raw_name, raw_value in items:
        name, value = check_field(raw_name, raw_value)
        lower = name.lower()
        if lower in ("content-security-policy", "content-security-policy-report-only"):
            csp_directives(value)
        elif lower in ("permissions-policy", "permissions-policy-report-only"):
            pp_members(value)
        elif lower in _SF_FIELDS:
            sf_parse(name, value, _SF_FIELDS[lower])
        checked.append((name, value))
    return checked


# C0 controls but HTAB, DEL, C1 controls, and the Unicode line/paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def check_error(exc: BaseException, subjects: Iterable[str]) -> None:
    """Assert a refusal is a ValueError/TypeError naming a subject, with no raw controls."""
    if not isinstance(exc, (ValueError, TypeError)) or isinstance(exc, UnicodeError):
        raise PropertyViolation(
            "foreign-exception", f"unexpected {type(exc).__name__}: {exc!r}"
        ) from exc
    # The documentation page a message ends with spells the header's name in its URL:
    # only the words before it count as naming the subject.
    message = bare(str(exc))
    subjects = [s for s in subjects if s]
    if subjects and not any(s.lower() in message.lower() for s in subjects):
        raise PropertyViolation(
            "unnamed-error", f"{type(exc).__name__} {message!r} names none of {subjects!r}"
        ) from exc
    controls = _CONTROLS.findall(message)
    if controls:
        raise PropertyViolation(
            "log-injection",
            f"{type(exc).__name__} message holds raw control character {controls[0]!r}: "
            f"{message!r}",
        ) from exc


# -- models: what a sequence of calls configured ----------------------------------------------

CSP_DIRECTIVES = (
    csp_grammar.SOURCE_LIST_DIRECTIVES
    | csp_grammar.NO_VALUE_DIRECTIVES
    | {
        "frame-ancestors",
        "sandbox",
        "report-uri",
        "report-to",
        "require-trusted-types-for",
        "trusted-types",
        "webrtc",
    }
)


CSP_DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)
PP_DEFAULT_POLICY = "geolocation=(), microphone=(), camera=()"


@dataclass
class CSPModel:
    """The documented semantics of ContentSecurityPolicy's methods, kept independently."""

    directives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    raw: str | None = None
    report_only: bool = False

    def apply(self, method: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        directive = method.replace("_", "-")
        # The library validates and keeps a str subclass's real text (str.__str__).
        args = tuple(plain(a) for a in args)
        if method in ("upgrade_insecure_requests", "block_all_mixed_content"):
            enabled = args[0] if args else kwargs.get("enabled", True)
            if enabled:
                self.directives[directive] = ()
            else:
                self.directives.pop(directive, None)
        elif method == "require_trusted_types_for":
            self.directives[directive] = tuple(args) or ("'script'",)
        elif directive in CSP_DIRECTIVES:
            self.directives[directive] = tuple(args)
        elif method in ("custom_directive", "custom"):  # custom(): 2.x's name
            self.directives[str(args[0]).replace("_", "-")] = tuple(args[1:])
        elif method == "add_sources":
            name = str(args[0]).replace("_", "-")
            current = self.directives.get(name, ())
            added = tuple(dict.fromkeys(s for s in args[1:] if s not in current))
            self.directives[name] = current + added
        elif method == "remove":
            self.directives.pop(str(args[0]).replace("_", "-"), None)
        elif method == "clear":
            self.directives = {}
        elif method == "report_only":
            self.report_only = args[0] if args else kwargs.get("enabled", True)
            return
        elif method == "enforce":  # 2.x: back to the enforced header
            self.report_only = False
            return
        elif method in ("set", "value"):  # value(): 2.x's name for set()
            self.raw = args[0]
            self.directives = {n.lower(): v for n, v in csp_directives(args[0])}
            return
        elif method in ("copy", "nonce", "keyword"):
            return
        else:
            raise AssertionError(f"CSPModel does not know {method}")
        self.raw = None

    def check(self, builder: builders.ContentSecurityPolicy) -> None:
        expected_name = (
            "Content-Security-Policy-Report-Only" if self.report_only else "Content-Security-Policy"
        )
        if builder.header_name != expected_name:
            raise PropertyViolation(
                "model", f"header name {builder.header_name!r} != {expected_name!r}"
            )
        try:
            value = builder.header_value
        except ValueError as exc:
            check_error(exc, ["Content-Security-Policy"])
            if self.directives:
                raise PropertyViolation(
                    "model", f"{self.directives!r} did not render: {exc}"
                ) from exc
            return
        check_field(builder.header_name, value)
        if self.raw is not None:
            if value != self.raw:
                raise PropertyViolation("model", f"raw CSP {self.raw!r} rendered as {value!r}")
            return
        parsed = csp_directives(value)
        if not self.directives:
            # No directive at all: the documented same-origin default policy.
            if value != CSP_DEFAULT_POLICY:
                raise PropertyViolation("model", f"empty CSP rendered {value!r}")
            return
        if parsed != list(self.directives.items()):
            raise PropertyViolation(
                "csp-mismatch",
                f"CSP rendered {value!r}, which reads back as {parsed!r}, "
                f"but {list(self.directives.items())!r} was configured",
            )
        if builder.directives != self.directives:
            raise PropertyViolation(
                "model", f"directives {builder.directives!r} != {self.directives!r}"
            )


def pp_item(item: str) -> str:
    """An allowlist item as the documentation says it renders."""
    bare = item[1:-1] if len(item) >= 2 and item[0] == item[-1] == "'" else item
    if bare in ("self", "src", "none"):
        return bare
    if item == "*":
        return "*"
    origin = item[1:-1] if len(item) >= 2 and item[0] == item[-1] == '"' else item
    return f'"{origin}"'


@dataclass
class PPModel:
    """The documented semantics of PermissionsPolicy's methods, kept independently."""

    features: dict[str, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    raw: str | None = None
    report_only: bool = False

    def apply(self, method: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        args = tuple(plain(a) for a in args)  # a str subclass counts as its text
        if method == "add_directive":
            name, items, report_to = str(args[0]), args[1:], kwargs.get("report_to")
        elif method == "directive":  # 2.x's name for add_directive()
            name, items, report_to = str(args[0]), args[1:], None
        elif method == "remove":
            self.features.pop(str(args[0]).replace("_", "-"), None)
            self.raw = None
            return
        elif method == "clear":
            self.features, self.raw = {}, None
            return
        elif method == "report_only":
            self.report_only = args[0] if args else kwargs.get("enabled", True)
            return
        elif method in ("set", "value"):  # value(): 2.x's name for set()
            self.raw = args[0]
            self.features = {k: (a, r) for k, a, r in pp_members(args[0])}
            return
        elif method == "copy":
            return
        else:
            name, items, report_to = method, args, None
        rendered = tuple(pp_item(i) for i in items)
        if rendered == ("none",):
            rendered = ()
        self.features[name.replace("_", "-")] = (rendered, report_to)
        self.raw = None

    def check(self, builder: builders.PermissionsPolicy) -> None:
        expected_name = (
            "Permissions-Policy-Report-Only" if self.report_only else "Permissions-Policy"
        )
        if builder.header_name != expected_name:
            raise PropertyViolation(
                "model", f"header name {builder.header_name!r} != {expected_name!r}"
            )
        try:
            value = builder.header_value
        except ValueError as exc:
            check_error(exc, ["Permissions-Policy"])
            if self.features:
                raise PropertyViolation(
                    "model", f"{self.features!r} did not render: {exc}"
                ) from exc
            return
        check_field(builder.header_name, value)
        if self.raw is not None:
            if value != self.raw:
                raise PropertyViolation("model", f"raw policy {self.raw!r} rendered as {value!r}")
            return
        if not self.features:
            # No feature at all: the documented default policy.
            if value != PP_DEFAULT_POLICY:
                raise PropertyViolation("model", f"empty Permissions-Policy rendered {value!r}")
            return
        parsed = pp_members(value)
        expected = [(k, a, r) for k, (a, r) in self.features.items()]
        if parsed != expected:
            raise PropertyViolation(
                "sf-mismatch",
                f"Permissions-Policy rendered {value!r}, read back by http-sf as {parsed!r}, "
                f"but {expected!r} was configured",
            )


# -- builders and their methods -----------------------------------------------------------------

BUILDER_CLASSES: tuple[type[builders.BaseHeader], ...] = tuple(
    getattr(builders, name)
    for name in builders.__all__
    if name not in ("BaseHeader", "CustomHeader")
)
_NOT_FLUENT = frozenset(
    {"set", "clear", "copy", "header_name", "header_value", "has_nonce", "directives", "endpoints"}
)


def fluent_methods(cls: type[builders.BaseHeader]) -> dict[str, inspect.Signature]:
    """Every public method of a builder except set/clear/copy, with its signature."""
    methods = {}
    for name in sorted(dir(cls)):
        if name.startswith("_") or name in _NOT_FLUENT:
            continue
        attribute = inspect.getattr_static(cls, name)
        if isinstance(attribute, property):
            continue
        function = getattr(cls, name)
        if callable(function):
            methods[name] = inspect.signature(function)
    return methods


def header_of(cls: type[builders.BaseHeader]) -> str:
    return cls().header_name


def render(builder: builders.BaseHeader) -> tuple[str, str] | None:
    """Render a builder: the checked field, or None after a header-naming refusal."""
    try:
        value = builder.header_value
    except (ValueError, TypeError) as exc:
        check_error(exc, [builder.header_name])
        return None
    return check_items([(builder.header_name, value)])[0]


def check_self_parse(builder: builders.BaseHeader) -> None:
    """A builder's own rendering must pass its own raw grammar (``set``) unchanged."""
    rendered = render(builder)
    if rendered is None or isinstance(builder, builders.CustomHeader):
        return
    name, value = rendered
    again = type(builder)()
    if getattr(builder, "_report_only", False):
        again.report_only()  # type: ignore[attr-defined]
    try:
        again.set(value)
    except (ValueError, TypeError) as exc:
        raise PropertyViolation(
            "model", f"{name}: set() refuses the builder's own output {value!r}: {exc}"
        ) from exc
    if again.header_value != value:
        raise PropertyViolation("model", f"{name}: set({value!r}) renders {again.header_value!r}")


# -- running a whole request through the middleware -------------------------------------------

APP_HEADERS = [
    ("Content-Type", "text/plain"),
    ("Set-Cookie", "a=1; Secure; HttpOnly"),
    ("Set-Cookie", "b=2; Secure; HttpOnly"),
    ("X-App", "kept"),
    ("X-Frame-Options", "app-value"),
]


def asgi_app(headers: list[tuple[str, str]]) -> Any:
    """An ASGI application that answers every request with ``headers``."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raw = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def wsgi_app(headers: list[tuple[str, str]]) -> Any:
    """A WSGI application that answers every request with ``headers``."""

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", list(headers))
        return [b"ok"]

    return app


def run_asgi(middleware: SecureASGIMiddleware) -> tuple[list[tuple[str, str]], object]:
    """One GET through an ASGI middleware: the response's fields and the request's nonce."""
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/", "headers": []}
    asyncio.run(middleware(scope, receive, send))
    start = sent[0]
    for pair in start["headers"]:
        if not (type(pair[0]) is bytes and type(pair[1]) is bytes):
            raise PropertyViolation("invalid-field", f"ASGI header {pair!r} is not two bytes")
        if pair[0] != pair[0].lower():
            raise PropertyViolation("invalid-field", f"ASGI name {pair[0]!r} is not lower case")
    fields = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start["headers"]]
    return fields, scope.get("state", {}).get("csp_nonce")


def run_wsgi(middleware: SecureWSGIMiddleware) -> tuple[list[tuple[str, str]], object]:
    """One GET through a WSGI middleware: the response's fields and the request's nonce."""
    captured: list[list[tuple[str, str]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured.append(headers)
        return lambda data: None

    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    body = middleware(environ, start_response)
    if list(body) != [b"ok"]:
        raise PropertyViolation("model", f"WSGI body changed: {body!r}")
    return captured[0], environ.get("secure.csp_nonce")


def check_response(
    sent: list[tuple[str, str]],
    app_headers: list[tuple[str, str]],
    managed: Iterable[str],
    appended: Iterable[str],
    nonce: object = None,
) -> None:
    """Middleware output: valid fields, app headers kept in order, managed ones once.

    The application's own fields are checked as fields only; their content is its business.
    """
    for name, value in sent:
        check_field(name, value)
    appended_lower = {n.lower() for n in appended}
    replaced = {n.lower() for n in managed} - appended_lower
    kept = [(n.lower(), v) for n, v in app_headers if n.lower() not in replaced]
    from_app = [(n.lower(), v) for n, v in sent][: len(kept)]
    if from_app != kept:
        raise PropertyViolation("model", f"application headers {kept!r} came out as {from_app!r}")
    check_items(sent[len(kept) :])
    for name in replaced:
        count = sum(1 for n, _ in sent if n.lower() == name)
        if count != 1:
            raise PropertyViolation("model", f"{name} sent {count} times")
    if nonce is not None:
        added = sent[len(kept) :]
        csp = [v for n, v in added if n.lower() == "content-security-policy"]
        if not isinstance(nonce, str) or not all(f"'nonce-{nonce}'" in v for v in csp):
            raise PropertyViolation("model", f"request nonce {nonce!r} is not in the CSP {csp!r}")


# -- entry points: every way a value reaches secure -----------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an entry point produced, and what its CSP must hold.

    ``csp`` maps directives to the sources they must read back as (``None``: absent).
    """

    items: list[tuple[str, str]]
    csp: Mapping[str, tuple[str, ...] | None] | None = None


class NotApplicable(Exception):
    """The payload cannot be passed this way (e.g. an unhashable dict key)."""


@dataclass(frozen=True)
class EntryPoint:
    """One way a value reaches the public API; ``family`` groups entries for reporting."""

    name: str
    subjects: tuple[str, ...]
    call: Callable[[object], Outcome]
    key: bool = False  # the payload is used as a dict key
    group: str | None = None  # the family, when it is not the name before "("

    @property
    def family(self) -> str:
        return self.group or self.name.split("(")[0]


def _builder_outcome(builder: builders.BaseHeader) -> Outcome:
    return Outcome([(builder.header_name, builder.header_value)])


Args = Callable[[object], tuple[Any, ...]]
_PAYLOAD = object()


def _csp_call(methods: list[str], args_of: Args) -> Callable[[object], Outcome]:
    turn = itertools.cycle(methods)

    def call(payload: object) -> Outcome:
        method = next(turn)
        model, args = CSPModel(), args_of(payload)
        builder = getattr(builders.ContentSecurityPolicy(), method)(*args)
        model.apply(method, args, {})
        model.check(builder)
        return _builder_outcome(builder) if model.directives else Outcome([])

    return call


def _pp_call(methods: list[str], args_of: Args, **kwargs: Any) -> Callable[[object], Outcome]:
    turn = itertools.cycle(methods)

    def call(payload: object) -> Outcome:
        method = next(turn)
        model, args = PPModel(), args_of(payload)
        kw = {k: (payload if v is _PAYLOAD else v) for k, v in kwargs.items()}
        builder = getattr(builders.PermissionsPolicy(), method)(*args, **kw)
        model.apply(method, args, kw)
        model.check(builder)
        return _builder_outcome(builder)

    return call


def _plain_call(cls: type[builders.BaseHeader], methods: list[str], args_of: Args) -> Any:
    turn = itertools.cycle(methods)

    def call(payload: object) -> Outcome:
        builder = getattr(cls(), next(turn))(*args_of(payload))
        check_self_parse(builder)
        return _builder_outcome(builder)

    return call


def _static_source(method: str, args_of: Args) -> Callable[[object], Outcome]:
    def call(payload: object) -> Outcome:
        source = getattr(builders.ContentSecurityPolicy, method)(*args_of(payload))
        csp = builders.ContentSecurityPolicy().script_src(source)
        CSPModel({"script-src": (source,)}).check(csp)
        return _builder_outcome(csp)

    return call


# A valid first argument for two-argument methods, so the payload can go second.
_VALID_FIRST = {
    "custom_directive": "script-src",
    "add_sources": "script-src",
    "add_directive": "camera",
    "endpoint": "default",
}
_VALID_SECOND = {
    "custom_directive": "'self'",
    "add_sources": "'self'",
    "add_directive": "'self'",
    "endpoint": "https://example.com/reports",
}
_VALID_VARARG = ("'self'", "allow-scripts", "/csp-reports", "Set-Cookie", "'script'", "policy")


def _valid_vararg(cls: type[builders.BaseHeader], method: str) -> str | None:
    for candidate in _VALID_VARARG:
        try:
            getattr(cls(), method)(candidate)
        except (ValueError, TypeError):
            continue
        return candidate
    return None


def _shapes(
    cls: type[builders.BaseHeader], method: str, signature: inspect.Signature
) -> list[tuple[str, Args]]:
    """The argument shapes a payload can take in ``method``: (label, payload -> args)."""
    params = [p for p in signature.parameters.values() if p.name != "self"]
    positional = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    varargs = any(p.kind is p.VAR_POSITIONAL for p in params)
    first, second = _VALID_FIRST.get(method), _VALID_SECOND.get(method)
    if len(positional) == 2 or (len(positional) == 1 and varargs):
        shapes: list[tuple[str, Args]] = [
            ("PAYLOAD, valid", lambda p: (p, second)),
            ("valid, PAYLOAD", lambda p: (first, p)),
        ]
        if varargs:
            shapes.append(("valid, valid, PAYLOAD", lambda p: (first, second, p)))
        return shapes
    if len(positional) == 1:
        return [("PAYLOAD", lambda p: (p,))]
    if varargs:
        valid = _valid_vararg(cls, method)
        shapes = [("PAYLOAD", lambda p: (p,))]
        if valid is not None:
            shapes.append(("valid, PAYLOAD", lambda p: (valid, p)))
        return shapes
    return []  # no argument: nothing a payload can reach


def _same_path(cls: type[builders.BaseHeader], method: str) -> str | None:
    """The group of methods sharing one code path (they take the corpus in rotation)."""
    if cls is builders.PermissionsPolicy and method not in (
        "add_directive",
        "remove",
        "report_only",
    ):
        return "<feature>"
    if (
        cls is builders.ContentSecurityPolicy
        and method.replace("_", "-") in csp_grammar.SOURCE_LIST_DIRECTIVES
    ):
        return "<source-list directive>"
    return None


def _method_entries(cls: type[builders.BaseHeader], *, full: bool) -> list[EntryPoint]:
    header = header_of(cls)
    groups: dict[tuple[str, str], list[str]] = {}
    shapes: dict[tuple[str, str], Args] = {}
    for method, signature in fluent_methods(cls).items():
        group = None if full else _same_path(cls, method)
        for label, args_of in _shapes(cls, method, signature):
            key = (group or method, label)
            groups.setdefault(key, []).append(method)
            shapes[key] = args_of
    entries = []
    for (name, label), methods in groups.items():
        args_of = shapes[(name, label)]
        title = f"{cls.__name__}.{name}({label})"
        if cls is builders.ContentSecurityPolicy and name in ("nonce", "keyword"):
            call = _static_source(name, args_of)
        elif cls is builders.ContentSecurityPolicy and name != "report_only":
            call = _csp_call(methods, args_of)
        elif cls is builders.PermissionsPolicy and name != "report_only":
            call = _pp_call(methods, args_of)
        else:
            call = _plain_call(cls, methods, args_of)
        family = _same_path(cls, methods[0])
        group = f"{cls.__name__}.{family}" if family else None
        entries.append(EntryPoint(title, (header,), call, group=group))
    if cls is builders.PermissionsPolicy:
        entries.append(
            EntryPoint(
                "PermissionsPolicy.add_directive(valid, valid, report_to=PAYLOAD)",
                (header,),
                _pp_call(["add_directive"], lambda p: ("camera", "'self'"), report_to=_PAYLOAD),
            )
        )
    return entries


def _set_entry(cls: type[builders.BaseHeader]) -> EntryPoint:
    def call(payload: object) -> Outcome:
        builder = cls().set(payload)  # type: ignore[arg-type]
        if builder.header_value != payload:
            raise PropertyViolation("model", f"set({payload!r}) renders {builder.header_value!r}")
        return _builder_outcome(builder)

    return EntryPoint(f"{cls.__name__}.set(PAYLOAD)", (header_of(cls),), call)


SECURE_KEYWORDS: dict[str, type[builders.BaseHeader]] = {
    "cache": builders.CacheControl,
    "coep": builders.CrossOriginEmbedderPolicy,
    "coop": builders.CrossOriginOpenerPolicy,
    "corp": builders.CrossOriginResourcePolicy,
    "csp": builders.ContentSecurityPolicy,
    "csp_report_only": builders.ContentSecurityPolicy,
    "hsts": builders.StrictTransportSecurity,
    "permissions": builders.PermissionsPolicy,
    "permissions_report_only": builders.PermissionsPolicy,
    "referrer": builders.ReferrerPolicy,
    "reporting_endpoints": builders.ReportingEndpoints,
    "server": builders.Server,
    "xcto": builders.XContentTypeOptions,
    "xdfc": builders.XDnsPrefetchControl,
    "xfo": builders.XFrameOptions,
    "xpcdp": builders.XPermittedCrossDomainPolicies,
}


def secure_outcome(
    result: secure.Secure, csp: Mapping[str, tuple[str, ...] | None] | None = None
) -> Outcome:
    """A Secure's items (nonce slot filled), after checking its snapshot's encodings too."""
    items = result.header_items(nonce=TEST_NONCE) if result.has_nonce else result.header_items()
    snapshot = result.snapshot()
    check_items(snapshot.asgi_items(TEST_NONCE))
    check_items(snapshot.str_items(TEST_NONCE))
    return Outcome(items, csp=csp)


def _config(
    make: Callable[[Any], Any],
    csp: Callable[[Any], Mapping[str, tuple[str, ...] | None]] | None = None,
) -> Callable[[object], Outcome]:
    def call(payload: object) -> Outcome:
        result = secure.Secure.from_config(make(payload))
        return secure_outcome(result, csp=None if csp is None else csp(payload))

    return call


def _script_src_setting(p: object) -> dict[str, tuple[str, ...] | None]:
    # A str is split on spaces and tabs (CSP3 §2.2); false/None removes the directive
    # (docs/configuration.md). A str subclass counts as its real text.
    if p is None or p is False:
        return {"script-src": None}
    if isinstance(p, (list, tuple)):
        return {"script-src": tuple(p) or ("'none'",)}  # an empty list means 'none'
    if not isinstance(p, str):
        return {"script-src": ()}
    return {"script-src": tuple(part for part in re.split(r"[ \t]+", str.__str__(p)) if part)}


def _config_entries() -> list[EntryPoint]:
    def csp_is(*sources: object) -> Callable[[Any], Mapping[str, tuple[str, ...] | None]]:
        return lambda p: {"script-src": tuple(p if s is _PAYLOAD else s for s in sources)}

    csp_names = ("csp", "Content-Security-Policy")
    entries = [
        EntryPoint(
            "from_config(custom={'X-Test': PAYLOAD})",
            ("custom", "X-Test"),
            _config(lambda p: {"custom": {"X-Test": p}}),
        ),
        EntryPoint(
            "from_config(custom={PAYLOAD: 'v'})",
            ("custom",),
            _config(lambda p: {"custom": {p: "v"}}),
            key=True,
        ),
        EntryPoint("from_config(custom=PAYLOAD)", ("custom",), _config(lambda p: {"custom": p})),
        EntryPoint(
            "from_config(csp={'script-src': [PAYLOAD]})",
            csp_names,
            _config(lambda p: {"csp": {"script-src": [p]}}, csp_is(_PAYLOAD)),
        ),
        EntryPoint(
            "from_config(csp={'script-src': ['self', PAYLOAD]})",
            csp_names,
            _config(lambda p: {"csp": {"script-src": ["'self'", p]}}, csp_is("'self'", _PAYLOAD)),
        ),
        EntryPoint(
            "from_config(csp={'script-src': PAYLOAD})",
            csp_names,
            _config(lambda p: {"csp": {"script-src": p}}, _script_src_setting),
        ),
        EntryPoint(
            "from_config(csp={PAYLOAD: ['self']})",
            csp_names,
            _config(lambda p: {"csp": {p: ["'self'"]}}),
            key=True,
        ),
        EntryPoint(
            "from_config(csp_report_only={'default-src': [PAYLOAD]})",
            ("csp_report_only", "Content-Security-Policy"),
            _config(lambda p: {"csp_report_only": {"default-src": [p]}}),
        ),
        EntryPoint(
            "from_config(permissions={'camera': [PAYLOAD]})",
            ("permissions", "Permissions-Policy"),
            _config(lambda p: {"permissions": {"camera": [p]}}),
        ),
        EntryPoint(
            "from_config(permissions={PAYLOAD: []})",
            ("permissions", "Permissions-Policy"),
            _config(lambda p: {"permissions": {p: []}}),
            key=True,
        ),
        EntryPoint(
            "from_config(hsts={'max_age': PAYLOAD})",
            ("hsts", "Strict-Transport-Security"),
            _config(lambda p: {"hsts": {"max_age": p}}),
        ),
        EntryPoint(
            "from_config(hsts={PAYLOAD: True})",
            ("hsts", "Strict-Transport-Security"),
            _config(lambda p: {"hsts": {p: True}}),
            key=True,
        ),
        EntryPoint(
            "from_config(referrer=[PAYLOAD])",
            ("referrer", "Referrer-Policy"),
            _config(lambda p: {"referrer": [p]}),
        ),
        EntryPoint(
            "from_config(cache={'no_cache': [PAYLOAD]})",
            ("cache", "Cache-Control"),
            _config(lambda p: {"cache": {"no_cache": [p]}}),
        ),
        EntryPoint(
            "from_config(reporting_endpoints={'endpoint': ['default', PAYLOAD]})",
            ("reporting_endpoints", "Reporting-Endpoints"),
            _config(lambda p: {"reporting_endpoints": {"endpoint": ["default", p]}}),
        ),
        EntryPoint("from_config(nonce=PAYLOAD)", ("nonce",), _config(lambda p: {"nonce": p})),
        EntryPoint("from_config(nonce=[PAYLOAD])", ("nonce",), _config(lambda p: {"nonce": [p]})),
        EntryPoint(
            "from_config(remove=[PAYLOAD])", ("remove",), _config(lambda p: {"remove": [p]})
        ),
        EntryPoint("from_config(remove=PAYLOAD)", ("remove",), _config(lambda p: {"remove": p})),
        EntryPoint("from_config(preset=PAYLOAD)", ("preset",), _config(lambda p: {"preset": p})),
        EntryPoint(
            "from_config({PAYLOAD: True})", ("key",), _config(lambda p: {p: True}), key=True
        ),
        EntryPoint("from_config(PAYLOAD)", ("config", "mapping"), _config(lambda p: p)),
    ]
    for key, cls in SECURE_KEYWORDS.items():
        names = (key, header_of(cls))
        entries.append(
            EntryPoint(f"from_config({key}=PAYLOAD)", names, _config(lambda p, k=key: {k: p}))
        )
    return entries


def _derive(**kwargs: Any) -> secure.Secure:
    return secure.Secure.with_default_headers().derive(**kwargs)


def _secure_entries() -> list[EntryPoint]:
    csp = ("Content-Security-Policy",)
    entries = [
        EntryPoint(
            "CustomHeader(PAYLOAD, valid)",
            ("header name",),
            lambda p: _builder_outcome(builders.CustomHeader(p, "v")),
        ),  # type: ignore[arg-type]
        EntryPoint(
            "CustomHeader(valid, PAYLOAD)",
            ("X-Test",),
            lambda p: _builder_outcome(builders.CustomHeader("X-Test", p)),
        ),  # type: ignore[arg-type]
        EntryPoint(
            "Secure(custom=[PAYLOAD])",
            ("custom",),
            lambda p: secure_outcome(secure.Secure(custom=[p])),
        ),  # type: ignore[list-item]
        EntryPoint(
            "Secure(custom=PAYLOAD)", ("custom",), lambda p: secure_outcome(secure.Secure(custom=p))
        ),  # type: ignore[arg-type]
        EntryPoint(
            "Secure(custom=[CustomHeader('X-Test', PAYLOAD)])",
            ("X-Test",),
            lambda p: secure_outcome(secure.Secure(custom=[builders.CustomHeader("X-Test", p)])),
        ),  # type: ignore[arg-type]
        EntryPoint(
            "Secure.header_items(nonce=PAYLOAD)",
            ("nonce",),
            lambda p: Outcome(secure.Secure.from_config({"nonce": True}).header_items(nonce=p)),
        ),  # type: ignore[arg-type]
        EntryPoint(
            "Secure.derive(headers={PAYLOAD: 'v'})",
            ("header name",),
            lambda p: secure_outcome(_derive(headers={p: "v"})),
            key=True,
        ),
        EntryPoint(
            "Secure.derive(headers={'X-Test': PAYLOAD})",
            ("X-Test",),
            lambda p: secure_outcome(_derive(headers={"X-Test": p})),
        ),
        EntryPoint("Secure.derive(csp=PAYLOAD)", csp, lambda p: secure_outcome(_derive(csp=p))),
        EntryPoint(
            "Secure.derive(csp_sources={'script-src': [PAYLOAD]})",
            csp,
            lambda p: secure_outcome(
                _derive(csp_sources={"script-src": [p]}),
                csp={"script-src": tuple(dict.fromkeys(("'self'", p)))},
            ),
        ),
        EntryPoint(
            "Secure.derive(csp_sources={PAYLOAD: ['self']})",
            csp,
            lambda p: secure_outcome(_derive(csp_sources={p: ["'self'"]})),
            key=True,
        ),
        EntryPoint(
            "Secure.derive(exempt=[PAYLOAD])",
            ("exempt", "header name"),
            lambda p: secure_outcome(_derive(exempt=[p])),
        ),
    ]
    for keyword, cls in SECURE_KEYWORDS.items():
        entries.append(
            EntryPoint(
                f"Secure({keyword}=PAYLOAD)",
                (keyword, cls.__name__, header_of(cls)),
                lambda p, k=keyword: secure_outcome(secure.Secure(**{k: p})),
            )
        )
    return entries


def _middleware_entries() -> list[EntryPoint]:
    entries = []
    for kind, cls, run, make_app in (
        ("ASGI", SecureASGIMiddleware, run_asgi, asgi_app),
        ("WSGI", SecureWSGIMiddleware, run_wsgi, wsgi_app),
    ):

        def through(
            secure_arg: object,
            multi_ok: object,
            appended: Iterable[str],
            cls: Any = cls,
            run: Any = run,
            make_app: Any = make_app,
        ) -> Outcome:
            middleware = cls(make_app(APP_HEADERS), secure=secure_arg, multi_ok=multi_ok)
            sent, nonce = run(middleware)
            check_response(sent, APP_HEADERS, middleware.snapshot.names, appended, nonce)
            return Outcome(sent)

        def appended(p: object) -> list[str]:
            if isinstance(p, (str, bytes)) or not isinstance(p, Iterable):
                return []
            return [n for n in p if isinstance(n, str)]

        entries += [
            EntryPoint(
                f"{kind}(secure={{'custom': {{'X-Test': PAYLOAD}}}})",
                ("X-Test", "custom"),
                lambda p, t=through: t({"custom": {"X-Test": p}}, None, ()),
            ),
            EntryPoint(
                f"{kind}(secure=PAYLOAD)",
                ("preset", "Secure", "config"),
                lambda p, t=through: t(p, None, ()),
            ),
            EntryPoint(
                f"{kind}(multi_ok=PAYLOAD)",
                ("multi_ok",),
                lambda p, t=through: t({"nonce": True}, p, appended(p)),
            ),
            EntryPoint(
                f"{kind}(multi_ok=[PAYLOAD])",
                ("multi_ok",),
                lambda p, t=through: t("strict", [p], appended([p])),
            ),
        ]
    return entries


AUDITED_NAMES = (
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "Strict-Transport-Security",
    "Permissions-Policy",
    "Referrer-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "X-XSS-Protection",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Opener-Policy",
    "Access-Control-Allow-Origin",
    "Set-Cookie",
    "Server",
    "X-Powered-By",
)


def check_findings(findings: object) -> list[Finding]:
    """audit_headers() output: a list of well-formed findings, one line each."""
    if not isinstance(findings, list):
        raise PropertyViolation("model", f"audit returned {type(findings).__name__}")
    for finding in findings:
        if not isinstance(finding, Finding):
            raise PropertyViolation("model", f"audit returned {finding!r}")
        if finding.severity not in SEVERITIES:
            raise PropertyViolation("model", f"finding {finding!r}: unknown severity")
        if not finding.rule or not finding.header or not finding.reference.startswith("https://"):
            raise PropertyViolation(
                "model", f"finding {finding!r} lacks a rule, header or reference"
            )
        controls = [c for c in finding.message if not c.isprintable()]
        if controls or not finding.message:
            raise PropertyViolation("log-injection", f"finding {finding!r}: not one printable line")
    return findings  # type: ignore[return-value]


def _audit_entries() -> list[EntryPoint]:
    def audit_value(p: object) -> Outcome:
        if not isinstance(p, str):
            raise NotApplicable
        for name in AUDITED_NAMES:
            check_findings(audit_headers([(name, p)]))
            check_findings(audit_headers([(name.lower(), p), (name.upper(), p)]))
        return Outcome([])

    def audit_name(p: object) -> Outcome:
        if not isinstance(p, str):
            raise NotApplicable
        check_findings(audit_headers([(p, "x"), ("Content-Security-Policy", "default-src 'self'")]))
        return Outcome([])

    return [
        EntryPoint("audit_headers([(known, PAYLOAD)])", ("audit",), audit_value),
        EntryPoint("audit_headers([(PAYLOAD, 'x')])", ("audit",), audit_name),
    ]


def builder_entry_points(*, full: bool = False) -> list[EntryPoint]:
    """Every builder method and ``set()``, ``CustomHeader`` included.

    Methods sharing one code path (the Permissions-Policy features, the CSP source-list
    directives) take the payloads in rotation unless ``full``.
    """
    entries: list[EntryPoint] = []
    for cls in BUILDER_CLASSES:
        entries += _method_entries(cls, full=full)
        entries.append(_set_entry(cls))
    return entries + _secure_entries()[:2]


def secure_entry_points() -> list[EntryPoint]:
    """``Secure(...)``, its derive/header_items, ``from_config`` and ``audit_headers``."""
    return _secure_entries()[2:] + _config_entries() + _audit_entries()


def middleware_entry_points() -> list[EntryPoint]:
    return _middleware_entries()


def entry_points(*, full: bool = False) -> list[EntryPoint]:
    """Every entry point of the public API a payload can reach."""
    return builder_entry_points(full=full) + secure_entry_points() + middleware_entry_points()


def run_entry(entry: EntryPoint, payload: object) -> str:
    """Run one payload through one entry point: ``accepted``, ``refused`` or ``n/a``.

    Raises PropertyViolation when the property is broken.
    """
    if entry.key:
        try:
            hash(payload)
        except TypeError:
            return "n/a"
    try:
        outcome = entry.call(payload)
    except NotApplicable:
        return "n/a"
    except PropertyViolation as violation:
        raise PropertyViolation(
            violation.kind, f"{entry.name} with {payload!r:.150}: {violation.detail}"
        ) from None
    except Exception as exc:
        try:
            check_error(exc, entry.subjects)
        except PropertyViolation as violation:
            raise PropertyViolation(
                violation.kind, f"{entry.name} with {payload!r:.150}: {violation.detail}"
            ) from exc
        return "refused"
    try:
        items = check_items(outcome.items)
        for directive, sources in (outcome.csp or {}).items():
            policy = dict(
                csp_directives({n.lower(): v for n, v in items}["content-security-policy"])
            )
            if policy.get(directive) != sources:
                raise PropertyViolation(
                    "csp-mismatch",
                    f"CSP {directive} holds {policy.get(directive)!r}, configured {sources!r}",
                )
    except PropertyViolation as violation:
        raise PropertyViolation(
            violation.kind, f"{entry.name} with {payload!r:.150}: {violation.detail}"
        ) from None
    return "accepted"


@dataclass
class CorpusRun:
    """The result of running payloads through entry points."""

    counts: dict[str, int] = field(default_factory=dict)
    violations: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        return sum(self.counts.values())


def run_corpus(entries: Iterable[EntryPoint], payloads: Iterable[Payload]) -> CorpusRun:
    """Every payload through every entry point; violations grouped by (kind, family)."""
    result = CorpusRun()
    payloads = list(payloads)
    for entry in entries:
        for payload in payloads:
            try:
                verdict = run_entry(entry, payload.value)
            except PropertyViolation as violation:
                verdict = "violation"
                key = (violation.kind, entry.family)
                result.violations.setdefault(key, []).append(f"{payload}: {violation.detail}")
            result.counts[verdict] = result.counts.get(verdict, 0) + 1
    return result


def compare_with_known(run: CorpusRun, known: Mapping[tuple[str, str], str]) -> list[str]:
    """Problems: new violations, and known ones that no longer happen (fixed: update)."""
    problems = [
        f"NEW {kind} in {family} ({len(examples)}x), e.g. {examples[0]}"
        for (kind, family), examples in sorted(run.violations.items())
        if (kind, family) not in known
    ]
    problems += [
        f"FIXED {kind} in {family} ({reason}): remove it from the known issues"
        for (kind, family), reason in sorted(known.items())
        if (kind, family) not in run.violations
    ]
    return problems
