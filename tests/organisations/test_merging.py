"""A merge passes the merged organisation's open documents to its successor (history kept,
audited), the successor's people handle them, and the leaderboard counts each one once."""

from datetime import date

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.clock import local_today
from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery, DeliveryEvent, InboxTally, Status
from portal.extensions import db
from portal.jobs.runner import run_queued_here
from portal.leaderboard.counting import raw_counts
from portal.leaderboard.services import Period, leaderboard
from portal.leaderboard.tallies import tallied_counts
from portal.organisations import services as organisations
from portal.transaction import action
from tests.conftest import csrf_token_from


class Provinces:
    """Hà Giang (to be merged) and Tuyên Quang, with the ministry's clerk and their people."""

    def __init__(self, make):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.hg = make.organisation(code="HAG", name="Sở Tài nguyên và Môi trường Hà Giang")
        self.tq = make.organisation(code="TQU", name="Sở Tài nguyên và Môi trường Tuyên Quang")
        self.clerk = make.user(self.office, "clerk")
        self.admin = make.user(self.ministry, "admin")
        self.hg_clerk, self.hg_leader = make.user(self.hg, "clerk"), make.user(self.hg, "leader")
        self.tq_clerk, self.tq_leader = make.user(self.tq, "clerk"), make.user(self.tq, "leader")
        self.open_doc = make.document(self.clerk, [self.hg], due_working_days=5)
        self.both_doc = make.document(self.clerk, [self.hg, self.tq])
        self.answered_doc = make.document(self.clerk, [self.hg], due_working_days=5)
        answered = make.delivery(self.answered_doc, self.hg)
        with action():
            deliveries.acknowledge_delivery(answered, actor=self.hg_clerk)
        with action():
            replies.answer_delivery(answered, actor=self.hg_leader, body="Đã báo cáo.")
        run_queued_here()
        self.open = make.delivery(self.open_doc, self.hg)
        self.answered = answered

    def merge(self, effective_on=None):
        with action():
            organisations.merge_organisation(self.hg, self.tq, actor=self.admin,
                                             effective_on=effective_on or local_today())
        db.session.expire_all()


def _this_month():
    today = local_today()
    return Period(today.replace(day=1), today)


def test_open_deliveries_pass_to_the_successor_with_their_history(make):
    p = Provinces(make)
    history_before = [(e.action, e.to_status) for e in p.open.events]
    p.merge()
    assert p.open.recipient_id == p.tq.id and p.open.addressed_to_id == p.hg.id
    assert p.open.status == Status.RECEIVED
    events = [(e.action, e.to_status) for e in p.open.events]
    assert events[:len(history_before)] == history_before and events[-1] == ("passed_on", None)
    assert "Tuyên Quang" in p.open.events[-1].note
    # Closed ones stay where they were answered; a document both received stays twice.
    assert p.answered.recipient_id == p.hg.id and p.answered.addressed_to_id is None
    both = db.session.scalars(select(Delivery).where(
        Delivery.document_id == p.both_doc.id).order_by(Delivery.recipient_id)).all()
    assert [d.recipient_id for d in both] == sorted([p.hg.id, p.tq.id])
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.deliveries_passed_on"))
    assert audit.actor_id == p.admin.id and audit.details["passed_on"] == [p.open.id]
    assert audit.details["kept_received_by_both"] == [both[0].id if both[0].recipient_id
                                                      == p.hg.id else both[1].id]
    tallies = {t.recipient_id: t.received for t in db.session.scalars(select(InboxTally))}
    assert (tallies[p.hg.id], tallies[p.tq.id]) == (2, 2)


def test_the_successor_s_people_see_and_handle_a_passed_document(client, auth, make):
    p = Provinces(make)
    p.merge()
    auth.login(p.tq_clerk.email)
    inbox = client.get("/inbox/?tab=new").get_data(as_text=True)
    assert f'data-delivery="{p.open.id}"' in inbox
    page = client.get(f"/inbox/{p.open.id}").get_data(as_text=True)
    assert "Chuyển theo sáp nhập" in page
    assert "gửi Sở Tài nguyên và Môi trường Hà Giang, đơn vị đã sáp nhập vào đây" in page
    client.post(f"/inbox/{p.open.id}/acknowledge", data={"csrf_token": csrf_token_from(page)})
    db.session.refresh(p.open)
    assert p.open.status == Status.ACKNOWLEDGED
    assert p.open.events[-1].actor_id == p.tq_clerk.id


