"""Numbers per organisation per year, from 1, without gap or duplicate, also concurrently."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.documents import services
from portal.documents.models import Document
from portal.documents.numbering import (
    NotationFormatError,
    check_format,
    next_number,
    notation_for,
)
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.transaction import action


def test_numbers_start_at_one_and_follow_per_organisation(app, make):
    ministry = make.ministry()
    office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                               parent=ministry)
    department = make.organisation(code="HCM")
    office_clerk, department_clerk = make.user(office, "clerk"), make.user(department, "clerk")
    first = make.document(office_clerk, [department])
    second = make.document(office_clerk, [department], doc_type="quyet_dinh")
    own = make.document(department_clerk, [office])
    assert (first.number, second.number, own.number) == (1, 2, 1)
    assert first.notation == "1/BTNMT-VP"
    assert second.notation == "2/QĐ-BTNMT-VP"
    assert own.notation == "1/HCM"


def test_each_year_starts_again_at_one(app, make):
    organisation = make.organisation()
    assert [next_number(organisation.id, 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number(organisation.id, 2027) == 1
    db.session.rollback()


def test_a_failed_issue_gives_its_number_back(app, make):
    organisation = make.organisation()
    next_number(organisation.id, 2026)
    db.session.rollback()
    assert next_number(organisation.id, 2026) == 1
    db.session.rollback()


def test_notation_of_a_department_report():
    department = Organisation(code="HNI", name="Sở", kind="department")
    assert notation_for(7, "bao_cao", department) == "7/BC-HNI"


def test_concurrent_clerks_get_every_number_once(app, make):
    """8 workers issue at the same moment, each in its own connection and transaction."""
    ministry = make.ministry()
    department = make.organisation()
    clerks = [make.user(ministry, "clerk") for _ in range(8)]
    drafts = {clerk.id: [make.document(clerk, [department], issue=False).id for _ in range(5)]
              for clerk in clerks}
    _issue_at_once(app, drafts)
    numbers = sorted(db.session.scalars(select(Document.number)
                                        .where(Document.issuer_id == ministry.id)))
    assert numbers == list(range(1, 41))


def test_units_issuing_at_once_in_the_ministrys_name_share_its_register_without_gaps(app,
                                                                                   make):
    """Clerks of the ministry and of two units issue at the same moment, all in the
    ministry's name: one register, every number once; each unit named in its notations."""
    ministry = make.ministry()
    units = [make.organisation(kind="ministry_unit", code=code, name=name, parent=ministry)
             for code, name in (("VP", "Văn phòng Bộ"), ("CDS", "Cục Chuyển đổi số"))]
    department = make.organisation()
    clerks = [make.user(organisation, "clerk") for organisation in (ministry, *units, *units)]
    drafts = {clerk.id: [make.document(clerk, [department], issue=False).id for _ in range(4)]
              for clerk in clerks}
    _issue_at_once(app, drafts)
    issued = db.session.execute(select(Document.number, Document.notation, Document.issuer_id)
                                .where(Document.authority_id == ministry.id)).all()
    assert sorted(number for number, _notation, _issuer in issued) == list(range(1, 21))
    codes = {organisation.id: organisation.code for organisation in (ministry, *units)}
    for number, notation, issuer_id in issued:
        expected = f"{number}/BTNMT" if issuer_id == ministry.id else \
            f"{number}/BTNMT-{codes[issuer_id]}"
        assert notation == expected


def test_one_draft_cannot_be_issued_twice_even_by_two_clerks_at_once(app, make):
    ministry = make.ministry()
    department = make.organisation()
    clerks = [make.user(ministry, "clerk"), make.user(ministry, "clerk")]
    document_id = make.document(clerks[0], [department], issue=False).id
    start = threading.Barrier(2)

    def issue(clerk_id):
        with app.app_context():
            clerk = db.session.get(User, clerk_id)
            document = db.session.get(Document, document_id)
            start.wait()
            try:
                with action():
                    services.issue_document(document, actor=clerk)
                return "issued"
            except services.DocumentError as error:
                return str(error)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(issue, [c.id for c in clerks]))
    assert outcomes.count("issued") == 1
    db.session.expire_all()
    assert db.session.get(Document, document_id).number == 1
    assert next_number(ministry.id, db.session.get(Document, document_id).year) == 2
    db.session.rollback()


def test_an_organisation_writes_notations_in_its_own_format(app, make):
    from portal.organisations.services import set_notation_formats

    department = make.organisation(code="HCM")
    clerk = make.user(department, "clerk")
    with action():
        set_notation_formats(department, "{number}/STNMT-VP", "{number}/{type}-STNMT", actor=clerk)
    office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng",
                               parent=make.ministry())
    letter = make.document(clerk, [office])
    decision = make.document(clerk, [office], doc_type="quyet_dinh")
    assert (letter.notation, decision.notation) == ("1/STNMT-VP", "2/QĐ-STNMT")
    with action():
        set_notation_formats(department, "", "  ", actor=clerk)  # back to Decree 30's default
    assert department.notation_format is None
    assert make.document(clerk, [office]).notation == "3/HCM"


@pytest.mark.parametrize(("text", "for_letters", "problem"), [
    ("STNMT-{number}", True, "{number}/"),
    ("{number}/{type}-STNMT", True, "không có chữ viết tắt"),
    ("{number}/STNMT", False, "{type}"),
    ("{number}/{number}-{type}", False, "đúng một lần"),
    ("{number}/{year}-{type}", False, "Chỉ dùng"),
    ("{number}/{type!r}", False, "Chỉ dùng"),
    ("{number}/{type:>9}", False, "Chỉ dùng"),
    ("{number}/{type}-{parent}", False, "cấp trên"),
    ("{number}/{type}-S TN", False, "chữ, số"),
    ("{number}/{type}-<b>", False, "chữ, số"),
    ("{number}/{type", False, "ngoặc nhọn"),
    ("{number}/" + "X" * 60, True, "Tối đa"),
])
def test_unusable_formats_are_refused_with_the_reason(app, text, for_letters, problem):
    with pytest.raises(NotationFormatError, match=re.escape(problem)) as error:
        check_format(text, for_letters=for_letters, has_parent=False)
    assert error.value.for_letters is for_letters


def test_formats_decree_30_allows_are_accepted(app):
    check_format("{number}/{type}-{parent}-{code}", for_letters=False, has_parent=True)
    check_format("{number}/SNN&MT-VP.TH", for_letters=True, has_parent=False)
    check_format("{number}/UBND-ĐC", for_letters=True, has_parent=False)


def _issue_at_once(app, drafts: dict[int, list[int]]) -> None:
    """Each clerk (id → their drafts' ids) issues in a thread, connection and transaction of
    their own, all starting at the same moment."""
    start = threading.Barrier(len(drafts))

    def issue_all(clerk_id):
        with app.app_context():
            clerk = db.session.get(User, clerk_id)
            start.wait()
            for document_id in drafts[clerk_id]:
                with action():
                    services.issue_document(db.session.get(Document, document_id), actor=clerk)
            db.session.remove()

    with ThreadPoolExecutor(max_workers=len(drafts)) as pool:
        for future in [pool.submit(issue_all, clerk_id) for clerk_id in drafts]:
            future.result()
    db.session.expire_all()
