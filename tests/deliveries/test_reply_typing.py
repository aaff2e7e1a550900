"""The reply's text travels with "Attach PDF": kept with the file, and kept without one."""

import io

from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.transaction import action
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf


def _drafting(make, auth):
    exchange = Exchange(make)
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
        deliveries.assign_delivery(exchange.delivery, actor=exchange.a_leader,
                                   assignee=exchange.a_specialist)
    auth.login(exchange.a_specialist.email)
    return exchange, auth.csrf_token(f"/inbox/{exchange.delivery.id}")


def test_attaching_saves_the_text_sent_with_the_file_in_the_same_step(client, auth, make):
    exchange, token = _drafting(make, auth)
    url = f"/inbox/{exchange.delivery.id}/reply/attachments"
    response = client.post(url, data={"csrf_token": token, "body": "Gõ ngay trước khi đính kèm",
                                      "file": (io.BytesIO(blank_pdf()), "tra-loi.pdf")},
                           follow_redirects=True)
    assert "Đã đính kèm PDF" in response.get_data(as_text=True)
    reply = replies.reply_of(exchange.delivery)
    assert reply.body == "Gõ ngay trước khi đính kèm"
    assert [a.filename for a in reply.attachments] == ["tra-loi.pdf"]


def test_attach_without_a_file_still_keeps_the_text_and_asks_for_the_file(client, auth, make):
    exchange, token = _drafting(make, auth)
    url = f"/inbox/{exchange.delivery.id}/reply/attachments"
    page = client.post(url, data={"csrf_token": token, "body": "Chưa chọn tệp"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Hãy chọn một tệp PDF để đính kèm." in page and "Chưa chọn tệp" in page
    assert replies.reply_of(exchange.delivery).body == "Chưa chọn tệp"


def test_the_autosave_answer_marks_saved_only_what_was_kept(client, auth, make):
    exchange, token = _drafting(make, auth)
    url = f"/inbox/{exchange.delivery.id}/reply"
    saved = client.post(url, data={"csrf_token": token, "body": "Lần 1"},
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "data-saved" in saved and "Đã lưu dự thảo lúc" in saved
    with action():  # submitted from another tab meanwhile: the draft is with the leader
        replies.submit_reply(exchange.delivery, actor=exchange.a_specialist)
    refused = client.post(url, data={"csrf_token": token, "body": "Lần 2"},
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "data-saved" not in refused and "Đã lưu" not in refused
    assert replies.reply_of(exchange.delivery).body == "Lần 1"
