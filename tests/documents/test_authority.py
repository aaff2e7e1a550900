"""The issuing authority and the printed signer, measured on real PDFs with real signatures.

A ministry unit drafts in the ministry's name (the ministry's header, register and seal; the
notation names the unit) or in its own (its line under the ministry's, its register, its
seal). The name and title printed above the signature are those of the chain's signer.
"""

import io
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.api.shapes import document_json
from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.documents import services as documents
from portal.documents.models import Document, NumberRegister
from portal.extensions import db
from portal.rendering.values import document_values
from portal.rules import PortalError
from portal.signing import chain, keys
from portal.signing.pdf import check_signatures
from portal.signing.titles import title_lines
from portal.storage.services import read_bytes
from portal.transaction import action


class Ministry:
    """The ministry, its office and a unit, a department; their leaders with their titles."""

    def __init__(self, make):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.unit = make.organisation(kind="ministry_unit", code="CDS",
                                      name="Cục Chuyển đổi số", parent=self.ministry)
        self.hanoi = make.organisation(code="HNI", name="Sở TN&MT TP. Hà Nội")
        self.author = make.user(self.office, "specialist")
        self.clerk = make.user(self.office, "clerk")
        self.unit_clerk = make.user(self.unit, "clerk")
        self.deputy_minister = make.user(self.ministry, "leader", title="Thứ trưởng",
                                         signs_as="deputy")
        self.chief_of_office = make.user(self.office, "leader", title="Chánh Văn phòng")
        self.hanoi_clerk = make.user(self.hanoi, "clerk")
        self.hanoi_director = make.user(self.hanoi, "leader", title="Giám đốc")
        self.hanoi_specialist = make.user(self.hanoi, "specialist")
        with action():
            keys.init_development_pki()

    def draft(self, authority=None, doc_type="cong_van", author=None):
        with action():
            return documents.save_draft(documents.DraftFields(
                doc_type=doc_type, subject="V/v đẩy mạnh gửi, nhận văn bản điện tử",
                body="Đề nghị các Sở thực hiện.", recipient_ids=(self.hanoi.id,),
                authority_id=authority.id if authority else None), actor=author or self.author)

    def through_the_chain(self, draft, signer, run_jobs) -> Document:
        with action():
            chain.submit_for_signing(draft, actor=draft.author, signer_id=signer.id)
        run_jobs()
        with action():
            chain.approve(db.session.get(Document, draft.id), actor=signer)
        run_jobs()
        with action():
            documents.issue_document(db.session.get(Document, draft.id), actor=self.clerk)
        run_jobs()
        db.session.expire_all()
        return db.session.get(Document, draft.id)


@pytest.fixture
def ministry(make):
    return Ministry(make)


def _text(document) -> str:
    return PdfReader(io.BytesIO(read_bytes(document.pdf_file))).pages[0].extract_text()


def _register(organisation, year) -> int | None:
    return db.session.scalar(select(NumberRegister.last_number).where(
        NumberRegister.organisation_id == organisation.id, NumberRegister.year == year))


def test_a_letter_in_the_ministrys_name_prints_its_signer_and_carries_its_seal(ministry,
                                                                               run_jobs):
    issued = ministry.through_the_chain(ministry.draft(), ministry.deputy_minister, run_jobs)
    text = _text(issued)
    # The printed signer is the chain's signer, with their title, signing for the minister.
    assert "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG" in text
    assert ministry.deputy_minister.full_name in text
    # The ministry's header alone, the ministry's register, the drafting unit in the notation.
    assert text.startswith("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG\n") and "VĂN PHÒNG BỘ" not in text
    assert issued.notation == "1/BTNMT-VP" and issued.authority_id == ministry.ministry.id
    assert _register(ministry.ministry, issued.year) == 1
    assert _register(ministry.office, issued.year) is None
    # Sealed with the ministry's key, not the office's; every signature valid.
    checks = check_signatures(read_bytes(issued.pdf_file), keys.trusted_roots())
    assert [(c.field, c.signer) for c in checks] == [
        ("signer", ministry.deputy_minister.full_name), ("organisation", ministry.ministry.name)]
    assert all(c.intact and c.trusted for c in checks)
    # The API gives the same signer.
    assert document_json(issued)["signer"] == {
        "name": ministry.deputy_minister.full_name, "title": "Thứ trưởng",
        "lines": ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]}
    assert document_json(issued)["authority"]["code"] == "BTNMT"


