"""The cockpit's tables, defined once: the console page shows them and each exports to Excel with
the same header and rows (built from the same payload as the API)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gonghui.lib.excel import write_workbook

Row = Sequence[Any]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _overview_rows(data: dict[str, Any]) -> list[Row]:
    m, o, s, a = data["members"], data["organisations"], data["services"], data["appeals"]
    return [
        ("会员", "会员总数", m["total"]), ("会员", "本月新入会", m["new_this_month"]),
        ("会员", "女职工会员", m["women"]), ("会员", "新就业形态劳动者", m["gig"]),
        ("会员", "农民工会员", m["migrant"]),
        ("会员", "劳模", m["model_workers"]), ("会员", "工匠", m["craftsmen"]), ("会员", "困难职工", m["hardship"]),
        ("会员", "已认证会员", m["claimed"]),
        ("组织", "工会组织", o["unions"]), ("组织", "基层工会", o["grassroots"]),
        ("组织", "企业（单位）", o["employers"]),
        ("组织", "已建会企业", o["employers_unionized"]), ("组织", "建会率", percent(o["unionization_rate"])),
        ("服务", "惠及人次（累计）", s["people_served"]), ("服务", "惠及人次（本月）", s["people_served_month"]),
        ("服务", "云集市下单（累计）", s["market_orders"]), ("服务", "云集市服务完成（累计）", s["market_served"]),
        ("服务", "活动报名（累计）", s["activity_signups"]), ("服务", "活动参与（累计）", s["activity_participants"]),
        ("服务", "发放优惠券（累计）", s["coupons_issued"]), ("服务", "核销优惠券（累计）", s["coupons_redeemed"]),
        ("12351诉求", "受理（累计）", a["received"]), ("12351诉求", "受理（本月）", a["received_month"]),
        ("12351诉求", "办结", a["closed"]), ("12351诉求", "按时办结", a["closed_on_time"]),
        ("12351诉求", "按时办结率", percent(a["on_time_rate"])), ("12351诉求", "评价", a["rated"]),
        ("12351诉求", "满意（含基本满意）", a["satisfied"]), ("12351诉求", "满意率", percent(a["satisfaction_rate"])),
        ("12351诉求", "在办", a["open"]), ("12351诉求", "超期在办", a["overdue"]),
    ]


def _rank_row(rank: Any, name: str, r: dict[str, Any]) -> Row:
    return (rank, name, r["members"], r["new_this_month"], r["employers"], percent(r["unionization_rate"]),
            r["people_served"], r["people_served_month"], r["appeals_received"], percent(r["on_time_rate"]),
            percent(r["satisfaction_rate"]))


def _ranking_rows(data: dict[str, Any]) -> list[Row]:
    """The children, then the union's own level (本级) when it has children, so the rows add up."""
    rows = [_rank_row(n, r["union"]["name"], r) for n, r in enumerate(data["ranking"], start=1)]
    if rows:
        rows.append(_rank_row("", f"{data['union']['name']}（本级）", data["own"]))
    return rows


def _trend_rows(data: dict[str, Any]) -> list[Row]:
    return [(r["month"], r["new_members"], r["market_orders"], r["activity_participants"], r["coupons_redeemed"],
             r["people_served"], r["appeals_received"]) for r in data["trend"]]


def _daily_rows(data: dict[str, Any]) -> list[Row]:
    return [(str(r["day"]), r["new_members"], r["market_orders"], r["people_served"], r["appeals_received"])
            for r in data["daily"]]


def _parts(path: tuple[str, str]) -> Callable[[dict[str, Any]], list[Row]]:
    def rows(data: dict[str, Any]) -> list[Row]:
        parts = data[path[0]][path[1]]
        whole = sum(p["value"] for p in parts)
        return [(p["label"], p["value"], percent(p["value"] * 100 / whole if whole else None)) for p in parts]
    return rows


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: tuple[str, ...]
    rows: Callable[[dict[str, Any]], list[Row]]


TABLES: tuple[Table, ...] = (
    Table("overview", "总览", ("分类", "指标", "数值"), _overview_rows),
    Table("ranking", "下级工会排行", ("排名", "工会", "会员", "本月新入会", "企业", "建会率", "惠及人次", "本月惠及",
                                  "受理诉求", "按时办结率", "满意率"), _ranking_rows),
    Table("trend", "月度趋势", ("月份", "新入会", "云集市下单", "活动参与", "核销优惠券", "惠及人次", "受理诉求"),
          _trend_rows),
    Table("daily", "近30天", ("日期", "新入会", "云集市下单", "惠及人次", "受理诉求"), _daily_rows),
    Table("gig", "新就业形态劳动者（按职业）", ("职业", "人数", "占比"), _parts(("members", "gig_by_occupation"))),
    Table("industry", "企业（按行业）", ("行业门类", "企业数", "占比"),
          _parts(("organisations", "employers_by_industry"))),
)
BY_KEY = {table.key: table for table in TABLES}


def workbook(data: dict[str, Any], tables: Sequence[Table]) -> bytes:
    return write_workbook([(t.title, t.header, t.rows(data)) for t in tables])


def filename(data: dict[str, Any], table: Table | None) -> str:
    what = table.title if table else "驾驶舱"
    return f"{data['union']['name']}-{what}-{data['today']:%Y%m%d}.xlsx"
