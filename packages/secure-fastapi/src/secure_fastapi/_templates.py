"""``csp_nonce()`` in Jinja2 templates rendered by Starlette's ``Jinja2Templates``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from secure_fastapi._headers import csp_nonce

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

__all__ = ["install_csp_nonce"]


def install_csp_nonce(templates: Jinja2Templates) -> Jinja2Templates:
    """Make ``csp_nonce()`` available in every template of ``templates``.

    It returns the request's nonce, the one in the response's CSP header; the template
    context must hold the ``request`` (``TemplateResponse(request, name)`` does)::

        templates = install_csp_nonce(Jinja2Templates(directory="templates"))
        # in a template: <script nonce="{{ csp_nonce() }}">...</script>
    """
    import jinja2

    @jinja2.pass_context
    def template_csp_nonce(context: Any) -> str:
        request = context.get("request")
        if request is None:
            raise RuntimeError(
                "csp_nonce(): the template context has no 'request'; render with "
                "templates.TemplateResponse(request, name, context)"
            )
        return csp_nonce(request)

    templates.env.globals["csp_nonce"] = template_csp_nonce
    return templates
