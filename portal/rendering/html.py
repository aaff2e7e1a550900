"""A document's HTML from plain values, through a sandboxed, autoescaping Jinja environment.

The templates (`templates/pdf/`) see only the values they are given and user text can never
become markup. The same HTML is the browser preview and, through WeasyPrint, the PDF.
"""

import re

from jinja2 import FileSystemLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from portal.config import ROOT_DIR

DOCUMENT_TEMPLATE = "document.html"

# A notation (28/2018/QĐ-TTg, 12/BTNMT-VP, TN&MT): a run without spaces holding a slash, a
# hyphen or an ampersand and a capital. A line may break after its hyphen or slash, which
# splits it ("QĐ-" / "TTg"); it is set as one unbreakable piece.
NOTATION = re.compile(r"(?<!\S)(?=\S*[/&-])(?=\S*[A-ZĐ])\S{3,}")
# The last two words of a name, kept on one line: no syllable left alone ("Trung" / "ương."),
# with the "và" before them: a header breaks as "BỘ NÔNG NGHIỆP" / "VÀ MÔI TRƯỜNG".
LAST_TWO_WORDS = re.compile(r"(?:(?<!\S)và\s+)?\S+\s+\S+\s*$", re.IGNORECASE)


def keep_together(text: str, *, name: bool = False) -> Markup:
    """The text, escaped, with each notation (and, for a name, its last two words) in a
    span the line breaker does not split."""
    text = str(text)
    pieces, position = [], 0
    spans = [m.span() for m in NOTATION.finditer(text)]
    if name and (last := LAST_TWO_WORDS.search(text)):
        spans = [s for s in spans if s[1] <= last.start()] + [last.span()]
    for start, end in spans:
        pieces.append(escape(text[position:start]))
        pieces.append(Markup('<span class="together">%s</span>') % text[start:end])
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


_templates = SandboxedEnvironment(loader=FileSystemLoader(ROOT_DIR / "templates" / "pdf"),
                                  autoescape=select_autoescape(default=True))
_templates.filters["together"] = keep_together


def render_html(values: dict, *, assets: str, template: str = DOCUMENT_TEMPLATE) -> str:
    """`assets` is where `static/` is reached: the portal's URL for the preview, the
    renderer's private address for the PDF."""
    return _templates.get_template(template).render(assets=assets, **values)
