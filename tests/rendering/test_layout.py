"""The PDF of record against Decree 30's layout: page, margins, fonts, sizes, page numbers."""

import io
import unicodedata

import pytest
from pypdf import PdfReader

from portal.rendering.pdf import render_pdf
from portal.rendering.values import document_values, vietnamese_date
from tests.deliveries.conftest import Exchange

MM = 72 / 25.4  # points per millimetre
A4 = (210 * MM, 297 * MM)


def _runs(page) -> list[dict]:
    """Each piece of text on the page with its position (points) and font size."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append({"text": text.strip(),
                         "x": cm[0] * tm[4] + cm[2] * tm[5] + cm[4],
                         "y": cm[1] * tm[4] + cm[3] * tm[5] + cm[5],
                         "size": size * tm[0] * cm[0],
                         "font": str(font.get("/BaseFont", "")) if font else ""})

    page.extract_text(visitor_text=visit)
    return runs


@pytest.fixture
def letter(make):
    exchange = Exchange(make)
    body = "\n".join(f"Đoạn {n}: đề nghị Sở Tài nguyên và Môi trường báo cáo tình hình thực "
                     f"hiện gửi, nhận văn bản điện tử có ký số trong năm." for n in range(1, 40))
    document = make.document(exchange.ministry_clerk, [exchange.a, exchange.b], urgency="flash",
                             subject=unicodedata.normalize("NFD", "V/v đẩy mạnh gửi, nhận văn bản"),
                             body=body)
    document.signer_title, document.signer_name = "KT. Chánh Văn phòng", "Nguyễn Văn An"
    return document, PdfReader(io.BytesIO(render_pdf(document_values(document)).data))


def test_pages_are_a4_with_the_decree_margins(letter):
    _document, pdf = letter
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1
        runs = [r for r in _runs(page) if not r["text"].isdigit()]  # page number: in the margin
        assert 30 * MM - 1 <= min(r["x"] for r in runs) <= 35 * MM
        assert max(r["y"] + r["size"] for r in runs) <= height - 20 * MM + 1  # top margin
        assert min(r["y"] for r in runs) >= 20 * MM - 1  # bottom margin


def test_fonts_are_the_shipped_serif_embedded_and_subset(letter):
    _document, pdf = letter
    fonts = {}
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts and all("+Liberation-Serif" in name for name in fonts)  # "ABCDEF+": a subset
    for font in fonts.values():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is in the PDF


def test_header_body_and_closing_read_as_the_decree_writes_them(letter):
    document, pdf = letter
    first = _runs(pdf.pages[0])
    text = pdf.pages[0].extract_text()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     f"Số: {document.notation}", "HỎA TỐC", "V/v đẩy mạnh gửi, nhận văn bản",
                     f"Hà Nội, {vietnamese_date(document.issued_at.date())}", "Kính gửi"):
        assert expected in text, expected
    assert unicodedata.normalize("NFD", "đẩy") not in text  # the NFD subject came out NFC
    motto = next(r for r in first if r["text"].startswith("Độc lập"))
    nation = next(r for r in first if r["text"].startswith("CỘNG HÒA"))
    number = next(r for r in first if r["text"].startswith("Số:"))
    assert motto["x"] > A4[0] / 2 - 30 and number["x"] < A4[0] / 2  # motto right, number left
    assert 12 <= nation["size"] <= 13 and 13 <= motto["size"] <= 14
    body = [r for r in first if r["text"].startswith("Đoạn")]
    assert body and all(13 <= r["size"] <= 14 for r in body)
    assert body[0]["x"] > 30 * MM + 0.9 * 10 * MM  # the first line is indented (1.27 cm)
    last = pdf.pages[-1].extract_text()
    assert "Nơi nhận:" in last and "Lưu: VT, VP." in last
    assert "KT. CHÁNH VĂN PHÒNG" in last and "Nguyễn Văn An" in last


def test_page_numbers_start_on_page_two_at_the_top_centre(letter):
    _document, pdf = letter
    assert not [r for r in _runs(pdf.pages[0]) if r["text"] == "1"]
    number = next(r for r in _runs(pdf.pages[1]) if r["text"] == "2")
    body_centre = (30 * MM + A4[0] - 15 * MM) / 2
    assert abs(number["x"] - body_centre) < 15 and number["y"] > A4[1] - 20 * MM


@pytest.mark.parametrize(("day", "written"), [((2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
                                              ((2026, 11, 23), "ngày 23 tháng 11 năm 2026"),
                                              ((2027, 3, 1), "ngày 01 tháng 3 năm 2027")])
def test_dates_are_written_as_the_decree_asks(day, written):
    from datetime import date

    assert vietnamese_date(date(*day)) == written
