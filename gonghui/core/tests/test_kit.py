"""The module kit's own pieces: the guarded transition, the audit context, the event outbox and its
consumers, the owner-side gate, the text cleaner and the HTML action adapter."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from gonghui.core import events
from gonghui.core.actions import act, attempt, form_status, submit
from gonghui.core.context import AuditContext, AuditContextMiddleware, Channel, audit_context, current
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditLog, EventCursor, OutboxEvent
from gonghui.core.scope import owned, owner_or_staff
from gonghui.core.transitions import transition, transition_many
from gonghui.core.validation import clean_date_range, clean_phone, clean_text
from gonghui.lib.text import clean_block, clean_line, parse_uuid
from gonghui.testing import Cast, race
from gonghui.unions import services
from gonghui.unions.models import Problem, ProblemStatus

pytestmark = pytest.mark.django_db


def _problem(cast: Cast) -> Problem:
    return services.problem_raise(actor=cast.district_a_officer, employer=cast.employer_district_a, title="工资拖欠")


# --- transition ------------------------------------------------------------------------------------------------


def test_it_moves_writes_history_audit_and_event_in_one_go(cast: Cast) -> None:
    problem = _problem(cast)
    seen: list[Any] = []
    before = OutboxEvent.objects.count()
    transition(problem, to=ProblemStatus.COORDINATING, from_=[ProblemStatus.RAISED], actor=cast.district_a_officer,
               history=seen.append, audit="problem.kit_test", detail={"k": 1},
               event="problem.moved", payload={"problem_id": problem.pk})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.COORDINATING
    assert seen == [ProblemStatus.RAISED]  # the history callback gets the state it left
    row = AuditLog.objects.get(action="problem.kit_test")
    assert row.object_key == str(problem.uuid) and row.detail == {"k": 1} and row.user == cast.district_a_officer
    assert OutboxEvent.objects.count() == before + 1
    assert OutboxEvent.objects.latest("pk").payload == {"problem_id": problem.pk}


def test_it_refuses_a_second_move_from_a_stale_state(cast: Cast) -> None:
    problem = _problem(cast)
    stale = Problem.objects.get(pk=problem.pk)
    transition(problem, to=ProblemStatus.COORDINATING, from_=ProblemStatus.RAISED)
    with pytest.raises(Conflict) as raised:
        transition(stale, to=ProblemStatus.COORDINATING, from_=ProblemStatus.RAISED, message="该问题已在协调中",
                   audit="problem.kit_test", history=lambda before: pytest.fail("no history on a conflict"))
    assert raised.value.message == "该问题已在协调中" and raised.value.code == "state_changed"
    assert stale.status == ProblemStatus.RAISED  # untouched in memory
    assert not AuditLog.objects.filter(action="problem.kit_test").exists()


def test_it_rolls_back_the_move_when_the_history_write_fails(cast: Cast) -> None:
    problem = _problem(cast)

    def broken(before: str) -> None:
        raise RuntimeError("history table gone")

    with pytest.raises(RuntimeError):
        transition(problem, to=ProblemStatus.COORDINATING, from_=ProblemStatus.RAISED, history=broken)
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.RAISED


def test_it_moves_many_at_once_and_audits_the_count(cast: Cast) -> None:
    first, second, third = _problem(cast), _problem(cast), _problem(cast)
    transition(third, to=ProblemStatus.COORDINATING, from_=ProblemStatus.RAISED)
    moved = transition_many(Problem.objects.filter(pk__in=[first.pk, second.pk, third.pk]),
                            to=ProblemStatus.SOLVED, from_=[ProblemStatus.RAISED], audit="problem.kit_sweep")
    assert moved == 2
    assert set(Problem.objects.filter(status=ProblemStatus.SOLVED).values_list("pk", flat=True)) == {first.pk,
                                                                                                    second.pk}
    assert AuditLog.objects.get(action="problem.kit_sweep").detail == {"count": 2}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_many_concurrent_movers_win(cast: Cast) -> None:
    problem = _problem(cast)

    def mover() -> str:
        try:
            transition(Problem.objects.get(pk=problem.pk), to=ProblemStatus.COORDINATING, from_=ProblemStatus.RAISED,
                       history=lambda before: None)
        except Conflict:
            return "conflict"
        return "won"

    results = race([mover] * 6)
    assert sorted(results) == ["conflict"] * 5 + ["won"]

    # Negative control: without the state guard every mover "wins" — the guard is what decides.
    def blind() -> str:
        transition(Problem.objects.get(pk=problem.pk), to=ProblemStatus.SOLVED, from_=None)
        return "won"

    unguarded = race([blind] * 6)
    assert unguarded == ["won"] * 6


# --- the audit context ----------------------------------------------------------------------------------------------


def test_it_records_ip_user_agent_and_channel_from_the_request(cast: Cast) -> None:
    captured: list[AuditContext] = []

    def view(request: Any) -> HttpResponse:
        captured.append(current())
        _problem(cast)
        return HttpResponse("ok")

    request = RequestFactory().post("/api/v1/unions/problems", REMOTE_ADDR="10.1.2.3",
                                    HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger\x00")
    AuditContextMiddleware(view)(request)
    assert captured == [AuditContext(channel=Channel.API, ip="10.1.2.3", user_agent="Mozilla/5.0 MicroMessenger")]
    row = AuditLog.objects.filter(action__startswith="problem").latest("pk")
    assert (row.ip, row.user_agent, row.channel) == ("10.1.2.3", "Mozilla/5.0 MicroMessenger", "api")
    assert current() == AuditContext()  # cleared after the request


def test_it_nests_contexts_and_drops_the_address_for_anonymous_rows(cast: Cast) -> None:
    from gonghui.core import audit

    with audit_context(channel=Channel.WEB, ip="10.9.9.9", user_agent="UA"):
        with audit_context(channel=Channel.TASK, ip=None, user_agent=""):
            assert audit.record("kit.task").channel == "task"
        row = audit.record("kit.anon", anonymous=True)
        assert (row.ip, row.user_agent, row.channel) == (None, "", "web")
        assert audit.record("kit.web").ip == "10.9.9.9"
    assert audit.record("kit.none").channel == ""


def test_it_audits_a_task_as_a_task(cast: Cast, settings: Any) -> None:
    from gonghui.celery import app

    @app.task(name="gonghui.tests.kit_task")
    def kit_task() -> str:
        return current().channel

    settings.CELERY_TASK_ALWAYS_EAGER = True
    with audit_context(channel=Channel.WEB, ip="10.0.0.1"):
        assert kit_task.apply().get() == "task"
        assert current().channel == "web"


# --- events -------------------------------------------------------------------------------------------------------


def test_it_keeps_no_event_of_a_change_that_rolled_back() -> None:
    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish("kit.happened", n=1)
        raise RuntimeError("the change failed")
    assert OutboxEvent.objects.count() == before


def test_it_hands_each_event_to_a_consumer_once_and_again_after_a_failure() -> None:
    EventCursor.objects.create(consumer="kit", last_id=OutboxEvent.objects.order_by("-pk").values_list(
        "pk", flat=True).first() or 0)
    for n in range(3):
        events.publish("kit.counted", n=n)
    events.publish("kit.other", n=99)
    got: list[int] = []

    def failing(event: OutboxEvent) -> None:
        got.append(event.payload["n"])
        if event.payload["n"] == 2:
            raise RuntimeError("points service down")

    with pytest.raises(RuntimeError):
        events.consume("kit", failing, names=["kit.counted"])
    assert got == [0, 1, 2]
    got.clear()
    assert events.consume("kit", lambda e: got.append(e.payload["n"]), names=["kit.counted"]) == 3  # again
    assert got == [0, 1, 2]
    assert events.consume("kit", lambda e: got.append(-1)) == 0  # nothing left, the other event was passed over
    assert got == [0, 1, 2]


# --- owned, clean_text, parse_uuid ----------------------------------------------------------------------------------


def test_it_finds_only_what_the_owner_owns(cast: Cast) -> None:
    problem = _problem(cast)
    qs = Problem.objects.all()
    assert owned(qs, owner=cast.employer_district_a, via="employer", uuid=problem.uuid) == problem
    for owner, key in ((cast.employer_b, problem.uuid), (None, problem.uuid), (cast.employer_district_a, "nope"),
                       (cast.employer_district_a, "00000000-0000-0000-0000-000000000000")):
        with pytest.raises(NotFound) as raised:
            owned(qs, owner=owner, via="employer", message="未找到该问题", uuid=key)
        assert raised.value.message == "未找到该问题"


def test_it_cleans_what_people_type() -> None:
    assert clean_line(" 张\u200b三\t\n 李四\ufeff ") == "张三 李四"
    assert clean_block("第一行\r\n\x00第二行  \r\n\n") == "第一行\n第二行"
    assert clean_text("  工资\u200b拖欠 ", field="title", label="问题", max_length=10) == "工资拖欠"
    with pytest.raises(ValidationFailed) as raised:
        clean_text("\u200b \x07", field="title", label="问题", max_length=10)
    assert raised.value.message == "请填写问题" and raised.value.detail == {"title": "请填写问题"}
    with pytest.raises(ValidationFailed) as raised:
        clean_text("字" * 11, field="title", label="问题", max_length=10, too_long="问题过长")
    assert raised.value.detail == {"title": "问题过长"}
    assert clean_text("", field="note", label="备注", max_length=10, required=False) == ""
    assert parse_uuid("not a uuid") is None and parse_uuid(None) is None
    assert str(parse_uuid("12345678-1234-5678-1234-567812345678")) == "12345678-1234-5678-1234-567812345678"


# --- act ------------------------------------------------------------------------------------------------------------


class _ReasonForm(forms.Form):
    reason = forms.CharField(max_length=5, error_messages={"required": "请填写原因"})


def _post(data: dict[str, str], **extra: Any) -> Any:
    request = RequestFactory().post("/console/x/", data, **extra)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.htmx = bool(extra.get("HTTP_HX_REQUEST"))
    return request


def _texts(request: Any) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_it_never_calls_the_service_with_an_invalid_form() -> None:
    calls: list[Any] = []
    request = _post({"reason": ""})
    response = act(request, form=_ReasonForm(request.POST), run=calls.append, success="已办理", back="/console/back/")
    assert calls == [] and _texts(request) == ["请填写原因"]
    assert response.status_code == 302 and response["Location"] == "/console/back/"


def test_it_reports_the_service_and_follows_next_or_the_fragment() -> None:
    request = _post({"reason": "加班", "next": "/console/list/?page=2"})
    response = act(request, form=_ReasonForm(request.POST), run=lambda data: None, success="已办理", back="/x/")
    assert _texts(request) == ["已办理"] and response["Location"] == "/console/list/?page=2"

    request = _post({"reason": "加班", "next": "https://evil.example/"})
    response = act(request, form=_ReasonForm(request.POST), run=lambda data: f"已记录：{data['reason']}",
                   back=lambda: "/after/")
    assert _texts(request) == ["已记录：加班"] and response["Location"] == "/after/"

    def refuse(data: Any) -> None:
        raise Conflict("该记录已办结")

    request = _post({}, HTTP_HX_REQUEST="true")
    response = act(request, run=refuse, back="/x/", fragment=lambda: HttpResponse("row"))
    assert _texts(request) == ["该记录已办结"] and response.content == b"row"

    def hidden(data: Any) -> None:
        raise NotFound()

    with pytest.raises(NotFound):  # 404 and 403 are pages, not messages
        act(_post({}), run=hidden, back="/x/")


def test_it_redirects_to_the_result_and_reports_a_refusal_it_is_told_to_handle() -> None:
    request = _post({})
    response = act(request, run=lambda data: 41, success="已领取", back="/center/",
                   redirect_to=lambda made: f"/coupons/{made + 1}/")
    assert _texts(request) == ["已领取"] and response["Location"] == "/coupons/42/"

    def refuse(data: Any) -> None:
        raise Forbidden("您不符合领取条件")

    request = _post({})
    response = act(request, run=refuse, back="/center/", redirect_to=lambda code: "/never/",
                   handled=(Conflict, Forbidden))
    assert _texts(request) == ["您不符合领取条件"] and response["Location"] == "/center/"


# --- submit and attempt ---------------------------------------------------------------------------------------------


def test_it_shows_the_full_page_form_again_with_200_or_the_status_of_a_refusal() -> None:
    def conflict(data: Any) -> None:
        raise Conflict("该名称已被使用", detail={"reason": "已被使用"})

    request = _post({"reason": "加班"})
    form = _ReasonForm(request.POST)
    assert submit(request, form, run=conflict, redirect_to="/x/") is None
    assert form.errors["reason"] == ["已被使用"] and form_status(request, form) == 409

    request = _post({"reason": ""})
    form = _ReasonForm(request.POST)
    # invalid input: the form again with its errors, 200 (the convention; a 400 is a browser-logged error)
    assert submit(request, form, run=conflict, redirect_to="/x/") is None and form_status(request, form) == 200

    def invalid(data: Any) -> None:
        raise ValidationFailed("名称不能为空", detail={"reason": "请填写"})

    request = _post({"reason": "加班"})
    form = _ReasonForm(request.POST)
    assert submit(request, form, run=invalid, redirect_to="/x/") is None
    assert form.errors["reason"] == ["请填写"] and form_status(request, form) == 200
    assert form_status(RequestFactory().get("/x/"), _ReasonForm()) == 200

    request = _post({"reason": "ot"})
    response = submit(request, _ReasonForm(request.POST), run=lambda data: data["reason"],
                      success=lambda made: f"已保存{made}", redirect_to=lambda made: f"/items/{made}/")
    assert response is not None and response["Location"] == "/items/ot/" and _texts(request) == ["已保存ot"]


def test_it_attempts_and_hands_back_the_outcome_for_the_view_to_render() -> None:
    def forbidden(data: Any) -> None:
        raise Forbidden("不能在本商户使用")

    outcome = attempt(forbidden, _ReasonForm({"reason": "x"}), handled=(Forbidden,))
    assert (outcome.ok, outcome.error, outcome.status) == (False, "不能在本商户使用", 403)
    outcome = attempt(forbidden, _ReasonForm({"reason": ""}), invalid="请输入原因")
    assert (outcome.error, outcome.status) == ("请输入原因", 200)  # shown in place: not an error response

    def wrong_amount(data: Any) -> None:
        raise ValidationFailed("金额有误")

    outcome = attempt(wrong_amount, _ReasonForm({"reason": "x"}))
    assert (outcome.error, outcome.status) == ("金额有误", 200)
    assert attempt(lambda data: data["reason"], _ReasonForm({"reason": "x"})).result == "x"
    with pytest.raises(Forbidden):  # not handled: the error page
        attempt(forbidden, _ReasonForm({"reason": "x"}))


# --- owner_or_staff, clean_date_range, clean_phone --------------------------------------------------------------------


def test_owner_or_staff_tries_the_owner_gates_in_order_then_the_staff_gate() -> None:
    calls: list[Any] = []

    def miss(user: Any, key: Any) -> str:
        calls.append("miss")
        raise NotFound()

    def own(user: Any, key: Any) -> str:
        calls.append("own")
        return "own"

    def staff(user: Any, key: Any, *, write: bool) -> str:
        calls.append(("staff", write))
        return "staff"

    def refuse(user: Any, key: Any, *, write: bool) -> str:
        raise Forbidden()

    assert owner_or_staff(None, "k", miss, own, staff=staff, write=True) == "own"
    assert calls == ["miss", "own"]
    calls.clear()
    assert owner_or_staff(None, "k", miss, miss, staff=staff, write=True) == "staff"
    assert calls == ["miss", "miss", ("staff", True)]
    with pytest.raises(Forbidden):  # the staff gate's answer stands
        owner_or_staff(None, "k", miss, staff=refuse)


def test_clean_date_range_names_the_fields() -> None:
    fields = ("starts_on", "ends_on")
    assert clean_date_range(date(2026, 1, 1), date(2026, 1, 1), fields=fields, label="活动时间",
                            backwards="截止日期不能早于开始日期") == (date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as missing:
        clean_date_range(None, date(2026, 1, 1), fields=fields, label="活动时间", backwards="截止日期不能早于开始日期")
    assert missing.value.message == "请填写活动时间" and missing.value.detail == {"starts_on": "请填写活动时间"}
    with pytest.raises(ValidationFailed) as backwards:
        clean_date_range(date(2026, 1, 2), date(2026, 1, 1), fields=fields, label="活动时间",
                         backwards="截止日期不能早于开始日期")
    assert backwards.value.message == "截止日期不能早于开始日期"
    assert backwards.value.detail == {"ends_on": "不能早于开始日期"}


def test_clean_phone_puts_the_message_on_the_field() -> None:
    assert clean_phone("+86 139 0000 0010") == "13900000010"
    with pytest.raises(ValidationFailed) as exc:
        clean_phone("12345", field="contact_phone")
    assert list(exc.value.detail) == ["contact_phone"] and exc.value.detail["contact_phone"] == exc.value.message
