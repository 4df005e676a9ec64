"""Every system check fires when it should and stays quiet otherwise."""

from __future__ import annotations

import io
from typing import Any

import django
import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from secure.nonce import csp_hash

SECURITY = "django.middleware.security.SecurityMiddleware"
OURS = "secure_django.middleware.SecureHeadersMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"
DJANGO_CSP = "django.middleware.csp.ContentSecurityPolicyMiddleware"


def ids(*, deploy: bool = False, **overrides: Any) -> list[str]:
    """The ids of this package's check messages under ``overrides``."""
    with override_settings(**overrides):
        messages = run_checks(include_deployment_checks=deploy)
    return [m.id for m in messages if m.id and m.id.startswith("secure_django.")]


def middleware(*paths: str) -> list[str]:
    return [*paths, "django.contrib.sessions.middleware.SessionMiddleware"]


def templates_with(*processors: str) -> list[dict[str, Any]]:
    backend = dict(settings.TEMPLATES[0])
    options = dict(backend["OPTIONS"])
    options["context_processors"] = [*options["context_processors"], *processors]
    backend["OPTIONS"] = options
    return [backend]


def test_the_test_project_is_clean() -> None:
    assert ids() == []
    assert ids(deploy=True) == []


@pytest.mark.parametrize("preset", ["balanced", "basic", "strict"])
def test_presets_pass_the_deployment_checks(preset: str) -> None:
    assert ids(deploy=True, SECURE_HEADERS=preset, SECURE_REFERRER_POLICY=None) == []


# -- E001 configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [{"cps": {}}, {"hsts": {"max_agee": 1}}, {"preset": "paranoid"}, 42, ["csp"]],
)
def test_e001_invalid_configuration(value: object) -> None:
    assert ids(SECURE_HEADERS=value) == ["secure_django.E001"]


def test_e001_message_names_the_key_and_suggests_the_fix() -> None:
    with override_settings(SECURE_HEADERS={"cps": {}}):
        (error,) = [m for m in run_checks() if m.id == "secure_django.E001"]
    assert "SECURE_HEADERS" in error.msg
    assert "cps" in error.msg
    assert "did you mean 'csp'" in error.msg
    assert error.hint


def test_e001_through_manage_py_check() -> None:
    with override_settings(SECURE_HEADERS={"cps": {}}), pytest.raises(SystemCheckError) as info:
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    assert "secure_django.E001" in str(info.value)


# -- W001-W003 the middleware ---------------------------------------------------------


def test_w001_middleware_missing() -> None:
    assert ids(MIDDLEWARE=middleware(SECURITY)) == ["secure_django.W001"]


@pytest.mark.parametrize(
    "path",
    [
        OURS,
        "secure_django.SecureHeadersMiddleware",
        "django_project.middleware.ProjectHeadersMiddleware",
    ],
)
def test_w001_quiet_for_every_spelling(path: str) -> None:
    assert ids(MIDDLEWARE=middleware(SECURITY, path)) == []


def test_w002_listed_twice() -> None:
    assert ids(MIDDLEWARE=middleware(OURS, SECURITY, OURS)) == ["secure_django.W002"]


@pytest.mark.parametrize(
    "maker",
    [
        COMMON,
        "django.middleware.http.ConditionalGetMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.cache.FetchFromCacheMiddleware",
    ],
)
def test_w003_after_a_middleware_that_makes_responses(maker: str) -> None:
    assert ids(MIDDLEWARE=middleware(SECURITY, maker, OURS)) == ["secure_django.W003"]
    assert ids(MIDDLEWARE=middleware(SECURITY, OURS, maker)) == []


