"""Benchmark: render and sign as RQ jobs, against the same work done by bare library calls.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 \\
        PYTHONPATH=. .venv/bin/python bench/jobs.py

Needs Redis: real `flask jobs worker` processes run the jobs, as in production.

1. Bare: WeasyPrint lays the letter out, pyHanko adds the signature fields and the seal
   (the key loaded from its PKCS#12 each time, as a job does), `--samples` times.
2. End to end, one worker: the same letter issued `--samples` times; each time, from the
   render job's hand-over to Redis (its relayed_at) until the seal is stored (sealed_at).
3. Memory: the worker's resident set after `--memory-jobs` more jobs (it runs jobs in its
   own process, so this is all the memory jobs take).
4. Throughput: `--throughput-docs` letters queued at once, two workers on the machine's two
   cores, until every one is sealed, delivered and verified.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import portal_app, summary, throwaway_database, timed

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--memory-jobs", type=int, default=200)
    parser.add_argument("--throughput-docs", type=int, default=40)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench/jobs.py needs REDIS_URL: it measures real RQ workers")
    with throwaway_database(os.environ.get("DATABASE_URL")) as url:
        _run(url, args)


def _run(url, args):
    storage = tempfile.mkdtemp()
    app = portal_app(url, STORAGE_DIR=storage)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "RQ_QUEUE": "portal-bench",
           "STORAGE_DIR": storage, "INSTANCE_DIR": app.config["INSTANCE_DIR"],
           "PYTHONPATH": str(ROOT)}
    with app.app_context():
        from portal.jobs.queue import queue

        queue().empty()  # the demo documents' jobs, already run by demo-data
        with _workers(env, 1) as pids:
            bare, end_to_end, phases = _bare_and_end_to_end(args.samples)
            rows = [("bare WeasyPrint + pyHanko: render, fields, seal", bare),
                    ("end to end through RQ, 1 worker (relayed → sealed)", end_to_end)]
            memory = _memory_after(pids[0], args.memory_jobs)
        with _workers(env, 2):
            per_minute = _throughput(args.throughput_docs)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, "
          f"{os.cpu_count()} cores")
    print("| measure | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} |")
    print(f"\nend to end ÷ bare (medians): {end_to_end[0] / bare[0]:.2f}×")
    print("end to end, phase by phase (medians, ms): " + ", ".join(
        f"{phase} {statistics.median(times):.1f}" for phase, times in phases.items()))
    print(f"worker after {args.memory_jobs} jobs: {memory['after'] / 1024:.0f} MB RSS "
          f"(after its first jobs: {memory['start'] / 1024:.0f} MB)")
    print(f"2 workers: {per_minute:.0f} documents per minute "
          f"(render, seal, dispatch and verify each, {args.throughput_docs} documents)")


def _letter(subject="V/v đẩy mạnh gửi, nhận văn bản điện tử có ký số"):
    """A letter from the ministry's office to one department, as a clerk drafts it."""
    from portal.auth.services import find_user_by_email
    from portal.documents import services as documents
    from portal.organisations.services import find_by_code
    from portal.transaction import action

    clerk = find_user_by_email("clerk.vp@demo.portal.gov.vn")
    fields = documents.DraftFields(
        doc_type="cong_van", subject=subject, recipient_ids=(find_by_code("HCM").id,),
        body="Thực hiện Quyết định số 28/2018/QĐ-TTg, đề nghị các Sở báo cáo. " * 8)
    with action():
        return documents.save_draft(fields, actor=clerk), clerk


def _bare_and_end_to_end(samples):
    """Both measures taken in turn, sample by sample, so that the machine's slow and fast
    moments fall on both alike."""
    bare = _bare_once()
    bare()  # fonts loaded once, as in a warm worker
    _issue_and_wait(1)  # and the worker's first job
    bare_times, end_to_end_times, phases = [], [], {}
    for _ in range(samples):
        bare_times.append(timed(bare, 1)[0])
        end_to_end_times.extend(_issue_and_wait(1, phases))
    return summary(bare_times), summary(end_to_end_times), phases


