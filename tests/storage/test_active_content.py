"""A PDF that could act on its reader's computer is refused, however it hides it; the portal's
own PDFs of record, signed or not, and plain PDFs with links pass.

The files are real: built with pypdf as a tool would build them, or written object by object
where the point is a shape no tool makes (an object nothing refers to, escaped names, cycles).
"""

import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.annotations import Link, Text
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from portal.documents import services as documents
from portal.signing import chain
from portal.storage import active_content
from portal.storage.active_content import JAVASCRIPT
from portal.storage.services import ActiveContentError, UploadError, check_pdf, read_bytes
from portal.transaction import action
from tests.pdfs import blank_pdf, text_pdf
from tests.signing.test_chain import Chain


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _name(text: str) -> NameObject:
    return NameObject(text)


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({_name("/S"): _name(kind)})
    action.update({_name(f"/{k}"): v for k, v in entries.items()})
    return action


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _with_open_action(action: DictionaryObject) -> bytes:
    writer = _one_page()
    writer.root_object[_name("/OpenAction")] = writer._add_object(action)
    return _written(writer)


def _with_link(action: DictionaryObject) -> bytes:
    writer = _one_page()
    link = Link(rect=(50, 50, 200, 80), url="https://example.gov.vn")
    link[_name("/A")] = action
    writer.add_annotation(0, link)
    return _written(writer)


def _document_script() -> bytes:
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert('xin chào');"))  # pypdf 7's add_js
    return _written(writer)


def _embedded_file() -> bytes:
    writer = _one_page()
    with action():
        writer.add_attachment("hoa-don.exe", b"MZ\x90\x00")
    return _written(writer)


def _page_script() -> bytes:
    writer = _one_page()
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript("app.launchURL('http://x');"))
    return _written(writer)


def _annotation_script() -> bytes:
    writer = _one_page()
    note = Text(rect=(50, 50, 80, 80), text="Ghi chú")
    note[_name("/AA")] = DictionaryObject({_name("/E"): _action(
        "/JavaScript", JS=TextStringObject("app.alert(1)"))})
    writer.add_annotation(0, note)
    return _written(writer)


def _field_script() -> bytes:
    """A text field whose keystroke action (/AA /K) runs a script, as forms do."""
    writer = _one_page()
    field = DictionaryObject({
        _name("/FT"): _name("/Tx"), _name("/T"): TextStringObject("so_tien"),
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Widget"),
        _name("/Rect"): ArrayObject([NumberObject(50), NumberObject(50), NumberObject(200),
                                     NumberObject(70)]),
        _name("/AA"): DictionaryObject({_name("/K"): _action(
            "/JavaScript", JS=TextStringObject("AFNumber_Keystroke(0);"))})})
    reference = writer._add_object(field)
    writer.pages[0][_name("/Annots")] = ArrayObject([reference])
    writer.root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject([reference])})
    return _written(writer)


def _script_behind_references() -> bytes:
    """/OpenAction → (reference) a /GoTo whose /Next → (reference) an array → (reference) an
    action whose /S and /JS are themselves references."""
    writer = _one_page()
    script = writer._add_object(DictionaryObject({
        _name("/S"): writer._add_object(_name("/JavaScript")),
        _name("/JS"): writer._add_object(TextStringObject("app.alert(1)"))}))
    chained = writer._add_object(ArrayObject([script]))
    first = _action("/GoTo", D=ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")]),
                    Next=chained)
    writer.root_object[_name("/OpenAction")] = writer._add_object(first)
    return _written(writer)


def _xfa_form() -> bytes:
    writer = _one_page()
    xfa = writer._add_object(TextStringObject("<xdp:xdp/>"))
    writer.root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject(), _name("/XFA"): xfa})
    return _written(writer)


def _annotation(subtype: str) -> bytes:
    writer = _one_page()
    writer.add_annotation(0, DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name(subtype),
        _name("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10),
                                     NumberObject(10)])}))
    return _written(writer)


def _weasyprint_attachment() -> bytes:
    """Another producer's embedded file, its objects in compressed object streams."""
    from weasyprint import HTML, Attachment

    return HTML(string="<p>Phụ lục</p>").write_pdf(
        attachments=[Attachment(string="<script>x</script>", name="phu-luc.html")])


