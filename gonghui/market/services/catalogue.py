"""Providers, offerings and batches: 备货 (a draft offering and its batches), 上架 (list), 下架
(withdraw), 上新 (a new batch on a listed offering, announced to followers and past customers).

Who may do it: writing staff of the owning union's branch, or the provider's own account for its
own offerings. The gates (access.py) have already turned away whoever may not see the object;
``may_manage`` is checked again here, so that a service called from anywhere keeps the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.photos import photo_replace
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.lib import images
from gonghui.unions.models import Brand, Union

from ..models import (
    PERSON_KINDS,
    Audience,
    Batch,
    BatchStatus,
    Domain,
    Mode,
    Offering,
    OfferingStatus,
    Provider,
    ProviderKind,
    Slot,
    TitleLevel,
)
from ..selectors import brand_choices

if TYPE_CHECKING:
    from gonghui.accounts.models import User

MAX_CAPACITY = 100_000
MAX_SLOTS = 50


def is_staff_writer(user: Any, union: Union) -> bool:
    return scope_of(user).can(union.path, WRITE_ROLES)


def is_provider_account(user: Any, provider: Provider) -> bool:
    return bool(getattr(user, "is_authenticated", False) and provider.is_active and provider.user_id == user.pk)


def may_manage(user: Any, offering: Offering) -> bool:
    """Writing staff of the offering's branch, or the account of its provider."""
    return is_staff_writer(user, offering.union) or is_provider_account(user, offering.provider)


def _require_manage(user: Any, offering: Offering) -> None:
    if not may_manage(user, offering):
        raise Forbidden("只有服务方本人或主办工会的工作人员可以管理该服务项目")


# --- Providers ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderData:
    kind: str
    name: str
    title_level: str = ""
    specialty: str = ""
    bio: str = ""


def _clean_provider(data: ProviderData) -> dict[str, Any]:
    if data.kind not in ProviderKind.values:
        raise ValidationFailed("请选择服务方类型", detail={"kind": "请选择服务方类型"})
    title_level = data.title_level or ""
    if title_level and title_level not in TitleLevel.values:
        raise ValidationFailed("称号级别不正确", detail={"title_level": "称号级别不正确"})
    if title_level and data.kind not in PERSON_KINDS:
        raise ValidationFailed("只有劳模、工匠可以填写称号级别", detail={"title_level": "机构不填称号级别"})
    return {
        "kind": data.kind, "title_level": title_level,
        "name": clean_text(data.name, field="name", label="名称", max_length=100, required=True),
        "specialty": clean_text(data.specialty, field="specialty", label="专长领域", max_length=100, required=False),
        "bio": clean_text(data.bio, field="bio", label="简介", max_length=2000, required=False, multiline=True),
    }


def _check_account(user: Any, provider: Provider | None = None) -> None:
    if user is None:
        return
    taken = Provider.objects.filter(user=user).exclude(pk=getattr(provider, "pk", None)).first()
    if taken is not None:
        raise ValidationFailed("该账号已绑定其他服务方", detail={"account_phone": f"该账号已绑定服务方“{taken.name}”"})


def provider_create(*, actor: User, union: Union, data: ProviderData, account: User | None = None,
                    photo: images.Processed | None = None) -> Provider:
    """Register a provider in ``union``. Preconditions: ``union`` came through a unions gate; the
    actor's write role there is checked here. ``account`` (a User) lets the provider act for itself."""
    if not is_staff_writer(actor, union):
        raise Forbidden()
    fields = _clean_provider(data)
    _check_account(account)
    with transaction.atomic():
        provider = Provider.objects.create(union=union, user=account, **fields)
        photo_replace(provider, "photo", photo)
        audit.record("market.provider.create", actor=actor, obj=provider,
                     detail={"kind": provider.kind, "account": bool(account)})
    return provider


def provider_update(*, actor: User, provider: Provider, data: ProviderData, account: User | None = None,
                    unlink: bool = False, photo: images.Processed | None = None, photo_remove: bool = False,
                    is_active: bool | None = None) -> Provider:
    """Edit a provider (staff). ``account`` links a login, ``unlink`` removes it; ``photo`` replaces
    the picture, ``photo_remove`` drops it."""
    if not is_staff_writer(actor, provider.union):
        raise Forbidden()
    fields = _clean_provider(data)
    if account is not None:
        _check_account(account, provider)
        fields["user"] = account
    elif unlink:
        fields["user"] = None
    if is_active is not None:
        fields["is_active"] = is_active
    with transaction.atomic():
        Provider.objects.filter(pk=provider.pk).update(**fields)
        for name, value in fields.items():
            setattr(provider, name, value)
        if photo_replace(provider, "photo", photo, remove=photo_remove):
            fields["photo"] = provider.photo
        audit.record("market.provider.update", actor=actor, obj=provider,
                     detail={"fields": sorted(k for k in fields if k != "user"), "account": "user" in fields})
    return provider