def _bare_once():
    """The job's work as bare library calls: WeasyPrint, then pyHanko's fields and seal."""
    from portal.clock import utcnow
    from portal.rendering.pdf import render_pdf
    from portal.rendering.values import document_values
    from portal.signing import keys
    from portal.signing.pdf import ORGANISATION_FIELD, add_signature_fields, sign

    document, _clerk = _letter()
    document.notation, document.issued_at = "1/BTNMT-VP", utcnow()  # laid out as issued
    values = document_values(document)
    identity = keys.organisation_identity(document.authority_id)
    lines = [document.authority.name, "Số: 1/BTNMT-VP", "Ngày: 23/11/2026",
             "Ký lúc: 23/11/2026 10:00 (GMT+7)"]

    def once():
        rendered = render_pdf(values)
        data = add_signature_fields(
            rendered.data, signature=(rendered.signature_page, rendered.signature_box),
            initials=(rendered.initials_page, rendered.initials_box))
        with keys.open_signer(identity) as signer:
            sign(data, signer, ORGANISATION_FIELD, lines)

    return once


class _workers:
    """`flask jobs worker` processes, stopped on exit."""

    def __init__(self, env, count):
        self.env, self.count, self.processes = env, count, []

    def __enter__(self):
        for _ in range(self.count):
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(4)  # imports and the preload before the first job
        return [p.pid for p in self.processes]

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def _issue_and_wait(count, phases=None):
    """Issue `count` letters; return each one's (relayed → sealed) time in ms once all are,
    and add to `phases` where that time went."""
    from sqlalchemy import select

    from portal.documents import services as documents
    from portal.documents.models import Document
    from portal.extensions import db
    from portal.jobs.models import Job
    from portal.transaction import action

    ids = []
    for _ in range(count):
        draft, clerk = _letter()
        with action():
            ids.append(documents.issue_document(draft, actor=clerk).id)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        db.session.rollback()
        waiting = db.session.scalar(select(db.func.count(Job.id)).where(
            Job.document_id.in_(ids), Job.state.in_(("queued", "running"))))
        done = db.session.scalar(select(db.func.count(Document.id)).where(
            Document.id.in_(ids), Document.sealed_at.is_not(None)))
        if done == len(ids) and not waiting:
            break
        time.sleep(0.05)  # the times come from the rows: polling only has to notice the end
    else:
        raise SystemExit("the workers did not finish in 10 minutes")
    failed = db.session.scalar(select(db.func.count(Job.id)).where(
        Job.document_id.in_(ids), Job.state == "failed"))
    if failed:
        raise SystemExit(f"{failed} jobs failed")
    times = []
    for document_id in ids:
        render, sign = (db.session.scalar(select(Job).where(Job.document_id == document_id,
                                                            Job.kind == kind))
                        for kind in ("render", "sign"))
        sealed = db.session.get(Document, document_id).sealed_at
        times.append((sealed - render.relayed_at).total_seconds() * 1000)
        for phase, (start, end) in {
                "render: waiting in Redis": (render.relayed_at, render.started_at),
                "render: running": (render.started_at, render.finished_at),
                "render done → seal started": (render.finished_at, sign.started_at),
                "seal: running until sealed": (sign.started_at, sealed)}.items():
            if phases is not None:
                phases.setdefault(phase, []).append((end - start).total_seconds() * 1000)
    return times


def _rss_kb(pid) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def _memory_after(pid, jobs):
    """The worker's resident set before and after about `jobs` jobs (three per letter)."""
    start = _rss_kb(pid)
    _issue_and_wait(-(-jobs // 3))
    return {"start": start, "after": _rss_kb(pid)}


def _throughput(documents):
    started = time.perf_counter()
    _issue_and_wait(documents)
    return documents / ((time.perf_counter() - started) / 60)


if __name__ == "__main__":
    main()
