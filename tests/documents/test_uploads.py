"""What an uploaded PDF must be: readable, unprotected, and not marked as classified."""

import io

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from portal.documents import services as documents
from portal.extensions import db
from portal.storage.models import StoredFile
from portal.storage.services import UploadError
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf, text_pdf


def _protected_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stored_files() -> int:
    return db.session.scalar(select(func.count(StoredFile.id)))


@pytest.fixture
def draft(make):
    exchange = Exchange(make)
    return exchange.ministry_clerk, make.document(exchange.ministry_clerk, [exchange.a],
                                                 issue=False)


@pytest.mark.parametrize("mark", ["MẬT", "TỐI MẬT", "TUYỆT  MẬT"])
def test_a_pdf_stamped_as_classified_is_refused_and_not_stored(draft, mark):
    clerk, document = draft
    data = text_pdf("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", mark, "Số: 12/BTNMT-VP")
    before = _stored_files()
    with pytest.raises(documents.ConfidentialDocumentError, match="bản giấy"):
        documents.add_attachment(document, actor=clerk, filename="mat.pdf", data=data)
    assert _stored_files() == before


def test_a_pdf_that_only_talks_about_secrecy_is_accepted(draft):
    clerk, document = draft
    data = text_pdf("V/v bảo mật thông tin đất đai", "Giữ bí mật nhà nước theo quy định.",
                    "BẢO MẬT")
    attachment = documents.add_attachment(document, actor=clerk, filename="ok.pdf", data=data)
    assert attachment.file.size == len(data)


@pytest.mark.parametrize(("data", "message"), [
    (blank_pdf()[:200], "bị hỏng"),
    (b"%PDF-1.7\n" + b"\x00" * 500, "bị hỏng"),
    (_protected_pdf(), "mật khẩu"),
])
def test_damaged_or_protected_pdfs_get_a_clear_message(draft, data, message):
    clerk, document = draft
    before = _stored_files()
    with pytest.raises(UploadError, match=message):
        documents.add_attachment(document, actor=clerk, filename="x.pdf", data=data)
    assert _stored_files() == before


def test_the_upload_form_shows_the_classified_refusal(client, auth, make):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    token = auth.csrf_token(f"/documents/{document.id}/edit")
    response = client.post(f"/documents/{document.id}/attachments", follow_redirects=True,
                           data={"csrf_token": token,
                                 "file": (io.BytesIO(text_pdf("TỐI MẬT")), "a.pdf")})
    assert "Hãy gửi bản giấy" in response.get_data(as_text=True)


def test_the_document_itself_can_be_an_uploaded_pdf_listed_first(client, auth, make):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    url = f"/documents/{document.id}/attachments"
    token = auth.csrf_token(f"/documents/{document.id}/edit")
    client.post(url, data={"csrf_token": token, "file": (io.BytesIO(blank_pdf()), "phu-luc.pdf")})
    for name in ("cong-van.pdf", "cong-van-sua.pdf"):
        client.post(url, data={"csrf_token": token, "main": "y",
                               "file": (io.BytesIO(text_pdf(name)), name)})
    db.session.refresh(document)
    assert [(a.filename, a.is_main) for a in document.attachments] == [
        ("cong-van-sua.pdf", True), ("phu-luc.pdf", False), ("cong-van.pdf", False)]
    page = client.get(f"/documents/{document.id}/edit").get_data(as_text=True)
    page = page[page.index('<ul class="attachments">'):]
    assert page.index("cong-van-sua.pdf") < page.index("văn bản chính") < page.index("phu-luc.pdf")
