"""需求: a member posts a need in a category of their union's chain (H5 and API); staff see needs by
category and answer one with an offering or a provider; the member is told."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.models import Notification
from gonghui.market.models import Need, NeedCategory, NeedStatus, Offering
from gonghui.market.services import needs
from gonghui.testing import Cast

from .conftest import JSON

pytestmark = pytest.mark.django_db


def test_it_takes_a_need_on_the_h5_and_answers_it_in_the_console(
        cast: Cast, offering: Offering, category: NeedCategory, django_capture_on_commit_callbacks: Any) -> None:
    NeedCategory.objects.create(union=cast.province, name="法律援助", position=1)
    NeedCategory.objects.create(union=cast.district_b, name="乙区专属")  # not on worker A's chain
    worker = cast.client("worker_a")
    page = worker.get("/market/needs/").content.decode()
    assert "技能培训" in page and "法律援助" in page and "乙区专属" not in page
    response = worker.post("/market/needs/", {"category": str(category.uuid), "title": "想考电工证",
                                              "text": "周末有时间"})
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.union == cast.grassroots_a and need.status == NeedStatus.OPEN

    officer = cast.client("district_a_officer")
    listing = officer.get("/console/market/needs/").content.decode()
    assert "想考电工证" in listing and "技能培训" in listing
    by_category = officer.get(f"/console/market/needs/?category={category.uuid}").content.decode()
    assert "想考电工证" in by_category
    with django_capture_on_commit_callbacks(execute=True):
        answered = officer.post(f"/console/market/needs/{need.uuid}/", {"offering": str(offering.uuid),
                                                                       "text": "这个培训正合适"})
    assert answered.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED and need.answer_offering == offering
    assert need.answer_provider == offering.provider and need.answered_by == cast.district_a_officer
    note = Notification.objects.get(recipient=cast.worker_a, title="您的需求有回应了")
    assert "电工技能培训" in note.body and note.url == "/market/needs/"
    assert "电工技能培训" in worker.get("/market/needs/").content.decode()
    again = officer.post(f"/console/market/needs/{need.uuid}/", {"offering": str(offering.uuid)})
    assert again.status_code == 409 and "已回应" in again.content.decode()  # a refusal keeps its status


def test_it_runs_needs_through_the_api(cast: Cast, offering: Offering, category: NeedCategory) -> None:
    api = cast.client("gig_worker_a", api=True)
    categories = api.get("/api/v1/market/needs/categories").json()
    assert [c["name"] for c in categories] == ["技能培训"]
    posted = api.post("/api/v1/market/needs", {"category": categories[0]["uuid"], "title": "想学急救"},
                      content_type=JSON)
    assert posted.status_code == 201 and posted.json()["member_name"] == "李**"
    key = posted.json()["uuid"]
    wrong = cast.client("worker_b", api=True).post("/api/v1/market/needs", {"category": categories[0]["uuid"],
                                                                          "title": "x"}, content_type=JSON)
    assert wrong.status_code == 400  # a category of another branch
    staff = cast.client("district_a_officer", api=True)
    assert [n["uuid"] for n in staff.get(f"/api/v1/market/manage/needs?category={category.uuid}").json()] == [key]
    answer = staff.post(f"/api/v1/market/manage/needs/{key}/answer", {"provider": str(offering.provider.uuid),
                                                                      "text": "可联系陈劳模"}, content_type=JSON)
    assert answer.status_code == 200 and answer.json()["answer_provider"]["name"] == "陈劳模"
    mine = api.get("/api/v1/market/needs/mine").json()
    assert mine[0]["status"] == "answered"
    # a need is withdrawn only while open, and only by its member
    other = needs.need_post(actor=cast.gig_worker_a, category=category, title="想学游泳")
    assert cast.client("worker_a", api=True).post(f"/api/v1/market/needs/{other.uuid}/close",
                                                  content_type=JSON).status_code == 404
    assert api.post(f"/api/v1/market/needs/{other.uuid}/close", content_type=JSON).json()["status"] == "closed"
    assert api.post(f"/api/v1/market/needs/{key}/close", content_type=JSON).status_code == 409


def test_it_lets_staff_keep_the_category_list(cast: Cast) -> None:
    officer = cast.client("district_a_officer")
    response = officer.post("/console/market/needs/categories/", {"union": str(cast.district_a.uuid),
                                                                  "name": "心理咨询", "position": 2, "is_active": "on"})
    assert response.status_code == 302
    category = NeedCategory.objects.get(name="心理咨询")
    assert category.union == cast.district_a
    officer.post("/console/market/needs/categories/", {"category": str(category.uuid),
                                                       "union": str(cast.district_a.uuid), "name": "心理健康",
                                                       "position": 3})
    category.refresh_from_db()
    assert (category.name, category.position, category.is_active) == ("心理健康", 3, False)
    assert "心理健康" not in cast.client("worker_a").get("/market/needs/").content.decode()  # switched off
    duplicate = officer.post("/console/market/needs/categories/", {"union": str(cast.district_a.uuid),
                                                                   "name": "心理健康", "is_active": "on"})
    assert duplicate.status_code == 200 and "已有同名分类" in duplicate.content.decode()
    assert cast.client("district_b_officer").post("/console/market/needs/categories/", {
        "category": str(category.uuid), "union": str(cast.district_a.uuid), "name": "x"}).status_code == 404
    assert cast.client("district_a_viewer").post("/console/market/needs/categories/", {
        "union": str(cast.district_a.uuid), "name": "y"}).status_code == 403
