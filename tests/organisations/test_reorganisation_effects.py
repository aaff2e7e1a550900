"""What a reorganisation's events do: a merge moves the people, passes the open documents,
retires the keys and closes the register (as the plan said it would); a rename re-issues a
development seal under the new name; the ministry's code follows its name for documents
issued since, never for those issued before."""

from datetime import date

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.documents import services as documents
from portal.documents.models import NumberRegister
from portal.extensions import db
from portal.organisations import reorganisation
from portal.organisations.merging import take_effect, undo_merge
from portal.signing import keys
from portal.signing.models import SigningIdentity
from portal.transaction import action
from tests.organisations.test_merging import Provinces

HEADER = "effective_on,event,organisation,result,basis,certainty\n"
MERGE = HEADER + ("2025-07-01,merge,Sở Tài nguyên và Môi trường Hà Giang,"
                  "Sở Tài nguyên và Môi trường Tuyên Quang,NQ 202/2025/QH15,sure\n")


def _apply(text, actor=None):
    with action():
        plan = reorganisation.apply_reorganisation(reorganisation.read_events(text), actor=actor)
    db.session.expire_all()
    return plan


def _subject(identity, oid):
    certificate = x509.load_der_x509_certificate(identity.certificate)
    return certificate.subject.get_attributes_for_oid(oid)[0].value


@pytest.fixture
def provinces(make):
    p = Provinces(make)
    with action():
        keys.init_development_pki()
    return p


def test_a_merge_moves_people_passes_documents_retires_keys_closes_registers(provinces):
    p = provinces
    seal = keys.organisation_identity(p.hg.id)
    registers = db.session.scalars(select(NumberRegister.year).where(
        NumberRegister.organisation_id == p.hg.id)).all()
    assert registers  # Hà Giang answered a document: its register has a year
    planned = reorganisation.plan_reorganisation(reorganisation.read_events(MERGE)).events[0]
    db.session.rollback()

    step = _apply(MERGE, actor=p.admin).events[0]

    assert (step.people, step.deliveries, step.keys_retired, step.registers_closed) == (
        planned.people, planned.deliveries, planned.keys_retired, planned.registers_closed)
    assert (step.people, step.deliveries, step.keys_retired) == (2, 1, 1)
    assert step.registers_closed == len(registers)
    assert db.session.get(User, p.hg_clerk.id).organisation_id == p.tq.id
    assert db.session.get(User, p.hg_leader.id).organisation_id == p.tq.id
    assert p.open.recipient_id == p.tq.id and p.open.addressed_to_id == p.hg.id
    assert p.answered.recipient_id == p.hg.id  # closed work stays in its history
    assert db.session.get(SigningIdentity, seal.id).retired_on == date(2025, 7, 1)
    assert keys.organisation_identity(p.hg.id) is None
    assert keys.owner_organisation(seal.certificate).id == p.hg.id  # still verifies
    assert all(r.closed_on == date(2025, 7, 1) for r in db.session.scalars(
        select(NumberRegister).where(NumberRegister.organisation_id == p.hg.id)))
    merged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.merged"))
    assert merged.details["basis"] == "NQ 202/2025/QH15" and merged.actor_id == p.admin.id
    took = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.merge_took_effect"))
    assert sorted(took.details["people"]) == sorted([p.hg_clerk.id, p.hg_leader.id])


def test_nothing_is_numbered_in_a_merged_organisation_s_name(provinces, make):
    p = provinces
    draft = make.document(p.hg_clerk, [p.ministry], issue=False)
    with action():
        p.hg.successor, p.hg.merged_on = p.tq, date(2025, 7, 1)  # entered, not applied yet
    with pytest.raises(documents.DocumentError, match="sổ đăng ký văn bản của cơ quan này đã "
                                                      "đóng"), action():
        documents.issue_document(draft, actor=p.hg_clerk)
    db.session.expire_all()
    assert draft.number is None and draft.state == "draft"
    # Its people, moved, issue under the successor's code and register.
    with action():
        take_effect(p.hg)
    db.session.expire_all()
    issued = make.document(db.session.get(User, p.hg_clerk.id), [p.ministry])
    assert issued.issuer_id == p.tq.id and issued.notation == f"{issued.number}/TQU"


def test_undoing_a_merge_gives_the_people_and_keys_back(provinces):
    p = provinces
    seal = keys.organisation_identity(p.hg.id)
    _apply(MERGE, actor=p.admin)
    with action():
        undo_merge(p.hg, actor=p.admin)
    db.session.expire_all()
    assert db.session.get(User, p.hg_clerk.id).organisation_id == p.hg.id
    assert keys.organisation_identity(p.hg.id).id == seal.id
    assert db.session.scalar(select(NumberRegister.closed_on).where(
        NumberRegister.organisation_id == p.hg.id)) is None
    undone = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.merge_undone"))
    assert sorted(undone.details["people_back"]) == sorted([p.hg_clerk.id, p.hg_leader.id])


