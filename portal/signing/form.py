"""The number and the date: text fields laid out blank, filled in by the clerk's step.

A document signed before it is numbered shows "Số:      /BTNMT-VP" and "ngày   tháng   năm"
where the number and the date go. Those two are read-only text fields made with the other
fields at layout; at issue their values and appearances are written in one incremental
update, which earlier signatures permit as form filling (pyHanko's difference analysis puts
it at FORM_FILLING), and so does the Title in the document's information.
"""

import io

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBox, TextBoxStyle

from portal.signing.fonts import ITALIC_FONT, SHIPPED_FONT, stamp_font
from portal.signing.models import DATE_FIELD, NUMBER_FIELD
from portal.signing.stamps import wrap

READ_ONLY, PRINT = 1, 4  # the field's and the annotation's flags
ROOM = 3  # points
# Each field's font and size, as the page sets the line it stands for (document.css).
STYLES = {NUMBER_FIELD: (SHIPPED_FONT, 13), DATE_FIELD: (ITALIC_FONT, 13.5)}


def add_text_field(writer, name: str, page: int, box: tuple[float, ...], text: str) -> None:
    """A read-only text field on the page, showing `text` set as the page would set it
    (the line's box, with room above and below for accents and descenders)."""
    box = (box[0], box[1] - ROOM, box[2], box[3] + ROOM)
    page_ref = writer.find_page_for_modification(page)[0]
    field = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): pdf_string(name),
        pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
        pdf_name("/F"): generic.NumberObject(PRINT),
        pdf_name("/Q"): generic.NumberObject(1),  # centred, as the page centres it
        pdf_name("/DA"): pdf_string(f"/F1 {STYLES[name][1]:g} Tf 0 g"),
        pdf_name("/Rect"): generic.ArrayObject(generic.NumberObject(round(v)) for v in box),
        pdf_name("/P"): page_ref, pdf_name("/V"): pdf_string(text),
    })
    field[pdf_name("/AP")] = _appearance(writer, name, box, text)
    field_ref = writer.add_object(field)
    page_object = page_ref.get_object()
    annotations = page_object.get("/Annots")
    if annotations is None:
        page_object[pdf_name("/Annots")] = annotations = generic.ArrayObject()
    annotations.get_object().append(field_ref)
    writer.update_container(page_object)
    form = writer.root.get("/AcroForm")
    if form is None:
        writer.root[pdf_name("/AcroForm")] = form = generic.DictionaryObject(
            {pdf_name("/Fields"): generic.ArrayObject()})
        writer.update_root()
    form = form.get_object()
    form["/Fields"].append(field_ref)
    form.setdefault(pdf_name("/DA"), pdf_string("/Helv 0 Tf 0 g"))
    writer.update_container(form)


def fill_fields(data: bytes, values: dict[str, str], *, title: str) -> bytes:
    """The PDF with these text fields' values written (those it has), and the Title set."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    for field_ref in writer.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        name = str(field.get("/T"))
        if field.get("/FT") != "/Tx" or name not in values or name not in STYLES:
            continue
        box = tuple(float(v) for v in field["/Rect"])
        field[pdf_name("/V")] = pdf_string(values[name])
        field[pdf_name("/AP")] = _appearance(writer, name, box, values[name])
        writer.mark_update(field_ref)
    writer.document_meta.title = title
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_values(data: bytes) -> dict[str, str]:
    """The text fields' values, by name."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    form = PdfFileReader(io.BytesIO(data)).root.get("/AcroForm")
    fields = [] if form is None else [f.get_object() for f in form.get_object()["/Fields"]]
    return {str(f["/T"]): str(f.get("/V", "")) for f in fields if f.get("/FT") == "/Tx"}


def _appearance(writer, name: str, box: tuple[float, ...], text: str):
    source, size = STYLES[name]
    width, height = round(box[2] - box[0]), round(box[3] - box[1])
    text_box = TextBox(
        TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font(source), font_size=size),
                     font_size=size, border_width=0, leading=round(size * 1.2),
                     box_layout_rule=layout.SimpleBoxLayoutRule(
                         x_align=layout.AxisAlignment.ALIGN_MID,
                         y_align=layout.AxisAlignment.ALIGN_MID,
                         margins=layout.Margins.uniform(0))),
        writer=writer, box=layout.BoxConstraints(width=width, height=height))
    text_box.content = "\n".join(wrap([text], width, size, source))  # as the page wraps it
    return generic.DictionaryObject({pdf_name("/N"): writer.add_object(
        text_box.as_form_xobject())})
