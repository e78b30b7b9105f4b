"""What the market's API modules share."""

from typing import Any

from ..models import Offering, Order
from ..selectors import attach_remaining
from ..services.orders import allowed_actions


def with_actions(user: Any, order: Order) -> Order:
    """The order with ``actions`` (what this caller may do now) for OrderOut."""
    order.actions = allowed_actions(user, order)
    return order


def with_remaining(offerings: list[Offering]) -> list[Offering]:
    attach_remaining(offerings)
    return offerings


def page_of(qs: Any, page: int, page_size: int, post: Any = None) -> dict[str, Any]:
    """The core API's page shape ({items, count, page, page_size}), with ``post`` applied to the items
    (to attach what one query per page computes, such as places left)."""
    from gonghui.core.api import Page

    result = Page().paginate_queryset(qs, Page.Input(page=page, page_size=page_size))
    if post is not None:
        result["items"] = post(result["items"])
    return result