# --- Offerings ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferingData:
    title: str
    domain: str
    summary: str
    mode: str = Mode.ONSITE
    place: str = ""
    description: str = ""
    audience: str = Audience.ALL
    audience_union: Union | None = None
    brands: Sequence[Brand] = ()
    photo: images.Processed | None = None  # a new picture (renditions ready to store)
    remove_photo: bool = False


def _clean_offering(union: Union, data: OfferingData) -> dict[str, Any]:
    if data.domain not in Domain.values:
        raise ValidationFailed("请选择服务领域", detail={"domain": "请选择服务领域"})
    if data.mode not in Mode.values:
        raise ValidationFailed("请选择服务方式", detail={"mode": "请选择服务方式"})
    if data.audience not in Audience.values:
        raise ValidationFailed("请选择服务对象", detail={"audience": "请选择服务对象"})
    place = clean_text(data.place, field="place", label="服务地点", max_length=200, required=False)
    if data.mode == Mode.ONSITE and not place:
        raise ValidationFailed("线下服务请填写服务地点", detail={"place": "线下服务请填写服务地点"})
    audience_union = data.audience_union if data.audience == Audience.UNION else None
    if data.audience == Audience.UNION:
        if audience_union is None:
            raise ValidationFailed("请选择指定的工会", detail={"audience_union": "请选择指定的工会"})
        if not audience_union.path.startswith(union.path):
            raise ValidationFailed("指定的工会须在主办工会范围内",
                                   detail={"audience_union": "须是主办工会或其下级工会"})
    allowed = set(brand_choices(union).values_list("pk", flat=True))
    if any(b.pk not in allowed for b in data.brands):
        raise ValidationFailed("所选品牌不属于本工会的品牌矩阵", detail={"brands": "所选品牌不属于本工会的品牌矩阵"})
    return {
        "title": clean_text(data.title, field="title", label="服务名称", max_length=100, required=True),
        "summary": clean_text(data.summary, field="summary", label="一句话介绍", max_length=200, required=True),
        "description": clean_text(data.description, field="description", label="服务内容", max_length=5000,
                                  required=False, multiline=True),
        "domain": data.domain, "mode": data.mode, "place": place,
        "audience": data.audience, "audience_union": audience_union,
    }


def offering_create(*, actor: User, provider: Provider, data: OfferingData) -> Offering:
    """备货: a new offering of ``provider``, as a draft (not yet visible to members).

    The offering belongs to the provider's union. Preconditions: the actor is writing staff of that
    union's branch or the provider's own account (checked here).
    """
    if not (is_staff_writer(actor, provider.union) or is_provider_account(actor, provider)):
        raise Forbidden()
    if not provider.is_active:
        raise Conflict("该服务方已停用")
    fields = _clean_offering(provider.union, data)
    with transaction.atomic():
        offering = Offering.objects.create(union=provider.union, provider=provider, created_by=actor, **fields)
        offering.brands.set(data.brands)
        photo_replace(offering, "photo", data.photo)
        audit.record("market.offering.create", actor=actor, obj=offering,
                     detail={"domain": offering.domain, "photo": data.photo is not None})
    return offering


def offering_update(*, actor: User, offering: Offering, data: OfferingData) -> Offering:
    """Edit an offering's description (its status changes only through list/withdraw)."""
    _require_manage(actor, offering)
    fields = _clean_offering(offering.union, data)
    with transaction.atomic():
        Offering.objects.filter(pk=offering.pk).update(updated_at=timezone.now(), **fields)
        offering.brands.set(data.brands)
        for name, value in fields.items():
            setattr(offering, name, value)
        photo_changed = photo_replace(offering, "photo", data.photo, remove=data.remove_photo)
        audit.record("market.offering.update", actor=actor, obj=offering,
                     detail={"photo": "replaced" if data.photo else "removed"} if photo_changed else None)
    return offering


def offering_list(*, actor: User, offering: Offering) -> Offering:
    """上架: a draft or withdrawn offering becomes visible and orderable. Needs an open batch."""
    _require_manage(actor, offering)
    if not offering.provider.is_active:
        raise Conflict("该服务方已停用，不能上架")
    with transaction.atomic():
        if not Batch.objects.filter(offering=offering, status=BatchStatus.OPEN).exists():
            raise Conflict("请先添加上架批次（名额）再上架", code="no_batch")
        transition(offering, to=OfferingStatus.LISTED, from_=[OfferingStatus.DRAFT, OfferingStatus.WITHDRAWN],
                   changes={"listed_at": timezone.now()}, message="该服务项目已上架",
                   audit="market.offering.list", actor=actor, detail={})
        events.publish("market.offering_listed", offering_id=offering.pk)
    return offering


def offering_withdraw(*, actor: User, offering: Offering, reason: str = "") -> Offering:
    """下架: no new orders; the orders already placed are still served."""
    _require_manage(actor, offering)
    reason = clean_text(reason, field="reason", label="下架原因", max_length=300, required=False)
    with transaction.atomic():
        transition(offering, to=OfferingStatus.WITHDRAWN, from_=[OfferingStatus.LISTED],
                   message="该服务项目不在上架状态", audit="market.offering.withdraw", actor=actor,
                   detail={"reason": reason})
    return offering


