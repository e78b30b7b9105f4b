"""Real names: invisible characters and emoji are refused (not dropped), and too long is said, not cut."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gonghui.core.errors import ValidationFailed
from gonghui.core.validation import clean_person_name, person_name_error
from gonghui.members.services import registry
from gonghui.testing import Cast, id_number

from .test_api_errors import error_body


@pytest.mark.parametrize("name", ["王小明", "买买提·艾力", "阿依古丽•买买提", "John O'Neil", "Anne-Marie", "李〇",
                                  "测试会员3", "  王　小明 "])
def test_real_names_pass(name: str) -> None:
    assert person_name_error(" ".join(name.split())) is None


@pytest.mark.parametrize(("name", "says"), [
    ("王\u200b明", "不可见"), ("\ufeff王明", "不可见"), ("王\u200d明", "不可见"), ("王明\u202e", "不可见"),
    ("王明😀", "表情"), ("王明👍🏻", "表情"), ("王明★", "表情"),
    ("王" * 51, "不能超过50个字"), ("", "请填写"),
])
def test_it_refuses_with_a_reason(name: str, says: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        clean_person_name(name)
    assert says in caught.value.message
    assert caught.value.detail == {"name": caught.value.message}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["王\u200b五", "王五😀"])
def test_registration_refuses_it_on_the_api(name: str) -> None:
    response = Client().post("/api/v1/accounts/register", json.dumps(
        {"phone": "13912340000", "code": "123456", "name": name, "password": "Zhigong2026!x"}),
        content_type="application/json")
    body = error_body(response, 400, "invalid")
    assert set(body["detail"]) == {"name"}


@pytest.mark.django_db
def test_too_long_is_said_in_chinese_on_the_api() -> None:
    response = Client().post("/api/v1/accounts/register", json.dumps(
        {"phone": "13912340000", "code": "123456", "name": "王" * 51, "password": "Zhigong2026!x"}),
        content_type="application/json")
    body = error_body(response, 422, "invalid")
    assert body["detail"] == [{"field": "payload.name", "message": "不能超过50个字"}]


@pytest.mark.django_db
def test_a_member_name_is_not_cut_short(cast: Cast) -> None:
    with pytest.raises(ValidationFailed, match="不能超过50个字"):
        registry.member_create(actor=cast.province_admin, union=cast.grassroots_a, name="王" * 51,
                               id_number=id_number("630102", "19900101", "123"))
