"""The signature chain (trình ký): initials, the signer, then the clerk's number and seal.

Real PDFs, real keys (the development PKI), real signatures checked by pyHanko's validator.
"""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.deliveries import replies
from portal.documents import services as documents
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.signing import chain, keys
from portal.signing.form import text_values
from portal.signing.models import SignatureStep
from portal.signing.pdf import check_signatures
from portal.signing.verification import verification_of
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.conftest import csrf_token_from


class Chain:
    """The ministry's office drafts a letter; a unit's leader and the office's leader initial
    it, a ministry leader signs it, the office's clerk issues it to department A."""

    def __init__(self, make):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.unit = make.organisation(kind="ministry_unit", code="CDS",
                                      name="Cục Chuyển đổi số", parent=self.ministry)
        self.a = make.organisation(code="DA", name="Sở Tài nguyên và Môi trường An Giang")
        self.author = make.user(self.office, "specialist")
        self.clerk = make.user(self.office, "clerk")
        self.unit_leader = make.user(self.unit, "leader")
        self.office_leader = make.user(self.office, "leader")
        self.minister = make.user(self.ministry, "leader", title="Thứ trưởng",
                                  signs_as="deputy")
        self.a_clerk = make.user(self.a, "clerk")
        self.a_leader = make.user(self.a, "leader")
        with action():
            keys.init_development_pki()
        with action():
            self.document = documents.save_draft(documents.DraftFields(
                doc_type="cong_van", subject="V/v đẩy mạnh gửi, nhận văn bản điện tử",
                body="Đề nghị các Sở thực hiện.", recipient_ids=(self.a.id,)),
                actor=self.author)

    def submit(self):
        with action():
            return chain.submit_for_signing(
                self.document, actor=self.author, signer_id=self.minister.id,
                unit_initials_id=self.unit_leader.id, office_initials_id=self.office_leader.id)

    def reload(self) -> Document:
        db.session.expire_all()
        self.document = db.session.get(Document, self.document.id)
        return self.document


@pytest.fixture
def setup(make):
    return Chain(make)


def _sign_in_turn(setup, run_jobs, people):
    for person in people:
        with action():
            chain.approve(setup.reload(), actor=person)
        run_jobs()


def test_the_whole_chain_signs_in_order_and_every_signature_validates(setup, run_jobs):
    setup.submit()
    run_jobs()
    document = setup.reload()
    assert document.state == DocumentState.SIGNING and document.pdf_file_id is not None
    data = read_bytes(document.pdf_file)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    # Laid out before it has a number: the number, day and month are blank fields.
    blanks = text_values(data)
    assert re.fullmatch(r"Số:\s+/BTNMT-VP", blanks["number"])
    assert re.fullmatch(r"Hà Nội, ngày\s+tháng\s+năm \d{4}", blanks["date"])
    assert not re.search(r"\d+/BTNMT-VP", text) and "Dự thảo" not in text

    _sign_in_turn(setup, run_jobs, [setup.unit_leader, setup.office_leader, setup.minister])
    document = setup.reload()
    assert document.state == DocumentState.SIGNED and document.notation is None
    with action():
        documents.issue_document(document, actor=setup.clerk)
    run_jobs()
    document = setup.reload()
    assert document.sealed_at is not None and document.notation.endswith("/BTNMT-VP")

    data = read_bytes(document.pdf_file)
    checks = check_signatures(data, keys.trusted_roots())
    assert [(c.field, c.signer) for c in checks] == [
        ("initial-unit", setup.unit_leader.full_name),
        ("initial-office", setup.office_leader.full_name),
        ("signer", setup.minister.full_name),
        ("organisation", setup.ministry.name)]  # in the ministry's name: its seal
    assert all(c.intact and c.trusted for c in checks)
    # Each earlier signature sees only permitted changes after it: signatures into fields
    # that were there from the start.
    assert [c.later_changes for c in checks[:-1]] == ["form_filling"] * 3
    assert checks[-1].coverage == "entire_file"
    verification = verification_of(document)
    assert verification.verdict == "valid"
    assert verification.report["findings"] == ["changes_permitted"]
    # Every step kept the file it produced, each with one signature more than the last.
    assert [len(check_signatures(read_bytes(step.signed_file), keys.trusted_roots()))
            for step in chain.steps_of(document)] == [1, 2, 3]


