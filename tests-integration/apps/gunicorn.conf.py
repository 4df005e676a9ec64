"""gunicorn settings for the WSGI demo apps: send the configured ``Server`` header.

gunicorn treats ``Server`` and ``Date`` as its own: it drops them from the application's
headers and always sends ``Server: gunicorn`` (``gunicorn.util.hop_headers``). It has no
setting for that header, so the application's configured value never reaches the wire.
gunicorn writes the value of ``gunicorn.http.wsgi.SERVER``: set it to the configured
value, and every response carries exactly one ``Server`` header, the configured one.
(``gunicorn.SERVER = ...`` does not work: ``gunicorn.http.wsgi`` copied it at import.)

    gunicorn --config gunicorn.conf.py flask_app:app
"""

from __future__ import annotations

import gunicorn.http.wsgi  # type: ignore[import-untyped]

# The BALANCED preset's Server value: empty.
gunicorn.http.wsgi.SERVER = ""