# -- W010-W014 Django's own header settings -------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # Strict-Transport-Security
        ({"SECURE_HSTS_SECONDS": 3600}, ["secure_django.W010"]),
        ({"SECURE_HSTS_SECONDS": 31536000}, ["secure_django.W010"]),
        ({"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True}, []),
        ({"SECURE_HSTS_SECONDS": 3600, "SECURE_HEADERS": {"hsts": False}}, []),
        ({"SECURE_HSTS_SECONDS": 0}, []),
        # X-Content-Type-Options
        ({"SECURE_CONTENT_TYPE_NOSNIFF": True}, []),
        (
            {
                "SECURE_HEADERS": {"xcto": False, "custom": {"X-Content-Type-Options": "x"}},
                "SECURE_CONTENT_TYPE_NOSNIFF": True,
            },
            ["secure_django.W011"],
        ),
        # Django's default (True) is not the project's choice.
        ({"SECURE_HEADERS": {"xcto": False, "custom": {"X-Content-Type-Options": "x"}}}, []),
        # Referrer-Policy
        ({"SECURE_REFERRER_POLICY": "same-origin"}, ["secure_django.W012"]),
        ({"SECURE_REFERRER_POLICY": ["no-referrer", "strict-origin"]}, ["secure_django.W012"]),
        ({"SECURE_REFERRER_POLICY": "Strict-Origin-When-Cross-Origin"}, []),
        ({"SECURE_REFERRER_POLICY": None}, []),
        ({"SECURE_REFERRER_POLICY": "same-origin", "SECURE_HEADERS": {"referrer": False}}, []),
        # Cross-Origin-Opener-Policy (BALANCED does not send it)
        ({"SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin"}, []),
        (
            {
                "SECURE_HEADERS": {"coop": "same-origin-allow-popups"},
                "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
            },
            ["secure_django.W013"],
        ),
        ({"SECURE_HEADERS": {"coop": "same-origin-allow-popups"}}, []),  # Django's default
        (
            {
                "SECURE_HEADERS": {"coop": "same-origin-allow-popups"},
                "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin-allow-popups",
            },
            [],
        ),
    ],
)
def test_security_middleware_clashes(overrides: dict[str, Any], expected: list[str]) -> None:
    assert ids(**overrides) == expected


def test_security_middleware_settings_are_ignored_without_it() -> None:
    assert ids(MIDDLEWARE=middleware(OURS), SECURE_REFERRER_POLICY="no-referrer") == []


def test_w014_xframe_options_middleware() -> None:
    with_xframe = middleware(SECURITY, OURS, XFRAME)
    assert ids(MIDDLEWARE=with_xframe, X_FRAME_OPTIONS="DENY") == ["secure_django.W014"]
    assert ids(MIDDLEWARE=middleware(XFRAME, SECURITY, OURS), X_FRAME_OPTIONS="DENY") == [
        "secure_django.W014"
    ]
    assert ids(MIDDLEWARE=with_xframe, X_FRAME_OPTIONS="SAMEORIGIN") == []
    assert ids(MIDDLEWARE=middleware(SECURITY, OURS), X_FRAME_OPTIONS="DENY") == []
    strict: dict[str, Any] = {"SECURE_HEADERS": "strict", "SECURE_REFERRER_POLICY": "no-referrer"}
    assert ids(MIDDLEWARE=with_xframe, **strict) == []  # both DENY
    assert ids(MIDDLEWARE=with_xframe, SECURE_HEADERS={"xfo": False}) == []


def test_clash_message_names_both_values_and_the_setting() -> None:
    with override_settings(SECURE_REFERRER_POLICY="same-origin"):
        (warning,) = [m for m in run_checks() if m.id == "secure_django.W012"]
    assert "SECURE_REFERRER_POLICY" in warning.msg
    assert "same-origin" in warning.msg
    assert "strict-origin-when-cross-origin" in warning.msg
    # Following the hint keeps Django's own check --deploy quiet (no security.W022).
    assert "SECURE_REFERRER_POLICY = 'strict-origin-when-cross-origin'" in (warning.hint or "")


def test_django_defaults_are_not_a_clash() -> None:
    """A stock project's MIDDLEWARE with Django's default X_FRAME_OPTIONS ("DENY", not
    BALANCED's "SAMEORIGIN"): Django's value only fills the views exempted from ours, as
    it would without us. (test_startproject.py runs a real stock project, where
    SECURE_REFERRER_POLICY is left at its default too.)"""
    stock = [
        SECURITY,
        OURS,
        "django.contrib.sessions.middleware.SessionMiddleware",
        COMMON,
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        XFRAME,
    ]
    with override_settings(MIDDLEWARE=stock):
        assert not settings.is_overridden("X_FRAME_OPTIONS")
        messages = run_checks()
    assert [m.id for m in messages if m.id and m.id.startswith("secure_django.")] == []


