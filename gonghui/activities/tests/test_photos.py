"""The activity cover: uploaded in the console, shown on the H5 list and detail page, exposed by the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Activity
from gonghui.lib.tests.test_images import jpeg_with_gps
from gonghui.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_it_takes_a_cover_in_the_console_and_shows_it(cast: Cast, django_capture_on_commit_callbacks) -> None:
    officer = cast.client("district_a_officer")
    starts = timezone.localtime() + timedelta(days=3)
    fields = {"title": "职工摄影展", "kind": "culture", "place": "甲区文化宫", "quota": "20",
              "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")}
    bad = officer.post("/console/activities/new/", {**fields, "union": str(cast.district_a.uuid),
                                                    "photo": SimpleUploadedFile("a.jpg", b"GIF8 no")})
    assert bad.status_code == 200 and "只能上传 JPG、PNG、WebP 或 GIF 格式的图片" in bad.content.decode()
    assert not Activity.objects.filter(title="职工摄影展").exists()
    response = officer.post("/console/activities/new/", {
        **fields, "union": str(cast.district_a.uuid),
        "photo": SimpleUploadedFile("cover.jpg", jpeg_with_gps(), content_type="image/jpeg")})
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(title="职工摄影展")
    assert activity.photo.widths == (320, 640, 1280)
    services.activity_publish(actor=cast.district_a_officer, activity=activity)

    worker = cast.client("worker_a")
    listing = worker.get("/activities/").content.decode()
    assert f'srcset="{activity.photo.srcset}"' in listing and 'alt="活动图片：职工摄影展"' in listing
    detail = worker.get(f"/activities/{activity.uuid}/").content.decode()
    assert f'srcset="{activity.photo.srcset}"' in detail and 'width="1280" height="960"' in detail
    api = worker.get(f"/api/v1/activities/open/{activity.uuid}").json()
    assert api["photo"]["urls"] == {str(w): activity.photo.url(w) for w in (320, 640, 1280)}

    # editing without a file keeps the cover; 删除现有封面 removes it and the page falls back to the placeholder
    edit = f"/console/activities/{activity.uuid}/edit/"
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(edit, {**fields, "place": "甲区工人文化宫"}).status_code == 302
    assert Activity.objects.get(pk=activity.pk).photo == activity.photo
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(edit, {**fields, "place": "甲区工人文化宫", "photo_remove": "on"}).status_code == 302
    assert Activity.objects.get(pk=activity.pk).photo is None
    assert "活动图片：职工摄影展（暂无图片）" in worker.get(f"/activities/{activity.uuid}/").content.decode()
    assert worker.get(f"/api/v1/activities/open/{activity.uuid}").json()["photo"] is None
