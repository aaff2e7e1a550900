"""Where each signature's stamp sits and how it looks (Decree 30/2020, Appendix I).

The signature space under the signer's title holds two stamps: the signer's to the upper
right and the organisation's seal to the lower left, the seal over the left third of the
signer's (the Decree's "trùm lên khoảng 1/3 … về bên trái"). Each stamp writes its text only
where the other stamp is not: the signer's along its top, above the seal; the seal's along its
bottom, below the signer's. The band where they overlap carries images only: the person's
signature image and the organisation's seal image, when they were uploaded.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle

from portal.signing.fonts import SHIPPED_FONT, stamp_font, text_width
from portal.signing.models import ORGANISATION_FIELD, SIGNER_FIELD

Box = tuple[float, float, float, float]  # PDF points: left, bottom, right, top

STAMP_SIZE = 8  # points, every stamp's text (the initials' too: small print is unreadable)
LEADING = 10
MARGIN = 2
SIGNER_WIDTH = 0.72  # of the signature space
TEXT_BAND = 0.34  # of the space's height: the signer's text on top, the seal's at the bottom
INITIALS_GAP = 3
INITIALS_HEIGHT = 2 * LEADING + 2 * MARGIN + 1  # a name and a time


def signature_boxes(space: Box) -> dict[str, Box]:
    """The signer's and the seal's rectangles in the signature space."""
    left, bottom, right, top = space
    width, height = right - left, top - bottom
    signer_left = right - SIGNER_WIDTH * width
    band = TEXT_BAND * height
    return {SIGNER_FIELD: (signer_left, bottom + band, right, top),
            ORGANISATION_FIELD: (left, bottom, signer_left + SIGNER_WIDTH * width / 3,
                                 top - band)}


def initials_boxes(space: Box, names: tuple[str, ...]) -> dict[str, Box]:
    """The initials one under the other in the initials' space, each a name and a time."""
    left, _bottom, right, top = space
    boxes = {}
    for index, name in enumerate(names):
        box_top = top - index * (INITIALS_HEIGHT + INITIALS_GAP)
        boxes[name] = (left, box_top - INITIALS_HEIGHT, right, box_top)
    return boxes


@dataclass(frozen=True)
class Look:
    text_at_top: bool  # the signer's and the initials' text on top, the seal's at the bottom
    image_x: layout.AxisAlignment = layout.AxisAlignment.ALIGN_MID
    border_color: tuple[float, float, float] = (0, 0, 0)


LOOKS = {SIGNER_FIELD: Look(True),
         # the seal's image leans right, over the signer's signature
         ORGANISATION_FIELD: Look(False, layout.AxisAlignment.ALIGN_MAX, (0.8, 0, 0))}
INITIALS_LOOK = Look(True)


def stamp_style(field: str, lines: list[str], size: tuple[float, float],
                image: bytes | None = None) -> TextStampStyle:
    """The stamp of this field: its lines wrapped to the part of the box where the other
    stamp is not, at a size people can read; its image (a transparent PNG) behind them."""
    look = LOOKS.get(field, INITIALS_LOOK)
    width, height = size
    band = height if field not in LOOKS else TEXT_BAND / (1 - TEXT_BAND) * height
    wrapped = wrap(lines, width - 2 * MARGIN)
    margins = layout.Margins(left=MARGIN, right=MARGIN,
                             top=MARGIN if look.text_at_top else height - band,
                             bottom=height - band if look.text_at_top else MARGIN)
    return TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in wrapped),
        # The font engine and the text box must agree on the size, or glyphs drift apart
        # (pyHanko issue #733).
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(stamp_font(), font_size=STAMP_SIZE),
            font_size=STAMP_SIZE, leading=LEADING,
            # no margins of its own (10 by default): the stamp's margins place it, and text
            # that fits is never shrunk (the initials were, to about 5 pt)
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(0))),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=(layout.AxisAlignment.ALIGN_MAX if look.text_at_top
                     else layout.AxisAlignment.ALIGN_MIN),
            margins=margins),
        background=_image(image),
        # the image where the text is not: below the signer's lines, above the seal's
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=look.image_x, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=1, right=1,
                                   top=band if look.text_at_top else 1,
                                   bottom=1 if look.text_at_top else band),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT),
        background_opacity=1.0,
        border_width=0 if image else 1, border_color=look.border_color)


def _image(data: bytes | None):
    if not data:
        return None
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage

    return PdfImage(Image.open(io.BytesIO(data)))


def wrap(lines: list[str], width: float, size: float = STAMP_SIZE,
         source: Path = SHIPPED_FONT) -> list[str]:
    """Each line broken between words where it would be wider than the box."""
    wrapped = []
    for line in lines:
        current = ""
        for word in line.split(" "):
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate, size, source) > width:
                wrapped.append(current)
                current = word
            else:
                current = candidate
        wrapped.append(current)
    return wrapped
