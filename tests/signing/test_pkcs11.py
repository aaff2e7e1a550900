"""Sealing with a key that stays on a PKCS#11 token: SoftHSMv2 from Debian stands in for the
USB tokens used in practice."""

import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from flask import current_app

from portal.documents.models import Document
from portal.extensions import db
from portal.signing import keys
from portal.signing.pdf import check_signatures
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.deliveries.conftest import Exchange
from tests.signing.test_keys_admin import _real_ca_and_pkcs12

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN, PIN, LABEL = "portal-test", "2468", "con-dau-so"


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):
    """A SoftHSM token holding a key and its certificate from a test CA; returns the CA."""
    assert shutil.which("softhsm2-util") and os.path.exists(MODULE), \
        "Debian's softhsm2 is missing: `make test` installs it"
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read when the module first loads
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN,
                    "--so-pin", "13579"], check=True, capture_output=True)
    ca, leaf, data = _real_ca_and_pkcs12()
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, _cert, _chain = pkcs12.load_key_and_certificates(data, "mật-khẩu-của-Sở".encode())
    pem = home / "key.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(pem), "--token", TOKEN, "--label", LABEL,
                    "--id", "01", "--pin", PIN], check=True, capture_output=True)
    pem.unlink()  # from now on the key exists only inside the token
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.TOKEN: True,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.LABEL: LABEL,
            Attribute.ID: b"\x01", Attribute.SUBJECT: leaf.subject.public_bytes(),
            Attribute.VALUE: leaf.public_bytes(serialization.Encoding.DER)})
    return ca


@pytest.fixture
def token_settings(app, monkeypatch):
    for config in (app.config, current_app.config):  # the worker's app and the test's
        monkeypatch.setitem(config, "PKCS11_MODULE", MODULE)
        monkeypatch.setitem(config, "PKCS11_PIN", PIN)


def test_a_document_is_sealed_by_the_key_on_the_token(make, run_jobs, softhsm_token,
                                                      token_settings):
    exchange = Exchange(make)
    admin = make.user(exchange.ministry, "admin")
    with action():
        identity = keys.register_token_key(TOKEN, LABEL, exchange.a, actor=admin)
    assert identity.pkcs12 is None  # nothing of the key is kept by the portal
    with action():
        keys.add_trusted_root(softhsm_token.public_bytes(serialization.Encoding.PEM), actor=admin)
    letter = make.document(exchange.a_clerk, [exchange.ministry])
    run_jobs()
    document = db.session.get(Document, letter.id)
    assert document.sealed_at is not None
    [check] = check_signatures(read_bytes(document.pdf_file), keys.trusted_roots())
    assert (check.signer, check.intact, check.trusted) == ("Sở TN&MT An Giang", True, True)


def test_a_wrong_pin_or_label_is_explained(make, softhsm_token, token_settings):
    exchange = Exchange(make)
    admin = make.user(exchange.ministry, "admin")
    with pytest.raises(keys.SigningKeyError, match="không có chứng thư"), action():
        keys.register_token_key(TOKEN, "no-such-key", exchange.a, actor=admin)
    current_app.config["PKCS11_PIN"] = "0000"
    with pytest.raises(keys.SigningKeyError, match=TOKEN), action():
        keys.register_token_key(TOKEN, LABEL, exchange.a, actor=admin)
    current_app.config["PKCS11_MODULE"] = None
    with pytest.raises(keys.SigningKeyError, match="PKCS11_MODULE"), action():
        keys.register_token_key(TOKEN, LABEL, exchange.a, actor=admin)
