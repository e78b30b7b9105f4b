"""The partner's shop picture: uploaded in the console, shown in the service circle and on the partner's page,
exposed by the API; a wrong file is refused with a Chinese message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.benefits.models import Partner
from gonghui.lib.tests.test_images import jpeg_with_gps
from gonghui.testing import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_it_takes_a_shop_picture_and_shows_it(cast: Cast, django_capture_on_commit_callbacks) -> None:
    officer = cast.client("district_a_officer")
    today = timezone.localdate()
    form = {"union": str(cast.district_a.uuid), "name": "甲区职工书屋", "category": "education",
            "address": "甲区文化路8号", "discount": "会员借阅免押金",
            "contract_start": str(today), "contract_end": str(today + timedelta(days=365))}
    bad = officer.post("/console/benefits/partners/new/", {
        **form, "photo": SimpleUploadedFile("shop.jpg", b"<html>not a picture</html>", content_type="image/jpeg")})
    assert bad.status_code == 200 and "只能上传 JPG、PNG、WebP 或 GIF 格式的图片" in bad.content.decode()
    assert not Partner.objects.filter(name="甲区职工书屋").exists()
    created = officer.post("/console/benefits/partners/new/", {
        **form, "photo": SimpleUploadedFile("shop.jpg", jpeg_with_gps(), content_type="image/jpeg")})
    assert created.status_code == 302, created.content.decode()[:2000]
    partner = Partner.objects.get(name="甲区职工书屋")
    photo = partner.photo
    assert photo.widths == (320, 640, 1280)

    circle = cast.client("worker_a").get("/benefits/partners/").content.decode()
    assert f'srcset="{photo.srcset}"' in circle and 'sizes="64px"' in circle
    page = cast.client("worker_a").get(f"/benefits/partners/{partner.uuid}/").content.decode()
    assert f'srcset="{photo.srcset}"' in page and 'alt="商户图片：甲区职工书屋"' in page
    api = officer.get(f"/api/v1/benefits/partners/{partner.uuid}").json()
    assert api["photo"]["srcset"] == photo.srcset

    # a new picture replaces the old one (whose files go); nothing else changed is still an update
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/console/benefits/partners/{partner.uuid}/edit/", {
            **form, "photo": SimpleUploadedFile("new.jpg", jpeg_with_gps((900, 600)), content_type="image/jpeg")})
    partner.refresh_from_db()
    assert partner.photo.key != photo.key and partner.photo.widths == (320, 640, 900)
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/console/benefits/partners/{partner.uuid}/edit/", {**form, "photo_remove": "on"})
    partner.refresh_from_db()
    assert partner.photo is None
    assert "商户图片：甲区职工书屋（暂无图片）" in cast.client("worker_a").get(
        f"/benefits/partners/{partner.uuid}/").content.decode()
