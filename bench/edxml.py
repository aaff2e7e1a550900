"""Benchmark: edXML export and import of a package with a 300 kB PDF, beside the bare work on
the same bytes, and the peak memory of importing one 50 MB package.

    PYTHONPATH=. .venv/bin/python bench/edxml.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test PYTHONPATH=. \\
        .venv/bin/python bench/edxml.py

1. Export: `package_bytes` of a package with every header field and one 300 kB PDF (a new
   PDF each sample), beside the bare work: base64 of the same PDF and lxml serialising it.
2. Import: `read_message` of such a package (streamed, base64 decoded into a file, hashed,
   checked against the manifest's SHA-256), `store_path` of its attachment and the commit of
   its row, beside the bare work on the same bytes: lxml parses the package whole, base64
   decodes the attachment, the file is written under its SHA-256 and one raw INSERT of its
   row is committed. The two taken in turn, sample by sample, as bench/jobs.py does.
   Also: the same package signed (an EC key), written and read (the signature verified).
3. Memory: one 50 MB attachment (about 68 MB of XML) written to disk, then imported by a
   child process with the portal's app (read, decode, store_path, commit), and read by a
   child with only Flask and the reader loaded (what reading itself adds, the app's own
   160 MB aside); each child's peak resident set from getrusage, before and after.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import summary, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
PDF_BYTES = 300 * 1024
LARGE_BYTES = 50 * 1024 * 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--child", nargs=2, metavar=("URL", "PACKAGE"), help=argparse.SUPPRESS)
    parser.add_argument("--reader-child", metavar="PACKAGE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(*args.child)
    if args.reader_child:
        return _reader_child(args.reader_child)
    with throwaway_database(os.environ.get("DATABASE_URL")) as url:
        app = _app(url)
        with app.app_context():
            rows = _rates(args.samples)
        rows.extend(_memory(url))
    print(f"database: {url.split(':', 1)[0]}")
    print("| measure | median ms | p95 ms |\n|---|---|---|")
    for name, value in rows:
        if isinstance(value, tuple):
            print(f"| {name} | {value[0]:.2f} | {value[1]:.2f} |")
        else:
            print(f"| {name} | {value} | |")


def _app(url):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_DIR": tempfile.mkdtemp(),
                      "STORAGE_DIR": tempfile.mkdtemp(prefix="bench-storage-")})
    with app.app_context():
        upgrade()
    return app


def _pdf() -> bytes:
    return b"%PDF-1.7\n" + os.urandom(PDF_BYTES - 9)  # incompressible, as a scanned PDF is


def _package(attachment):
    from tests.interop.edxml.messages import full_package

    return full_package(attachments=[attachment])


def _rates(samples: int):
    from lxml import etree
    from sqlalchemy import text

    from portal.clock import utcnow
    from portal.extensions import db
    from portal.interop.edxml.model import Attachment
    from portal.interop.edxml.reader import read_message
    from portal.interop.edxml.writer import package_bytes
    from portal.storage.services import store_path
    from tests.interop.edxml.keys import Authority

    signing = Authority().signing()  # an EC key, as the development PKI gives organisations
    timings = {"export": [], "bare export": [], "import": [], "bare import": [], "commit": [],
               "read": [], "store": [], "signed export": [], "signed read": []}
    work = Path(tempfile.mkdtemp(prefix="bench-edxml-"))

    def clock(name, function, *args, **kwargs):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        timings[name].append((time.perf_counter() - started) * 1000)
        return result

    def bare_export(pdf):
        root = etree.Element("edXML")
        etree.SubElement(root, "ContentTransferEncoded").text = base64.encodebytes(pdf)
        return etree.tostring(root)

    def bare_import(data, sample):
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        decoded = base64.b64decode(root.findtext(".//{*}ContentTransferEncoded"))
        digest = hashlib.sha256(decoded).hexdigest()
        (work / f"bare-{digest}").write_bytes(decoded)
        db.session.execute(text(  # the same row store_path makes, as one raw INSERT
            "INSERT INTO stored_file (sha256, size, content_type, created_at) "
            "VALUES (:sha256, :size, 'application/pdf', :at)"),
            {"sha256": f"bare-{sample}-{digest}"[:64], "size": len(decoded), "at": utcnow()})
        db.session.commit()

    def import_(data, sample):
        folder = work / f"import-{sample}"
        folder.mkdir()
        read = clock("read", read_message, io.BytesIO(data), workdir=folder,
                     max_bytes=80 * 1024 * 1024)
        for attachment in read.message.attachments:
            clock("store", store_path, attachment.path, attachment.content_type,
                  sha256=attachment.sha256)
        clock("commit", db.session.commit)

    for sample in range(samples + 3):  # the first three warm up, and are left out
        pdf = _pdf()
        attachment = Attachment(content_id="a1", name="van-ban.pdf",
                                content_type="application/pdf", data=pdf)
        data = clock("export", package_bytes, _package(attachment))
        clock("bare export", bare_export, pdf)
        clock("import", import_, data, sample)
        clock("bare import", bare_import, data, sample)
        signed = clock("signed export", package_bytes, _package(attachment), signing)
        folder = work / f"signed-{sample}"
        folder.mkdir()
        clock("signed read", read_message, io.BytesIO(signed), workdir=folder,
              max_bytes=80 * 1024 * 1024)
        if sample < 3:
            for values in timings.values():
                values.clear()
    export, bare_export_ = summary(timings["export"]), summary(timings["bare export"])
    import__, bare_import_ = summary(timings["import"]), summary(timings["bare import"])
    return [
        (f"export: package_bytes, one {PDF_BYTES // 1024} kB PDF", export),
        ("bare export: base64 + lxml serialise", bare_export_),
        ("export ÷ bare (medians)", f"{export[0] / bare_export_[0]:.2f}×"),
        ("import: read_message + store_path + commit", import__),
        ("of which read_message (parse, decode, hash, check)", summary(timings["read"])),
        ("of which store_path (row, link)", summary(timings["store"])),
        ("of which the commit (the StoredFile row)", summary(timings["commit"])),
        ("bare import: lxml parse + base64 decode + SHA-256 + write + INSERT + commit",
         bare_import_),
        ("import ÷ bare (medians)", f"{import__[0] / bare_import_[0]:.2f}×"),
        ("read_message alone ÷ bare (medians)",
         f"{summary(timings['read'])[0] / bare_import_[0]:.2f}×"),
        ("export signed (EC P-256, signxml)", summary(timings["signed export"])),
        ("read_message of the signed package (signature verified)",
         summary(timings["signed read"])),
        ("packages per second, export / import",
         f"{1000 / export[0]:.0f} / {1000 / import__[0]:.0f}"),
    ]


def _memory(url: str):
    from portal.interop.edxml.model import Attachment
    from portal.interop.edxml.writer import write_package

    folder = Path(tempfile.mkdtemp(prefix="bench-edxml-large-"))
    source = folder / "large.pdf"
    with source.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        for _ in range(LARGE_BYTES // (1024 * 1024)):
            f.write(os.urandom(1024 * 1024))
    package = folder / "package.xml"
    with package.open("wb") as f:
        write_package(_package(Attachment(content_id="big", name="large.pdf",
                                          content_type="application/pdf", path=source)), f)
    size_mb = package.stat().st_size / (1024 * 1024)
    import_ = _run_child("--child", url, str(package))
    alone = _run_child("--reader-child", str(package))
    return [
        (f"import of one {LARGE_BYTES // (1024 * 1024)} MB attachment ({size_mb:.0f} MB of XML), "
         "the portal's app in a child: peak RSS", _peak(import_)),
        ("the reader alone in a child (no app, no database): peak RSS",
         _peak(alone)),
    ]


def _run_child(*arguments) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=True,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(result.stdout.strip().splitlines()[-1])


def _peak(found: dict) -> str:
    return (f"{found['after'] / 1024:.0f} MB while reading (resident before: "
            f"{found['before'] / 1024:.0f} MB; the process's peak, getrusage: "
            f"{found['maxrss'] / 1024:.0f} MB), {found['seconds']:.1f} s")


def _reader_child(package: str):
    from flask import Flask
    from flask_babel import Babel

    from portal.interop.edxml.reader import read_message

    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        before, started = _reset_peak(), time.perf_counter()
        with open(package, "rb") as f:
            read_message(f, workdir=Path(tempfile.mkdtemp(prefix="bench-edxml-alone-")),
                         max_bytes=80 * 1024 * 1024)
        print(json.dumps(_peaks(before, started)))


def _reset_peak() -> int:
    """The resident set now, in kB, with the kernel's high-water mark (VmHWM) reset to it, so
    that the peak read afterwards is the reading's own (the imports' peak set aside)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def _peaks(before: int, started: float) -> dict:
    import resource

    return {"before": before, "after": _status("VmHWM"),
            "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "seconds": time.perf_counter() - started}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _child(url: str, package: str):
    from portal import create_app
    from portal.extensions import db
    from portal.interop.edxml.reader import read_message
    from portal.storage.services import store_path

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_DIR": tempfile.mkdtemp(),
                      "STORAGE_DIR": tempfile.mkdtemp(prefix="bench-storage-")})
    with app.app_context():
        before, started = _reset_peak(), time.perf_counter()
        work = Path(tempfile.mkdtemp(prefix="bench-edxml-child-"))
        with open(package, "rb") as f:
            read = read_message(f, workdir=work, max_bytes=80 * 1024 * 1024)
        for attachment in read.message.attachments:
            store_path(attachment.path, attachment.content_type)
        db.session.commit()
        print(json.dumps(_peaks(before, started)))


if __name__ == "__main__":
    main()
