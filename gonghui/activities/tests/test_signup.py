"""报名, 候补 and 递补 (sign-up, waitlist, promotion) on the services: the quota is never exceeded,
the waitlist is served first come first served, one live sign-up per member, the audience rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.access import member_activity
from gonghui.activities.models import Activity, Signup, SignupEvent, SignupStatus
from gonghui.activities.selectors import waitlist_position
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditLog, Notification
from gonghui.testing import Cast
from gonghui.unions.models import Brand

from .conftest import MakeActivity, fresh, new_member, shift

pytestmark = pytest.mark.django_db


def sign(member, activity: Activity) -> Signup:
    return services.signup_create(actor=member.user, member=member, activity=fresh(activity))


def load(signup: Signup) -> Signup:
    return Signup.objects.select_related("activity__union", "member__union", "member__user").get(pk=signup.pk)


def statuses(activity: Activity) -> list[str]:
    return list(Signup.objects.filter(activity=activity).order_by("created_at", "id").values_list("status", flat=True))


def test_it_confirms_until_full_then_waitlists(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=2)
    people = [new_member(cast.district_a) for _ in range(4)]
    signups = [sign(m, activity) for m in people]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert fresh(activity).taken == 2
    assert [waitlist_position(s) for s in signups] == [None, None, 1, 2]
    titles = set(Notification.objects.filter(recipient=people[3].user).values_list("title", flat=True))
    assert titles == {"已进入候补：职工羽毛球赛"}
    assert "报名成功：职工羽毛球赛" in Notification.objects.filter(recipient=people[0].user).values_list("title",
                                                                                                     flat=True)
    assert SignupEvent.objects.filter(signup__activity=activity).count() == 4
    assert AuditLog.objects.filter(action="activity.signup", object_key=str(activity.uuid)).count() == 4


def test_it_promotes_the_first_of_the_waitlist_when_a_place_is_freed(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=2)
    first, second, w1, w2 = (sign(new_member(cast.district_a), activity) for _ in range(4))
    cancelled = services.signup_cancel(actor=first.member.user, signup=load(first), reason="临时加班")
    assert cancelled.status == SignupStatus.CANCELLED
    assert [p.pk for p in cancelled.promoted_now] == [w1.pk]
    assert statuses(activity) == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    promoted = load(w1)
    assert promoted.promoted is True and promoted.confirmed_at is not None
    assert fresh(activity).taken == 2
    assert waitlist_position(load(w2)) == 1
    assert list(promoted.events.values_list("from_status", "to_status", "note")) == [
        ("", "waitlisted", ""), ("waitlisted", "confirmed", "候补递补")]
    assert Notification.objects.filter(recipient=w1.member.user, title="候补成功：职工羽毛球赛").exists()
    assert AuditLog.objects.filter(action="activity.promote", detail__signup=str(w1.uuid)).exists()
    # staff remove the second: the next one comes up, and the removed member is told
    services.signup_cancel(actor=cast.district_a_officer, signup=load(second), reason="重复报名")
    assert statuses(activity) == ["cancelled", "cancelled", "confirmed", "confirmed"]
    assert Notification.objects.filter(recipient=second.member.user, title__startswith="您已被移出活动名单").exists()


def test_it_keeps_the_place_count_when_a_waitlisted_member_leaves(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=1)
    holder, w1, w2 = (sign(new_member(cast.district_a), activity) for _ in range(3))
    services.signup_cancel(actor=w1.member.user, signup=load(w1))
    assert fresh(activity).taken == 1 and load(holder).status == SignupStatus.CONFIRMED
    assert waitlist_position(load(w2)) == 1


def test_it_promotes_when_the_quota_grows_and_refuses_a_quota_below_the_places_taken(
        cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=2)
    for _ in range(5):
        sign(new_member(cast.district_a), activity)
    updated = services.activity_update(actor=cast.district_a_officer, activity=fresh(activity), quota=4)
    assert len(updated.promoted_now) == 2 and updated.taken == 4
    assert statuses(activity) == ["confirmed"] * 4 + ["waitlisted"]
    with pytest.raises(ValidationFailed, match="名额不能少于4"):
        services.activity_update(actor=cast.district_a_officer, activity=fresh(activity), quota=3)


def test_it_allows_one_live_signup_per_member(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=3)
    member = new_member(cast.district_a)
    first = sign(member, activity)
    with pytest.raises(Conflict, match="您已报名该活动"):
        sign(member, activity)
    # the database holds the line even when the service's check is bypassed (two taps at once)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(activity=activity, member=member, status=SignupStatus.WAITLISTED)
    services.signup_cancel(actor=member.user, signup=load(first))
    again = sign(member, activity)
    assert again.status == SignupStatus.CONFIRMED and fresh(activity).taken == 1


def test_the_database_rejects_more_places_than_the_quota(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=1)
    sign(new_member(cast.district_a), activity)
    # the naive unconditional increment is refused by the CheckConstraint …
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + 1)
    # … and the service's conditional UPDATE simply does not match: the next one waits in line
    assert services._take_place(activity.pk) is False
    assert sign(new_member(cast.district_a), activity).status == SignupStatus.WAITLISTED


def test_it_applies_the_audience_rules(cast: Cast, make_activity: MakeActivity) -> None:
    gig = make_activity(gig_only=True, title="骑手关爱行动")
    with pytest.raises(ValidationFailed, match="仅限新就业形态劳动者") as refused:
        sign(cast.members["worker_a"], gig)
    assert refused.value.code == "not_eligible"
    assert sign(cast.members["gig_worker_a"], gig).status == SignupStatus.CONFIRMED

    women = make_activity(women_only=True, title="三八节插花")
    with pytest.raises(ValidationFailed, match="仅限女职工"):
        sign(cast.members["worker_a"], women)
    assert sign(new_member(cast.grassroots_a, female=True), women).status == SignupStatus.CONFIRMED

    models = make_activity(model_workers_only=True, title="劳模疗休养")
    with pytest.raises(ValidationFailed, match="仅限劳模"):
        sign(cast.members["worker_a"], models)
    assert sign(cast.members["provider"], models).status == SignupStatus.CONFIRMED

    young = make_activity(min_age=22, max_age=35, title="青年联谊", kind="matchmaking")
    starts = timezone.localtime(young.starts_at).date()
    thirty = new_member(cast.district_a, born=date(starts.year - 30, 1, 1))
    assert sign(thirty, young).status == SignupStatus.CONFIRMED
    with pytest.raises(ValidationFailed, match="不超过35周岁"):
        sign(cast.members["provider"], young)  # born 1975

    # district B's member neither sees district A's activity nor may sign up for it
    with pytest.raises(NotFound):
        member_activity(cast.members["worker_b"], gig.uuid)
    assert "甲区总工会" in gig.audience_problem(cast.members["worker_b"])


def test_it_only_signs_up_in_the_window(cast: Cast, make_activity: MakeActivity) -> None:
    member = new_member(cast.district_a)
    draft = make_activity(publish=False)
    with pytest.raises(Conflict, match="草稿"):
        sign(member, draft)
    later = make_activity()
    Activity.objects.filter(pk=later.pk).update(signup_opens_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(Conflict, match="报名未开始"):
        sign(member, later)
    closed = make_activity(starts_in=timedelta(hours=5))
    Activity.objects.filter(pk=closed.pk).update(signup_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict, match="报名已截止"):
        sign(member, closed)
    with pytest.raises(Forbidden):
        services.signup_create(actor=cast.worker_a, member=member, activity=fresh(make_activity()))


def test_it_stops_members_cancelling_after_the_start_and_stops_promoting(cast: Cast,
                                                                         make_activity: MakeActivity) -> None:
    activity = make_activity(quota=1, starts_in=timedelta(hours=3))
    holder, waiting = (sign(new_member(cast.district_a), activity) for _ in range(2))
    shift(activity, starts_at=timezone.now() - timedelta(minutes=10))
    with pytest.raises(Conflict, match="活动已开始"):
        services.signup_cancel(actor=holder.member.user, signup=load(holder))
    removed = services.signup_cancel(actor=cast.district_a_officer, signup=load(holder), reason="未到场")
    assert removed.promoted_now == [] and load(waiting).status == SignupStatus.WAITLISTED
    assert fresh(activity).taken == 0


def test_cancelling_the_activity_cancels_every_signup(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=1)
    a, b = (sign(new_member(cast.district_a), activity) for _ in range(2))
    with pytest.raises(ValidationFailed):
        services.activity_cancel(actor=cast.district_a_officer, activity=fresh(activity), reason=" ")
    services.activity_cancel(actor=cast.district_a_officer, activity=fresh(activity), reason="场地维修")
    assert statuses(activity) == ["cancelled", "cancelled"] and fresh(activity).taken == 0
    for signup in (a, b):
        assert Notification.objects.filter(recipient=signup.member.user, title="活动「职工羽毛球赛」已取消",
                                           body="场地维修").exists()
    # the notification's link still opens the activity for those who had signed up, with the reason
    assert member_activity(a.member, activity.uuid).status == "cancelled"
    with pytest.raises(NotFound):
        member_activity(cast.members["worker_a"], activity.uuid)
    with pytest.raises(Conflict):
        services.activity_publish(actor=cast.district_a_officer, activity=fresh(activity))


def test_it_validates_the_activity(cast: Cast, make_activity: MakeActivity) -> None:
    now = timezone.now()
    base = {"actor": cast.district_a_officer, "union": cast.district_a, "title": "技能培训", "kind": "training",
            "place": "培训中心", "quota": 20}
    with pytest.raises(ValidationFailed, match="结束时间必须晚于开始时间"):
        services.activity_create(**base, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="报名截止时间不能晚于活动结束时间"):
        services.activity_create(**base, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2),
                                 signup_closes_at=now + timedelta(days=3))
    with pytest.raises(ValidationFailed, match="名额"):
        services.activity_create(**base | {"quota": 0}, starts_at=now + timedelta(days=1),
                                 ends_at=now + timedelta(days=2))
    province_brand = Brand.objects.create(union=cast.province, name="文化生活")
    sibling_brand = Brand.objects.create(union=cast.district_b, name="乙区品牌")
    with pytest.raises(ValidationFailed, match="品牌"):
        services.activity_create(**base, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2),
                                 brand=sibling_brand)
    made = services.activity_create(**base, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2),
                                    brand=province_brand)
    assert made.brand == province_brand and made.status == "draft"
    assert made.signup_closes_at == made.starts_at
