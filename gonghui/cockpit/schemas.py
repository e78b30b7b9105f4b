"""The cockpit's one data shape: the API returns it, the big screen polls it, the exports and the
console page are built from it — so every carrier shows the same numbers."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from gonghui.unions.models import Union

from .selectors import Overview, RankRow


class CockpitUnionRef(Schema):
    uuid: UUID
    name: str
    level: int
    level_label: str


class Part(Schema):
    code: str
    label: str
    value: int


class MembersOut(Schema):
    total: int
    new_this_month: int
    women: int
    gig: int
    migrant: int
    model_workers: int
    craftsmen: int
    hardship: int
    claimed: int = Field(..., description="已认证会员：会员信息已绑定账号（在线入会或实名认证绑定）")
    gig_by_occupation: list[Part]


class OrganisationsOut(Schema):
    unions: int
    grassroots: int
    employers: int
    employers_unionized: int
    unionization_rate: float | None
    employers_by_industry: list[Part]


class ServicesOut(Schema):
    market_orders: int
    market_orders_month: int
    market_served: int
    activity_signups: int
    activity_participants: int
    activity_participants_month: int
    coupons_issued: int
    coupons_issued_month: int
    coupons_redeemed: int
    coupons_redeemed_month: int
    people_served: int
    people_served_month: int


class AppealsOut(Schema):
    received: int
    received_month: int
    closed: int
    closed_on_time: int
    on_time_rate: float | None
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    open: int
    overdue: int


class MonthOut(Schema):
    month: str
    new_members: int
    market_orders: int
    activity_participants: int
    coupons_redeemed: int
    people_served: int
    appeals_received: int


class DayOut(Schema):
    day: date
    new_members: int
    market_orders: int
    people_served: int
    appeals_received: int


class RankOut(Schema):
    union: CockpitUnionRef
    members: int
    new_this_month: int
    employers: int
    unionization_rate: float | None
    people_served: int
    people_served_month: int
    appeals_received: int
    on_time_rate: float | None
    satisfaction_rate: float | None


class OverviewOut(Schema):
    union: CockpitUnionRef
    path: list[CockpitUnionRef]
    today: date
    refreshed_at: datetime | None
    members: MembersOut
    organisations: OrganisationsOut
    services: ServicesOut
    appeals: AppealsOut
    trend: list[MonthOut]
    daily: list[DayOut]
    ranking: list[RankOut]
    own: RankOut


class RefreshOut(Schema):
    kind: str
    kind_label: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    seconds: float | None
    days: int
    first_day: date | None
    last_day: date | None
    rows: int


# --- Building it -------------------------------------------------------------------------------------------------


def union_ref(union: Union) -> dict[str, Any]:
    return {"uuid": union.uuid, "name": union.name, "level": union.level, "level_label": union.get_level_display()}


def _parts(ov: Overview, metric: str) -> list[dict[str, Any]]:
    return [{"code": code, "label": label, "value": value} for code, label, value in ov.dims.get(metric, [])]


def _rank(row: RankRow) -> dict[str, Any]:
    return {"union": union_ref(row.union), "members": row.members,
            "new_this_month": row.counts.month["members.joined"], "employers": row.figures.get("employers.total", 0),
            "unionization_rate": row.unionization, "people_served": row.people_served,
            "people_served_month": row.people_served_month, "appeals_received": row.counts.total["appeals.received"],
            "on_time_rate": row.on_time_rate, "satisfaction_rate": row.satisfaction}


def payload(ov: Overview) -> dict[str, Any]:
    """The overview as plain data in the shape of ``OverviewOut``."""
    total, month, fig = ov.counts.total, ov.counts.month, ov.figure
    return {
        "union": union_ref(ov.union),
        "path": [union_ref(u) for u in ov.ancestors],
        "today": ov.today,
        "refreshed_at": ov.refreshed.finished_at if ov.refreshed else None,
        "members": {"total": fig("members.total"), "new_this_month": month["members.joined"],
                    "women": fig("members.women"), "gig": fig("members.gig_total"), "migrant": fig("members.migrant"),
                    "model_workers": fig("members.model_workers"), "craftsmen": fig("members.craftsmen"),
                    "hardship": fig("members.hardship"), "claimed": fig("members.claimed"),
                    "gig_by_occupation": _parts(ov, "members.gig")},
        "organisations": {"unions": fig("unions.total"), "grassroots": fig("unions.grassroots"),
                          "employers": fig("employers.total"), "employers_unionized": fig("employers.unionized"),
                          "unionization_rate": ov.unionization,
                          "employers_by_industry": _parts(ov, "employers.industry")},
        "services": {"market_orders": total["market.orders"], "market_orders_month": month["market.orders"],
                     "market_served": total["market.served"], "activity_signups": total["activities.signups"],
                     "activity_participants": total["activities.participants"],
                     "activity_participants_month": month["activities.participants"],
                     "coupons_issued": total["benefits.issued"], "coupons_issued_month": month["benefits.issued"],
                     "coupons_redeemed": total["benefits.redeemed"],
                     "coupons_redeemed_month": month["benefits.redeemed"],
                     "people_served": ov.people_served, "people_served_month": ov.people_served_month},
        "appeals": {"received": total["appeals.received"], "received_month": month["appeals.received"],
                    "closed": total["appeals.closed"], "closed_on_time": total["appeals.on_time"],
                    "on_time_rate": ov.on_time_rate, "rated": total["appeals.rated"],
                    "satisfied": total["appeals.satisfied"], "satisfaction_rate": ov.satisfaction,
                    "open": fig("appeals.open"), "overdue": fig("appeals.overdue")},
        "trend": [{"month": f"{row.month:%Y-%m}", "new_members": row.values.get("members.joined", 0),
                   "market_orders": row.values.get("market.orders", 0),
                   "activity_participants": row.values.get("activities.participants", 0),
                   "coupons_redeemed": row.values.get("benefits.redeemed", 0), "people_served": row.people_served,
                   "appeals_received": row.values.get("appeals.received", 0)} for row in ov.trend],
        "daily": [{"day": row.month, "new_members": row.values.get("members.joined", 0),
                   "market_orders": row.values.get("market.orders", 0), "people_served": row.people_served,
                   "appeals_received": row.values.get("appeals.received", 0)} for row in ov.daily],
        "ranking": [_rank(row) for row in ov.ranking],
        "own": _rank(ov.own),
    }
