"""The axis simulator (`flask axis simulate`) as a real server, a stand-in portal as a real
HTTP receiver: it keeps, lists, forwards, tries again, refuses, and survives a restart."""

import json
import urllib.error

import pytest

from portal.interop import simulator
from tests.interop.simulated_axis import (
    SENDER_TOKEN,
    Receiver,
    RunningSimulator,
    document_xml,
    free_port,
    get,
    post,
    status_xml,
    wait_for,
)

MINISTRY, DEPARTMENT = "000.00.00.G22", "000.00.36.H63"
PORTAL_TOKEN = "axis-token-printed-by-portal-2"


def settings_for(routes, **kwargs):
    return simulator.Settings(**{"tokens": {SENDER_TOKEN}, "routes": routes,
                                 "retry_seconds": 0.1, **kwargs})


@pytest.fixture
def receiver():
    portal = Receiver()
    yield portal
    portal.stop()


@pytest.fixture
def running(tmp_path):
    started = []

    def start(routes, port=0, **kwargs):
        axis = RunningSimulator(tmp_path / "axis", settings_for(routes, **kwargs), port=port)
        started.append(axis)
        return axis
    yield start
    for axis in started:
        axis.stop()


def forwards_of(axis):
    return [forward for message in axis.store.messages() for forward in message["forwards"]]


def test_a_document_is_kept_answered_201_and_forwarded_to_the_recipients_portal(receiver,
                                                                               running):
    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)})
    message = document_xml()

    status, answer = post(axis.url + "/", message)

    assert status == 201 and answer["to"] == [DEPARTMENT]
    wait_for(lambda: receiver.received)
    sent = receiver.received[0]
    assert sent["path"] == "/api/v1/edxml"
    assert sent["body"] == message  # as received, byte for byte
    assert sent["headers"]["Authorization"] == f"Bearer {PORTAL_TOKEN}"
    assert sent["headers"]["Content-Type"] == "application/xml"
    wait_for(lambda: forwards_of(axis)[0]["state"] == "delivered")
    page = get(axis.url + "/")
    assert f"{MINISTRY}</code> → <code>{DEPARTMENT}" in page
    assert "000.00.00.G22,2026/11/30,3657/BNNMT-VP" in page
    assert "đã chuyển (HTTP 201)" in page
    assert get(f"{axis.url}/messages/{answer['id']}.xml").encode() == message


def test_a_message_goes_to_each_recipient_with_its_own_route(running):
    first, second = Receiver(), Receiver()
    try:
        axis = running({DEPARTMENT: simulator.Route(first.url, "t1"),
                        "000.00.12.H26": simulator.Route(second.url, "t2")})
        assert post(axis.url + "/messages",
                    document_xml(recipients=(DEPARTMENT, "000.00.12.H26")))[0] == 201
        wait_for(lambda: first.received and second.received)
        assert first.received[0]["headers"]["Authorization"] == "Bearer t1"
        assert second.received[0]["headers"]["Authorization"] == "Bearer t2"
    finally:
        first.stop()
        second.stop()


def test_a_status_message_goes_to_the_portal_of_the_document_it_answers(receiver, running):
    axis = running({MINISTRY: simulator.Route(receiver.url, PORTAL_TOKEN)})

    status, answer = post(axis.url + "/", status_xml(code="03"))

    assert status == 201 and answer["to"] == [MINISTRY]
    wait_for(lambda: receiver.received)
    page = get(axis.url + "/")
    assert "Thông điệp trạng thái" in page and "Trạng thái 03" in page


def test_it_tries_again_while_the_portal_is_down_and_delivers_once_it_is_up(running):
    port = free_port()
    axis = running({DEPARTMENT: simulator.Route(f"http://127.0.0.1:{port}", PORTAL_TOKEN)})
    assert post(axis.url + "/", document_xml())[0] == 201

    wait_for(lambda: forwards_of(axis)[0]["tries"] >= 2)
    forward = forwards_of(axis)[0]
    assert forward["state"] == "waiting" and forward["http_status"] is None
    assert "refused" in forward["reason"].lower()  # connection refused, shown on the page
    assert "đang chờ" in get(axis.url + "/")

    portal = Receiver(port=port)  # the portal comes up
    try:
        wait_for(lambda: forwards_of(axis)[0]["state"] == "delivered", timeout=15)
        assert len(portal.received) == 1  # delivered once, not once per try
    finally:
        portal.stop()


def test_a_portal_that_answers_500_is_tried_again(running):
    portal = Receiver(answers=[(500, {"error": "database down"})])
    try:
        axis = running({DEPARTMENT: simulator.Route(portal.url, PORTAL_TOKEN)})
        post(axis.url + "/", document_xml())
        wait_for(lambda: forwards_of(axis)[0]["state"] == "delivered")
        assert forwards_of(axis)[0]["tries"] == 2 and len(portal.received) == 2
    finally:
        portal.stop()


