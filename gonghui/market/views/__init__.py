"""Market pages, by audience: ``worker`` (the member's H5), ``provider`` (the provider's own pages
on the H5 shell) and ``staff`` (the console). The urlpatterns are in ``market/urls.py``.

Here: what the audiences share — the labels and page size, the offering form's choices, its save and
the batch table (the console and the provider's pages), what every order page shows, and the
transitions' POST endpoints that a provider account and writing staff both reach (order
配货/发货/未到场/取消 — the member cancels through the same one —, offering 上架/下架, batches). Each
is gate (access.py) → ``core.actions.act`` (through ``object_action``) → the one service, then back to
where the form was (``next``) with the outcome as a message; 404 and 403 are pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from gonghui.core.actions import object_action, submit
from gonghui.unions.models import Union

from ..access import batch_for_manage, offering_for_manage, order_for_cancel, order_for_service
from ..forms import AssignForm, BatchForm, DeliverForm, NoteForm, ReasonForm
from ..models import Batch, Offering, Order, OrderStatus
from ..selectors import brand_choices, offering_audience_unions
from ..services import catalogue, orders

PAGE_SIZE = 20

STATUS_BADGES = {
    OrderStatus.PLACED: "badge-warn", OrderStatus.ASSIGNED: "badge-info", OrderStatus.DELIVERED: "badge-warn",
    OrderStatus.CONFIRMED: "badge-ok", OrderStatus.REVIEWED: "badge-ok", OrderStatus.CANCELLED: "",
    OrderStatus.NO_SHOW: "badge-red",
}


# --- The offering form, shared by the console and the provider's pages ---------------------------------------


def offering_form_choices(union: Any) -> dict[str, Any]:
    """Brand and audience-union choices for an offering of ``union``."""
    brands = [(str(b.uuid), f"{b.parent.name} · {b.name}" if b.parent_id else b.name)
              for b in brand_choices(union).order_by("union__depth", "parent_id", "position", "id")]
    unions = [(str(u.uuid), ("　" * (u.depth - union.depth)) + u.name) for u in offering_audience_unions(union)]
    return {"brands": brands, "unions": unions}


def offering_data(form: Any, union: Any) -> catalogue.OfferingData:
    """OfferingData from a valid OfferingForm (brands and the audience union looked up by key)."""
    data = form.cleaned_data
    brand_keys = list(data.get("brands") or [])
    brands = list(brand_choices(union).filter(uuid__in=brand_keys)) if brand_keys else []
    audience_union = None
    if data.get("audience_union"):
        audience_union = Union.objects.subtree(union).filter(uuid=str(data["audience_union"])).first()
    return catalogue.OfferingData(title=data["title"], domain=data["domain"], summary=data["summary"],
                                  mode=data["mode"], place=data.get("place") or "",
                                  description=data.get("description") or "", audience=data["audience"],
                                  audience_union=audience_union, brands=brands, photo=data.get("photo"),
                                  remove_photo=bool(data.get("photo_remove")))


def offering_initial(offering: Any) -> dict[str, Any]:
    return {
        "title": offering.title, "domain": offering.domain, "summary": offering.summary,
        "description": offering.description, "mode": offering.mode, "place": offering.place,
        "audience": offering.audience,
        "audience_union": str(offering.audience_union.uuid) if offering.audience_union_id else "",
        "brands": [str(b.uuid) for b in offering.brands.all()],
    }


def offering_save(request: HttpRequest, offering: Offering, form: Any, *, page: str) -> HttpResponse | None:
    """The offering page's edit form (the console's and the provider's): ``core.actions.submit`` of
    ``catalogue.offering_update``, 已保存 and back to the ``page`` URL name; None when the page is to be shown."""
    return submit(request, form, success="已保存",
                  run=lambda data: catalogue.offering_update(actor=request.user, offering=offering,
                                                             data=offering_data(form, offering.union)),
                  redirect_to=reverse(page, args=[offering.uuid]))


def offering_batches(offering: Offering) -> list[Any]:
    """The offering's batches with their slots, newest first (the batch table of its page)."""
    return list(offering.batches.prefetch_related("slots").order_by("-opens_at", "-id"))


# --- What every audience's order page shows -----------------------------------------------------------------------


