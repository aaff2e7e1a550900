"""The inbox: tabs with counts, filters, search without diacritics, keyset pages."""

from datetime import timedelta

from sqlalchemy import update

from portal.clock import local_today
from portal.deliveries import deadlines, inbox, services
from portal.deliveries.models import Delivery
from portal.extensions import db
from portal.transaction import action


def _page(organisation, **query):
    today = local_today()
    return inbox.inbox_page(organisation.id, inbox.InboxQuery(**query), today,
                            deadlines.due_soon_until(today), limit=query.pop("limit", 25)
                            if "limit" in query else 25)


def _counts(organisation, **query):
    today = local_today()
    return inbox.tab_counts(organisation.id, inbox.InboxQuery(**query), today,
                            deadlines.due_soon_until(today))


def _set_due(delivery, due_on):
    db.session.execute(update(Delivery).where(Delivery.id == delivery.id).values(due_on=due_on))
    db.session.commit()


def test_tabs_and_counts_follow_state_and_deadline(exchange, make):
    today = local_today()
    overdue = make.delivery(make.document(exchange.ministry_clerk, [exchange.a]), exchange.a)
    _set_due(overdue, today - timedelta(days=1))
    soon = make.delivery(make.document(exchange.ministry_clerk, [exchange.a]), exchange.a)
    _set_due(soon, today)
    later = make.delivery(make.document(exchange.ministry_clerk, [exchange.a]), exchange.a)
    _set_due(later, today + timedelta(days=60))
    with action():
        services.acknowledge_delivery(later, actor=exchange.a_clerk)
    counts = _counts(exchange.a)
    assert counts["new"] == 3  # the exchange's document, overdue, soon
    assert counts["in_progress"] == 1
    assert counts["overdue"] == 1
    assert counts["due_soon"] >= 1  # soon; the 3-working-day one too when it falls within 2
    assert counts["all"] == 4
    rows, _next = _page(exchange.a, tab="overdue")
    assert [d.id for d in rows] == [overdue.id]
    assert soon.id in [d.id for d in _page(exchange.a, tab="due_soon")[0]]
    assert counts == {tab: len(_page(exchange.a, tab=tab)[0]) for tab in inbox.TABS}


def test_inbox_holds_only_the_organisations_own_deliveries(exchange):
    rows, _next = _page(exchange.b, tab="all")
    assert [d.recipient_id for d in rows] == [exchange.b.id]


def test_search_by_subject_words_with_or_without_diacritics_and_by_number(exchange, make):
    make.document(exchange.ministry_clerk, [exchange.a], subject="Về việc quản lý đất đai")
    make.document(exchange.ministry_clerk, [exchange.a], subject="Về việc khoáng sản")
    for q in ("đất đai", "dat dai", "DAT", "quan ly dat"):
        rows, _next = _page(exchange.a, tab="all", q=q)
        assert [d.document.subject for d in rows] == ["Về việc quản lý đất đai"], q
    rows, _next = _page(exchange.a, tab="all", q=exchange.document.notation)
    assert [d.document_id for d in rows] == [exchange.document.id]
    assert _page(exchange.a, tab="all", q="100%_")[0] == []


def test_filters_by_sender_type_and_urgency(exchange, make):
    make.document(exchange.ministry_clerk, [exchange.a], doc_type="giay_moi", urgency="flash")
    b_clerk = make.user(exchange.b, "clerk")
    from_b = make.document(b_clerk, [exchange.a])
    assert [d.document_id for d in _page(exchange.a, tab="all", sender_id=exchange.b.id)[0]] \
        == [from_b.id]
    assert [d.document.doc_type for d in _page(exchange.a, tab="all", doc_type="giay_moi")[0]] \
        == ["giay_moi"]
    assert len(_page(exchange.a, tab="all", urgency="flash")[0]) == 1
    assert _counts(exchange.a, sender_id=exchange.b.id)["all"] == 1


def test_keyset_pages_cover_everything_once_in_every_sort(exchange, make):
    for n in range(11):
        make.document(exchange.ministry_clerk, [exchange.a],
                      due_working_days=(n % 4) + 1 if n % 3 else None)
    for sort in inbox.SORTS:
        seen, cursor = [], None
        while True:
            today = local_today()
            rows, cursor = inbox.inbox_page(
                exchange.a.id, inbox.InboxQuery(tab="all", sort=sort, after=cursor), today,
                deadlines.due_soon_until(today), limit=4)
            seen += [d.id for d in rows]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 12, sort
        if sort == "deadline":
            dues = [db.session.get(Delivery, i).due_on for i in seen]
            dated = [d for d in dues if d is not None]
            assert dated == sorted(dated) and dues[len(dated):] == [None] * (12 - len(dated))


def test_inbox_page_and_fragment(client, auth, exchange):
    auth.login(exchange.a_clerk.email)
    page = client.get("/inbox/?tab=new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert exchange.document.notation in html and "<html" in html
    fragment = client.get("/inbox/?tab=new&q=khong+co+gi", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert exchange.document.notation not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers.get("Vary", "")
    # A cursor not made by the portal starts again from the top instead of failing.
    assert client.get("/inbox/?after=garbage").status_code == 200


def _history_of_every_kind(exchange, make):
    """Deliveries to A that end done, refused, recalled, recall refused, and still open."""
    from portal.deliveries import replies
    from portal.documents import services as documents

    replied = make.delivery(make.document(exchange.ministry_clerk, [exchange.a]), exchange.a)
    with action():
        services.acknowledge_delivery(replied, actor=exchange.a_clerk)
    with action():
        replies.answer_delivery(replied, actor=exchange.a_leader, body="Báo cáo như sau.")
    refused = make.delivery(make.document(exchange.ministry_clerk, [exchange.a]), exchange.a)
    with action():
        services.refuse_delivery(refused, actor=exchange.a_clerk, reason="Gửi nhầm")
    for agree in (True, False):
        document = make.document(exchange.ministry_clerk, [exchange.a])
        with action():
            documents.recall_document(document, actor=exchange.ministry_clerk)
        with action():
            services.answer_recall(make.delivery(document, exchange.a), actor=exchange.a_clerk,
                                   agree=agree)
    overdue = make.delivery(make.document(exchange.ministry_clerk, [exchange.a]), exchange.a)
    _set_due(overdue, local_today() - timedelta(days=3))


def test_kept_tallies_give_the_counts_a_full_recount_gives(exchange, make):
    _history_of_every_kind(exchange, make)
    counts = _counts(exchange.a)
    # A date filter that admits everything takes the counting path that reads every row.
    assert counts == _counts(exchange.a, date_from=local_today() - timedelta(days=365))
    assert counts == {tab: len(_page(exchange.a, tab=tab)[0]) for tab in inbox.TABS}
    assert counts["done"] == 3 and counts["all"] == 6
    inbox.rebuild_tallies()
    db.session.commit()
    assert _counts(exchange.a) == counts


def test_every_state_is_either_open_or_closed():
    from portal.deliveries.models import CLOSED_STATUSES, OPEN_STATUSES, Status

    assert not set(OPEN_STATUSES) & set(CLOSED_STATUSES)
    assert set(OPEN_STATUSES) | set(CLOSED_STATUSES) == set(Status)