def test_clash_hint_when_no_django_value_is_equal() -> None:
    # Django refuses COOP values other than its three (security.E024).
    overrides = {
        "SECURE_HEADERS": {"coop": "noopener-allow-popups"},
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    }
    with override_settings(**overrides):
        (warning,) = [m for m in run_checks() if m.id == "secure_django.W013"]
    assert (warning.hint or "").startswith("Remove SECURE_CROSS_ORIGIN_OPENER_POLICY")


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        (
            {"SECURE_HSTS_SECONDS": 3600},
            "SECURE_HSTS_SECONDS = 31536000; SECURE_HSTS_INCLUDE_SUBDOMAINS = True; "
            "SECURE_HSTS_PRELOAD = False",
        ),
        ({"SECURE_REFERRER_POLICY": "same-origin"}, "SECURE_REFERRER_POLICY = 'strict-origin"),
        (
            {"MIDDLEWARE": middleware(SECURITY, OURS, XFRAME), "X_FRAME_OPTIONS": "DENY"},
            "X_FRAME_OPTIONS = 'SAMEORIGIN'",
        ),
        (
            {
                "SECURE_HEADERS": {"coop": "same-origin-allow-popups"},
                "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
            },
            "SECURE_CROSS_ORIGIN_OPENER_POLICY = 'same-origin-allow-popups'",
        ),
    ],
)
def test_clash_hints_give_the_equal_django_setting(overrides: dict[str, Any], hint: str) -> None:
    """The hints used to say "turn Django's setting off", which makes Django's own
    check --deploy report security.W004, W022 and W002 about headers that are sent."""
    with override_settings(**overrides):
        (warning,) = [m for m in run_checks() if m.id and m.id.startswith("secure_django.W01")]
    assert hint in (warning.hint or "")
    assert "None" not in (warning.hint or "")


# -- W015-W018 Django's CSP and other header middleware -------------------------------


def test_w015_django_csp() -> None:
    with_csp = middleware(SECURITY, OURS, DJANGO_CSP)
    policy = {"default-src": ["'self'"]}
    assert ids(MIDDLEWARE=with_csp, SECURE_CSP=policy) == ["secure_django.W015"]
    assert ids(MIDDLEWARE=with_csp, SECURE_CSP={}) == []
    assert ids(MIDDLEWARE=with_csp, SECURE_CSP=policy, SECURE_HEADERS={"csp": False}) == []
    # Opted in, SECURE_CSP is our policy: Django's middleware is then W019's business.
    opt_in = {"SECURE_HEADERS_USE_DJANGO_CSP": True, "SECURE_HEADERS": "balanced"}
    assert "secure_django.W015" not in ids(MIDDLEWARE=with_csp, SECURE_CSP=policy, **opt_in)


@pytest.mark.skipif(django.VERSION < (6, 0), reason="SECURE_CSP is Django 6's")
def test_w019_django_csp_sent_twice() -> None:
    with_csp = middleware(SECURITY, OURS, DJANGO_CSP)
    policy = {"default-src": ["'self'"]}
    # (The test project's SECURE_HEADERS has a "nonce" key, which the opt-in refuses.)
    opt_in = {
        "SECURE_HEADERS_USE_DJANGO_CSP": True,
        "SECURE_CSP": policy,
        "SECURE_HEADERS": "balanced",
    }
    assert ids(MIDDLEWARE=with_csp, **opt_in) == ["secure_django.W019"]
    assert ids(MIDDLEWARE=middleware(SECURITY, OURS), **opt_in) == []


