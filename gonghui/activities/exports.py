"""The participants list as Excel. Names and phones are masked unless an administrator of the owning
branch asks for the full list with a reason; every export writes an audit row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import ValidationFailed
from gonghui.core.unmasking import Unmask, require_unmask
from gonghui.core.unmasking import may_unmask as policy_may_unmask
from gonghui.lib.excel import XLSX_MIME, write_workbook

from .models import Activity, Signup
from .selectors import participants

HEADER = ["序号", "姓名", "手机号码", "所在工会", "报名状态", "报名时间", "候补递补", "签到时间", "签到方式", "评分",
          "评价"]
WIDTHS = [6, 10, 14, 30, 10, 18, 8, 18, 12, 6, 40]


def may_unmask(user: Any, activity: Activity) -> bool:
    """The unmasking policy's EXPORT rule at the owning union: its administrators (or those above)."""
    return policy_may_unmask(user, activity.union, Unmask.EXPORT)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _rating_of(signup: Signup) -> Any:
    try:
        return signup.rating
    except Signup.rating.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def participants_export(*, actor: Any, activity: Activity, unmasked: bool = False, reason: str = "",
                        status: str = "") -> HttpResponse:
    """The participants workbook as a download. Preconditions: ``activity`` came through access_activity.

    ``unmasked`` needs an administrator of the owning branch (the unmasking policy's EXPORT rule; a
    refused attempt writes a denied row) and a reason (both recorded)."""
    reason = " ".join((reason or "").split())[:200]
    if unmasked:
        require_unmask(actor, activity.union, Unmask.EXPORT, action="export.activity_participants", obj=activity,
                       detail={"unmasked": True, "reason": reason, "status": status},
                       message="只有主办工会的管理员可以导出完整姓名和手机号码")
        if not reason:
            raise ValidationFailed("导出完整信息请填写用途", detail={"reason": "请填写用途"})
    signups = participants(activity, status=status)
    count = signups.count()
    content = write_workbook([("参与人员", HEADER, _rows(signups, unmasked=unmasked))],
                             widths={"参与人员": WIDTHS})
    audit.record("export.activity_participants", actor=actor, obj=activity,
                 detail={"rows": count, "unmasked": unmasked, "reason": reason, "status": status})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_MIME)
    filename = f"活动参与人员-{activity.title[:30]}-{stamp}.xlsx"
    response["Content-Disposition"] = (f'attachment; filename="activity-participants-{stamp}.xlsx"; '
                                       f"filename*=UTF-8''{quote(filename)}")
    return response


def _rows(signups: Any, *, unmasked: bool) -> Iterator[list[Any]]:
    for number, signup in enumerate(signups.iterator(chunk_size=1000), start=1):
        member = signup.member
        rating = _rating_of(signup)
        yield [
            number,
            member.name if unmasked else member.masked_name,
            (member.phone or "") if unmasked else member.masked_phone,
            member.union.name, signup.get_status_display(), _local(signup.created_at),
            "是" if signup.promoted else "", _local(signup.checked_in_at),
            signup.get_checkin_method_display() if signup.checkin_method else "",
            rating.score if rating else "", rating.comment if rating else "",
        ]
