"""The API kit's small pieces: a staff list's filters as the console's GET strings, and the upload limit."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.api_inputs import upload_content
from gonghui.core.errors import ValidationFailed
from gonghui.core.schemas import ConsoleQuery


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
