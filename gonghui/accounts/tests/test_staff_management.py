"""Staff assignments: admins appoint, change roles and remove; every change audited; scope applies."""

from __future__ import annotations

import time

import pytest

from gonghui.accounts.middleware import LAST_SEEN
from gonghui.accounts.models import StaffAssignment
from gonghui.core.models import AuditLog
from gonghui.testing import Cast, scope_matrix

pytestmark = pytest.mark.django_db


def _assign_payload(cast: Cast, union: str = "district_a", phone: str = "13911110000") -> dict:
    return {"union": str(cast.unions[union].uuid), "phone": phone, "role": "officer", "name": "新干事",
            "initial_password": "Abcdefg#1x"}


def test_it_appoints_staff_through_the_api_and_audits(cast: Cast) -> None:
    response = cast.client("district_a_admin", api=True).post(
        "/api/v1/accounts/staff", _assign_payload(cast), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["phone"] == "139****0000"
    row = AuditLog.objects.get(action="staff.assign")
    assert row.user == cast.district_a_admin and row.role == "admin" and row.union_name == "甲区总工会"


def test_it_lets_only_admins_appoint(cast: Cast) -> None:
    counter = iter(range(13911120000, 13911130000))
    scope_matrix(cast, lambda c, _: c.post("/api/v1/accounts/staff", _assign_payload(cast, phone=str(next(counter))),
                                           content_type="application/json"),
                 write=True, structure=True,
                 # the assignment list itself is admin-only, so non-admins in scope see nothing to act on
                 overrides={"district_a_viewer": 403})


def test_it_gates_role_changes(cast: Cast) -> None:
    def fresh() -> StaffAssignment:
        from gonghui.testing import make_user

        return StaffAssignment.objects.create(user=make_user("临时"), union=cast.district_a, role="viewer")

    scope_matrix(cast, lambda c, a: c.patch(f"/api/v1/accounts/staff/{a.uuid}", {"role": "officer"},
                                            content_type="application/json"),
                 target=fresh, write=True, structure=True,
                 # only admins can see assignments at all, so non-admins get 404 rather than 403
                 overrides={"district_a_officer": 404, "city_officer": 404, "district_a_viewer": 404})
    row = AuditLog.objects.filter(action="staff.role_change").first()
    assert row is not None and row.detail["from"] == "viewer" and row.detail["to"] == "officer"


def test_it_changes_roles_and_removes_on_the_console(cast: Cast) -> None:
    client = cast.client("district_a_admin")
    page = client.get("/console/accounts/staff/")
    assert page.status_code == 200 and "甲区只读" in page.content.decode() and "乙区干事" not in page.content.decode()
    viewer = StaffAssignment.objects.get(user=cast.district_a_viewer)
    assert client.post(f"/console/accounts/staff/{viewer.uuid}/role/", {"role": "officer"}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == "officer"
    assert client.post(f"/console/accounts/staff/{viewer.uuid}/remove/").status_code == 302
    assert not StaffAssignment.objects.filter(pk=viewer.pk).exists()
    assert AuditLog.objects.filter(action="staff.unassign").exists()


def test_it_refuses_changing_ones_own_role(cast: Cast) -> None:
    own = StaffAssignment.objects.get(user=cast.district_a_admin)
    response = cast.client("district_a_admin", api=True).patch(
        f"/api/v1/accounts/staff/{own.uuid}", {"role": "viewer"}, content_type="application/json")
    assert response.status_code == 403


def test_it_ends_idle_staff_sessions_after_thirty_minutes(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    assert client.get("/console/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get("/console/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_keeps_active_staff_sessions(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    session = client.session
    session[LAST_SEEN] = time.time() - 10 * 60
    session.save()
    assert client.get("/console/").status_code == 200


def test_it_keeps_workers_out_of_the_console(cast: Cast) -> None:
    response = cast.client("worker_a").get("/console/")
    assert response.status_code == 403 and "工作台仅供工会工作人员使用" in response.content.decode()


def test_it_appoints_at_a_lower_union_from_its_page(cast: Cast) -> None:
    client = cast.client("district_a_admin")
    page = client.get(f"/console/unions/{cast.grassroots_a.uuid}/").content.decode()
    assert "在本工会任命工作人员" in page
    response = client.post("/console/accounts/staff/assign/", {
        "union": str(cast.grassroots_a.uuid), "phone": "13911119999", "name": "基层新干事", "role": "officer",
        "initial_password": "Abcdefg#1x", "next": f"/console/unions/{cast.grassroots_a.uuid}/"})
    assert response.status_code == 302 and response["Location"] == f"/console/unions/{cast.grassroots_a.uuid}/"
    assert StaffAssignment.objects.filter(union=cast.grassroots_a, user__name="基层新干事").exists()
