"""The first administrator of a fresh installation."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.accounts.models import StaffAssignment, User
from gonghui.unions.models import Union

pytestmark = pytest.mark.django_db


def test_it_creates_the_root_union_and_its_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGHUI_ADMIN_PASSWORD", "Qinghai#2026")
    call_command("createadmin", phone="13900009999", name="王主席", union="青海省总工会", region_code="630000")
    user = User.objects.by_phone("13900009999").get()
    root = Union.objects.get(parent__isnull=True)
    assert user.is_superuser and user.check_password("Qinghai#2026")
    assert StaffAssignment.objects.get(user=user).union == root and root.region_code == "630000"


def test_it_applies_the_staff_password_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGHUI_ADMIN_PASSWORD", "weakpassword")
    with pytest.raises(CommandError, match="3类"):
        call_command("createadmin", phone="13900009999", name="王主席")
    assert not User.objects.exists()
