"""Every activities endpoint, HTML and API, against the cast: own branch, parent, child, sibling,
other city, read-only (403 on writes) and anonymous (login required). The member-facing pages and
endpoints: the worker of the branch, a worker of another branch (404), non-members and anonymous."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Activity, ActivityPhoto, Signup
from gonghui.members.models import Member
from gonghui.testing import OK, Cast, scope_matrix

from .conftest import MakeActivity, fresh, new_member, shift

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
JSON = "application/json"
# Lists are never 404: other branches get an empty list, anonymous is sent to log in.
LIST = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}


@pytest.fixture
def activity(make_activity: MakeActivity) -> Activity:
    return make_activity(starts_in=timedelta(minutes=30), quota=50)


def signup_of(activity: Activity, member: Member) -> Signup:
    return services.signup_create(actor=member.user, member=member, activity=fresh(activity))


def test_it_gates_reading_an_activity(cast: Cast, activity: Activity) -> None:
    key = activity.uuid
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/activities/{key}"))
    scope_matrix(cast, lambda c, _: c.get(f"/console/activities/{key}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/console/activities/{key}/participants/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/activities/{key}/signups"))
    scope_matrix(cast, lambda c, _: c.get(f"/console/activities/{key}/export.xlsx"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/activities/{key}/export"))
    scope_matrix(cast, lambda c, _: c.get(f"/console/activities/{key}/checkin-qr.svg"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/activities/{key}/photos"))


def test_it_gates_the_lists(cast: Cast, activity: Activity) -> None:
    scope_matrix(cast, lambda c, _: c.get("/api/v1/activities/"), overrides=LIST)
    scope_matrix(cast, lambda c, _: c.get("/console/activities/"), api=False, overrides=LIST)
    scope_matrix(cast, lambda c, _: c.get("/console/activities/stats/"), api=False, overrides=LIST)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/activities/stats"), overrides=LIST)
    assert cast.client("district_b_officer", api=True).get("/api/v1/activities/").json()["count"] == 0
    assert cast.client("city_officer", api=True).get("/api/v1/activities/").json()["count"] == 1


def test_it_gates_creating(cast: Cast) -> None:
    def body() -> dict[str, Any]:
        return {"union": str(cast.district_a.uuid), "title": "职工读书会", "kind": "culture", "place": "职工书屋",
                "starts_at": "2030-05-01T09:00:00+08:00", "ends_at": "2030-05-01T11:00:00+08:00", "quota": 30}

    scope_matrix(cast, lambda c, _: c.post("/api/v1/activities/", body(), content_type=JSON), write=True)
    form = {k: v for k, v in body().items()} | {"starts_at": "2030-05-01T09:00", "ends_at": "2030-05-01T11:00"}
    scope_matrix(cast, lambda c, _: c.post("/console/activities/new/", form), write=True, api=False)


def test_it_gates_changing_an_activity(cast: Cast, activity: Activity, make_activity: MakeActivity) -> None:
    key = activity.uuid
    scope_matrix(cast, lambda c, _: c.patch(f"/api/v1/activities/{key}", {"place": "甲区文化宫"}, content_type=JSON),
                 write=True)
    scope_matrix(cast, lambda c, _: c.post(f"/console/activities/{key}/rotate-code/"), write=True, api=False)

    def draft() -> Activity:
        return make_activity(publish=False)

    scope_matrix(cast, lambda c, a: c.post(f"/api/v1/activities/{a.uuid}/publish"), target=draft, write=True)
    scope_matrix(cast, lambda c, a: c.post(f"/console/activities/{a.uuid}/publish/"), target=draft, write=True,
                 api=False)
    scope_matrix(cast, lambda c, a: c.post(f"/api/v1/activities/{a.uuid}/cancel", {"reason": "天气原因"},
                                           content_type=JSON), target=draft, write=True)
    scope_matrix(cast, lambda c, a: c.get(f"/console/activities/{a.uuid}/edit/"), target=draft, write=True,
                 api=False)


def test_it_gates_check_in_and_removal(cast: Cast, activity: Activity) -> None:
    def signed() -> Signup:
        return signup_of(activity, new_member(cast.district_a))

    def card() -> str:
        member = new_member(cast.district_a)
        signup_of(activity, member)
        return member.card_token

    key = activity.uuid
    scope_matrix(cast, lambda c, token: c.post(f"/api/v1/activities/{key}/check-in", {"token": token},
                                               content_type=JSON), target=card, write=True)
    scope_matrix(cast, lambda c, token: c.post(f"/console/activities/{key}/scan/", {"token": token}),
                 target=card, write=True, api=False)
    scope_matrix(cast, lambda c, s: c.post(f"/api/v1/activities/signups/{s.uuid}/check-in"), target=signed,
                 write=True)
    scope_matrix(cast, lambda c, s: c.post(f"/console/activities/signups/{s.uuid}/check-in/"), target=signed,
                 write=True, api=False)
    scope_matrix(cast, lambda c, s: c.post(f"/api/v1/activities/signups/{s.uuid}/cancel", {"reason": "重复"},
                                           content_type=JSON), target=signed, write=True)
    scope_matrix(cast, lambda c, s: c.post(f"/console/activities/signups/{s.uuid}/remove/"), target=signed,
                 write=True, api=False)


def test_it_gates_photos(cast: Cast, make_activity: MakeActivity) -> None:
    ran = shift(make_activity(), starts_at=timezone.now() - timedelta(hours=1))

    def photo() -> ActivityPhoto:
        return services.photo_add(actor=cast.district_a_officer, activity=fresh(ran),
                                  content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)

    scope_matrix(cast, lambda c, p: c.delete(f"/api/v1/activities/photos/{p.uuid}"), target=photo, write=True)
    scope_matrix(cast, lambda c, p: c.post(f"/console/activities/photos/{p.uuid}/delete/"), target=photo,
                 write=True, api=False)


# --- The member's side ------------------------------------------------------------------------------------------


def member_status(client: Client, url: str, method: str = "get") -> int:
    return getattr(client, method)(url).status_code


def test_members_see_only_their_branch(cast: Cast, activity: Activity) -> None:
    key = activity.uuid
    for url in (f"/activities/{key}/", f"/api/v1/activities/open/{key}"):
        api = url.startswith("/api/")
        assert member_status(cast.client("worker_a", api=api), url) == 200, url
        assert member_status(cast.client("gig_worker_a", api=api), url) == 200, url
        assert member_status(cast.client("worker_b", api=api), url) == 404, url      # district B
        assert member_status(cast.client("merchant", api=api), url) == 404, url      # not a member
        assert member_status(cast.client(None, api=api), url) == (401 if api else 302), url
    # drafts are nobody's business but the staff's
    draft = Activity.objects.create(union=cast.district_a, title="草稿", place="—", starts_at=activity.starts_at,
                                    ends_at=activity.ends_at, signup_opens_at=activity.signup_opens_at,
                                    signup_closes_at=activity.signup_closes_at, quota=5)
    assert member_status(cast.client("worker_a"), f"/activities/{draft.uuid}/") == 404


def test_members_sign_up_only_where_they_belong(cast: Cast, activity: Activity) -> None:
    key = activity.uuid
    assert cast.client("worker_b").post(f"/activities/{key}/signup/").status_code == 404
    assert cast.client("worker_b", api=True).post(f"/api/v1/activities/open/{key}/signup").status_code == 404
    assert cast.client(None).post(f"/activities/{key}/signup/").status_code == 302
    assert cast.client(None, api=True).post(f"/api/v1/activities/open/{key}/signup").status_code == 401
    mine = signup_of(activity, cast.members["worker_a"])
    # another member cannot cancel or rate it; staff outside the branch get a 404 too
    assert cast.client("gig_worker_a").post(f"/activities/signups/{mine.uuid}/cancel/").status_code == 404
    assert cast.client("gig_worker_a", api=True).post(f"/api/v1/activities/signups/{mine.uuid}/cancel",
                                                      {}, content_type=JSON).status_code == 404
    assert cast.client("worker_b").post(f"/activities/signups/{mine.uuid}/rate/", {"score": 5}).status_code == 404
    assert cast.client("worker_a").post(f"/activities/signups/{mine.uuid}/cancel/").status_code == 302
    assert Signup.objects.get(pk=mine.pk).status == "cancelled"
    for url in ("/activities/", "/activities/mine/"):
        assert cast.client(None).get(url).status_code == 302
        assert "您还不是工会会员" in cast.client("merchant").get(url).content.decode()
    assert cast.client("merchant", api=True).get("/api/v1/activities/mine").status_code == 404