def test_a_document_in_a_units_own_name_carries_its_line_register_and_seal(ministry,
                                                                           run_jobs):
    draft = ministry.draft(authority=ministry.office, doc_type="quyet_dinh")
    issued = ministry.through_the_chain(draft, ministry.chief_of_office, run_jobs)
    text = _text(issued)
    assert text.startswith("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG\nVĂN PHÒNG BỘ\n")
    assert issued.notation == "1/QĐ-VP" and _register(ministry.office, issued.year) == 1
    assert _register(ministry.ministry, issued.year) is None
    assert "CHÁNH VĂN PHÒNG\n" + ministry.chief_of_office.full_name in text  # the head: no KT.
    assert "TL." not in text and "KT." not in text
    checks = check_signatures(read_bytes(issued.pdf_file), keys.trusted_roots())
    assert checks[-1].field == "organisation" and checks[-1].signer == ministry.office.name


def test_documents_of_one_authority_share_their_header(ministry):
    letter = document_values(ministry.draft())
    decision = document_values(ministry.draft(doc_type="quyet_dinh"))
    assert (letter["authority"], letter["unit"]) == (decision["authority"], decision["unit"]) \
        == ("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "")
    own = [document_values(ministry.draft(authority=ministry.office, doc_type=t))
           for t in ("cong_van", "quyet_dinh")]
    assert {(v["authority"], v["unit"]) for v in own} == {
        ("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "VĂN PHÒNG BỘ")}


def test_units_drafting_in_the_ministrys_name_share_its_register_without_gaps(ministry):
    def issue(draft, clerk):
        with action():
            return documents.issue_document(draft, actor=clerk).notation

    assert issue(ministry.draft(), ministry.clerk) == "1/BTNMT-VP"
    assert issue(ministry.draft(author=ministry.unit_clerk), ministry.unit_clerk) == \
        "2/BTNMT-CDS"
    assert issue(ministry.draft(authority=ministry.office), ministry.clerk) == "1/VP"
    assert issue(ministry.draft(doc_type="quyet_dinh"), ministry.clerk) == "3/QĐ-BTNMT-VP"


def test_nobody_issues_in_the_name_of_an_authority_not_theirs(ministry):
    with pytest.raises(PortalError, match="không thể ban hành"), action():
        documents.save_draft(documents.DraftFields(
            doc_type="cong_van", subject="V/v báo cáo", recipient_ids=(ministry.office.id,),
            authority_id=ministry.ministry.id), actor=ministry.hanoi_clerk)
    with pytest.raises(PortalError, match="không thể ban hành"):
        ministry.draft(authority=ministry.unit)  # the office's specialist, for another unit


def test_a_departments_header_names_its_governing_body_and_its_place(ministry, make):
    with action():
        draft = documents.save_draft(documents.DraftFields(
            doc_type="bao_cao", subject="Báo cáo tình hình", body="Sở báo cáo như sau.",
            recipient_ids=(ministry.office.id,)), actor=ministry.hanoi_clerk)
    values = document_values(draft)
    assert (values["authority"], values["unit"]) == ("UBND THÀNH PHỐ HÀ NỘI",
                                                     "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG")
    assert values["place_and_date"].startswith("Hà Nội, ngày ")
    assert values["deciding_authority"] == ""
    from portal.rendering.pdf import render_pdf

    text = PdfReader(io.BytesIO(render_pdf(values).data)).pages[0].extract_text()
    assert text.startswith("UBND THÀNH PHỐ HÀ NỘI\nSỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG\n")
    assert "TN&MT" not in text and "TP. Hà Nội" not in text
    hcm = make.organisation(code="HCM", name="Sở TN&MT TP. Hồ Chí Minh")
    ninh_binh = make.organisation(code="NB", name="Sở TN&MT tỉnh Ninh Bình")
    draft.authority = hcm
    assert document_values(draft)["place_and_date"].startswith("Thành phố Hồ Chí Minh, ")
    draft.authority = ninh_binh
    values = document_values(draft)
    assert values["authority"] == "UBND TỈNH NINH BÌNH"
    assert values["place_and_date"].startswith("Ninh Bình, ")


def test_a_reply_approved_by_the_director_prints_the_directors_title(ministry, make,
                                                                     run_jobs, client, auth):
    letter = make.document(ministry.clerk, [ministry.hanoi], due_working_days=5)
    delivery = make.delivery(letter, ministry.hanoi)
    with action():
        deliveries.acknowledge_delivery(delivery, actor=ministry.hanoi_clerk)
    with action():
        reply = replies.answer_delivery(delivery, actor=ministry.hanoi_director,
                                        body="Sở báo cáo: đã thực hiện.")
    run_jobs()
    db.session.expire_all()
    reply = db.session.get(Document, reply.id)
    text = _text(reply)
    assert "GIÁM ĐỐC\n" + ministry.hanoi_director.full_name in text
    assert reply.notation == "1/HNI" and reply.authority_id == ministry.hanoi.id
    assert "Sở Tài nguyên và Môi trường thành phố Hà Nội báo cáo như sau" in " ".join(
        text.split())  # the name in full in the text too
    # Addressed to the authority that asked, through the unit that drafted its letter.
    assert "Kính gửi: Bộ Tài nguyên và Môi trường (Văn phòng Bộ)." in " ".join(text.split())
    # The ministry reads who signed it, with the title, on the reply's delivery page.
    answer = make.delivery(reply, ministry.office)
    auth.login(ministry.clerk.email)
    page = client.get(f"/inbox/{answer.id}").get_data(as_text=True)
    assert f"{ministry.hanoi_director.full_name} — GIÁM ĐỐC" in page


def _person(organisation_id, title, signs_as, organisation_name="Văn phòng Bộ"):
    return SimpleNamespace(organisation_id=organisation_id, title=title, signs_as=signs_as,
                           organisation=SimpleNamespace(id=organisation_id,
                                                        name=organisation_name))


MINISTRY = SimpleNamespace(id=1, name="Bộ Tài nguyên và Môi trường")


@pytest.mark.parametrize(("person", "lines"), [
    (_person(1, "Bộ trưởng", "head", MINISTRY.name), ["BỘ TRƯỞNG"]),
    (_person(1, "Thứ trưởng", "deputy", MINISTRY.name), ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]),
    (_person(2, "Chánh Văn phòng", "head"), ["TL. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG"]),
    (_person(2, "Chánh Văn phòng", "authorised"), ["TUQ. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG"]),
    (_person(2, "Phó Chánh Văn phòng", "deputy"),
     ["TL. BỘ TRƯỞNG", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]),
])
def test_the_lines_above_the_name_follow_how_the_signer_stands_to_the_head(person, lines):
    assert title_lines(person, MINISTRY) == lines


def test_a_deputy_director_signs_for_the_director():
    department = SimpleNamespace(id=7, name="Sở TN&MT tỉnh Ninh Bình")
    deputy = _person(7, "Phó Giám đốc", "deputy", department.name)
    assert title_lines(deputy, department) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]


def test_the_office_chooses_in_whose_name_it_drafts_on_the_compose_form(ministry, client, auth):
    from tests.conftest import hidden_fields_from

    auth.login(ministry.clerk.email)
    form = client.get("/documents/new").get_data(as_text=True)
    assert 'name="authority_id"' in form and "Cơ quan ban hành" in form
    response = client.post("/documents/new", data={
        **hidden_fields_from(form), "doc_type": "quyet_dinh", "subject": "V/v ban hành quy chế",
        "body": "Điều 1. Ban hành quy chế.", "urgency": "normal", "confidentiality": "none",
        "authority_id": str(ministry.office.id), "recipients": [str(ministry.hanoi.id)],
        "deadline_kind": "none", "action": "save"})
    assert response.status_code == 302
    draft = db.session.scalar(select(Document).order_by(Document.id.desc()).limit(1))
    assert draft.authority_id == ministry.office.id
    assert document_values(draft)["unit"] == "VĂN PHÒNG BỘ"
    assert 'name="signer_name"' not in form  # no free-text signer any more
