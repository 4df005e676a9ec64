"""Security headers for Flask, powered by ``secure``.

::

    from flask import Flask
    from secure_flask import Secure

    app = Flask(__name__)
    Secure(app)
"""

from secure_flask._extension import Secure, csp_nonce
from secure_flask._overrides import allow_http, exempt, override

__all__ = ["Secure", "allow_http", "csp_nonce", "exempt", "override"]