def test_a_portals_refusal_is_final_and_shown_with_its_reason(running):
    portal = Receiver(answers=[(400, {"error": "chữ ký không hợp lệ"})])
    try:
        axis = running({DEPARTMENT: simulator.Route(portal.url, PORTAL_TOKEN)})
        post(axis.url + "/", document_xml())
        wait_for(lambda: forwards_of(axis)[0]["state"] == "refused")
        forward = forwards_of(axis)[0]
        assert forward["tries"] == 1 and forward["http_status"] == 400
        assert "bị cổng từ chối (HTTP 400): chữ ký không hợp lệ" in get(axis.url + "/")
    finally:
        portal.stop()


def test_a_recipient_with_no_registered_portal_is_not_delivered_and_says_why(running):
    axis = running({})
    post(axis.url + "/", document_xml(recipients=("000.00.99.H99",)))
    wait_for(lambda: forwards_of(axis)[0]["state"] == "unrouted")
    assert "000.00.99.H99</code>: chưa đăng ký cổng nào cho mã định danh này" in get(axis.url + "/")


def test_a_restart_with_the_missing_route_forwards_what_found_no_portal(tmp_path, receiver):
    axis = RunningSimulator(tmp_path / "axis", settings_for({}))
    try:
        post(axis.url + "/", document_xml())
        wait_for(lambda: forwards_of(axis)[0]["state"] == "unrouted")
    finally:
        axis.stop()
    again = RunningSimulator(tmp_path / "axis", settings_for(
        {DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)}))
    try:
        wait_for(lambda: forwards_of(again)[0]["state"] == "delivered")
        assert len(receiver.received) == 1
    finally:
        again.stop()


def test_the_portals_own_writer_is_routed_by_its_header(receiver, running):
    from portal.interop.edxml.writer import package_bytes, status_bytes
    from tests.interop.edxml.messages import full_package, full_status

    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)})
    package, status = full_package(), full_status()
    for message in (package_bytes(package), status_bytes(status)):
        assert post(axis.url + "/", message)[0] == 201
    [status_row, package_row] = axis.store.messages()
    assert package_row["to_organ_ids"] == [o.organ_id for o in package.recipients]
    assert package_row["document_id"] == package.document_id
    assert status_row["status_code"] == status.status_code
    assert status_row["to_organ_ids"] == [status.recipients[0].organ_id if status.recipients
                                          else status.response_for.organ_id]


def test_it_gives_up_after_its_tries_and_says_why(running):
    axis = running({DEPARTMENT: simulator.Route(f"http://127.0.0.1:{free_port()}", "t")},
                   max_tries=2)
    post(axis.url + "/", document_xml())
    wait_for(lambda: forwards_of(axis)[0]["state"] == "failed")
    assert forwards_of(axis)[0]["tries"] == 2
    assert "không chuyển được" in get(axis.url + "/")


@pytest.mark.parametrize("token", ["", "not-a-sender-token", "sender-tôken"])
def test_an_unknown_token_is_refused_with_401_and_nothing_kept(receiver, running, token):
    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)})
    assert post(axis.url + "/", document_xml(), token=token)[0] == 401
    assert axis.store.messages() == [] and list(axis.store.xml_dir.iterdir()) == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
