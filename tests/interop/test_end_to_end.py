"""Done when: a document the ministry issues in portal 1 to a department on the axis reaches
portal 2 through the simulator, its clerk acknowledges it there, and portal 1's tracking page
shows 03 for that department.

Two portals, each with its own database (on SQLite two files; on PostgreSQL two databases,
the second made here and dropped at the end), each served for real on 127.0.0.1, and the axis
simulator between them. With REDIS_URL the jobs run on a real RQ worker (each portal its own
queue); on the embedded default they run inline, as there.
"""

import re
from dataclasses import dataclass

import pytest
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import select

from portal import create_app
from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.extensions import db
from portal.interop.models import AxisMessage, Direction, MessageState
from portal.interop.simulator import Route, Settings
from portal.interop.tokens import issue_axis_token
from portal.organisations.services import set_axis_details
from portal.transaction import action
from tests.conftest import AuthActions, csrf_token_from, database_of_its_own, jobs_runner
from tests.factories import Factory
from tests.interop.simulated_axis import RunningSimulator, get, serve_wsgi, wait_for

MINISTRY_ID = "000.00.00.G14"
DEPARTMENT_ID = "000.00.12.H30"  # the same department, on the axis in portal 1, here in 2
PORTAL_1_SENDS_WITH, PORTAL_2_SENDS_WITH = "axis-sender-1", "axis-sender-2"
SUBJECT = "V/v báo cáo tình hình sản xuất vụ Đông Xuân 2026"


@pytest.fixture
def second_database(tmp_path):
    """Portal 2's database: a SQLite file, or a PostgreSQL database made and dropped here."""
    with database_of_its_own(tmp_path / "portal-2.db", suffix="_2") as url:
        yield url


@pytest.fixture
def axis(tmp_path):
    """The simulator, taking the two portals' sender tokens; routes are added once the
    portals are up."""
    simulator = RunningSimulator(tmp_path / "axis", Settings(
        tokens={PORTAL_1_SENDS_WITH, PORTAL_2_SENDS_WITH}, retry_seconds=0.2))
    yield simulator
    simulator.stop()


@pytest.fixture
def portal_1(app, axis):
    """The `app` fixture's portal (its database, its worker), sending to the simulator, and
    served for real."""
    for config in (app.config, current_app.config):  # the served app, and this test's twin
        config.update(AXIS_URL=axis.url + "/", AXIS_TOKEN=PORTAL_1_SENDS_WITH)
    url, stop = serve_wsgi(app)
    yield url
    stop()


@dataclass
class Portal:
    served: Flask
    twin: Flask
    url: str


@pytest.fixture
def portal_2(app_config, second_database, axis, tmp_path):
    """A second portal with a database, storage and queue of its own, migrated as production
    is, sending to the simulator, and served for real."""
    instance = tmp_path / "portal-2"
    config = {**app_config, "SQLALCHEMY_DATABASE_URI": second_database,
              "INSTANCE_DIR": str(instance), "STORAGE_DIR": str(instance / "storage"),
              "RQ_QUEUE": app_config["RQ_QUEUE"] + "-2",
              "AXIS_URL": axis.url + "/", "AXIS_TOKEN": PORTAL_2_SENDS_WITH}
    # As tests.conftest does: the served app, and a twin in whose context the test works (a
    # request sharing the test's context would share its `g`, CSRF token included).
    served, twin = create_app(config), create_app(config)
    with twin.app_context():
        upgrade()
    url, stop = serve_wsgi(served)
    yield Portal(served, twin, url)
    stop()
    for app in (twin, served):
        with app.app_context():
            if app.config["REDIS_URL"]:
                from portal.jobs.queue import queue

                queue().empty()
            db.session.remove()
            db.engine.dispose()


def _axis_token() -> str:
    with action():
        _token, secret = issue_axis_token()
    return secret


def _put_on_axis(organisation, organ_id, channel):
    with action():
        set_axis_details(organisation, organ_id=organ_id, channel=channel)


