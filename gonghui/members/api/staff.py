"""/api/v1/members/ for union staff (the console's clients): the registry, the joining queue and
drives, both sides' transfer work, the card check, roster import and the rights-request queue.

The same selectors, gates (access.py) and services as the console pages. Each operation keeps the
id it had before the split by audience (operation_id=), and the routers are the sub-domains'
(routers.py). GET/cancel of one transfer also answer the member for their own one.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core import jobs
from gonghui.core.api import Page
from gonghui.core.api_audience import shared_with_members
from gonghui.core.api_inputs import upload_content
from gonghui.core.errors import Conflict, Forbidden
from gonghui.core.schemas import JobOut
from gonghui.core.scope import owned, scope_of, staff_or_owner
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.access import access_union, access_union_for_work
from gonghui.unions.models import Union

from ..access import (
    access_application,
    access_import,
    access_member,
    access_rights_request,
    access_transfer,
    own_member,
)
from ..exports import member_export_start, template_response
from ..models import (
    EnrollmentDrive,
    ImportStatus,
    JoinApplication,
    Member,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    RosterImport,
    Transfer,
    TransferStatus,
)
from ..schemas import (
    ApplicationBatchIn,
    ApplicationBatchOut,
    ApplicationFilter,
    ApplicationOut,
    ApprovalOut,
    CardCheckOut,
    ClaimCountsOut,
    ClaimInviteIn,
    ClaimInviteOut,
    DriveIn,
    DriveOut,
    HandleIn,
    MemberCountsOut,
    MemberDetailOut,
    MemberExportIn,
    MemberNoteIn,
    MemberOut,
    MemberQuery,
    MemberReasonIn,
    RejectIn,
    RevealIn,
    RevealOut,
    RightsFilter,
    RosterImportOut,
    StaffRightsRequestOut,
    TransferCancelIn,
    TransferFilter,
    TransferOut,
)
from ..selectors import child_union_counts, counting_root, member_filters, member_history, member_search, transfer_full
from ..services import card as cards
from ..services import claiming, joining, registry, rights, roster
from ..services import transfer as transfers
from ..tasks import roster_job_start
from . import routers

# --- Registry --------------------------------------------------------------------------------------------


@routers.registry.get("/", response=list[MemberOut], summary="查找会员（范围内，脱敏）",
                      operation_id="gonghui_members_api_registry_member_list")
@paginate(Page)
def member_list(request: HttpRequest, filters: Query[MemberQuery]):
    return member_search(request.user, filters.params()).select_related("union", "employer")


@routers.registry.get("/counts", response=MemberCountsOut, summary="各下级工会的会员人数（可带与列表相同的筛选条件）",
                      operation_id="gonghui_members_api_registry_member_counts")
def member_counts(request: HttpRequest, filters: Query[MemberQuery]) -> dict[str, Any]:
    cleaned = member_filters(request.user, filters.params())
    qs = member_search(request.user, cleaned)
    counts = child_union_counts(request.user, counting_root(request.user, cleaned), qs)
    return {
        "union": counts.union, "own": counts.own, "total": counts.total,
        "children": [{"uuid": c.union.uuid, "name": c.union.name, "count": c.count} for c in counts.children],
    }


@routers.registry.get("/export", response={202: JobOut},
                      summary="导出会员名册（脱敏；后台生成 Excel：返回任务，轮询其 url，完成后从 download 下载）",
                      operation_id="gonghui_members_api_registry_member_export")
def member_export(request: HttpRequest, filters: Query[MemberQuery]) -> Status:
    return Status(202, member_export_start(request.user, filters.params(), unmasked=False, reason=""))


@routers.registry.post("/export", response={202: JobOut},
                       summary="导出完整信息的会员名册（管理员，原因与筛选条件在请求体中，记入审计；返回后台任务）",
                       operation_id="gonghui_members_api_registry_member_export_unmasked")
def member_export_unmasked(request: HttpRequest, payload: MemberExportIn) -> Status:
    return Status(202, member_export_start(request.user, payload.params(), unmasked=True, reason=payload.reason))


@routers.registry.get("/{uuid:key}", response=MemberDetailOut, summary="会员详情与会籍记录（脱敏）",
                      operation_id="gonghui_members_api_registry_member_get")
def member_get(request: HttpRequest, key: UUID) -> Member:
    member = access_member(request.user, key)
    member.union_chain = list(Union.objects.ancestors_of(member.union, include_self=True))  # as on the page
    member.history_items = list(member_history(member))
    return member


@routers.registry.post("/{uuid:key}/reveal", response=RevealOut,
                       summary="查看完整身份证号码或手机号码（管理员，须填原因，留痕）",
                       operation_id="gonghui_members_api_registry_member_reveal")
def member_reveal(request: HttpRequest, key: UUID, payload: RevealIn) -> dict[str, str]:
    member = access_member(request.user, key)
    value = registry.member_reveal(actor=request.user, member=member, field=payload.field, reason=payload.reason)
    return {"field": payload.field, "value": value}


# --- Joining ---------------------------------------------------------------------------------------------


@routers.joining.get("/applications", response=list[ApplicationOut],
                     summary="入会申请审核列表（范围内，最早提交的在前）",
                     operation_id="gonghui_members_api_joining_application_list")
@paginate(Page)
def application_list(request: HttpRequest, filters: Query[ApplicationFilter]):
    qs, _ = joining.application_queue(request.user, filters.params())
    return qs.select_related("member")


@routers.joining.post("/applications/batch-approve", response=ApplicationBatchOut,
                      summary="批量通过入会申请（集中入会）",
                      description="逐份办理，个别失败不影响其他；失败原因逐条返回。",
                      operation_id="gonghui_members_api_joining_application_batch_approve")
def application_batch_approve(request: HttpRequest, payload: ApplicationBatchIn) -> dict:
    result = joining.applications_approve_batch(actor=request.user, keys=payload.uuids)
    return {"approved": result.approved, "failed": result.failed, "errors": result.errors}


@routers.joining.get("/applications/{uuid:key}", response=ApplicationOut, summary="入会申请详情（打码）",
                     operation_id="gonghui_members_api_joining_application_get")
def application_get(request: HttpRequest, key: UUID) -> JoinApplication:
    return access_application(request.user, key)


@routers.joining.post("/applications/{uuid:key}/approve", response=ApprovalOut,
                      summary="审核通过：登记会员并发放会员卡号",
                      operation_id="gonghui_members_api_joining_application_approve")
def application_approve(request: HttpRequest, key: UUID) -> dict:
    application = access_application(request.user, key, write=True)
    member = joining.application_approve(actor=request.user, application=application)
    return {"application": application, "member": member.uuid, "card_no": member.card_no}


@routers.joining.post("/applications/{uuid:key}/reject", response=ApplicationOut, summary="审核不通过（须填写原因）",
                      operation_id="gonghui_members_api_joining_application_reject")
def application_reject(request: HttpRequest, key: UUID, payload: RejectIn) -> JoinApplication:
    application = access_application(request.user, key, write=True)
    return joining.application_reject(actor=request.user, application=application, reason=payload.reason)


@routers.joining.get("/drives", response=list[DriveOut], summary="集中入会活动（范围内）",
                     operation_id="gonghui_members_api_joining_drive_list")
@paginate(Page)
def drive_list(request: HttpRequest):
    return joining.drives_with_counts(EnrollmentDrive.objects.visible_to(request.user)).order_by("-created_at")


@routers.joining.post("/drives", response={201: DriveOut}, summary="发起集中入会活动",
                      operation_id="gonghui_members_api_joining_drive_create")
def drive_create(request: HttpRequest, payload: DriveIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    drive = joining.drive_create(actor=request.user, union=union, name=payload.name, starts_on=payload.starts_on,
                                  ends_on=payload.ends_on)
    return Status(201, drive)


# --- Transfer --------------------------------------------------------------------------------------------


def _visible(user: Any, key: UUID) -> Transfer:
    """Staff of either side through the gate; otherwise the member's own transfer; else 404."""

    def own(user: Any, key: UUID) -> Transfer:
        return owned(Transfer.objects.select_related("member__union", "from_union", "to_union"),
                     owner=own_member(user), uuid=key)

    return staff_or_owner(user, key, staff=access_transfer, owner=own)


