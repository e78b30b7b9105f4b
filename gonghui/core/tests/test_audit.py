"""audit.record(): what a row holds, that rows can't be changed, and who may read them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.test import RequestFactory, TestCase
from pytest_django.fixtures import Settings

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.models import AppendOnlyError, AuditLog, AuditResult
from gonghui.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def _request(user: Any = None, **meta: str) -> HttpRequest:
    request = RequestFactory().post("/console/something/", REMOTE_ADDR=meta.pop("REMOTE_ADDR", "10.0.0.7"), **meta)
    request.user = user if user is not None else AnonymousUser()
    return request


def test_it_records_actor_role_union_object_and_ip(cast: Cast) -> None:
    officer = cast.district_a_officer
    employer = cast.employer_a
    row = audit.record("employer.update", request=_request(officer), obj=employer, detail={"fields": ["name"]})
    row = AuditLog.objects.get(pk=row.pk)
    assert row.user == officer
    assert row.user_label == officer.display_label and "****" in row.user_label
    assert officer.phone not in row.user_label
    assert row.role == "officer"  # inherited from district A down to the grassroots union
    union = cast.grassroots_a
    assert (row.union_id_snapshot, row.union_path, row.union_name) == (union.pk, union.path, "甲公司工会")
    assert row.object_type == "unions.employer"
    assert row.object_key == str(employer.uuid)
    assert row.object_label == str(employer)
    assert row.action == "employer.update" and row.result == AuditResult.SUCCESS
    assert row.ip == "10.0.0.7"
    assert row.detail == {"fields": ["name"]}


def test_it_records_the_strongest_role_at_the_union(cast: Cast) -> None:
    row = audit.record("union.update", actor=cast.province_admin, obj=cast.district_a)
    assert row.role == "admin" and row.union_name == "甲区总工会"
    row = audit.record("union.view", actor=cast.district_a_viewer, obj=cast.grassroots_a)
    assert row.role == "viewer"
    row = audit.record("union.view", actor=cast.district_b_officer, obj=cast.district_a)
    assert row.role == ""  # holds nothing there


def test_it_keeps_the_union_snapshot_after_a_rename(cast: Cast) -> None:
    row = audit.record("union.view", actor=cast.city_officer, union=cast.district_b)
    cast.district_b.name = "新乙区总工会"
    cast.district_b.save()
    assert AuditLog.objects.get(pk=row.pk).union_name == "乙区总工会"


def test_it_uses_the_given_label_and_no_user_for_anonymous_callers() -> None:
    row = audit.record("auth.login", request=_request(), result=AuditResult.FAILURE, label="138****8000")
    assert row.user is None and row.user_label == "138****8000" and row.role == ""
    assert row.union_path == "" and row.union_id_snapshot is None
    assert row.ip == "10.0.0.7" and row.result == "failure"


def test_it_marks_a_superuser_acting_outside_any_union() -> None:
    root = User.objects.create_superuser("13700137000", PASSWORD, name="系统管理员")
    row = audit.record("system.config", actor=root)
    assert row.role == "superuser" and row.user == root


@pytest.mark.parametrize(("proxies", "forwarded", "expected"), [
    (0, "1.1.1.1, 2.2.2.2", "10.0.0.7"),        # no proxy trusted: X-Forwarded-For is ignored
    (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),         # our proxy appended the last element
    (1, "1.1.1.1,2.2.2.2 , 3.3.3.3", "3.3.3.3"),
    (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
    (2, "2.2.2.2", "10.0.0.7"),                 # fewer elements than proxies: don't guess
    (1, "", "10.0.0.7"),
    (1, "2001:db8::1", "2001:db8::1"),
    (1, "1.1.1.1, unknown", "10.0.0.7"),        # not an address: the inet column would refuse it
    (1, "1.1.1.1, 2.2.2.2:51234", "10.0.0.7"),
])
def test_it_takes_the_ip_from_the_trusted_proxy(settings: Settings, proxies: int, forwarded: str,
                                                expected: str) -> None:
    settings.NUM_PROXIES = proxies
    row = audit.record("auth.login", request=_request(HTTP_X_FORWARDED_FOR=forwarded))
    assert AuditLog.objects.get(pk=row.pk).ip == expected


def test_it_records_no_ip_without_a_request_or_a_valid_address() -> None:
    assert audit.record("task.run").ip is None
    assert audit.record("auth.login", request=_request(REMOTE_ADDR="")).ip is None
    assert audit.record("auth.login", request=_request(REMOTE_ADDR="not-an-ip")).ip is None


def test_it_refuses_to_change_or_delete_a_row(cast: Cast) -> None:
    row = audit.record("union.view", actor=cast.city_officer, union=cast.city)
    row.action = "forged"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update runs in its own atomic block
        AuditLog.objects.bulk_update([row], ["action"])
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.bulk_create([AuditLog(pk=row.pk, action="forged")], update_conflicts=True,
                                     unique_fields=["id"], update_fields=["action"])
    assert AuditLog.objects.get(pk=row.pk).action == "union.view"
    assert not AuditLog.objects.filter(action="forged").exists()


def test_it_still_appends_in_bulk(cast: Cast) -> None:
    AuditLog.objects.bulk_create([AuditLog(action="import.row"), AuditLog(action="import.row")])
    assert AuditLog.objects.filter(action="import.row").count() == 2


def _rows_for_every_union(cast: Cast) -> dict[str, AuditLog]:
    rows = {key: audit.record("union.view", actor=cast.province_admin, union=union)
            for key, union in cast.unions.items()}
    rows["none"] = audit.record("auth.login", label="138****8000")
    return rows


def _visible(user: Any, rows: dict[str, AuditLog]) -> set[AuditLog]:
    """Which of ``rows`` the user sees (building the cast writes audit rows of its own)."""
    return set(AuditLog.objects.visible_to(user).filter(pk__in=[row.pk for row in rows.values()]))


def test_it_shows_an_auditor_the_rows_of_the_unions_under_the_city(cast: Cast) -> None:
    rows = _rows_for_every_union(cast)
    visible = _visible(cast.auditor, rows)
    under_city = {"city", "district_a", "street_a", "grassroots_a", "district_b", "grassroots_b"}
    assert visible == {rows[key] for key in under_city}
    assert rows["other_city"] not in visible and rows["district_c"] not in visible
    assert rows["province"] not in visible and rows["none"] not in visible


def test_it_shows_an_admin_the_rows_of_the_subtree(cast: Cast) -> None:
    rows = _rows_for_every_union(cast)
    visible = _visible(cast.district_a_admin, rows)
    assert visible == {rows["district_a"], rows["street_a"], rows["grassroots_a"]}


@pytest.mark.parametrize("actor", ["district_a_officer", "city_officer", "district_a_viewer", "worker_a"])
def test_it_shows_nothing_to_staff_without_an_audit_role(cast: Cast, actor: str) -> None:
    _rows_for_every_union(cast)
    assert not AuditLog.objects.visible_to(cast.users[actor]).exists()


def test_it_shows_nothing_to_anonymous_and_everything_to_a_superuser(cast: Cast) -> None:
    rows = _rows_for_every_union(cast)
    assert not AuditLog.objects.visible_to(AnonymousUser()).exists()
    root = User.objects.create_superuser("13700137000", PASSWORD, name="系统管理员")
    assert _visible(root, rows) == set(rows.values())


def test_it_lists_the_visible_rows_through_the_api(cast: Cast) -> None:
    # GET /api/v1/core/audit used to answer 500: its `since: date` annotation could not be resolved.
    rows = _rows_for_every_union(cast)
    response = cast.client("auditor", api=True).get("/api/v1/core/audit?action=union.view&since=2000-01-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 6
    assert {item["union_name"] for item in body["items"]} == {
        rows[key].union_name for key in ("city", "district_a", "street_a", "grassroots_a", "district_b",
                                         "grassroots_b")}
    assert all(set(item) >= {"created_at", "user_label", "role", "action", "result", "ip"} for item in body["items"])


def test_it_filters_the_api_list_by_result_and_day(cast: Cast) -> None:
    _rows_for_every_union(cast)
    audit.record("union.view", actor=cast.auditor, union=cast.city, result=AuditResult.DENIED)
    client = cast.client("province_admin", api=True)
    assert client.get("/api/v1/core/audit?action=union.view&result=denied").json()["count"] == 1
    assert client.get("/api/v1/core/audit?action=union.view&until=2000-01-01").json()["count"] == 0
    assert client.get("/api/v1/core/audit?since=not-a-date").status_code == 422


@pytest.mark.parametrize("actor", ["district_a_officer", "district_a_viewer", "worker_a"])
def test_it_refuses_the_api_list_to_staff_without_an_audit_role(cast: Cast, actor: str) -> None:
    response = cast.client(actor, api=True).get("/api/v1/core/audit")
    assert response.status_code == 403
    assert response.json()["message"] == "审计日志仅供管理员和审计员查看"


def test_the_page_shows_who_role_union_object_result_ip_and_reason(cast: Cast) -> None:
    """Masked and unmasked exports are told apart, with their reason and object; refused attempts show."""
    admin = cast.client("district_a_admin")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the exports run as jobs (here inline)
        admin.get("/console/members/export.xlsx", REMOTE_ADDR="10.0.0.7")
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin.post("/console/members/export.xlsx", {"reason": "报送实名信息"}, REMOTE_ADDR="10.0.0.7")
    member = cast.members["worker_a"]
    cast.client("district_a_viewer").post(f"/console/members/{member.uuid}/reveal/",
                                          {"field": "phone", "reason": "核对"}, REMOTE_ADDR="10.0.0.8")
    page = cast.client("auditor").get("/console/core/audit/", {"action": "export.members"}).content.decode()
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = body.split("</tr>")[:-1]
    assert len(rows) == 2
    unmasked, masked = rows  # newest first
    assert "明文" in unmasked and "报送实名信息" in unmasked and "会员名册（完整信息，3 人）" in unmasked
    assert "脱敏" in masked and "会员名册（脱敏，3 人）" in masked
    for row in rows:
        assert "甲区管理员" in row and "管理员" in row and "甲区总工会" in row and "10.0.0.7" in row
    for header in ("操作人", "角色", "工会", "对象", "结果", "IP", "原因"):
        assert f"<th>{header}</th>" in page
    refused = cast.client("auditor").get("/console/core/audit/", {"action": "member.reveal"}).content.decode()
    refused = refused.split("<tbody>")[1]
    assert "拒绝" in refused and "只读" in refused and "10.0.0.8" in refused and "核对" in refused
    assert member.masked_name in refused
