"""The order lifecycle: 下单 (place) → 配货 (assign) → 发货 (deliver) → 签收 (confirm) → 评价 (review),
with cancellation, no-show, 复购 (reorder) and the 7-day auto-confirmation.

Every transition is one function here: it checks who is acting and the current state, writes in one
transaction with a guarded ``UPDATE … WHERE status IN (…)`` and a row-count check, adds a history
row (OrderEvent) and an audit row (``core.transitions.transition``), and writes the notifications
and events in the same transaction.

Places are taken by the database: ``UPDATE batch SET taken = taken + 1 WHERE id = … AND taken <
capacity AND status = 'open' AND <window>``, last in the placing transaction so that the batch row
is locked only for the commit; a CHECK constraint (taken <= capacity) stands behind it. A partial
unique index allows one active order per member per batch. Both hold on PostgreSQL and SQLite.

Who may act:

* the member (their own order): place, cancel before 配货, confirm, review, reorder;
* the provider's account (orders of its own offerings) and writing staff of the offering's branch:
  assign, deliver, mark no-show, cancel with a reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.members.access import own_member
from gonghui.members.models import EmploymentForm, Gender, Member, MemberStatus

from ..models import (
    Audience,
    Batch,
    BatchStatus,
    CancelledBy,
    IdempotencyKey,
    Offering,
    OfferingStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Review,
    Slot,
)
from ..selectors import next_batch_for
from . import files
from .catalogue import is_provider_account, is_staff_writer

if TYPE_CHECKING:
    from gonghui.accounts.models import User

AUTO_CONFIRM_DAYS = 7
NOTE_MAX = 500
REASON_MAX = 300
KEY_MAX = 100


class IdempotencyMismatch(DomainError):
    status = 422
    code = "idempotency_key_reused"
    default_message = "该 Idempotency-Key 已用于另一次不同的下单请求"


# --- Who may order what ------------------------------------------------------------------------------------------


def audience_problem(member: Member | None, offering: Offering) -> str:
    """Why ``member`` may not order ``offering`` ("" when they may).

    The audience "all members" means the members of the owning union's subtree; an offering of a
    root union (one without a parent, e.g. the province) is open to every current member.
    """
    if member is None:
        return "预约服务需要先加入工会"
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING):
        return f"您的会籍状态为「{member.get_status_display()}」，不能预约服务"
    owner = offering.union
    if owner.parent_id is not None and not member.union.path.startswith(owner.path):
        return f"该服务面向{owner.name}及下级工会的会员"
    if offering.audience == Audience.GIG and member.employment_form != EmploymentForm.GIG:
        return "该服务仅面向新就业形态劳动者"
    if offering.audience == Audience.WOMEN and member.gender != Gender.FEMALE:
        return "该服务仅面向女职工"
    if offering.audience == Audience.UNION and not member.union.path.startswith(offering.audience_union.path):
        return f"该服务仅面向{offering.audience_union.name}及下级工会的会员"
    return ""


def roles_on(user: Any, order: Order) -> set[str]:
    """The capacities in which ``user`` may act on ``order``: member, provider, staff."""
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if order.member.user_id == user.pk:
        roles.add("member")
    if is_provider_account(user, order.offering.provider):
        roles.add("provider")
    if is_staff_writer(user, order.union):
        roles.add("staff")
    return roles


def allowed_actions(user: Any, order: Order) -> set[str]:
    """What ``user`` may do with ``order`` now (for the pages' buttons and the API's ``actions``)."""
    roles = roles_on(user, order)
    serves = bool(roles & {"provider", "staff"})
    status = order.status
    actions: set[str] = set()
    if "member" in roles:
        if status == OrderStatus.PLACED:
            actions.add("cancel")
        if status == OrderStatus.DELIVERED:
            actions.add("confirm")
        if status == OrderStatus.CONFIRMED:
            actions.add("review")
        if status not in (OrderStatus.PLACED, OrderStatus.ASSIGNED):
            actions.add("reorder")
    if serves:
        if status in (OrderStatus.PLACED, OrderStatus.ASSIGNED):
            actions |= {"assign", "cancel"}
        if status == OrderStatus.ASSIGNED:
            actions |= {"deliver", "no_show"}
    return actions


# --- Notifications ----------------------------------------------------------------------------------------------


def _tell(user: Any, title: str, body: str = "", url: str = "") -> None:
    """Notify ``user`` (when the order's party has an account), inside the caller's transaction."""
    if user is not None and getattr(user, "pk", None):
        notify(user, title, body, url=url)


def _member_url(order: Order) -> str:
    return reverse("market:order", args=[order.uuid])


def _provider_url(order: Order) -> str:
    return reverse("market:provider_order", args=[order.uuid])


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "待定"


# --- Transitions (core.transitions.transition) ------------------------------------------------------------------


def _history(order: Order, actor: User | None, note: str = "") -> Any:
    """The OrderEvent row a transition of ``order`` writes (``transition``'s ``history``)."""
    return lambda before: OrderEvent.objects.create(order=order, from_status=before, to_status=order.status,
                                                    actor=actor if getattr(actor, "pk", None) else None,
                                                    note=note[:REASON_MAX])


def _detail(order: Order, to: str) -> dict[str, Any]:
    """The audit detail of a transition of ``order`` (taken before it moves)."""
    return {"from": order.status, "to": to, "offering": str(order.offering.uuid)}


# --- 下单 ----------------------------------------------------------------------------------------------------------


@dataclass
class Placed:
    order: Order
    created: bool = True  # False: an Idempotency-Key retry returned the first request's order
    notes: list[str] = field(default_factory=list)


def _fingerprint(batch: Batch, slot: Slot | None, note: str) -> str:
    raw = f"{batch.uuid}|{slot.uuid if slot else ''}|{note}"
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_key(value: str | None) -> str:
    key = (value or "").strip()
    if len(key) > KEY_MAX or any(not (32 < ord(c) < 127) for c in key):
        raise ValidationFailed("Idempotency-Key 须为不超过100个字符的可见ASCII字符", code="invalid_idempotency_key")
    return key


def _replay(record: IdempotencyKey, fingerprint: str) -> Placed:
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatch()
    order = Order.objects.select_related("offering__provider", "offering__union", "batch", "slot", "union",
                                         "member__user", "member_union").get(pk=record.order_id)
    return Placed(order=order, created=False)


def order_place(*, actor: User, batch: Batch, slot: Slot | None = None, note: str = "", idempotency_key: str = "",
                reorder_of: Order | None = None) -> Placed:
    """下单: the signed-in member takes one place in ``batch`` (and ``slot``, when the batch has slots).

    Preconditions: ``batch`` came through ``public_batch`` (its offering is listed). Raises
    Forbidden when the actor is not a member the audience covers, Conflict "名额已满" (code
    ``sold_out``) when no place is left, Conflict (``duplicate``) when the member already holds an
    active order in this batch. With ``idempotency_key`` a repeated call returns the first call's
    order and creates nothing.
    """
    member = own_member(actor)
    offering = batch.offering
    problem = audience_problem(member, offering)
    if problem:
        raise Forbidden(problem, code="audience")
    if offering.status != OfferingStatus.LISTED or not offering.provider.is_active:
        raise Conflict("该服务项目已下架", code="withdrawn")
    note = clean_text(note, field="note", label="需求说明", max_length=NOTE_MAX, required=False, multiline=True)
    if slot is not None and slot.batch_id != batch.pk:
        raise ValidationFailed("所选时段不属于该批次", detail={"slot": "所选时段不属于该批次"})
    if slot is None and Slot.objects.filter(batch=batch).exists():
        raise ValidationFailed("请选择服务时段", detail={"slot": "请选择服务时段"})
    if slot is not None and slot.starts_at <= timezone.now():
        raise Conflict("该时段已开始，请选择其他时段", code="slot_started")
    key = clean_key(idempotency_key)
    fingerprint = _fingerprint(batch, slot, note)
    assert member is not None
    if key:
        existing = IdempotencyKey.objects.filter(user=actor, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
    # Fast refusal once the batch is full, without a write transaction: under a rush most requests
    # arrive after the last place went. (Only a shortcut: the guarded UPDATE below decides.)
    if not Batch.objects.filter(pk=batch.pk, taken__lt=F("capacity")).exists():
        raise Conflict("名额已满", code="sold_out")

    with transaction.atomic():
        record = None
        if key:
            existing = IdempotencyKey.objects.filter(user=actor, key=key).first()
            if existing is not None:
                return _replay(existing, fingerprint)
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(user=actor, key=key, fingerprint=fingerprint)
            except IntegrityError:
                # The same key in flight in another transaction, which has committed by now
                # (PostgreSQL made this insert wait for it): return its result.
                return _replay(IdempotencyKey.objects.get(user=actor, key=key), fingerprint)
        now = timezone.now()
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    offering=offering, batch=batch, slot=slot, union=offering.union, member=member,
                    member_union=member.union, note=note, reorder_of=reorder_of, placed_at=now, updated_at=now,
                    scheduled_at=slot.starts_at if slot else None)
        except IntegrityError:
            raise Conflict("您已预约过该批次，请勿重复下单", code="duplicate") from None
        OrderEvent.objects.create(order=order, to_status=OrderStatus.PLACED, actor=actor,
                                  note="复购" if reorder_of else "")
        audit.record("market.order.place", actor=actor, obj=order, union=order.union,
                     detail={"offering": str(offering.uuid), "batch": str(batch.uuid), "reorder": bool(reorder_of)})
        if record is not None:
            IdempotencyKey.objects.filter(pk=record.pk).update(order=order)
        # The provider's inbox row and the event are written here, before the places, so that the
        # batch row is not held locked for them; a sold-out batch rolls them back with the order.
        _tell(offering.provider.user, "新的服务预约", f"{offering.title}（{batch.name}）有新的预约，请及时配货。",
              url=_provider_url(order))
        events.publish("market.order_placed", order_id=order.pk, offering_id=offering.pk, member_id=member.pk)
        # Last: the places. The batch row stays locked only until the commit that follows.
        if slot is not None and not Slot.objects.filter(pk=slot.pk, taken__lt=F("capacity")).update(
                taken=F("taken") + 1):
            raise Conflict("该时段名额已满，请选择其他时段", code="sold_out")
        taken = (Batch.objects.filter(pk=batch.pk, status=BatchStatus.OPEN, taken__lt=F("capacity"),
                                      opens_at__lte=now)
                 .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
                 .update(taken=F("taken") + 1))
        if not taken:
            current = Batch.objects.get(pk=batch.pk)
            if not current.is_orderable(now):
                raise Conflict("该批次不在预约时间内", code="batch_closed")
            raise Conflict("名额已满", code="sold_out")
    return Placed(order=order)


def order_reorder(*, actor: User, order: Order, note: str | None = None) -> Placed:
    """复购: order the same offering again, in one step, from its next batch with a place left.

    Preconditions: ``order`` is the actor's own (``member_order``)."""
    if order.member.user_id != getattr(actor, "pk", None):
        raise Forbidden()
    offering = order.offering
    if offering.status != OfferingStatus.LISTED:
        raise Conflict("该服务项目已下架，关注后上新会通知您", code="withdrawn")
    found = next_batch_for(order.member, offering)
    if found is None:
        raise Conflict("该服务暂时没有可预约的名额，关注后上新会通知您", code="sold_out")
    batch, slot = found
    return order_place(actor=actor, batch=batch, slot=slot, note=order.note if note is None else note,
                       reorder_of=order)


# --- 配货 / 发货 ------------------------------------------------------------------------------------------------------


def _require_server(actor: User, order: Order) -> None:
    if not roles_on(actor, order) & {"provider", "staff"}:
        raise Forbidden("只有服务方或主办工会的工作人员可以办理")


def order_assign(*, actor: User, order: Order, server_name: str, scheduled_at: datetime | None) -> Order:
    """配货: who will serve and when. Also re-assigns an order already assigned (another person or time)."""
    _require_server(actor, order)
    server_name = clean_text(server_name, field="server_name", label="服务人员", max_length=50, required=True)
    # Without a time: the slot's start, or (re-assigning) the time already arranged.
    scheduled_at = scheduled_at or order.scheduled_at or (order.slot.starts_at if order.slot_id else None)
    if scheduled_at is None:
        raise ValidationFailed("请填写服务时间", detail={"scheduled_at": "请填写服务时间"})
    with transaction.atomic():
        transition(order, to=OrderStatus.ASSIGNED, from_=[OrderStatus.PLACED, OrderStatus.ASSIGNED],
                   changes={"server_name": server_name, "scheduled_at": scheduled_at},
                   message="该订单已不能配货（可能已取消或已服务）",
                   history=_history(order, actor, f"服务人员：{server_name}；时间：{_when(scheduled_at)}"),
                   audit="market.order.assign", actor=actor, union=order.union,
                   detail=_detail(order, OrderStatus.ASSIGNED))
        _tell(order.member.user, f"您{order.member_verb}的服务已安排",
              f"{order.offering.title}：服务人员 {server_name}，时间 {_when(scheduled_at)}。", url=_member_url(order))
    return order


def order_deliver(*, actor: User, order: Order, note: str = "", evidence: Any = None) -> Order:
    """发货: the service was given. ``evidence`` (optional) is a photo or PDF, ≤ 10 MB."""
    _require_server(actor, order)
    note = clean_text(note, field="note", label="服务记录", max_length=NOTE_MAX, required=False, multiline=True)
    checked = files.check_evidence(evidence) if evidence else None
    now = timezone.now()
    with transaction.atomic():
        transition(order, to=OrderStatus.DELIVERED, from_=[OrderStatus.ASSIGNED],
                   changes={"delivered_at": now, "delivery_note": note},
                   message="该订单不在「已配货」状态，不能标记为已服务", history=_history(order, actor, note),
                   audit="market.order.deliver", actor=actor, union=order.union,
                   detail=_detail(order, OrderStatus.DELIVERED))
        if checked is not None:
            name = files.store(checked, folder="evidence")
            Order.objects.filter(pk=order.pk).update(evidence=name, evidence_name=checked.original_name)
            order.evidence.name, order.evidence_name = name, checked.original_name
        _tell(order.member.user, "服务已完成，请确认",
              f"{order.offering.title}已服务完成。请确认完成并评价；{AUTO_CONFIRM_DAYS}天内未确认将自动确认。",
              url=_member_url(order))
    return order


# --- 签收 / 评价 --------------------------------------------------------------------------------------------------


def order_confirm(*, actor: User | None, order: Order, auto: bool = False) -> Order:
    """签收: the member confirms the service; ``auto`` is the periodic job's confirmation (no actor)."""
    if not auto and order.member.user_id != getattr(actor, "pk", None):
        raise Forbidden("只有预约的会员本人可以确认签收")
    with transaction.atomic():
        transition(order, to=OrderStatus.CONFIRMED, from_=[OrderStatus.DELIVERED],
                   changes={"confirmed_at": timezone.now(), "auto_confirmed": auto},
                   message="该订单不在「待签收」状态",
                   history=_history(order, actor, f"超过{AUTO_CONFIRM_DAYS}天未确认，系统自动确认完成" if auto else ""),
                   audit="market.order.auto_confirm" if auto else "market.order.confirm", actor=actor,
                   union=order.union, detail=_detail(order, OrderStatus.CONFIRMED))
        Offering.objects.filter(pk=order.offering_id).update(served_count=F("served_count") + 1)
        provider_user = order.offering.provider.user
        _tell(provider_user, "服务已签收", f"{order.offering.title}（{order.short_code}）已签收。",
              url=_provider_url(order))
        events.publish("market.order_confirmed", order_id=order.pk, offering_id=order.offering_id,
                       member_id=order.member_id)
    return order


def order_review(*, actor: User, order: Order, rating: int, text: str = "") -> Review:
    """评价: one rating (1–5) and text per order, after 签收."""
    if order.member.user_id != getattr(actor, "pk", None):
        raise Forbidden("只有预约的会员本人可以评价")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("请选择1至5星的评分", detail={"rating": "请选择1至5星的评分"})
    text = clean_text(text, field="text", label="评价内容", max_length=NOTE_MAX, required=False, multiline=True)
    with transaction.atomic():
        transition(order, to=OrderStatus.REVIEWED, from_=[OrderStatus.CONFIRMED],
                   message="该订单不能评价（服务未确认完成或已评价）", history=_history(order, actor, f"{rating}星"),
                   audit="market.order.review", actor=actor, union=order.union,
                   detail=_detail(order, OrderStatus.REVIEWED))
        review = Review.objects.create(order=order, offering_id=order.offering_id, rating=rating, text=text)
        Offering.objects.filter(pk=order.offering_id).update(rating_count=F("rating_count") + 1,
                                                             rating_sum=F("rating_sum") + rating)
        _tell(order.offering.provider.user, f"收到{rating}星评价", text[:100] or order.offering.title,
              url=_provider_url(order))
    return review


# --- Cancellation, no-show ---------------------------------------------------------------------------------------


def _release_place(order: Order) -> None:
    Batch.objects.filter(pk=order.batch_id, taken__gt=0).update(taken=F("taken") - 1)
    if order.slot_id:
        Slot.objects.filter(pk=order.slot_id, taken__gt=0).update(taken=F("taken") - 1)


def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    """取消: by the member before 配货 (reason optional), or by the provider or staff before the
    service is given (reason required). The place goes back to the batch."""
    roles = roles_on(actor, order)
    if "member" in roles and order.status == OrderStatus.PLACED:
        by, allowed = CancelledBy.MEMBER, [OrderStatus.PLACED]
    elif roles & {"provider", "staff"}:
        by = CancelledBy.PROVIDER if "provider" in roles else CancelledBy.STAFF
        allowed = [OrderStatus.PLACED, OrderStatus.ASSIGNED]
    elif "member" in roles:
        raise Conflict("服务已安排，不能自行取消，请联系服务方", code="state_changed")
    else:
        raise Forbidden()
    reason = clean_text(reason, field="reason", label="取消原因", max_length=REASON_MAX,
                        required=by != CancelledBy.MEMBER)
    with transaction.atomic():
        transition(order, to=OrderStatus.CANCELLED, from_=allowed,
                   changes={"cancel_reason": reason, "cancelled_by": by}, message="该订单已不能取消",
                   history=_history(order, actor, reason), audit="market.order.cancel", actor=actor,
                   union=order.union, detail=_detail(order, OrderStatus.CANCELLED))
        _release_place(order)
        if by == CancelledBy.MEMBER:
            _tell(order.offering.provider.user, "会员取消了预约", f"{order.offering.title}（{order.short_code}）",
                   url=_provider_url(order))
        else:
            _tell(order.member.user, f"您{order.member_verb}的服务已取消", f"{order.offering.title}：{reason}",
                  url=_member_url(order))
        events.publish("market.order_cancelled", order_id=order.pk)
    return order


def order_mark_no_show(*, actor: User, order: Order, note: str = "") -> Order:
    """未到场: the member did not come at the arranged time. The place is not given back."""
    _require_server(actor, order)
    note = clean_text(note, field="note", label="说明", max_length=REASON_MAX, required=False)
    with transaction.atomic():
        transition(order, to=OrderStatus.NO_SHOW, from_=[OrderStatus.ASSIGNED], message="该订单不在「已配货」状态",
                   history=_history(order, actor, note), audit="market.order.no_show", actor=actor,
                   union=order.union, detail=_detail(order, OrderStatus.NO_SHOW))
        _tell(order.member.user, f"您{order.member_verb}的服务记录为未到场",
              f"{order.offering.title}：{note or '您未在约定时间到场'}。如有疑问请联系服务方。",
              url=_member_url(order))
    return order


# --- Bulk and periodic ------------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    done: list[Order] = field(default_factory=list)
    failed: list[tuple[Order, str]] = field(default_factory=list)


def orders_assign_bulk(*, actor: User, orders: Iterable[Order], server_name: str,
                       scheduled_at: datetime | None) -> BulkResult:
    """批量配货: each order on its own (one failure does not undo the others)."""
    result = BulkResult()
    for order in orders:
        try:
            result.done.append(order_assign(actor=actor, order=order, server_name=server_name,
                                            scheduled_at=scheduled_at))
        except (Conflict, Forbidden, NotFound) as exc:
            result.failed.append((order, exc.message))
        # ValidationFailed (no name, no time) is the same for every order: let it through once.
    return result


def orders_autoconfirm(*, now: datetime | None = None, days: int = AUTO_CONFIRM_DAYS) -> int:
    """签收 deliveries the member left unconfirmed for ``days`` days. Idempotent: each order is
    confirmed by its own guarded update, so a second run (or the member, at the same moment) finds
    nothing left to do. Returns how many were confirmed."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    ids = list(Order.objects.filter(status=OrderStatus.DELIVERED, delivered_at__lte=cutoff)
               .order_by("delivered_at").values_list("pk", flat=True))
    confirmed = 0
    for start in range(0, len(ids), 500):
        chunk = (Order.objects.filter(pk__in=ids[start:start + 500])
                 .select_related("offering__provider__user", "offering__union", "union", "member__user"))
        for order in chunk:
            try:
                order_confirm(actor=None, order=order, auto=True)
            except Conflict:
                continue  # confirmed by the member meanwhile
            confirmed += 1
    return confirmed