@routers.transfer.get("/transfers", response=list[TransferOut], summary="会籍转移列表（转出/转入，范围内）",
                      operation_id="gonghui_members_api_transfer_transfer_list")
@paginate(Page)
def transfer_list(request: HttpRequest, filters: Query[TransferFilter]):
    scope = scope_of(request.user)
    qs = Transfer.objects.visible_to(request.user)
    if filters.direction == "out":
        qs = qs.filter(scope.q("from_union__path"))
    elif filters.direction == "in":
        qs = qs.filter(scope.q("to_union__path"))
    if filters.status == "open":
        qs = qs.filter(status__in=transfers.OPEN_STATUSES)
    elif filters.status in TransferStatus.values:
        qs = qs.filter(status=filters.status)
    return (qs.select_related("member", "from_union", "to_union", "to_employer").prefetch_related("events")
            .order_by("-updated_at", "-id"))


@routers.transfer.get("/transfers/{uuid:key}", response=TransferOut, summary="会籍转移详情",
                      operation_id="gonghui_members_api_transfer_transfer_get")
@shared_with_members
def transfer_get(request: HttpRequest, key: UUID) -> Transfer:
    return transfer_full(_visible(request.user, key).uuid)


@routers.transfer.post("/transfers/{uuid:key}/release", response=TransferOut, summary="同意转出（转出工会）",
                       operation_id="gonghui_members_api_transfer_transfer_release")
