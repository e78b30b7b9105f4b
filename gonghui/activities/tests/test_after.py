"""After the activity: ratings (checked-in participants, 1–5, once), photos (sniffed, size-limited,
served through the gates), the summary, and the participants export (masked by default, audited)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.activities import services
from gonghui.activities.models import ActivityPhoto, Rating, Signup, SignupStatus
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog
from gonghui.testing import Cast

from .conftest import MakeActivity, fresh, new_member, shift

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def attended(cast: Cast, make_activity: MakeActivity, *members: str):
    """An activity that ran this morning, the named cast members checked in."""
    activity = make_activity(starts_in=timedelta(minutes=20), quota=10)
    signups = {}
    for name in members:
        member = cast.members[name]
        signup = services.signup_create(actor=member.user, member=member, activity=fresh(activity))
        signups[name] = services.signup_check_in(actor=cast.district_a_officer, signup=Signup.objects.select_related(
            "activity__union", "member__user").get(pk=signup.pk), method="manual")
    shift(activity, starts_at=timezone.now() - timedelta(hours=3))
    return fresh(activity), signups


def test_checked_in_members_rate_once(cast: Cast, make_activity: MakeActivity) -> None:
    activity, signups = attended(cast, make_activity, "worker_a")
    api = cast.client("worker_a", api=True)
    url = f"/api/v1/activities/signups/{signups['worker_a'].uuid}/rate"
    bad = api.post(url, {"score": 6}, content_type="application/json")
    assert bad.status_code == 422
    first = api.post(url, {"score": 5, "comment": "组织得很好"}, content_type="application/json")
    assert first.status_code == 201 and first.json()["score"] == 5
    again = api.post(url, {"score": 1}, content_type="application/json")
    assert again.status_code == 409 and again.json()["message"] == "您已评价过该活动"
    assert Rating.objects.filter(activity=activity).count() == 1
    # someone else's sign-up is not found; a confirmed (not checked-in) sign-up may not rate
    assert cast.client("gig_worker_a", api=True).post(url, {"score": 3},
                                                      content_type="application/json").status_code == 404
    other = make_activity(starts_in=timedelta(days=1))
    member = cast.members["gig_worker_a"]
    pending = services.signup_create(actor=member.user, member=member, activity=fresh(other))
    with pytest.raises(Conflict, match="签到参加活动后才能评价"):
        services.rating_submit(actor=member.user, signup=pending, score=4)
    page = cast.client("worker_a").get(f"/activities/{activity.uuid}/")
    assert "您的评价" in page.content.decode()


def test_the_h5_rating_form(cast: Cast, make_activity: MakeActivity) -> None:
    activity, signups = attended(cast, make_activity, "gig_worker_a")
    client = cast.client("gig_worker_a")
    assert "提交评价" in client.get(f"/activities/{activity.uuid}/").content.decode()
    client.post(f"/activities/signups/{signups['gig_worker_a'].uuid}/rate/", {"score": "4", "comment": "很实用"})
    rating = Rating.objects.get(signup=signups["gig_worker_a"])
    assert (rating.score, rating.comment) == (4, "很实用")


def test_photos_are_sniffed_stored_and_served_through_the_gates(cast: Cast, make_activity: MakeActivity,
                                                                 tmp_path: Path,
                                                                 django_capture_on_commit_callbacks) -> None:
    activity, _ = attended(cast, make_activity, "worker_a")
    officer = cast.client("district_a_officer")
    upload = SimpleUploadedFile("合影.jpg", PNG, content_type="image/jpeg")  # the browser's claim is ignored
    assert officer.post(f"/console/activities/{activity.uuid}/photos/", {"photo": upload, "caption": "合影"}
                        ).status_code == 302
    photo = ActivityPhoto.objects.get(activity=activity)
    assert photo.content_type == "image/png" and photo.caption == "合影"
    assert photo.image.name == f"activities/{activity.uuid}/{photo.uuid}.png"
    assert (tmp_path / photo.image.name).read_bytes() == PNG
    with pytest.raises(ValidationFailed, match="只能上传"):
        services.photo_add(actor=cast.district_a_officer, activity=activity, content=b"GIF89a<script>")
    with pytest.raises(ValidationFailed, match="不能超过5MB"):
        services.photo_add(actor=cast.district_a_officer, activity=activity,
                           content=JPEG + b"\x00" * services.MAX_PHOTO_BYTES)
    # the member who took part and staff of the branch see it; district B's worker and staff do not
    for who in ("worker_a", "district_a_officer", "city_officer"):
        response = cast.client(who).get(f"/activities/photos/{photo.uuid}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/png", who
        assert b"".join(response.streaming_content) == PNG
    for who in ("worker_b", "district_b_officer"):
        assert cast.client(who).get(f"/activities/photos/{photo.uuid}/").status_code == 404, who
    api = cast.client("district_a_officer", api=True)
    listed = api.get(f"/api/v1/activities/{activity.uuid}/photos").json()
    assert listed[0]["url"] == f"/activities/photos/{photo.uuid}/"
    added = api.post(f"/api/v1/activities/{activity.uuid}/photos",
                     {"file": SimpleUploadedFile("b.jpg", JPEG), "caption": "颁奖"})
    assert added.status_code == 201, added.content
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion committed
        assert api.delete(f"/api/v1/activities/photos/{photo.uuid}").status_code == 204
    assert not (tmp_path / photo.image.name).exists()
    assert ActivityPhoto.objects.filter(activity=activity).count() == 1


def test_no_photos_before_the_start(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(starts_in=timedelta(days=1))
    with pytest.raises(Conflict, match="活动开始后才能上传照片"):
        services.photo_add(actor=cast.district_a_officer, activity=activity, content=PNG)


def test_the_summary_concludes_an_ended_activity(cast: Cast, make_activity: MakeActivity) -> None:
    upcoming = make_activity()
    with pytest.raises(Conflict, match="活动结束后才能填写总结"):
        services.activity_conclude(actor=cast.district_a_officer, activity=upcoming, summary="很成功")
    activity, _ = attended(cast, make_activity, "worker_a")
    officer = cast.client("district_a_officer")
    assert "发布总结" in officer.get(f"/console/activities/{activity.uuid}/").content.decode()
    officer.post(f"/console/activities/{activity.uuid}/conclude/", {"summary": "共有1名职工参加，反响热烈。"})
    activity = fresh(activity)
    assert activity.status == "concluded" and activity.summary == "共有1名职工参加，反响热烈。"
    assert "反响热烈" in cast.client("worker_a").get(f"/activities/{activity.uuid}/").content.decode()
    assert AuditLog.objects.filter(action="activity.conclude", detail__served=1).exists()


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_export_is_masked_and_audited(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity(quota=1)
    for member in (cast.members["worker_a"], new_member(cast.district_a)):
        services.signup_create(actor=member.user, member=member, activity=fresh(activity))
    response = cast.client("district_a_officer").get(f"/console/activities/{activity.uuid}/export.xlsx")
    assert response.status_code == 200
    rows = workbook_rows(response.content)
    assert rows[0][:5] == ("序号", "姓名", "手机号码", "所在工会", "报名状态")
    assert rows[1][1] == "王**" and rows[1][2] == cast.worker_a.masked_phone and rows[1][4] == "已报名"
    assert rows[2][4] == "候补中"
    assert cast.worker_a.phone not in response.content.decode("latin-1")
    row = AuditLog.objects.get(action="export.activity_participants")
    assert row.detail["rows"] == 2 and row.detail["unmasked"] is False


def test_only_admins_export_full_names_with_a_reason(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity()
    member = cast.members["worker_a"]
    services.signup_create(actor=member.user, member=member, activity=fresh(activity))
    url = f"/api/v1/activities/{activity.uuid}/export"
    officer = cast.client("district_a_officer", api=True)
    assert officer.post(url, {"reason": "购买保险"}, content_type="application/json").status_code == 403
    refused = AuditLog.objects.get(action="export.activity_participants", result="denied")
    assert refused.user == cast.district_a_officer and refused.detail["reason"] == "购买保险"
    assert refused.object_key == str(activity.uuid)
    admin = cast.client("district_a_admin", api=True)
    missing = admin.post(url, {"reason": " "}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["message"] == "导出完整信息请填写用途"
    full = admin.post(url, {"reason": "为参加人员购买活动意外险"}, content_type="application/json")
    assert full.status_code == 200
    assert workbook_rows(full.content)[1][1:3] == ("王小明", cast.worker_a.phone)
    row = AuditLog.objects.filter(action="export.activity_participants").latest("id")
    assert row.detail["unmasked"] is True and row.detail["reason"] == "为参加人员购买活动意外险"
    assert SignupStatus.CONFIRMED == Signup.objects.get(member=member).status


def test_the_unmasked_export_keeps_its_reason_out_of_the_url(cast: Cast, make_activity: MakeActivity) -> None:
    activity = make_activity()
    member = cast.members["worker_a"]
    services.signup_create(actor=member.user, member=member, activity=fresh(activity))
    admin = cast.client("district_a_admin")
    page = admin.get(f"/console/activities/{activity.uuid}/").content.decode()
    form = page.split("导出完整名单（管理员）")[1].split("</form>")[0]
    assert 'method="post"' in form and 'name="reason"' in form
    url = f"/console/activities/{activity.uuid}/export.xlsx"
    old = admin.get(url, {"unmasked": "1", "reason": "购买保险"})  # a reason in the URL exports nothing
    assert old.status_code == 302 and not AuditLog.objects.filter(action="export.activity_participants").exists()
    api = cast.client("district_a_admin", api=True).get(f"/api/v1/activities/{activity.uuid}/export",
                                                         {"unmasked": "true", "reason": "购买保险"})
    assert workbook_rows(api.content)[1][1] == "王**"
    full = admin.post(url, {"reason": "购买保险"})
    assert full.status_code == 200 and workbook_rows(full.content)[1][1] == "王小明"
    row = AuditLog.objects.filter(action="export.activity_participants").latest("id")
    assert row.detail["unmasked"] is True and row.detail["reason"] == "购买保险"
