"""The transitions' POST endpoints, shared by the member's H5 pages, the provider's pages and the
console: gate (who may touch the object) → service (the one transition) → back to where the form
was (``next``), with the outcome as a message. A domain error that is about the request (wrong
state, missing field) comes back as a message; 404 and 403 are pages, as everywhere."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from gonghui.core.errors import Conflict, ValidationFailed

from ..access import batch_for_manage, member_order, offering_for_manage, order_for_cancel, order_for_service
from ..forms import AssignForm, BatchForm, DeliverForm, NoteForm, ReasonForm, ReviewForm
from ..models import Order
from ..services import catalogue, orders
from .common import back

HANDLED = (ValidationFailed, Conflict)


def _form_error(request: HttpRequest, form: Any) -> None:
    text = "；".join(str(e) for errors in form.errors.values() for e in errors)
    messages.error(request, text or "提交的内容有误")


def _order_home(user: Any, order: Order) -> str:
    """Where an order's page is for this user: the member's, the provider's or the console's."""
    roles = orders.roles_on(user, order)
    if "member" in roles:
        return reverse("market:order", args=[order.uuid])
    if "provider" in roles:
        return reverse("market:provider_order", args=[order.uuid])
    return reverse("market:console_order", args=[order.uuid])


def _done(request: HttpRequest, order: Order, text: str) -> HttpResponse:
    messages.success(request, text)
    return back(request, _order_home(request.user, order))


def _failed(request: HttpRequest, order: Order, exc: Exception) -> HttpResponse:
    messages.error(request, getattr(exc, "message", str(exc)))
    return back(request, _order_home(request.user, order))


# --- Member -----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def order_confirm(request: HttpRequest, key: str) -> HttpResponse:
    order = member_order(request.user, key)
    try:
        orders.order_confirm(actor=request.user, order=order)
    except HANDLED as exc:
        return _failed(request, order, exc)
    return _done(request, order, "已确认签收，欢迎评价本次服务")


@login_required
@require_POST
def order_review(request: HttpRequest, key: str) -> HttpResponse:
    order = member_order(request.user, key)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return back(request, "market:order", order.uuid)
    try:
        orders.order_review(actor=request.user, order=order, rating=form.cleaned_data["rating"],
                            text=form.cleaned_data["text"])
    except HANDLED as exc:
        return _failed(request, order, exc)
    return _done(request, order, "感谢您的评价！")


@login_required
@require_POST
def order_reorder(request: HttpRequest, key: str) -> HttpResponse:
    order = member_order(request.user, key)
    try:
        placed = orders.order_reorder(actor=request.user, order=order)
    except HANDLED as exc:
        return _failed(request, order, exc)
    messages.success(request, f"已再次预约「{placed.order.offering.title}」（{placed.order.batch.name}）")
    return redirect("market:order", placed.order.uuid)


# --- Member, provider or staff ------------------------------------------------------------------------------


@login_required
@require_POST
def order_cancel(request: HttpRequest, key: str) -> HttpResponse:
    order = order_for_cancel(request.user, key)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        orders.order_cancel(actor=request.user, order=order, reason=form.cleaned_data.get("reason", ""))
    except HANDLED as exc:
        return _failed(request, order, exc)
    return _done(request, order, "订单已取消")


# --- Provider or staff ----------------------------------------------------------------------------------------


@login_required
@require_POST
def order_assign(request: HttpRequest, key: str) -> HttpResponse:
    order = order_for_service(request.user, key)
    form = AssignForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return back(request, _order_home(request.user, order))
    try:
        orders.order_assign(actor=request.user, order=order, server_name=form.cleaned_data["server_name"],
                            scheduled_at=form.cleaned_data["scheduled_at"])
    except HANDLED as exc:
        return _failed(request, order, exc)
    return _done(request, order, "已配货，已通知会员")


@login_required
@require_POST
def order_deliver(request: HttpRequest, key: str) -> HttpResponse:
    order = order_for_service(request.user, key)
    form = DeliverForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_error(request, form)
        return back(request, _order_home(request.user, order))
    try:
        orders.order_deliver(actor=request.user, order=order, note=form.cleaned_data["note"],
                             evidence=form.cleaned_data.get("evidence"))
    except HANDLED as exc:
        return _failed(request, order, exc)
    return _done(request, order, "已标记为服务完成，等待会员签收")


@login_required
@require_POST
def order_no_show(request: HttpRequest, key: str) -> HttpResponse:
    order = order_for_service(request.user, key)
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        orders.order_mark_no_show(actor=request.user, order=order, note=form.cleaned_data.get("note", ""))
    except HANDLED as exc:
        return _failed(request, order, exc)
    return _done(request, order, "已标记为未到场")


# --- Offerings and batches (provider or staff) --------------------------------------------------------------


def _offering_home(request: HttpRequest, offering: Any) -> str:
    if catalogue.is_provider_account(request.user, offering.provider):
        return reverse("market:provider_offering", args=[offering.uuid])
    return reverse("market:console_offering", args=[offering.uuid])


@login_required
@require_POST
def offering_list(request: HttpRequest, key: str) -> HttpResponse:
    offering = offering_for_manage(request.user, key)
    try:
        catalogue.offering_list(actor=request.user, offering=offering)
        messages.success(request, "已上架，会员现在可以预约")
    except HANDLED as exc:
        messages.error(request, exc.message)
    return back(request, _offering_home(request, offering))


@login_required
@require_POST
def offering_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    offering = offering_for_manage(request.user, key)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        catalogue.offering_withdraw(actor=request.user, offering=offering, reason=form.cleaned_data.get("reason", ""))
        messages.success(request, "已下架，已预约的订单仍需继续服务")
    except HANDLED as exc:
        messages.error(request, exc.message)
    return back(request, _offering_home(request, offering))


@login_required
@require_POST
def batch_add(request: HttpRequest, key: str) -> HttpResponse:
    """备货 / 上新: a new batch of places."""
    offering = offering_for_manage(request.user, key)
    form = BatchForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return back(request, _offering_home(request, offering))
    data = catalogue.BatchData(name=form.cleaned_data["name"], capacity=form.cleaned_data.get("capacity") or 0,
                               opens_at=form.cleaned_data.get("opens_at"), closes_at=form.cleaned_data.get("closes_at"),
                               slots=form.cleaned_data["slots"])
    listed = offering.status == "listed"
    try:
        batch = catalogue.batch_add(actor=request.user, offering=offering, data=data)
        messages.success(request, f"已上新「{batch.name}」{batch.capacity}个名额，已通知关注者" if listed
                         else f"已备货「{batch.name}」{batch.capacity}个名额，上架后会员即可预约")
    except HANDLED as exc:
        messages.error(request, exc.message)
    return back(request, _offering_home(request, offering))


@login_required
@require_POST
def batch_close(request: HttpRequest, key: str) -> HttpResponse:
    batch = batch_for_manage(request.user, key)
    try:
        catalogue.batch_close(actor=request.user, batch=batch)
        messages.success(request, f"「{batch.name}」已结束预约")
    except HANDLED as exc:
        messages.error(request, exc.message)
    return back(request, _offering_home(request, batch.offering))


urlpatterns: list[URLPattern] = [
    path("market/orders/<uuid:key>/confirm/", order_confirm, name="order_confirm"),
    path("market/orders/<uuid:key>/review/", order_review, name="order_review"),
    path("market/orders/<uuid:key>/reorder/", order_reorder, name="order_reorder"),
    path("market/orders/<uuid:key>/cancel/", order_cancel, name="order_cancel"),
    path("market/orders/<uuid:key>/assign/", order_assign, name="order_assign"),
    path("market/orders/<uuid:key>/deliver/", order_deliver, name="order_deliver"),
    path("market/orders/<uuid:key>/no-show/", order_no_show, name="order_no_show"),
    path("market/offerings/<uuid:key>/list/", offering_list, name="offering_list"),
    path("market/offerings/<uuid:key>/withdraw/", offering_withdraw, name="offering_withdraw"),
    path("market/offerings/<uuid:key>/batches/", batch_add, name="batch_add"),
    path("market/batches/<uuid:key>/close/", batch_close, name="batch_close"),
]
