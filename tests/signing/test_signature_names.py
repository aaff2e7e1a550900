"""The signature table names each signer's organisation in full, as the portal's records do:
a certificate's O= holds at most 64 characters (the development CA cuts longer names)."""

from portal.documents import services as documents
from portal.extensions import db
from portal.signing import keys
from portal.signing.pdf import check_signatures
from portal.signing.verification import verification_of
from portal.storage.services import read_bytes
from portal.transaction import action

LONG_NAME = "Cục Chuyển đổi số và Thông tin dữ liệu tài nguyên môi trường"


def test_a_long_organisation_name_is_shown_in_full(make, run_jobs, client, auth):
    ministry = make.ministry()
    unit = make.organisation(kind="ministry_unit", code="CDS", name=LONG_NAME, parent=ministry)
    department = make.organisation(code="HNI", name="Sở TN&MT TP. Hà Nội")
    clerk, reader = make.user(unit, "clerk"), make.user(department, "clerk")
    with action():
        keys.init_development_pki()
    with action():
        draft = documents.save_draft(documents.DraftFields(
            doc_type="cong_van", subject="V/v dữ liệu", body="Đề nghị Sở cung cấp dữ liệu.",
            recipient_ids=(department.id,), authority_id=unit.id), actor=clerk)
    with action():
        documents.issue_document(draft, actor=clerk)
    run_jobs()
    db.session.expire_all()
    document = db.session.get(type(draft), draft.id)
    [seal] = check_signatures(read_bytes(document.pdf_file), keys.trusted_roots())
    assert len(LONG_NAME.encode()) > 64 and seal.organisation != LONG_NAME  # the O= is cut
    [entry] = verification_of(document).report["signatures"]
    assert entry["organisation"] == LONG_NAME and "certificate" not in entry

    delivery = make.delivery(document, department)
    auth.login(reader.email)
    page = client.get(f"/inbox/{delivery.id}").get_data(as_text=True)
    table = page[page.index('class="verification'):]
    assert f"<td>{LONG_NAME}</td>" in table
