"""What ``import secure`` loads: nothing of the library until a name is used.

Checked by inspecting ``sys.modules`` in a fresh interpreter (never by timing): the
public names are resolved on first use (PEP 562), so ``import secure`` must not pull in
the builders, the configuration loader, the middleware, the checker or the standard
library modules they need.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import secure
import secure.headers

#: Modules that ``import secure`` must not load (each costs milliseconds at startup).
HEAVY = (
    "asyncio",
    "base64",
    "dataclasses",
    "difflib",
    "enum",
    "hashlib",
    "inspect",
    "json",
    "logging",
    "random",
    "re",
    "secrets",
    "tomllib",
    "typing",
)


def _modules_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_import_secure_loads_only_the_package_and_its_version() -> None:
    loaded = _modules_after("import secure")
    ours = {m for m in loaded if m == "secure" or m.startswith("secure.")}
    assert ours == {"secure", "secure._version", "secure.headers"}
    assert not loaded & set(HEAVY)


def test_using_secure_does_not_load_the_optional_parts() -> None:
    loaded = _modules_after("from secure import Secure\nSecure.with_default_headers().snapshot()")
    for module in ("secure.config", "secure._config", "secure.middleware", "secure.audit"):
        assert module not in loaded
    for module in ("secure.reports", "secure.cli", "difflib", "asyncio", "json", "tomllib"):
        assert module not in loaded


def test_the_first_use_loads_the_class_and_no_builder() -> None:
    # What every application writes first: the builders, presets, overrides, compiled
    # plans and nonces are imported when a method needs them.
    loaded = _modules_after("from secure import Secure")
    ours = {m for m in loaded if m == "secure" or m.startswith("secure.")}
    assert ours == {
        "secure",
        "secure._compat",
        "secure._compat._builders",
        "secure._docs",
        "secure._pipeline",
        "secure._registry",
        "secure._secure",
        "secure._validation",
        "secure._version",
        "secure.errors",
        "secure.headers",
        "secure.headers._base",
    }
    # typing and re (which imports enum) are what the validation and type hints need.
    assert not loaded & {*HEAVY, "binascii", "mmap"} - {"enum", "re", "typing"}


def test_a_preset_loads_only_the_builders_it_uses() -> None:
    loaded = _modules_after("from secure import Secure\nSecure.with_default_headers()")
    assert {"secure.headers.content_security_policy", "secure._presets"} <= loaded
    for module in ("secure.headers.cache_control", "secure.headers.clear_site_data"):
        assert module not in loaded
    for module in ("secure._override", "secure._snapshot", "secure._csp_edit", "secure._config"):
        assert module not in loaded
    assert not loaded & set(HEAVY) - {"enum", "re", "typing"}


@pytest.mark.parametrize("name", secure.__all__)
def test_every_public_name_resolves_from_its_module(name: str) -> None:
    value = getattr(secure, name)
    assert name in dir(secure)
    if name in secure.headers.__all__:
        assert value is getattr(secure.headers, name)
        assert value.__module__.startswith("secure.headers.")


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from secure import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(secure.__all__)
    exec("from secure.headers import *", namespace)
    assert set(secure.headers.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Secur'"):
        secure.Secur  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        secure.headers.Nope  # noqa: B018


def test_the_submodules_import_secure_used_to_expose_stay_attributes() -> None:
    loaded = _modules_after("import secure\nsecure.errors.HeaderSetError\nsecure.nonce.NONCE")
    assert {"secure.errors", "secure.nonce"} <= loaded
