"""/api/v1/activities/ for staff: activities in the caller's scope, creating and editing, publish /
cancel / conclude, participants, check-in by card and 代签到, photos, export and 惠及人次.

The same gates (access.py) and services as the console pages (views/staff.py).
"""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.api_inputs import upload_content
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.schemas import ConsoleQuery
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.access import access_union, access_union_for_work

from .. import exports, selectors, services
from ..access import access_activity, access_photo, access_signup
from ..models import Activity, ActivityPhoto, Signup
from ..schemas import (
    ActivityCancelIn,
    ActivityConcludeIn,
    ActivityIn,
    ActivityPatch,
    ActivityRowOut,
    ActivityStaffOut,
    ActivityStatsOut,
    ParticipantsExportIn,
    PhotoOut,
    ScanIn,
    SignupOut,
)

router = Router()


class ActivityFilter(ConsoleQuery):
    q: str = ""
    kind: str = ""
    status: str = ""
    when: str = ""
    union: UUID | None = None


def _brand(union: Any, key: UUID | None) -> Any:
    if key is None:
        return None
    found = next((b for b in services.brand_choices(union) if b.uuid == key), None)
    if found is None:
        raise ValidationFailed("品牌须来自主办工会或其上级工会的品牌矩阵", detail={"brand": "品牌不匹配"})
    return found


def _reload(activity: Activity) -> Activity:
    return Activity.objects.select_related("union", "brand").prefetch_related("photos").get(pk=activity.pk)


@router.get("/", response=list[ActivityRowOut], summary="活动列表（范围内）")
@paginate(Page)
def activity_list(request: HttpRequest, filters: Query[ActivityFilter]):
    if filters.union:
        access_union(request.user, filters.union)  # 404 for a union outside the caller's scope
    qs, _ = selectors.activity_filter(request.user, filters.params())
    return selectors.with_counts(qs)


