"""What in a PDF could act on the reader's computer: scripts, programs started, form data sent
away, other files opened or carried inside, rich media, XFA forms.

An official document has no reason to hold any of it. The check walks every object the file
holds, from its trailer and from its cross-reference tables alike (a viewer that repairs a
file may find an object no reference leads to), and looks at each dictionary for itself: an
action is dangerous by its type wherever it hangs (/OpenAction, any /AA, a link's /A, a /Next).
Plain links (/URI) and moves inside the document (/GoTo) are fine, and so are signature
fields. A hostile file may be built to make the walk long, so it is bounded; a file that
cannot be walked within the bounds is not accepted.
"""

import time

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# The bounds of the walk. A 525-page report made by WeasyPrint, a link on every page, holds
# 6,800 dictionaries and arrays, walked in 0.2 s; a 20 MB file built of nothing but 400,000
# tiny objects would hold a web worker for about ten seconds, and stops at a bound first.
MAX_CONTAINERS = 200_000
MAX_SECONDS = 5.0

JAVASCRIPT = _l("JavaScript")
LAUNCH = _l("an action that starts a program (Launch)")
SUBMIT_FORM = _l("an action that sends form data away (SubmitForm)")
IMPORT_DATA = _l("an action that imports data from another file (ImportData)")
OTHER_FILE = _l("a link that opens another file (GoToR, GoToE)")
EMBEDDED_FILE = _l("files embedded in it")
RICH_MEDIA = _l("multimedia or 3D content (RichMedia)")
XFA_FORM = _l("an XFA form")
# The order findings are named in.
FINDINGS = (JAVASCRIPT, LAUNCH, SUBMIT_FORM, IMPORT_DATA, OTHER_FILE, EMBEDDED_FILE,
            RICH_MEDIA, XFA_FORM)

DANGEROUS_ACTIONS = {"/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/SubmitForm": SUBMIT_FORM,
                     "/ImportData": IMPORT_DATA, "/GoToR": OTHER_FILE, "/GoToE": OTHER_FILE}
# Keys that only the dangerous things have: /JS (a script), /JavaScript and /EmbeddedFiles
# (the name trees of a catalogue's /Names), /EF (a file specification carrying the file),
# /RichMediaContent, /XFA (an AcroForm's XML form).
DANGEROUS_KEYS = {"/JS": JAVASCRIPT, "/JavaScript": JAVASCRIPT, "/EmbeddedFiles": EMBEDDED_FILE,
                  "/EF": EMBEDDED_FILE, "/RichMediaContent": RICH_MEDIA, "/XFA": XFA_FORM}
DANGEROUS_TYPES = {"/EmbeddedFile": EMBEDDED_FILE}
DANGEROUS_SUBTYPES = {"/FileAttachment": EMBEDDED_FILE, "/RichMedia": RICH_MEDIA,
                      "/3D": RICH_MEDIA}


class WalkTooLong(Exception):
    """The file holds more than the check will look at; it is refused as damaged."""


def active_content(reader: PdfReader) -> list:
    """The kinds of active content the file holds, in FINDINGS' order ([] for a plain PDF).

    Raises WalkTooLong past the bounds, and whatever pypdf raises on an object it cannot read.
    Each object is looked at once, however many references lead to it (cycles included); the
    walk keeps its own list of what is left, so no depth of nesting exhausts Python's stack.
    """
    deadline = time.monotonic() + MAX_SECONDS
    found = set()
    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer, *_listed_objects(reader)]
    looked_at = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if not isinstance(node, (DictionaryObject, ArrayObject)):
            continue
        looked_at += 1
        if looked_at > MAX_CONTAINERS or time.monotonic() > deadline:
            raise WalkTooLong
        if isinstance(node, DictionaryObject):
            found.update(_findings_in(node))
            children = dict.values(node)  # as written: references stay unresolved
        else:
            children = list.__iter__(node)
        pending.extend(c for c in children
                       if isinstance(c, (IndirectObject, DictionaryObject, ArrayObject)))
    return [finding for finding in FINDINGS if finding in found]


def _listed_objects(reader: PdfReader) -> list[IndirectObject]:
    """Every object the cross-reference tables list, in object streams too."""
    listed = [IndirectObject(number, generation, reader)
              for generation, numbers in reader.xref.items() for number in numbers]
    listed += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    return listed


def _findings_in(dictionary: DictionaryObject) -> set:
    found = {finding for key, finding in DANGEROUS_KEYS.items() if key in dictionary}
    action = _name(dictionary, "/S")
    if action in DANGEROUS_ACTIONS:
        found.add(DANGEROUS_ACTIONS[action])
    elif action == "/URI" and _is_script_link(dictionary):
        found.add(JAVASCRIPT)
    for key, table in (("/Type", DANGEROUS_TYPES), ("/Subtype", DANGEROUS_SUBTYPES)):
        name = _name(dictionary, key)
        if name in table:
            found.add(table[name])
    return found


def _name(dictionary: DictionaryObject, key: str) -> str | None:
    value = dict.get(dictionary, key)
    value = value.get_object() if value is not None else None
    return value if isinstance(value, str) else None


def _is_script_link(action: DictionaryObject) -> bool:
    target = dict.get(action, "/URI")
    target = target.get_object() if target is not None else None
    if isinstance(target, bytes):
        target = target.decode("latin-1")
    return isinstance(target, str) and target.strip().lower().startswith("javascript:")