def test_nobody_signs_out_of_turn_and_a_double_click_signs_once(setup, run_jobs):
    setup.submit()
    run_jobs()
    document = setup.reload()
    for early in (setup.minister, setup.office_leader, setup.a_leader, setup.author):
        with pytest.raises(documents.DocumentError, match="không phải lượt"), action():
            chain.approve(document, actor=early)
    with action():
        chain.approve(document, actor=setup.unit_leader)
    with pytest.raises(documents.DocumentError), action():
        chain.approve(setup.reload(), actor=setup.unit_leader)
    run_jobs()
    document = setup.reload()
    assert len(check_signatures(read_bytes(document.pdf_file), keys.trusted_roots())) == 1
    assert [d.id for d in chain.waiting_for(setup.office_leader)] == [document.id]
    assert chain.waiting_for(setup.minister) == [] and chain.waiting_for(setup.unit_leader) == []


def test_the_clerk_cannot_issue_while_it_is_being_signed(setup, run_jobs):
    setup.submit()
    run_jobs()
    with pytest.raises(documents.DocumentError, match="đang được ký"), action():
        documents.issue_document(setup.reload(), actor=setup.clerk)
    assert setup.reload().number is None


def test_returning_drops_the_signatures_and_the_draft_can_go_round_again(setup, run_jobs):
    setup.submit()
    run_jobs()
    _sign_in_turn(setup, run_jobs, [setup.unit_leader])
    document = setup.reload()
    # not the office leader's to return yet...
    with pytest.raises(documents.DocumentError), action():
        chain.return_to_draft(document, actor=setup.minister)
    with action():
        chain.return_to_draft(document, actor=setup.office_leader, note="Sửa lại đoạn 2.")
    document = setup.reload()
    assert (document.state, document.pdf_file_id) == (DocumentState.DRAFT, None)
    assert document.review_note == "Sửa lại đoạn 2."
    assert db.session.scalar(select(func.count(SignatureStep.id))) == 0
    with action():
        documents.save_draft(documents.DraftFields(
            doc_type="cong_van", subject=document.subject, body="Đoạn 1.\nĐoạn 2 đã sửa.",
            recipient_ids=(setup.a.id,)), actor=setup.author, document=document)
    setup.submit()
    run_jobs()
    _sign_in_turn(setup, run_jobs, [setup.unit_leader, setup.office_leader, setup.minister])
    document = setup.reload()
    assert document.state == DocumentState.SIGNED
    text = PdfReader(io.BytesIO(read_bytes(document.pdf_file))).pages[0].extract_text()
    assert "Đoạn 2 đã sửa." in text


def test_the_chain_is_checked_when_submitted(setup, make):
    with pytest.raises(documents.DocumentError, match="Mỗi người"), action():
        chain.submit_for_signing(setup.document, actor=setup.author, signer_id=setup.minister.id,
                                 unit_initials_id=setup.minister.id)
    # a department's leader
    with pytest.raises(documents.DocumentError, match="lãnh đạo"), action():
        chain.submit_for_signing(setup.document, actor=setup.author, signer_id=setup.a_leader.id)
    keyless = make.user(setup.office, "leader")  # came after `flask pki init`
    with pytest.raises(documents.DocumentError, match=keyless.full_name), action():
        chain.submit_for_signing(setup.document, actor=setup.author, signer_id=keyless.id)
    with pytest.raises(documents.DocumentError), action():  # the other organisation's people cannot
        chain.submit_for_signing(setup.document, actor=setup.a_clerk, signer_id=setup.minister.id)
    assert setup.reload().state == DocumentState.DRAFT


def test_a_department_chooses_among_its_own_leaders_only(setup):
    with action():
        draft = documents.save_draft(documents.DraftFields(
            doc_type="bao_cao", subject="Báo cáo", body="Nội dung.",
            recipient_ids=(setup.office.id,)), actor=setup.a_clerk)
    assert chain.candidates(draft) == [setup.a_leader]
    assert set(chain.candidates(setup.document)) == {setup.unit_leader, setup.office_leader,
                                                     setup.minister}