<MessageHeader><From><OrganId>&c;</OrganId></From><To><OrganId>000.00.36.H63</OrganId></To>
</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
<MessageHeader><From><OrganId>&x;</OrganId></From><To><OrganId>000.00.36.H63</OrganId></To>
</MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"""


@pytest.mark.parametrize("body, reason", [
    (b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><edXMLEnvelope>", "well-formed"),
    (document_xml().replace(b"QCVN_102_2016", b"QCVN_999"), "namespace"),
    (document_xml().replace(b"<edXML:From>", b"<edXML:Sender>")
     .replace(b"</edXML:From>", b"</edXML:Sender>"), "From/OrganId"),
    (document_xml(recipients=()), "no To"),
    (BILLION_LAUGHS, "DTD"),
    (XXE, "DTD"),
    (b"just text", "no markup"),
    (b"", "empty"),
])
def test_a_message_it_cannot_read_is_refused_with_400_and_kept_nowhere(receiver, running,
                                                                       body, reason):
    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)})
    status, answer = post(axis.url + "/", body)
    assert status == 400 and reason in answer["error"]
    assert axis.store.messages() == [] and list(axis.store.xml_dir.iterdir()) == []


def test_bytes_before_the_xml_declaration_are_passed_on_as_received(receiver, running):
    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)})
    message = b"\xef\xbb\xbf\r\n  " + document_xml()
    assert post(axis.url + "/", message)[0] == 201
    wait_for(lambda: receiver.received)
    assert receiver.received[0]["body"] == message


def test_a_message_over_the_size_limit_is_refused(receiver, running):
    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)}, max_bytes=2000)
    assert post(axis.url + "/", document_xml(subject="x" * 3000))[0] == 413
    assert axis.store.messages() == [] and list(axis.store.xml_dir.iterdir()) == []


def test_messages_are_kept_over_a_restart_and_waiting_ones_still_forwarded(tmp_path):
    port = free_port()
    routes = {DEPARTMENT: simulator.Route(f"http://127.0.0.1:{port}", PORTAL_TOKEN)}
    axis = RunningSimulator(tmp_path / "axis", settings_for(routes, retry_seconds=30))
    try:
        _status, answer = post(axis.url + "/", document_xml())
        wait_for(lambda: forwards_of(axis)[0]["tries"] == 1)  # the portal is down
    finally:
        axis.stop()

    portal = Receiver(port=port)
    again = RunningSimulator(tmp_path / "axis", settings_for(routes, retry_seconds=30))
    try:
        [message] = again.store.messages()
        assert message["id"] == answer["id"] and message["document_id"].startswith(MINISTRY)
        assert get(f"{again.url}/messages/{answer['id']}.xml").encode() == document_xml()
        # Its next try is 30 s away; a restart does not forget it, nor try it early.
        assert portal.received == []
        assert forwards_of(again)[0]["state"] == "waiting"
    finally:
        again.stop()
        portal.stop()


def test_a_waiting_message_is_forwarded_after_a_restart(tmp_path):
    port = free_port()
    routes = {DEPARTMENT: simulator.Route(f"http://127.0.0.1:{port}", PORTAL_TOKEN)}
    axis = RunningSimulator(tmp_path / "axis", settings_for(routes))
    try:
        post(axis.url + "/", document_xml())
        wait_for(lambda: forwards_of(axis)[0]["tries"] >= 1)
    finally:
        axis.stop()
    portal = Receiver(port=port)
    again = RunningSimulator(tmp_path / "axis", settings_for(routes))
    try:
        wait_for(lambda: forwards_of(again)[0]["state"] == "delivered")
        assert len(portal.received) == 1
    finally:
        again.stop()
        portal.stop()


def test_hostile_text_in_a_message_is_escaped_on_the_page(receiver, running):
    axis = running({DEPARTMENT: simulator.Route(receiver.url, PORTAL_TOKEN)})
    post(axis.url + "/", document_xml(document_id='<script>alert("x")</script>'))
    page = get(axis.url + "/")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_the_xml_of_an_unknown_message_is_404(running):
    axis = running({})
    for path in ("/messages/0123456789abcdef.xml", "/messages/..%2Faxis.db.xml"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(axis.url + path)
        assert refused.value.code == 404


@pytest.mark.parametrize("text", ["000.00.36.H63", "000.00.36.H63=http://x", "=http://x,t",
                                  "000.00.36.H63=file:///etc,t"])
def test_a_malformed_route_is_refused(text):
    with pytest.raises(ValueError):
        simulator.parse_route(text)


def test_routes_and_tokens_come_from_a_file(tmp_path):
    path = tmp_path / "routes.json"
    path.write_text(json.dumps({"tokens": ["a"], "routes": {
        DEPARTMENT: {"url": "http://127.0.0.1:5001/", "token": "t"}}}))
    routes, tokens = simulator.load_routes_file(path)
    assert tokens == {"a"} and routes[DEPARTMENT] == simulator.Route("http://127.0.0.1:5001", "t")


@pytest.mark.parametrize("args, said", [
    (["--token", "a", "--route", "000.00.36.H63"], "a route is ORGAN_ID=URL,TOKEN"),
    (["--route", "000.00.36.H63=http://127.0.0.1:5002,t"], "give at least one --token"),
])
def test_the_command_refuses_what_it_cannot_run_with(runner, args, said):
    result = runner.invoke(args=["axis", "simulate", "--port", "0", *args])
    assert result.exit_code == 2 and said in result.output


def test_the_command_refuses_a_routes_file_it_cannot_read(runner, tmp_path):
    path = tmp_path / "routes.json"
    path.write_text(json.dumps({"routes": {DEPARTMENT: {"url": "file:///etc", "token": "t"}}}))
    result = runner.invoke(args=["axis", "simulate", "--token", "a", "--routes", str(path)])
    assert result.exit_code == 2 and "http:// or https://" in result.output
