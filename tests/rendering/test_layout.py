"""The PDF of record against Decree 30's layout: page, margins, fonts, sizes, page numbers."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from portal.clock import as_local
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
    signer = make.user(exchange.office, "leader", title="Chánh Văn phòng")
    signer.full_name = "Nguyễn Văn An"
    return document, PdfReader(io.BytesIO(render_pdf(document_values(document,
                                                                     signer=signer)).data))


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
                     f"Hà Nội, {vietnamese_date(as_local(document.issued_at).date())}", "Kính gửi"):
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
    # The office's head signs in the ministry's name by order (thừa lệnh).
    assert "TL. BỘ TRƯỞNG\nCHÁNH VĂN PHÒNG" in last and "Nguyễn Văn An" in last


def test_page_numbers_start_on_page_two_at_the_top_centre(letter):
    _document, pdf = letter
    assert not [r for r in _runs(pdf.pages[0]) if r["text"] == "1"]
    number = next(r for r in _runs(pdf.pages[1]) if r["text"] == "2")
    body_centre = (30 * MM + A4[0] - 17 * MM) / 2
    assert abs(number["x"] - body_centre) < 15 and number["y"] > A4[1] - 20 * MM


@pytest.mark.parametrize(("day", "written"), [((2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
                                              ((2026, 11, 23), "ngày 23 tháng 11 năm 2026"),
                                              ((2027, 3, 1), "ngày 01 tháng 3 năm 2027")])
def test_dates_are_written_as_the_decree_asks(day, written):
    from datetime import date

    assert vietnamese_date(date(*day)) == written


def _render(document, signer=None):
    return PdfReader(io.BytesIO(render_pdf(document_values(document, signer=signer)).data))


def test_a_decision_reads_with_its_grounds_its_decides_line_and_articles(make):
    exchange = Exchange(make)
    body = ("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;\n"
            "Theo đề nghị của Chánh Văn phòng Bộ.\nQUYẾT ĐỊNH:\n"
            "Điều 1. Ban hành Quy chế gửi, nhận văn bản điện tử.\n"
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    document = make.document(exchange.ministry_clerk, [exchange.a], doc_type="quyet_dinh",
                             subject="V/v ban hành Quy chế", body=body, issue=False)
    document.authority = exchange.office  # in the office's own name
    deputy = make.user(exchange.office, "leader", title="Phó Chánh Văn phòng",
                       signs_as="deputy")
    page = _render(document, deputy).pages[0]
    text, runs = page.extract_text(), _runs(page)
    assert "QUYẾT ĐỊNH\nVề việc ban hành Quy chế" in text
    assert "CHÁNH VĂN PHÒNG BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG" in text  # in whose name it decides
    assert "KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG" in text  # a deputy signs for the head

    def font_of(start):
        return next(r["font"] for r in runs if r["text"].startswith(start))

    assert "Italic" in font_of("Căn cứ") and "Italic" in font_of("Theo đề nghị")
    assert "Bold" in font_of("Điều 1.") and "Bold" not in font_of("Ban hành")
    decides = next(r for r in runs if r["text"] == "QUYẾT ĐỊNH:")
    body_centre = (30 * MM + A4[0] - 17 * MM) / 2
    assert "Bold" in decides["font"] and abs(decides["x"] + 40 - body_centre) < 25  # centred


def test_an_invitation_sets_out_its_time_and_place(make):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], doc_type="giay_moi",
                             subject="Giấy mời dự Hội nghị", issue=False,
                             body="Thời gian: 8 giờ 00, ngày 25/11/2026.\n"
                                  "Địa điểm: Phòng họp số 1, Bộ Tài nguyên và Môi trường.")
    runs = _runs(_render(document).pages[0])
    labels = {r["text"]: r["font"] for r in runs if r["text"] in ("Thời gian:", "Địa điểm:")}
    assert set(labels) == {"Thời gian:", "Địa điểm:"} and all("Bold" in f for f in labels.values())


def test_an_appendix_table_repeats_its_header_on_every_page_and_keeps_every_row(make):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    document.appendix = {
        "title": "TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ", "subtitle": "(Từ ngày 01/01 đến 12/08)",
        "header": [[{"text": "STT", "rowspan": 2}, {"text": "Cơ quan", "rowspan": 2},
                    {"text": "Hệ thống tương tác", "colspan": 2}],
                   [{"text": "Đã nhận"}, {"text": "Đã gửi"}]],
        "rows": [{"cells": [n, f"Sở thứ {n}", n * 3, n * 2],
                  "style": "italic" if n == 70 else ""} for n in range(1, 71)],
        "total": ["", "Tổng cộng", 70 * 71 // 2 * 3, 70 * 71]}
    pdf = _render(document)
    first = next(i for i, p in enumerate(pdf.pages) if "Phụ lục" in p.extract_text())
    assert first >= 1  # on a page of its own, after the signature
    pages = [p.extract_text() for p in pdf.pages[first:]]
    assert len(pages) >= 2
    for text in pages:  # every header cell, those spanning rows included, on every page
        for heading in ("STT", "Cơ quan", "Hệ thống tương tác", "Đã nhận", "Đã gửi"):
            assert heading in text
    names = re.findall(r"Sở thứ (\d+)", "".join(pages))
    assert names == [str(n) for n in range(1, 71)]  # each once, in order
    assert "".join(pages).count("Tổng cộng") == 1  # the total once, at the end
    assert "Tổng cộng" in pages[-1]
    marked = next(r for r in _runs(pdf.pages[-1]) if "Sở thứ 70" in r["text"])
    assert "Italic" in marked["font"]


def _chars_by_page(data: bytes) -> list[tuple[float, list[dict]]]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(float(p.width), [c for c in p.chars if c["text"].strip()]) for p in pdf.pages]


def test_the_right_margin_of_a_full_page_measures_15_to_20_mm(make):
    exchange = Exchange(make)
    body = "\n".join(f"Đoạn {n}: đề nghị Sở Tài nguyên và Môi trường báo cáo tình hình thực "
                     f"hiện gửi, nhận văn bản điện tử có ký số trong năm {2000 + n}, kèm theo "
                     f"số liệu của từng đơn vị trực thuộc." for n in range(1, 40))
    document = make.document(exchange.ministry_clerk, [exchange.a, exchange.b], body=body,
                             issue=False)
    pages = _chars_by_page(render_pdf(document_values(document)).data)
    assert len(pages) >= 2
    for width, chars in pages[:-1]:  # full pages: justified lines reach the right edge
        right_margin = (width - max(c["x1"] for c in chars)) / MM
        assert 15 <= right_margin <= 20, right_margin


def test_a_notation_is_never_split_across_lines(make):
    exchange = Exchange(make)
    # The notation moves along the line paragraph by paragraph, so some reach its end.
    lines = [f"Thực hiện {'văn bản ' * n}theo Quyết định số 28/2018/QĐ-TTg của Thủ tướng "
             f"Chính phủ và Công văn số 12/BTNMT-VP." for n in range(0, 24)]
    document = make.document(exchange.ministry_clerk, [exchange.a], body="\n".join(lines),
                             subject="V/v sơ kết triển khai văn bản số 28/2018/QĐ-TTg",
                             issue=False)
    text = "".join(page.extract_text() for page in _render(document).pages)
    assert text.count("28/2018/QĐ-TTg") == len(lines) + 1  # the subject under the number too
    assert text.count("12/BTNMT-VP") == len(lines)


def test_kinh_gui_leaves_no_lone_syllable_on_a_line(letter):
    _document, pdf = letter
    text = pdf.pages[0].extract_text()
    after = text.split("Kính gửi:")[1].split("\n")[:3]
    assert after[0].strip().startswith("Các Sở Tài nguyên và Môi trường")
    assert all(len(line.split()) >= 2 for line in after[:2]), after
    assert "Trung ương." in text.replace("\n", " ")
