"""Registration, password rules (staff vs members) and password change."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.accounts.models import StaffAssignment, User
from gonghui.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_it_registers_a_worker_on_the_h5() -> None:
    client = Client()
    response = client.post("/register/", {"name": "刘快递", "phone": "139 1234 5678", "password": "ridefast2026"})
    assert response.status_code == 302
    user = User.objects.by_phone("13912345678").get()
    assert user.name == "刘快递" and "_auth_user_id" in client.session


def test_it_refuses_a_common_password_for_a_member() -> None:
    response = Client().post("/register/", {"name": "刘快递", "phone": "13912345678", "password": "password123"})
    assert response.status_code == 400
    assert "太常见" in response.content.decode()
    assert not User.objects.exists()


def test_it_refuses_a_bad_phone_and_a_taken_phone(cast: Cast) -> None:
    bad = Client().post("/register/", {"name": "刘", "phone": "12345", "password": "ridefast2026"})
    assert bad.status_code == 400 and "手机号码格式不正确" in bad.content.decode()
    taken = Client().post("/api/v1/accounts/register", {"name": "刘", "phone": cast.worker_a.phone,
                                                         "password": "ridefast2026"}, content_type="application/json")
    assert taken.status_code == 409 and taken.json()["message"] == "该手机号已注册，请直接登录"


def test_it_registers_through_the_api() -> None:
    payload = {"name": "王", "phone": "13912345678", "password": "ridefast2026"}
    response = Client().post("/api/v1/accounts/register", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["phone"] == "139****5678"


def test_it_requires_three_character_classes_for_staff(cast: Cast) -> None:
    client = cast.client("district_a_admin", api=True)
    weak = client.post("/api/v1/accounts/staff", {"union": str(cast.district_a.uuid), "phone": "13912340000",
                                                  "role": "officer", "name": "新干事", "initial_password": "abcdefgh1"},
                       content_type="application/json")
    assert weak.status_code == 400 and "3类" in weak.json()["message"]
    payload = {"union": str(cast.district_a.uuid), "phone": "13912340000", "role": "officer", "name": "新干事",
               "initial_password": "Abcdefg#1x"}
    strong = client.post("/api/v1/accounts/staff", payload, content_type="application/json")
    assert strong.status_code == 201


def test_it_changes_a_password(cast: Cast) -> None:
    client = cast.client("worker_a")
    wrong = client.post("/me/password/", {"old_password": "nope", "new_password": "another-2026"})
    assert "原密码不正确" in wrong.content.decode()
    assert client.post("/me/password/", {"old_password": PASSWORD, "new_password": "another-2026"}).status_code == 302
    cast.worker_a.refresh_from_db()
    assert cast.worker_a.check_password("another-2026")


def test_it_applies_staff_rules_to_staff_password_changes(cast: Cast) -> None:
    assert StaffAssignment.objects.filter(user=cast.district_a_officer).exists()
    client = cast.client("district_a_officer")
    response = client.post("/me/password/", {"old_password": PASSWORD, "new_password": "alllowercase"})
    assert response.status_code == 200 and "3类" in response.content.decode()
