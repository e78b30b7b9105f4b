"""The one scope mechanism: Scope as plain data, visible_to() and gate()."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from gonghui.accounts.models import User
from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.scope import (
    AUDIT_ROLES,
    DATA_ROLES,
    EMPTY_SCOPE,
    WRITE_ROLES,
    Grant,
    Role,
    Scope,
    gate,
    scope_of,
)
from gonghui.testing import PASSWORD, Cast
from gonghui.unions.models import Employer, Union


def _scope(*grants: tuple[str, Role]) -> Scope:
    return Scope(grants=tuple(Grant(union_id=i, path=path, role=role) for i, (path, role) in enumerate(grants)))


def test_it_collapses_grants_nested_in_other_grants() -> None:
    scope = _scope(("1/2/", Role.ADMIN), ("1/", Role.VIEWER), ("1/2/3/", Role.OFFICER), ("5/", Role.OFFICER),
                   ("5/6/", Role.AUDITOR))
    assert scope.paths() == ["1/", "5/"]
    assert scope.paths(DATA_ROLES) == ["1/", "5/"]
    assert scope.paths(WRITE_ROLES) == ["1/2/", "5/"]
    assert scope.paths({Role.ADMIN}) == ["1/2/"]
    assert scope.paths(AUDIT_ROLES) == ["1/2/", "5/6/"]


def test_it_does_not_collapse_siblings_with_a_common_prefix() -> None:
    scope = _scope(("1/2/", Role.OFFICER), ("1/20/", Role.OFFICER), ("1/2/21/", Role.OFFICER))
    assert scope.paths() == ["1/2/", "1/20/"]


def test_it_picks_the_strongest_inherited_role() -> None:
    scope = _scope(("1/", Role.VIEWER), ("1/2/", Role.ADMIN), ("1/3/", Role.AUDITOR), ("1/4/", Role.OFFICER))
    assert scope.role_at("1/") == Role.VIEWER
    assert scope.role_at("1/2/7/8/") == Role.ADMIN      # admin below beats viewer above
    assert scope.role_at("1/3/") == Role.VIEWER         # viewer beats auditor
    assert scope.role_at("1/4/9/") == Role.OFFICER
    assert scope.role_at("1/20/") == Role.VIEWER        # "1/2/" does not cover "1/20/"
    assert scope.role_at("9/") is None
    assert Scope(is_superuser=True).role_at("9/") == Role.ADMIN


def test_it_checks_roles_along_the_path() -> None:
    scope = _scope(("1/", Role.VIEWER), ("1/2/", Role.OFFICER))
    assert scope.can("1/2/3/", WRITE_ROLES) and not scope.can("1/3/", WRITE_ROLES)
    assert scope.can("1/3/", DATA_ROLES) and not scope.can("2/", DATA_ROLES)
    assert Scope(is_superuser=True).can("2/", {Role.ADMIN})
    assert scope.is_staff and not EMPTY_SCOPE.is_staff


def test_it_gives_anonymous_callers_an_empty_scope() -> None:
    assert scope_of(None) is EMPTY_SCOPE
    assert scope_of(AnonymousUser()) is EMPTY_SCOPE


@pytest.mark.django_db
def test_it_reads_the_grants_of_a_user(cast: Cast) -> None:
    scope = scope_of(cast.district_a_viewer)
    assert [(g.union_id, g.role, g.union_name) for g in scope.grants] == [
        (cast.district_a.pk, Role.VIEWER, "甲区总工会")]
    assert scope.role_at(cast.grassroots_a.path) == Role.VIEWER
    assert scope.role_at(cast.city.path) is None
    assert scope_of(cast.province_admin).role_at(cast.grassroots_b.path) == Role.ADMIN
    assert scope_of(cast.worker_a).grants == ()


def _names(queryset: object) -> set[str]:
    return {union.name for union in queryset}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_it_filters_rows_with_q(cast: Cast) -> None:
    scope = scope_of(cast.district_a_officer)
    assert _names(Union.objects.filter(scope.q("path"))) == {"甲区总工会", "甲区东街道总工会", "甲公司工会"}
    assert _names(Union.objects.filter(scope_of(cast.auditor).q("path", AUDIT_ROLES))) == {
        "测试市总工会", "甲区总工会", "甲区东街道总工会", "甲公司工会", "乙区总工会", "乙公司工会"}
    assert not Union.objects.filter(scope_of(cast.auditor).q("path")).exists()  # auditors see no business data
    assert not Union.objects.filter(EMPTY_SCOPE.q("path")).exists()
    assert Union.objects.filter(Scope(is_superuser=True).q("path")).count() == Union.objects.count()


@pytest.mark.django_db
def test_it_lists_what_each_user_may_see(cast: Cast) -> None:
    assert _names(Union.objects.visible_to(cast.district_b_officer)) == {"乙区总工会", "乙公司工会"}
    assert _names(Union.objects.visible_to(cast.grassroots_a_officer)) == {"甲公司工会"}
    assert Union.objects.visible_to(cast.province_admin).count() == Union.objects.count()
    assert not Union.objects.visible_to(cast.worker_a).exists()
    assert not Union.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_it_gates_an_object_in_scope(cast: Cast) -> None:
    union = gate(cast.district_a_officer, Union.objects.all(), uuid=cast.grassroots_a.uuid)
    assert union == cast.grassroots_a
    assert gate(cast.district_a_officer, Union.objects.all(), write=True, uuid=cast.grassroots_a.uuid) == union
    assert gate(cast.district_a_viewer, Union.objects.all(), uuid=cast.district_a.uuid) == cast.district_a


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "target"), [
    ("district_b_officer", "district_a"),   # sibling
    ("grassroots_a_officer", "district_a"),  # parent
    ("other_city_officer", "grassroots_a"),  # other city
    ("worker_a", "grassroots_a"),            # not staff
])
def test_it_answers_not_found_outside_the_scope(cast: Cast, actor: str, target: str) -> None:
    with pytest.raises(NotFound) as outside:
        gate(cast.users[actor], Union.objects.all(), uuid=cast.unions[target].uuid)
    with pytest.raises(NotFound) as missing:
        gate(cast.users[actor], Union.objects.all(), uuid=uuid.uuid4())
    assert (outside.value.status, outside.value.message) == (missing.value.status, missing.value.message) == (
        404, "未找到该记录，或您无权查看")


@pytest.mark.django_db
def test_it_answers_not_found_for_data_outside_the_readers_roles(cast: Cast) -> None:
    # An auditor may browse the tree (Union rows are visible to every role) but not business data.
    assert gate(cast.auditor, Union.objects.all(), uuid=cast.district_a.uuid) == cast.district_a
    with pytest.raises(NotFound):
        gate(cast.auditor, Employer.objects.all(), uuid=cast.employer_a.uuid)
    assert gate(cast.city_officer, Employer.objects.all(), uuid=cast.employer_a.uuid) == cast.employer_a


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["not-a-uuid", "", None, 12, "1' OR '1'='1"])
def test_it_answers_not_found_for_a_malformed_key(cast: Cast, key: object) -> None:
    with pytest.raises(NotFound):
        gate(cast.province_admin, Union.objects.all(), uuid=key)


@pytest.mark.django_db
def test_it_answers_not_found_to_anonymous_callers(cast: Cast) -> None:
    with pytest.raises(NotFound):
        gate(AnonymousUser(), Union.objects.all(), uuid=cast.city.uuid)


@pytest.mark.django_db
def test_it_forbids_a_viewer_to_write(cast: Cast) -> None:
    with pytest.raises(Forbidden) as exc:
        gate(cast.district_a_viewer, Union.objects.all(), write=True, uuid=cast.grassroots_a.uuid)
    assert exc.value.status == 403 and exc.value.message == "您的角色无权执行此操作"


@pytest.mark.django_db
def test_it_forbids_a_role_outside_the_write_roles(cast: Cast) -> None:
    admins_only = frozenset({Role.ADMIN})
    with pytest.raises(Forbidden):
        gate(cast.district_a_officer, Union.objects.all(), write=True, write_roles=admins_only,
             uuid=cast.district_a.uuid)
    assert gate(cast.province_admin, Union.objects.all(), write=True, write_roles=admins_only,
                uuid=cast.district_a.uuid) == cast.district_a


@pytest.mark.django_db
def test_it_lets_a_superuser_see_and_change_everything(cast: Cast) -> None:
    root = User.objects.create_superuser("13700137000", PASSWORD, name="系统管理员")
    assert scope_of(root).is_superuser
    assert Union.objects.visible_to(root).count() == Union.objects.count()
    for union in cast.unions.values():
        assert gate(root, Union.objects.all(), write=True, write_roles=frozenset({Role.ADMIN}),
                    uuid=union.uuid) == union
    with pytest.raises(NotFound):
        gate(root, Union.objects.all(), uuid=uuid.uuid4())
