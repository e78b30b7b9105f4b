"""Demo 云集市: the named logins' part of it. The catalogue (providers, offerings, batches and slots),
the orders in it, follows and needs are the generator's (``gonghui/seed/catalogue.py``,
``gonghui/seed/market.py``, put together by ``gonghui.seed.demo.build_market``); this module says
what the named logins get to do and prints the summary.

王小明 (职工 13900000010) has orders waiting for him to confirm and to rate, 李骑手 (13900000011) has a
gig-workers-only offering and orders in progress (``NAMED_ORDERS``); a provider login, 13900000020
(password zhigong2026), is a model worker with orders to serve (服务者工作台, ``provider_account``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from gonghui.accounts.models import User
from gonghui.members.models import Member

from .models import SERVED_STATUSES, OfferingStatus, Order, OrderEvent, OrderStatus, ProviderKind, Review

if TYPE_CHECKING:
    from .models import Offering, Provider

WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"
PROVIDER_PHONE = "13900000020"  # the demo provider login (服务者工作台); password: the workers' one
PROVIDER_PASSWORD = "zhigong2026"  # noqa: S105 - published demo password, as the other worker logins

# The named workers' orders, by where they end up: 王小明 has one to confirm, one to rate, one in
# progress and one rated; 李骑手 a gig offering in progress, one to confirm and one cancelled.
NAMED_ORDERS: dict[str, tuple[str, ...]] = {
    WORKER_PHONE: (OrderStatus.DELIVERED, OrderStatus.CONFIRMED, OrderStatus.PLACED, OrderStatus.REVIEWED),
    RIDER_PHONE: (OrderStatus.ASSIGNED, OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REVIEWED),
}


def provider_account(member: Member | None) -> User:
    """The demo provider login (13900000020), linked to a model-worker member without an account."""
    user = User.objects.by_phone(PROVIDER_PHONE).first()
    if user is not None:
        return user
    user = User(phone=PROVIDER_PHONE, name=member.name if member else "马建成",
                password=make_password(PROVIDER_PASSWORD))
    user.save()
    if member is not None and member.user_id is None:
        Member.objects.filter(pk=member.pk).update(user=user)
    return user


def summary(*, providers: Sequence[Provider], offerings: Sequence[Offering], batches: int, follows: int,
            needs: int) -> list[str]:
    """The demo command's summary lines (Chinese)."""
    by_status = Counter(Order.objects.values_list("status", flat=True))
    labels = dict(OrderStatus.choices)
    states = "、".join(f"{labels[s]}{by_status.get(s, 0)}" for s in OrderStatus.values)
    persons = sum(1 for p in providers if p.kind in (ProviderKind.MODEL_WORKER, ProviderKind.CRAFTSMAN))
    served = sum(by_status.get(s, 0) for s in SERVED_STATUSES)
    domains = len({o.domain for o in offerings})
    return [
        f"云集市：服务方 {len(providers)} 个（劳模工匠 {persons}，合作机构 {len(providers) - persons}），"
        f"服务项目 {len(offerings)} 个（{domains} 个领域，上架 "
        f"{sum(1 for o in offerings if o.status == OfferingStatus.LISTED)} 个），批次 {batches} 个",
        f"  云集市订单 {sum(by_status.values())} 个（{states}），服务人次 {served}，评价 {Review.objects.count()} 条，"
        f"事件 {OrderEvent.objects.count()} 条，关注 {follows} 个，需求 {needs} 条",
        f"  云集市服务方登录：{PROVIDER_PHONE} / {PROVIDER_PASSWORD}（手机端 云集市 › 服务者工作台）",
    ]
