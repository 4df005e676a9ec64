"""2.x's module path for ``Secure`` and ``HeaderSetError``: ``from secure.secure import ...``.

Everything here is defined elsewhere; import it from ``secure`` in new code.
"""

from secure._pipeline import COMMA_JOIN_OK, DEFAULT_ALLOWED_HEADERS, MULTI_OK
from secure._presets import Preset
from secure._secure import Secure
from secure.errors import HeaderSetError

__all__ = [
    "COMMA_JOIN_OK",
    "DEFAULT_ALLOWED_HEADERS",
    "MULTI_OK",
    "HeaderSetError",
    "Preset",
    "Secure",
]
