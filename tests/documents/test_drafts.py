"""A draft reopened shows exactly what was chosen; attaching works on a draft never saved."""

import io
import re

from sqlalchemy import func, select

from portal.documents.models import Document
from portal.extensions import db
from portal.organisations.models import OrganisationKind
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf

PDF = blank_pdf()
ALL_BOX = re.compile(r'<input type="checkbox" name="all_departments"[^>]*>')


def _fields(auth, path="/documents/new", **fields):
    return {"doc_type": "cong_van", "subject": "Về việc báo cáo công tác quý IV",
            "body": "Đề nghị các Sở báo cáo trước ngày 20.", "urgency": "normal",
            "confidentiality": "none", "deadline_kind": "none", **auth.hidden_fields(path),
            **fields}


def _all_box(client, document) -> str:
    return ALL_BOX.search(client.get(f"/documents/{document.id}/edit").get_data(
        as_text=True)).group(0)


def _latest_draft() -> Document | None:
    return db.session.scalar(select(Document).order_by(Document.id.desc()))


def test_a_draft_sent_to_all_departments_reopens_with_the_all_box_ticked(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    response = client.post("/documents/new", data=_fields(auth, all_departments="y"))
    assert response.status_code == 302
    draft = _latest_draft()
    assert set(draft.recipient_ids) == {exchange.a.id, exchange.b.id}
    assert " checked" in _all_box(client, draft)


def test_a_draft_sent_to_some_departments_reopens_with_the_all_box_unticked(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    client.post("/documents/new", data=_fields(auth, recipients=str(exchange.a.id)))
    draft = _latest_draft()
    assert draft.recipient_ids == [exchange.a.id]
    assert " checked" not in _all_box(client, draft)
    page = client.get(f"/documents/{draft.id}/edit").get_data(as_text=True)
    assert re.search(rf'value="{exchange.a.id}"[^>]* checked', page)
    assert not re.search(rf'value="{exchange.b.id}"[^>]* checked', page)


def test_attaching_on_a_new_draft_saves_it_with_what_was_typed_and_the_pdf(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    before = db.session.scalar(select(func.count(Document.id)))
    response = client.post("/documents/new", data=_fields(
        auth, action="attach", recipients=str(exchange.b.id),
        attachment=(io.BytesIO(PDF), "phu-luc.pdf")))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Document.id))) == before + 1
    draft = _latest_draft()
    assert response.location.endswith(f"/documents/{draft.id}/edit")
    assert draft.state == "draft" and draft.subject == "Về việc báo cáo công tác quý IV"
    assert draft.body == "Đề nghị các Sở báo cáo trước ngày 20."
    assert draft.recipient_ids == [exchange.b.id]
    assert [a.filename for a in draft.attachments] == ["phu-luc.pdf"]
    page = client.get(response.location).get_data(as_text=True)
    assert "phu-luc.pdf" in page and "Đã đính kèm phu-luc.pdf" in page


def test_attaching_on_a_saved_draft_keeps_the_changes_typed_since(client, auth, make):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    path = f"/documents/{draft.id}/edit"
    response = client.post(path, data=_fields(
        auth, path, action="attach", subject="V/v đổi trích yếu", recipients=str(exchange.a.id),
        attachment=(io.BytesIO(PDF), "bang-so-lieu.pdf")))
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.subject == "V/v đổi trích yếu"
    assert [a.filename for a in draft.attachments] == ["bang-so-lieu.pdf"]


def test_a_refused_attachment_on_a_new_draft_creates_nothing_and_keeps_the_text(client, auth,
                                                                               make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    before = db.session.scalar(select(func.count(Document.id)))
    response = client.post("/documents/new", data=_fields(
        auth, action="attach", attachment=(io.BytesIO(b"PK\x03\x04zip"), "x.pdf")))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "không phải tệp PDF" in page
    assert "Đề nghị các Sở báo cáo trước ngày 20." in page
    assert db.session.scalar(select(func.count(Document.id))) == before
    response = client.post("/documents/new", data=_fields(auth, action="attach"))
    assert response.status_code == 400
    assert "Hãy chọn một tệp PDF để đính kèm" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Document.id))) == before


def test_the_department_boxes_are_the_ones_the_all_box_stands_for(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    page = client.get("/documents/new").get_data(as_text=True)
    grouped = set(re.findall(r'data-recipient-group="departments"[^>]*value="(\d+)"', page))
    departments = {str(o.id) for o in (exchange.a, exchange.b)
                   if o.kind == OrganisationKind.DEPARTMENT}
    assert grouped == departments
    assert 'data-selects-all="departments"' in ALL_BOX.search(page).group(0)