def order_context(user: Any, order: Order) -> dict[str, Any]:
    """The order, its badge, what ``user`` may do with it, its timeline and its review once reviewed."""
    return {
        "order": order, "badge": STATUS_BADGES.get(order.status, ""),
        "actions": orders.allowed_actions(user, order),
        "events": order.events.select_related("actor").order_by("created_at", "id"),
        "review": getattr(order, "review", None) if order.status == OrderStatus.REVIEWED else None,
    }


def service_forms(order: Order) -> dict[str, Any]:
    """The provider's and the console's forms on an order: 配货 (prefilled), 发货, 取消."""
    return {
        "assign_form": AssignForm(initial={"server_name": order.server_name or order.offering.provider.name,
                                           "scheduled_at": order.scheduled_at}),
        "deliver_form": DeliverForm(), "reason_form": ReasonForm(),
    }


# --- Where a transition's form goes back to ---------------------------------------------------------------------


def order_home(user: Any, order: Order) -> str:
    """Where an order's page is for this user: the member's, the provider's or the console's."""
    roles = orders.roles_on(user, order)
    if "member" in roles:
        return reverse("market:order", args=[order.uuid])
    if "provider" in roles:
        return reverse("market:provider_order", args=[order.uuid])
    return reverse("market:console_order", args=[order.uuid])


def offering_home(user: Any, offering: Offering) -> str:
    if catalogue.is_provider_account(user, offering.provider):
        return reverse("market:provider_offering", args=[offering.uuid])
    return reverse("market:console_offering", args=[offering.uuid])


# The order's page is looked up after the transition (a cancelled order may show elsewhere).
order_action = partial(object_action, back=lambda request, order: lambda: order_home(request.user, order),
                       guard=login_required)
offering_action = partial(object_action, offering_for_manage, guard=login_required,
                          back=lambda request, offering: offering_home(request.user, offering))


# --- Orders: member, provider or staff --------------------------------------------------------------------------


@order_action(order_for_cancel, form=ReasonForm, success="订单已取消")
def order_cancel(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> Any:
    return orders.order_cancel(actor=request.user, order=order, reason=data["reason"])


# --- Orders: provider or staff ----------------------------------------------------------------------------------


@order_action(order_for_service, form=AssignForm, success="已配货，已通知会员")
def order_assign(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> Any:
    return orders.order_assign(actor=request.user, order=order, server_name=data["server_name"],
                               scheduled_at=data["scheduled_at"])


@order_action(order_for_service, form=DeliverForm, files=True, success="已标记为服务完成，等待会员签收")
def order_deliver(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> Any:
    return orders.order_deliver(actor=request.user, order=order, note=data["note"], evidence=data.get("evidence"))


@order_action(order_for_service, form=NoteForm, success="已标记为未到场")
def order_no_show(request: HttpRequest, order: Order, data: Mapping[str, Any]) -> Any:
    return orders.order_mark_no_show(actor=request.user, order=order, note=data["note"])


# --- Offerings and batches: provider or staff -------------------------------------------------------------------


@offering_action(success="已上架，会员现在可以预约")
def offering_list(request: HttpRequest, offering: Offering, data: Mapping[str, Any]) -> Any:
    return catalogue.offering_list(actor=request.user, offering=offering)


@offering_action(form=ReasonForm, success="已下架，已预约的订单仍需继续服务")
def offering_withdraw(request: HttpRequest, offering: Offering, data: Mapping[str, Any]) -> Any:
    return catalogue.offering_withdraw(actor=request.user, offering=offering, reason=data["reason"])


@offering_action(form=BatchForm)
def batch_add(request: HttpRequest, offering: Offering, data: Mapping[str, Any]) -> str:
    """备货 / 上新: a new batch of places."""
    listed = offering.status == "listed"
    batch = catalogue.batch_add(actor=request.user, offering=offering, data=catalogue.BatchData(
        name=data["name"], capacity=data.get("capacity") or 0, opens_at=data.get("opens_at"),
        closes_at=data.get("closes_at"), slots=data["slots"], serves_from=data.get("serves_from"),
        serves_until=data.get("serves_until")))
    return (f"已上新「{batch.name}」{batch.capacity}个名额，已通知关注者" if listed
            else f"已备货「{batch.name}」{batch.capacity}个名额，上架后会员即可预约")


@object_action(batch_for_manage, guard=login_required,
               back=lambda request, batch: offering_home(request.user, batch.offering))
def batch_close(request: HttpRequest, batch: Batch, data: Mapping[str, Any]) -> str:
    catalogue.batch_close(actor=request.user, batch=batch)
    return f"「{batch.name}」已结束预约"
