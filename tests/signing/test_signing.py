"""Sealed PDFs validate with pyHanko; tampered, untrusted, broken and unsigned files each get
a clear verdict."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from sqlalchemy import func, select

from portal.documents.models import Document
from portal.extensions import db
from portal.signing import keys
from portal.signing.models import SigningIdentity, TrustedRoot, Verification
from portal.signing.pdf import ORGANISATION_FIELD, check_signatures
from portal.signing.services import verify_file
from portal.signing.verification import verification_of
from portal.storage.services import read_bytes, store_bytes
from portal.transaction import action
from tests.deliveries.conftest import Exchange


@pytest.fixture
def sealed(make, run_jobs):
    exchange = Exchange(make)  # its document goes out before any key exists: unsigned
    with action():
        keys.init_development_pki()
    issued = make.document(exchange.ministry_clerk, [exchange.a])
    run_jobs()
    document = db.session.get(Document, issued.id)
    exchange.sealed_delivery = make.delivery(document, exchange.a)
    return exchange, document, read_bytes(document.pdf_file)


def test_the_stamp_font_writes_every_vietnamese_letter_and_carries_no_layout_tables():
    import unicodedata

    from fontTools.ttLib import TTFont

    from portal.signing.pdf import _stamp_font

    font = TTFont(_stamp_font())
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    letters = {unicodedata.normalize("NFC", base + tone)
               for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" for tone in tones} | set("đĐ")
    assert len(letters) == 2 * 12 * 6 + 2  # 12 vowels in 6 tones, both cases; đ, Đ
    cmap = font.getBestCmap()
    assert [c for c in sorted(letters) if ord(c) not in cmap] == []
    assert font["head"].unitsPerEm == 1000
    assert not {"GSUB", "GPOS"} & set(font.keys())


def test_later_signatures_reuse_the_room_the_first_one_took(make):
    from portal.signing import pdf

    exchange = Exchange(make)  # its PDF of record has the empty fields, unsigned
    with action():
        keys.init_development_pki()
    data = pdf.add_signature_fields(  # laid out before the PKI: no field for a seal yet
        read_bytes(db.session.get(Document, exchange.document.id).pdf_file),
        signature=(0, (300, 100, 540, 225)), initials=(0, (85, 100, 260, 155)),
        names={ORGANISATION_FIELD})
    pdf._RESERVED.clear()
    with keys.open_signer(keys.organisation_identity(exchange.office.id)) as signer:
        first = pdf.sign(data, signer, ORGANISATION_FIELD, ["Văn phòng Bộ"])
        second = pdf.sign(data, signer, ORGANISATION_FIELD, ["Văn phòng Bộ"])
    [reserved] = pdf._RESERVED.values()
    for signed in (first, second):
        assert pdf._reserved_in(signed, ORGANISATION_FIELD) == reserved
        [check] = check_signatures(signed, keys.trusted_roots())
        assert check.intact and check.trusted


def test_pki_init_gives_each_organisation_and_leader_a_key_once(make, runner):
    exchange = Exchange(make)
    make.organisation(name="Sở Tài nguyên và Môi trường tỉnh Bà Rịa - Vũng Tàu (tên rất dài "
                           "vượt quá 64 byte UTF-8)")  # names are cut to fit a certificate
    organisations, leaders = 5, 2  # ministry, office, A, B, the long one; A's and B's leaders
    result = runner.invoke(args=["pki", "init"])
    assert result.exit_code == 0
    assert f"certificates issued: {organisations + leaders}" in result.output
    assert keys.init_development_pki() == 0
    assert db.session.scalar(select(func.count(TrustedRoot.id))) == 1
    identity = keys.organisation_identity(exchange.a.id)
    assert b"BEGIN" not in identity.pkcs12  # an encrypted PKCS#12, not a PEM key
    with pytest.raises(ValueError):
        from cryptography.hazmat.primitives.serialization import pkcs12

        pkcs12.load_key_and_certificates(identity.pkcs12, b"")


def test_an_issued_document_is_sealed_and_its_signature_validates(sealed):
    exchange, document, data = sealed
    # Recipients receive it only once it carries the seal.
    assert document.sealed_at <= document.dispatched_at == exchange.sealed_delivery.received_at
    reader = PdfFileReader(io.BytesIO(data))
    names = {name for name, *_ in enumerate_sig_fields(reader)}
    assert names == {ORGANISATION_FIELD}  # no chain: no empty fields for initials or signer
    [check] = check_signatures(data, keys.trusted_roots())
    assert (check.field, check.intact, check.trusted) == (ORGANISATION_FIELD, True, True)
    assert check.organisation == exchange.ministry.name  # in the ministry's name: its seal
    verification = verification_of(document)
    assert verification.verdict == "valid" and verification.report["findings"] == []


def test_a_byte_changed_inside_the_signed_content_is_invalid(sealed):
    _exchange, _document, data = sealed
    position = data.index(b"/Type /Page") + 1  # inside the first revision, which is signed
    tampered = data[:position] + b"X" + data[position + 1:]
    verification = verify_file(store_bytes(tampered).id)
    assert verification.verdict == "invalid"
    assert "not_intact" in verification.report["findings"]


def test_content_appended_after_signing_is_not_permitted(sealed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _exchange, _document, data = sealed
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf (HUY) Tj ET"))
    page["/Contents"] = generic.ArrayObject([page["/Contents"], stream])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    verification = verify_file(store_bytes(out.getvalue()).id)
    assert verification.verdict == "invalid"
    assert "changes_not_permitted" in verification.report["findings"]


def test_a_key_from_an_untrusted_root_is_invalid(sealed):
    _exchange, document, data = sealed
    db.session.execute(TrustedRoot.__table__.delete())
    db.session.commit()
    [check] = check_signatures(data, keys.trusted_roots())
    assert check.intact and not check.trusted
    db.session.execute(Verification.__table__.delete())
    db.session.commit()
    verification = verify_file(document.pdf_file_id)
    assert verification.verdict == "invalid" and verification.report["findings"] == ["untrusted"]


@pytest.mark.parametrize("where", ["inside the signature's revision", "inside the first"])
def test_truncated_files_get_a_verdict_not_an_error(sealed, where):
    _exchange, _document, data = sealed
    # (A cut exactly at an earlier revision's end is that earlier, unsigned PDF: not this.)
    end = data.rindex(b"%%EOF") - 200 if where.endswith("revision") else len(data) // 3
    verification = verify_file(store_bytes(data[:end]).id)
    assert (verification.verdict, verification.report["findings"]) == ("invalid", ["unreadable"])
    assert verification.report["detail"]


def test_a_file_that_is_not_a_pdf_at_all_is_unreadable(app):
    verification = verify_file(store_bytes(b"%PDF-1.7\n" + b"\x00" * 300 + b"%%EOF").id)
    assert (verification.verdict, verification.report["findings"]) == ("invalid", ["unreadable"])


def test_an_organisation_without_a_key_sends_unsigned(make, run_jobs):
    exchange = Exchange(make)
    run_jobs()
    document = db.session.get(Document, exchange.document.id)
    assert document.sealed_at is None and document.pdf_file_id is not None
    assert verification_of(document).verdict == "unsigned"
    assert db.session.scalar(select(func.count(SigningIdentity.id))) == 0


def test_the_recipient_sees_the_verification_report(sealed, client, auth):
    exchange, document, _data = sealed
    auth.login(exchange.a_clerk.email)
    page = client.get(f"/inbox/{exchange.sealed_delivery.id}").get_data(as_text=True)
    assert "Hợp lệ" in page and exchange.ministry.name in page


def test_attached_pdfs_are_verified_each_on_its_own(make, run_jobs, client, auth):
    from portal.documents import services as documents
    from tests.pdfs import blank_pdf

    exchange = Exchange(make)
    with action():
        keys.init_development_pki()
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    with action():
        appendix = documents.add_attachment(draft, actor=exchange.ministry_clerk,
                                            filename="phu-luc.pdf", data=blank_pdf())
    with action():
        documents.issue_document(draft, actor=exchange.ministry_clerk)
    run_jobs()
    document = db.session.get(Document, draft.id)
    assert verification_of(document).verdict == "valid"
    assert db.session.scalar(select(Verification.verdict).where(
        Verification.stored_file_id == appendix.file_id)) == "unsigned"
    auth.login(exchange.a_clerk.email)
    page = client.get(f"/inbox/{make.delivery(document, exchange.a).id}").get_data(as_text=True)
    assert 'class="badge verdict-unsigned"' in page and "phu-luc.pdf" in page