@pytest.mark.skipif(django.VERSION < (6, 0), reason="SECURE_CSP is Django 6's")
def test_w020_django_csp_read_by_nothing() -> None:
    policy = {"default-src": ["'self'"]}
    ours_only = middleware(SECURITY, OURS)
    assert ids(MIDDLEWARE=ours_only, SECURE_CSP=policy) == ["secure_django.W020"]
    assert ids(MIDDLEWARE=ours_only, SECURE_CSP_REPORT_ONLY=policy) == ["secure_django.W020"]
    with override_settings(MIDDLEWARE=ours_only, SECURE_CSP=policy):
        (warning,) = [m for m in run_checks() if m.id == "secure_django.W020"]
    assert "SECURE_CSP is set, but nothing reads it" in warning.msg
    assert "SECURE_HEADERS_USE_DJANGO_CSP = True" in (warning.hint or "")
    # Read by Django's middleware, or by ours after the opt-in.
    opt_in = {"SECURE_HEADERS_USE_DJANGO_CSP": True, "SECURE_HEADERS": "balanced"}
    assert ids(MIDDLEWARE=ours_only, SECURE_CSP=policy, **opt_in) == []
    assert "secure_django.W020" not in ids(
        MIDDLEWARE=middleware(SECURITY, OURS, DJANGO_CSP), SECURE_CSP=policy
    )
    assert ids(MIDDLEWARE=ours_only, SECURE_CSP={}) == []


def test_w016_django_csp_report_only() -> None:
    with_csp = middleware(SECURITY, OURS, DJANGO_CSP)
    policy = {"default-src": ["'self'"]}
    ours = {"csp_report_only": {"default-src": ["'none'"]}}
    assert ids(MIDDLEWARE=with_csp, SECURE_CSP_REPORT_ONLY=policy, SECURE_HEADERS=ours) == [
        "secure_django.W016"
    ]
    assert ids(MIDDLEWARE=with_csp, SECURE_CSP_REPORT_ONLY=policy) == []


def test_w017_django_csp_context_processor() -> None:
    django_processor = "django.template.context_processors.csp"
    assert ids(TEMPLATES=templates_with(django_processor)) == ["secure_django.W017"]


@pytest.mark.parametrize(
    ("path", "config"),
    [
        ("csp.middleware.CSPMiddleware", {"csp": False}),
        ("django_permissions_policy.PermissionsPolicyMiddleware", {"permissions": False}),
    ],
)
def test_w018_other_header_middleware(path: str, config: dict[str, Any]) -> None:
    assert ids(MIDDLEWARE=middleware(SECURITY, OURS, path)) == ["secure_django.W018"]
    assert ids(MIDDLEWARE=middleware(SECURITY, OURS, path), SECURE_HEADERS=config) == []


# -- W100-W127 weak settings (--deploy), found by secure.audit ---------------------------


def test_w101_inline_scripts() -> None:
    unsafe = {"csp": {"script-src": ["'self'", "'unsafe-inline'"]}}
    assert ids(SECURE_HEADERS=unsafe) == []  # a deployment check only
    assert ids(deploy=True, SECURE_HEADERS=unsafe) == ["secure_django.W101"]
    assert ids(deploy=True, SECURE_HEADERS={**unsafe, "nonce": True}) == []
    hashed = {"csp": f"default-src 'self'; script-src 'unsafe-inline' {csp_hash('f()')}"}
    assert "secure_django.W101" not in ids(deploy=True, SECURE_HEADERS=hashed)


def test_w102_short_hsts() -> None:
    assert ids(deploy=True, SECURE_HEADERS={"hsts": {"max_age": 3600}}) == ["secure_django.W102"]
    assert ids(deploy=True, SECURE_HEADERS={"hsts": {"max_age": 15768000}}) == []


def test_w103_preload_without_its_requirements() -> None:
    # The hsts key refuses such a value (E001); a custom header can still send one.
    weak = {"hsts": False, "custom": {"Strict-Transport-Security": "max-age=31536000; preload"}}
    assert ids(deploy=True, SECURE_HEADERS=weak) == ["secure_django.W103"]
    ready = {"hsts": "max-age=63072000; includeSubDomains; preload"}
    assert ids(deploy=True, SECURE_HEADERS=ready) == []