def transfer_release(request: HttpRequest, key: UUID, payload: MemberNoteIn | None = None) -> Transfer:
    transfer = access_transfer(request.user, key)
    transfers.transfer_release(actor=request.user, transfer=transfer, note=payload.note if payload else "")
    return transfer_full(key)


@routers.transfer.post("/transfers/{uuid:key}/accept", response=TransferOut, summary="接收（转入工会）",
                       operation_id="gonghui_members_api_transfer_transfer_accept")
def transfer_accept(request: HttpRequest, key: UUID, payload: MemberNoteIn | None = None) -> Transfer:
    transfer = access_transfer(request.user, key)
    transfers.transfer_accept(actor=request.user, transfer=transfer, note=payload.note if payload else "")
    return transfer_full(key)


@routers.transfer.post("/transfers/{uuid:key}/refuse", response=TransferOut, summary="退回（转入工会，须说明原因）",
                       operation_id="gonghui_members_api_transfer_transfer_refuse")
def transfer_refuse(request: HttpRequest, key: UUID, payload: MemberReasonIn) -> Transfer:
    transfer = access_transfer(request.user, key)
    transfers.transfer_refuse(actor=request.user, transfer=transfer, reason=payload.reason)
    return transfer_full(key)


@routers.transfer.post("/transfers/{uuid:key}/cancel", response=TransferOut, summary="撤销（会员本人或转出工会）",
                       operation_id="gonghui_members_api_transfer_transfer_cancel")
@shared_with_members
def transfer_cancel(request: HttpRequest, key: UUID, payload: TransferCancelIn | None = None) -> Transfer:
    transfer = _visible(request.user, key)
    transfers.transfer_cancel(actor=request.user, transfer=transfer, reason=payload.reason if payload else "")
    return transfer_full(key)


# --- Card ------------------------------------------------------------------------------------------------


@routers.card.get("/card/verify/{token}", response=CardCheckOut, summary="核验会员卡（工作人员）",
                  operation_id="gonghui_members_api_card_card_verify")
def card_verify(request: HttpRequest, token: str) -> dict:
    # Partner merchants will get their own grant later; today only union staff may check cards (a staff
    # module: core.api_audience refuses everyone else before this runs).
    return cards.card_verify(token=token, actor=request.user)


# --- Roster import ---------------------------------------------------------------------------------------


@routers.roster.get("/imports/template", response={200: None}, summary="下载花名册导入模板",
                    openapi_extra={"responses": {"200": {"description": "导入模板（.xlsx）",
                                                          "content": {XLSX_MIME: {}}}}},
                    operation_id="gonghui_members_api_roster_import_template")
def import_template(request: HttpRequest) -> HttpResponse:
    return template_response()


@routers.roster.post("/imports", response={201: RosterImportOut}, summary="上传花名册并检查（不写入会员库）",
                     operation_id="gonghui_members_api_roster_import_upload")
def import_upload(request: HttpRequest, file: File[UploadedFile], union: Form[UUID]) -> Status:
    """Keep the .xlsx and check every row. Row problems come back in ``errors`` (row, column,
    message); a file that is plainly not an .xlsx is a 400; one that cannot be read as a roster
    (wrong headers, too many rows …) gives status "failed" with the reason in ``message``."""
    if not roster.can_import(request.user):
        raise Forbidden("您的角色无权导入会员")
    target = access_union_for_work(request.user, union)
    content = upload_content(file, limit=roster.MAX_UPLOAD_BYTES, message=roster.TOO_BIG_MESSAGE)
    job = roster.roster_upload(actor=request.user, union=target, content=content, filename=file.name or "")
    roster_job_start(job, step="check", actor=request.user)
    job.refresh_from_db()
    return Status(201, job)


