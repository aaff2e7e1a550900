"""The compose form, attachments, tracking and its CSV, through the web pages."""

import codecs
import csv
import io

from sqlalchemy import func, select

from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.documents.models import Document
from portal.extensions import db
from portal.transaction import action
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf

PDF = blank_pdf()


def _compose(client, auth, **fields):
    data = {"doc_type": "cong_van", "subject": "Về việc báo cáo công tác quý IV",
            "body": "Đề nghị các Sở báo cáo.", "urgency": "urgent", "confidentiality": "none",
            "deadline_kind": "working_days", "due_working_days": "3",
            **auth.hidden_fields("/documents/new"), **fields}
    return client.post("/documents/new", data=data)


def test_clerk_composes_and_issues_to_all_departments(client, auth, make, run_jobs):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    response = _compose(client, auth, all_departments="y", action="issue")
    assert response.status_code == 302
    run_jobs()  # rendered and delivered
    document = db.session.scalar(select(Document).order_by(Document.id.desc()))
    assert document.notation == "2/BTNMT-VP" and document.urgency == "urgent"
    assert set(document.recipient_ids) == {exchange.a.id, exchange.b.id}
    page = client.get(response.location).get_data(as_text=True)
    assert "2/BTNMT-VP" in page and exchange.b.name in page


def test_specialist_saves_a_draft_and_cannot_issue_it(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.a_specialist.email)
    response = _compose(client, auth, recipients=str(exchange.office.id), action="issue")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "văn thư" in page
    # The refused issue changed nothing, the draft included; what was typed is still there.
    assert db.session.scalar(select(Document).where(Document.issuer_id == exchange.a.id)) is None
    assert "Về việc báo cáo công tác quý IV" in page
    response = _compose(client, auth, recipients=str(exchange.office.id))
    assert response.status_code == 302
    draft = db.session.scalar(select(Document).where(Document.issuer_id == exchange.a.id))
    assert draft.state == "draft" and draft.number is None


def test_confidential_document_is_refused_in_the_form_and_nothing_is_stored(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    before = db.session.scalar(select(func.count(Document.id)))
    response = _compose(client, auth, confidentiality="mat", all_departments="y",
                        action="issue")
    assert response.status_code == 400
    assert "bản giấy" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Document.id))) == before


def test_attachment_upload_refuses_other_files_and_large_ones(client, auth, make, app):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    token = auth.csrf_token(f"/documents/{draft.id}/edit")
    url = f"/documents/{draft.id}/attachments"
    response = client.post(url, data={"csrf_token": token,
                                      "file": (io.BytesIO(b"PK\x03\x04zip"), "x.pdf")},
                           follow_redirects=True)
    assert "không phải tệp PDF" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post(url, data={"csrf_token": token,
                                      "file": (io.BytesIO(PDF + b" " * 2000), "big.pdf")})
    assert response.status_code == 413
    assert "MB" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 21 * 1024 * 1024
    client.post(url, data={"csrf_token": token, "file": (io.BytesIO(PDF), "ok.pdf")})
    db.session.refresh(draft)
    assert [a.filename for a in draft.attachments] == ["ok.pdf"]


def test_tracking_filters_and_csv(client, auth, make):
    exchange = Exchange(make)
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    auth.login(exchange.ministry_clerk.email)
    url = f"/documents/{exchange.document.id}"
    page = client.get(f"{url}?show=not_acknowledged", headers={"HX-Request": "true"})
    html = page.get_data(as_text=True)
    assert 'data-recipient="DB"' in html and 'data-recipient="DA"' not in html
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{url}/recipients.csv").data.decode("utf-8-sig"))))
    assert [(r["recipient_code"], r["status_code"]) for r in rows] == [("DA", "03"), ("DB", "01")]
    assert rows[0]["acknowledged_at"] and not rows[1]["acknowledged_at"]
    assert all(r["document"] == exchange.document.notation for r in rows)


def test_the_tracking_csv_has_a_byte_order_mark_and_vietnamese_headings_with_lang_vi(
        client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    url = f"/documents/{exchange.document.id}/recipients.csv"
    keyed, vietnamese = client.get(url).data, client.get(f"{url}?lang=vi").data

    assert keyed.startswith(codecs.BOM_UTF8) and vietnamese.startswith(codecs.BOM_UTF8)
    keys, *rows = csv.reader(io.StringIO(keyed.decode("utf-8-sig")))
    header, *same_rows = csv.reader(io.StringIO(vietnamese.decode("utf-8-sig")))
    assert keys[:3] == ["document", "recipient_code", "recipient"]
    assert header[:3] == ["Số, ký hiệu văn bản", "Mã nơi nhận", "Nơi nhận"]
    assert len(header) == len(keys) and same_rows == rows


def test_department_page_lists_open_deliveries_from_the_ministry(client, auth, make):
    exchange = Exchange(make)
    b_clerk = make.user(exchange.b, "clerk")
    from_b = make.document(b_clerk, [exchange.a], subject="Sở gửi Sở")
    auth.login(exchange.ministry_clerk.email)
    html = client.get(f"/documents/open-for/{exchange.a.id}").get_data(as_text=True)
    assert exchange.document.notation in html
    assert from_b.notation not in html


def test_reply_through_the_pages_with_autosave(client, auth, make, run_jobs):
    exchange = Exchange(make)
    delivery = exchange.delivery
    with action():
        deliveries.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with action():
        deliveries.assign_delivery(delivery, actor=exchange.a_leader,
                                   assignee=exchange.a_specialist)
    auth.login(exchange.a_specialist.email)
    token = auth.csrf_token(f"/inbox/{delivery.id}")
    saved = client.post(f"/inbox/{delivery.id}/reply", data={"csrf_token": token,
                                                             "body": "Dự thảo lần 1"},
                        headers={"HX-Request": "true"})
    assert "Đã lưu dự thảo" in saved.get_data(as_text=True)
    assert replies.reply_of(delivery).body == "Dự thảo lần 1"
    client.post(f"/inbox/{delivery.id}/reply/attachments",
                data={"csrf_token": token, "file": (io.BytesIO(PDF), "tra-loi.pdf")})
    client.post(f"/inbox/{delivery.id}/reply/submit", data={"csrf_token": token,
                                                            "body": "Bản trình"})
    auth.logout()
    auth.login(exchange.a_leader.email)
    token = auth.csrf_token(f"/inbox/{delivery.id}")
    response = client.post(f"/inbox/{delivery.id}/reply/send", data={"csrf_token": token},
                           follow_redirects=True)
    assert "1/DA" in response.get_data(as_text=True)
    db.session.refresh(delivery)
    assert delivery.status == "06"
    reply = replies.reply_of(delivery)
    assert reply.body == "Bản trình" and [a.filename for a in reply.attachments] == ["tra-loi.pdf"]
    # Once delivered, the ministry can open the reply's attachment; department B cannot.
    run_jobs()
    url = f"/documents/{reply.id}/attachments/{reply.attachments[0].id}"
    auth.logout()
    auth.login(exchange.ministry_clerk.email)
    assert client.get(url).data == PDF
    auth.logout()
    auth.login(exchange.b_leader.email)
    assert client.get(url).status_code == 404


def test_double_click_on_acknowledge_says_so_and_changes_nothing(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.a_clerk.email)
    token = auth.csrf_token(f"/inbox/{exchange.delivery.id}")
    url = f"/inbox/{exchange.delivery.id}/acknowledge"
    client.post(url, data={"csrf_token": token})
    second = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "Chưa thể thực hiện bước này" in second.get_data(as_text=True)
    db.session.refresh(exchange.delivery)
    assert len(exchange.delivery.events) == 1
