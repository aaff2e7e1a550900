"""What an uploaded PDF must be: readable, unprotected, without active content, and not marked
as classified; the name it is kept and served under; how stored PDFs are served."""

import io

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select, update

from portal.deliveries import services as deliveries
from portal.documents import services as documents
from portal.documents.models import DocumentAttachment
from portal.extensions import db
from portal.storage.models import StoredFile
from portal.storage.services import UploadError
from portal.transaction import action
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
    with pytest.raises(documents.ConfidentialDocumentError, match="bản giấy"), action():
        documents.add_attachment(document, actor=clerk, filename="mat.pdf", data=data)
    assert _stored_files() == before


def test_a_pdf_that_only_talks_about_secrecy_is_accepted(draft):
    clerk, document = draft
    data = text_pdf("V/v bảo mật thông tin đất đai", "Giữ bí mật nhà nước theo quy định.",
                    "BẢO MẬT")
    with action():
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
    with pytest.raises(UploadError, match=message), action():
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


def _scripted_pdf() -> bytes:
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('Văn bản');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attachments() -> int:
    return db.session.scalar(select(func.count(DocumentAttachment.id)))


def _upload(client, url, token, data, name, **fields):
    return client.post(url, follow_redirects=True, data={
        "csrf_token": token, "file": (io.BytesIO(data), name), **fields})


@pytest.mark.parametrize("main", [False, True], ids=["appendix", "the document itself"])
def test_a_draft_refuses_a_pdf_that_runs_a_script_and_stores_nothing(client, auth, make, main):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    token = auth.csrf_token(f"/documents/{document.id}/edit")
    before = (_stored_files(), _attachments())
    response = _upload(client, f"/documents/{document.id}/attachments", token, _scripted_pdf(),
                       "to-trinh.pdf", **({"main": "y"} if main else {}))
    page = response.get_data(as_text=True)
    assert "Không nhận tệp to-trinh.pdf: tệp có mã JavaScript." in page
    assert (_stored_files(), _attachments()) == before


def test_a_reply_refuses_a_pdf_that_runs_a_script_and_stores_nothing(client, auth, make):
    exchange = Exchange(make)
    delivery = exchange.delivery
    with action():
        deliveries.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with action():
        deliveries.assign_delivery(delivery, actor=exchange.a_leader,
                                   assignee=exchange.a_specialist)
    auth.login(exchange.a_specialist.email)
    token = auth.csrf_token(f"/inbox/{delivery.id}")
    before = (_stored_files(), _attachments())
    response = _upload(client, f"/inbox/{delivery.id}/reply/attachments", token,
                       _scripted_pdf(), "bao-cao.pdf")
    assert "Không nhận tệp bao-cao.pdf: tệp có mã JavaScript." in response.get_data(as_text=True)
    assert (_stored_files(), _attachments()) == before


def test_a_name_is_kept_clean_and_the_file_is_downloaded_not_opened(client, auth, make):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    token = auth.csrf_token(f"/documents/{document.id}/edit")
    for sent in ("Hóa đơn\u202efdp.exe", "../../Tờ trình.pdf"):
        assert _upload(client, f"/documents/{document.id}/attachments", token, blank_pdf(),
                       sent).status_code == 200
    # A NUL is refused at the door (tests/test_bad_input.py), before any name is cleaned.
    assert _upload(client, f"/documents/{document.id}/attachments", token, blank_pdf(),
                   "a\x00.pdf").status_code == 400
    db.session.refresh(document)
    kept = sorted(a.filename for a in document.attachments)
    assert kept == ["Hóa đơnfdp.exe.pdf", "Tờ trình.pdf"]

    attachment = next(a for a in document.attachments if a.filename == "Tờ trình.pdf")
    response = client.get(f"/documents/{document.id}/attachments/{attachment.id}")
    assert response.status_code == 200 and response.data == blank_pdf()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"To trinh.pdf\"; filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh.pdf")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "private" in response.headers["Cache-Control"]


def test_a_name_kept_before_names_were_cleaned_is_cleaned_when_served(client, auth, make):
    exchange = Exchange(make)
    document = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    with action():
        attachment = documents.add_attachment(document, actor=exchange.ministry_clerk,
                                              filename="x.pdf", data=blank_pdf())
    db.session.execute(update(DocumentAttachment).where(DocumentAttachment.id == attachment.id)
                       .values(filename="invoice\u202efdp.exe"))
    db.session.commit()
    auth.login(exchange.ministry_clerk.email)
    response = client.get(f"/documents/{document.id}/attachments/{attachment.id}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="invoicefdp.exe.pdf"')


def test_the_pdf_of_record_is_shown_inline_under_its_notation(client, auth, make):
    exchange = Exchange(make)
    decision = make.document(exchange.ministry_clerk, [exchange.a], doc_type="quyet_dinh")
    auth.login(exchange.ministry_clerk.email)
    letter = client.get(f"/documents/{exchange.document.id}/pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF-")
    assert letter.headers["Content-Disposition"] == (
        f'inline; filename="{exchange.document.notation.replace("/", "-")}.pdf"')
    assert "sandbox" not in letter.headers["Content-Security-Policy"]  # viewers refuse it
    assert letter.headers["X-Content-Type-Options"] == "nosniff"
    header = client.get(f"/documents/{decision.id}/pdf").headers["Content-Disposition"]
    number = decision.number
    assert decision.notation == f"{number}/QĐ-BTNMT-VP"
    assert header == (f'inline; filename="{number}-QD-BTNMT-VP.pdf"; '
                      f"filename*=UTF-8''{number}-Q%C4%90-BTNMT-VP.pdf")
