"""Every cockpit figure computed straight from the live tables, independently of the statistics
sources and the refresh (plain ORM counts over a union's subtree), for the tests to compare."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from gonghui.activities.models import Signup
from gonghui.appeals.models import Ticket
from gonghui.benefits.models import Coupon
from gonghui.market.models import Order
from gonghui.members.models import Member
from gonghui.unions.models import Employer, Union


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def live_figures(union: Union, today: date) -> dict[str, Any]:
    """The overview's numbers for ``union``'s subtree, in the shape of schemas.payload's sections."""
    sub = union.path
    month = _start(today.replace(day=1))
    end = _start(today + timedelta(days=1))
    members = Member.objects.filter(union__path__startswith=sub)
    current = members.filter(status__in=("active", "transferring"))
    orders = Order.objects.filter(union__path__startswith=sub, placed_at__lt=end)
    served = Order.objects.filter(union__path__startswith=sub, confirmed_at__lt=end)
    checkins = Signup.objects.filter(activity__union__path__startswith=sub, status="checked_in", checked_in_at__lt=end)
    coupons = Coupon.objects.filter(campaign__union__path__startswith=sub, created_at__lt=end)
    redeemed = Coupon.objects.filter(campaign__union__path__startswith=sub, status="redeemed", redeemed_at__lt=end)
    tickets = Ticket.objects.filter(union__path__startswith=sub)
    closed = tickets.filter(status="closed", closed_at__lt=end)
    rated = tickets.exclude(rating="").filter(rated_at__lt=end)
    employers = Employer.objects.filter(union__path__startswith=sub)
    people = served.count() + checkins.count() + redeemed.count()
    people_month = (served.filter(confirmed_at__gte=month).count() + checkins.filter(checked_in_at__gte=month).count()
                    + redeemed.filter(redeemed_at__gte=month).count())
    gig = dict(current.filter(employment_form="gig").values_list("gig_occupation").annotate(n=Count("pk")))
    industry = dict(employers.values_list("industry").annotate(n=Count("pk")))
    return {
        "members": {
            "total": current.count(),
            "new_this_month": members.filter(join_date__gte=today.replace(day=1), join_date__lte=today).count(),
            "women": current.filter(gender="F").count(), "gig": current.filter(employment_form="gig").count(),
            "migrant": current.filter(household="agricultural").count(),
            "model_workers": current.exclude(model_worker_level="").count(),
            "craftsmen": current.filter(craftsman=True).count(),
            "hardship": current.exclude(hardship_level="").count(),
            "claimed": current.filter(user__isnull=False).count(),
            "gig_by_occupation": {code or "other": n for code, n in gig.items()},
        },
        "organisations": {
            "unions": Union.objects.filter(path__startswith=sub, is_active=True).count(),
            "grassroots": Union.objects.filter(path__startswith=sub, is_active=True, kind="grassroots").count(),
            "employers": employers.count(), "employers_unionized": employers.filter(union_established=True).count(),
            "unionization_rate": _rate(employers.filter(union_established=True).count(), employers.count()),
            "employers_by_industry": {code or "other": n for code, n in industry.items()},
        },
        "services": {
            "market_orders": orders.count(), "market_orders_month": orders.filter(placed_at__gte=month).count(),
            "market_served": served.count(),
            "activity_signups": Signup.objects.filter(activity__union__path__startswith=sub,
                                                      created_at__lt=end).count(),
            "activity_participants": checkins.count(),
            "activity_participants_month": checkins.filter(checked_in_at__gte=month).count(),
            "coupons_issued": coupons.count(), "coupons_issued_month": coupons.filter(created_at__gte=month).count(),
            "coupons_redeemed": redeemed.count(),
            "coupons_redeemed_month": redeemed.filter(redeemed_at__gte=month).count(),
            "people_served": people, "people_served_month": people_month,
        },
        "appeals": {
            "received": tickets.filter(created_at__lt=end).count(),
            "received_month": tickets.filter(created_at__gte=month, created_at__lt=end).count(),
            "closed": closed.count(), "closed_on_time": closed.filter(on_time=True).count(),
            "on_time_rate": _rate(closed.filter(on_time=True).count(), closed.count()),
            "rated": rated.count(), "satisfied": rated.filter(rating__in=("satisfied", "basic")).count(),
            "satisfaction_rate": _rate(rated.filter(rating__in=("satisfied", "basic")).count(), rated.count()),
            "open": tickets.filter(status__in=("pending", "processing")).count(),
            "overdue": tickets.filter(Q(status__in=("pending", "processing")) & Q(overdue=True)).count(),
        },
    }


def shown_figures(data: dict[str, Any]) -> dict[str, Any]:
    """The same sections out of a cockpit payload (the API's JSON or schemas.payload)."""
    shown = {key: dict(data[key]) for key in ("members", "organisations", "services", "appeals")}
    shown["members"]["gig_by_occupation"] = {p["code"]: p["value"] for p in data["members"]["gig_by_occupation"]}
    shown["organisations"]["employers_by_industry"] = {
        p["code"]: p["value"] for p in data["organisations"]["employers_by_industry"]}
    return shown
