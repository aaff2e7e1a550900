"""PAdES signatures on PDFs with pyHanko: fields made up front, signing into them, verifying.

Every signature field of the chain is created when the PDF is rendered, before anyone signs,
so no later signature adds a field (which would count as a change not permitted to the
earlier signatures). Each signature is an incremental update.
"""

import asyncio
import io
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal.signing import form, stamps
from portal.signing.fonts import stamp_font
from portal.signing.models import INITIAL_FIELDS, ORGANISATION_FIELD, SIGNER_FIELD
from portal.signing.stamps import Box


def _stamp_font() -> str:  # the worker warms it up at start
    return stamp_font()


def _run(coroutine):
    """Run pyHanko's coroutine to the end, also from a thread whose event loop is running
    (pyHanko's own blocking wrappers call asyncio.run, which refuses that)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def add_signature_fields(data: bytes, *, signature: tuple[int, Box],
                         initials: tuple[int, Box], names: Iterable[str] | None = None,
                         text_fields: dict[str, tuple[int, Box, str]] | None = None
                         ) -> bytes:
    """The chain's empty fields, each a (page, box) from the layout: the initials one under
    the other in the initials' space, the signer's and the seal in the signature space
    (stamps.py); only those named (all, by default), so none is left empty in the end.

    `text_fields` are the fields the clerk's step fills (the number, the date): name → page,
    box, and the text shown until then.
    """
    names = set(names) if names is not None else {*INITIAL_FIELDS, SIGNER_FIELD,
                                                   ORGANISATION_FIELD}
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page, space = initials
    for name, box in stamps.initials_boxes(
            space, tuple(n for n in INITIAL_FIELDS if n in names)).items():
        _append_field(writer, name, page, box)
    page, space = signature
    for name, box in stamps.signature_boxes(space).items():
        if name in names:
            _append_field(writer, name, page, box)
    for name, (page, box, text) in (text_fields or {}).items():
        form.add_text_field(writer, name, page, box, text)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _append_field(writer, name: str, page: int, box: Box) -> None:
    fields.append_signature_field(writer, fields.SigFieldSpec(
        sig_field_name=name, on_page=page, box=tuple(round(v) for v in box)))


def sign(data: bytes, signer: signers.Signer, field: str, lines: list[str], *,
         timestamper=None, image: bytes | None = None) -> bytes:
    """Sign into an existing field with a visible stamp of the given lines (Vietnamese) and,
    when given, an image (a transparent PNG: a seal, a signature); drawn as that field's
    stamp looks (stamps.py); with a timestamp when a timestamper is given.

    `signer` comes from keys.open_signer: a key kept by the portal, or one on a token.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    style = stamps.stamp_style(field, lines, _field_size(writer, field), image)
    metadata = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES)
    pdf_signer = signers.PdfSigner(metadata, signer=signer, stamp_style=style,
                                   timestamper=timestamper)
    authority = None if timestamper is None else getattr(timestamper, "url", id(timestamper))
    sizing = (signer.signing_cert.sha256, authority, bool(image))
    signed = _run(pdf_signer.async_sign_pdf(writer, bytes_reserved=_RESERVED.get(sizing)))
    signed = signed.getvalue()
    if sizing not in _RESERVED:
        _RESERVED[sizing] = _reserved_in(signed, field)
    return signed


def _field_size(writer, name: str) -> tuple[float, float]:
    for entry in writer.root["/AcroForm"]["/Fields"]:
        entry = entry.get_object()
        if str(entry.get("/T")) == name:
            left, bottom, right, top = (float(v) for v in entry["/Rect"])
            return round(right - left), round(top - bottom)
    raise ValueError(f"the PDF has no field {name}")


# The room a signature takes in the file, per certificate and time-stamping authority. Left
# to itself pyHanko sizes it by making a whole trial signature first (about 40 ms, and a
# second use of a token's key); the size depends only on the certificates and the authority,
# so the first real signature's room, pyHanko's estimate with its 50 % margin, serves again.
_RESERVED: dict[tuple, int] = {}


def _reserved_in(data: bytes, field: str) -> int:
    reader = PdfFileReader(io.BytesIO(data))
    signature = next(s for s in reader.embedded_signatures if s.field_name == field)
    return 2 * len(signature.sig_object["/Contents"])  # counted in hexadecimal digits


@dataclass
class SignatureCheck:
    field: str
    signer: str
    organisation: str
    signed_at: str | None
    intact: bool
    trusted: bool
    coverage: str  # the whole file, or the file as it was before later revisions
    later_changes: str  # none, form filling / signatures (permitted), other (not permitted)
    timestamp: str | None = None  # when a time-stamping authority vouched for it
    # The signing certificate (DER), to find its owner in the portal's records: a
    # certificate's O= holds at most 64 characters and cuts a long name short.
    certificate: bytes = field(default=b"", repr=False)


def check_signatures(data: bytes, roots: list[bytes]) -> list[SignatureCheck]:
    """Each signature's findings; raises ValueError when the bytes are not a readable PDF."""
    if b"%%EOF" not in data[-1024:]:
        raise ValueError("the file is incomplete: it does not end as a PDF ends (%%EOF)")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # pyHanko raises many kinds on broken files; all mean this
        raise ValueError(str(error) or type(error).__name__) from error
    checks = []
    for signature in embedded:
        context = ValidationContext(  # a fresh one each time: it keeps state
            trust_roots=[asn1_x509.Certificate.load(root) for root in roots])
        status = _run(async_validate_pdf_signature(signature, context))
        subject = status.signing_cert.subject.native
        checks.append(SignatureCheck(
            field=signature.field_name, signer=subject.get("common_name", ""),
            organisation=subject.get("organization_name", ""),
            signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
            intact=bool(status.intact and status.valid), trusted=bool(status.trusted),
            coverage=status.coverage.name.lower(),
            later_changes=status.modification_level.name.lower()
            if status.modification_level is not None else "unknown",
            timestamp=status.timestamp_validity.timestamp.isoformat()
            if status.timestamp_validity is not None else None,
            certificate=status.signing_cert.dump()))
    return checks