@router.post("/", response={201: ActivityStaffOut}, summary="新建活动（草稿）")
def activity_create(request: HttpRequest, payload: ActivityIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    data = payload.dict(exclude={"union"})
    data["brand"] = _brand(union, data.pop("brand"))
    activity = services.activity_create(actor=request.user, union=union, **data)
    return Status(201, _reload(activity))


@router.get("/stats", response=ActivityStatsOut, summary="惠及人次：按工会、按月的签到人次")
def stats(request: HttpRequest, union: UUID | None = None, year: int | None = None) -> Any:
    root = selectors.stats_root(request.user, union)
    if root is None:
        raise NotFound("未找到该工会，或您无权查看")
    this_year = timezone.localdate().year
    year = year or this_year
    if not 2000 <= year <= this_year + 1:
        raise ValidationFailed("年份不正确", detail={"year": "年份不正确"})
    return selectors.people_served(root, year)


@router.post("/signups/{uuid:key}/check-in", response=SignupOut, summary="代签到（工作人员）")
def signup_check_in(request: HttpRequest, key: UUID) -> Signup:
    found = access_signup(request.user, key, write=True)
    return services.signup_check_in(actor=request.user, signup=found, method="manual")


@router.delete("/photos/{uuid:key}", response={204: None}, summary="删除活动照片")
def photo_delete(request: HttpRequest, key: UUID) -> Status:
    services.photo_delete(actor=request.user, photo=access_photo(request.user, key, write=True))
    return Status(204, None)


# --- Staff: one activity ---------------------------------------------------------------------------------------


@router.get("/{uuid:key}", response=ActivityStaffOut, summary="活动详情（工作人员）")
def activity_get(request: HttpRequest, key: UUID) -> Activity:
    return access_activity(request.user, key)


@router.patch("/{uuid:key}", response=ActivityStaffOut, summary="修改活动（增加名额时候补自动递补）")
def activity_patch(request: HttpRequest, key: UUID, payload: ActivityPatch) -> Activity:
    activity = access_activity(request.user, key, write=True)
    data = payload.dict(exclude_unset=True)
    if "brand" in data:
        data["brand"] = _brand(activity.union, data["brand"])
    for required in ("title", "kind", "place", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at", "quota",
                     "gig_only", "women_only", "model_workers_only"):
        if required in data and data[required] is None:
            raise ValidationFailed("该字段不能为空", detail={required: "不能为空"})
    services.activity_update(actor=request.user, activity=activity, **data)
    return _reload(activity)


@router.post("/{uuid:key}/publish", response=ActivityStaffOut, summary="发布活动")
def activity_publish(request: HttpRequest, key: UUID) -> Activity:
    activity = access_activity(request.user, key, write=True)
    services.activity_publish(actor=request.user, activity=activity)
    return _reload(activity)


@router.post("/{uuid:key}/cancel", response=ActivityStaffOut, summary="取消活动（通知已报名的会员）")
def activity_cancel(request: HttpRequest, key: UUID, payload: ActivityCancelIn) -> Activity:
    activity = access_activity(request.user, key, write=True)
    services.activity_cancel(actor=request.user, activity=activity, reason=payload.reason)
    return _reload(activity)


@router.post("/{uuid:key}/conclude", response=ActivityStaffOut, summary="发布活动总结（活动结束后）")
def activity_conclude(request: HttpRequest, key: UUID, payload: ActivityConcludeIn) -> Activity:
    activity = access_activity(request.user, key, write=True)
    services.activity_conclude(actor=request.user, activity=activity, summary=payload.summary)
    return _reload(activity)


@router.post("/{uuid:key}/rotate-code", response=ActivityStaffOut, summary="重置签到码（旧码立即失效）")
def activity_rotate_code(request: HttpRequest, key: UUID) -> Activity:
    activity = access_activity(request.user, key, write=True)
    services.activity_rotate_code(actor=request.user, activity=activity)
    return _reload(activity)


@router.get("/{uuid:key}/signups", response=list[SignupOut], summary="参与人员（姓名、手机号脱敏）")
@paginate(Page)
def signup_list(request: HttpRequest, key: UUID, status: str = ""):
    return selectors.participants(access_activity(request.user, key), status=status)


@router.post("/{uuid:key}/check-in", response=SignupOut, summary="扫会员卡签到（工作人员）")
def checkin_by_card(request: HttpRequest, key: UUID, payload: ScanIn) -> Signup:
    activity = access_activity(request.user, key, write=True)
    return services.checkin_by_card(actor=request.user, activity=activity, token=payload.token)


@router.get("/{uuid:key}/export", response={200: None}, summary="导出参与人员 Excel（默认脱敏）",
            openapi_extra={"responses": {"200": {"description": "参与人员（.xlsx）", "content": {XLSX_MIME: {}}}}})
def export(request: HttpRequest, key: UUID, status: str = "") -> HttpResponse:
    activity = access_activity(request.user, key)
    return exports.participants_export(actor=request.user, activity=activity, status=status)


@router.post("/{uuid:key}/export", response={200: None},
             summary="导出完整姓名和手机号码的参与人员 Excel（主办工会管理员；用途在请求体中，记入审计）",
             openapi_extra={"responses": {"200": {"description": "参与人员（.xlsx）", "content": {XLSX_MIME: {}}}}})
def export_unmasked(request: HttpRequest, key: UUID, payload: ParticipantsExportIn) -> HttpResponse:
    activity = access_activity(request.user, key)
    return exports.participants_export(actor=request.user, activity=activity, unmasked=True, reason=payload.reason,
                                       status=payload.status)


@router.get("/{uuid:key}/photos", response=list[PhotoOut], summary="活动照片")
def photo_list(request: HttpRequest, key: UUID) -> list[ActivityPhoto]:
    return list(access_activity(request.user, key).photos.all())


@router.post("/{uuid:key}/photos", response={201: PhotoOut}, summary="上传活动照片（JPG/PNG/WebP，5MB以内）")
def photo_add(request: HttpRequest, key: UUID, file: File[UploadedFile], caption: str = "") -> Status:
    activity = access_activity(request.user, key, write=True)
    content = upload_content(file, limit=services.MAX_PHOTO_BYTES,
                             message=f"照片不能超过{services.MAX_PHOTO_BYTES // 1024 // 1024}MB")
    photo = services.photo_add(actor=request.user, activity=activity, content=content, caption=caption)
    return Status(201, photo)

