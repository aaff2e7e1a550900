"""The oversight letter: drafted from the period's table and published assessments, edited
like any draft, then signed, issued and delivered through the normal pipeline."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.deliveries.models import Delivery, Status
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard import assessments
from portal.leaderboard.letter import draft_oversight_letter
from portal.leaderboard.services import Period
from portal.signing import chain, keys
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.conftest import csrf_token_from, hidden_fields_from

DAY = date(2026, 3, 10)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
def judged(records, make):
    r = records
    r.c = make.organisation(code="CM", name="Sở TN&MT tỉnh Cà Mau")
    r.send(r.ministry, [r.a, r.b, r.c], DAY, status=Status.ACKNOWLEDGED,
           due_on=DAY + timedelta(days=3))
    r.send(r.b, [r.office], DAY)
    r.reviewer = make.user(r.ministry, "reviewer")
    r.leader = make.user(r.ministry, "leader")
    r.clerk = make.user(r.ministry, "clerk")
    for department, kind, style in [(r.b, "commend", ""), (r.a, "criticise", "bold")]:
        with action():
            assessment = assessments.record_assessment(department, MARCH, kind=kind,
                                                       note="Nhận xét.", appendix_style=style,
                                                       actor=r.reviewer)
        with action():
            assessments.publish_assessment(assessment, actor=r.leader)
    with action():
        draft = assessments.record_assessment(r.c, MARCH, kind="criticise", note="Chưa công bố.",
                                              appendix_style="italic", actor=r.reviewer)
    assert draft.state == "draft"  # not published: neither named nor marked
    return r


def test_the_draft_carries_the_table_marked_and_names_the_assessed(judged):
    with action():
        letter = draft_oversight_letter(MARCH, actor=judged.reviewer)

    assert letter.state == "draft" and letter.issuer_id == judged.ministry.id
    assert set(letter.recipient_ids) == {judged.a.id, judged.b.id, judged.c.id, judged.office.id}
    appendix = letter.appendix
    assert appendix["subtitle"] == "(Từ ngày 01/03/2026 đến ngày 31/03/2026)"
    styles = {row["cells"][1]: row["style"] for row in appendix["rows"]}
    assert styles == {judged.a.name: "bold", judged.b.name: "", judged.c.name: ""}
    received = [int(row["cells"][2]) for row in appendix["rows"]]
    assert int(appendix["total"][2]) == sum(received) == 3
    assert "thực hiện tốt: Bạc Liêu." in letter.body
    assert "chưa nghiêm túc: An Giang." in letter.body
    # Cà Mau's draft names it nowhere; its overdue deadline does, among the flagged.
    flagged = next(line for line in letter.body.splitlines() if "quá hạn" in line)
    assert letter.body.count("Cà Mau") == 1 and "Cà Mau" in flagged


def test_only_reviewers_and_ministry_leaders_draft_it(judged, make):
    a_leader = make.user(judged.a, "leader")
    with pytest.raises(documents.DocumentError), action():
        draft_oversight_letter(MARCH, actor=a_leader)


def test_drafted_edited_signed_issued_and_delivered_to_every_department(
        judged, client, auth, run_jobs):
    with action():
        keys.init_development_pki()
    auth.login(judged.reviewer.email)
    board = client.get("/oversight/?from=2026-03-01&to=2026-03-31").text
    response = client.post("/oversight/letter", data={
        "csrf_token": csrf_token_from(board), "first": "2026-03-01", "last": "2026-03-31"})
    letter = db.session.scalar(select(Document).order_by(Document.id.desc()))
    assert response.headers["Location"].endswith(f"/documents/{letter.id}/edit")

    # The reviewer changes the text like any draft's (the appendix stays).
    form = client.get(f"/documents/{letter.id}/edit").text
    client.post(f"/documents/{letter.id}/edit", data={
        **hidden_fields_from(form), "doc_type": "cong_van", "subject": letter.subject,
        "body": letter.body + "\nĐề nghị các Sở báo cáo trước ngày 15/4/2026.",
        "urgency": "normal", "confidentiality": "none",
        "recipients": [str(i) for i in letter.recipient_ids],
        "deadline_kind": "none"})
    db.session.expire_all()
    letter = db.session.get(Document, letter.id)
    assert letter.body.endswith("trước ngày 15/4/2026.") and letter.appendix["rows"]

    with action():
        chain.submit_for_signing(letter, actor=judged.reviewer, signer_id=judged.leader.id)
    run_jobs()
    with action():
        chain.approve(db.session.get(Document, letter.id), actor=judged.leader)
    run_jobs()
    with action():
        documents.issue_document(db.session.get(Document, letter.id), actor=judged.clerk)
    run_jobs()

    db.session.expire_all()
    letter = db.session.get(Document, letter.id)
    delivered = set(db.session.scalars(select(Delivery.recipient_id).where(
        Delivery.document_id == letter.id)))
    assert delivered == {judged.a.id, judged.b.id, judged.c.id, judged.office.id}
    assert letter.dispatched_at is not None and letter.sealed_at is not None
    pages = PdfReader(io.BytesIO(read_bytes(letter.pdf_file))).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())  # lines unwrapped
    assert "Phụ lục" in text and "trước ngày 15/4/2026" in text
    assert judged.a.name in text and "Tổng cộng" in text
