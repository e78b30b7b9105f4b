"""Offering photos: uploaded by staff or the provider, stored in three widths without EXIF, shown in the
catalogue's card grid and on the detail page with srcset, exposed by the API; bad files refused in Chinese."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gonghui.lib.tests.test_images import jpeg_with_gps, png_header
from gonghui.market.models import Offering, Provider
from gonghui.testing import Cast

from .conftest import make_offering

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def upload(content: bytes, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def new_offering(cast: Cast, provider: Provider, photo: SimpleUploadedFile):
    return cast.client("district_a_officer").post(f"/console/market/offerings/new/?provider={provider.uuid}", {
        "provider": str(provider.uuid), "title": "数控车床技能提升", "domain": "tech", "summary": "劳模带徒",
        "mode": "onsite", "place": "甲区工人文化宫", "audience": "all", "photo": photo})


def test_it_stores_a_staff_upload_in_three_widths_without_exif(cast: Cast, provider: Provider, media: Path) -> None:
    response = new_offering(cast, provider, upload(jpeg_with_gps((3000, 2000))))
    assert response.status_code == 302
    offering = Offering.objects.get(title="数控车床技能提升")
    photo = offering.photo
    assert photo.widths == (320, 640, 1280) and (photo.width, photo.height) == (3000, 2000)
    for name in photo.storage_names():
        stored = (media / name).read_bytes()
        assert b"PhoneMaker" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    # nothing of the original upload is kept
    assert sorted(p.name for p in media.rglob("*") if p.is_file()) == sorted(n.rsplit("/", 1)[-1]
                                                                           for n in photo.storage_names())


def test_it_refuses_a_wrong_file_or_a_bomb_with_a_chinese_message(cast: Cast, provider: Provider) -> None:
    for content, message in ((b"%PDF-1.5 a document", "只能上传 JPG、PNG、WebP 或 GIF 格式的图片"),
                             (png_header(50_000, 50_000), "图片尺寸过大")):
        response = new_offering(cast, provider, upload(content))
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Offering.objects.filter(title="数控车床技能提升").exists()


def test_it_shows_the_photo_in_the_card_grid_and_on_the_detail_page(cast: Cast, provider: Provider) -> None:
    offering = make_offering(cast, provider)
    plain = make_offering(cast, provider, title="安全用电讲座", domain="lecture")
    me = cast.client("provider")
    response = me.post(f"/market/provider/offerings/{offering.uuid}/", {
        "title": offering.title, "domain": offering.domain, "summary": offering.summary, "mode": "onsite",
        "place": offering.place, "audience": "all", "photo": upload(jpeg_with_gps())})
    assert response.status_code == 302
    photo = Offering.objects.get(pk=offering.pk).photo
    assert photo is not None

    catalogue = cast.client("worker_a").get("/market/").content.decode()
    assert 'class="photo-grid mkt-grid"' in catalogue
    imgs = re.findall(r"<img [^>]*>", catalogue)
    (img,) = [tag for tag in imgs if photo.key in tag]
    assert f'srcset="{photo.srcset}"' in img and 'width="1280" height="960"' in img
    assert 'alt="服务图片：电工技能培训"' in img and 'sizes="(min-width: 720px) 240px, 50vw"' in img
    # the offering without a picture gets the coloured placeholder, not a broken image
    assert 'aria-label="服务图片：安全用电讲座（暂无图片）"' in catalogue
    assert plain.photo is None

    detail = cast.client("worker_a").get(f"/market/o/{offering.uuid}/").content.decode()
    assert f'srcset="{photo.srcset}"' in detail and 'loading="eager"' in detail
    for width in photo.widths:
        served = cast.client("worker_a").get(photo.url(width))
        assert served.status_code == 200 and served["Content-Type"] == "image/webp"
        assert Image.open(io.BytesIO(b"".join(served.streaming_content))).width == width


def test_it_replaces_and_removes_a_photo_and_deletes_the_old_files(
        cast: Cast, provider: Provider, media: Path, django_capture_on_commit_callbacks) -> None:
    offering = make_offering(cast, provider)
    me = cast.client("provider")
    fields = {"title": offering.title, "domain": offering.domain, "summary": offering.summary, "mode": "onsite",
              "place": offering.place, "audience": "all"}
    url = f"/market/provider/offerings/{offering.uuid}/"
    with django_capture_on_commit_callbacks(execute=True):
        me.post(url, {**fields, "photo": upload(jpeg_with_gps())})
    first = Offering.objects.get(pk=offering.pk).photo
    with django_capture_on_commit_callbacks(execute=True):
        me.post(url, {**fields, "photo": upload(jpeg_with_gps((800, 800)))})
    second = Offering.objects.get(pk=offering.pk).photo
    assert second.key != first.key and second.widths == (320, 640, 800)
    assert not any((media / n).exists() for n in first.storage_names())
    assert all((media / n).exists() for n in second.storage_names())
    # saving without a file keeps the photo (the control), ticking 删除现有图片 removes it
    with django_capture_on_commit_callbacks(execute=True):
        me.post(url, fields)
    assert Offering.objects.get(pk=offering.pk).photo == second
    with django_capture_on_commit_callbacks(execute=True):
        me.post(url, {**fields, "photo_remove": "on"})
    assert Offering.objects.get(pk=offering.pk).photo is None
    assert not any((media / n).exists() for n in second.storage_names())


def test_it_exposes_the_photo_urls_in_the_api(cast: Cast, provider: Provider) -> None:
    offering = make_offering(cast, provider)
    make_offering(cast, provider, title="安全用电讲座", domain="lecture")
    cast.client("provider").post(f"/market/provider/offerings/{offering.uuid}/", {
        "title": offering.title, "domain": offering.domain, "summary": offering.summary, "mode": "onsite",
        "place": offering.place, "audience": "all", "photo": upload(jpeg_with_gps())})
    photo = Offering.objects.get(pk=offering.pk).photo
    items = {i["title"]: i for i in cast.client("worker_a").get("/api/v1/market/offerings").json()["items"]}
    assert items["电工技能培训"]["photo"] == {"width": 2000, "height": 1500, "src": photo.src, "srcset": photo.srcset,
                                        "urls": {"320": photo.url(320), "640": photo.url(640),
                                                 "1280": photo.url(1280)}}
    assert items["安全用电讲座"]["photo"] is None
    detail = cast.client("worker_a").get(f"/api/v1/market/offerings/{offering.uuid}").json()
    assert detail["photo"]["urls"]["640"] == photo.url(640)


def test_it_re_encodes_a_provider_photo_and_shows_it_on_the_offering(cast: Cast, provider: Provider,
                                                                     media: Path) -> None:
    offering = make_offering(cast, provider)
    officer = cast.client("district_a_officer")
    url = f"/console/market/providers/{provider.uuid}/"
    page = officer.get(url).content.decode()
    assert 'data-photo-picker' in page and 'enctype="multipart/form-data"' in page
    response = officer.post(url, {"union": str(cast.district_a.uuid), "kind": provider.kind, "name": provider.name,
                                  "title_level": provider.title_level, "specialty": provider.specialty,
                                  "bio": provider.bio, "is_active": "on",
                                  "photo": upload(jpeg_with_gps((1200, 1600)))})
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = Provider.objects.get(pk=provider.pk).photo
    assert photo.widths == (320, 640, 1200) and (photo.width, photo.height) == (1200, 1600)
    for name in photo.storage_names():
        assert b"PhoneMaker" not in (media / name).read_bytes()
    detail = cast.client("worker_a").get(f"/market/o/{offering.uuid}/").content.decode()
    assert f'srcset="{photo.srcset}"' in detail and 'alt="陈劳模的照片"' in detail
    # the old single-file address leads to the smallest rendition
    old = cast.client(None).get(f"/market/providers/{provider.uuid}/photo/")
    assert old.status_code == 302 and old["Location"] == photo.url(320)
