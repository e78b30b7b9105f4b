"""What the market's page modules share: safe redirects back, tabs, labels."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import OrderStatus

PAGE_SIZE = 20

# The member's tabs of "my orders": (key, label, statuses).
MEMBER_TABS: list[tuple[str, str, tuple[str, ...]]] = [
    ("", "全部", ()),
    ("placed", "待配货", (OrderStatus.PLACED,)),
    ("assigned", "待服务", (OrderStatus.ASSIGNED,)),
    ("delivered", "待签收", (OrderStatus.DELIVERED,)),
    ("confirmed", "待评价", (OrderStatus.CONFIRMED,)),
    ("done", "已完成", (OrderStatus.REVIEWED,)),
    ("closed", "已取消", (OrderStatus.CANCELLED, OrderStatus.NO_SHOW)),
]

STATUS_BADGES = {
    OrderStatus.PLACED: "badge-warn", OrderStatus.ASSIGNED: "badge-info", OrderStatus.DELIVERED: "badge-warn",
    OrderStatus.CONFIRMED: "badge-ok", OrderStatus.REVIEWED: "badge-ok", OrderStatus.CANCELLED: "",
    OrderStatus.NO_SHOW: "badge-red",
}


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def back(request: HttpRequest, default: str, *args: Any) -> HttpResponse:
    """Redirect to the posted ``next`` (same host only), else to ``default``."""
    target = safe_next(request)
    if target:
        return redirect(target)
    return redirect(default, *args)


# --- The offering form, shared by the console and the provider's pages ---------------------------------------


def offering_form_choices(union: Any) -> dict[str, Any]:
    """Brand and audience-union choices for an offering of ``union``."""
    from gonghui.unions.models import Union

    from ..services.catalogue import brand_choices

    brands = [(str(b.uuid), f"{b.parent.name} · {b.name}" if b.parent_id else b.name)
              for b in brand_choices(union).order_by("union__depth", "parent_id", "position", "id")]
    unions = [(str(u.uuid), ("　" * (u.depth - union.depth)) + u.name)
              for u in Union.objects.subtree(union).active().filter(depth__lte=union.depth + 3).order_by("path")[:500]]
    return {"brands": brands, "unions": unions}


def offering_data(form: Any, union: Any) -> Any:
    """OfferingData from a valid OfferingForm (brands and the audience union looked up by key)."""
    from gonghui.unions.models import Union

    from ..services.catalogue import OfferingData, brand_choices

    data = form.cleaned_data
    brand_keys = list(data.get("brands") or [])
    brands = list(brand_choices(union).filter(uuid__in=brand_keys)) if brand_keys else []
    audience_union = None
    if data.get("audience_union"):
        audience_union = Union.objects.subtree(union).filter(uuid=str(data["audience_union"])).first()
    return OfferingData(title=data["title"], domain=data["domain"], summary=data["summary"], mode=data["mode"],
                        place=data.get("place") or "", description=data.get("description") or "",
                        audience=data["audience"], audience_union=audience_union, brands=brands)


def offering_initial(offering: Any) -> dict[str, Any]:
    return {
        "title": offering.title, "domain": offering.domain, "summary": offering.summary,
        "description": offering.description, "mode": offering.mode, "place": offering.place,
        "audience": offering.audience,
        "audience_union": str(offering.audience_union.uuid) if offering.audience_union_id else "",
        "brands": [str(b.uuid) for b in offering.brands.all()],
    }
