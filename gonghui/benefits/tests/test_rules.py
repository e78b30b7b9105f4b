"""The eligibility rule: validated with Chinese messages, compiled to one filter bounded by the owning
union's subtree, ages counted on the issue date, summarized in words."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.benefits.rules import parse_rule, rule_queryset, rule_summary
from gonghui.core.errors import ValidationFailed
from gonghui.members.models import MemberStatus
from gonghui.testing import Cast

from .conftest import new_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("document", "message"), [
    ({"colour": "red"}, "无法识别的条件：colour"),
    ({"employment_form": "freelance"}, "就业形态只能是"),
    ({"gig_occupations": ["astronaut"]}, "新就业形态职业中有无法识别的选项：astronaut"),
    ({"employment_form": "regular", "gig_occupations": ["courier"]}, "就业形态应为新就业形态劳动者"),
    ({"age_min": 12}, "最小年龄应在16到100岁之间"),
    ({"age_min": 40, "age_max": 30}, "最大年龄不能小于最小年龄"),
    ({"joined_before": "2025-13-01"}, "入会日期格式应为 YYYY-MM-DD"),
    ({"unions": ["not-a-uuid"]}, "工会范围格式不正确"),
    ({"hardship_levels": "poor"}, "困难职工类别中有无法识别的选项"),
])
def test_it_rejects_bad_documents(document: dict, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        parse_rule(document)


def test_it_normalizes_a_document() -> None:
    rule = parse_rule({"gig_occupations": ["courier", "food_delivery", "courier"], "women_only": "on",
                       "joined_before": "2025-01-01", "age_min": "18"})
    assert rule.as_json() == {"employment_form": "gig", "gig_occupations": ["courier", "food_delivery"],
                              "women_only": True, "age_min": 18, "joined_before": "2025-01-01"}
    assert parse_rule({}).as_json() == {}


def test_it_selects_members_by_each_condition(cast: Cast) -> None:
    def ids(document: dict, on: date | None = None) -> set[str]:
        return {m.name for m in rule_queryset(document, union=cast.district_a, on=on)}

    everyone = {"王小明", "李骑手", "陈劳模"}  # worker_b is in district B: outside the union
    assert ids({}) == everyone
    assert ids({"employment_form": "gig"}) == {"李骑手"}
    assert ids({"gig_occupations": ["courier"]}) == set()
    assert ids({"model_worker_levels": ["national"]}) == {"陈劳模"}
    assert ids({"unions": [str(cast.grassroots_a.uuid)]}) == {"王小明"}
    assert ids({"women_only": True}) == {"李骑手", "陈劳模"}  # the cast's ID numbers say so
    # 王小明 was born 1990-03-07: 36 on 2026-03-07, 35 the day before
    assert "王小明" in ids({"age_min": 36}, on=date(2026, 3, 7))
    assert "王小明" not in ids({"age_min": 36}, on=date(2026, 3, 6))
    assert "王小明" in ids({"age_max": 35}, on=date(2026, 3, 6))
    assert "王小明" not in ids({"age_max": 35}, on=date(2026, 3, 7))
    cast.members["worker_a"].__class__.objects.filter(pk=cast.members["worker_a"].pk).update(
        join_date=date(2020, 5, 1))
    assert ids({"joined_before": "2020-05-02"}) == {"王小明"}
    # only current members
    left = new_member(cast.district_a)
    left.__class__.objects.filter(pk=left.pk).update(status=MemberStatus.LEFT)
    assert left.name not in ids({})


def test_it_says_the_rule_in_words(cast: Cast) -> None:
    text = rule_summary({"unions": [str(cast.grassroots_a.uuid)], "gig_occupations": ["courier", "food_delivery"],
                         "hardship_levels": ["serious"], "women_only": True, "model_worker_levels": ["city"],
                         "age_min": 18, "age_max": 35, "joined_before": "2025-01-01"}, union=cast.district_a)
    assert text == ("甲公司工会及其下级工会的会员；新就业形态劳动者（快递员、外卖送餐员）；困难职工（深度困难）；"
                    "女职工；劳模（市级劳模）；年龄18至35周岁；2025年1月1日以前入会")
    assert rule_summary({}, union=cast.district_a) == "甲区总工会及其下级工会的会员"
