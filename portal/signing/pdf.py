"""PAdES signatures on PDFs with pyHanko: fields made up front, signing into them, verifying.

Every signature field of the chain is created when the PDF is rendered, before anyone signs,
so no later signature adds a field (which would count as a change not permitted to the
earlier signatures). Each signature is an incremental update.
"""

import asyncio
import functools
import hashlib
import io
import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from portal.config import ROOT_DIR
from portal.signing.models import INITIAL_FIELDS, ORGANISATION_FIELD, SIGNER_FIELD

# fontTools warns for every stamp that it drops a table it cannot subset (FFTM): harmless.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

SHIPPED_FONT = ROOT_DIR / "static" / "fonts" / "LiberationSerif-Regular.ttf"
STAMP_SIZE = 9
INITIAL_SIZE = 7


# What a stamp may write: Latin with every Vietnamese letter, digits, punctuation, currency.
_STAMP_CHARACTERS = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF),
                     (0x2000, 0x206F), (0x20A0, 0x20CF)]


@functools.cache
def _stamp_font() -> str:
    """The shipped serif made ready for stamps, written once per machine.

    - Rescaled to 1000 units per em: pyHanko writes a TrueType font's glyph widths in the
      font's own units, while PDF reads them per 1000; Liberation Serif has 2048, which spread
      the stamp's letters twice as wide.
    - Cut to the characters a stamp writes, without the layout tables (GSUB, GPOS): pyHanko
      subsets the font again for every signature, and reading those tables and all glyphs
      took about 100 ms of each. Text is NFC, so every Vietnamese letter is one glyph and
      nothing needs the layout tables.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    digest = hashlib.sha256(SHIPPED_FONT.read_bytes() + repr(_STAMP_CHARACTERS).encode())
    target = Path(tempfile.gettempdir()) / f"portal-stamp-font-{digest.hexdigest()[:16]}.ttf"
    if not target.exists():
        font = TTFont(SHIPPED_FONT)
        scale_upem(font, 1000)
        options = subset.Options(layout_features=[], hinting=False, notdef_outline=True)
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=[c for first, last in _STAMP_CHARACTERS
                                  for c in range(first, last + 1)])
        cutter.subset(font)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".ttf")
        os.close(handle)
        font.save(temporary)
        os.replace(temporary, target)
    return str(target)


def _run(coroutine):
    """Run pyHanko's coroutine to the end, also from a thread whose event loop is running
    (pyHanko's own blocking wrappers call asyncio.run, which refuses that)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def add_signature_fields(data: bytes, *, signature: tuple[int, tuple[float, ...]],
                         initials: tuple[int, tuple[float, ...]]) -> bytes:
    """The chain's empty fields, each a (page, box) from the layout: the two initials side by
    side in the initials' space, the signer's and the seal on the signature space.

    Decree 30 puts the organisation's seal over the left third of the signer's signature.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page, (left, bottom, right, top) = initials
    half = (right - left) / 2
    for index, name in enumerate(INITIAL_FIELDS):
        box = (left + index * half, bottom, left + (index + 1) * half - 4, top)
        _append_field(writer, name, page, box)
    page, (left, bottom, right, top) = signature
    width = right - left
    _append_field(writer, SIGNER_FIELD, page, (left + width / 4, bottom, right, top))
    _append_field(writer, ORGANISATION_FIELD, page, (left - width / 8, bottom, left + width / 2,
                                                     top))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _append_field(writer, name: str, page: int, box: tuple[float, ...]) -> None:
    fields.append_signature_field(writer, fields.SigFieldSpec(
        sig_field_name=name, on_page=page, box=tuple(int(v) for v in box)))


@dataclass(frozen=True)
class _Look:
    font_size: int
    y_align: layout.AxisAlignment
    border_color: tuple[float, float, float] = (0, 0, 0)


# The seal overlaps the signer's stamp (Decree 30): the signer's text sits at the top of its
# box, the seal's at the bottom of its own, so the two never print over each other.
_LOOKS = {ORGANISATION_FIELD: _Look(STAMP_SIZE - 1, layout.AxisAlignment.ALIGN_MIN, (0.8, 0, 0)),
          SIGNER_FIELD: _Look(STAMP_SIZE, layout.AxisAlignment.ALIGN_MAX)}
_INITIALS_LOOK = _Look(INITIAL_SIZE, layout.AxisAlignment.ALIGN_MID)


def sign(data: bytes, signer: signers.Signer, field: str, lines: list[str], *,
         timestamper=None) -> bytes:
    """Sign into an existing field with a visible stamp of the given lines (Vietnamese),
    drawn as that field's signature looks; with a timestamp when a timestamper is given.

    `signer` comes from keys.open_signer: a key kept by the portal, or one on a token.
    """
    look = _LOOKS.get(field, _INITIALS_LOOK)
    style = TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in lines),
        # The font engine and the text box must agree on the size, or glyphs drift apart
        # (pyHanko issue #733).
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(_stamp_font(), font_size=look.font_size),
            font_size=look.font_size),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=look.y_align,
            margins=layout.Margins.uniform(3)),
        border_width=1, border_color=look.border_color)
    metadata = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    pdf_signer = signers.PdfSigner(metadata, signer=signer, stamp_style=style,
                                   timestamper=timestamper)
    authority = None if timestamper is None else getattr(timestamper, "url", id(timestamper))
    sizing = (signer.signing_cert.sha256, authority)
    signed = _run(pdf_signer.async_sign_pdf(writer, bytes_reserved=_RESERVED.get(sizing)))
    signed = signed.getvalue()
    if sizing not in _RESERVED:
        _RESERVED[sizing] = _reserved_in(signed, field)
    return signed


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
