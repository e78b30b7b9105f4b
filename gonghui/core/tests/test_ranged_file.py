"""core.responses.ranged_file: byte ranges of a stored file (a lesson's video), so a player resumes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory

from gonghui.core.errors import NotFound
from gonghui.core.responses import ranged_file

DATA = bytes(range(256)) * 400  # 102,400 bytes


@pytest.fixture
def stored(media: Path) -> FieldFile:
    name = default_storage.save("tests/clip.mp4", ContentFile(DATA))
    return default_storage.open(name)


def _get(file: object, range_header: str | None = None) -> object:
    headers = {"HTTP_RANGE": range_header} if range_header is not None else {}
    return ranged_file(RequestFactory().get("/", **headers), file, content_type="video/mp4", missing="文件已不存在")


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)


def test_it_answers_the_whole_file_without_a_range(stored: FieldFile) -> None:
    response = _get(stored)
    assert response.status_code == 200 and response["Accept-Ranges"] == "bytes"
    assert _body(response) == DATA and response["Content-Length"] == str(len(DATA))


@pytest.mark.parametrize(("header", "start", "end"), [
    ("bytes=0-99", 0, 99),
    ("bytes=100000-", 100000, len(DATA) - 1),       # resume from a position to the end
    ("bytes=-500", len(DATA) - 500, len(DATA) - 1),  # the last 500 bytes
    ("bytes=102000-999999", 102000, len(DATA) - 1),  # an end past the file is cut to the file
])
def test_it_answers_a_range_with_206_and_that_slice(stored: FieldFile, header: str, start: int, end: int) -> None:
    response = _get(stored, header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response["Content-Length"] == str(end - start + 1)
    assert _body(response) == DATA[start:end + 1]


def test_it_refuses_a_range_past_the_end(stored: FieldFile) -> None:
    response = _get(stored, "bytes=200000-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=0-10,20-30", "items=0-5", "bytes=-", "garbage"])
def test_it_answers_the_whole_file_for_a_range_it_does_not_serve(stored: FieldFile, header: str) -> None:
    response = _get(stored, header)
    assert response.status_code == 200 and _body(response) == DATA


def test_it_is_a_not_found_when_the_file_is_gone(media: Path) -> None:
    with pytest.raises(NotFound, match="文件已不存在"):
        _get(FieldFile(None, type("F", (), {"storage": default_storage})(), "tests/missing.mp4"))
