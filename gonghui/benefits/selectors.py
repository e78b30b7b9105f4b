"""Read queries of the benefits app (DESIGN.md rule 1): what pages, the API and exports show.

Every function takes what a gate already returned (a member, a union, a queryset that started from
``visible_to``); none of them widens the caller's scope.
"""

from __future__ import annotations

from typing import Any

from gonghui.members.models import Member

from .models import Lottery, LotteryStatus, Winner


def member_lotteries(member: Member, *, limit: int = 50) -> list[dict[str, Any]]:
    """抽奖结果: drawn lotteries of the member's union and the unions above it, newest first, each
    with the member's win (a Winner with its prize) or None."""
    union_ids = [*member.union.ancestor_ids, member.union_id]
    lotteries = list(Lottery.objects.filter(status=LotteryStatus.DRAWN, union_id__in=union_ids)
                     .select_related("union").defer("pool_ids").order_by("-drawn_at")[:limit])
    wins = {w.lottery_id: w for w in Winner.objects.filter(member=member, lottery__in=lotteries)
            .select_related("prize")}
    return [{"lottery": lot, "win": wins.get(lot.pk)} for lot in lotteries]
