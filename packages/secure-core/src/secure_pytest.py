"""The pytest plugin of secure-core, enabled by installing the package.

It only adds fixtures and options; a test run that uses neither does nothing more
than before (``pytest -p no:secure`` turns it off). This module stays outside the
``secure`` package and imports it only when a fixture or option is used, so loading
the plugin costs nothing and coverage of ``secure`` starts before ``secure`` loads.

* ``secure_headers`` - :func:`secure.testing.assert_secure_headers` with this run's
  defaults: ``secure_headers(client.get("/"))``
* ``secure_routes`` - :func:`secure.testing.assert_routes_secure`: every GET route of
  an app checked in one test: ``secure_routes(app)``
* ``secure_grade`` - :func:`secure.testing.assert_grade` for a live URL
* ``--secure-check URL`` (repeatable) adds one test per URL that fails when ``secure
  check URL`` grades it below ``--secure-min-grade`` (default A)

``--secure-expected`` (ini ``secure_expected``) names the configuration every check
compares with: a preset name or a TOML/JSON file (relative to the rootdir);
``--secure-min-severity`` (ini ``secure_min_severity``, default high) the lowest
policy-checker severity that fails. See <https://typeerror.github.io/secure/testing/>.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from secure.testing import Expected

__all__ = ["SecureCheckItem"]

_SEVERITIES = ("high", "medium", "low", "info", "none")
_GRADES = ("A+", "A", "B", "C", "D", "F")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("secure", "HTTP security headers (secure-core)")
    group.addoption(
        "--secure-expected",
        metavar="PRESET_OR_FILE",
        help="configuration the secure_* fixtures and --secure-check compare with "
        "(default: ini secure_expected, else the balanced preset)",
    )
    group.addoption(
        "--secure-min-severity",
        choices=_SEVERITIES,
        help="lowest policy-checker severity that fails a header check "
        "(default: ini secure_min_severity, else high; none: findings never fail)",
    )
    group.addoption(
        "--secure-check",
        action="append",
        default=[],
        metavar="URL",
        help="add a test that fails when `secure check URL` grades below --secure-min-grade",
    )
    group.addoption(
        "--secure-min-grade",
        choices=_GRADES,
        help="lowest acceptable grade for --secure-check and secure_grade (default: A)",
    )
    parser.addini("secure_expected", "preset name or configuration file for header checks")
    parser.addini("secure_min_severity", "lowest policy-checker severity that fails a check")
    parser.addini("secure_min_grade", "lowest acceptable grade of --secure-check")


def pytest_configure(config: pytest.Config) -> None:
    # A mistyped value is a usage error at start-up, not a failure in some test.
    settings = _Settings(config)
    settings.min_severity  # noqa: B018
    settings.min_grade  # noqa: B018


class _Settings:
    """This run's defaults, from the command line, then the ini file."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def _value(self, option: str, ini: str) -> str | None:
        value = self._config.getoption(option) or self._config.getini(ini)
        return str(value) if value else None

    @property
    def expected(self) -> Expected | None:
        value = self._value("secure_expected", "secure_expected")
        if value is None:
            return None
        if Path(value).suffix.lower() in (".toml", ".json"):
            return Path(self._config.rootpath, value)
        return value

    @property
    def min_severity(self) -> Any:
        value = self._value("secure_min_severity", "secure_min_severity") or "high"
        if value not in _SEVERITIES:
            raise pytest.UsageError(
                f"secure_min_severity must be one of {', '.join(_SEVERITIES)}, got {value!r}"
            )
        return None if value == "none" else value

    @property
    def min_grade(self) -> str:
        value = self._value("secure_min_grade", "secure_min_grade") or "A"
        if value not in _GRADES:
            raise pytest.UsageError(
                f"secure_min_grade must be one of {', '.join(_GRADES)}, got {value!r}"
            )
        return value


@pytest.fixture
def secure_headers(pytestconfig: pytest.Config) -> Callable[..., Any]:
    """``secure_headers(response, expected=None, **options)``: fail unless ``response``
    sends the expected headers (see ``secure.testing.assert_secure_headers``)."""
    from secure.testing import assert_secure_headers

    settings = _Settings(pytestconfig)

    def check(response: Any, expected: Expected | None = None, **options: Any) -> Any:
        options.setdefault("min_severity", settings.min_severity)
        chosen = settings.expected if expected is None else expected
        return assert_secure_headers(response, chosen, **options)

    return check


@pytest.fixture
def secure_routes(pytestconfig: pytest.Config) -> Callable[..., Any]:
    """``secure_routes(app, expected=None, paths=None, skip=(), per_path=None)``: request
    every GET route of ``app`` and fail with each route's problems
    (see ``secure.testing.assert_routes_secure``)."""
    from secure.testing import assert_routes_secure

    settings = _Settings(pytestconfig)

    def check(app: Any, expected: Expected | None = None, **options: Any) -> Any:
        options.setdefault("min_severity", settings.min_severity)
        chosen = settings.expected if expected is None else expected
        return assert_routes_secure(app, chosen, **options)

    return check


@pytest.fixture
def secure_grade(pytestconfig: pytest.Config) -> Callable[..., Any]:
    """``secure_grade(url, min_grade=None, expected=None)``: fail when ``secure check``
    grades the live ``url`` below ``min_grade`` (default: ``--secure-min-grade``)."""
    from secure.testing import assert_grade

    settings = _Settings(pytestconfig)

    def check(
        url: str, min_grade: str | None = None, expected: Expected | None = None, **options: Any
    ) -> Any:
        chosen = settings.expected if expected is None else expected
        return assert_grade(url, min_grade or settings.min_grade, chosen, **options)

    return check


class SecureCheckItem(pytest.Item):
    """One ``--secure-check URL``: the live site must earn the minimum grade."""

    def __init__(self, *, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url

    def runtest(self) -> None:
        from secure.testing import assert_grade

        settings = _Settings(self.config)
        assert_grade(self.url, settings.min_grade, settings.expected)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, AssertionError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"secure check {self.url}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # tryfirst: -k and -m, which also run here, then see these items like any other.
    items.extend(
        SecureCheckItem.from_parent(
            session, name=f"secure-check[{url}]", nodeid=f"secure-check[{url}]", url=url
        )
        for url in config.getoption("secure_check")
    )
