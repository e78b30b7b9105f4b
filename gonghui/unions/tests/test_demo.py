"""The demo data that `make run` loads: its shape, its validity, its logins, and the banner."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from gonghui.accounts.demo import DEMO_LOGINS, NAMED_LOGINS, STAFF_PASSWORD, WORKER_PASSWORD
from gonghui.accounts.models import StaffAssignment, User
from gonghui.lib.uscc import normalize_uscc
from gonghui.seed.qinghai import CITIES, employer_specs
from gonghui.unions.models import Brand, Employer, Problem, ProblemStatus, Union, UnionKind

DISTRICT_CODES = {d.code for city in CITIES for d in city.districts}


def demo(**options: object) -> str:
    options.setdefault("members", 200)  # the members demo has its own tests (members/tests/test_demo_members.py)
    options.setdefault("services", False)  # so do the service modules' demos
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


def small_demo() -> str:
    return demo(employers=30, workers=3)


@pytest.mark.django_db
def test_it_builds_the_default_demo_at_full_size() -> None:
    output = demo()

    assert "演示数据已加载" in output
    assert Union.objects.count() >= 200
    assert Employer.objects.count() >= 500
    kinds = set(Union.objects.values_list("kind", flat=True))
    assert kinds == set(UnionKind.values)
    assert Brand.objects.filter(parent__isnull=True).count() == 7
    assert Brand.objects.filter(parent__isnull=False).count() == 39
    assert {status for status in ProblemStatus} <= set(Problem.objects.values_list("status", flat=True))
    industries = set(Employer.objects.values_list("industry", flat=True))
    assert {"C", "G", "F", "H", "I", "E"} <= industries
    established = Employer.objects.filter(union_established=True).count() / Employer.objects.count()
    assert 0.5 <= established <= 0.7


@pytest.mark.django_db
def test_it_gives_every_employer_a_valid_unique_credit_code() -> None:
    demo()

    codes = list(Employer.objects.values_list("uscc", flat=True))
    assert all(normalize_uscc(code) == code for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(code[:2] in ("91", "92") and code[2:8] in DISTRICT_CODES for code in codes)


@pytest.mark.django_db
def test_it_keeps_the_tree_paths_consistent() -> None:
    demo()

    unions = {u.pk: u for u in Union.objects.all()}
    roots = [u for u in unions.values() if u.parent_id is None]
    assert [r.name for r in roots] == ["青海省总工会"]
    for union in unions.values():
        if union.parent_id is None:
            assert union.path == f"{union.pk}/" and union.depth == 0
            continue
        parent = unions[union.parent_id]
        assert union.path == parent.path + f"{union.pk}/"
        assert union.depth == parent.depth + 1
        assert union.level > parent.level
        if union.region_code and parent.region_code:
            # A street's 9-digit code extends its district's; a city's shares the province prefix.
            assert union.region_code[:2] == parent.region_code[:2]


@pytest.mark.django_db
def test_it_attaches_employers_grids_and_liaisons_where_they_belong() -> None:
    demo()

    grants: dict[int, list[str]] = {}
    for user_id, path in StaffAssignment.objects.exclude(role="auditor").values_list("user_id", "union__path"):
        grants.setdefault(user_id, []).append(path)
    employers = Employer.objects.select_related("union", "grid__union")
    assert employers.filter(grid__isnull=False).count() > 300
    assert employers.filter(liaison__isnull=False).count() > 300
    for employer in employers:
        if employer.union_established:
            assert employer.union.kind == UnionKind.GRASSROOTS
            assert employer.union.name == f"{employer.name}工会"
        else:
            assert employer.union.kind in (UnionKind.FEDERATION, UnionKind.JOINT)
        if employer.grid is not None:
            assert employer.union.path.startswith(employer.grid.union.path)
        if employer.liaison_id is not None:
            assert any(employer.union.path.startswith(p) for p in grants[employer.liaison_id])


@pytest.mark.django_db
def test_it_lets_every_demo_login_sign_in() -> None:
    small_demo()

    named = {login.phone for login in NAMED_LOGINS}  # the others come with the service modules' demos
    for label, phone, password, _ in DEMO_LOGINS:
        if phone not in named:
            continue
        response = Client().post("/login/", {"phone": phone, "password": password})
        assert response.status_code == 302, label
        staff = password == STAFF_PASSWORD
        assert response["Location"] == ("/console/" if staff else "/"), label
    for login in NAMED_LOGINS:
        user = User.objects.by_phone(login.phone).get()
        assert user.is_superuser == login.superuser
        if login.role:
            assert user.scope.role_at(Union.objects.get(name=login.union).path) == login.role
        elif not login.superuser:
            assert not user.scope.is_staff
    assert all(password in (STAFF_PASSWORD, WORKER_PASSWORD) for _, _, password, _ in DEMO_LOGINS)


@pytest.mark.django_db
def test_it_does_nothing_the_second_time_with_if_empty() -> None:
    first = demo(if_empty=True, employers=30, workers=3)
    before = (Union.objects.count(), Employer.objects.count(), User.objects.count())

    second = demo(if_empty=True)

    assert "演示数据已加载" in first
    assert "跳过" in second
    assert (Union.objects.count(), Employer.objects.count(), User.objects.count()) == before
    with pytest.raises(CommandError):
        demo()


@pytest.mark.django_db
def test_it_refuses_to_load_in_production_mode(settings: object) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]

    with pytest.raises(CommandError):
        small_demo()

    assert not Union.objects.exists()


def test_it_draws_the_same_employers_from_the_same_seed() -> None:
    first = employer_specs(random.Random(7), 200)

    assert first == employer_specs(random.Random(7), 200)
    assert first != employer_specs(random.Random(8), 200)
    assert len({spec.name for spec in first}) == 200
    assert all(normalize_uscc(spec.uscc) == spec.uscc for spec in first)


@pytest.mark.django_db
def test_it_shows_only_existing_logins_in_the_banner() -> None:
    empty = StringIO()
    call_command("banner", "--url", "http://127.0.0.1:8000", stdout=empty)
    assert "http://127.0.0.1:8000/console/" in empty.getvalue()
    assert "http://127.0.0.1:8000/api/v1/docs" in empty.getvalue()
    assert "13900000001" not in empty.getvalue()

    small_demo()
    User.objects.by_phone("13900000004").update(is_active=False)
    loaded = StringIO()
    call_command("banner", "--url", "http://127.0.0.1:8000/", stdout=loaded)

    text = loaded.getvalue()
    assert "http://127.0.0.1:8000/admin/" in text
    assert "13900000001" in text and STAFF_PASSWORD in text and WORKER_PASSWORD in text
    assert "13900000004" not in text
