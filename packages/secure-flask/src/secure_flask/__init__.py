"""Security headers for Flask, powered by ``secure``.

::

    from flask import Flask
    from secure_flask import Secure

    app = Flask(__name__)
    Secure(app)
"""

from secure_flask._extension import Secure, csp_nonce
from secure_flask._overrides import allow_http, exempt, override
from secure_flask.reports import collect_reports, reports_blueprint

__all__ = [
    "Secure",
    "allow_http",
    "collect_reports",
    "csp_nonce",
    "exempt",
    "override",
    "reports_blueprint",
]
