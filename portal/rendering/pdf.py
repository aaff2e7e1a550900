"""A document's PDF: its HTML (rendering/html.py) laid out by WeasyPrint.

WeasyPrint fetches through `PortalAssets`, which serves the portal's own files under
`static/pdf/` and `static/fonts/` and refuses every other URL: `file:`, other hosts, `data:`.
"""

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from portal.config import ROOT_DIR
from portal.rendering.html import DOCUMENT_TEMPLATE, render_html

ASSETS_URL = "https://assets.portal.invalid/"
_SERVED = ("static/pdf/", "static/fonts/")
_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".png": "image/png", ".svg": "image/svg+xml"}


class RefusedURL(ValueError):
    """A URL the renderer may not fetch."""


class PortalAssets(URLFetcher):
    """Serves only the portal's own PDF assets; WeasyPrint skips anything refused."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        path = self._local_path(url)
        if path is None:
            self.refused.append(url)
            raise RefusedURL(f"not a portal asset: {url[:100]}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _TYPES[path.suffix]})

    @staticmethod
    def _local_path(url: str) -> Path | None:
        if not url.startswith(ASSETS_URL):
            return None
        parts = urlsplit(url)
        relative = posixpath.normpath(unquote(parts.path).lstrip("/"))
        suffix = posixpath.splitext(relative)[1]
        if parts.query or not relative.startswith(_SERVED) or suffix not in _TYPES:
            return None
        path = ROOT_DIR / relative
        return path if path.is_file() else None


POINTS_PER_PIXEL = 0.75  # WeasyPrint lays out in CSS pixels


Box = tuple[float, float, float, float]  # in PDF points: left, bottom, right, top


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    signature_page: int  # index of the page holding the signature space
    signature_box: Box
    initials_page: int  # and of the page holding the initials' space
    initials_box: Box
    fill_in: dict  # the fields the clerk's step fills: name → (page, box, text shown blank)


def render_pdf(values: dict, template: str = DOCUMENT_TEMPLATE,
               fetcher: PortalAssets | None = None) -> RenderedPdf:
    html = render_html(values, assets=ASSETS_URL + "static/", template=template)
    document = HTML(string=html, base_url=ASSETS_URL,
                    url_fetcher=fetcher or PortalAssets()).render()
    fill_in = {name: (*_space(document, f"{name}-field"), text)
               for name, text in values.get("fill_in", {}).items()}
    return RenderedPdf(document.write_pdf(), *_space(document, "signature-space"),
                       *_space(document, "initials-space"), fill_in)


def _space(document, anchor: str) -> tuple[int, Box]:
    """Where the element with this id landed: its page, and its box (origin bottom left)."""
    for index, page in enumerate(document.pages):
        if anchor in page.anchors:
            left, top, right, bottom = (v * POINTS_PER_PIXEL for v in page.anchors[anchor])
            height = page.height * POINTS_PER_PIXEL
            return index, (left, height - bottom, right, height - top)
    raise ValueError(f"the template has no #{anchor}")
