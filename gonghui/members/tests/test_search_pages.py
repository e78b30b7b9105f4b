"""A pinyin search reads each page from its ordered parts (MemberQuerySet.in_ordered_parts): every
page must be exactly the slice of the fully sorted result, whichever part its rows come from."""

from __future__ import annotations

import pytest

from gonghui.members.models import Member
from gonghui.members.pinyin import full_pinyin, initials
from gonghui.members.selectors import member_search
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number

pytestmark = pytest.mark.django_db

# "zh" is both the start of full pinyin (张三 zhangsan, 周杰 zhoujie) and two initials (张华 zh, 赵辉 zh).
NAMES = ["张华", "张三", "周杰", "赵辉", "张红", "郑浩", "钟汉", "张海", "朱辉", "庄恒", "张浩", "周华",
         "张", "赵", "章华", "郑海洋", "张洪涛", "朱红霞", "赵慧敏", "张国华"]


def test_it_pages_a_pinyin_search_as_the_sorted_result(cast: Cast) -> None:
    for n, name in enumerate(NAMES):
        member_create(actor=None, union=cast.unions["grassroots_a" if n % 3 else "district_a"], name=name,
                      id_number=id_number("630102", f"1990{1 + n // 28:02d}{1 + n % 28:02d}", "111"))
    for q in ("zh", "zhh", "zhang", "zhh", "zs", "z", "zhanghua", "zhhx"):
        qs = member_search(cast.city_officer, {"q": q})
        everything = list(qs.values_list("pk", flat=True))  # the plain sorted query, not the ordered parts
        expected = [m.pk for m in sorted(Member.objects.filter(pk__in=everything), key=lambda m: (m.name_pinyin, m.pk))]
        assert everything == expected
        for size in (1, 2, 3, 7):
            for start in range(0, len(everything) + 2, size):
                qs = member_search(cast.city_officer, {"q": q}).select_related("union")
                page = [m.pk for m in qs[start:start + size]]
                assert page == everything[start:start + size], (q, start, size)
    assert len(list(member_search(cast.city_officer, {"q": "zh"}))) >= 15


def test_it_reads_the_first_initial_as_the_first_letter_of_the_pinyin() -> None:
    # member_search answers a one-letter search from the pinyin alone because of this.
    for name in [*NAMES, "欧阳娜娜", "阿依古丽·买买提", "Tom张", "王2", "吕布", "单于", "曾", "乐", "长孙无忌", "覃"]:
        if initials(name):
            assert initials(name)[0] == full_pinyin(name)[0], name


def test_it_reads_a_page_through_the_ordered_parts(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member_create(actor=None, union=cast.unions["grassroots_a"], name="张华",
                  id_number=id_number("630102", "19900101", "111"))
    with CaptureQueriesContext(connection) as queries:
        assert "张华" in [m.name for m in member_search(cast.city_officer, {"q": "zh"})[:20]]
    assert sum("UNION ALL" in q["sql"] for q in queries) == 1


def test_it_caps_the_console_count(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from gonghui.members.views.staff import registry

    for n in range(5):
        member_create(actor=None, union=cast.unions["grassroots_a"], name=f"张{n}",
                      id_number=id_number("630102", f"1990010{n + 1}", "111"))
    monkeypatch.setattr(registry, "COUNT_CAP", 2)
    monkeypatch.setattr(registry, "PAGE_SIZE", 2)
    page = cast.client("city_officer").get("/console/members/", {"q": "张"}).content.decode()
    assert "共 2+ 条" in page and "第 1 / 2+ 页" in page
    last = cast.client("city_officer").get("/console/members/", {"q": "张", "page": 3}).content.decode()
    assert "共 5 条" in last and "第 3 / 3 页" in last
