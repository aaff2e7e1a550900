"""Seal and signature images: uploaded as transparent PNGs, checked, kept, audited, and drawn
in the stamps of the real PDF, whose signatures all stay valid."""

import io

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.documents import services as documents
from portal.extensions import db
from portal.signing import images
from portal.signing.models import StampImage
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.conftest import csrf_token_from
from tests.signing.stamps import has_image, widgets
from tests.signing.test_chain import Chain, _sign_in_turn
from tests.signing.test_issued_pdf import _all_valid_with_form_filling_at_most


def png(*, transparent=True, size=(300, 300), colour=(200, 0, 0)) -> bytes:
    """A seal: a red ring on a transparent (or white) background."""
    image = Image.new("RGBA", size, (255, 255, 255, 0 if transparent else 255))
    ImageDraw.Draw(image).ellipse((10, 10, size[0] - 10, size[1] - 10),
                                  outline=(*colour, 255), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def setup(make):
    chain = Chain(make)
    chain.admin = make.user(chain.ministry, "admin")
    return chain


def _upload(client, path, page, data, name="seal.png", **fields):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "file": (io.BytesIO(data), name),
                                   **fields}, follow_redirects=True)


def test_an_administrator_gives_the_seal_a_person_their_signature_both_drawn(
        setup, client, auth, run_jobs):
    auth.login(setup.admin.email)  # the seal of the issuing authority: the ministry's
    page = f"/organisations/{setup.ministry.id}"
    shown = _upload(client, f"/signing/organisations/{setup.ministry.id}/seal-image", page,
                    png()).get_data(as_text=True)
    assert "Đã lưu hình ảnh con dấu" in shown and "Hình ảnh hiện tại" in shown
    auth.logout()
    auth.login(setup.minister.email)  # the signer gives their own signature image
    shown = _upload(client, "/signing/account/signature-image", "/account",
                    png(colour=(0, 0, 160)), name="chu-ky.png").get_data(as_text=True)
    assert "Đã lưu hình ảnh chữ ký" in shown
    auth.logout()
    assert db.session.scalar(select(func.count(StampImage.id))) == 2
    assert {e.action for e in db.session.scalars(select(AuditEvent))} >= {
        "organisation.seal_image_set", "user.signature_image_set"}

    setup.submit()
    run_jobs()
    _sign_in_turn(setup, run_jobs, [setup.unit_leader, setup.office_leader, setup.minister])
    with action():
        documents.issue_document(setup.reload(), actor=setup.clerk)
    run_jobs()
    data = read_bytes(setup.reload().pdf_file)
    fields = widgets(data)
    assert has_image(fields["organisation"]["appearance"])
    assert has_image(fields["signer"]["appearance"])
    assert not has_image(fields["initial-unit"]["appearance"])  # initials: text only
    _all_valid_with_form_filling_at_most(data)


def test_an_administrator_gives_a_person_a_signature_image(setup, client, auth):
    auth.login(setup.admin.email)
    page = f"/organisations/{setup.office.id}"
    shown = _upload(client, f"/signing/organisations/{setup.office.id}/signature-image", page,
                    png(), user_id=setup.office_leader.id).get_data(as_text=True)
    assert setup.office_leader.full_name in shown
    assert images.signature_image(setup.office_leader) == png()


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a" + b"\0" * 100, "phải là tệp PNG"),
    (png()[:200], "hỏng"),
    (png(transparent=False), "nền trong suốt"),
    (png(size=(20, 20)), "điểm ảnh"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (images.MAX_IMAGE_BYTES + 1), "lớn hơn"),
])
def test_anything_but_a_transparent_png_of_bounded_size_is_refused(setup, client, auth, data,
                                                                   message):
    auth.login(setup.admin.email)
    shown = _upload(client, f"/signing/organisations/{setup.office.id}/seal-image",
                    f"/organisations/{setup.office.id}", data).get_data(as_text=True)
    assert message in shown
    assert db.session.scalar(select(func.count(StampImage.id))) == 0


def test_only_an_administrator_changes_a_seal_and_only_the_person_their_signature(
        setup, client, auth):
    auth.login(setup.clerk.email)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    answer = client.post(f"/signing/organisations/{setup.office.id}/seal-image",
                         data={"csrf_token": token, "file": (io.BytesIO(png()), "s.png")})
    assert answer.status_code == 403
    with pytest.raises(images.StampImageError), action():
        images.set_signature_image(setup.minister, actor=setup.clerk, data=png())
    assert db.session.scalar(select(func.count(StampImage.id))) == 0
