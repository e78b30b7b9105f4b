"""The photo picker on the worker's phone (390 px, WeChat's user agent): a camera-sized photo is shrunk in
the browser before upload, so a file the server would refuse (over 5 MB) arrives as about 1 MB, ≤ 2000 px;
the picker shows a preview with a remove button in place of the bare file input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from gonghui.appeals.models import Ticket
from gonghui.testing import BROWSER, WECHAT_UA, Cast, build_cast, screenshots_dir, sign_in

pytestmark = BROWSER
PHONE = {"width": 390, "height": 844}


def camera_photo(path: Path, size: tuple[int, int] = (4000, 3000)) -> int:
    """A photo like a phone camera's: 12 MP of fine grain (which JPEG cannot squeeze), saved at quality 95."""
    grain = [Image.effect_noise(size, 60).point(lambda v, k=k: min(255, v // 2 + 60 * k)) for k in (1, 2, 0)]
    Image.merge("RGB", grain).save(path, format="JPEG", quality=95)
    return path.stat().st_size


@pytest.fixture
def live_cast(transactional_db: None, settings, tmp_path) -> Cast:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_cast()


def test_it_shrinks_a_camera_photo_before_upload(live_server, browser, live_cast: Cast, tmp_path: Path) -> None:
    photo = tmp_path / "IMG_20261207_101500.jpg"
    original = camera_photo(photo)
    assert original > 5 * 1024 * 1024  # over the 12351 form's limit: sent as it is, it would be refused

    context = browser.new_context(viewport=PHONE, user_agent=WECHAT_UA, locale="zh-CN", device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, live_cast.worker_a.phone)
    page.goto(live_server.url + "/appeals/new/?kind=hazard")
    # the styled picker replaced the bare input: an add tile that is a ≥ 44 px tap target
    add = page.locator(".picker-add")
    box = add.bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44
    native = page.locator("input[name=files]")
    assert "picker-file" in native.get_attribute("class") and native.bounding_box()["width"] <= 1

    page.set_input_files("input[name=files]", str(photo))
    page.wait_for_selector(".picker-item img")
    sent = int(page.get_attribute("input[name=files]", "data-upload-bytes"))
    assert sent < 1.5 * 1024 * 1024, sent
    assert "已选1个" in page.inner_text(".picker-status")
    page.evaluate("document.querySelector('.picker').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(screenshots_dir() / "appeals-h5-photo-picker.png"))

    # remove it and choose it again: the remove button works and the count is kept right
    page.click(".picker-remove")
    assert page.locator(".picker-item").count() == 0
    page.set_input_files("input[name=files]", str(photo))
    page.wait_for_selector(".picker-item img")

    page.fill("textarea[name=content]", "二号车间消防通道堆满货物，安全出口被锁。")
    page.fill("input[name=location]", "二号车间东侧")
    page.click("button:has-text('提交')")
    page.wait_for_selector("text=提交成功")
    ticket = Ticket.objects.latest("id")
    (attachment,) = ticket.attachments.all()
    stored = attachment.file.read()
    assert len(stored) < 1.5 * 1024 * 1024 and len(stored) * 4 < original
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and max(image.size) == 2000 and image.size == (2000, 1500)
    assert attachment.name.endswith(".jpg")
    assert not errors, errors
    context.close()


def test_the_server_still_refuses_the_uncompressed_photo(live_cast: Cast, tmp_path: Path) -> None:
    """The control: the same photo posted without the browser's help is refused with the size message."""
    photo = tmp_path / "IMG_20261207_101500.jpg"
    camera_photo(photo)
    client = live_cast.client("worker_a")
    with photo.open("rb") as f:
        response = client.post("/appeals/new/", {"kind": "hazard", "content": "二号车间消防通道堆满货物。",
                                                  "location": "二号车间东侧", "files": f})
    assert "超过5MB" in response.content.decode()
    assert not Ticket.objects.exists()
