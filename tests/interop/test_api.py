"""The API a sender's e-office follows axis recipients by: a document's deliveries with each
recipient's identifier, channel and status; the document as its edXML package."""

import io

from portal.deliveries.models import Delivery
from portal.extensions import db
from portal.interop.edxml.model import DocumentPackage
from portal.interop.edxml.reader import read_message
from portal.signing import keys
from tests.interop.conftest import AXIS_ORGAN_ID, MINISTRY_ORGAN_ID


def _bearer(world, user=None):
    _token, secret = world.make.token(user or world.ministry_clerk)
    return {"Authorization": f"Bearer {secret}"}


def test_a_document_lists_its_deliveries_with_identifier_channel_and_status(world, client):
    document = world.make.document(world.ministry_clerk, [world.on_axis, world.on_portal])
    answer = client.get(f"/api/v1/documents/{document.id}", headers=_bearer(world))
    assert answer.status_code == 200
    listed = {d["recipient"]["code"]: d for d in answer.get_json()["deliveries"]}
    assert listed["LCH"]["channel"] == "axis" and listed["LCH"]["status"] == "01"
    assert listed["LCH"]["recipient"]["organ_id"] == AXIS_ORGAN_ID
    assert listed["HNI"]["channel"] == "portal"
    delivery = db.session.get(Delivery, listed["LCH"]["id"])
    assert delivery.recipient_id == world.on_axis.id


def test_the_edxml_of_a_document_is_its_package_to_every_recipient_signed(world, client,
                                                                         tmp_path):
    document = world.make.document(world.ministry_clerk, [world.on_axis, world.on_portal])
    answer = client.get(f"/api/v1/documents/{document.id}/edxml", headers=_bearer(world))
    assert answer.status_code == 200
    assert answer.mimetype == "application/xml"
    read = read_message(io.BytesIO(answer.get_data()), workdir=tmp_path, max_bytes=10 ** 8)
    package = read.message
    assert isinstance(package, DocumentPackage)
    assert package.sender.organ_id == MINISTRY_ORGAN_ID
    assert sorted(r.name for r in package.recipients) == sorted([world.on_axis.name,
                                                                 world.on_portal.name])
    assert package.subject == document.subject
    assert read.signature.certificate == keys.organisation_identity(
        world.ministry.id).certificate


def test_the_edxml_has_the_visibility_of_the_document(world, client):
    document = world.make.document(world.ministry_clerk, [world.on_portal])
    outsider = _bearer(world, world.portal_clerk)  # a recipient reads it by its delivery
    assert client.get(f"/api/v1/documents/{document.id}/edxml",
                      headers=outsider).status_code == 404
    assert client.get("/api/v1/documents/999999/edxml",
                      headers=_bearer(world)).status_code == 404


def test_a_draft_has_no_package_yet(world, client):
    draft = world.make.document(world.ministry_clerk, [world.on_axis], issue=False)
    answer = client.get(f"/api/v1/documents/{draft.id}/edxml", headers=_bearer(world))
    assert answer.status_code == 409