def test_the_leaderboard_counts_a_passed_delivery_once_where_it_was_addressed(make):
    p = Provinces(make)
    period = _this_month()
    before_raw = raw_counts(period.first, period.last)
    before_row = {r.organisation.id: r.counts.copy() for r in leaderboard(period).rows}
    p.merge()
    assert raw_counts(period.first, period.last) == before_raw  # as the period stood
    assert tallied_counts(period.first, period.last) == before_raw
    board = leaderboard(period)
    assert [r.organisation.id for r in board.rows] == [p.tq.id]
    folded = {c: before_row[p.hg.id][c] + before_row[p.tq.id][c] for c in before_row[p.tq.id]}
    assert board.rows[0].counts == folded
    assert folded["interaction_received_from_ministry"] == 4  # 3 to Hà Giang, 1 to Tuyên Quang


def test_a_merge_taking_effect_later_passes_its_deliveries_on_that_day(make, runner):
    p = Provinces(make)
    p.merge(effective_on=date(local_today().year + 1, 1, 1))
    assert p.open.recipient_id == p.hg.id
    p.hg.merged_on = local_today()  # the day has come
    db.session.commit()
    result = runner.invoke(args=["organisations", "apply-merges"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert p.open.recipient_id == p.tq.id
    assert db.session.scalar(select(DeliveryEvent.action).where(
        DeliveryEvent.delivery_id == p.open.id).order_by(DeliveryEvent.id.desc())) == "passed_on"


# Confirming a merge, and undoing one made by mistake (issue 16, item 13).

def _admin_posts(client, auth, p, path, data):
    auth.login(p.admin.email)
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token_from(page), **data})


def test_merging_asks_for_confirmation_saying_what_will_happen(client, auth, make):
    p = Provinces(make)
    url = f"/organisations/{p.hg.id}/merge"
    first = _admin_posts(client, auth, p, url, {"successor_id": p.tq.id,
                                                  "effective_on": local_today().isoformat()})
    assert first.status_code == 200
    page = first.get_data(as_text=True)
    db.session.expire_all()
    assert p.hg.successor_id is None  # nothing yet
    assert "1 văn bản đang xử lý chuyển sang Sở Tài nguyên và Môi trường Tuyên Quang" in page
    confirm = client.post(url, data={"csrf_token": csrf_token_from(page),
                                     "successor_id": p.tq.id, "confirmed": "yes",
                                     "effective_on": local_today().isoformat()})
    assert confirm.status_code == 302
    db.session.expire_all()
    assert p.hg.successor_id == p.tq.id and p.open.recipient_id == p.tq.id


def test_a_merge_with_nothing_done_under_it_is_undone_and_audited(client, auth, make):
    p = Provinces(make)
    p.merge()
    response = _admin_posts(client, auth, p, f"/organisations/{p.hg.id}/unmerge", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert p.hg.successor_id is None and p.hg.merged_on is None
    assert p.open.recipient_id == p.hg.id and p.open.addressed_to_id is None
    assert p.open.events[-1].action == "passed_back"
    undone = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.merge_undone"))
    assert undone.actor_id == p.admin.id and undone.details["given_back"] == [p.open.id]
    tallies = {t.recipient_id: t.received for t in db.session.scalars(select(InboxTally))}
    assert (tallies[p.hg.id], tallies[p.tq.id]) == (3, 1)


def test_a_merge_is_not_undone_once_a_passed_document_was_handled(client, auth, make):
    p = Provinces(make)
    p.merge()
    with action():
        deliveries.acknowledge_delivery(p.open, actor=p.tq_clerk)
    response = _admin_posts(client, auth, p, f"/organisations/{p.hg.id}/unmerge", {})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Không thể hủy sáp nhập nữa" in page
    db.session.expire_all()
    assert p.hg.successor_id == p.tq.id and p.open.recipient_id == p.tq.id


def test_a_merge_is_not_undone_once_mail_for_the_merged_one_reached_the_successor(make):
    from portal.organisations.merging import MergeError, undo_merge

    p = Provinces(make)
    p.merge()
    make.document(p.clerk, [p.hg])
    db.session.expire_all()
    try:
        with action():
            undo_merge(p.hg, actor=p.admin)
    except MergeError as error:
        assert "kể từ khi sáp nhập đã đến" in str(error) or "since the merge" in str(error)
    else:
        raise AssertionError("the undo should have been refused")
    db.session.expire_all()
    assert p.hg.successor_id == p.tq.id
