"""Text helpers for documents: Unicode normal form, diacritic-free search keys, and the
cleaning of typed text.

Typed text is cleaned, not refused: control characters and invisible format characters
(zero-width spaces and joiners, bidi embeddings and overrides, soft hyphens, the BOM) are
taken out. They arrive pasted from Word or a web page far more often than typed on purpose,
a person could not find them to delete them, and once gone the text shows what it says (an
override can make "invoice‮fdp.exe" read "invoiceexe.pdf"). A single-line field keeps no line
break; a multi-line one keeps its line breaks and tabs. NUL is refused before this, for the
whole request (portal.input).
"""

import re
import unicodedata

# Letters that draw nothing: the Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
_OTHER_BREAKS = "\x0b\x0c\x85\u2028\u2029"  # vertical tab, form feed, NEL, separators


class _Cleaning(dict):
    """A str.translate table, filled in as characters are met: an invisible character maps
    to nothing, a line break to what `breaks` says, any other character to itself."""

    def __init__(self, breaks: dict[str, str]):
        super().__init__()
        self.breaks = breaks

    def __missing__(self, code: int):
        character = chr(code)
        if character in self.breaks:
            value = self.breaks[character]
        elif unicodedata.category(character) in ("Cc", "Cf") or character in _BLANK_LETTERS:
            value = None
        else:
            value = code
        self[code] = value
        return value


_SINGLE_LINE = _Cleaning(dict.fromkeys("\t\n\r" + _OTHER_BREAKS, " "))
_MULTI_LINE = _Cleaning({"\t": "\t", "\n": "\n", "\r": "\r",
                         **dict.fromkeys(_OTHER_BREAKS, "\n")})
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lowercase ASCII for search: "Quyết định số 12/QĐ" → "quyet dinh so 12/qd"."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def clean_line(text: str | None) -> str | None:
    """A single-line field as typed, without control or invisible characters (NFC)."""
    return None if text is None else nfc(text.translate(_SINGLE_LINE))


def clean_text(text: str | None) -> str | None:
    """A multi-line field: line breaks (\\r\\n, \\n) and tabs kept, other controls and
    invisible characters out; vertical tab, form feed and Unicode separators become \\n."""
    return None if text is None else nfc(text.translate(_MULTI_LINE))


def is_blank(text: str | None) -> bool:
    """Nothing a reader would see: empty, spaces, or only invisible characters."""
    return not _SPACES.sub("", clean_line(text) or "")
