"""云集市 figures for the cockpit: orders placed and services delivered (签收) per day.

An order counts at the union that owns the offering (the union whose market served the worker);
both moments are set once, so a day's counts change only on that day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from gonghui.core.modules import DailyRow, StatSource
from gonghui.core.statistics import count_by_day

from .models import Order


def daily(first: date, last: date) -> Iterator[DailyRow]:
    orders = Order.objects.order_by()
    span = {"union": "union_id", "first": first, "last": last}
    yield from count_by_day(orders, moment="placed_at", metric="market.orders", **span)
    yield from count_by_day(orders, moment="confirmed_at", metric="market.served", **span)


SOURCE = StatSource(key="market", metrics={"market.orders": "云集市下单", "market.served": "云集市服务完成（签收）"},
                    daily=daily)