@routers.roster.get("/imports/{uuid:key}", response=RosterImportOut, summary="导入进度与检查结果",
                    operation_id="gonghui_members_api_roster_import_get")
def import_get(request: HttpRequest, key: UUID) -> RosterImport:
    return access_import(request.user, key)


@routers.roster.post("/imports/{uuid:key}/commit", response=RosterImportOut, summary="确认导入检查通过的行（一个事务）",
                     operation_id="gonghui_members_api_roster_import_commit")
def import_commit(request: HttpRequest, key: UUID) -> RosterImport:
    job = access_import(request.user, key, write=True)
    if job.status not in (ImportStatus.CHECKED, ImportStatus.COMMITTING, ImportStatus.DONE):
        raise Conflict("这次导入当前不能提交（可能仍在检查或已失败）")
    if job.status == ImportStatus.CHECKED:
        roster_job_start(job, step="commit", actor=request.user)
    job.refresh_from_db()
    return job


@routers.roster.post("/imports/{uuid:key}/discard", response=RosterImportOut, summary="放弃已检查的导入",
                     operation_id="gonghui_members_api_roster_import_discard")
def import_discard(request: HttpRequest, key: UUID) -> RosterImport:
    job = access_import(request.user, key, write=True)
    return roster.roster_discard(job=job, actor=request.user)


# --- Personal-information rights -------------------------------------------------------------------------


@routers.rights.get("/rights-requests", response=list[StaffRightsRequestOut], summary="个人信息权利请求（范围内）",
                    operation_id="gonghui_members_api_rights_rights_list")
@paginate(Page)
def rights_list(request: HttpRequest, filters: Query[RightsFilter]):
    qs = RightsRequest.objects.visible_to(request.user).select_related("member__union")
    if filters.status in RightsRequestStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in RightsRequestKind.values:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-created_at", "-id")


@routers.rights.get("/rights-requests/{uuid:key}", response=StaffRightsRequestOut, summary="权利请求详情",
                    operation_id="gonghui_members_api_rights_rights_get")
def rights_get(request: HttpRequest, key: UUID) -> RightsRequest:
    return access_rights_request(request.user, key)


@routers.rights.post("/rights-requests/{uuid:key}/handle", response=StaffRightsRequestOut,
                     summary="处理权利请求（办结：更正，或对撤回同意/删除进行匿名化）",
                     operation_id="gonghui_members_api_rights_rights_handle")
def rights_handle(request: HttpRequest, key: UUID, payload: HandleIn) -> RightsRequest:
    item = access_rights_request(request.user, key, write=True)
    data = payload.dict()
    correction = {k: data.pop(k) for k in rights.CORRECTABLE}
    rights.rights_request_handle(actor=request.user, rights_request=item, correction=correction,
                                   **data)
    return RightsRequest.objects.select_related("member__union").get(pk=item.pk)


# --- 实名认证: who has claimed, the invitation ---------------------------------------------------------------


@routers.claiming.get("/claims", response=ClaimCountsOut, summary="已认证/未认证会员人数（本工会及下级，在册会员）",
                      operation_id="gonghui_members_api_claiming_claim_counts")
def claim_counts(request: HttpRequest, union: UUID) -> dict[str, Any]:
    found = access_union(request.user, union)
    qs = Member.objects.visible_to(request.user).current().filter(union__path__startswith=found.path)
    return {"union": found.uuid, "union_name": found.name, **claiming.claim_counts(qs)}


@routers.claiming.post("/claims/invite", response={202: ClaimInviteOut},
                       summary="向未认证会员发送认证邀请短信（后台任务，每个工会每天一次）",
                       description="短信只含工会名称和平台网址。",
                       operation_id="gonghui_members_api_claiming_claim_invite")
def claim_invite(request: HttpRequest, payload: ClaimInviteIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    job = claiming.claim_invite_start(actor=request.user, union=union, site_url=request.build_absolute_uri("/"))
    return Status(202, {"job": job.uuid, "url": jobs.job_url(job)})
