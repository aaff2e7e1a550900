"""With TSA_URL set, signatures carry an RFC 3161 timestamp from that authority.

The authority here is a real HTTP server on this machine answering real time-stamp requests
(pyHanko's own TSA logic, signing with a certificate our development CA issued for
time-stamping), since no public TSA is reachable from the test machine.
"""

import datetime
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from pyhanko.sign.timestamps import DummyTimeStamper
from sqlalchemy import select

from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.models import Job
from portal.jobs.services import retry
from portal.signing import keys
from portal.signing.pdf import check_signatures
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.deliveries.conftest import Exchange


def _tsa_stamper():
    ca_key, ca_certificate = keys._development_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's TSA: RSA
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
        .issuer_name(ca_certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256()))
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))


@pytest.fixture
def tsa(app):
    stamper = _tsa_stamper()
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(self.headers["Content-Type"])
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_port}/tsa"
    yield server
    server.shutdown()


@pytest.fixture
def exchange(make):
    exchange = Exchange(make)  # its first document went out before any key existed
    with action():
        keys.init_development_pki()
    return exchange


def test_the_seal_carries_the_authority_s_timestamp(exchange, make, app, tsa, run_jobs):
    _use_tsa(app, tsa.url)
    document = make.document(exchange.ministry_clerk, [exchange.a])
    run_jobs()
    document = db.session.get(Document, document.id)
    [check] = check_signatures(read_bytes(document.pdf_file), keys.trusted_roots())
    assert check.intact and check.trusted and check.timestamp is not None
    assert set(tsa.requests) == {"application/timestamp-query"}


def test_an_unreachable_authority_fails_the_job_which_succeeds_when_retried(
        exchange, make, app, tsa, run_jobs):
    _use_tsa(app, _nothing_listening())
    document = make.document(exchange.ministry_clerk, [exchange.a])
    run_jobs()
    sign = db.session.scalar(select(Job).where(Job.document_id == document.id,
                                               Job.kind == "sign"))
    assert sign.state == "failed" and "không trả lời" in sign.error
    assert db.session.get(Document, document.id).sealed_at is None
    _use_tsa(app, tsa.url)
    with action():
        retry(sign, actor=exchange.ministry_clerk)
    run_jobs()
    document = db.session.get(Document, document.id)
    assert document.sealed_at is not None
    [check] = check_signatures(read_bytes(document.pdf_file), keys.trusted_roots())
    assert check.timestamp is not None


def _use_tsa(app, url):
    """Set TSA_URL where jobs run: in this test's context (inline) and for the RQ worker."""
    current_app.config["TSA_URL"] = app.config["TSA_URL"] = url


def _nothing_listening() -> str:
    """A URL on this machine where nothing listens."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/tsa"
