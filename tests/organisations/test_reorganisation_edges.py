"""A reorganisation file from the command line and from the administrators' page: the dry
run changes nothing, a refusal says its line, the page applies exactly what it previewed."""

import base64
import io
import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.demo.services import load_organisations
from portal.extensions import db
from portal.organisations import services
from portal.organisations.models import Organisation
from portal.transaction import action
from tests.conftest import hidden_fields_from
from tests.organisations.test_reorganisation import DATA, REORGANISATION_2025, _state

HEADER = "effective_on,event,organisation,result,basis,certainty\n"
BAD = HEADER + "2025-03-01,rename,Sở TN&MT tỉnh Ninh Bình,Sở NN&MT tỉnh Ninh Bình,,\n" \
               "2025-13-01,merge,Sở TN&MT tỉnh Nam Định,Sở NN&MT tỉnh Ninh Bình,,\n"


@pytest.fixture
def organisations_2019(app):
    with action():
        load_organisations()


def _departments_today():
    return [o for o in services.list_organisations("department", include_merged=False)]


def test_the_command_s_dry_run_prints_the_plan_and_changes_nothing(runner, organisations_2019):
    before = _state()
    result = runner.invoke(args=["organisations", "reorganise", str(DATA), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 95  # one a line, then the totals
    assert lines[0].startswith("dòng 2 · 01/01/2025 đổi tên: Sở TN&MT tỉnh Thừa Thiên Huế")
    assert "mã BTNMT → BNNMT" in result.output
    assert lines[-1].startswith("Tổng: 94 sự kiện, 94 cần áp dụng;")
    assert "Chạy thử: chưa có gì thay đổi." in lines[-1]
    db.session.expire_all()
    assert _state() == before


def test_the_command_applies_the_file_and_a_second_run_has_nothing_to_do(runner,
                                                                        organisations_2019):
    first = runner.invoke(args=["organisations", "reorganise", str(DATA)])
    assert first.exit_code == 0, first.output
    db.session.expire_all()
    assert len(_departments_today()) == 34
    after = _state()
    second = runner.invoke(args=["organisations", "reorganise", str(DATA)])
    assert second.exit_code == 0, second.output
    assert second.output.count("không cần làm gì (đã áp dụng trước đây)") == 94
    db.session.expire_all()
    assert _state() == after


def test_the_command_refuses_a_malformed_file_with_its_line(runner, organisations_2019,
                                                          tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    before = _state()
    result = runner.invoke(args=["organisations", "reorganise", str(path)])
    assert result.exit_code != 0
    assert "dòng 3: 2025-13-01 không phải là ngày (YYYY-MM-DD)." in result.output
    db.session.expire_all()
    assert _state() == before  # the good line 2 was not applied either
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + b"2025-03-01,rename,S\xf4 A,S\xf4 B,,\n")  # Latin-1
    result = runner.invoke(args=["organisations", "reorganise", str(latin)])
    assert result.exit_code != 0 and "dòng 2: Tệp không phải văn bản UTF-8." in result.output


# The page.

def _admin(client, auth, make):
    admin = make.user(services.find_by_code("BTNMT"), role="admin")
    auth.login(admin.email)
    return admin


def _upload(client, auth, text, name="reorganisation-2025.csv"):
    token = auth.csrf_token("/organisations/reorganise")
    return client.post("/organisations/reorganise", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), name)})


def test_an_administrator_uploads_sees_the_dry_run_and_confirms(client, auth, make,
                                                               organisations_2019):
    admin = _admin(client, auth, make)
    assert "/organisations/reorganise" in client.get("/organisations/").get_data(as_text=True)
    before = _state()
    preview = _upload(client, auth, REORGANISATION_2025)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert page.count('data-line="') == 94 and "Áp dụng 94 sự kiện này" in page
    db.session.expire_all()
    assert _state() == before  # the preview changed nothing
    response = client.post("/organisations/reorganise/confirm", data=hidden_fields_from(page))
    assert response.status_code == 302
    db.session.expire_all()
    assert len(_departments_today()) == 34
    applied = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.reorganised"))
    assert applied.actor_id == admin.id and applied.details["applied"] == 94
    again = _upload(client, auth, REORGANISATION_2025).get_data(as_text=True)
    assert "mọi sự kiện trong tệp đều đã được áp dụng" in again
    assert "reorganise/confirm" not in again


