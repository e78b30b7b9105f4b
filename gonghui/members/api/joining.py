"""/api/v1/members/ endpoints for joining (入会): SMS codes, registering, picking a union, the
worker's applications, the staff queue and decisions, mass enrollment drives.

The same gates (access.py) and services (services/joining.py) as the pages.
"""

from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from gonghui.accounts.services import token_issue
from gonghui.accounts.verification import CODE_TTL, RESEND_INTERVAL, code_send, user_register_with_code
from gonghui.core.api import Page
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Employer, Union

from ..access import access_application
from ..models import EnrollmentDrive, JoinApplication
from ..schemas import (
    ApplicationFilter,
    ApplicationIn,
    ApplicationOut,
    ApprovalOut,
    BatchIn,
    BatchOut,
    DriveIn,
    DriveOut,
    EmployerPickOut,
    JoinRegisterIn,
    JoinRegisterOut,
    JointUnionsOut,
    MyApplicationOut,
    NoticeOut,
    RejectIn,
    SmsCodeIn,
    SmsCodeOut,
    UnionPickOut,
)
from ..services import joining as services
from ..services.registry import NOTICE_VERSION

router = Router(tags=["入会"])


# --- Signing up ----------------------------------------------------------------------------------------


@router.post("/sms-code", auth=None, response={202: SmsCodeOut}, summary="获取短信验证码",
             description="同一手机号每60秒1次、每天最多10次；已注册的手机号不能获取注册验证码。")
def sms_code(request: HttpRequest, payload: SmsCodeIn) -> Status:
    code_send(phone=payload.phone, purpose=payload.purpose)
    return Status(202, {"expires_in": int(CODE_TTL.total_seconds()),
                        "resend_after": int(RESEND_INTERVAL.total_seconds())})


@router.post("/join/register", auth=None, response={201: JoinRegisterOut}, summary="短信验证码注册并登录",
             description="验证码最多尝试5次，用后即失效。成功后返回令牌，可直接提交入会申请。")
def join_register(request: HttpRequest, payload: JoinRegisterIn) -> Status:
    user = user_register_with_code(phone=payload.phone, code=payload.code, name=payload.name,
                                   password=payload.password)
    token, raw = token_issue(user=user, name=payload.device)
    return Status(201, {"token": raw, "expires_at": token.expires_at, "uuid": token.uuid, "user": user.uuid,
                        "name": user.name, "phone": user.masked_phone})


@router.get("/join/notice", auth=None, response=NoticeOut, summary="个人信息处理告知书（当前版本）")
def join_notice(request: HttpRequest) -> dict:
    return {"version": NOTICE_VERSION, "title": services.NOTICE_TITLE,
            "sections": [{"heading": h, "text": t} for h, t in services.NOTICE_SECTIONS]}


# --- Picking a union --------------------------------------------------------------------------------------


@router.get("/join/employers", response=list[EmployerPickOut], summary="按单位名称或统一社会信用代码查找单位",
            description="至少2个字；只返回单位名称及其所属工会。")
def join_employers(request: HttpRequest, q: str = "") -> list[Employer]:
    return services.employer_search(q)


@router.get("/join/cities", response=list[UnionPickOut], summary="城市（市总工会）列表")
def join_cities(request: HttpRequest) -> list[Union]:
    return services.city_unions()


@router.get("/join/joint-unions", response=JointUnionsOut, summary="新就业形态劳动者：按职业和城市找行业工会联合会")
def join_joint_unions(request: HttpRequest, city: UUID, occupation: str = "") -> dict:
    items, matched = services.joint_unions_for(occupation=occupation, city=services.city_pickable(city))
    return {"matched": matched, "keyword": services.OCCUPATION_KEYWORDS.get(occupation, ""), "items": items}


# --- The worker's applications --------------------------------------------------------------------------------


