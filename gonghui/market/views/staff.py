"""The 云集市 in the staff console: offerings by status, the order board by state with bulk 配货,
providers and their workload, ratings, needs and their categories, statistics with Excel export.

Everything starts from ``visible_to(request.user)`` or an ``access_*`` gate; transitions post to the
shared endpoints in views/__init__.py (the same services as the H5 and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.actions import form_status, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.lib.excel import XLSX_MIME, write_workbook
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Union

from .. import selectors
from ..access import access_need, access_need_category, access_offering, access_order, access_provider
from ..forms import (
    AnswerForm,
    AssignForm,
    BatchForm,
    BulkAssignForm,
    CategoryForm,
    ProviderForm,
    StaffOfferingForm,
)
from ..models import (
    OPEN_STATUSES,
    Domain,
    NeedStatus,
    Offering,
    OfferingStatus,
    Order,
    OrderStatus,
    ProviderKind,
)
from ..services import catalogue, needs, orders
from . import (
    PAGE_SIZE,
    STATUS_BADGES,
    offering_batches,
    offering_data,
    offering_form_choices,
    offering_initial,
    offering_save,
    order_context,
    service_forms,
)

SECTION = "market"


def _ctx(subnav: str, **extra: Any) -> dict[str, Any]:
    return {"section": SECTION, "subnav": subnav, **extra}


def _write_unions(user: Any) -> list[Union]:
    """Active unions where the user may register providers and need categories (capped list)."""
    return list(Union.objects.writable_by(user).order_by("path")[:500])


# --- Offerings --------------------------------------------------------------------------------------------------


@staff_required
def offering_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", OfferingStatus.LISTED)
    params = {**request.GET.dict(), "status": status}
    qs = selectors.offering_list(request.user, params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_remaining(page.object_list)
    counts = selectors.offering_status_counts(request.user)
    tabs = [(value, label, counts.get(value, 0)) for value, label in OfferingStatus.choices]
    return render(request, "market/console_offerings.html", _ctx(
        "offerings", page=page, tabs=tabs, status=status, domains=Domain.choices,
        domain=request.GET.get("domain", ""), q=selectors.clean_q(request.GET.get("q"))))


@staff_required
def offering_new(request: HttpRequest) -> HttpResponse:
    """备货: a new offering for a provider in the user's scope (as a draft)."""
    providers = [p for p in selectors.provider_list(request.user, {}).filter(is_active=True)
                 if catalogue.is_staff_writer(request.user, p.union)]
    chosen = next((p for p in providers if str(p.uuid) == (request.POST.get("provider")
                                                           or request.GET.get("provider", ""))), None)
    union = chosen.union if chosen else None
    choices = offering_form_choices(union) if union else {"brands": [], "unions": []}
    form = StaffOfferingForm(request.POST or None, request.FILES or None,
                             brands=choices["brands"], unions=choices["unions"],
                             initial={"provider": chosen.uuid if chosen else None})
    def create(data: Any) -> Any:
        if chosen is None:
            raise ValidationFailed("请选择服务方", detail={"provider": "请选择服务方"})
        return catalogue.offering_create(actor=request.user, provider=chosen, data=offering_data(form, chosen.union))

    done = submit(request, form, run=create, success="服务项目已创建（备货中）。请添加批次名额，然后上架。",
                  redirect_to=lambda offering: reverse("market:console_offering", args=[offering.uuid]))
    if done:
        return done
    return render(request, "market/console_offering_new.html", _ctx(
        "offerings", form=form, providers=providers, chosen=chosen), status=form_status(request, form))


@staff_required
def offering_detail(request: HttpRequest, key: str) -> HttpResponse:
    offering = access_offering(request.user, key, write=request.method == "POST")
    can_write = catalogue.is_staff_writer(request.user, offering.union)
    choices = offering_form_choices(offering.union)
    form = StaffOfferingForm(request.POST or None, request.FILES or None,
                             brands=choices["brands"], unions=choices["unions"],
                             initial={**offering_initial(offering), "provider": offering.provider.uuid})
    form.fields["provider"].required = False
    done = offering_save(request, offering, form, page="market:console_offering")
    if done:
        return done
    counts = selectors.status_counts(Order.objects.filter(offering=offering))
    return render(request, "market/console_offering.html", _ctx(
        "offerings", offering=offering, form=form, batches=offering_batches(offering), batch_form=BatchForm(),
        can_write=can_write, counts=[(value, label, counts.get(value, 0)) for value, label in OrderStatus.choices],
        reviews=selectors.offering_reviews(offering, limit=10), brands=list(offering.brands.select_related("parent")),
        followers=offering.follows.count()), status=form_status(request, form))


# --- The order board --------------------------------------------------------------------------------------------


