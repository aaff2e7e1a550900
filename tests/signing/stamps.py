"""Measuring a signed PDF as a reader sees it: its fields, its stamps and the text they show.

Stamps are appearance streams of widget annotations, which page-text extraction never reads.
poppler's `pdftocairo -pdf` prints a PDF with its annotations drawn into the page, so
pdfplumber can then measure every character a stamp shows, where and how large.
"""

import io
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject


def widgets(data: bytes) -> dict[str, dict]:
    """Each field's widget on the page: its name, page, rectangle, value and appearance."""
    reader = PdfReader(io.BytesIO(data))
    found = {}
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Widget":
                continue
            found[str(annotation["/T"])] = {
                "page": index, "rect": tuple(float(v) for v in annotation["/Rect"]),
                "type": str(annotation.get("/FT")), "value": annotation.get("/V"),
                "appearance": annotation.get("/AP", {}).get("/N")}
    return found


def _drawn(data: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        source, target = Path(directory) / "in.pdf", Path(directory) / "out.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftocairo", "-pdf", str(source), str(target)], check=True)
        return target.read_bytes()


def _chars(data: bytes, page: int) -> list[dict]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sheet = pdf.pages[page]
        height = float(sheet.height)
        return [{"text": c["text"], "size": float(c["size"]), "x0": float(c["x0"]),
                 "x1": float(c["x1"]), "y0": height - float(c["bottom"]),
                 "y1": height - float(c["top"])} for c in sheet.chars if c["text"].strip()]


def _only(data: bytes, keep: str | None) -> bytes:
    """The PDF with the appearance of one widget only (or of none): the others hidden."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Widget" and str(annotation["/T"]) != keep:
                annotation[NameObject("/F")] = NumberObject(2)  # hidden
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_text_chars(data: bytes, page: int) -> list[dict]:
    """The characters of the page itself, without any stamp."""
    return _chars(_drawn(_only(data, None)), page)


def stamp_chars(data: bytes, name: str) -> list[dict]:
    """The characters the widget of this field shows, where the page shows them."""
    page = widgets(data)[name]["page"]
    bare = {(c["text"], round(c["x0"], 1), round(c["y0"], 1))
            for c in page_text_chars(data, page)}
    return [c for c in _chars(_drawn(_only(data, name)), page)
            if (c["text"], round(c["x0"], 1), round(c["y0"], 1)) not in bare]


def stamp_text(data: bytes, name: str) -> str:
    """The stamp's characters as lines, top to bottom."""
    lines: dict[int, list[dict]] = {}
    for c in stamp_chars(data, name):
        lines.setdefault(round(c["y0"]), []).append(c)
    return "\n".join(_joined(sorted(row, key=lambda c: c["x0"]))
                     for _y, row in sorted(lines.items(), reverse=True))


def _joined(row: list[dict]) -> str:
    """A line's characters, with a space where a gap is a space wide."""
    text = row[0]["text"]
    for before, char in zip(row, row[1:], strict=False):
        text += (" " if char["x0"] - before["x1"] > 0.15 * char["size"] else "") + char["text"]
    return text


def intersects(char: dict, rect: tuple[float, ...], slack: float = 0.5) -> bool:
    left, bottom, right, top = rect
    return (char["x0"] < right - slack and char["x1"] > left + slack
            and char["y0"] < top - slack and char["y1"] > bottom + slack)


def has_image(appearance) -> bool:
    """Whether an appearance stream draws an image, itself or through a form it uses."""
    appearance = appearance.get_object()
    for xobject in (appearance.get("/Resources", {}).get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Image" or (
                xobject.get("/Subtype") == "/Form" and has_image(xobject)):
            return True
    return False
