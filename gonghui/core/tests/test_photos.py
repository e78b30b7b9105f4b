"""The photo kit: form field, storage, the public file view and the {% photo %} tag."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from PIL import Image

from gonghui.core import photos
from gonghui.lib import images
from gonghui.lib.tests.test_images import jpeg_with_gps, png_header

pytestmark = pytest.mark.usefixtures("media")


def test_it_cleans_an_upload_into_renditions() -> None:
    field = photos.PhotoUpload()
    processed = field.clean(SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg"))
    assert [r.width for r in processed.renditions] == [320, 640, 1280]
    assert field.clean(None) is None  # not required by default


@pytest.mark.parametrize(("content", "message"), [
    (b"%PDF-1.4 not a picture", "只能上传"),
    (png_header(40_000, 40_000), "尺寸过大"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "损坏"),
])
def test_it_gives_a_chinese_error_for_a_bad_upload(content: bytes, message: str) -> None:
    from django import forms
    with pytest.raises(forms.ValidationError) as caught:
        photos.PhotoUpload().clean(SimpleUploadedFile("x.jpg", content, content_type="image/jpeg"))
    assert message in caught.value.messages[0]


def test_it_refuses_an_upload_over_the_limit_by_its_size() -> None:
    from django import forms
    big = SimpleUploadedFile("big.jpg", jpeg_with_gps((300, 200)) + b"\x00" * 2_000_000, content_type="image/jpeg")
    with pytest.raises(forms.ValidationError, match="不能超过1MB"):
        photos.PhotoUpload(max_bytes=1024 * 1024).clean(big)


def test_it_stores_and_serves_each_rendition(media: Path, client: Client) -> None:
    photo = photos.photo_store(images.process(jpeg_with_gps()), folder="market-offering")
    assert photo.widths == (320, 640, 1280) and (photo.width, photo.height) == (2000, 1500)
    for name in photo.storage_names():
        assert (media / name).exists()
    response = client.get(photo.url(640))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (640, 480)
    assert photo.srcset.count("w,") == 2 and photo.srcset.endswith("1280w")
    assert photos.Photo.from_json(photo.as_json()) == photo


def test_it_serves_nothing_outside_the_photo_names(media: Path, client: Client) -> None:
    (media / "secret.txt").write_text("x")
    (media / "photos" / "a").mkdir(parents=True)
    (media / "photos" / "a" / "notes.txt").write_text("x")
    for url in ("/photos/a/notes.txt", "/photos/a/..%2Fsecret.txt", "/photos/a/" + "0" * 32 + "-320.webp",
                "/photos/A/" + "0" * 32 + "-320.webp"):
        assert client.get(url).status_code == 404, url


def test_it_renders_a_lazy_responsive_img_or_a_placeholder() -> None:
    photo = photos.photo_store(images.process(jpeg_with_gps()), folder="market-offering")
    template = Template('{% load photos %}{% photo p alt="法律咨询服务图片" sizes="50vw" tone="legal" %}')
    html = template.render(Context({"p": photo}))
    assert 'loading="lazy"' in html and 'sizes="50vw"' in html and 'alt="法律咨询服务图片"' in html
    assert 'width="1280" height="960"' in html
    assert f'srcset="{photo.srcset}"' in html
    empty = template.render(Context({"p": None}))
    assert "<img" not in empty and "ph-none" in empty and 'aria-label="法律咨询服务图片（暂无图片）"' in empty
    # the same tone always gets the same colour, different tones mostly differ
    from gonghui.core.templatetags.photos import tone_class
    assert tone_class("legal") == tone_class("legal")
    assert len({tone_class(t) for t in ("legal", "health", "skills", "culture", "sports")}) >= 3