def test_a_tampered_confirmation_is_refused_and_changes_nothing(client, auth, make,
                                                               organisations_2019):
    _admin(client, auth, make)
    page = _upload(client, auth, REORGANISATION_2025).get_data(as_text=True)
    fields = hidden_fields_from(page)
    tampered = REORGANISATION_2025.replace("Sở Nông nghiệp và Môi trường tỉnh Hưng Yên",
                                           "Sở Nông nghiệp và Môi trường tỉnh Thái Bình")
    before = _state()
    for changed in ({"text": base64.b64encode(tampered.encode()).decode()},
                    {"seal": "0" * 64}, {"text": "not base64!"}, {"sha256": "1" * 64}):
        response = client.post("/organisations/reorganise/confirm", data={**fields, **changed})
        assert response.status_code == 400
        assert "errors" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _state() == before


def test_the_page_shows_a_refusal_with_its_line_and_status_400(client, auth, make,
                                                              organisations_2019):
    _admin(client, auth, make)
    before = _state()
    response = _upload(client, auth, BAD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "dòng 3: 2025-13-01 không phải là ngày (YYYY-MM-DD)." in page
    assert "Tệp bị từ chối; chưa có gì thay đổi." in page
    not_csv = _upload(client, auth, REORGANISATION_2025, name="reorganisation.xlsx")
    assert not_csv.status_code == 400 and "Hãy chọn một tệp CSV." in not_csv.get_data(
        as_text=True)
    no_file = client.post("/organisations/reorganise", content_type="multipart/form-data",
                          data={"csrf_token": auth.csrf_token("/organisations/reorganise")})
    assert no_file.status_code == 400 and "Hãy chọn một tệp CSV." in no_file.get_data(
        as_text=True)
    too_big = _upload(client, auth, REORGANISATION_2025 * 20)
    assert too_big.status_code == 400 and "Tệp lớn hơn 256 KB." in too_big.get_data(as_text=True)
    db.session.expire_all()
    assert _state() == before


def test_the_page_is_for_administrators_and_its_forms_need_their_token(client, auth, make,
                                                                      organisations_2019):
    clerk = make.user(services.find_by_code("BTNMT"), role="clerk")
    auth.login(clerk.email)
    assert client.get("/organisations/reorganise").status_code == 403
    assert "/organisations/reorganise" not in client.get("/organisations/").get_data(
        as_text=True)
    auth.logout()
    _admin(client, auth, make)
    page = _upload(client, auth, REORGANISATION_2025).get_data(as_text=True)
    fields = hidden_fields_from(page)
    auth.logout()
    auth.login(clerk.email)
    as_clerk = {**fields, "csrf_token": auth.csrf_token("/account")}
    assert client.post("/organisations/reorganise/confirm", data=as_clerk).status_code == 403
    auth.logout()
    _admin(client, auth, make)
    no_token = client.post("/organisations/reorganise", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(REORGANISATION_2025.encode()), "r.csv")})
    assert no_token.status_code == 400
    without = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post("/organisations/reorganise/confirm", data=without).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(Organisation).where(Organisation.code == "BNNMT")) is None
    assert re.search(r"<td>\d+</td>", page)


def test_a_failure_halfway_through_applying_leaves_every_table_as_it_was(
        runner, organisations_2019, monkeypatch):
    """Renames were written when the first merge fails: the command keeps none of them."""
    from tests.test_refusals_change_nothing import snapshot

    def refuse(*_args, **_kwargs):
        raise services.OrganisationError("hỏng giữa chừng")

    before = snapshot()
    monkeypatch.setattr(services, "merge_organisation", refuse)
    result = runner.invoke(args=["organisations", "reorganise", str(DATA)])
    assert result.exit_code != 0
    first_merge = next(line for line, text in enumerate(REORGANISATION_2025.splitlines(), 1)
                       if ",merge," in text)
    assert f"dòng {first_merge}: hỏng giữa chừng" in result.output
    assert snapshot() == before
