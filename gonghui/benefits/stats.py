"""普惠 figures for the cockpit: coupons issued and redeemed per day, at the union running the campaign.

A redemption can only be reversed on the day it was made, so a day's counts change only that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gonghui.core.modules import DailyRow, StatSource
from gonghui.core.statistics import count_by_day

from .models import Coupon, CouponStatus


def daily(first: date, last: date) -> Iterator[DailyRow]:
    coupons = Coupon.objects.order_by()
    yield from count_by_day(coupons, moment="created_at", union="campaign__union_id", metric="benefits.issued",
                            first=first, last=last)
    yield from count_by_day(coupons.filter(status=CouponStatus.REDEEMED), moment="redeemed_at",
                            union="campaign__union_id", metric="benefits.redeemed", first=first, last=last)


SOURCE = StatSource(key="benefits", metrics={"benefits.issued": "发放优惠券", "benefits.redeemed": "核销优惠券"},
                    daily=daily)
