"""The worker's 云集市 on the H5: browse and search by domain, the offering page (places left,
ratings, order, follow), my orders by state (confirm, rate, reorder, cancel), needs, follows.

Thin adapters: parse (forms.py) → gate (access.py) → service → render. The member's own
transitions (签收, 评价, 复购, withdrawing a need) go through ``core.actions.act``; cancelling posts to
the endpoint shared with providers and staff (views/__init__.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, object_action, page_status
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.lib.text import parse_uuid
from gonghui.members.access import own_member
from gonghui.unions.models import Brand

from .. import selectors
from ..access import (
    batch_slot,
    member_need,
    member_order,
    order_for_reading,
    own_provider,
    public_batch,
    public_offering,
)
from ..forms import NeedForm, OrderForm, ReviewForm
from ..models import (
    ACTIVE_STATUSES,
    Domain,
    Follow,
    Need,
    Offering,
    Order,
    OrderEvent,
    OrderStatus,
    Provider,
    member_status_label,
)
from ..services import catalogue, needs, orders
from . import PAGE_SIZE, STATUS_BADGES, order_context


def _in_member_words(order: Order, events: Iterable[OrderEvent]) -> list[OrderEvent]:
    """The order's history with each step in the worker's words (已报名/已预约 …, not 待配货)."""
    rows = list(events)
    for event in rows:
        event.member_label = member_status_label(event.to_status, order.offering.domain)
    return rows


# The member's tabs of "my orders": (key, label, statuses).
MEMBER_TABS: list[tuple[str, str, tuple[str, ...]]] = [
    ("", "全部", ()),
    ("placed", "待安排", (OrderStatus.PLACED,)),
    ("assigned", "待服务", (OrderStatus.ASSIGNED,)),
    ("delivered", "待确认", (OrderStatus.DELIVERED,)),
    ("confirmed", "待评价", (OrderStatus.CONFIRMED,)),
    ("done", "已完成", (OrderStatus.REVIEWED,)),
    ("closed", "已取消", (OrderStatus.CANCELLED, OrderStatus.NO_SHOW)),
]


def home(request: HttpRequest) -> HttpResponse:
    """The catalogue: what the signed-in member may order (everything listed, for anyone else)."""
    member = own_member(request.user)
    q = selectors.clean_q(request.GET.get("q"))
    domain = request.GET.get("domain", "")
    brand_key = parse_uuid(request.GET.get("brand"))
    brand = Brand.objects.filter(uuid=brand_key).first() if brand_key else None
    qs = selectors.catalogue(member, q=q, domain=domain, brand=brand)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_remaining(page.object_list)
    context = {
        "tab": "home", "page": page, "q": q, "domain": domain if domain in Domain.values else "",
        "domains": Domain.choices, "brand": brand, "member": member, "provider": own_provider(request.user),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "market/_catalogue.html", context)
    return render(request, "market/home.html", context)


def _offering_context(request: HttpRequest, offering: Offering, form: OrderForm | None = None) -> dict[str, Any]:
    member = own_member(request.user)
    batches = selectors.offering_batches(offering)
    held = set()
    if member is not None:
        held = set(Order.objects.filter(member=member, batch__in=batches, status__in=ACTIVE_STATUSES)
                   .values_list("batch_id", flat=True))
    now = timezone.now()
    for batch in batches:
        batch.orderable = batch.is_orderable(now)
        batch.held = batch.pk in held
        batch.slot_list = list(batch.slots.all())
        for slot in batch.slot_list:
            slot.open = slot.remaining > 0 and slot.starts_at > now
    return {
        "tab": "home", "offering": offering, "batches": batches, "member": member,
        "why_not": orders.audience_problem(member, offering) if request.user.is_authenticated else "",
        "reviews": selectors.offering_reviews(offering),
        "followed": request.user.is_authenticated and Follow.objects.filter(
            user=request.user, offering=offering).exists(),
        "brands": list(offering.brands.select_related("parent")),
        "remaining": sum(b.remaining for b in batches if b.orderable),
        "choosable": [b for b in batches if b.orderable and b.remaining and not b.held],
        "held": [b for b in batches if b.held],
        "form": form or OrderForm(),
    }


def offering_page(request: HttpRequest, key: str) -> HttpResponse:
    offering = public_offering(key)
    return render(request, "market/offering.html", _offering_context(request, offering))


@login_required
@require_POST
def offering_order(request: HttpRequest, key: str) -> HttpResponse:
    """下单 from the offering page."""
    offering = public_offering(key)
    form = OrderForm(request.POST)
    if form.is_valid():
        try:
            batch = public_batch(form.cleaned_data["batch"])
            if batch.offering_id != offering.pk:
                raise NotFound()
            slot = batch_slot(batch, form.cleaned_data.get("slot"), message="请选择服务时段")
            placed = orders.order_place(actor=request.user, batch=batch, slot=slot, note=form.cleaned_data["note"])
        except (ValidationFailed, Conflict) as exc:
            apply_domain_error(form, exc)
            return render(request, "market/offering.html", _offering_context(request, offering, form),
                          status=page_status(exc.status))
        messages.success(request, f"{offering.member_verb}成功！服务方安排好人员和时间后会通知您。")
        return redirect("market:order", placed.order.uuid)
    return render(request, "market/offering.html", _offering_context(request, offering, form))


@login_required
@require_POST
def offering_follow(request: HttpRequest, key: str) -> HttpResponse:
    offering = public_offering(key)
    on = request.POST.get("on", "1") == "1"
    catalogue.follow_set(actor=request.user, offering=offering, on=on)
    messages.success(request, "已关注，上新时会通知您" if on else "已取消关注")
    return redirect("market:offering", offering.uuid)


@login_required
def my_orders(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    tab = request.GET.get("tab", "")
    statuses = next((s for k, _, s in MEMBER_TABS if k == tab), ())
    qs = (Order.objects.filter(member=member) if member else Order.objects.none()).select_related(
        "offering__provider", "batch", "slot")
    if statuses:
        qs = qs.filter(status__in=statuses)
    page = Paginator(qs.order_by("-placed_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page.object_list:
        order.badge = STATUS_BADGES.get(order.status, "")
        order.actions = orders.allowed_actions(request.user, order)
    return render(request, "market/my_orders.html", {
        "tab": "me", "member": member, "page": page, "tabs": MEMBER_TABS, "current": tab,
    })


@login_required
def order_page(request: HttpRequest, key: str) -> HttpResponse:
    order = member_order(request.user, key)
    context = order_context(request.user, order)
    return render(request, "market/order.html", {
        "tab": "me", **context, "events": _in_member_words(order, context["events"]), "review_form": ReviewForm()})


@login_required
def order_evidence(request: HttpRequest, key: str) -> HttpResponse:
    """The delivery evidence, for the member, the provider and staff in scope."""
    order = order_for_reading(request.user, key)
    if not order.evidence:
        raise NotFound("该订单没有服务凭证")
    response = FileResponse(order.evidence.open("rb"), as_attachment=not order.evidence.name.endswith(
        (".jpg", ".png", ".gif", ".webp")), filename=order.evidence_name or order.evidence.name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    return response


def provider_photo(request: HttpRequest, key: str) -> HttpResponse:
    """A provider's photo (public: it is shown in the catalogue): the smallest rendition, where links
    made before photos had several sizes still lead."""
    provider = Provider.objects.filter(uuid=parse_uuid(key), is_active=True).first()
    if provider is None or provider.photo is None:
        raise NotFound()
    return redirect(provider.photo.url(provider.photo.widths[0]))


@login_required
def following(request: HttpRequest) -> HttpResponse:
    offerings = list(Offering.objects.filter(follows__user=request.user).select_related("provider")
                     .order_by("-follows__created_at"))
    selectors.attach_remaining(offerings)
    return render(request, "market/following.html", {"tab": "me", "offerings": offerings})


@login_required
def needs_page(request: HttpRequest) -> HttpResponse:
    """My needs, and the form to post one."""
    member = own_member(request.user)
    categories = list(selectors.categories_for(member)) if member else []
    form = NeedForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            category = next((c for c in categories if c.uuid == form.cleaned_data["category"]), None)
            try:
                if category is None:
                    raise ValidationFailed("请选择需求分类", detail={"category": "请选择需求分类"})
                needs.need_post(actor=request.user, category=category, title=form.cleaned_data["title"],
                                text=form.cleaned_data["text"])
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "需求已提交，工会会尽快为您对接服务")
                return redirect("market:needs")
    mine = (Need.objects.filter(member=member).select_related("category", "answer_offering", "answer_provider")
            if member else Need.objects.none())
    return render(request, "market/needs.html", {"tab": "me", "member": member, "form": form, "categories": categories,
                                                 "needs": mine[:50]}, status=page_status(status))



@login_required
@require_POST
def need_close(request: HttpRequest, key: str) -> HttpResponse:
    need = member_need(request.user, key)
    return act(request, run=lambda data: needs.need_close(actor=request.user, need=need), success="需求已撤回",
               back=reverse("market:needs"))


# --- The member's own transitions of an order -------------------------------------------------------------------


# The member's own order: theirs only (404 otherwise), back to its page.
own_order_action = partial(object_action, member_order, guard=login_required,
                           back=lambda request, order: reverse("market:order", args=[order.uuid]))


@own_order_action(success="已确认完成，欢迎评价本次服务")
def order_confirm(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> Any:
    return orders.order_confirm(actor=request.user, order=order)


@own_order_action(form=ReviewForm, success="感谢您的评价！")
def order_review(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> Any:
    return orders.order_review(actor=request.user, order=order, rating=data["rating"], text=data["text"])


@own_order_action()
def order_reorder(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> HttpResponse:
    placed = orders.order_reorder(actor=request.user, order=order)
    again = placed.order
    messages.success(request, f"已再次{again.member_verb}「{again.offering.title}」（{again.batch.name}）")
    return redirect("market:order", placed.order.uuid)
