"""The one unmasking policy (gonghui.core.unmasking), role by role, for each kind — the table of
docs/security.md ("Unmasking") — and the refused attempt's audit row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from gonghui.accounts.models import User
from gonghui.core.errors import Forbidden
from gonghui.core.models import AuditLog
from gonghui.core.unmasking import Unmask, may_unmask, require_unmask
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db

M, E, C = Unmask.MEMBER, Unmask.EXPORT, Unmask.CONTACT
# who may unmask what at district A (MEMBER, EXPORT: at the union or above; CONTACT: at the union)
EXPECTED = {
    "province_admin": {M, E},
    "city_officer": set(),
    "district_a_admin": {M, E, C},
    "district_a_officer": {C},
    "district_a_viewer": set(),
    "district_b_officer": set(),
    "grassroots_a_officer": set(),
    "other_city_officer": set(),
    "auditor": set(),
    "worker_a": set(),
}


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_it_decides_each_kind_per_role(cast: Cast, actor: str) -> None:
    user = cast.users[actor]
    allowed = {kind for kind in Unmask if may_unmask(user, cast.district_a, kind)}
    assert allowed == EXPECTED[actor]


def test_it_refuses_anonymous_callers_and_allows_superusers(cast: Cast) -> None:
    assert not any(may_unmask(AnonymousUser(), cast.district_a, kind) for kind in Unmask)
    root = User.objects.create_superuser("13700000001", "Gonghui#2026", name="平台运维")
    assert all(may_unmask(root, cast.district_a, kind) for kind in Unmask)


def test_it_answers_for_several_unions_or_anywhere(cast: Cast) -> None:
    officer = cast.district_a_officer
    assert may_unmask(officer, [cast.grassroots_a, cast.district_a], C)  # one handling unit is enough
    assert not may_unmask(officer, [cast.grassroots_a, cast.district_b], C)
    assert may_unmask(cast.district_a_admin, None, E) and not may_unmask(officer, None, E)


def test_a_refused_attempt_writes_one_complete_denied_row(cast: Cast) -> None:
    member = cast.members["worker_a"]
    before = set(AuditLog.objects.values_list("pk", flat=True))  # building the cast wrote rows of its own
    with pytest.raises(Forbidden) as caught:
        require_unmask(cast.district_a_viewer, member.union, M, action="member.reveal", obj=member,
                       detail={"field": "phone", "reason": "看看"})
    assert caught.value.message == "只有管理员可以查看完整信息"
    row = AuditLog.objects.exclude(pk__in=before).get()
    assert (row.action, row.result, row.user, row.role) == ("member.reveal", "denied", cast.district_a_viewer, "viewer")
    assert row.union_name == member.union.name and row.object_key == str(member.uuid) and row.object_label
    assert row.detail == {"unmask": "member", "field": "phone", "reason": "看看"}
    require_unmask(cast.district_a_admin, member.union, M, action="member.reveal", obj=member)  # allowed: no row
    assert AuditLog.objects.exclude(pk__in=before).count() == 1
