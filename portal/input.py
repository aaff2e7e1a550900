"""What the portal refuses in any request before a view reads it: text it cannot store.

PostgreSQL refuses a NUL character in text, and no encoding writes an unpaired surrogate
(JSON can carry both, "\\u0000" and "\\ud800"). A request holding one anywhere (the path, a
query or form value or name, an uploaded file's name, a header, a string or key of a JSON
body) is answered 400 before anything is read or stored: such a value is never typed by a
person, and refusing it here means no view, service or query has to think about it. The
other control and invisible characters are cleaned out of typed text where it is read
(portal.forms, the API's parsing; see portal.documents.text).

An uploaded file's name is refused for any control character too: it ends up in a
`Content-Disposition` header, where a line break cannot go.
"""

import unicodedata

from flask import request
from flask_babel import gettext as _

from portal.errors import refusal


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)


def _texts():
    yield request.path
    for pair in request.args.items(multi=True):
        yield from pair
    for name, value in request.headers.items():
        yield name
        yield value
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for pair in request.form.items(multi=True):
            yield from pair
        for name, upload in request.files.items(multi=True):
            yield name
            yield upload.filename or ""
        if request.is_json:
            yield from _json_strings(request.get_json(silent=True))


def _bad_file_name() -> bool:
    return any(unicodedata.category(c) == "Cc"
               for _name, upload in request.files.items(multi=True)
               for c in upload.filename or "")


def refuse_unstorable_text():
    """A before_request hook: 400 for a request carrying text no database can store."""
    if any(_unstorable(text) for text in _texts()):
        return refusal(400, _("The request contains a NUL character (\\0) or another "
                              "character that cannot be stored. Nothing was saved: remove "
                              "it and send again."))
    if request.method == "POST" and request.files and _bad_file_name():
        return refusal(400, _("The file name contains control characters. Nothing was "
                              "saved: rename the file and attach it again."))
    return None
