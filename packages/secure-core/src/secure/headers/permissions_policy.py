"""The ``Permissions-Policy`` builder.

The header is an RFC 9651 structured-field Dictionary (Permissions Policy, "Structured
header serialization"): each member is ``feature=allowlist``, the allowlist either the
token ``*`` or an inner list of the tokens ``self``/``src`` and origin strings.
Feature names come from the W3C policy-controlled features registry
(webappsec-permissions-policy ``features.md``).
"""

from __future__ import annotations

from typing import Final, NamedTuple, NoReturn, TypeVar

from secure._compat._builders import PermissionsPolicyCompat
from secure._docs import see_header
from secure._structured_field import KEY, InnerList, Item, parse_dictionary
from secure._validation import HOST_NAME, SCHEME, check_field_value, check_str, compiled
from secure.headers._base import PolicyHeader

__all__ = ["PermissionsPolicy"]

_P = TypeVar("_P", bound="PermissionsPolicy")

_HEADER: Final = "Permissions-Policy"
_REPORT_ONLY_HEADER: Final = "Permissions-Policy-Report-Only"
# What a builder with no feature sends: location, microphone and camera off everywhere.
_DEFAULT_POLICY: Final = "geolocation=(), microphone=(), camera=()"


# An origin (scheme "://" host [ ":" port ]) as the allowlist's sf-string holds it; hosts
# may start with "*." (subdomain wildcard) or be an IPv6 literal. ASCII only: IDNs go in
# punycode. Compiled on first use: the presets' policies hold no origin.
_ORIGIN: Final = rf"{SCHEME}://(?:{HOST_NAME}|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{{1,5}}))?"


_ALLOWLIST_HELP: Final = (
    "use \"'self'\", \"'src'\", '*', \"'none'\" or an origin such as 'https://example.com'"
)

# The policy-controlled features this builder has a method for (W3C registry,
# features.md): add_directive() refuses a name close to one of these as a typo.
_FEATURES: Final = frozenset(
    {
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
    }
)


class _Member(NamedTuple):
    allowlist: tuple[str, ...]  # rendered members: "*", "self", "src", '"https://..."'
    report_to: str | None


def _fail(header: str, message: str) -> NoReturn:
    raise ValueError(see_header(f"{header}: {message}", header))


