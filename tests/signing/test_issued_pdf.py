"""The issued PDF as a reader finds it: the number and date in their places, the Title, and
stamps that do not print over each other or over the page (Decree 30, Appendix I).

Measured on the real PDF: form fields with pypdf, stamps drawn by poppler and measured with
pdfplumber, signatures validated by pyHanko.
"""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.clock import as_local
from portal.deliveries import replies
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.rendering.values import vietnamese_date
from portal.signing import keys
from portal.signing.pdf import check_signatures
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.signing.stamps import (
    intersects,
    page_text_chars,
    stamp_chars,
    stamp_text,
    widgets,
)
from tests.signing.test_chain import Chain, _sign_in_turn

ZONED_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} \+07:00")


@pytest.fixture
def issued(make, run_jobs):
    setup = Chain(make)
    setup.submit()
    run_jobs()
    _sign_in_turn(setup, run_jobs, [setup.unit_leader, setup.office_leader, setup.minister])
    with action():
        documents.issue_document(setup.reload(), actor=setup.clerk)
    run_jobs()
    document = setup.reload()
    return setup, document, read_bytes(document.pdf_file)


def _all_valid_with_form_filling_at_most(data):
    checks = check_signatures(data, keys.trusted_roots())
    assert checks and all(c.intact and c.trusted for c in checks)
    assert all(c.later_changes in ("none", "form_filling") for c in checks)
    return checks


def test_the_number_and_date_are_written_into_their_places_at_issue(issued):
    _setup, document, data = issued
    fields = widgets(data)
    day = vietnamese_date(as_local(document.issued_at).date())
    assert str(fields["number"]["value"]) == f"Số: {document.notation}"
    assert str(fields["date"]["value"]) == f"Hà Nội, {day}"
    assert re.fullmatch(r"Số: \d+/BTNMT-VP", str(fields["number"]["value"]))
    # What the page shows there: the filled fields' appearance, not the blanks.
    assert stamp_text(data, "number") == f"Số: {document.notation}"
    assert stamp_text(data, "date") == f"Hà Nội, {day}"
    page = "".join(c["text"] for c in page_text_chars(data, 0))
    assert "/BTNMT-VP" not in page  # no blank "Số:      /BTNMT-VP" left under the field
    checks = _all_valid_with_form_filling_at_most(data)
    assert [c.field for c in checks] == ["initial-unit", "initial-office", "signer",
                                         "organisation"]


def test_the_title_is_the_notation_and_the_subject(issued):
    _setup, document, data = issued
    title = PdfReader(io.BytesIO(data)).metadata.title
    assert title == f"{document.notation} {document.subject}"
    _all_valid_with_form_filling_at_most(data)


def test_stamps_overlap_only_where_the_seal_covers_the_signers_left_third(issued):
    _setup, _document, data = issued
    fields = widgets(data)
    signer, seal = fields["signer"]["rect"], fields["organisation"]["rect"]
    width = signer[2] - signer[0]
    assert seal[0] < signer[0] and abs((seal[2] - signer[0]) - width / 3) < 2  # a third
    page = fields["signer"]["page"]
    own = {name: stamp_chars(data, name) for name in fields if fields[name]["page"] == page}
    assert own["signer"] and own["organisation"]
    page_chars = page_text_chars(data, page)
    for name, rect in ((n, fields[n]["rect"]) for n in own):
        others = page_chars + [c for other, chars in own.items() if other != name
                               for c in chars]
        crossing = [c["text"] for c in others if intersects(c, rect)]
        assert not crossing, (name, "".join(crossing))


def test_stamps_are_readable_and_say_the_time_with_its_zone(issued):
    _setup, _document, data = issued
    for name in ("initial-unit", "initial-office", "signer", "organisation"):
        chars = stamp_chars(data, name)
        assert chars and min(c["size"] for c in chars) >= 7.5, name
        assert ZONED_TIME.search(stamp_text(data, name)), stamp_text(data, name)


def test_a_reply_without_initials_has_no_empty_signature_fields(make, run_jobs):
    from portal.deliveries import services as deliveries
    from portal.deliveries.models import Delivery

    setup = Chain(make)
    with action():
        documents.issue_document(setup.document, actor=setup.clerk)
    run_jobs()
    delivery = db.session.scalar(select(Delivery).where(Delivery.recipient_id == setup.a.id))
    with action():
        deliveries.acknowledge_delivery(delivery, actor=setup.a_clerk)
    with action():
        reply = replies.answer_delivery(delivery, actor=setup.a_leader, body="Đã thực hiện.")
    run_jobs()
    data = read_bytes(db.session.get(Document, reply.id).pdf_file)
    signature_fields = {n: f for n, f in widgets(data).items() if f["type"] == "/Sig"}
    assert sorted(signature_fields) == ["organisation", "signer"]
    assert all(f["value"] is not None for f in signature_fields.values())
    _all_valid_with_form_filling_at_most(data)

