"""The member page: masked identifiers, derived facts, tags, the union chain, the history timeline,
and the reveal button (administrators only, with a reason, audited) — HTML and API, whole cast."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.models import AuditLog
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services.registry import change_status, member_create
from gonghui.testing import Cast, id_number, scope_matrix

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def woman(cast: Cast) -> Member:
    """A migrant woman worker in district A, with tags and a history of two events."""
    member = member_create(actor=cast.district_a_officer, union=cast.district_a, name="刘春花",
                           id_number=id_number("630102", "19880808", "124"), phone="13566667777",
                           employer=cast.employer_district_a, household="agricultural", education="senior",
                           hardship_level="serious", worker_representative=True, craftsman=True)
    change_status(member=member, from_status=MemberStatus.ACTIVE, to_status=MemberStatus.TRANSFERRING,
                  event="transfer_start", actor=cast.district_a_officer, reason="调往乙区")
    return member


def test_it_shows_the_record_masked_with_derived_facts(cast: Cast, woman: Member) -> None:
    page = cast.client("district_a_officer").get(f"/console/members/{woman.uuid}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert woman.masked_id_number in body and "135****7777" in body
    assert woman.id_number not in body and "13566667777" not in body
    assert "女职工" in body and "农民工" in body and "岁" in body and "1988-08-08" in body
    assert "深度困难" in body and "工匠" in body and "职工代表" in body
    assert "甲区快递服务站" in body and "测试市总工会" in body and "甲区总工会" in body
    assert "入会" in body and "申请转会" in body and "调往乙区" in body
    assert f"/console/members/{woman.uuid}/transfer/" in body
    assert "查看完整身份证号码" not in body  # officers cannot reveal


def test_it_offers_the_reveal_to_administrators(cast: Cast, woman: Member) -> None:
    body = cast.client("district_a_admin").get(f"/console/members/{woman.uuid}/").content.decode()
    assert "查看完整身份证号码" in body


def test_it_reveals_with_a_reason_and_audits(cast: Cast, woman: Member) -> None:
    client = cast.client("district_a_admin")
    response = client.post(f"/console/members/{woman.uuid}/reveal/", {"field": "id_number", "reason": "核对身份"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and woman.id_number in response.content.decode()
    log = AuditLog.objects.get(action="member.reveal")
    assert log.detail == {"field": "id_number", "reason": "核对身份"} and log.user == cast.district_a_admin
    assert woman.id_number not in repr(log.detail) and log.object_key == str(woman.uuid)


def test_it_requires_a_reason(cast: Cast, woman: Member) -> None:
    client = cast.client("district_a_admin")
    response = client.post(f"/console/members/{woman.uuid}/reveal/", {"field": "phone", "reason": "  "},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "请填写查看原因" in response.content.decode()
    api = cast.client("district_a_admin", api=True)
    response = api.post(f"/api/v1/members/{woman.uuid}/reveal", {"field": "phone"}, content_type=JSON)
    assert response.status_code == 400 and response.json()["message"] == "请填写查看原因"
    assert not AuditLog.objects.filter(action="member.reveal").exists()


def test_it_refuses_the_reveal_to_officers_and_viewers(cast: Cast, woman: Member) -> None:
    for actor in ("district_a_officer", "district_a_viewer", "city_officer"):
        response = cast.client(actor).post(f"/console/members/{woman.uuid}/reveal/",
                                           {"field": "phone", "reason": "看看"})
        assert response.status_code == 403, actor
        assert "13566667777" not in response.content.decode()
    # a refused attempt leaves one complete row (the unmasking policy's require_unmask)
    refused = AuditLog.objects.filter(action="member.reveal")
    assert refused.count() == 3 and {row.result for row in refused} == {"denied"}
    assert {(row.user, row.role) for row in refused} == {
        (cast.district_a_officer, "officer"), (cast.district_a_viewer, "viewer"), (cast.city_officer, "officer")}
    assert all(row.object_key == str(woman.uuid) and row.detail["field"] == "phone" for row in refused)


def test_it_serves_the_record_through_the_api(cast: Cast, woman: Member) -> None:
    body = cast.client("district_a_officer", api=True).get(f"/api/v1/members/{woman.uuid}").json()
    assert body["phone"] == "135****7777" and body["id_number"] == woman.masked_id_number
    assert body["woman"] and body["migrant_worker"] and body["hardship_level"] == "serious"
    assert [u["name"] for u in body["union_chain"]] == ["测试省总工会", "测试市总工会", "甲区总工会"]
    assert [h["event"] for h in body["history"]] == ["transfer_start", "join"]
    value = cast.client("province_admin", api=True).post(f"/api/v1/members/{woman.uuid}/reveal",
                                                         {"field": "phone", "reason": "回访"}, content_type=JSON)
    assert value.json() == {"field": "phone", "value": "13566667777"}


def test_it_gates_the_member_page_and_api(cast: Cast) -> None:
    member = cast.members["gig_worker_a"]  # a member of district A itself
    scope_matrix(cast, lambda c, _: c.get(f"/console/members/{member.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/members/{member.uuid}"))


def test_it_gates_the_reveal(cast: Cast) -> None:
    member = cast.members["gig_worker_a"]
    admins_only: dict[str | None, Any] = {"district_a_officer": 403, "city_officer": 403}
    scope_matrix(cast, lambda c, _: c.post(f"/api/v1/members/{member.uuid}/reveal",
                                           {"field": "id_number", "reason": "核对"}, content_type=JSON),
                 write=True, overrides=admins_only)
    scope_matrix(cast, lambda c, _: c.post(f"/console/members/{member.uuid}/reveal/",
                                           {"field": "id_number", "reason": "核对"}),
                 write=True, api=False, overrides=admins_only)
    assert AuditLog.objects.filter(action="member.reveal", result="success").count() == 4  # two admins × two carriers
    # officer, city officer and viewer refused on both carriers: each attempt audited
    assert AuditLog.objects.filter(action="member.reveal", result="denied").count() == 6
