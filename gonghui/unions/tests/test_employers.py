"""Employers (一企一册): registration, archive, visits, the problem list, lists and export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.core.errors import Conflict
from gonghui.core.models import AuditLog
from gonghui.testing import Cast
from gonghui.unions import services
from gonghui.unions.models import Employer, Problem, ProblemStatus

pytestmark = pytest.mark.django_db

VALID_USCC = "91630102MA7XKQ0M1W"  # check character computed per GB 32100


def _payload(cast: Cast, **extra: object) -> dict:
    data = {"union": str(cast.district_a.uuid), "name": "甲区新能源科技有限公司", "uscc": VALID_USCC, "industry": "I",
            "size": "small"}
    data.update(extra)
    return data


def test_it_validates_the_check_character() -> None:
    from gonghui.lib.uscc import check_char

    assert VALID_USCC[-1] == check_char(VALID_USCC[:17])


def test_it_registers_an_employer_through_the_api(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    response = client.post("/api/v1/unions/employers", _payload(cast, uscc=" " + VALID_USCC.lower() + " "),
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == VALID_USCC and response.json()["union_name"] == "甲区总工会"
    assert AuditLog.objects.filter(action="employer.create").exists()


def test_it_explains_a_bad_credit_code_in_chinese(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    bad = VALID_USCC[:-1] + ("0" if VALID_USCC[-1] != "0" else "1")
    response = client.post("/api/v1/unions/employers", _payload(cast, uscc=bad), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "统一社会信用代码校验位不正确，请核对后重新填写",
                               "detail": {"uscc": "统一社会信用代码校验位不正确，请核对后重新填写"}}
    assert not Employer.objects.filter(name="甲区新能源科技有限公司").exists()


def test_it_refuses_a_duplicate_credit_code(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    response = client.post("/api/v1/unions/employers", _payload(cast, uscc=cast.employer_a.uscc),
                           content_type="application/json")
    assert response.status_code == 409 and "已登记" in response.json()["message"]


def test_it_refuses_registration_under_another_branch(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    response = client.post("/api/v1/unions/employers", _payload(cast, union=str(cast.district_b.uuid)),
                           content_type="application/json")
    assert response.status_code == 404
    viewer = cast.client("district_a_viewer", api=True).post("/api/v1/unions/employers", _payload(cast),
                                                             content_type="application/json")
    assert viewer.status_code == 403


def test_it_registers_on_the_console_and_shows_form_errors(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    bad = client.post("/console/unions/employers/new/", _payload(cast, uscc="123"))
    assert bad.status_code == 200 and "应为18位" in bad.content.decode()
    ok = client.post("/console/unions/employers/new/", _payload(cast))
    employer = Employer.objects.get(uscc=VALID_USCC)
    assert ok.status_code == 302 and ok["Location"] == f"/console/unions/employers/{employer.uuid}/"


def test_it_keeps_the_archive(cast: Cast) -> None:
    employer = cast.employer_a
    client = cast.client("grassroots_a_officer")
    visit = client.post(f"/console/unions/employers/{employer.uuid}/visits/",
                        {"visited_on": timezone.localdate().isoformat(), "notes": "座谈了解夜班补贴发放"},
                        headers={"HX-Request": "true"})
    assert visit.status_code == 200 and "座谈了解夜班补贴发放" in visit.content.decode()
    future = client.post(f"/console/unions/employers/{employer.uuid}/visits/",
                         {"visited_on": (timezone.localdate() + timedelta(days=2)).isoformat(), "notes": "x"},
                         headers={"HX-Request": "true"})
    assert future.status_code == 200 and "不能晚于今天" in future.content.decode()
    client.post(f"/console/unions/employers/{employer.uuid}/problems/", {"title": "食堂卫生问题"})
    page = client.get(f"/console/unions/employers/{employer.uuid}/").content.decode()
    assert "座谈了解夜班补贴发放" in page and "食堂卫生问题" in page and "已提出" in page


def test_it_advances_problems_once_per_step(cast: Cast) -> None:
    problem = services.problem_raise(actor=cast.grassroots_a_officer, employer=cast.employer_a, title="加班费")
    services.problem_advance(actor=cast.grassroots_a_officer, problem=problem, to_status="coordinating", note="已约谈")
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_advance(actor=cast.grassroots_a_officer, problem=problem, to_status="solved")
    stale.status = ProblemStatus.COORDINATING  # a second tab still showing 协调中
    with pytest.raises(Conflict):
        services.problem_advance(actor=cast.grassroots_a_officer, problem=stale, to_status="solved")
    assert [e.to_status for e in problem.events.all()] == ["raised", "coordinating", "solved"]
    with pytest.raises(Conflict):
        services.problem_advance(actor=cast.grassroots_a_officer, problem=problem, to_status="raised")


def test_it_advances_through_htmx_and_the_api(cast: Cast) -> None:
    problem = services.problem_raise(actor=cast.grassroots_a_officer, employer=cast.employer_a, title="加班费")
    fragment = cast.client("grassroots_a_officer").post(
        f"/console/unions/problems/{problem.uuid}/advance/", {"to_status": "coordinating"},
        headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "协调中" in fragment.content.decode()
    api = cast.client("city_officer", api=True).post(f"/api/v1/unions/problems/{problem.uuid}/advance",
                                                    {"to_status": "solved", "note": "已解决"},
                                                    content_type="application/json")
    assert api.status_code == 200 and api.json()["status"] == "solved" and len(api.json()["events"]) == 3
    again = cast.client("city_officer", api=True).post(f"/api/v1/unions/problems/{problem.uuid}/advance",
                                                      {"to_status": "solved"}, content_type="application/json")
    assert again.status_code == 409


def test_it_filters_the_list_within_scope_in_constant_queries(cast: Cast, django_assert_max_num_queries) -> None:
    for i in range(30):
        Employer.objects.create(name=f"甲区商户{i:02d}", uscc=f"X{i:017d}", union=cast.street_a, industry="F")
    client = cast.client("district_a_officer")
    client.get("/console/unions/employers/")
    with django_assert_max_num_queries(12):
        page = client.get("/console/unions/employers/?industry=F")
    html = page.content.decode()
    assert "甲区商户00" in html and "乙物流" not in html and "共 30 条" in html
    api = cast.client("district_a_officer", api=True).get("/api/v1/unions/employers?q=甲区商户&page_size=100").json()
    assert api["count"] == 30
    other = cast.client("district_b_officer", api=True).get("/api/v1/unions/employers?q=甲区商户").json()
    assert other["count"] == 0


def test_it_exports_only_visible_employers_and_audits(cast: Cast) -> None:
    response = cast.client("district_a_officer").get("/console/unions/employers/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["甲精密制造有限公司", "甲区快递服务站"])
    assert AuditLog.objects.get(action="export.employers").detail["rows"] == 2


def test_it_sets_a_liaison_only_from_staff_in_scope(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    url = f"/api/v1/unions/employers/{cast.employer_district_a.uuid}"
    ok = client.patch(url, {"liaison": str(cast.district_a_officer.uuid)}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["liaison_name"] == "甲区干事"
    bad = client.patch(url, {"liaison": str(cast.district_b_officer.uuid)}, content_type="application/json")
    assert bad.status_code == 400 and "联络员" in bad.json()["message"]
