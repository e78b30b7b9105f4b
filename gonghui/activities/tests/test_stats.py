"""惠及人次: check-ins per union (rolled up to the chosen union's children) and per month."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from gonghui.activities.models import Activity, Signup, SignupStatus
from gonghui.activities.selectors import people_served
from gonghui.testing import Cast

from .conftest import MakeActivity, new_member

pytestmark = pytest.mark.django_db


def served(activity: Activity, member, when: datetime) -> Signup:
    """A check-in on ``when`` (written directly: the statistics read what the services leave behind)."""
    return Signup.objects.create(activity=activity, member=member, status=SignupStatus.CHECKED_IN,
                                 confirmed_at=when, checked_in_at=when, checkin_method="manual")


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def history(cast: Cast, make_activity: MakeActivity, year: int) -> None:
    tz = timezone.get_current_timezone()
    march, june = datetime(year, 3, 8, 10, tzinfo=tz), datetime(year, 6, 1, 10, tzinfo=tz)
    at_street = make_activity(union=cast.street_a, actor="district_a_officer", title="街道健步走")
    at_grassroots = make_activity(union=cast.grassroots_a, actor="district_a_officer", title="车间技能比武",
                                  kind="training")
    at_district = make_activity(title="区总送清凉", kind="warmth")
    at_b = make_activity(union=cast.district_b, actor="district_b_officer", title="乙区联谊")
    worker, rider = cast.members["worker_a"], cast.members["gig_worker_a"]
    served(at_street, worker, march)
    served(at_grassroots, worker, june)          # the same person twice: 2 人次, 1 人
    served(at_district, rider, june)
    served(at_b, cast.members["worker_b"], march)
    served(at_street, new_member(cast.district_a), datetime(year - 1, 12, 31, 10, tzinfo=tz))  # last year


def test_it_counts_check_ins_per_child_union_and_month(cast: Cast, history: None, year: int) -> None:
    result = people_served(cast.district_a, year)
    rows = {row.label: row for row in result.rows}
    assert list(rows) == ["甲区总工会（本级）", "甲区东街道总工会"]
    assert rows["甲区东街道总工会"].months[2] == 1 and rows["甲区东街道总工会"].months[5] == 1
    assert rows["甲区东街道总工会"].total == 2  # the grassroots union rolls up into its street
    assert rows["甲区总工会（本级）"].months[5] == 1
    assert result.total == 3 and result.people == 2 and result.activities == 3
    assert dict(result.by_kind)["技能培训"] == 1 and dict(result.by_kind)["送温暖"] == 1
    city = people_served(cast.city, year)
    assert {row.label: row.total for row in city.rows} == {"测试市总工会（本级）": 0, "乙区总工会": 1, "甲区总工会": 3}


def test_the_stats_page_and_api_stay_in_scope(cast: Cast, history: None, year: int) -> None:
    page = cast.client("city_officer").get("/console/activities/stats/")
    html = page.content.decode()
    assert page.status_code == 200 and "惠及人次" in html and "甲区总工会" in html and "乙区总工会" in html
    api = cast.client("district_a_officer", api=True)
    body = api.get(f"/api/v1/activities/stats?year={year}").json()
    assert body["union"]["name"] == "甲区总工会" and body["total"] == 3
    assert body["rows"][1]["union"]["name"] == "甲区东街道总工会" and body["rows"][1]["total"] == 2
    assert api.get(f"/api/v1/activities/stats?union={cast.district_b.uuid}").status_code == 404
    assert cast.client("worker_a", api=True).get("/api/v1/activities/stats").status_code == 403
    assert cast.client(None).get("/console/activities/stats/").status_code == 302
    assert cast.client("district_a_officer").get(
        f"/console/activities/stats/?union={cast.district_b.uuid}").status_code == 404
    viewer = cast.client("district_a_viewer").get(f"/console/activities/stats/?union={cast.street_a.uuid}")
    assert viewer.status_code == 200 and "甲公司工会" in viewer.content.decode()
