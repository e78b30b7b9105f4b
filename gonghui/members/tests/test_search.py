"""Finding members: name, pinyin initials and full pinyin, exact phone and ID (through the blind
index, messy input accepted), filters, scope, counts per child union, and pinned query counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.core.errors import NotFound
from gonghui.members.models import Member, MemberStatus
from gonghui.members.selectors import child_union_counts, member_search, query_kind
from gonghui.members.services.registry import change_status, member_create
from gonghui.testing import Cast, id_number, make_user

pytestmark = pytest.mark.django_db


def add(cast: Cast, name: str, union: str = "grassroots_a", born: str = "19900101", seq: str = "111",
        **extra: Any) -> Member:
    return member_create(actor=None, union=cast.unions[union], name=name, id_number=id_number("630102", born, seq),
                         **extra)


def names(qs: Any) -> list[str]:
    return [m.name for m in qs]


@pytest.fixture
def people(cast: Cast) -> dict[str, Member]:
    return {
        "张三": add(cast, "张三", phone="13712340001", born="19900101"),
        "张思远": add(cast, "张思远", born="19900102", employment_form="gig", gig_occupation="courier"),
        "赵森": add(cast, "赵森", "district_a", born="19900103", hardship_level="serious"),
        "章散": add(cast, "章散", "grassroots_b", born="19900104"),  # district B
        "欧阳娜娜": add(cast, "欧阳娜娜", "street_a", born="19900105", model_worker_level="city",
                        join_date=date(2020, 5, 1)),
    }


def test_it_reads_what_was_typed(cast: Cast) -> None:
    assert query_kind("zs") == "pinyin" and query_kind("ZhangSan") == "pinyin"
    assert query_kind("张") == "name" and query_kind("138 1234 5678") == "phone"
    assert query_kind("630102 19900101 111x") == "id" and query_kind("630102900101111") == "id"


def test_it_finds_by_pinyin_initials(cast: Cast, people: dict[str, Member]) -> None:
    found = names(member_search(cast.district_a_officer, {"q": "zs"}))
    assert "张三" in found and "张思远" in found and "赵森" in found
    assert "章散" not in found  # district B, outside the officer's scope
    assert names(member_search(cast.city_officer, {"q": "zs"})).count("章散") == 1
    assert names(member_search(cast.district_a_officer, {"q": "oynn"})) == ["欧阳娜娜"]


def test_it_finds_by_full_pinyin_and_name_prefix(cast: Cast, people: dict[str, Member]) -> None:
    assert names(member_search(cast.district_a_officer, {"q": "zhangsan"})) == ["张三"]
    assert names(member_search(cast.district_a_officer, {"q": "ZHANG"})) == ["张三", "张思远"]
    assert names(member_search(cast.district_a_officer, {"q": "张"})) == ["张三", "张思远"]
    assert names(member_search(cast.district_a_officer, {"q": "张思"})) == ["张思远"]
    assert names(member_search(cast.district_a_officer, {"q": "欧阳"})) == ["欧阳娜娜"]


def test_it_finds_by_exact_phone_and_id_however_typed(cast: Cast, people: dict[str, Member]) -> None:
    zhang = people["张三"]
    for typed in ["13712340001", "137 1234 0001", "+86 137-1234-0001", "１３７１２３４０００１"]:
        assert list(member_search(cast.district_a_officer, {"q": typed})) == [zhang], typed
    number = zhang.id_number
    for typed in [number, number.lower(), " ".join([number[:6], number[6:14], number[14:]]),
                  "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)]:
        assert list(member_search(cast.district_a_officer, {"q": typed})) == [zhang], typed
    assert list(member_search(cast.district_a_officer, {"q": "13712340002"})) == []
    assert list(member_search(cast.district_a_officer, {"q": number[:17] + "0"})) == []  # bad check character


def test_it_finds_a_fifteen_digit_id_as_its_eighteen_digit_form(cast: Cast) -> None:
    old = add(cast, "刘旧号", born="19650302", seq="123")
    assert list(member_search(cast.district_a_officer, {"q": "630102650302123"})) == [old]


def test_it_never_shows_another_branch(cast: Cast, people: dict[str, Member]) -> None:
    worker_b = cast.members["worker_b"]
    for q in ["", "赵", "zsf", worker_b.phone, worker_b.id_number]:
        assert worker_b not in member_search(cast.district_a_officer, {"q": q}), q
    assert worker_b in member_search(cast.city_officer, {"q": worker_b.phone})
    assert not member_search(make_user("路人"), {"q": ""}).exists()


def test_it_refuses_a_union_filter_outside_the_scope(cast: Cast) -> None:
    with pytest.raises(NotFound):
        member_search(cast.district_a_officer, {"union": str(cast.district_b.uuid)})
    response = cast.client("district_a_officer").get(f"/console/members/?union={cast.district_b.uuid}")
    assert response.status_code == 404
    response = cast.client("district_a_officer", api=True).get(f"/api/v1/members/?union={cast.district_b.uuid}")
    assert response.status_code == 404


def test_it_filters(cast: Cast, people: dict[str, Member]) -> None:
    officer = cast.district_a_officer

    def only(**params: str) -> set[str]:
        return set(names(member_search(officer, params)))

    assert only(union=str(cast.street_a.uuid)) == {"张三", "张思远", "欧阳娜娜", "王小明"}
    assert only(occupation="courier") == {"张思远"}
    assert only(form="gig") == {"张思远", "李骑手"}
    assert only(hardship="serious") == {"赵森"} == only(hardship="any")
    assert only(model_worker="any") == {"欧阳娜娜", "陈劳模"}
    assert only(model_worker="city") == {"欧阳娜娜"}
    assert only(joined_to="2020-12-31") == {"欧阳娜娜"}
    assert "欧阳娜娜" not in only(joined_from=str(timezone.localdate() - timedelta(days=1)))
    change_status(member=people["赵森"], from_status=MemberStatus.ACTIVE, to_status=MemberStatus.LEFT, event="left")
    assert "赵森" not in only() and only(status="left") == {"赵森"} and "赵森" in only(status="all")
    assert only(occupation="not-a-choice") == only()  # unknown values are ignored, never widen


def test_it_counts_members_per_child_union(cast: Cast, people: dict[str, Member]) -> None:
    qs = member_search(cast.district_a_officer, {})
    counts = child_union_counts(cast.district_a_officer, cast.district_a, qs)
    # district A holds 赵森, gig_worker_a and provider directly; street A holds the rest
    assert counts.own == 3
    assert [(c.union.name, c.count) for c in counts.children] == [("甲区东街道总工会", 4)]
    city = child_union_counts(cast.city_officer, cast.city, member_search(cast.city_officer, {}))
    assert {c.union.name: c.count for c in city.children} == {"甲区总工会": 7, "乙区总工会": 2}
    filtered = child_union_counts(cast.city_officer, cast.city, member_search(cast.city_officer, {"q": "zs"}))
    assert {c.union.name: c.count for c in filtered.children} == {"甲区总工会": 3, "乙区总工会": 2}  # 赵师傅: zsf


def test_it_lists_and_drills_down_on_the_console(cast: Cast, people: dict[str, Member]) -> None:
    client = cast.client("city_officer")
    page = client.get("/console/members/", {"q": "zs"}).content.decode()
    assert "张三" in page and "章散" in page and "甲区总工会" in page and "乙区总工会" in page
    assert "137****0001" in page and "13712340001" not in page
    drilled = client.get("/console/members/", {"q": "zs", "union": str(cast.district_b.uuid)},
                         headers={"HX-Request": "true"})
    body = drilled.content.decode()
    assert drilled.status_code == 200 and "章散" in body and "张三" not in body and "<html" not in body
    assert "乙公司工会" in body  # the counts panel now lists district B's children


def test_it_lists_through_the_api_masked_and_paginated(cast: Cast, people: dict[str, Member]) -> None:
    client = cast.client("district_a_officer", api=True)
    body = client.get("/api/v1/members/", {"q": "zs", "page_size": 2}).json()
    assert body["count"] == 3 and len(body["items"]) == 2
    first = body["items"][0]
    assert first["phone"] in ("137****0001", "") and "*" in first["id_number"]
    counts = client.get("/api/v1/members/counts", {"union": str(cast.district_a.uuid)}).json()
    assert counts["own"] == 3 and counts["children"][0]["count"] == 4 and counts["total"] == 7


def test_it_pins_the_number_of_queries(cast: Cast, people: dict[str, Member],
                                       django_assert_max_num_queries: Any) -> None:
    for n in range(30):
        add(cast, f"张{n:02d}", "street_a", born=f"1980{1 + n // 28:02d}{1 + n % 28:02d}",
            employer=cast.employer_a, hardship_level="general")
    client = cast.client("city_officer")
    api = cast.client("city_officer", api=True)
    client.get("/console/members/")  # warm the session
    # 7 are the shell's (session, user, scope, inbox count, session save); the page's own: count, page,
    # the current union and its parent, the counts' GROUP BY and the child unions.
    with django_assert_max_num_queries(13):
        response = client.get("/console/members/", {"q": "张"})
    assert response.status_code == 200 and response.content.decode().count("/console/members/") > 20
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/members/", {"q": "zhang", "page_size": 50}).json()["count"] == 33  # 章散 too