def test_a_document_goes_to_a_second_portal_through_the_axis_and_its_03_comes_back(
        app, client, make, run_jobs, axis, portal_1, portal_2):

    # Portal 1: the ministry (identifier M); the department, whose own system is on the axis.
    ministry = make.ministry()
    office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                               parent=ministry)
    department = make.organisation(code="LCH", name="Sở Nông nghiệp và Môi trường Lai Châu")
    _put_on_axis(ministry, MINISTRY_ID, "portal")
    _put_on_axis(department, DEPARTMENT_ID, "axis")
    ministry_clerk = make.user(office, "clerk")
    axis.forwarder.settings.routes[MINISTRY_ID] = \
        Route(portal_1, _axis_token())

    # Portal 2: the same department (same identifier), working in the portal, with a clerk.
    with portal_2.twin.app_context():
        there = Factory()
        department_there = there.organisation(code="LCH",
                                              name="Sở Nông nghiệp và Môi trường Lai Châu")
        _put_on_axis(department_there, DEPARTMENT_ID, "portal")
        clerk_there = there.user(department_there, "clerk")
        clerk_email = clerk_there.email
        axis.forwarder.settings.routes[DEPARTMENT_ID] = \
            Route(portal_2.url, _axis_token())

    # The ministry issues the document to the department; its jobs lay it out, seal it,
    # dispatch it and POST the package to the axis.
    fields = documents.DraftFields(doc_type="cong_van", subject=SUBJECT,
                                   body="Đề nghị Sở báo cáo trước ngày 15/12/2026.",
                                   urgency="urgent", recipient_ids=(department.id,),
                                   due_on=None, due_working_days=5)
    with action():
        document = documents.save_draft(fields, actor=ministry_clerk)
    with action():
        documents.issue_document(document, actor=ministry_clerk)
    run_jobs()
    sent = db.session.scalar(select(AxisMessage).where(AxisMessage.direction == Direction.OUT,
                                                       AxisMessage.document_id == document.id))
    assert sent is not None and sent.state == MessageState.SENT, sent and sent.error
    assert sent.to_organ_ids == [DEPARTMENT_ID]

    # The axis forwards it; portal 2 delivers it (01) to the department's inbox.
    def arrived_there():
        with portal_2.twin.app_context():
            delivery = db.session.scalar(select(Delivery))
            return delivery and (delivery.id, delivery.status, delivery.channel,
                                 delivery.document.subject)
    delivery_id, status, channel, subject = wait_for(arrived_there, timeout=30)
    assert (status, channel, subject) == ("01", "axis", SUBJECT)

    # Its clerk sees it in the inbox and acknowledges it, through the pages.
    with portal_2.twin.app_context():
        browser = portal_2.served.test_client()
        assert AuthActions(browser).login(clerk_email).status_code == 302
        assert SUBJECT in browser.get("/inbox/").get_data(as_text=True)
        page = browser.get(f"/inbox/{delivery_id}").get_data(as_text=True)
        answer = browser.post(f"/inbox/{delivery_id}/acknowledge",
                              data={"csrf_token": csrf_token_from(page)})
        assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
        jobs_runner(portal_2.twin)()  # with Redis, portal 2's worker sends the 03
        assert db.session.get(Delivery, delivery_id).status == "03"
        statuses = db.session.scalars(select(AxisMessage.status_code).where(
            AxisMessage.direction == Direction.OUT).order_by(AxisMessage.id)).all()
        assert statuses == ["01", "03"]

    # The 03 comes back through the axis; portal 1's tracking page shows it.
    ours = make.delivery(document, department)

    def acknowledged_here():
        db.session.expire_all()
        return db.session.get(Delivery, ours.id).status == "03"
    wait_for(acknowledged_here, timeout=30)
    AuthActions(client).login(ministry_clerk.email)
    tracking = client.get(f"/documents/{document.id}").get_data(as_text=True)
    row = re.search(r'<tr data-recipient="LCH">(.*?)</tr>', tracking, re.S)
    assert row, "the department is not on the tracking page"
    assert "03 · Đã tiếp nhận" in row.group(1)

    # The simulator's page holds the three messages, each delivered.
    forwards = [(m["kind"], m["status_code"], f["organ_id"], f["state"])
                for m in reversed(axis.store.messages()) for f in m["forwards"]]
    assert forwards == [("document", "", DEPARTMENT_ID, "delivered"),
                        ("status", "01", MINISTRY_ID, "delivered"),
                        ("status", "03", MINISTRY_ID, "delivered")]
    page = get(axis.url + "/")
    assert "Thông điệp trục đang giữ (3)" in page and "Trạng thái 03" in page
