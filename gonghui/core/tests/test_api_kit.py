"""The API kit's small pieces: a staff list's filters as the console's GET strings, the upload limit and a
body's reference to a row."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.api_inputs import referenced, upload_content
from gonghui.core.errors import ValidationFailed
from gonghui.core.schemas import ConsoleQuery
from gonghui.testing import Cast
from gonghui.unions.models import Union


class _Filter(ConsoleQuery):
    q: str = ""
    union: uuid.UUID | None = None
    since: date | None = None
    mine: bool = False
    established: bool | None = None


def test_it_hands_the_filters_over_as_the_pages_get_strings() -> None:
    key = uuid.uuid4()
    params = _Filter(q="张", union=key, since=date(2026, 3, 1), mine=True, established=False).params()
    assert params == {"q": "张", "union": str(key), "since": "2026-03-01", "mine": "1", "established": "0"}


def test_it_leaves_out_what_was_not_given() -> None:
    assert _Filter().params() == {"q": "", "union": "", "since": "", "mine": "0", "established": ""}


def test_it_reads_an_upload_within_the_limit() -> None:
    assert upload_content(SimpleUploadedFile("a.xlsx", b"12345"), limit=5, message="太大") == b"12345"


def test_it_refuses_an_upload_past_the_limit_before_reading_it() -> None:
    upload = SimpleUploadedFile("a.xlsx", b"123456")
    with pytest.raises(ValidationFailed) as refused:
        upload_content(upload, limit=5, message="文件过大")
    assert (refused.value.code, refused.value.message) == ("file_too_large", "文件过大")
    assert upload.tell() == 0


@pytest.mark.django_db
def test_it_finds_the_row_a_body_names(cast: Cast) -> None:
    union = cast.unions["district_a"]
    assert referenced(Union.objects.all(), union.uuid, field="union", message="未找到该工会") == union
    assert referenced(Union.objects.all(), None, field="union", message="未找到该工会") is None


@pytest.mark.django_db
def test_it_refuses_a_reference_to_no_row_on_its_field(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as refused:
        referenced(Union.objects.all(), uuid.uuid4(), field="place", message="未找到该工会或已停用",
                   short="未找到该工会")
    assert refused.value.message == "未找到该工会或已停用"
    assert refused.value.detail == {"place": "未找到该工会"}