# --- Batches ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotData:
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class BatchData:
    name: str
    capacity: int = 0
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    slots: Sequence[SlotData] = ()
    serves_from: datetime | None = None
    serves_until: datetime | None = None


def _clean_batch(data: BatchData, now: datetime) -> dict[str, Any]:
    name = clean_text(data.name, field="name", label="批次名称", max_length=60, required=True)
    if len(data.slots) > MAX_SLOTS:
        raise ValidationFailed(f"时段不能超过{MAX_SLOTS}个", detail={"slots": f"时段不能超过{MAX_SLOTS}个"})
    for slot in data.slots:
        if slot.ends_at <= slot.starts_at:
            raise ValidationFailed("时段的结束时间须晚于开始时间", detail={"slots": "时段的结束时间须晚于开始时间"})
        if not 1 <= slot.capacity <= MAX_CAPACITY:
            raise ValidationFailed("每个时段的名额须在1至100000之间", detail={"slots": "名额须在1至100000之间"})
    capacity = sum(s.capacity for s in data.slots) if data.slots else data.capacity
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed("名额须在1至100000之间", detail={"capacity": "名额须在1至100000之间"})
    opens_at = data.opens_at or now
    if data.closes_at is not None and data.closes_at <= opens_at:
        raise ValidationFailed("截止预约时间须晚于开始预约时间", detail={"closes_at": "须晚于开始预约时间"})
    if data.closes_at is not None and data.closes_at <= now:
        raise ValidationFailed("截止预约时间须晚于现在", detail={"closes_at": "须晚于现在"})
    return {"name": name, "capacity": capacity, "opens_at": opens_at, "closes_at": data.closes_at,
            **_clean_service_window(data, now)}


def _clean_service_window(data: BatchData, now: datetime) -> dict[str, Any]:
    """A batch says when its service happens: each time slot for itself, else the batch's window
    (its start at least), which the worker reads beside the booking deadline."""
    if data.slots:
        if data.serves_from or data.serves_until:
            message = "已填写服务时段，服务开始、结束时间不用再填"
            raise ValidationFailed(message, detail={"serves_from": message})
        return {"serves_from": None, "serves_until": None}
    if data.serves_from is None:
        message = "请填写服务开始时间，或填写服务时段"
        raise ValidationFailed(message, detail={"serves_from": message})
    if data.serves_until is not None and data.serves_until <= data.serves_from:
        raise ValidationFailed("服务结束时间须晚于开始时间", detail={"serves_until": "须晚于服务开始时间"})
    if (data.serves_until or data.serves_from) <= now:
        message = "服务时间已过，请填写还未结束的服务时间"
        raise ValidationFailed(message, detail={"serves_until" if data.serves_until else "serves_from": message})
    return {"serves_from": data.serves_from, "serves_until": data.serves_until}


def batch_add(*, actor: User, offering: Offering, data: BatchData) -> Batch:
    """备货 a batch of places (with optional time slots). On a listed offering this is 上新: the
    members who follow the offering or ordered it before are told, after commit."""
    _require_manage(actor, offering)
    if offering.status == OfferingStatus.WITHDRAWN:
        raise Conflict("该服务项目已下架，请先重新上架", code="withdrawn")
    now = timezone.now()
    fields = _clean_batch(data, now)
    with transaction.atomic():
        batch = Batch.objects.create(offering=offering, created_by=actor, **fields)
        Slot.objects.bulk_create([Slot(batch=batch, starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity)
                                  for s in sorted(data.slots, key=lambda s: s.starts_at)])
        relist = offering.status == OfferingStatus.LISTED
        audit.record("market.batch.relist" if relist else "market.batch.prepare", actor=actor,
                     obj=offering, detail={"batch": str(batch.uuid), "capacity": batch.capacity,
                                           "slots": len(data.slots)})
        if relist:
            from ..tasks import enqueue, relist_notify_task

            enqueue(relist_notify_task, batch.pk)
            events.publish("market.batch_relisted", batch_id=batch.pk, offering_id=offering.pk)
    return batch


def batch_close(*, actor: User, batch: Batch) -> Batch:
    """End ordering from a batch early (the orders it holds are still served)."""
    _require_manage(actor, batch.offering)
    with transaction.atomic():
        transition(batch, to=BatchStatus.CLOSED, from_=[BatchStatus.OPEN], message="该批次已结束")
        audit.record("market.batch.close", actor=actor, obj=batch.offering, detail={"batch": str(batch.uuid)})
    return batch


def follow_set(*, actor: User, offering: Offering, on: bool) -> bool:
    """关注/取消关注 an offering (a listed one, by a signed-in user). Returns whether it is followed."""
    from ..models import Follow

    if on:
        try:
            with transaction.atomic():
                Follow.objects.get_or_create(user=actor, offering=offering)
        except IntegrityError:  # a double tap: the other request followed it
            pass
        return True
    Follow.objects.filter(user=actor, offering=offering).delete()
    return False
