"""需求: when nothing in the market fits, a member posts a need; staff of the member's branch answer it
by pointing to an offering or a provider, and the member is told. Categories are a list each union's
staff keep; a member chooses from the lists of their union and its ancestors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.members.access import own_member
from gonghui.members.models import MemberStatus
from gonghui.unions.models import Union

from ..models import Need, NeedCategory, NeedStatus, Offering, OfferingStatus, Provider
from ..selectors import categories_for
from .catalogue import is_staff_writer

if TYPE_CHECKING:
    from gonghui.accounts.models import User


def need_post(*, actor: User, category: NeedCategory, title: str, text: str = "") -> Need:
    """Post a need. Preconditions: the actor is a current member; ``category`` is one of theirs."""
    member = own_member(actor)
    if member is None or member.status not in (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING):
        raise Forbidden("提交需求需要先加入工会")
    if not categories_for(member).filter(pk=category.pk).exists():
        raise ValidationFailed("请选择需求分类", detail={"category": "请选择需求分类"})
    title = clean_text(title, field="title", label="需求", max_length=100, required=True)
    text = clean_text(text, field="text", label="详细说明", max_length=1000, required=False, multiline=True)
    with transaction.atomic():
        need = Need.objects.create(member=member, union=member.union, category=category, title=title, text=text)
        audit.record("market.need.post", actor=actor, obj=need, union=member.union,
                     detail={"category": category.name})
        events.publish("market.need_posted", need_id=need.pk)
    return need


def need_answer(*, actor: User, need: Need, offering: Offering | None = None, provider: Provider | None = None,
                text: str = "") -> Need:
    """Answer an open need with an offering or a provider (and a note). Preconditions: ``need`` came
    through ``access_need(write=True)``; the listed offering or active provider was chosen by the
    staff member among what they may see."""
    if not is_staff_writer(actor, need.union):
        raise Forbidden()
    if offering is None and provider is None:
        raise ValidationFailed("请选择推荐的服务项目或服务方", detail={"offering": "请选择服务项目或服务方"})
    if offering is not None and offering.status != OfferingStatus.LISTED:
        raise ValidationFailed("只能推荐已上架的服务项目", detail={"offering": "只能推荐已上架的服务项目"})
    if provider is not None and not provider.is_active:
        raise ValidationFailed("该服务方已停用", detail={"provider": "该服务方已停用"})
    if offering is not None and provider is None:
        provider = offering.provider
    text = clean_text(text, field="text", label="回复", max_length=300, required=False)
    now = timezone.now()
    with transaction.atomic():
        transition(need, to=NeedStatus.ANSWERED, from_=[NeedStatus.OPEN],
                   changes={"answer_offering": offering, "answer_provider": provider, "answer_text": text,
                            "answered_by": actor, "answered_at": now},
                   message="该需求已回应或已撤回", audit="market.need.answer", actor=actor,
                   detail={"offering": str(offering.uuid) if offering else "",
                           "provider": str(provider.uuid) if provider else ""})
        user = need.member.user
        if user is not None:
            what = f"推荐服务：{offering.title}" if offering else f"推荐服务方：{provider.name}"
            notify(user, "您的需求有回应了", f"「{need.title}」{what}。{text}", url=reverse("market:needs"))
    return need


def need_close(*, actor: User, need: Need) -> Need:
    """The member withdraws their open need."""
    if need.member.user_id != getattr(actor, "pk", None):
        raise Forbidden()
    with transaction.atomic():
        transition(need, to=NeedStatus.CLOSED, from_=[NeedStatus.OPEN], message="该需求已回应或已撤回",
                   audit="market.need.close", actor=actor)
    return need


def need_category_save(*, actor: User, union: Union, name: str, position: int = 0, is_active: bool = True,
                       category: NeedCategory | None = None) -> NeedCategory:
    """Add a category to ``union``'s list, or change ``category``. Writing staff of ``union``."""
    if not is_staff_writer(actor, category.union if category else union):
        raise Forbidden()
    name = clean_text(name, field="name", label="分类名称", max_length=30, required=True)
    if not 0 <= position <= 1000:
        raise ValidationFailed("排序须在0至1000之间", detail={"position": "须在0至1000之间"})
    try:
        with transaction.atomic():
            if category is None:
                category = NeedCategory.objects.create(union=union, name=name, position=position, is_active=is_active)
                action = "market.need_category.create"
            else:
                NeedCategory.objects.filter(pk=category.pk).update(name=name, position=position, is_active=is_active)
                category.name, category.position, category.is_active = name, position, is_active
                action = "market.need_category.update"
            audit.record(action, actor=actor, obj=category, union=category.union,
                         detail={"name": name, "active": is_active})
    except IntegrityError:
        raise ValidationFailed("已有同名分类", detail={"name": "已有同名分类"}) from None
    return category
