"""The union tree: materialized paths, subtree and ancestor queries, create, rename, move, deactivate."""

from __future__ import annotations

import pytest

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog
from gonghui.testing import Cast
from gonghui.unions import services
from gonghui.unions.models import Employer, Union, UnionLevel

pytestmark = pytest.mark.django_db


def test_it_builds_paths_from_the_ancestors(cast: Cast) -> None:
    for union in Union.objects.all():
        expected = (union.parent.path if union.parent else "") + f"{union.pk}/"
        assert union.path == expected
        assert union.depth == (union.parent.depth + 1 if union.parent else 0)


def test_it_queries_subtree_and_ancestors_in_constant_queries(cast: Cast, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        names = set(Union.objects.subtree(cast.district_a).values_list("name", flat=True))
    assert names == {"甲区总工会", "甲区东街道总工会", "甲公司工会"}
    with django_assert_num_queries(1):
        chain = list(Union.objects.ancestors_of(cast.grassroots_a).values_list("name", flat=True))
    assert chain == ["测试省总工会", "测试市总工会", "甲区总工会", "甲区东街道总工会"]


def test_it_creates_a_child_one_level_down_and_audits(cast: Cast) -> None:
    child = services.union_create(actor=cast.province_admin, parent=cast.district_a, name="  甲区 西街道总工会 ",
                                  kind="federation")
    assert child.name == "甲区 西街道总工会" and child.level == UnionLevel.STREET
    assert AuditLog.objects.filter(action="union.create", object_key=str(child.uuid)).exists()


def test_it_refuses_a_child_at_or_above_the_parent_level(cast: Cast) -> None:
    with pytest.raises(ValidationFailed, match="层级"):
        services.union_create(actor=None, parent=cast.district_a, name="错层工会", level=UnionLevel.CITY)


def test_it_moves_a_subtree_in_one_update(cast: Cast) -> None:
    street = cast.street_a
    services.union_move(actor=cast.province_admin, union=street, new_parent=cast.district_b)
    street.refresh_from_db()
    grassroots = Union.objects.get(pk=cast.grassroots_a.pk)
    assert street.parent == cast.district_b
    assert street.path == f"{cast.district_b.path}{street.pk}/"
    assert grassroots.path == f"{street.path}{grassroots.pk}/" and grassroots.depth == street.depth + 1
    # the employer followed: district B now sees it, district A no longer does
    assert Employer.objects.visible_to(cast.district_b_officer).filter(pk=cast.employer_a.pk).exists()
    assert not Employer.objects.visible_to(cast.district_a_officer).filter(pk=cast.employer_a.pk).exists()
    row = AuditLog.objects.get(action="union.move")
    assert row.detail == {"from_parent": cast.district_a.pk, "to_parent": cast.district_b.pk}


def test_it_refuses_moving_into_its_own_subtree(cast: Cast) -> None:
    with pytest.raises(ValidationFailed, match="自己或它的下级"):
        services.union_move(actor=cast.province_admin, union=cast.district_a, new_parent=cast.street_a)


def test_it_deactivates_only_leaves_and_not_twice(cast: Cast) -> None:
    with pytest.raises(Conflict, match="下级工会"):
        services.union_set_active(actor=cast.province_admin, union=cast.street_a, active=False)
    services.union_set_active(actor=cast.province_admin, union=cast.grassroots_a, active=False)
    with pytest.raises(Conflict):
        services.union_set_active(actor=cast.province_admin, union=cast.grassroots_a, active=False)
    assert AuditLog.objects.filter(action="union.deactivate").count() == 1


def test_it_renames_and_records_the_change(cast: Cast) -> None:
    services.union_update(actor=cast.province_admin, union=cast.district_a, name="甲区总工会（新）")
    row = AuditLog.objects.get(action="union.update")
    assert row.detail["name"] == ["甲区总工会", "甲区总工会（新）"]


def test_it_moves_through_the_api_and_rejects_a_cycle_in_chinese(cast: Cast) -> None:
    client = cast.client("province_admin", api=True)
    ok = client.post(f"/api/v1/unions/{cast.street_a.uuid}/move", {"new_parent": str(cast.district_b.uuid)},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["parent"] == str(cast.district_b.uuid)
    bad = client.post(f"/api/v1/unions/{cast.district_b.uuid}/move", {"new_parent": str(cast.street_a.uuid)},
                      content_type="application/json")
    assert bad.status_code == 400 and "下级" in bad.json()["message"]


def test_it_refuses_a_move_target_outside_the_movers_scope(cast: Cast) -> None:
    response = cast.client("district_a_admin", api=True).post(
        f"/api/v1/unions/{cast.street_a.uuid}/move", {"new_parent": str(cast.district_b.uuid)},
        content_type="application/json")
    assert response.status_code == 404


def test_it_lists_only_the_callers_subtree(cast: Cast) -> None:
    body = cast.client("district_a_officer", api=True).get("/api/v1/unions/").json()
    assert body["count"] == 3 and {u["name"] for u in body["items"]} == {"甲区总工会", "甲区东街道总工会", "甲公司工会"}
    widened = cast.client("district_a_officer", api=True).get(f"/api/v1/unions/?parent={cast.city.uuid}")
    assert widened.status_code == 404


def test_it_creates_unions_from_the_console(cast: Cast) -> None:
    client = cast.client("district_a_admin")
    response = client.post(f"/console/unions/{cast.district_a.uuid}/children/new/",
                           {"name": "甲区南街道总工会", "kind": "federation", "level": "4"})
    child = Union.objects.get(name="甲区南街道总工会")
    assert response.status_code == 302 and response["Location"] == f"/console/unions/{child.uuid}/"


def test_it_renders_the_tree_and_expands_nodes(cast: Cast, django_assert_max_num_queries) -> None:
    client = cast.client("city_officer")
    page = client.get("/console/unions/")
    assert page.status_code == 200 and "测试市总工会" in page.content.decode()
    with django_assert_max_num_queries(10):
        fragment = client.get(f"/console/unions/{cast.city.uuid}/children/", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "甲区总工会" in html and "乙区总工会" in html and "<html" not in html


def test_it_shows_a_union_page_in_constant_queries(cast: Cast, django_assert_max_num_queries) -> None:
    for i in range(5):
        services.union_create(actor=None, parent=cast.district_a, name=f"甲区第{i}街道总工会", audited=False)
    client = cast.client("district_a_admin")
    client.get(f"/console/unions/{cast.district_a.uuid}/")  # warm the session
    with django_assert_max_num_queries(22):
        page = client.get(f"/console/unions/{cast.district_a.uuid}/")
    assert page.status_code == 200 and "甲区第4街道总工会" in page.content.decode()


def test_it_serves_the_join_qr_code(cast: Cast) -> None:
    response = cast.client("district_a_officer").get(f"/console/unions/{cast.grassroots_a.uuid}/join-qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    public = cast.client(None).get(f"/unions/join/{cast.grassroots_a.join_code}/")
    assert public.status_code == 200 and "甲公司工会" in public.content.decode()
    assert cast.client(None).get("/unions/join/not-a-code/").status_code == 404
