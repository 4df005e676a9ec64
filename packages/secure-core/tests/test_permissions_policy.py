from __future__ import annotations

from typing import Any

import http_sf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.permissions_policy import PermissionsPolicy

FEATURES = [
    "accelerometer",
    "ambient-light-sensor",
    "attribution-reporting",
    "autoplay",
    "battery",
    "bluetooth",
    "browsing-topics",
    "camera",
    "clipboard-read",
    "clipboard-write",
    "compute-pressure",
    "cross-origin-isolated",
    "deferred-fetch",
    "deferred-fetch-minimal",
    "direct-sockets",
    "display-capture",
    "encrypted-media",
    "execution-while-not-rendered",
    "execution-while-out-of-viewport",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "keyboard-map",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "navigation-override",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "speaker-selection",
    "storage-access",
    "sync-xhr",
    "usb",
    "web-share",
    "window-management",
    "xr-spatial-tracking",
]


def parse_sf(value: str) -> dict[str, Any]:
    """Parse with an independent RFC 9651 implementation (the http_sf package)."""
    parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary")
    assert isinstance(parsed, dict)
    return parsed


def call(method: str, *args: Any, **kwargs: Any) -> PermissionsPolicy:
    return getattr(PermissionsPolicy(), method)(*args, **kwargs)  # type: ignore[no-any-return]


# -- seed and presets ------------------------------------------------------------------------


def test_seed_readme_example() -> None:
    policy = PermissionsPolicy().geolocation("'self'").camera("'none'").microphone("'none'")
    assert policy.header_name == "Permissions-Policy"
    assert policy.header_value == "geolocation=(self), camera=(), microphone=()"
    assert parse_sf(policy.header_value) == {
        "geolocation": ([(http_sf.Token("self"), {})], {}),
        "camera": ([], {}),
        "microphone": ([], {}),
    }


def test_preset_policy() -> None:
    policy = PermissionsPolicy().geolocation().microphone().camera()
    assert policy.header_value == "geolocation=(), microphone=(), camera=()"


# -- every feature method --------------------------------------------------------------------

ALLOWLISTS = [
    ((), "()"),
    (("'none'",), "()"),
    (("none",), "()"),
    (("'self'",), "(self)"),
    (("self",), "(self)"),
    (("'src'",), "(src)"),
    (("*",), "*"),
    (("'self'", "https://a.example"), '(self "https://a.example")'),
    (
        ("https://a.example", "https://b.example:8443", "'src'"),
        '("https://a.example" "https://b.example:8443" src)',
    ),
]


@pytest.mark.parametrize("feature", FEATURES)
@pytest.mark.parametrize(("allowlist", "rendered"), ALLOWLISTS)
def test_every_feature_method(feature: str, allowlist: tuple[str, ...], rendered: str) -> None:
    policy = call(feature.replace("-", "_"), *allowlist)
    assert policy.header_value == f"{feature}={rendered}"
    assert feature in parse_sf(policy.header_value)


@pytest.mark.parametrize(
    ("item", "rendered"),
    [
        ("https://example.com", '"https://example.com"'),
        ("http://localhost:8000", '"http://localhost:8000"'),
        ("https://*.example.com", '"https://*.example.com"'),
        ("https://127.0.0.1", '"https://127.0.0.1"'),
        ("https://[::1]:8443", '"https://[::1]:8443"'),
        ("https://xn--bcher-kva.example", '"https://xn--bcher-kva.example"'),
        ('"https://example.com"', '"https://example.com"'),  # already quoted
        ("wss://socket.example", '"wss://socket.example"'),
    ],
)
def test_origins_render_as_sf_strings(item: str, rendered: str) -> None:
    policy = PermissionsPolicy().payment(item)
    assert policy.header_value == f"payment=({rendered})"
    assert parse_sf(policy.header_value)["payment"][0][0][0] == rendered.strip('"')


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("camera",), {}, "camera=()"),
        (("camera", "'self'"), {}, "camera=(self)"),
        (("picture_in_picture", "*"), {}, "picture-in-picture=*"),
        (("ch-ua", "'self'"), {}, "ch-ua=(self)"),
        (("ch_ua_arch",), {}, "ch-ua-arch=()"),
        (("unload", "'none'"), {}, "unload=()"),
        (("camera", "'self'"), {"report_to": "default"}, "camera=(self);report-to=default"),
        (("usb",), {"report_to": "pp-endpoint"}, "usb=();report-to=pp-endpoint"),
        (("usb",), {"report_to": None}, "usb=()"),
    ],
)
def test_add_directive(args: tuple[str, ...], kwargs: dict[str, Any], expected: str) -> None:
    policy = call("add_directive", *args, **kwargs)
    assert policy.header_value == expected
    parse_sf(policy.header_value)


