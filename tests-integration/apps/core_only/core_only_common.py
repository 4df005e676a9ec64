"""What the core-only demo apps share: the headers, the page, the cookies, the routes.

Each app in this directory serves the same routes with its framework's own API and
``secure`` (the core) alone, wired the way ``docs/frameworks/<name>.md`` recommends:

==================  ==================================================================
``/``               an HTML page with a nonce'd inline script (the framework's
                    templates where it has them); sets two cookies
``/embed``          the page with the route's own headers: ``EMBED``
``/redirect``       302 to ``/``
``/boom``           raises: the framework's own 500 page
``/static/...``     the framework's static files (``hello.txt``)
anything else       the framework's own 404 page
==================  ==================================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from secure import Secure

HERE: Final = Path(__file__).resolve().parent
STATIC_DIR: Final = HERE.parent / "static"

#: The app-wide headers: BALANCED, with a per-request nonce in script-src.
SECURE: Final = Secure.from_config({"preset": "balanced", "nonce": True})
#: ``/embed``: a partner may frame it (CSP frame-ancestors; no X-Frame-Options).
EMBED: Final = SECURE.derive(
    exempt=["X-Frame-Options"],
    csp_sources={"frame-ancestors": ["https://partner.example"]},
)

#: The page, as a format string: ``PAGE.format(nonce=...)`` for frameworks without
#: templates of their own.
PAGE: Final = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>demo</title></head>\n'
    '<body><p id="nonced">waiting</p>\n'
    '<script nonce="{nonce}">document.getElementById("nonced").textContent = "ran";</script>\n'
    "</body></html>\n"
)

#: Cookies ``/`` sets: (name, value, HttpOnly and SameSite=Lax?).
SESSION_COOKIE: Final = ("demo_session", "s3ss10n")
THEME_COOKIE: Final = ("demo_theme", "dark")
