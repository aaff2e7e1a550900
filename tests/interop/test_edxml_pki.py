"""edXML signed by an organisation's key from the development PKI (`flask pki init`): the
package verifies, and its certificate chains to the portal's trusted roots."""

import io

from portal.interop.edxml.reader import read_message
from portal.interop.edxml.signature import Signing, chains_to
from portal.interop.edxml.writer import package_bytes
from portal.signing import keys
from portal.transaction import action
from tests.interop.edxml.messages import full_package


def test_a_package_signed_by_the_ministrys_key_verifies_and_is_trusted(app, make, tmp_path):
    ministry = make.ministry()
    with action():
        keys.init_development_pki()
    key, certificate, chain = keys.key_and_certificates(keys.organisation_identity(ministry.id))
    data = package_bytes(full_package(), signing=Signing(key, certificate, tuple(chain or ())))
    read = read_message(io.BytesIO(data), workdir=tmp_path, max_bytes=10 * 1024 * 1024)
    assert read.signature.present
    assert read.signature.certificate == keys.organisation_identity(ministry.id).certificate
    assert chains_to(read.signature.certificate, keys.trusted_roots()) is True
    assert chains_to(read.signature.certificate, []) is False
