"""The view kit's pieces: core.actions.object_action (the one-object POST view), core.forms.ReasonField
and members.views.membership.members_only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from gonghui.core.actions import object_action
from gonghui.core.errors import Conflict, NotFound
from gonghui.core.forms import ReasonField
from gonghui.members.views.membership import members_only
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db


def _request(method: str = "post", data: dict[str, str] | None = None, user: Any = None, **extra: Any) -> Any:
    request = getattr(RequestFactory(), method)("/console/x/", data or {}, **extra)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.htmx = bool(extra.get("HTTP_HX_REQUEST"))
    request.user = user if user is not None else AnonymousUser()
    return request


def _texts(request: Any) -> list[str]:
    return [str(m) for m in get_messages(request)]


class _NoteForm(forms.Form):
    note = forms.CharField(error_messages={"required": "请填写说明"})


ROWS = {"a": {"name": "a1"}}
GATED: list[str] = []


def _gate(user: Any, key: str) -> dict[str, str]:
    GATED.append(key)
    if key not in ROWS:
        raise NotFound("未找到")
    return ROWS[key]


def _open(view: Any) -> Any:
    return view


def _back(request: Any, row: dict[str, str]) -> str:
    return f"/rows/{row['name']}/"


def test_it_gates_validates_runs_and_goes_back() -> None:
    calls: list[Any] = []

    @object_action(_gate, back=_back, form=_NoteForm, success="已记录", guard=_open)
    def note(request: Any, row: dict[str, str], data: Mapping[str, Any]) -> None:
        calls.append((row["name"], data["note"]))

    request = _request(data={"note": "好"})
    response = note(request, "a")
    assert response.status_code == 302 and response["Location"] == "/rows/a1/"
    assert calls == [("a1", "好")] and _texts(request) == ["已记录"]
    assert note.__name__ == "note"  # the URL map and the tracebacks keep the action's name


def test_it_reports_an_invalid_form_and_a_conflict_without_running() -> None:
    calls: list[Any] = []

    @object_action(_gate, back=_back, form=_NoteForm, guard=_open)
    def note(request: Any, row: dict[str, str], data: Mapping[str, Any]) -> str:
        calls.append(data)
        raise Conflict("已处理过")

    request = _request(data={})
    assert note(request, "a").status_code == 302
    assert calls == [] and _texts(request) == ["请填写说明"]
    request = _request(data={"note": "x"})
    note(request, "a")
    assert _texts(request) == ["已处理过"]


def test_it_gates_before_reading_the_form_and_lets_404_through() -> None:
    @object_action(_gate, back=_back, form=_NoteForm, guard=_open)
    def note(request: Any, row: dict[str, str], data: Mapping[str, Any]) -> None:
        pytest.fail("not run for a missing row")

    GATED.clear()
    with pytest.raises(NotFound):
        note(_request(data={}), "missing")
    assert GATED == ["missing"]


def test_it_refuses_a_get_and_passes_the_other_url_arguments() -> None:
    @object_action(_gate, back=_back, guard=_open)
    def pick(request: Any, row: dict[str, str], data: Mapping[str, Any], item: str) -> str:
        return f"{row['name']}:{item}"

    assert pick(_request("get"), "a", item="1").status_code == 405
    request = _request()
    pick(request, "a", item="1")
    assert _texts(request) == ["a1:1"]  # a text returned by the action is the message


def test_it_answers_htmx_with_the_fragment() -> None:
    @object_action(_gate, back=_back, guard=_open,
                   fragment=lambda request, row: lambda: HttpResponse(f"<p>{row['name']}</p>"))
    def touch(request: Any, row: dict[str, str], data: Mapping[str, Any]) -> None:
        return None

    response = touch(_request(HTTP_HX_REQUEST="true"), "a")
    assert response.status_code == 200 and response.content.decode() == "<p>a1</p>"


def test_it_sends_anonymous_callers_to_the_login_page_by_default() -> None:
    @object_action(_gate, back=_back)
    def touch(request: Any, row: dict[str, str], data: Mapping[str, Any]) -> None:
        pytest.fail("not for anonymous callers")

    response = touch(_request(), "a")
    assert response.status_code == 302 and "/login/" in response["Location"]


class _RevealForm(forms.Form):
    reason = ReasonField(label="查看原因", required_message="请填写查看原因")


@pytest.mark.parametrize(("given", "errors", "cleaned"), [
    ("  核对\n  身份  ", None, "核对 身份"),
    ("   ", ["请填写查看原因"], None),
    ("", ["请填写查看原因"], None),
    ("长" * 201, ["确保该变量包含不超过 200 字符 (目前字符数 201)。"], None),
])
def test_it_folds_a_reason_and_requires_one(given: str, errors: list[str] | None, cleaned: str | None) -> None:
    form = _RevealForm({"reason": given})
    if errors is None:
        assert form.is_valid() and form.cleaned_data["reason"] == cleaned
    else:
        assert not form.is_valid() and form.errors["reason"] == errors


def test_it_invites_a_non_member_and_hands_a_member_to_the_page(cast: Cast) -> None:
    @members_only("我的课程", glyph="学", blurb="入会后即可学习")
    def mine(request: Any, member: Any) -> HttpResponse:
        return HttpResponse(member.name)

    page = mine(_request("get", user=cast.district_a_officer))
    assert page.status_code == 200 and "您还不是工会会员" in page.content.decode()
    assert "入会后即可学习" in page.content.decode() and "/members/join/" in page.content.decode()
    member = cast.members["worker_a"]
    assert mine(_request("get", user=cast.worker_a)).content.decode() == member.name
    assert mine(_request("get")).status_code == 302  # anonymous: the login page
