"""Commendations and criticisms: recorded with their evidence, published or withdrawn by a
ministry leader, audited, seen by the department and the public, marking the appendix's rows."""

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.deliveries.models import Status
from portal.extensions import db
from portal.leaderboard import assessments
from portal.leaderboard.models import Assessment
from portal.leaderboard.services import Period, leaderboard, row_of
from portal.transaction import action
from tests.conftest import csrf_token_from

DAY = date(2026, 3, 10)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def people(records, make):
    records.send(records.ministry, [records.a, records.b], DAY, status=Status.ACKNOWLEDGED,
                 due_on=DAY + timedelta(days=3))
    records.send(records.ministry, [records.a], DAY)
    records.send(records.b, [records.office], DAY)
    records.reviewer = make.user(records.ministry, "reviewer")
    records.leader = make.user(records.ministry, "leader")
    records.a_leader = make.user(records.a, "leader")
    return records


def _record(people, kind="criticise", style="bold", period=MARCH, department=None):
    with action():
        return assessments.record_assessment(department or people.a, period, kind=kind,
                                             note="Chưa gửi văn bản nào đến Bộ.",
                                             appendix_style=style, actor=people.reviewer)


def _csv_styles(client, query=QUERY):
    data = client.get(f"/leaderboard.csv?{query}").data
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return {row["department"]: row["appendix_style"] for row in rows}


def test_an_assessment_keeps_the_figures_of_the_moment_it_was_recorded(people):
    assessment = _record(people)
    rank, row = row_of(leaderboard(MARCH), people.a)

    people.send(people.ministry, [people.a], DAY)  # the figures move on afterwards

    assert assessment.state == "draft"
    assert assessment.evidence["rank"] == rank
    assert assessment.evidence["figures"]["interaction_received_from_ministry"] == 2
    assert assessment.evidence["figures"] == {c: row[c] for c in assessment.evidence["figures"]}
    assert row_of(leaderboard(MARCH), people.a)[1]["interaction_received_from_ministry"] == 3
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_type == "Assessment",
        AuditEvent.object_id == str(assessment.id))) == "assessment.recorded"


def test_only_a_published_assessment_reaches_the_department_the_public_and_the_csv(
        people, client, auth):
    assessment = _record(people)
    auth.login(people.a_leader.email)
    own_page = f"/oversight/departments/{people.a.id}?{QUERY}"
    assert "Chưa gửi văn bản nào" not in client.get(own_page).text
    assert "Chưa gửi văn bản nào" not in client.get(f"/leaderboard?{QUERY}").text
    assert _csv_styles(client)[people.a.name] == ""

    with action():
        assessments.publish_assessment(assessment, actor=people.leader)

    assert "Chưa gửi văn bản nào" in client.get(own_page).text
    assert "Chưa gửi văn bản nào" in client.get(f"/leaderboard?{QUERY}").text
    assert _csv_styles(client) == {people.a.name: "bold", people.b.name: ""}
    # The mark belongs to this period's appendix, not to another period's.
    assert _csv_styles(client, "from=2026-03-01&to=2026-03-30")[people.a.name] == ""


def test_a_withdrawn_assessment_leaves_the_public_page_and_the_appendix(people, client):
    assessment = _record(people)
    with action():
        assessments.publish_assessment(assessment, actor=people.leader)

    with action():
        assessments.withdraw_assessment(assessment, actor=people.leader, reason="Số liệu chưa đủ.")

    assert assessment.state == "withdrawn" and assessment.withdrawal_reason == "Số liệu chưa đủ."
    assert "Chưa gửi văn bản nào" not in client.get(f"/leaderboard?{QUERY}").text
    assert _csv_styles(client)[people.a.name] == ""
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "Assessment").order_by(AuditEvent.id)).all()
    assert actions == ["assessment.recorded", "assessment.published", "assessment.withdrawn"]


def test_the_latest_published_assessment_gives_the_mark(people, client):
    first = _record(people, style="italic")
    with action():
        assessments.publish_assessment(first, actor=people.leader)
    second = _record(people, kind="commend", style="")
    with action():
        assessments.publish_assessment(second, actor=people.leader)

    assert _csv_styles(client)[people.a.name] == ""


def test_a_decision_counts_once_and_only_a_ministry_leader_decides(people):
    assessment = _record(people)
    with pytest.raises(assessments.AssessmentError), action():
        assessments.publish_assessment(assessment, actor=people.reviewer)
    with pytest.raises(assessments.AssessmentError), action():
        assessments.publish_assessment(assessment, actor=people.a_leader)
    with action():
        assessments.publish_assessment(assessment, actor=people.leader)
    with pytest.raises(assessments.AssessmentError, match="đã được xử lý"), action():
        assessments.publish_assessment(assessment, actor=people.leader)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "assessment.published")) == 1


@pytest.mark.parametrize("change, message", [
    ({"kind": "praise"}, "biểu dương hoặc phê bình"),
    ({"appendix_style": "underline"}, "đánh dấu trong phụ lục"),
    ({"note": "   "}, "Ghi rõ nội dung"),
    ({"note": "x" * 2001}, "dài quá"),
])
def test_a_malformed_assessment_is_refused_and_nothing_is_stored(people, change, message):
    fields = {"kind": "criticise", "note": "Chậm trả lời.", "appendix_style": "", **change}
    with pytest.raises(assessments.AssessmentError, match=message), action():
        assessments.record_assessment(people.a, MARCH, actor=people.reviewer, **fields)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_only_a_current_department_is_assessed(people):
    with pytest.raises(assessments.AssessmentError, match="Sở đang hoạt động"):
        _record(people, department=people.office)


def test_the_reviewer_records_through_the_page_and_the_leader_publishes(people, client, auth):
    auth.login(people.reviewer.email)
    page = client.get(f"/oversight/departments/{people.a.id}?{QUERY}").text
    response = client.post(f"/oversight/departments/{people.a.id}/assessments", data={
        "csrf_token": csrf_token_from(page), "first": "2026-03-01", "last": "2026-03-31",
        "kind": "commend", "note": "Trả lời đúng hạn.", "appendix_style": ""})
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    assert (assessment.kind, assessment.period_first, assessment.period_last) == (
        "commend", MARCH.first, MARCH.last)

    auth.logout()
    auth.login(people.leader.email)
    page = client.get(f"/oversight/departments/{people.a.id}?{QUERY}").text
    assert f"/oversight/assessments/{assessment.id}/publish" in page
    client.post(f"/oversight/assessments/{assessment.id}/publish",
                data={"csrf_token": csrf_token_from(page)})
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).state == "published"


def test_assessment_routes_refuse_those_who_may_not_use_them(people, client, auth):
    assessment = _record(people)
    auth.login(people.a_leader.email)
    token = csrf_token_from(client.get(f"/oversight/departments/{people.a.id}").text)
    assert client.post(f"/oversight/departments/{people.a.id}/assessments",
                       data={"csrf_token": token}).status_code == 403
    # A department never learns of a draft about it: 404, as for anything not its own.
    assert client.post(f"/oversight/assessments/{assessment.id}/publish",
                       data={"csrf_token": token}).status_code == 404
    assert client.get("/oversight/assessments/").status_code == 403
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).state == "draft"