@staff_required
def order_board(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", OrderStatus.PLACED)
    params = {**request.GET.dict(), "status": status}
    base = Order.objects.visible_to(request.user)
    qs = selectors.order_board(request.user, params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page.object_list:
        order.badge = STATUS_BADGES.get(order.status, "")
    counts = selectors.status_counts(selectors.order_filters(base, {**params, "status": ""}),
                                     OPEN_STATUSES)
    tabs = [(value, label, counts.get(value)) for value, label in OrderStatus.choices]
    return render(request, "market/console_orders.html", _ctx(
        "orders", page=page, tabs=tabs, status=status, domains=Domain.choices, domain=request.GET.get("domain", ""),
        assign_form=AssignForm(), can_bulk=status == OrderStatus.PLACED))


@staff_required
@require_POST
def order_board_assign(request: HttpRequest) -> HttpResponse:
    """批量配货: every chosen order through the gate (write), then one transition each."""
    form = BulkAssignForm(request.POST)
    if not form.is_valid():
        text = "；".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, text.replace("这个字段是必填项。", "请填写服务人员、服务时间并勾选订单"))
        return redirect(f"{_board_url()}?status=placed")
    chosen = [access_order(request.user, key, write=True) for key in form.cleaned_data["uuids"][:200]]
    try:
        result = orders.orders_assign_bulk(actor=request.user, orders=chosen,
                                           server_name=form.cleaned_data["server_name"],
                                           scheduled_at=form.cleaned_data["scheduled_at"])
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect(f"{_board_url()}?status=placed")
    if result.done:
        messages.success(request, f"已配货 {len(result.done)} 个订单，已通知会员")
    for order, message in result.failed:
        messages.error(request, f"{order.short_code}：{message}")
    return redirect(f"{_board_url()}?status=placed")


def _board_url() -> str:
    from django.urls import reverse

    return reverse("market:console_orders")


@staff_required
def order_detail(request: HttpRequest, key: str) -> HttpResponse:
    order = access_order(request.user, key)
    return render(request, "market/console_order.html", _ctx(
        "orders", **order_context(request.user, order), **service_forms(order)))


# --- Providers --------------------------------------------------------------------------------------------------


@staff_required
def provider_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.provider_list(request.user, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    workloads = selectors.provider_workload(request.user, page.object_list)
    return render(request, "market/console_providers.html", _ctx(
        "providers", page=page, workloads=workloads, kinds=ProviderKind.choices, kind=request.GET.get("kind", ""),
        q=selectors.clean_q(request.GET.get("q"))))


def _provider_data(form: ProviderForm) -> catalogue.ProviderData:
    data = form.cleaned_data
    return catalogue.ProviderData(kind=data["kind"], name=data["name"], title_level=data.get("title_level") or "",
                                  specialty=data.get("specialty") or "", bio=data.get("bio") or "")


def _account(form: ProviderForm) -> User | None:
    phone = (form.cleaned_data.get("account_phone") or "").strip()
    if not phone:
        return None
    user = User.objects.by_phone(phone).filter(is_active=True).first()
    if user is None:
        raise ValidationFailed("未找到该手机号的账号，请先让服务方注册",
                               detail={"account_phone": "未找到该手机号的账号"})
    return user


@staff_required
def provider_new(request: HttpRequest) -> HttpResponse:
    unions = _write_unions(request.user)
    if not unions:
        raise Forbidden("您的角色不能登记服务方")
    form = ProviderForm(request.POST or None, request.FILES or None, initial={"is_active": True})
    def create(data: Any) -> Any:
        union = access_union_for_work(request.user, data["union"])
        provider = catalogue.provider_create(actor=request.user, union=union, data=_provider_data(form),
                                             account=_account(form), photo=data.get("photo"))
        messages.success(request, f"已添加服务方「{provider.name}」")
        return provider

    done = submit(request, form, run=create,
                  redirect_to=lambda provider: reverse("market:console_provider", args=[provider.uuid]))
    if done:
        return done
    return render(request, "market/console_provider.html", _ctx(
        "providers", form=form, unions=unions, provider=None, can_write=True), status=form_status(request, form))


@staff_required
def provider_detail(request: HttpRequest, key: str) -> HttpResponse:
    provider = access_provider(request.user, key, write=request.method == "POST")
    form = ProviderForm(request.POST or None, request.FILES or None, initial={
        "union": provider.union.uuid, "kind": provider.kind, "name": provider.name,
        "title_level": provider.title_level, "specialty": provider.specialty, "bio": provider.bio,
        "is_active": provider.is_active})
    form.fields["union"].required = False
    done = submit(request, form, success="已保存",
                  run=lambda data: catalogue.provider_update(
                      actor=request.user, provider=provider, data=_provider_data(form), account=_account(form),
                      unlink=data.get("unlink", False), photo=data.get("photo"),
                      photo_remove=data.get("photo_remove", False),
                      is_active=data.get("is_active", False)),
                  redirect_to=lambda saved: reverse("market:console_provider", args=[saved.uuid]))
    if done:
        return done
    status = form_status(request, form)
    offerings = list(Offering.objects.filter(provider=provider).order_by("status", "-updated_at"))
    workload = selectors.provider_workload(request.user, [provider])[0]
    return render(request, "market/console_provider.html", _ctx(
        "providers", form=form, provider=provider, offerings=offerings, workload=workload,
        can_write=catalogue.is_staff_writer(request.user, provider.union),
        statuses=[(value, label, workload.counts.get(value, 0)) for value, label in OrderStatus.choices]),
        status=status)


# --- Ratings ---------------------------------------------------------------------------------------------------------


@staff_required
def review_list(request: HttpRequest) -> HttpResponse:
    rating = request.GET.get("rating", "")
    qs = selectors.review_list(request.user, int(rating) if rating in {"1", "2", "3", "4", "5"} else None)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/console_reviews.html", _ctx("reviews", page=page, rating=rating))


# --- Needs ---------------------------------------------------------------------------------------------------------


@staff_required
def need_list(request: HttpRequest) -> HttpResponse:
    """Needs by category: the counts per category, and the list (open ones first by default)."""
    status = request.GET.get("status", NeedStatus.OPEN)
    category = request.GET.get("category", "")
    qs = selectors.need_list(request.user, status=status, category=category)
    per_category = selectors.need_counts_by_category(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/console_needs.html", _ctx(
        "needs", page=page, per_category=per_category, status=status, statuses=NeedStatus.choices,
        category=category))


@staff_required
def need_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A need and the answer form: point it to an offering or a provider visible to the staff member."""
    need = access_need(request.user, key, write=request.method == "POST")
    form = AnswerForm(request.POST or None)

    def answer(data: Any) -> None:
        try:
            offering = access_offering(request.user, data["offering"]) if data.get("offering") else None
            provider = access_provider(request.user, data["provider"]) if data.get("provider") else None
        except NotFound as exc:
            raise ValidationFailed("未找到所选的服务项目或服务方") from exc
        needs.need_answer(actor=request.user, need=need, offering=offering, provider=provider, text=data["text"])

    done = submit(request, form, run=answer, success="已回应，已通知会员",
                  redirect_to=reverse("market:console_need", args=[need.uuid]))
    if done:
        return done
    q = selectors.clean_q(request.GET.get("q")) or need.title[:10]
    suggestions = selectors.offering_list(request.user, {"status": OfferingStatus.LISTED, "q": q})[:10]
    if not suggestions:
        suggestions = selectors.offering_list(request.user, {"status": OfferingStatus.LISTED})[:10]
    return render(request, "market/console_need.html", _ctx(
        "needs", need=need, form=form, suggestions=suggestions, q=q,
        providers=selectors.provider_list(request.user, {}).filter(is_active=True)[:200],
        can_write=catalogue.is_staff_writer(request.user, need.union)),
        status=form_status(request, form))  # 200 with the errors; 409 for an answer that came too late


@staff_required
def category_list(request: HttpRequest) -> HttpResponse:
    """The need categories of the unions in scope; add one, or change one (name, order, on/off)."""
    categories = selectors.need_categories(request.user)
    unions = _write_unions(request.user)
    form = CategoryForm(request.POST or None, initial={"union": unions[0].uuid if unions else None, "is_active": True})

    def save(data: Any) -> None:
        category = None
        if request.POST.get("category"):
            category = access_need_category(request.user, request.POST["category"], write=True)
        union = category.union if category else access_union_for_work(request.user, data["union"])
        needs.need_category_save(actor=request.user, union=union, name=data["name"],
                                 position=data.get("position") or 0, is_active=data.get("is_active", False),
                                 category=category)

    done = submit(request, form, run=save, success="已保存", redirect_to=reverse("market:console_categories"))
    return done or render(request, "market/console_categories.html", _ctx(
        "needs", categories=categories, form=form, unions=unions), status=form_status(request, form))


# --- Statistics ---------------------------------------------------------------------------------------------------


@staff_required
def stats(request: HttpRequest) -> HttpResponse:
    period = selectors.period_from(request.GET)
    data = selectors.statistics(request.user, period)
    return render(request, "market/console_stats.html", _ctx("stats", data=data, period=period,
                                                             query=request.GET.urlencode()))


STAT_HEADER = ["名称", "订单数", "服务人次", "取消", "评价数", "平均评分"]


def _stat_rows(rows: list[selectors.StatRow]) -> list[list[Any]]:
    return [[r.label, r.orders, r.served, r.cancelled, r.reviews, r.rating if r.rating is not None else ""]
            for r in rows]


@staff_required
def stats_export(request: HttpRequest) -> HttpResponse:
    period = selectors.period_from(request.GET)
    data = selectors.statistics(request.user, period, top_providers=10_000)
    sheets = [("按领域", STAT_HEADER, _stat_rows([*data.domains, data.total])),
              ("按品牌", STAT_HEADER, _stat_rows(data.brands)),
              ("按服务方", STAT_HEADER, _stat_rows(data.providers)),
              ("按工会", STAT_HEADER, _stat_rows(data.unions))]
    widths = {title: [36, 10, 10, 8, 10, 10] for title, _, _ in sheets}
    content = write_workbook(sheets, widths=widths)
    audit.record("export.market_stats", actor=request.user, detail={
        "since": period.since.isoformat() if period.since else "",
        "until": period.until.isoformat() if period.until else "",
        "orders": data.total.orders})
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="market-stats-{stamp}.xlsx"'
    return response