def test_a_rename_issues_the_development_seal_again_under_the_new_name(provinces):
    p = provinces
    old = keys.organisation_identity(p.tq.id)
    step = _apply(HEADER + "2025-03-01,rename,Sở Tài nguyên và Môi trường Tuyên Quang,"
                  "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang,NĐ 45,sure\n").events[0]
    assert step.keys_reissued == 1
    new = keys.organisation_identity(p.tq.id)
    assert new.id != old.id and new.source == "development"
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        assert _subject(new, oid) == "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang"
    assert db.session.get(SigningIdentity, old.id).retired_on == date(2025, 3, 1)
    assert keys.owner_organisation(old.certificate).id == p.tq.id


def test_an_imported_seal_is_not_reissued_and_the_plan_says_so(provinces):
    p = provinces
    key = keys.organisation_identity(p.tq.id)
    with action():
        key.source = "imported"
    plan = reorganisation.plan_reorganisation(reorganisation.read_events(
        HEADER + "2025-03-01,rename,Sở Tài nguyên và Môi trường Tuyên Quang,Sở mới,,\n"))
    assert plan.events[0].keys_reissued == 0
    assert "nhập lại một khóa theo tên mới" in reorganisation.outcome(plan.events[0])[-1]


def test_the_ministry_s_code_follows_its_name_for_documents_issued_since(provinces, make):
    p = provinces
    before = make.document(p.clerk, [p.tq])
    _apply(HEADER + "2025-03-01,rename,Bộ Tài nguyên và Môi trường,"
           "Bộ Nông nghiệp và Môi trường,NQ 176/2025/QH15,sure\n")
    since = make.document(db.session.get(User, p.clerk.id), [p.tq])
    db.session.refresh(before)
    assert before.notation == f"{before.number}/BTNMT-VP"  # stored notations never change
    assert since.notation == f"{since.number}/BNNMT-VP" and since.number == before.number + 1
    ministry = db.session.get(type(p.ministry), p.ministry.id)
    assert (ministry.code, ministry.code_on(date(2025, 2, 28))) == ("BNNMT", "BTNMT")
    renamed = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.renamed"))
    assert (renamed.details["code_from"], renamed.details["code_to"]) == ("BTNMT", "BNNMT")


def test_a_notation_written_for_a_past_day_uses_that_day_s_codes(provinces):
    from portal.documents.numbering import notation_for

    p = provinces
    _apply(HEADER + "2025-03-01,rename,Bộ Tài nguyên và Môi trường,"
           "Bộ Nông nghiệp và Môi trường,,\n")
    office = db.session.get(type(p.office), p.office.id)
    assert notation_for(7, "cong_van", office, on=date(2025, 2, 28)) == "7/BTNMT-VP"
    assert notation_for(7, "cong_van", office, on=date(2025, 3, 1)) == "7/BNNMT-VP"
    assert notation_for(7, "cong_van", office) == "7/BNNMT-VP"


def test_a_merge_ahead_of_its_day_moves_its_work_on_that_day(provinces, runner):
    from portal.clock import local_today

    p = provinces
    day = date(local_today().year + 1, 1, 1)
    ahead = MERGE.replace("2025-07-01", day.isoformat())
    step = _apply(ahead).events[0]
    assert not step.takes_effect and (step.people, step.deliveries) == (2, 1)
    assert "vào ngày đó" in " ".join(reorganisation.outcome(step))
    assert db.session.get(User, p.hg_clerk.id).organisation_id == p.hg.id  # not yet
    assert keys.organisation_identity(p.hg.id) is not None
    with action():
        p.hg.merged_on = local_today()  # the day has come
    result = runner.invoke(args=["organisations", "apply-merges"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, p.hg_clerk.id).organisation_id == p.tq.id
    assert keys.organisation_identity(p.hg.id) is None and p.open.recipient_id == p.tq.id


def test_the_audit_trail_names_what_a_merge_moved(provinces, client, auth):
    p = provinces
    _apply(MERGE, actor=p.admin)
    auth.login(p.admin.email)
    page = client.get("/audit/?action=organisation.merge_took_effect").get_data(as_text=True)
    assert "Sáp nhập có hiệu lực (người, khóa, sổ đăng ký)" in page
    assert "Người chuyển sang cơ quan kế thừa" in page and p.hg_clerk.full_name in page
    merged = client.get("/audit/?action=organisation.merged").get_data(as_text=True)
    assert "Căn cứ pháp lý" in merged and "NQ 202/2025/QH15" in merged
