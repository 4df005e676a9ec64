"""secure: HTTP security headers for Python web applications.

Build a set of headers from a preset, the builders or a configuration mapping, then
apply it to responses or hand it to a middleware::

    import secure

    secure_headers = secure.Secure.with_default_headers()
    secure_headers.set_headers(response)

Framework packages (``secure-flask``, ``secure-django``, ``secure-fastapi``,
``secure-shiny``) build on the same ``Secure`` object.

``import secure`` loads none of the library: each public name is imported from its module
on first use (PEP 562), so a process that only needs, say, the middleware does not pay
for the configuration loader, and a command-line tool starts fast.
"""

from __future__ import annotations

from secure import headers as headers
from secure._version import __version__ as __version__

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (type checkers read it as true).
TYPE_CHECKING = False

if TYPE_CHECKING:
    from secure import errors as errors
    from secure import nonce as nonce
    from secure._override import Override as Override
    from secure._pipeline import COMMA_JOIN_OK as COMMA_JOIN_OK
    from secure._pipeline import DEFAULT_ALLOWED_HEADERS as DEFAULT_ALLOWED_HEADERS
    from secure._pipeline import MULTI_OK as MULTI_OK
    from secure._presets import Preset as Preset
    from secure._secure import Secure as Secure
    from secure._snapshot import HeaderSnapshot as HeaderSnapshot
    from secure.errors import HeaderSetError as HeaderSetError
    from secure.headers import *  # noqa: F403  (the builders, as listed in headers.__all__)
    from secure.nonce import NONCE as NONCE
    from secure.nonce import csp_hash as csp_hash
    from secure.nonce import generate_nonce as generate_nonce

#: The module each public name below comes from (the builders come from ``headers``).
_HOME = {
    "COMMA_JOIN_OK": "secure._pipeline",
    "DEFAULT_ALLOWED_HEADERS": "secure._pipeline",
    "HeaderSetError": "secure.errors",
    "HeaderSnapshot": "secure._snapshot",
    "MULTI_OK": "secure._pipeline",
    "NONCE": "secure.nonce",
    "Override": "secure._override",
    "Preset": "secure._presets",
    "Secure": "secure._secure",
    "csp_hash": "secure.nonce",
    "generate_nonce": "secure.nonce",
}

__all__ = [
    "COMMA_JOIN_OK",
    "DEFAULT_ALLOWED_HEADERS",
    "MULTI_OK",
    "NONCE",
    "HeaderSetError",
    "HeaderSnapshot",
    "Override",
    "Preset",
    "Secure",
    "csp_hash",
    "generate_nonce",
]
__all__ += headers.__all__

#: Submodules that ``import secure`` made available as attributes before names were lazy.
_SUBMODULES = ("errors", "nonce")


def __getattr__(name: str) -> object:
    # __import__ rather than importlib.import_module: the same import, through the
    # interpreter's own path, which `python -X importtime` reports.
    if name in _HOME:
        value: object = getattr(__import__(_HOME[name], fromlist=[name]), name)
    elif name in headers.__all__:
        value = getattr(headers, name)
    elif name in _SUBMODULES:
        value = getattr(__import__(f"{__name__}.{name}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
