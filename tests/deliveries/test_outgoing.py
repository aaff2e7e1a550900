"""Văn bản đi: an organisation's outgoing documents include the replies it sent, and the
sender's tracking page links a reply's number to the reply (for those who may read it)."""

import re

from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.extensions import db
from portal.jobs.runner import run_queued_here
from portal.transaction import action


def _reply(exchange):
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    with action():
        reply = replies.answer_delivery(exchange.delivery, actor=exchange.a_leader,
                                        body="Sở An Giang xin báo cáo như sau.")
    run_queued_here()
    db.session.expire_all()
    return reply


def test_the_reply_is_in_the_department_s_outgoing_list(client, auth, exchange):
    reply = _reply(exchange)
    auth.login(exchange.a_clerk.email)
    page = client.get("/documents/").get_data(as_text=True)
    assert reply.notation in page
    assert f'href="/documents/{reply.id}"' in page
    assert "Chưa có văn bản nào" not in page
    assert client.get(f"/documents/{reply.id}").status_code == 200


def test_outgoing_list_runs_in_order_with_the_reply_between(client, auth, make, exchange):
    before = make.document(exchange.a_clerk, [exchange.ministry])
    reply = _reply(exchange)
    after = make.document(exchange.a_clerk, [exchange.ministry])
    auth.login(exchange.a_clerk.email)
    page = client.get("/documents/").get_data(as_text=True)
    found = [n for n in re.findall(r">(\d+/[^<]+)</a>", page)]
    assert found == [after.notation, reply.notation, before.notation]


def test_the_reply_s_number_on_the_tracking_page_links_to_it(client, auth, exchange):
    reply = _reply(exchange)
    auth.login(exchange.ministry_clerk.email)
    page = client.get(f"/documents/{exchange.document.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" class="reply-link">([^<]+)</a>', page)
    assert link and link.group(2) == reply.notation
    opened = client.get(link.group(1)).get_data(as_text=True)
    assert reply.notation in opened and "Sở An Giang xin báo cáo như sau." in opened


def test_who_may_not_read_the_reply_sees_its_number_without_a_link(client, auth, make,
                                                                    exchange):
    reply = _reply(exchange)
    reviewer = make.user(exchange.ministry, "reviewer")
    auth.login(reviewer.email)
    page = client.get(f"/documents/{exchange.document.id}").get_data(as_text=True)
    assert reply.notation in page
    assert 'class="reply-link"' not in page
