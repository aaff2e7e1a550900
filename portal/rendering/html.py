"""A document's HTML from plain values, through a sandboxed, autoescaping Jinja environment.

The templates (`templates/pdf/`) see only the values they are given and user text can never
become markup. The same HTML is the browser preview and, through WeasyPrint, the PDF.
"""

from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from portal.config import ROOT_DIR

DOCUMENT_TEMPLATE = "document.html"

_templates = SandboxedEnvironment(loader=FileSystemLoader(ROOT_DIR / "templates" / "pdf"),
                                  autoescape=select_autoescape(default=True))


def render_html(values: dict, *, assets: str, template: str = DOCUMENT_TEMPLATE) -> str:
    """`assets` is where `static/` is reached: the portal's URL for the preview, the
    renderer's private address for the PDF."""
    return _templates.get_template(template).render(assets=assets, **values)