def _target(payload: ApplicationIn) -> tuple[Union, Employer | None, EnrollmentDrive | None]:
    ways = [payload.employer is not None, bool(payload.join_code.strip()), payload.union is not None]
    if sum(ways) != 1:
        raise ValidationFailed("请用一种方式选择要加入的工会：工作单位、入会码或行业工会联合会",
                               detail={"union": "请选择要加入的工会"})
    if payload.employer is not None:
        employer = services.employer_pickable(payload.employer)
        return employer.union, employer, None
    if payload.join_code.strip():
        union, drive = services.union_or_code(payload.join_code)
        return union, None, drive
    return services.joint_union_pickable(payload.union), None, None


@router.post("/applications", response={201: MyApplicationOut}, summary="提交入会申请")
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status:
    union, employer, drive = _target(payload)
    application = services.application_submit(
        applicant=request.user, union=union, employer=employer, drive=drive, name=payload.name,
        id_number=payload.id_number, phone=payload.phone, education=payload.education, household=payload.household,
        employment_form=payload.employment_form, gig_occupation=payload.gig_occupation,
        employer_name=payload.employer_name, notice_version=payload.notice_version if payload.consent else "",
        consented_at=timezone.now() if payload.consent else None)
    return Status(201, application)


@router.get("/applications/mine", response=list[MyApplicationOut], summary="我的入会申请")
def applications_mine(request: HttpRequest) -> list[JoinApplication]:
    return list(services.applications_of(request.user))


@router.post("/applications/{uuid:key}/withdraw", response=MyApplicationOut, summary="撤回我的入会申请")
def application_withdraw(request: HttpRequest, key: UUID) -> JoinApplication:
    application = services.applications_of(request.user).filter(uuid=key).first()
    if application is None:
        raise NotFound("未找到该申请")
    return services.application_withdraw(applicant=request.user, application=application)


# --- Staff: the queue and decisions ------------------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], summary="入会申请审核列表（范围内，最早提交的在前）")
@paginate(Page)
def application_list(request: HttpRequest, filters: Query[ApplicationFilter]):  # noqa: ANN201
    params = {"status": filters.status, "union": str(filters.union or ""), "drive": str(filters.drive or ""),
              "q": filters.q, "overdue": "1" if filters.overdue else ""}
    qs, _ = services.application_queue(request.user, params)
    return qs.select_related("member")


@router.post("/applications/batch-approve", response=BatchOut, summary="批量通过入会申请（集中入会）",
             description="逐份办理，个别失败不影响其他；失败原因逐条返回。")
def application_batch_approve(request: HttpRequest, payload: BatchIn) -> dict:
    result = services.applications_approve_batch(actor=request.user, keys=payload.uuids)
    return {"approved": result.approved, "failed": result.failed, "errors": result.errors}


@router.get("/applications/{uuid:key}", response=ApplicationOut, summary="入会申请详情（打码）")
def application_get(request: HttpRequest, key: UUID) -> JoinApplication:
    return access_application(request.user, key)


@router.post("/applications/{uuid:key}/approve", response=ApprovalOut, summary="审核通过：登记会员并发放会员卡号")
def application_approve(request: HttpRequest, key: UUID) -> dict:
    application = access_application(request.user, key, write=True)
    member = services.application_approve(actor=request.user, application=application)
    return {"application": application, "member": member.uuid, "card_no": member.card_no}


@router.post("/applications/{uuid:key}/reject", response=ApplicationOut, summary="审核不通过（须填写原因）")
def application_reject(request: HttpRequest, key: UUID, payload: RejectIn) -> JoinApplication:
    application = access_application(request.user, key, write=True)
    return services.application_reject(actor=request.user, application=application, reason=payload.reason)


# --- Staff: mass enrollment drives ---------------------------------------------------------------------------------


@router.get("/drives", response=list[DriveOut], summary="集中入会活动（范围内）")
@paginate(Page)
def drive_list(request: HttpRequest):  # noqa: ANN201
    return services.drives_with_counts(EnrollmentDrive.objects.visible_to(request.user)).order_by("-created_at")


@router.post("/drives", response={201: DriveOut}, summary="发起集中入会活动")
def drive_create(request: HttpRequest, payload: DriveIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    drive = services.drive_create(actor=request.user, union=union, name=payload.name, starts_on=payload.starts_on,
                                  ends_on=payload.ends_on)
    return Status(201, drive)
