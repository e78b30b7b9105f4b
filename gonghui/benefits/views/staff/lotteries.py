"""Console: 抽奖 — composing a lottery (rule and prizes), 开奖, the winners, 复核."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import form_status, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError
from gonghui.core.jobs import job_url
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Union

from ...access import access_lottery
from ...forms import LotteryForm, RuleFieldsMixin, prizes_from
from ...models import Lottery, LotteryStatus
from ...selectors import preview_count
from ...services import lotteries as services
from .partners import can_work_anywhere, can_write, work_unions


def _form(request: HttpRequest, union: Union | None, initial: dict[str, Any] | None = None) -> LotteryForm:
    form = LotteryForm(request.POST or None, initial=initial)
    qs = Union.objects.visible_to(request.user).active()
    if union is not None:
        qs = qs.filter(path__startswith=union.path)
    form.set_union_choices(qs.order_by("path")[:500])
    return form


@staff_required
def lottery_list(request: HttpRequest) -> HttpResponse:
    qs = Lottery.objects.visible_to(request.user).select_related("union").defer("pool_ids")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "benefits/lottery_list.html", {
        "section": "benefits", "page": page, "can_work": can_work_anywhere(request.user)})


@staff_required
def lottery_new(request: HttpRequest) -> HttpResponse:
    union_key = request.POST.get("union") or request.GET.get("union") or ""
    union = access_union_for_work(request.user, union_key) if union_key else None
    form = _form(request, union, initial={"union": union.uuid if union else ""})
    prizes = prizes_from(request.POST) if request.method == "POST" else [("一等奖", 1), ("二等奖", 3), ("三等奖", 10)]
    if request.method == "POST" and union is None:
        form.is_valid()  # every field's errors, with the missing union's
        form.add_error("union", "请选择主办工会")
    done = submit(request, form,
                  run=lambda data: services.lottery_create(actor=request.user, union=union, name=data["name"],
                                                           description=data["description"], rule=form.rule(),
                                                           prizes=prizes),
                  success=lambda lottery: f"已创建抽奖「{lottery.name}」，确认奖项和参与条件后点「开奖」",
                  redirect_to=lambda lottery: reverse("benefits:lottery_detail", args=[lottery.uuid]))
    return done or render(request, "benefits/lottery_form.html", {
        "section": "benefits", "form": form, "union": union, "unions": work_unions(request.user), "prizes": prizes,
        "lottery": None}, status=form_status(request, form))


@staff_required
def lottery_edit(request: HttpRequest, key: str) -> HttpResponse:
    lottery = access_lottery(request.user, key, write=True)
    if lottery.status != LotteryStatus.DRAFT:
        messages.error(request, "已开奖的抽奖不能修改")
        return redirect("benefits:lottery_detail", key=lottery.uuid)
    initial = {"name": lottery.name, "description": lottery.description, **RuleFieldsMixin.initial_from(lottery.rule)}
    form = _form(request, lottery.union, initial=initial)
    prizes = (prizes_from(request.POST) if request.method == "POST"
              else [(p.name, p.count) for p in lottery.prizes.all()])
    done = submit(request, form, success="已保存",
                  run=lambda data: services.lottery_update(actor=request.user, lottery=lottery, name=data["name"],
                                                           description=data["description"], rule=form.rule(),
                                                           prizes=prizes),
                  redirect_to=reverse("benefits:lottery_detail", args=[lottery.uuid]))
    return done or render(request, "benefits/lottery_form.html", {
        "section": "benefits", "form": form, "union": lottery.union, "prizes": prizes, "lottery": lottery},
        status=form_status(request, form))


@staff_required
def lottery_detail(request: HttpRequest, key: str) -> HttpResponse:
    lottery = access_lottery(request.user, key)
    context: dict[str, Any] = {
        "section": "benefits", "lottery": lottery, "can_work": can_write(request.user, lottery.union),
        "prizes": list(lottery.prizes.all()),
    }
    if lottery.status == LotteryStatus.DRAFT:
        try:
            context["preview"] = preview_count(union=lottery.union, rule=lottery.rule)
        except DomainError as exc:
            context["preview_error"] = exc.message
    else:
        context["winners"] = list(lottery.winners.select_related("prize", "member__union").order_by("rank")[:500])
        context["snippet"] = services.replay_snippet(lottery)
    return render(request, "benefits/lottery_detail.html", context)


@staff_required
@require_POST
def lottery_draw(request: HttpRequest, key: str) -> HttpResponse:
    """开奖 in the worker: the job page shows the bar, then lands on the lottery with its winners."""
    lottery = access_lottery(request.user, key, write=True)
    try:
        job = services.lottery_draw_start(actor=request.user, lottery=lottery)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("benefits:lottery_detail", key=lottery.uuid)
    return redirect(f"{job_url(job)}?land=1")


@staff_required
@require_POST
def lottery_verify(request: HttpRequest, key: str) -> HttpResponse:
    lottery = access_lottery(request.user, key)
    if services.lottery_verify(lottery):
        messages.success(request, "复核一致：用记录的随机种子和参与名单重新抽取，结果与公示的中奖名单完全相同")
    else:
        messages.error(request, "复核不一致：请联系系统管理员核查")
    return redirect("benefits:lottery_detail", key=lottery.uuid)
