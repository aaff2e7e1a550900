"""An attachment's real type from its first bytes, where the label is known to lie (public
samples label `.doc` files `application/zip`). Only types the bytes prove; None otherwise."""

import zipfile
from pathlib import Path

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003, Excel and PowerPoint of that time
ZIP = b"PK\x03\x04"
_OLE2_BY_SUFFIX = {".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}
_OOXML_BY_PART = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff_content_type(start: bytes, name: str, path: Path | None) -> str | None:
    if start.startswith(b"%PDF-"):
        return "application/pdf"
    if start.startswith(OLE2):
        return _OLE2_BY_SUFFIX.get(Path(name).suffix.lower(), "application/msword")
    if start.startswith(ZIP) and path is not None:
        return _zip_kind(path)
    return None


def _zip_kind(path: Path) -> str:
    """An Office Open XML file is a ZIP with its parts; the central directory says which
    (read from the end of the file, not the whole of it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return "application/zip"
    if "[Content_Types].xml" in names:
        for part, content_type in _OOXML_BY_PART.items():
            if any(entry.startswith(part) for entry in names):
                return content_type
    return "application/zip"