def test_an_organisation_that_issues_only_signed_documents_refuses_a_bare_draft(setup, run_jobs):
    setup.office.signed_issue_only = True
    db.session.commit()
    with pytest.raises(documents.DocumentError, match="chỉ phát hành văn bản đã ký"), action():
        documents.issue_document(setup.document, actor=setup.clerk)
    setup.submit()
    run_jobs()
    _sign_in_turn(setup, run_jobs, [setup.unit_leader, setup.office_leader, setup.minister])
    with action():
        documents.issue_document(setup.reload(), actor=setup.clerk)
    assert setup.reload().state == DocumentState.ISSUED


def test_a_leader_approving_a_reply_signs_it_before_the_seal(setup, run_jobs):
    from portal.deliveries import services as deliveries
    from portal.deliveries.models import Delivery

    setup.submit()
    run_jobs()
    _sign_in_turn(setup, run_jobs, [setup.unit_leader, setup.office_leader, setup.minister])
    with action():
        documents.issue_document(setup.reload(), actor=setup.clerk)
    run_jobs()
    delivery = db.session.scalar(select(Delivery).where(Delivery.recipient_id == setup.a.id))
    with action():
        deliveries.acknowledge_delivery(delivery, actor=setup.a_clerk)
    with action():
        reply = replies.answer_delivery(delivery, actor=setup.a_leader, body="Sở đã thực hiện.")
    run_jobs()
    reply = db.session.get(Document, reply.id)
    checks = check_signatures(read_bytes(reply.pdf_file), keys.trusted_roots())
    assert [(c.field, c.signer) for c in checks] == [("signer", setup.a_leader.full_name),
                                                     ("organisation", setup.a.name)]
    assert all(c.intact and c.trusted for c in checks)
    assert verification_of(reply).verdict == "valid"


# Through the pages.

def _post(client, path, page_path, **data):
    token = csrf_token_from(client.get(page_path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_the_pages_walk_the_chain(setup, run_jobs, client, auth):
    doc = setup.document
    page = f"/documents/{doc.id}"
    auth.login(setup.author.email)
    assert "Trình ký" in client.get(page).get_data(as_text=True)
    response = _post(client, f"{page}/signing", page, signer=setup.minister.id,
                     unit_initials=setup.unit_leader.id, office_initials=0)
    assert response.status_code == 302
    run_jobs()
    auth.logout()

    auth.login(setup.minister.email)  # of the ministry, not the office: sees it all the same
    listed = client.get("/documents/to-sign").get_data(as_text=True)
    assert setup.document.subject not in listed  # the unit leader's initials come first
    auth.logout()
    auth.login(setup.unit_leader.email)
    assert setup.document.subject in client.get("/documents/to-sign").get_data(as_text=True)
    shown = client.get(page).get_data(as_text=True)
    assert "Ký nháy" in shown and f"/documents/{doc.id}/pdf" in shown
    assert _post(client, f"{page}/sign", page).status_code == 302
    run_jobs()
    auth.logout()
    auth.login(setup.minister.email)
    assert _post(client, f"{page}/sign", page).status_code == 302
    run_jobs()
    auth.logout()

    auth.login(setup.clerk.email)
    shown = client.get(page).get_data(as_text=True)
    assert "Phát hành: số, ngày và chữ ký số của cơ quan" in shown
    assert _post(client, f"{page}/issue", page).status_code == 302
    run_jobs()
    assert setup.reload().sealed_at is not None


def test_outsiders_get_404_and_a_missing_token_changes_nothing(setup, run_jobs, client, auth):
    setup.submit()
    run_jobs()
    page = f"/documents/{setup.document.id}"
    auth.login(setup.a_leader.email)
    token = csrf_token_from(client.get("/documents/to-sign").get_data(as_text=True))
    for step in ("sign", "return", "signing"):
        assert client.post(f"{page}/{step}", data={"csrf_token": token}).status_code == 404
    assert client.get(f"{page}/pdf").status_code == 404
    auth.logout()
    auth.login(setup.unit_leader.email)
    client.post(f"{page}/sign", data={})  # no CSRF token
    run_jobs()
    assert chain.current_step(setup.reload()).field == "initial-unit"
    assert setup.document.state == DocumentState.SIGNING


def test_the_to_sign_page_is_for_leaders(setup, client, auth):
    auth.login(setup.author.email)
    assert client.get("/documents/to-sign").status_code == 403