def _script_appended(data: bytes) -> bytes:
    """The file as it was, with an incremental update that adds a script when opened."""
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_open_action(JavaScript("app.alert(1)"))
    return _written(writer)


def _raw_pdf(*objects: bytes, catalogue: bytes = b"") -> bytes:
    """A PDF written object by object: 1 the catalogue (with `catalogue` in it), 2 the pages,
    3 the page, then `objects` from 4 on; with a correct cross-reference table."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R " + catalogue + b" >>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", *objects]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, table)
    return bytes(out)


def _chain_of_arrays(length: int, *, end: bytes = b"<< >>") -> bytes:
    """The catalogue leads to an array that leads to the next, `length` times, then to `end`."""
    links = [b"[%d 0 R]" % (5 + i) for i in range(length)]
    return _raw_pdf(*links, end, catalogue=b"/Extra 4 0 R")


HOSTILE = {
    "document JavaScript (name tree)": (_document_script, "JavaScript"),
    "embedded file": (_embedded_file, "tệp nhúng"),
    "embedded file, in object streams": (_weasyprint_attachment, "tệp nhúng"),
    "script in an incremental update": (lambda: _script_appended(blank_pdf()), "JavaScript"),
    "/OpenAction /Launch": (lambda: _with_open_action(_action(
        "/Launch", F=TextStringObject("cmd.exe"))), "Launch"),
    "/OpenAction /JavaScript": (lambda: _with_open_action(_action(
        "/JavaScript", JS=TextStringObject("app.alert(1)"))), "JavaScript"),
    "page /AA": (_page_script, "JavaScript"),
    "annotation /AA": (_annotation_script, "JavaScript"),
    "form field /AA": (_field_script, "JavaScript"),
    "behind indirect references and /Next": (_script_behind_references, "JavaScript"),
    "link /SubmitForm": (lambda: _with_link(_action(
        "/SubmitForm", F=TextStringObject("http://x/collect"))), "SubmitForm"),
    "link /ImportData": (lambda: _with_link(_action(
        "/ImportData", F=TextStringObject("data.fdf"))), "ImportData"),
    "link /GoToR": (lambda: _with_link(_action(
        "/GoToR", F=TextStringObject("\\\\server\\share\\x.pdf"),
        D=ArrayObject([NumberObject(0), _name("/Fit")]))), "GoToR"),
    "link /GoToE": (lambda: _with_link(_action("/GoToE", D=ArrayObject())), "GoToR"),
    "javascript: link": (lambda: _with_link(_action(
        "/URI", URI=TextStringObject(" JavaScript:app.alert(1)"))), "JavaScript"),
    "file attachment annotation": (lambda: _annotation("/FileAttachment"), "tệp nhúng"),
    "rich media annotation": (lambda: _annotation("/RichMedia"), "RichMedia"),
    "XFA form": (_xfa_form, "XFA"),
    "an object nothing refers to": (lambda: _raw_pdf(
        b"<< /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"),
    "names escaped as #xx": (lambda: _raw_pdf(
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>", catalogue=b"/OpenAction 4 0 R"),
        "JavaScript"),
    "a cycle of references": (lambda: _raw_pdf(
        b"[5 0 R]", b"[4 0 R 6 0 R]", b"<< /S /Launch /F (calc.exe) >>",
        catalogue=b"/Extra 4 0 R"), "Launch"),
    "at the end of a long chain": (lambda: _chain_of_arrays(
        3000, end=b"<< /S /JavaScript /JS (1) >>"), "JavaScript"),
}


@pytest.mark.parametrize("build, found", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_pdf_with_active_content_is_refused_saying_what_it_found(app, build, found):
    with pytest.raises(ActiveContentError) as refusal:
        check_pdf(build(), "công văn.pdf")
    message = str(refusal.value)
    assert message.startswith("Không nhận tệp công văn.pdf: tệp có ") and found in message
    assert "Chưa có gì được lưu" in message


def test_the_refusal_names_everything_found_in_english_too(app):
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert(1)"))
    with action():
        writer.add_attachment("a.txt", b"x")
    with force_locale("en"), pytest.raises(ActiveContentError) as refusal:
        check_pdf(_written(writer), "x.pdf")
    assert str(refusal.value).startswith(
        "x.pdf is not accepted: it contains JavaScript, files embedded in it.")


def test_an_encrypted_pdf_that_opens_without_a_password_is_checked_too(app):
    writer = _one_page()
    writer.add_open_action(JavaScript("app.alert(1)"))
    writer.encrypt(user_password="", owner_password="chủ sở hữu")
    with pytest.raises(ActiveContentError, match="JavaScript"):
        check_pdf(_written(writer), "x.pdf")


@pytest.mark.parametrize("build", [
    lambda: blank_pdf(3),
    lambda: _with_link(_action("/URI", URI=TextStringObject("https://monre.gov.vn"))),
    lambda: _with_open_action(_action("/GoTo", D=ArrayObject([NumberObject(0),
                                                                _name("/Fit")]))),
    lambda: _raw_pdf(b"[4 0 R]", catalogue=b"/Extra 4 0 R"),  # refers to itself
    lambda: _chain_of_arrays(3000),
], ids=["blank pages", "a web link", "open on the first page", "a self-reference",
        "a long chain"])
def test_plain_pdfs_pass(app, build):
    assert check_pdf(build(), "x.pdf").pages >= 1


def test_a_weasyprint_pdf_with_links_passes(app):
    data = text_pdf("Xem https://monre.gov.vn", "Bộ Tài nguyên và Môi trường")
    assert active_content.active_content(PdfReader(io.BytesIO(data))) == []
    assert check_pdf(data, "x.pdf").pages == 1


def test_the_portals_pdfs_of_record_pass_unsigned_signed_and_sealed(app, make, run_jobs):
    """Signature fields, signatures and seals are form fields, not active content: the
    letter as laid out with its empty fields, after each signature, and as issued."""
    setup = Chain(make)
    setup.submit()
    run_jobs()
    files = {"laid out": read_bytes(setup.reload().pdf_file)}
    for person in (setup.unit_leader, setup.office_leader, setup.minister):
        with action():
            chain.approve(setup.reload(), actor=person)
        run_jobs()
    with action():
        documents.issue_document(setup.reload(), actor=setup.clerk)
    run_jobs()
    issued = setup.reload()
    assert issued.sealed_at is not None
    files |= {f"signed into {step.field}": read_bytes(step.signed_file)
              for step in chain.steps_of(issued)}
    files["issued"] = data = read_bytes(issued.pdf_file)
    # Changed after signing (its verification says so): still no active content.
    at = data.index(b"/Type /Page") + 1
    files["tampered"] = data[:at] + b"X" + data[at + 1:]
    assert len(files) == 6
    for name, data in files.items():
        assert check_pdf(data, f"{name}.pdf").pages == 1, name
    # A script added to the signed file afterwards, as an update after the signatures.
    appended = _script_appended(files["issued"])
    assert appended.startswith(files["issued"])
    with pytest.raises(ActiveContentError, match="JavaScript"):
        check_pdf(appended, "issued.pdf")


def test_a_file_nested_too_deep_to_read_is_refused_as_damaged(app):
    data = _raw_pdf(b"[" * 5000 + b"]" * 5000, catalogue=b"/Extra 4 0 R")
    with pytest.raises(UploadError, match="bị hỏng"):
        check_pdf(data, "x.pdf")


def test_a_file_too_big_to_walk_within_the_bounds_is_refused_as_damaged(app, monkeypatch):
    monkeypatch.setattr(active_content, "MAX_CONTAINERS", 1000)
    with pytest.raises(UploadError, match="bị hỏng"):
        check_pdf(_chain_of_arrays(1001), "x.pdf")
    assert check_pdf(_chain_of_arrays(900), "x.pdf").pages == 1
    monkeypatch.setattr(active_content, "MAX_SECONDS", 0)
    with pytest.raises(UploadError, match="bị hỏng"):
        check_pdf(_chain_of_arrays(10), "x.pdf")


def test_the_walk_looks_at_each_object_once(app, monkeypatch):
    """A thousand references to one script: looked at once, well within ten containers."""
    monkeypatch.setattr(active_content, "MAX_CONTAINERS", 10)
    body = b"[" + b" 5 0 R" * 1000 + b"]"
    reader = PdfReader(io.BytesIO(_raw_pdf(body, b"<< /S /JavaScript /JS (x) >>",
                                           catalogue=b"/Extra 4 0 R")))
    assert active_content.active_content(reader) == [JAVASCRIPT]
