"""The shipped serif made ready for what pyHanko writes: stamps and filled form fields."""

import functools
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from portal.config import ROOT_DIR

# fontTools warns for every stamp that it drops a table it cannot subset (FFTM): harmless.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONTS = ROOT_DIR / "static" / "fonts"
SHIPPED_FONT = FONTS / "LiberationSerif-Regular.ttf"
ITALIC_FONT = FONTS / "LiberationSerif-Italic.ttf"

# What a stamp may write: Latin with every Vietnamese letter, digits, punctuation, currency.
_STAMP_CHARACTERS = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF),
                     (0x2000, 0x206F), (0x20A0, 0x20CF)]


@functools.cache
def stamp_font(source: Path = SHIPPED_FONT) -> str:
    """The font made ready for pyHanko, written once per machine.

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

    digest = hashlib.sha256(source.read_bytes() + repr(_STAMP_CHARACTERS).encode())
    target = Path(tempfile.gettempdir()) / f"portal-stamp-font-{digest.hexdigest()[:16]}.ttf"
    if not target.exists():
        font = TTFont(source)
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


@functools.cache
def _advances(source: Path) -> tuple[dict[int, str], dict[str, tuple[int, int]]]:
    from fontTools.ttLib import TTFont

    font = TTFont(stamp_font(source))
    return font.getBestCmap(), font["hmtx"].metrics


def text_width(text: str, size: float, source: Path = SHIPPED_FONT) -> float:
    """How wide the text is set in this font at this size, in points."""
    cmap, metrics = _advances(source)
    return sum(metrics.get(cmap.get(ord(c), ".notdef"), (500, 0))[0] for c in text) * size / 1000