class PermissionsPolicy(PermissionsPolicyCompat, PolicyHeader[_Member]):
    """Build a ``Permissions-Policy``: one method per feature, each taking an allowlist.

    Allowlist items are ``"'self'"``, ``"'src'"``, ``"*"``, ``"'none'"`` (or no item at
    all) and origins. Features render in the order they were first set. With no feature at
    all the builder sends ``geolocation=(), microphone=(), camera=()``.

    >>> PermissionsPolicy().geolocation("'self'", "https://maps.example").camera().header_value
    'geolocation=(self "https://maps.example"), camera=()'
    """

    __slots__ = ()

    _NAME = _HEADER
    _REPORT_ONLY_NAME = _REPORT_ONLY_HEADER
    _DEFAULT = _DEFAULT_POLICY

    @property
    def directives(self) -> dict[str, tuple[str, ...]]:
        """A copy of the policy: feature -> rendered allowlist members (``()`` is none)."""
        return {name: member.allowlist for name, member in self._members.items()}

    def add_directive(self: _P, name: str, *allowlist: str, report_to: str | None = None) -> _P:
        """Set a feature by name, e.g. ``add_directive("ch-ua", "'self'")``.

        Features without a method work too; a name close to a known feature (``camra``)
        is refused with a suggestion, since browsers silently ignore unknown features and
        the typo would leave the real one allowed. A genuinely new feature with such a name
        goes through :meth:`custom_feature`. ``report_to`` names the ``Reporting-Endpoints``
        endpoint for this feature's violation reports.
        """
        feature = self._feature_name(name)
        if feature not in _FEATURES:
            from secure._suggest import closest

            near = closest(feature, _FEATURES, cutoff=0.75)
            if near is not None:
                _fail(
                    self.header_name,
                    f"unknown feature {feature!r}; did you mean {near!r}? (browsers ignore "
                    f"unknown features; for a new one named {feature!r} use "
                    f"custom_feature({feature!r}, ...))",
                )
        return self.custom_feature(feature, *allowlist, report_to=report_to)

    def custom_feature(self: _P, name: str, *allowlist: str, report_to: str | None = None) -> _P:
        """Set a feature this library does not know yet, by name, with no typo check.

        >>> PermissionsPolicy().custom_feature("new-sensor").header_value
        'new-sensor=()'
        """
        feature = self._feature_name(name)
        if report_to is not None:
            report_to = check_str(self.header_name, report_to, "report_to")
            if KEY.fullmatch(report_to) is None:
                _fail(
                    self.header_name,
                    f"invalid report_to {report_to!r} for {feature}: an endpoint name is a "
                    "lower-case Reporting-Endpoints key (RFC 9651 §3.1.2), e.g. 'default'",
                )
        return self._put(feature, allowlist, report_to)

    def remove(self: _P, name: str) -> _P:
        """Remove a feature; removing one that is not set does nothing."""
        self._discard(self._feature_name(name))
        return self

    # -- features (W3C policy-controlled features registry) -----------------------------

    def accelerometer(self: _P, *allowlist: str) -> _P:
        """``accelerometer`` (Generic Sensor API)."""
        return self._put("accelerometer", allowlist)

    def ambient_light_sensor(self: _P, *allowlist: str) -> _P:
        """``ambient-light-sensor`` (Generic Sensor API)."""
        return self._put("ambient-light-sensor", allowlist)

    def attribution_reporting(self: _P, *allowlist: str) -> _P:
        """``attribution-reporting`` (Attribution Reporting API)."""
        return self._put("attribution-reporting", allowlist)

    def autoplay(self: _P, *allowlist: str) -> _P:
        """``autoplay``: media autoplay (HTML)."""
        return self._put("autoplay", allowlist)

    def battery(self: _P, *allowlist: str) -> _P:
        """``battery`` (Battery Status API)."""
        return self._put("battery", allowlist)

    def bluetooth(self: _P, *allowlist: str) -> _P:
        """``bluetooth`` (Web Bluetooth)."""
        return self._put("bluetooth", allowlist)

    def browsing_topics(self: _P, *allowlist: str) -> _P:
        """``browsing-topics`` (Topics API)."""
        return self._put("browsing-topics", allowlist)

    def camera(self: _P, *allowlist: str) -> _P:
        """``camera``: video input (Media Capture and Streams)."""
        return self._put("camera", allowlist)

    def clipboard_read(self: _P, *allowlist: str) -> _P:
        """``clipboard-read`` (Clipboard API)."""
        return self._put("clipboard-read", allowlist)

    def clipboard_write(self: _P, *allowlist: str) -> _P:
        """``clipboard-write`` (Clipboard API)."""
        return self._put("clipboard-write", allowlist)

    def compute_pressure(self: _P, *allowlist: str) -> _P:
        """``compute-pressure`` (Compute Pressure API)."""
        return self._put("compute-pressure", allowlist)

    def cross_origin_isolated(self: _P, *allowlist: str) -> _P:
        """``cross-origin-isolated``: cross-origin isolation capabilities (HTML)."""
        return self._put("cross-origin-isolated", allowlist)

    def deferred_fetch(self: _P, *allowlist: str) -> _P:
        """``deferred-fetch``: the ``fetchLater()`` top-level quota (Fetch)."""
        return self._put("deferred-fetch", allowlist)

    def deferred_fetch_minimal(self: _P, *allowlist: str) -> _P:
        """``deferred-fetch-minimal``: the shared ``fetchLater()`` subframe quota (Fetch)."""
        return self._put("deferred-fetch-minimal", allowlist)

    def direct_sockets(self: _P, *allowlist: str) -> _P:
        """``direct-sockets`` (Direct Sockets API)."""
        return self._put("direct-sockets", allowlist)

    def display_capture(self: _P, *allowlist: str) -> _P:
        """``display-capture``: screen capture (Screen Capture)."""
        return self._put("display-capture", allowlist)

    def encrypted_media(self: _P, *allowlist: str) -> _P:
        """``encrypted-media`` (Encrypted Media Extensions)."""
        return self._put("encrypted-media", allowlist)

    def execution_while_not_rendered(self: _P, *allowlist: str) -> _P:
        """``execution-while-not-rendered`` (Page Lifecycle)."""
        return self._put("execution-while-not-rendered", allowlist)

    def execution_while_out_of_viewport(self: _P, *allowlist: str) -> _P:
        """``execution-while-out-of-viewport`` (Page Lifecycle)."""
        return self._put("execution-while-out-of-viewport", allowlist)

    def fullscreen(self: _P, *allowlist: str) -> _P:
        """``fullscreen`` (Fullscreen API)."""
        return self._put("fullscreen", allowlist)

    def gamepad(self: _P, *allowlist: str) -> _P:
        """``gamepad`` (Gamepad API)."""
        return self._put("gamepad", allowlist)

    def geolocation(self: _P, *allowlist: str) -> _P:
        """``geolocation`` (Geolocation API)."""
        return self._put("geolocation", allowlist)

    def gyroscope(self: _P, *allowlist: str) -> _P:
        """``gyroscope`` (Generic Sensor API)."""
        return self._put("gyroscope", allowlist)

    def hid(self: _P, *allowlist: str) -> _P:
        """``hid`` (WebHID)."""
        return self._put("hid", allowlist)

    def identity_credentials_get(self: _P, *allowlist: str) -> _P:
        """``identity-credentials-get`` (Federated Credential Management)."""
        return self._put("identity-credentials-get", allowlist)

    def idle_detection(self: _P, *allowlist: str) -> _P:
        """``idle-detection`` (Idle Detection API)."""
        return self._put("idle-detection", allowlist)

    def keyboard_map(self: _P, *allowlist: str) -> _P:
        """``keyboard-map`` (Keyboard Map)."""
        return self._put("keyboard-map", allowlist)

    def local_fonts(self: _P, *allowlist: str) -> _P:
        """``local-fonts`` (Local Font Access)."""
        return self._put("local-fonts", allowlist)

    def magnetometer(self: _P, *allowlist: str) -> _P:
        """``magnetometer`` (Generic Sensor API)."""
        return self._put("magnetometer", allowlist)

    def microphone(self: _P, *allowlist: str) -> _P:
        """``microphone``: audio input (Media Capture and Streams)."""
        return self._put("microphone", allowlist)

    def midi(self: _P, *allowlist: str) -> _P:
        """``midi`` (Web MIDI)."""
        return self._put("midi", allowlist)

    def navigation_override(self: _P, *allowlist: str) -> _P:
        """``navigation-override`` (CSS Spatial Navigation)."""
        return self._put("navigation-override", allowlist)

    def otp_credentials(self: _P, *allowlist: str) -> _P:
        """``otp-credentials`` (WebOTP)."""
        return self._put("otp-credentials", allowlist)

    def payment(self: _P, *allowlist: str) -> _P:
        """``payment`` (Payment Request API)."""
        return self._put("payment", allowlist)

    def picture_in_picture(self: _P, *allowlist: str) -> _P:
        """``picture-in-picture`` (Picture-in-Picture)."""
        return self._put("picture-in-picture", allowlist)

    def publickey_credentials_create(self: _P, *allowlist: str) -> _P:
        """``publickey-credentials-create`` (Web Authentication)."""
        return self._put("publickey-credentials-create", allowlist)

    def publickey_credentials_get(self: _P, *allowlist: str) -> _P:
        """``publickey-credentials-get`` (Web Authentication)."""
        return self._put("publickey-credentials-get", allowlist)

    def screen_wake_lock(self: _P, *allowlist: str) -> _P:
        """``screen-wake-lock`` (Screen Wake Lock API)."""
        return self._put("screen-wake-lock", allowlist)

    def serial(self: _P, *allowlist: str) -> _P:
        """``serial`` (Web Serial API)."""
        return self._put("serial", allowlist)

    def speaker_selection(self: _P, *allowlist: str) -> _P:
        """``speaker-selection`` (Audio Output Devices API)."""
        return self._put("speaker-selection", allowlist)

    def storage_access(self: _P, *allowlist: str) -> _P:
        """``storage-access`` (Storage Access API)."""
        return self._put("storage-access", allowlist)

    def sync_xhr(self: _P, *allowlist: str) -> _P:
        """``sync-xhr``: synchronous XMLHttpRequest (XHR)."""
        return self._put("sync-xhr", allowlist)

    def usb(self: _P, *allowlist: str) -> _P:
        """``usb`` (WebUSB)."""
        return self._put("usb", allowlist)

    def web_share(self: _P, *allowlist: str) -> _P:
        """``web-share`` (Web Share API)."""
        return self._put("web-share", allowlist)

    def window_management(self: _P, *allowlist: str) -> _P:
        """``window-management`` (Window Management)."""
        return self._put("window-management", allowlist)

    def xr_spatial_tracking(self: _P, *allowlist: str) -> _P:
        """``xr-spatial-tracking`` (WebXR Device API)."""
        return self._put("xr-spatial-tracking", allowlist)

    # -- PolicyHeader ---------------------------------------------------------------------

    def _render_members(self) -> str:
        parts = []
        for name, (allowlist, report_to) in self._members.items():
            # Permissions Policy: the allowlist "*" is the bare token, anything else an
            # inner list (an empty one disables the feature everywhere).
            value = "*" if allowlist == ("*",) else f"({' '.join(allowlist)})"
            params = f";report-to={report_to}" if report_to is not None else ""
            parts.append(f"{name}={value}{params}")
        return ", ".join(parts)

    # -- internals ------------------------------------------------------------------------

    def _put(
        self: _P, feature: str, allowlist: tuple[object, ...], report_to: str | None = None
    ) -> _P:
        items = tuple(self._allowlist_item(feature, item) for item in allowlist)
        self._members[feature] = _Member(self._check_allowlist(feature, items), report_to)
        self._raw = None
        return self

    def _allowlist_item(self, feature: str, item: object) -> str:
        """One allowlist item as it renders: ``self``, ``src``, ``*``, ``none`` or an sf-string."""
        header = self.header_name
        item = check_str(header, item, f"{feature} allowlist item")
        check_field_value(f"{header} {feature}", item)
        bare = item[1:-1] if len(item) >= 2 and item[0] == item[-1] == "'" else item
        if bare in ("self", "src", "none"):
            return bare
        if item == "*":
            return "*"
        origin = item[1:-1] if len(item) >= 2 and item[0] == item[-1] == '"' else item
        return f'"{self._check_origin(feature, origin)}"'

    def _check_origin(self, feature: str, origin: str) -> str:
        header = self.header_name
        # RFC 9651 §3.3.3: a '"' or '\' would need escaping; neither belongs in an origin.
        if '"' in origin or "\\" in origin or "'" in origin:
            _fail(
                header,
                f"invalid allowlist item {origin!r} for {feature}: quotes and backslashes are "
                f"not allowed; {_ALLOWLIST_HELP}",
            )
        found = compiled(_ORIGIN).fullmatch(origin)
        if found is None:
            prefix = compiled(_ORIGIN).match(origin)
            if prefix and origin[prefix.end()] in "/?#":
                hint = "an origin has no path, query or fragment (not even a trailing '/')"
            elif "://" not in origin:
                hint = f"an origin needs a scheme, e.g. 'https://{origin}'"
            else:
                hint = "expected scheme://host[:port], ASCII only (IDNs in punycode)"
            _fail(
                header,
                f"invalid allowlist item {origin!r} for {feature}: {hint}; {_ALLOWLIST_HELP}",
            )
        port = found.group("port")
        if port is not None and int(port) > 65535:
            _fail(header, f"invalid origin {origin!r} for {feature}: port {port} is out of range")
        return origin

    def _check_allowlist(self, feature: str, items: tuple[str, ...]) -> tuple[str, ...]:
        # "*" and "none" (the empty list) each stand alone: MDN and the spec's examples use
        # them only on their own, and a mix is almost certainly a mistake.
        for alone in ("*", "none"):
            if alone in items and len(items) > 1:
                shown = "*" if alone == "*" else "'none'"
                _fail(
                    self.header_name,
                    f"{shown} cannot be combined with other allowlist items for {feature} "
                    f"(got {items!r}); keep either {shown} or the other items",
                )
        return () if items == ("none",) else items

    def _feature_name(self, name: object) -> str:
        # Snake case is accepted (no feature name has "_"), so config keys can be either.
        header = self.header_name
        feature = check_str(header, name, "feature name").replace("_", "-")
        if KEY.fullmatch(feature) is None:
            hint = f"; write {feature.lower()!r}" if KEY.fullmatch(feature.lower()) else ""
            _fail(
                header,
                f"invalid feature name {name!r}: a feature name is an RFC 9651 key "
                f"(lower-case letters, digits, '-', '.', '*'){hint}",
            )
        return feature

    def _parse(self, value: str) -> dict[str, _Member]:
        """Parse a raw header as an RFC 9651 Dictionary of Permissions Policy allowlists."""
        header = self.header_name
        if not value:
            _fail(header, "the value is empty; an empty policy is not sent at all")
        features: dict[str, _Member] = {}
        for name, member in parse_dictionary(header, value):
            if name in features:
                _fail(
                    header,
                    f"feature {name!r} appears twice in {value!r}; only the last would count "
                    "(RFC 9651 §4.2.2), so keep one",
                )
            if isinstance(member, Item) and member.kind == "boolean":
                _fail(
                    header,
                    f"feature {name!r} has no allowlist in {value!r}; write {name}=() to "
                    f"disable it or {name}=(self) to allow it for this origin",
                )
            items = member.items if isinstance(member, InnerList) else (member,)
            allowlist = []
            for item in items:
                if item.params and isinstance(member, InnerList):
                    _fail(header, f"allowlist items of {name!r} take no parameters")
                if item.kind == "token" and item.text in ("*", "self", "src"):
                    allowlist.append(item.text)
                elif item.kind == "string":
                    allowlist.append(f'"{self._check_origin(name, item.text[1:-1])}"')
                else:
                    _fail(
                        header,
                        f"invalid allowlist item {item.text!r} for {name!r} in {value!r}: an "
                        "allowlist holds the tokens *, self and src and origin strings",
                    )
            report_to = None
            for key, param in member.params:
                if key != "report-to" or param.kind != "token":
                    _fail(
                        header,
                        f"unsupported parameter {key!r} on {name!r}: the only parameter is "
                        "report-to=<endpoint token>",
                    )
                report_to = param.text
            features[name] = _Member(self._check_allowlist(name, tuple(allowlist)), report_to)
        return features
