"""Hand kept files to browsers: as attachments unless the portal shows its own PDF of record.

A file someone uploaded is downloaded, never opened in the portal's origin, and its response
is sandboxed besides (a `Content-Security-Policy` with `sandbox`: were a browser to render it
anyway, nothing in it could run as the portal). The PDF of record is shown inline, without
the sandbox: Chrome's and Safari's PDF viewers refuse to run in a sandboxed document; it is
the portal's own rendering, or an uploaded PDF checked for active content as it came in.
Every response carries `nosniff` (portal.headers), so the declared type is the only one.
"""

import unicodedata
from urllib.parse import quote

from flask import Response, send_file

from portal.storage.models import StoredFile
from portal.storage.services import path_of

# For a download: nothing runs, nothing loads, nobody frames it.
ATTACHMENT_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
# RFC 8187 attr-char, besides letters and digits: what filename* may carry unescaped.
_ATTR_CHARS = "!#$&+-.^_`|~"


def send_pdf(stored: StoredFile, name: str, *, inline: bool = False,
             mimetype: str = "application/pdf") -> Response:
    """The stored PDF under `name` (already a clean name), to be downloaded unless inline."""
    response = send_file(path_of(stored), mimetype=mimetype)
    response.headers["Content-Disposition"] = disposition(name, inline=inline)
    response.cache_control.private = True  # people's documents: never kept by a shared cache
    if not inline:
        response.headers["Content-Security-Policy"] = ATTACHMENT_POLICY
    return response


def send_download(stored: StoredFile, name: str) -> Response:
    """A kept file the portal does not open (not a checked PDF): downloaded as bytes of no
    type, whatever its sender called it, sandboxed besides."""
    return send_pdf(stored, name, mimetype="application/octet-stream")


def disposition(name: str, *, inline: bool = False) -> str:
    """A Content-Disposition value (RFC 6266): the name in plain ASCII for old clients, and
    as UTF-8 in filename* when it has other letters (Vietnamese names do)."""
    value = f'{"inline" if inline else "attachment"}; filename="{ascii_name(name)}"'
    if not name.isascii():
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value


def ascii_name(name: str) -> str:
    """"Báo cáo đất đai.pdf" → "Bao cao dat dai.pdf": letters lose their marks, anything else
    outside printable ASCII (and the quote and backslash a quoted string cannot hold) is _."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(
        "" if unicodedata.combining(c) else
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
        for c in decomposed)
