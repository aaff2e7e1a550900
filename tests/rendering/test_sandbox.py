"""The renderer fetches only the portal's own assets, and user text never becomes markup."""

import io

import pytest
from pypdf import PdfReader

from portal.rendering.pdf import ASSETS_URL, PortalAssets, RefusedURL, render_pdf
from portal.rendering.values import document_values
from tests.deliveries.conftest import Exchange


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "https://evil.example/steal.css",
    "data:text/css;base64,Ym9keXtjb2xvcjpyZWR9",
    f"{ASSETS_URL}static/../portal/config.py",
    f"{ASSETS_URL}static/pdf/%2e%2e/%2e%2e/wsgi.py",
    f"{ASSETS_URL}static/css/portal.css",  # a portal file, but not one a PDF may use
    f"{ASSETS_URL}static/pdf/document.css?x=1",
    f"{ASSETS_URL}static/fonts/missing.ttf",
])
def test_every_foreign_or_sneaky_url_is_refused(url):
    fetcher = PortalAssets()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_documents_own_stylesheet_and_fonts_are_served():
    fetcher = PortalAssets()
    css = fetcher.fetch(f"{ASSETS_URL}static/pdf/document.css")
    font = fetcher.fetch(f"{ASSETS_URL}static/fonts/LiberationSerif-Regular.ttf")
    assert b"@page" in css.read() and font.content_type == "font/ttf"


def test_markup_and_urls_in_user_text_stay_text(make):
    exchange = Exchange(make)
    smuggled = ('<link rel="stylesheet" href="file:///etc/passwd">'
                '<img src="https://evil.example/x.png"><style>@import url(data:,x)</style>')
    document = make.document(exchange.ministry_clerk, [exchange.a], subject=smuggled,
                             body=f"{smuggled}\nurl(file:///etc/shadow)")
    fetcher = PortalAssets()
    pdf = PdfReader(io.BytesIO(render_pdf(document_values(document), fetcher=fetcher).data))
    assert fetcher.refused == []  # nothing in the text was ever fetched
    text = pdf.pages[0].extract_text()
    assert "file:///etc/passwd" in text and "evil.example" in text  # shown, as text
    assert "root:" not in text


def test_templates_run_in_a_sandbox():
    from jinja2.sandbox import SandboxedEnvironment

    from portal.rendering import html

    assert isinstance(html._templates, SandboxedEnvironment)
    assert html._templates.autoescape
