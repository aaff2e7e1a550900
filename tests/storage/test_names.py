"""The clean name a PDF is shown and downloaded under, whatever name it was sent with."""

import unicodedata

import pytest

from portal.storage.names import MAX_NAME_BYTES, display_name
from portal.storage.serving import ascii_name, disposition


@pytest.mark.parametrize(("sent", "kept"), [
    ("Báo cáo quý I.pdf", "Báo cáo quý I.pdf"),
    ("cong-van.PDF", "cong-van.pdf"),
    ("virus.exe", "virus.exe.pdf"),
    ("CV 12.VP", "CV 12.VP.pdf"),  # a dot that is no extension keeps what follows it
    ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),  # displayed "invoiceexe.pdf" as sent
    ("\u2067a\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d.pdf", "a.pdf"),
    ("a\u200bb\u200c\u200d\ufeffc\u00ad.pdf", "abc.pdf"),  # zero-width, BOM, soft hyphen
    ("a\x00b\x1bc\x7f\x85.pdf", "abc.pdf"),  # NUL and other controls
    ("Tờ\ttrình\r\nsố  5\u00a0\u2028.pdf", "Tờ trình số 5.pdf"),  # spaces of every kind, once
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\Lan\\Desktop\\to-trinh.pdf", "to-trinh.pdf"),
    (".htaccess", "htaccess.pdf"),
    ("...  .pdf", "tep-dinh-kem.pdf"),
    ("\u200b\u200b.pdf", "tep-dinh-kem.pdf"),
    ("", "tep-dinh-kem.pdf"),
    (None, "tep-dinh-kem.pdf"),
    ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
    ("ke\u0302\u0301 hoa\u0323ch.pdf", "kế hoạch.pdf"),  # decomposed, as macOS sends it
    ("e\u200b\u0301.pdf", "é.pdf"),  # what removing a character joins is composed
    ("\ud800x\U000f0000.pdf", "x.pdf"),  # a lone surrogate, a private-use character
    ("report.pdf.pdf", "report.pdf.pdf"),
    ("Quyết định. .pdf", "Quyết định.pdf"),
])
def test_names_are_cleaned(sent, kept):
    assert display_name(sent) == kept


@pytest.mark.parametrize("letter", ["a", "ệ", "𝔸"])  # 1, 3 and 4 bytes of UTF-8
def test_long_names_are_cut_between_characters_to_fit_in_bytes(letter):
    name = display_name(letter * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert set(name[:-4]) == {letter}
    assert len(name.encode("utf-8")) > MAX_NAME_BYTES - len(letter.encode("utf-8"))


def test_a_clean_name_is_clean_again_and_has_nothing_hidden():
    for sent in ["invoice\u202efdp.exe", " .a\u0000b/.c\u2066.pdf ", "x" * 400]:
        name = display_name(sent)
        assert display_name(name) == name
        assert unicodedata.is_normalized("NFC", name)
        assert not any(unicodedata.category(c).startswith("C") for c in name)
        assert not name.startswith(".") and "/" not in name and "\\" not in name


def test_the_download_header_carries_the_vietnamese_name_as_rfc_6266_says():
    header = disposition("Báo cáo đất đai (bản 2).pdf")
    assert header == ("attachment; filename=\"Bao cao dat dai (ban 2).pdf\"; "
                      "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%C4%91%E1%BA%A5t%20%C4%91ai"
                      "%20%28b%E1%BA%A3n%202%29.pdf")
    header.encode("latin-1")  # a header travels as Latin-1: this one is plain ASCII
    assert disposition("12-BTNMT-VP.pdf", inline=True) == 'inline; filename="12-BTNMT-VP.pdf"'


def test_the_ascii_name_leaves_nothing_a_quoted_string_cannot_hold():
    assert ascii_name('Đơn "gấp"\\ 東京.pdf') == "Don _gap__ __.pdf"
