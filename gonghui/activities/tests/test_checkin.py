"""签到: staff scan the member's e-member card, the member scans the activity's code (H5 and API), or
staff check a member in by hand; only confirmed sign-ups, only in the check-in window, only once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Signup, SignupStatus
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditLog
from gonghui.members.models import Member
from gonghui.members.services.card import card_payload
from gonghui.testing import Cast

from .conftest import MakeActivity, fresh, new_member, shift

pytestmark = pytest.mark.django_db
SOON = timedelta(minutes=30)


def token_of(member: Member) -> str:
    return Member.objects.values_list("card_token", flat=True).get(pk=member.pk)


def signed_up(activity, member: Member) -> Signup:
    return services.signup_create(actor=member.user, member=member, activity=fresh(activity))


def test_it_checks_in_by_scanning_the_member_card(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=SOON)
    member = cast.members["worker_a"]
    signup = signed_up(activity, member)
    # the scanner delivers the card's whole URL; the bare token works as well
    scanned = services.checkin_by_card(actor=cast.district_a_officer, activity=fresh(activity),
                                       token="https://gonghui.example" + card_payload(member))
    assert scanned.pk == signup.pk and scanned.status == SignupStatus.CHECKED_IN
    stored = Signup.objects.get(pk=signup.pk)
    assert stored.checkin_method == "card" and stored.checked_in_by == cast.district_a_officer
    assert stored.checked_in_at is not None
    with pytest.raises(Conflict, match="已签到"):
        services.checkin_by_card(actor=cast.district_a_officer, activity=fresh(activity), token=token_of(member))
    assert AuditLog.objects.filter(action="activity.checkin", result="success", detail__method="card").count() == 1


def test_it_refuses_cards_that_are_not_signed_up_waitlisted_rotated_or_expired(
        cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=SOON, quota=1)
    signed_up(activity, new_member(cast.district_a))
    waiting = cast.members["gig_worker_a"]
    signed_up(activity, waiting)
    officer = cast.district_a_officer
    with pytest.raises(Conflict, match="候补名单"):
        services.checkin_by_card(actor=officer, activity=fresh(activity), token=token_of(waiting))
    with pytest.raises(ValidationFailed, match="未报名本活动") as refused:
        services.checkin_by_card(actor=officer, activity=fresh(activity), token=token_of(cast.members["provider"]))
    assert refused.value.code == "not_signed_up"
    assert AuditLog.objects.filter(action="activity.checkin", result="failure").exists()
    with pytest.raises(ValidationFailed, match="二维码无效"):
        services.checkin_by_card(actor=officer, activity=fresh(activity), token="not-a-token")
    worker = cast.members["worker_a"]
    Member.objects.filter(pk=worker.pk).update(card_token_rotated_at=timezone.now() - timedelta(hours=49))
    with pytest.raises(ValidationFailed, match="已过期"):
        services.checkin_by_card(actor=officer, activity=fresh(activity), token=token_of(worker))


def test_it_only_checks_in_during_the_window(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=timedelta(hours=3))
    member = cast.members["worker_a"]
    signed_up(activity, member)
    with pytest.raises(Conflict, match="不在签到时间内"):
        services.checkin_by_card(actor=cast.district_a_officer, activity=fresh(activity), token=token_of(member))
    shift(activity, starts_at=timezone.now() - timedelta(hours=3))  # ended an hour ago
    with pytest.raises(Conflict, match="不在签到时间内"):
        services.checkin_by_card(actor=cast.district_a_officer, activity=fresh(activity), token=token_of(member))


def test_the_member_checks_in_with_the_activity_code_on_the_h5(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=SOON)
    signup = signed_up(activity, cast.members["worker_a"])
    client = cast.client("worker_a")
    url = f"/activities/checkin/{activity.checkin_code}/"
    page = client.get(url)
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CONFIRMED  # a GET changes nothing
    done = client.post(url)
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    stored = Signup.objects.get(pk=signup.pk)
    assert stored.status == SignupStatus.CHECKED_IN and stored.checkin_method == "code"
    again = client.post(url)
    assert "您已签到" in again.content.decode()
    # someone who did not sign up is told so; a reset code no longer works
    assert "您未报名该活动" in cast.client("gig_worker_a").get(url).content.decode()
    services.activity_rotate_code(actor=cast.district_a_officer, activity=fresh(activity))
    assert client.get(url).status_code == 404
    assert cast.client(None).get(url).status_code == 302


def test_the_member_checks_in_with_the_code_through_the_api(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=SOON)
    signup = signed_up(activity, cast.members["gig_worker_a"])
    api = cast.client("gig_worker_a", api=True)
    scanned = f"https://gonghui.example/activities/checkin/{activity.checkin_code}/"
    response = api.post("/api/v1/activities/checkin", {"code": scanned}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "checked_in" and response.json()["uuid"] == str(signup.uuid)
    twice = api.post("/api/v1/activities/checkin", {"code": activity.checkin_code}, content_type="application/json")
    assert twice.status_code == 409 and twice.json()["message"] == "已签到，无需重复签到"
    wrong = api.post("/api/v1/activities/checkin", {"code": "nonsense-code"}, content_type="application/json")
    assert wrong.status_code == 404


def test_only_the_member_or_writing_staff_check_in(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=SOON)
    signup = signed_up(activity, cast.members["worker_a"])
    loaded = Signup.objects.select_related("activity__union", "member__user").get(pk=signup.pk)
    with pytest.raises(Forbidden):
        services.signup_check_in(actor=cast.gig_worker_a, signup=loaded, method="code")
    with pytest.raises(Forbidden):
        services.signup_check_in(actor=cast.district_a_viewer, signup=loaded, method="manual")
    with pytest.raises(NotFound):
        services.checkin_by_code(actor=cast.worker_a, member=cast.members["worker_a"], code="x" * 12)
    done = services.signup_check_in(actor=cast.district_a_officer, signup=loaded, method="manual")
    assert done.status == SignupStatus.CHECKED_IN


def test_staff_check_in_from_the_console(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=SOON)
    member = cast.members["worker_a"]
    signup = signed_up(activity, member)
    officer = cast.client("district_a_officer")
    page = officer.get(f"/console/activities/{activity.uuid}/")
    html = page.content.decode()
    assert page.status_code == 200 and "扫码签到" in html and "<svg" in html and activity.checkin_code in html
    miss = officer.post(f"/console/activities/{activity.uuid}/scan/", {"token": token_of(cast.members["provider"])},
                        headers={"HX-Request": "true"})
    assert miss.status_code == 200 and "陈**未报名本活动" in miss.content.decode()
    hit = officer.post(f"/console/activities/{activity.uuid}/scan/", {"token": token_of(member)},
                       headers={"HX-Request": "true"})
    assert "王** 签到成功" in hit.content.decode()
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CHECKED_IN
    other = signed_up(activity, cast.members["gig_worker_a"])
    manual = officer.post(f"/console/activities/signups/{other.uuid}/check-in/")
    assert manual.status_code == 302
    assert Signup.objects.get(pk=other.pk).checkin_method == "manual"
