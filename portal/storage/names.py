"""The name a kept PDF is shown and downloaded under, made from the name it was sent with.

A name as sent can lie: `invoice\u202efdp.exe` displays as "invoiceexe.pdf", `virus.exe`
would be saved as a program, `../../x` is a path. The clean name is NFC; it has no control or
format characters (bidi controls, zero-width characters, U+FEFF...), no path and no
characters Windows refuses in a file name; it does not start with a dot; it fits 200 bytes of
UTF-8 (file systems count bytes, and a Vietnamese letter takes up to 3); and it always ends in
".pdf", because the bytes are a checked PDF whatever the name said.

A name that ends in something else keeps it and gets ".pdf" after it (`virus.exe` →
`virus.exe.pdf`) rather than losing it: names of Vietnamese documents hold dots that are not
extensions ("CV 12.VP", "QĐ 15.2024"), and the type a browser or Explorer acts on is the last
extension, which is always .pdf here.
"""

import re
import unicodedata

MAX_NAME_BYTES = 200
EXTENSION = ".pdf"
FALLBACK_STEM = "tep-dinh-kem"  # "tệp đính kèm", an attachment, for a name with nothing left
# Not allowed in a Windows file name (the path separators are handled before).
_REFUSED_BY_WINDOWS = re.compile(r'[<>:"|?*]')
_PATH_SEPARATORS = re.compile(r"[/\\]")


def _cleaned(sent: str | None) -> str:
    """NFC, without a path, control or format characters, or what Windows refuses."""
    name = _PATH_SEPARATORS.split(unicodedata.normalize("NFC", sent or ""))[-1]
    name = unicodedata.normalize("NFC", "".join(_kept(c) for c in name))
    return " ".join(_REFUSED_BY_WINDOWS.sub("_", name).split())


def display_name(sent: str | None) -> str:
    """The clean name of a PDF sent as `sent`; the same for the same name, at any time."""
    stem = _cleaned(sent).rstrip(" .")  # trailing dots and spaces vanish on Windows anyway
    if stem.lower().endswith(EXTENSION):
        stem = stem[:-len(EXTENSION)]
    stem = _trimmed(_cut_to_bytes(_trimmed(stem), MAX_NAME_BYTES - len(EXTENSION)))
    return (stem or FALLBACK_STEM) + EXTENSION


def kept_name(sent: str | None) -> str:
    """The clean name of a file the portal keeps but does not open (a .doc or .zip from the
    axis, a PDF it could not check): cleaned as a PDF's name is, its own extension kept. It
    is only ever downloaded (portal.storage.serving.send_download), as bytes of no type."""
    name = _trimmed(_cleaned(sent))
    return _trimmed(_cut_to_bytes(name, MAX_NAME_BYTES)) or FALLBACK_STEM


def _kept(character: str) -> str:
    """Spaces of every kind become one space; control, format, private-use, unassigned and
    lone surrogate characters go."""
    if character.isspace():
        return " "
    return "" if unicodedata.category(character).startswith("C") else character


def _trimmed(stem: str) -> str:
    """Without dots or spaces at either end (a leading dot hides a file)."""
    return stem.strip(" .")


def _cut_to_bytes(text: str, limit: int) -> str:
    """The longest start of `text` whose UTF-8 fits `limit` bytes, cut between characters."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")
