"""Security headers for Flask, powered by ``secure``.

::

    from flask import Flask
    from secure_flask import Secure

    app = Flask(__name__)
    Secure(app)
"""

from secure_flask._extension import Secure, csp_nonce
from secure_flask._overrides import exempt, override

__all__ = ["Secure", "csp_nonce", "exempt", "override"]