def test_w104_no_csp() -> None:
    assert ids(deploy=True, SECURE_HEADERS={"csp": False}) == ["secure_django.W104"]


def test_w104_quiet_when_django_sends_the_csp() -> None:
    with_csp = middleware(SECURITY, OURS, DJANGO_CSP)
    assert (
        ids(
            deploy=True,
            MIDDLEWARE=with_csp,
            SECURE_HEADERS={"csp": False},
            SECURE_CSP={"default-src": ["'self'"]},
        )
        == []
    )


def test_w117_hsts_missing_unless_django_sends_it() -> None:
    no_hsts = {"hsts": False}
    assert ids(deploy=True, SECURE_HEADERS=no_hsts) == ["secure_django.W117"]
    django_hsts = {"SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True}
    assert ids(deploy=True, SECURE_HEADERS=no_hsts, **django_hsts) == []
    # Django's own value is audited too.
    assert ids(deploy=True, SECURE_HEADERS=no_hsts, SECURE_HSTS_SECONDS=60) == [
        "secure_django.W102"
    ]


def test_w119_frame_protection() -> None:
    # BALANCED's CSP has frame-ancestors, so dropping X-Frame-Options is fine.
    assert ids(deploy=True, SECURE_HEADERS={"xfo": False}) == []
    bare = {"preset": "none", "csp": "default-src 'self'"}
    assert sorted(ids(deploy=True, SECURE_HEADERS=bare)) == [
        "secure_django.W114",  # no base-uri
        "secure_django.W117",  # no HSTS
        "secure_django.W119",  # no X-Frame-Options, no frame-ancestors
    ]


def test_deploy_warning_explains_and_points_to_a_reference() -> None:
    with override_settings(SECURE_HEADERS={"hsts": {"max_age": 3600}}):
        (warning,) = [
            m for m in run_checks(include_deployment_checks=True) if m.id == "secure_django.W102"
        ]
    assert "Strict-Transport-Security" in warning.msg
    assert "3600" in warning.msg
    assert "hsts-short-max-age" in warning.msg
    assert "https://" in (warning.hint or "")


def test_every_audit_rule_that_warns_has_an_id() -> None:
    from secure.audit import RULES
    from secure_django.checks import AUDIT_IDS

    warning_rules = {r.id for r in RULES.values() if r.severity in ("high", "medium")}
    cookie_rules = {"cookie-no-secure"}  # cookies are Django's settings, not SECURE_HEADERS
    assert warning_rules - cookie_rules <= set(AUDIT_IDS)
    assert len(set(AUDIT_IDS.values())) == len(AUDIT_IDS)


def test_deploy_checks_through_manage_py_check() -> None:
    out, err = io.StringIO(), io.StringIO()
    with override_settings(SECURE_HEADERS={"hsts": {"max_age": 3600}}):
        call_command("check", deploy=True, stdout=out, stderr=err)
        assert "secure_django.W102" in err.getvalue()
        with override_settings(SILENCED_SYSTEM_CHECKS=["secure_django.W102"]):
            err = io.StringIO()
            call_command("check", deploy=True, stdout=io.StringIO(), stderr=err)
            assert "secure_django.W102" not in err.getvalue()


def test_a_misspelt_setting_is_reported() -> None:
    from django.test import override_settings

    from secure_django.checks import check_misspelt_settings

    with override_settings(SECURE_HEADER={"preset": "strict"}):
        messages = check_misspelt_settings(None)
    assert [(m.id, m.hint) for m in messages] == [
        ("secure_django.W005", "Did you mean SECURE_HEADERS?")
    ]
    # Django's own SECURE_* settings are not taken for typos of ours.
    with override_settings(SECURE_HSTS_SECONDS=3600, SECURE_CSP={"default-src": ["'self'"]}):
        assert check_misspelt_settings(None) == []
    # Nor are our own.
    with override_settings(SECURE_HEADERS_USE_DJANGO_CSP=False):
        assert check_misspelt_settings(None) == []
