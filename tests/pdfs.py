"""Real PDFs for tests: a blank page, or pages of text rendered by WeasyPrint."""

import io

from pypdf import PdfWriter


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)  # A4 in points
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(*lines: str) -> bytes:
    """One page with each line as its own paragraph (DejaVu covers Vietnamese)."""
    from html import escape

    from weasyprint import HTML

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    return HTML(string=f"<html><body style='font-family: DejaVu Serif'>{body}</body></html>"
                ).write_pdf()
