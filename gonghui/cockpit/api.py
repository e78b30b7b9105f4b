"""/api/v1/cockpit/: the same figures as the console page and the big screen."""

# No ``from __future__ import annotations``: ninja reads the annotations at import time.
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from .access import access_cockpit, access_refresh
from .models import RefreshKind, RefreshRun
from .schemas import OverviewOut, RefreshOut, payload
from .selectors import overview
from .services import stats_refresh

router = Router(tags=["驾驶舱"])


def _run(run: RefreshRun) -> dict[str, Any]:
    return {"kind": run.kind, "kind_label": run.get_kind_display(), "status": run.status, "started_at": run.started_at,
            "finished_at": run.finished_at, "seconds": run.seconds, "days": run.days, "first_day": run.first_day,
            "last_day": run.last_day, "rows": run.rows}


@router.get("/overview", response=OverviewOut, summary="统计总览（默认为本人管理范围的最上级工会；union 下钻到下级）")
def overview_get(request: HttpRequest, union: UUID | None = None) -> dict[str, Any]:
    chosen = access_cockpit(request.user, union)
    return payload(overview(chosen, user=request.user))


@router.get("/refreshes", response=list[RefreshOut], summary="最近的统计刷新记录")
def refreshes(request: HttpRequest) -> list[dict[str, Any]]:
    access_cockpit(request.user)
    return [_run(run) for run in RefreshRun.objects.all()[:20]]


@router.post("/refresh", response=RefreshOut, summary="立即刷新统计（管理员）")
def refresh(request: HttpRequest) -> dict[str, Any]:
    access_refresh(request.user)
    union = access_cockpit(request.user)
    return _run(stats_refresh(kind=RefreshKind.MANUAL, actor=request.user, union=union))
