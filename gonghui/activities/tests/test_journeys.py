"""The main journeys end to end: an activity fills, its waitlist promotes, check-in works — through the
API, and through the console and the worker H5 pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.activities.models import Activity, Signup
from gonghui.core.models import Notification
from gonghui.testing import Cast

from .conftest import MakeActivity, new_member

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_whole_journey_through_the_api(cast: Cast) -> None:
    officer = cast.client("district_a_officer", api=True)
    starts = timezone.localtime() + timedelta(minutes=40)
    created = officer.post("/api/v1/activities/", {
        "union": str(cast.district_a.uuid), "title": "外卖骑手健康体检", "kind": "warmth", "place": "甲区职工服务中心",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=3)).isoformat(), "quota": 2,
        "signup_opens_at": (starts - timedelta(days=2)).isoformat(), "description": "免费体检，名额有限",
    }, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    key = body["uuid"]
    assert body["status"] == "draft" and body["checkin_url"] is None
    assert body["audience"]["label"] == "甲区总工会及下级工会会员"
    # members don't see a draft
    assert cast.client("worker_a", api=True).get(f"/api/v1/activities/open/{key}").status_code == 404
    published = officer.post(f"/api/v1/activities/{key}/publish")
    assert published.status_code == 200 and published.json()["phase"] == "signup"
    checkin_url = published.json()["checkin_url"]
    assert checkin_url.startswith("http://testserver/activities/checkin/")

    # three members sign up for two places: the third waits
    names = ["worker_a", "gig_worker_a", "provider"]
    clients = {name: cast.client(name, api=True) for name in names}
    listed = clients["worker_a"].get("/api/v1/activities/open").json()
    assert [a["uuid"] for a in listed["items"]] == [key] and listed["items"][0]["eligible"] is True
    results = {n: clients[n].post(f"/api/v1/activities/open/{key}/signup") for n in names}
    assert {n: r.status_code for n, r in results.items()} == {n: 201 for n in names}
    assert [results[n].json()["status"] for n in names] == ["confirmed", "confirmed", "waitlisted"]
    assert results["provider"].json()["waitlist_position"] == 1
    again = clients["worker_a"].post(f"/api/v1/activities/open/{key}/signup")
    assert again.status_code == 409 and again.json()["code"] == "already_signed_up"
    detail = officer.get(f"/api/v1/activities/{key}").json()
    assert detail["taken"] == 2 and detail["places_left"] == 0
    assert detail["counts"] == {"confirmed": 2, "waitlisted": 1, "cancelled": 0, "checked_in": 0}

    # the rider cancels: the model worker is promoted
    rider_signup = results["gig_worker_a"].json()["uuid"]
    cancelled = clients["gig_worker_a"].post(f"/api/v1/activities/signups/{rider_signup}/cancel",
                                             {"reason": "要跑单"}, content_type=JSON)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    mine = clients["provider"].get("/api/v1/activities/mine").json()["items"]
    assert [(s["activity"]["uuid"], s["status"]) for s in mine] == [(key, "confirmed")]
    assert Notification.objects.filter(recipient=cast.provider, title="候补成功：外卖骑手健康体检").exists()

    # check-in: staff scan worker_a's card, the model worker scans the activity's code
    token = cast.members["worker_a"].card_token
    scanned = officer.post(f"/api/v1/activities/{key}/check-in", {"token": token}, content_type=JSON)
    assert scanned.status_code == 200 and scanned.json()["status"] == "checked_in"
    assert scanned.json()["member_name"] == "王**" and scanned.json()["checkin_method"] == "card"
    by_code = clients["provider"].post("/api/v1/activities/checkin", {"code": checkin_url}, content_type=JSON)
    assert by_code.status_code == 200 and by_code.json()["status"] == "checked_in"
    roster = officer.get(f"/api/v1/activities/{key}/signups?status=checked_in").json()
    assert roster["count"] == 2 and {s["member_name"] for s in roster["items"]} == {"王**", "陈**"}
    assert all("*" in s["member_phone"] for s in roster["items"])

    # afterwards: ratings, the summary, the people served
    Activity.objects.filter(uuid=key).update(starts_at=timezone.now() - timedelta(hours=4),
                                             ends_at=timezone.now() - timedelta(hours=1),
                                             signup_opens_at=timezone.now() - timedelta(days=3),
                                             signup_closes_at=timezone.now() - timedelta(hours=4))
    worker_signup = results["worker_a"].json()["uuid"]
    rated = clients["worker_a"].post(f"/api/v1/activities/signups/{worker_signup}/rate", {"score": 5},
                                     content_type=JSON)
    assert rated.status_code == 201
    concluded = officer.post(f"/api/v1/activities/{key}/conclude", {"summary": "为2名会员完成体检。"},
                             content_type=JSON)
    assert concluded.status_code == 200 and concluded.json()["status"] == "concluded"
    stats = officer.get("/api/v1/activities/stats").json()
    assert stats["total"] == 2 and stats["people"] == 2
    assert cast.client("district_a_viewer", api=True).post(f"/api/v1/activities/{key}/rotate-code").status_code == 403


def test_the_console_and_h5_journey(cast: Cast, make_activity: MakeActivity) -> None:
    officer = cast.client("district_a_officer")
    form = cast.client("district_a_officer").get("/console/activities/new/")
    assert form.status_code == 200 and "甲区总工会" in form.content.decode()
    starts = timezone.localtime() + timedelta(days=3)
    response = officer.post("/console/activities/new/", {
        "union": str(cast.district_a.uuid), "title": "单身职工联谊会", "kind": "matchmaking", "place": "甲区文化宫",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "ends_at": (starts + timedelta(hours=3)).strftime(
            "%Y-%m-%dT%H:%M"), "quota": "1", "min_age": "20", "max_age": "40"})
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get(title="单身职工联谊会")
    assert response["Location"] == f"/console/activities/{activity.uuid}/"
    assert (activity.min_age, activity.max_age, activity.status) == (20, 40, "draft")
    bad = officer.post(f"/console/activities/{activity.uuid}/edit/", {
        "title": "单身职工联谊会", "kind": "matchmaking", "place": "甲区文化宫", "quota": "1",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"), "ends_at": (starts - timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M")})
    assert bad.status_code == 200 and "结束时间必须晚于开始时间" in bad.content.decode()
    officer.post(f"/console/activities/{activity.uuid}/publish/")
    assert Activity.objects.get(pk=activity.pk).status == "published"

    # the worker finds it, signs up and takes the only place; the rider gets on the waitlist
    worker = cast.client("worker_a")
    listing = worker.get("/activities/").content.decode()
    assert "单身职工联谊会" in listing and "名额 0/1" in listing
    assert worker.post(f"/activities/{activity.uuid}/signup/").status_code == 302
    page = worker.get(f"/activities/{activity.uuid}/").content.decode()
    assert "您已报名" in page and "取消报名" in page
    rider = cast.client("gig_worker_a")
    assert "报名候补" in rider.get(f"/activities/{activity.uuid}/").content.decode()
    rider.post(f"/activities/{activity.uuid}/signup/")
    assert "候补第1位" in rider.get(f"/activities/{activity.uuid}/").content.decode()
    assert "候补第1位" in rider.get("/activities/mine/").content.decode()
    # an older member is told why not
    assert "本活动要求不超过40周岁" in cast.client("provider").get(f"/activities/{activity.uuid}/").content.decode()

    # staff raise the quota: the rider is promoted; the console shows both
    officer.post(f"/console/activities/{activity.uuid}/edit/", {
        "title": "单身职工联谊会", "kind": "matchmaking", "place": "甲区文化宫", "quota": "2", "min_age": "20",
        "max_age": "40", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "signup_opens_at": timezone.localtime(activity.signup_opens_at).strftime("%Y-%m-%dT%H:%M")})
    assert list(Signup.objects.filter(activity=activity).values_list("status", flat=True)) == ["confirmed"] * 2
    detail = officer.get(f"/console/activities/{activity.uuid}/").content.decode()
    assert "候补递补" in detail and "王**" in detail and "李**" in detail
    # the worker cancels on the H5
    signup = Signup.objects.get(activity=activity, member=cast.members["worker_a"])
    worker.post(f"/activities/signups/{signup.uuid}/cancel/")
    assert Signup.objects.get(pk=signup.pk).status == "cancelled"
    assert "重新报名" in worker.get(f"/activities/{activity.uuid}/").content.decode()


def test_the_list_pages_use_a_fixed_number_of_queries(cast: Cast, make_activity: MakeActivity,
                                                      django_assert_max_num_queries) -> None:
    for n in range(6):
        activity = make_activity(title=f"活动{n}", quota=1)
        for _ in range(2):
            member = new_member(cast.district_a)
            from gonghui.activities import services

            services.signup_create(actor=member.user, member=member, activity=activity)
    worker, officer = cast.client("worker_a"), cast.client("district_a_officer")
    worker.get("/activities/")
    officer.get("/console/activities/")
    with django_assert_max_num_queries(12):
        assert worker.get("/activities/").status_code == 200
    with django_assert_max_num_queries(12):
        assert officer.get("/console/activities/").status_code == 200
    with django_assert_max_num_queries(16):
        assert officer.get(f"/console/activities/{activity.uuid}/").status_code == 200
