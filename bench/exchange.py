"""Benchmark: the inbox over a million deliveries, and issuing to all 63 departments.

    PYTHONPATH=. .venv/bin/python bench/exchange.py --deliveries 1000000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test PYTHONPATH=. \\
        .venv/bin/python bench/exchange.py --deliveries 1000000

Builds a throwaway database, generates the deliveries (portal/demo/scale.py), then times
requests through Flask's test client as a department clerk (the portal's own work per
request, no network) and the issuing service as the ministry's clerk.
"""

import argparse
import os
import time

from common import portal_app, print_table, signed_in_client, summary, throwaway_database, timed

from portal.demo.scale import generate_deliveries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with throwaway_database(os.environ.get("DATABASE_URL")) as url:
        _run(url, args.deliveries, args.requests)


def _load(app, total):
    from sqlalchemy import text

    from portal.extensions import db

    with app.app_context():
        started = time.perf_counter()
        made = generate_deliveries(total)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"generated {made} deliveries in {time.perf_counter() - started:.0f} s")


def _deep_cursor(app, depth):
    """The cursor of the page that starts `depth` rows into the clerk's inbox."""
    from sqlalchemy import select

    from portal.deliveries.inbox import encode_cursor
    from portal.deliveries.models import Delivery
    from portal.extensions import db
    from portal.organisations.services import find_by_code

    with app.app_context():
        row = db.session.scalar(
            select(Delivery).where(Delivery.recipient_id == find_by_code("HCM").id)
            .order_by(Delivery.received_at.desc(), Delivery.id.desc()).offset(depth).limit(1))
        return encode_cursor(row, "newest")


def _issue_to_all(app, requests):
    from sqlalchemy import select

    from portal.auth.services import find_user_by_email
    from portal.documents import services
    from portal.extensions import db
    from portal.organisations.models import Organisation
    from portal.transaction import action

    with app.app_context():
        clerk = find_user_by_email("clerk.vp@demo.portal.gov.vn")
        departments = tuple(db.session.scalars(select(Organisation.id).where(
            Organisation.kind == "department")))

        def issue():
            fields = services.DraftFields(doc_type="cong_van", subject="V/v đo thời gian",
                                          recipient_ids=departments, due_working_days=5)
            with action():  # one action, as the compose form's "save and issue"
                return services.issue_document(services.save_draft(fields, actor=clerk),
                                               actor=clerk)

        issuing = timed(issue, requests)
        if app.config["REDIS_URL"]:
            from portal.jobs.queue import queue

            queue().empty()  # the render jobs the issues queued: nobody runs them here
        document = issue()
        return issuing, _render(document), _dispatch(document.id, requests)


def _dispatch(document_id, requests):
    """The dispatch job's work: 63 deliveries with their working-day deadlines, the tallies,
    audit, commit; each time on the same document, its deliveries removed before."""
    from sqlalchemy import delete, update

    from portal.deliveries.models import Delivery
    from portal.documents.models import Document
    from portal.documents.tasks import dispatch_document
    from portal.extensions import db
    from portal.jobs.models import Job

    job = Job(kind="dispatch", document_id=document_id)
    db.session.add(job)
    db.session.commit()
    samples = []
    for _ in range(requests):
        db.session.execute(delete(Delivery).where(Delivery.document_id == document_id))
        db.session.execute(update(Document).where(Document.id == document_id)
                           .values(dispatched_at=None))
        db.session.commit()
        start = time.perf_counter()
        dispatch_document(job)
        db.session.commit()  # as the runner commits the job's work with its end
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def _render(document):
    """WeasyPrint laying out one issued letter to all 63 departments (the render job's work)."""
    from portal.rendering.pdf import render_pdf
    from portal.rendering.values import document_values

    render_pdf(document_values(document))  # the first render loads the fonts
    return timed(lambda: render_pdf(document_values(document)), 20)


def _run(url, total, requests):
    app = portal_app(url)
    _load(app, total)
    client = signed_in_client(app, "clerk.hcm@demo.portal.gov.vn")
    depth = min(10_000, total // 63 // 2)
    deep = _deep_cursor(app, depth)

    def get(path, headers=None):
        return lambda: client.get(path, headers=headers).status_code == 200 or _fail(path)

    htmx = {"HX-Request": "true"}

    rows = [
        ("GET /inbox/?tab=all (first page, counts)", timed(get("/inbox/?tab=all"), requests)),
        (f"GET /inbox/?tab=all, {depth:,} rows deep",
         timed(get(f"/inbox/?tab=all&after={deep}"), requests)),
        ("the same first page as an htmx fragment", timed(get("/inbox/?tab=all", htmx),
                                                           requests)),
        (f"the same page {depth:,} rows deep as an htmx fragment (Next page)",
         timed(get(f"/inbox/?tab=all&after={deep}", htmx), requests)),
        ("GET /inbox/?tab=overdue", timed(get("/inbox/?tab=overdue"), requests)),
        ("GET /inbox/?tab=all&q=dat dai (search)", timed(get("/inbox/?tab=all&q=dat+dai"),
                                                         requests)),
        ("GET /inbox/?tab=all&sort=deadline", timed(get("/inbox/?tab=all&sort=deadline"),
                                                    requests)),
    ]
    issuing, rendering, dispatching = _issue_to_all(app, requests)
    jobs = ("its jobs queued in Redis" if app.config["REDIS_URL"]
            else "its jobs run inline: render, dispatch, verify")
    rows += [(f"issue_document to 63 departments ({jobs})", issuing),
             ("render the letter's PDF (WeasyPrint, a job's work)", rendering),
             ("dispatch: 63 deliveries with deadlines (a job's work)", dispatching)]
    print(f"deliveries: {total}")
    print_table(url, rows)


def _fail(path):
    raise AssertionError(f"{path} did not answer 200")


if __name__ == "__main__":
    main()
