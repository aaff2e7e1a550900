"""The axis simulator and a stand-in portal as real HTTP servers on 127.0.0.1, and edXML
messages written by hand in the shapes of ../shared/EDXML.md (for the simulator's own tests;
the end-to-end test uses the portal's writer)."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from werkzeug.serving import make_server

from portal.interop import simulator

SENDER_TOKEN = "sender-token-of-portal-1"


def post(url, body, token=SENDER_TOKEN, content_type="application/xml"):
    """POST a message as a sender does; (status, the JSON answer)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": content_type, "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def get(url):
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310  (http://127.0.0.1)
        return answer.read().decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=10.0, every=0.05):
    """Poll until condition() is true (its value), or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    raise AssertionError(f"not so after {timeout} s: {condition.__doc__ or condition}")


class RunningSimulator:
    """The simulator served on a free port, its forwarder running."""

    def __init__(self, data_dir, settings: simulator.Settings, port=0):
        self.app, self.forwarder = simulator.create_simulator(data_dir, settings)
        self.store = self.app.extensions["axis_simulator"][0]
        self.server = simulator.serve(self.app, self.forwarder, "127.0.0.1", port)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.forwarder.stop()
        self.forwarder.join(timeout=5)
        self.thread.join(timeout=5)


class Receiver:
    """A stand-in for a portal's POST /api/v1/edxml: keeps what it is sent, answers as told."""

    def __init__(self, port=0, answers=None):
        self.received: list[dict] = []
        self.answers = list(answers or [])  # (status, body) given in turn; then 201
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"path": self.path, "body": body,
                                          "headers": dict(self.headers)})
                status, answer = receiver.answers.pop(0) if receiver.answers \
                    else (201, {"created": 1})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_wsgi(app):
    """A WSGI app (a portal) served for real on a free port, in a thread: (url, stop)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return f"http://127.0.0.1:{server.server_port}", stop


def _organ(tag, organ_id, name):
    return (f"<edXML:{tag}><edXML:OrganId>{escape(organ_id)}</edXML:OrganId>"
            f"<edXML:OrganName>{escape(name)}</edXML:OrganName></edXML:{tag}>")


def document_xml(sender="000.00.00.G22", recipients=("000.00.36.H63",),
                 document_id="000.00.00.G22,2026/11/30,3657/BNNMT-VP", subject="V/v thử",
                 doc_type=0) -> bytes:
    """A document package, hand-written as public samples have it (an empty ResponseFor,
    several To blocks, dates as yyyy/MM/dd, a ZIP-typed attachment)."""
    to = "".join(_organ("To", organ_id, "Sở Nông nghiệp và Môi trường") for organ_id in recipients)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"
       xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope>
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    {_organ("From", sender, "Bộ Nông nghiệp và Môi trường")}
    {to}
    <edXML:Code><edXML:CodeNumber>3657</edXML:CodeNumber>
     <edXML:CodeNotation>BNNMT-VP</edXML:CodeNotation></edXML:Code>
    <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>
     <edXML:PromulgationDate>2026/11/30</edXML:PromulgationDate></edXML:PromulgationInfo>
    <edXML:DocumentType><edXML:Type>1</edXML:Type>
     <edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
    <edXML:Subject>{escape(subject)}</edXML:Subject>
    <edXML:ResponseFor><edXML:OrganId/><edXML:Code/><edXML:PromulgationDate/><edXML:DocumentId/></edXML:ResponseFor>
    <edXML:DocumentId>{escape(document_id)}</edXML:DocumentId>
   </edXML:MessageHeader>
   <edXML:TraceHeaderList>
    <edXML:TraceHeader><edXML:OrganId>{escape(sender)}</edXML:OrganId>
     <edXML:Timestamp>2026/11/30 09:15:00</edXML:Timestamp></edXML:TraceHeader>
    <edXML:Bussiness>
     <edXML:BussinessDocType>{doc_type}</edXML:BussinessDocType><edXML:BussinessDocReason/>
     <edXML:Paper>0</edXML:Paper></edXML:Bussiness>
   </edXML:TraceHeaderList>
  </edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest><edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId>
   <edXML:ContentType>application/zip</edXML:ContentType>
   <edXML:AttachmentName>phu-luc.doc</edXML:AttachmentName></edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <edXML:AttachmentEncoded><edXML:Attachment><edXML:ContentId>1</edXML:ContentId>
  <edXML:AttachmentName>phu-luc.doc</edXML:AttachmentName>
  <edXML:ContentType>application/zip</edXML:ContentType>
  <edXML:ContentTransferEncoded>UEsDBAo=</edXML:ContentTransferEncoded></edXML:Attachment></edXML:AttachmentEncoded>
</edXML>
""".encode()


def status_xml(sender="000.00.36.H63", answered_organ="000.00.00.G22",
               document_id="000.00.00.G22,2026/11/30,3657/BNNMT-VP", code="03") -> bytes:
    """A status message: who reports, on which document (ResponseFor), what; no To block."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"
       xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope>
  <edXML:edXMLHeader>
   <edXML:MessageHeader>
    {_organ("From", sender, "Sở Nông nghiệp và Môi trường")}
    <edXML:ResponseFor><edXML:OrganId>{escape(answered_organ)}</edXML:OrganId>
     <edXML:Code>3657/BNNMT-VP</edXML:Code>
     <edXML:PromulgationDate>2026/11/30</edXML:PromulgationDate>
     <edXML:DocumentId>{escape(document_id)}</edXML:DocumentId></edXML:ResponseFor>
    <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department>
     <edXML:Staff>Nguyễn Văn A</edXML:Staff></edXML:StaffInfo>
    <edXML:StatusCode>{code}</edXML:StatusCode>
    <edXML:Description>Đã tiếp nhận</edXML:Description>
    <edXML:Timestamp>2026/11/30 10:00:00</edXML:Timestamp>
   </edXML:MessageHeader>
  </edXML:edXMLHeader>
  <edXML:edXMLBody/>
 </edXML:edXMLEnvelope>
</edXML>
""".encode()