def test_every_registry_feature_has_a_method() -> None:
    for feature in FEATURES:
        assert callable(getattr(PermissionsPolicy, feature.replace("-", "_")))


# -- errors ------------------------------------------------------------------------------------

INVALID_ITEMS = [
    ("example.com", "needs a scheme"),
    ("https://example.com/", "no path"),
    ("https://example.com/path", "no path"),
    ("https://example.com?q=1", "no path"),
    ("https://example.com#x", "no path"),
    ('https://a"b.example', "quotes and backslashes"),
    ("https://a\\b.example", "quotes and backslashes"),
    ("'https://a.example'", "quotes and backslashes"),
    ("'self", "quotes and backslashes"),
    ("https://", "scheme://host"),
    ("https://exa mple.com", "scheme://host"),
    ("https://ex_ample.com", "scheme://host"),
    ("https://example.com:99999", "out of range"),
    ("https://example.com:123456", "scheme://host"),
    ("1https://example.com", "scheme://host"),
    ("https://a.example,camera=*", "scheme://host"),
    ("https://a.example)", "scheme://host"),
    ("", "needs a scheme"),
]


@pytest.mark.parametrize(("item", "fragment"), INVALID_ITEMS)
def test_invalid_allowlist_items_are_refused(item: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy: ") as info:
        PermissionsPolicy().camera("'self'", item)
    message = str(info.value)
    assert repr(item) in message
    assert fragment in message
    assert "camera" in message


@pytest.mark.parametrize(
    "bad",
    [
        "https://a.example\r\nX-Evil: 1",
        "a\nb",
        "a\x00b",
        "a\x7fb",
        "https://\u00fc.example",
        " self",
    ],
)
def test_control_and_non_ascii_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy camera: ") as info:
        PermissionsPolicy().camera(bad)
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize(
    "allowlist",
    [("*", "'self'"), ("'self'", "*"), ("'none'", "'self'"), ("none", "https://a.example")],
)
def test_star_and_none_stand_alone(allowlist: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy: .* cannot be combined"):
        PermissionsPolicy().geolocation(*allowlist)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Camera", "write 'camera'"),
        ("CH-UA", "write 'ch-ua'"),
        ("camera feature", "invalid feature name"),
        ("", "invalid feature name"),
        ("1camera", "invalid feature name"),
        ("camera=*", "invalid feature name"),
        ("caméra", "invalid feature name"),
    ],
)
def test_invalid_feature_names(name: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy: ") as info:
        PermissionsPolicy().add_directive(name)
    assert fragment in str(info.value)
    assert repr(name) in str(info.value)


@pytest.mark.parametrize("report_to", ["Default", "a b", "", "a;b"])
def test_invalid_report_to(report_to: str) -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy: invalid report_to"):
        PermissionsPolicy().add_directive("camera", report_to=report_to)


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("camera", (1,), {}),
        ("geolocation", ("'self'", None), {}),
        ("add_directive", (None,), {}),
        ("add_directive", ("camera", b"self"), {}),
        ("add_directive", ("camera",), {"report_to": 1}),
        ("remove", (1,), {}),
        ("report_only", ("yes",), {}),
        ("set", (None,), {}),
    ],
)
def test_non_str_arguments_are_type_errors(
    method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(TypeError, match=r"^Permissions-Policy"):
        call(method, *args, **kwargs)


def test_empty_policy_sends_the_default_policy() -> None:
    # As in 2.x: a builder with no feature turns off location, microphone and camera.
    default = "geolocation=(), microphone=(), camera=()"
    assert PermissionsPolicy().header_value == default
    assert PermissionsPolicy().camera().clear().header_value == default
    assert PermissionsPolicy().directives == {}
    assert PermissionsPolicy().set(default).header_value == default


def test_errors_name_the_report_only_header_in_report_only_mode() -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy-Report-Only: "):
        PermissionsPolicy().report_only().camera("example.com")


# -- editing -----------------------------------------------------------------------------------


def test_methods_replace_and_keep_first_insertion_order() -> None:
    policy = PermissionsPolicy().camera().geolocation().usb()
    policy.camera("'self'")
    policy.add_directive("geolocation", "*")
    assert policy.header_value == "camera=(self), geolocation=*, usb=()"


def test_feature_method_drops_report_to_set_earlier() -> None:
    policy = PermissionsPolicy().add_directive("camera", report_to="default").camera("'self'")
    assert policy.header_value == "camera=(self)"


def test_remove() -> None:
    policy = PermissionsPolicy().camera().geolocation().add_directive("ch-ua")
    policy.remove("camera").remove("ch_ua").remove("usb").remove("not-set-anywhere")
    assert policy.header_value == "geolocation=()"


def test_directives_is_a_copy() -> None:
    policy = PermissionsPolicy().camera("'self'", "https://a.example").usb("*").midi()
    directives = policy.directives
    assert directives == {"camera": ("self", '"https://a.example"'), "usb": ("*",), "midi": ()}
    directives.clear()
    assert policy.header_value == 'camera=(self "https://a.example"), usb=*, midi=()'


def test_report_only() -> None:
    policy = PermissionsPolicy().camera().report_only()
    assert policy.header_name == "Permissions-Policy-Report-Only"
    assert policy.header_value == "camera=()"
    assert policy.report_only(False).header_name == "Permissions-Policy"


def test_clear_keeps_report_only_mode() -> None:
    policy = PermissionsPolicy().camera().report_only().clear().usb()
    assert (policy.header_name, policy.header_value) == ("Permissions-Policy-Report-Only", "usb=()")


def test_copy_and_equality() -> None:
    original = PermissionsPolicy().geolocation("'self'").camera().report_only()
    clone = original.copy()
    assert clone == original
    assert clone is not original
    clone.camera("*")
    assert clone != original
    assert original.header_value == "geolocation=(self), camera=()"
    assert PermissionsPolicy().camera().usb() != PermissionsPolicy().usb().camera()
    assert PermissionsPolicy().camera() != PermissionsPolicy().camera().report_only()
    assert PermissionsPolicy().camera() != "camera=()"
    raw = PermissionsPolicy().set("camera=()")
    assert raw.copy() == raw
    assert raw != PermissionsPolicy().camera()


def test_never_equal_to_a_csp_builder() -> None:
    # Both policy builders share their base (members, mode, raw value); two empty ones
    # have the same state but are different headers.
    from secure.headers import ContentSecurityPolicy

    assert PermissionsPolicy() != ContentSecurityPolicy()
    assert ContentSecurityPolicy().report_only() != PermissionsPolicy().report_only()


# -- set(raw) ------------------------------------------------------------------------------------

VALID_RAW = [
    "geolocation=(), microphone=(), camera=()",
    "geolocation=(self), camera=()",
    'geolocation=(self "https://a.example" "https://b.example:8443"), fullscreen=*',
    "fullscreen=*",
    "fullscreen=(*)",
    "autoplay=self",
    'payment="https://pay.example"',
    "camera=(src)",
    "camera=( self  src )",
    "camera=(),geolocation=()",
    "camera=() ,\tgeolocation=()",
    "camera=();report-to=default",
    "camera=(self);report-to=pp-endpoint, usb=()",
    "ch-ua=(self), unload=()",
]


@pytest.mark.parametrize("raw", VALID_RAW)
def test_set_accepts_valid_raw_values_verbatim(raw: str) -> None:
    policy = PermissionsPolicy().set(raw)
    assert policy.header_value == raw
    parse_sf(raw)  # the independent parser agrees it is a Dictionary


def test_set_then_edit_renders_the_parsed_policy() -> None:
    policy = PermissionsPolicy().set('autoplay=self, payment="https://pay.example";report-to=x')
    assert policy.directives == {"autoplay": ("self",), "payment": ('"https://pay.example"',)}
    policy.camera()
    assert (
        policy.header_value
        == 'autoplay=(self), payment=("https://pay.example");report-to=x, camera=()'
    )
    parse_sf(policy.header_value)


INVALID_RAW = [
    ("", "empty"),
    ("camera", "has no allowlist"),
    ("camera;report-to=x", "has no allowlist"),
    ("camera=(self", "not an RFC 9651 structured-field Dictionary"),
    ("camera=self)", "not an RFC 9651 structured-field Dictionary"),
    ("camera=(), ", "whitespace"),
    ("camera=(),", "a member after ','"),
    ("camera=() geolocation=()", "',' between members"),
    ("Camera=()", "a lower-case key"),
    ("camera=(self)(src)", "',' between members"),
    ("camera=(self,src)", "' ' or ')'"),
    ('camera=("https://a.example)', "a valid string"),
    ("camera=(), camera=(self)", "appears twice"),
    ("camera=(none)", "invalid allowlist item"),
    ("camera=('self')", "a token, string or other item"),
    ("camera=(1)", "invalid allowlist item"),
    ("camera=?0", "has no allowlist"),
    ("camera=(:aGk=:)", "invalid allowlist item"),
    ("camera=(@1659578233)", "invalid allowlist item"),
    ('camera=(%"caf%c3%a9")', "invalid allowlist item"),
    ("camera=1.5", "invalid allowlist item"),
    ("camera=1234567890123.5", "at most 12 integer digits"),
    ('camera=("https://a.example/")', "no path"),
    ('camera=("example.com")', "needs a scheme"),
    ('camera=("https://a\\"b")', "quotes and backslashes"),
    ("camera=(* self)", "cannot be combined"),
    ("camera=(self;x=1)", "take no parameters"),
    ("camera=();foo=1", "unsupported parameter 'foo'"),
    ('camera=();report-to="x"', "unsupported parameter 'report-to'"),
    ("camera=()\r\nX-Evil: 1", "control character"),
]


@pytest.mark.parametrize(("raw", "fragment"), INVALID_RAW)
def test_set_refuses_invalid_raw_values(raw: str, fragment: str) -> None:
    policy = PermissionsPolicy().camera()
    with pytest.raises(ValueError, match=r"^Permissions-Policy") as info:
        policy.set(raw)
    assert fragment in str(info.value)
    assert policy.header_value == "camera=()"  # unchanged


# -- properties --------------------------------------------------------------------------------

_label = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
_origin = st.builds(
    lambda scheme, wildcard, labels, port: f"{scheme}://{wildcard}{'.'.join(labels)}{port}",
    st.sampled_from(["https", "http", "wss"]),
    st.sampled_from(["", "*."]),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(["", ":443", ":8080"]),
)
_allowlist = st.one_of(
    st.just(["*"]),
    st.just(["'none'"]),
    st.lists(st.one_of(st.sampled_from(["'self'", "self", "'src'"]), _origin), max_size=5),
)


@given(st.lists(st.tuples(st.sampled_from(FEATURES), _allowlist), min_size=1, max_size=8))
def test_generated_policies_are_rfc9651_dictionaries(
    members: list[tuple[str, list[str]]],
) -> None:
    policy = PermissionsPolicy()
    for feature, allowlist in members:
        policy.add_directive(feature, *allowlist)
    value = policy.header_value
    assert is_field_value(value)
    parsed = parse_sf(value)
    assert list(parsed) == list(dict.fromkeys(feature for feature, _ in members))
    reparsed = PermissionsPolicy().set(value)
    assert reparsed.directives == policy.directives


@given(st.lists(st.text(max_size=25), min_size=1, max_size=4))
def test_whatever_is_accepted_is_a_valid_dictionary(allowlist: list[str]) -> None:
    try:
        policy = PermissionsPolicy().camera(*allowlist)
    except ValueError:
        return
    assert is_field_value(policy.header_value)
    assert list(parse_sf(policy.header_value)) == ["camera"]


@given(st.text(max_size=40))
def test_set_agrees_with_an_independent_parser(raw: str) -> None:
    try:
        PermissionsPolicy().set(raw)
    except ValueError:
        return
    parse_sf(raw)


@given(
    st.text(max_size=8),
    st.sampled_from(["\r", "\n", "\x00", "\x7f", '"', "\\", ",", ";", "(", ")", " "]),
    st.text(max_size=8),
)
def test_items_with_control_or_structural_characters_are_refused(
    before: str, bad: str, after: str
) -> None:
    with pytest.raises(ValueError, match=r"^Permissions-Policy"):
        PermissionsPolicy().camera(f"https://a.example{before}{bad}{after}")


def test_every_known_feature_has_its_method_and_back() -> None:
    from secure.headers.permissions_policy import _FEATURES

    methods = {
        name.replace("_", "-")
        for name in vars(PermissionsPolicy)
        if not name.startswith("_")
        and name not in ("add_directive", "custom_feature", "remove", "report_only", "set")
        and name not in ("clear", "copy", "directives", "header_name", "header_value")
        and name not in ("has_nonce",)
        and callable(getattr(PermissionsPolicy, name))
    }
    assert methods == set(_FEATURES)


def test_a_feature_typo_is_refused_and_custom_feature_allows_a_new_name() -> None:
    with pytest.raises(ValueError, match=r"unknown feature 'camra'; did you mean 'camera'"):
        PermissionsPolicy().add_directive("camra")
    assert PermissionsPolicy().custom_feature("camra").header_value == "camra=()"
    # A name far from every known feature is taken as a new feature.
    assert PermissionsPolicy().add_directive("ch-ua-arch").header_value == "ch-ua-arch=()"
