"""The images stamps draw (Decree 30, Appendix I): an organisation's seal, red, over the left
third of the signer's signature, and a person's signature. Both are transparent PNGs, kept
in storage like any file; without one, the stamp is text only.
"""

import io

from flask_babel import gettext as _
from sqlalchemy import select

from portal import policy
from portal.audit import services as audit
from portal.clock import utcnow
from portal.extensions import db
from portal.rules import PortalError
from portal.signing.models import StampImage
from portal.storage.services import read_bytes, store_bytes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 512 * 1024  # a seal of 4 cm at 300 dpi is some tens of kilobytes
MAX_SIDE = 2000  # pixels
MIN_SIDE = 50


class StampImageError(PortalError):
    """An image the portal will not draw in a stamp; the message says why."""


def check_png(data: bytes) -> None:
    """Refuse anything but a readable PNG of bounded size with a transparent background."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise StampImageError(_("The image is larger than %(kb)d KB.",
                                kb=MAX_IMAGE_BYTES // 1024))
    if not data.startswith(PNG_MAGIC):
        raise StampImageError(_("The image must be a PNG file."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # the whole file, its checksums included
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            size, transparent = image.size, _is_transparent(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise StampImageError(_("The PNG file is damaged and cannot be read.")) from error
    if max(size) > MAX_SIDE or min(size) < MIN_SIDE:
        raise StampImageError(_("The image must be between %(low)d and %(high)d pixels on "
                                "each side.", low=MIN_SIDE, high=MAX_SIDE))
    if not transparent:
        raise StampImageError(_("The image needs a transparent background, so that what "
                                "is under it stays visible."))


def _is_transparent(image) -> bool:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        alpha = image.convert("RGBA").getchannel("A")
        return alpha.getextrema()[0] < 255
    return False


def set_seal_image(organisation, *, actor, data: bytes) -> StampImage:
    """An administrator gives the organisation its seal image."""
    if not policy.can_manage_organisations(actor):
        raise StampImageError(_("Only an administrator can change an organisation's seal."))
    return _keep(actor, data, organisation_id=organisation.id, target=organisation,
                 action="organisation.seal_image_set")


def set_signature_image(person, *, actor, data: bytes) -> StampImage:
    """A person (or an administrator for them) gives their signature image."""
    if actor.id != person.id and not policy.can_manage_organisations(actor):
        raise StampImageError(_("Only the person or an administrator can change a "
                                "signature image."))
    return _keep(actor, data, user_id=person.id, target=person,
                 action="user.signature_image_set")


def _keep(actor, data: bytes, *, target, action: str, **owner) -> StampImage:
    check_png(data)
    stored = store_bytes(data, "image/png")
    image = db.session.scalar(select(StampImage).filter_by(**owner))
    if image is None:
        image = StampImage(**owner, stored_file_id=stored.id, uploaded_by_id=actor.id)
        db.session.add(image)
    image.stored_file_id, image.uploaded_by_id, image.uploaded_at = stored.id, actor.id, utcnow()
    audit.record(action, actor=actor, obj=target,
                 details={"sha256": stored.sha256, "size": stored.size})
    db.session.flush()
    return image


def image_of(**owner) -> StampImage | None:
    """The organisation's (organisation_id=…) or the person's (user_id=…) image row."""
    return db.session.scalar(select(StampImage).filter_by(**owner))


def seal_image(organisation) -> bytes | None:
    image = image_of(organisation_id=organisation.id)
    return read_bytes(image.stored_file) if image is not None else None


def signature_image(person) -> bytes | None:
    image = image_of(user_id=person.id)
    return read_bytes(image.stored_file) if image is not None else None
