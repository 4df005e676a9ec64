"""Every route of every demo app, through the pytest plugin users get with secure-core.

One pytester sub-session (its own interpreter: Django is set up once per process)
walks the Flask, Django, FastAPI and Starlette demo apps with the ``secure_routes``
fixture, the way a user's suite would, against the shared configuration
(``apps/demo_common.py``):

* the routes that send the configuration, or a documented per-route change of it,
  pass ``secure_routes``, each route checked against its own expectation;
* the routes that break it on purpose (the page's deliberately blocked inline scripts,
  the routes without a CSP) are found, with exactly the problems listed here, so a new
  problem on any route fails this test too.
"""

from __future__ import annotations

import sys

import pytest
from stacks import APPS_DIR

pytest_plugins = ["pytester"]

CONFTEST = f"""
import os
import sys

sys.path.insert(0, {str(APPS_DIR)!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "django_demo.settings"

import django

django.setup()
"""

TESTS = """
import demo_common as demo
import pytest
from django.test import Client

from secure.testing import check_routes

CONFIG = demo.SECURE_HEADERS
INLINE = f"{demo.INLINE_SCRIPT[:37]}..."
TAMPERED = f"{demo.TAMPERED_SCRIPT[:37]}..."
# The demo page (templates/index.html): a nonce'd script, one by its hash, and two
# inline scripts that must be blocked: one without nonce or hash, one tampered copy.
BLOCKED = [("inline", f"blocked by the policy ({INLINE!r})"),
           ("inline", f"blocked by the policy ({TAMPERED!r})")]
UNGUARDED = [("inline", "runs without a nonce or hash, through no policy")] * 4
NO_CSP = [("missing", "not sent"), ("finding", "high: no Content-Security-Policy is sent")]

#: Routes that change the configuration on purpose, and what they are expected to send.
PER_PATH = {
    "/features/allowed": {**CONFIG, "remove": ["Permissions-Policy"]},
    "/referrer/no-referrer": {**CONFIG, "referrer": "no-referrer"},
    "/referrer/unsafe-url": {**CONFIG, "referrer": "unsafe-url"},
}
#: Routes that break the configuration on purpose, and what the walk must find there.
DELIBERATE = {
    "/": BLOCKED,
    "/referrer/no-referrer": BLOCKED,
    "/referrer/unsafe-url": BLOCKED,
    "/report-only": BLOCKED,
    "/xfo-only": [*NO_CSP, *UNGUARDED],
    "/embeddable": [("missing", "not sent"), *NO_CSP, *UNGUARDED],  # no X-Frame-Options
}
CLEAN = ["/features", "/features/allowed", "/redirect", "/stream", "/boom"]


def flask():
    from flask_app import app
    return app


def django():
    # The demo's ALLOWED_HOSTS are its deployment's; errors answer 500 pages.
    return Client(SERVER_NAME="localhost", raise_request_exception=False)


def fastapi():
    from fastapi_app import app
    return app


def starlette():
    from starlette_app import app
    return app


APPS = [flask, django, fastapi, starlette]


@pytest.mark.parametrize("make", APPS)
def test_clean_routes(secure_routes, make):
    reports = secure_routes(make(), CONFIG, skip=DELIBERATE, per_path=PER_PATH)
    checked = [r.label.removeprefix("GET ") for r in reports]
    assert [p for p in checked if p != "/openapi.json"] == CLEAN


@pytest.mark.parametrize("make", APPS)
def test_deliberate_problems(make):
    reports = check_routes(make(), CONFIG, paths=list(DELIBERATE), per_path=PER_PATH)
    found = {
        r.label.removeprefix("GET "): [(p.kind, p.message) for p in r.problems]
        for r in reports
    }
    for path, expected in DELIBERATE.items():
        assert len(found[path]) == len(expected), (path, found[path])
        for (kind, message), (want_kind, want_message) in zip(found[path], expected):
            assert kind == want_kind and want_message in message, (path, found[path])
"""

INI = """
[pytest]
filterwarnings =
    error
    # fastapi_app.py answers HEAD on "/" as well: FastAPI warns when it writes the schema
    ignore:Duplicate Operation ID:UserWarning
"""


def test_demo_apps_route_coverage(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(conftest=CONFTEST, test_demo_routes=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    if result.ret != 0:
        sys.stdout.write("\n".join(result.outlines))
    result.assert_outcomes(passed=8)
