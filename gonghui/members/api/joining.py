"""/api/v1/members/ endpoints for joining (入会): SMS codes, registering, picking a union, the
worker's applications, the staff queue and decisions, mass enrollment drives.

The same gates (access.py) and services (services/joining.py) as the pages.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.accounts.services import token_issue
from gonghui.accounts.verification import CODE_TTL, RESEND_INTERVAL, code_send, user_register_with_code
from gonghui.core.api import Page
from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.lib.masking import mask_id_number, mask_phone
from gonghui.lib.workdays import add_workdays, workdays_between
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Employer, Union

from ..access import access_application
from ..models import ApplicationStatus, EmploymentForm, EnrollmentDrive, JoinApplication
from ..services import joining as services
from ..services.registry import NOTICE_VERSION

router = Router(tags=["入会"])


# --- Schemas ---------------------------------------------------------------------------------------------


class SmsCodeIn(Schema):
    phone: str = Field(..., max_length=30, description="手机号")
    purpose: str = Field("register", max_length=20, description="用途：register（注册）")


class SmsCodeOut(Schema):
    expires_in: int = Field(..., description="验证码有效期（秒）")
    resend_after: int = Field(..., description="多少秒后可重新获取")


class JoinRegisterIn(Schema):
    phone: str = Field(..., max_length=30)
    code: str = Field(..., max_length=10, description="短信验证码")
    name: str = Field(..., max_length=50)
    password: str = Field(..., max_length=128)
    device: str = Field("", max_length=60, description="设备名称，如“iPhone 小程序”")


class JoinRegisterOut(Schema):
    token: str = Field(..., description="只在此时返回一次，请妥善保存")
    expires_at: datetime
    uuid: UUID = Field(..., description="令牌标识")
    user: UUID
    name: str
    phone: str = Field(..., description="已打码")


class NoticeSectionOut(Schema):
    heading: str
    text: str


class NoticeOut(Schema):
    version: str = Field(..., description="提交申请时原样传回 notice_version")
    title: str
    sections: list[NoticeSectionOut]


class EmployerPickOut(Schema):
    uuid: UUID
    name: str
    union: UUID
    union_name: str

    @staticmethod
    def resolve_union(obj: Employer) -> UUID:
        return obj.union.uuid

    @staticmethod
    def resolve_union_name(obj: Employer) -> str:
        return obj.union.name


class UnionPickOut(Schema):
    uuid: UUID
    name: str
    kind: str
    kind_label: str
    parent_name: str

    @staticmethod
    def resolve_kind_label(obj: Union) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_parent_name(obj: Union) -> str:
        return obj.parent.name if obj.parent_id else ""


class JointUnionsOut(Schema):
    matched: bool = Field(..., description="是否找到名称含该职业关键词的工会联合会；否则列出该市全部")
    keyword: str
    items: list[UnionPickOut]


class ApplicationIn(Schema):
    consent: bool = Field(..., description="单独同意个人信息处理告知书")
    notice_version: str = Field(..., max_length=20, description="所同意的告知书版本（GET /join/notice）")
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=30)
    phone: str = Field(..., max_length=30)
    education: str = ""
    household: str = ""
    employment_form: str = EmploymentForm.REGULAR
    gig_occupation: str = ""
    employer_name: str = Field("", max_length=200, description="工作单位或所在平台（自填）")
    employer: UUID | None = Field(None, description="方式一：所选单位（GET /join/employers）")
    join_code: str = Field("", max_length=20, description="方式二：工会或集中入会活动的入会码")
    union: UUID | None = Field(None, description="方式三：所选行业工会联合会（GET /join/joint-unions）")


class MyApplicationOut(Schema):
    uuid: UUID
    union: UUID
    union_name: str
    drive_name: str | None
    name: str
    id_number: str = Field(..., description="已打码")
    status: str
    status_label: str
    reason: str
    submitted_at: datetime
    decided_at: datetime | None
    card_no: str | None

    @staticmethod
    def resolve_union(obj: JoinApplication) -> UUID:
        return obj.union.uuid

    @staticmethod
    def resolve_union_name(obj: JoinApplication) -> str:
        return obj.union.name

    @staticmethod
    def resolve_drive_name(obj: JoinApplication) -> str | None:
        return obj.drive.name if obj.drive_id else None

    @staticmethod
    def resolve_id_number(obj: JoinApplication) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_status_label(obj: JoinApplication) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_card_no(obj: JoinApplication) -> str | None:
        return obj.member.card_no if obj.member_id and obj.member else None


def _waiting(obj: JoinApplication) -> int:
    if obj.status != ApplicationStatus.PENDING:
        return 0
    return workdays_between(services.submitted_on(obj), timezone.localdate())


class ApplicationOut(Schema):
    uuid: UUID
    name: str
    id_number: str = Field(..., description="已打码")
    phone: str = Field(..., description="已打码")
    education: str
    household: str
    employment_form: str
    gig_occupation: str
    employer: UUID | None
    employer_name: str
    union: UUID
    union_name: str
    drive: UUID | None
    drive_name: str | None
    status: str
    status_label: str
    reason: str
    submitted_at: datetime
    decided_at: datetime | None
    waiting_workdays: int = Field(..., description="待审核时已等待的工作日数")
    overdue: bool = Field(..., description="待审核超过3个工作日")
    card_no: str | None

    @staticmethod
    def resolve_id_number(obj: JoinApplication) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj: JoinApplication) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_employer(obj: JoinApplication) -> UUID | None:
        return obj.employer.uuid if obj.employer_id and obj.employer else None

    @staticmethod
    def resolve_union(obj: JoinApplication) -> UUID:
        return obj.union.uuid

    @staticmethod
    def resolve_union_name(obj: JoinApplication) -> str:
        return obj.union.name

    @staticmethod
    def resolve_drive(obj: JoinApplication) -> UUID | None:
        return obj.drive.uuid if obj.drive_id and obj.drive else None

    @staticmethod
    def resolve_drive_name(obj: JoinApplication) -> str | None:
        return obj.drive.name if obj.drive_id and obj.drive else None

    @staticmethod
    def resolve_status_label(obj: JoinApplication) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_waiting_workdays(obj: JoinApplication) -> int:
        return _waiting(obj)

    @staticmethod
    def resolve_overdue(obj: JoinApplication) -> bool:
        return obj.status == ApplicationStatus.PENDING and add_workdays(
            services.submitted_on(obj), services.OVERDUE_WORKDAYS) < timezone.localdate()

    @staticmethod
    def resolve_card_no(obj: JoinApplication) -> str | None:
        return obj.member.card_no if obj.member_id and obj.member else None


class ApprovalOut(Schema):
    application: ApplicationOut
    member: UUID
    card_no: str


class RejectIn(Schema):
    reason: str = Field(..., max_length=300, description="不通过原因（必填，申请人可见）")


class BatchIn(Schema):
    uuids: list[UUID] = Field(..., min_length=1, max_length=services.MAX_BATCH)


class BatchErrorOut(Schema):
    uuid: str
    name: str = Field(..., description="申请人姓名（打码）")
    message: str


class BatchOut(Schema):
    approved: int
    failed: int
    errors: list[BatchErrorOut]


class ApplicationFilter(Schema):
    status: str = Field("pending", description="pending / approved / rejected / withdrawn / all")
    union: UUID | None = Field(None, description="只看该工会及其下级")
    drive: UUID | None = None
    q: str = Field("", max_length=60, description="姓名，或完整身份证号码")
    overdue: bool = Field(False, description="只看超过3个工作日未审核的")


class DriveIn(Schema):
    union: UUID
    name: str = Field(..., max_length=100)
    starts_on: date | None = None
    ends_on: date | None = None


class DriveOut(Schema):
    uuid: UUID
    name: str
    union: UUID
    union_name: str
    code: str
    join_url: str
    starts_on: date
    ends_on: date | None
    joined: int = Field(..., description="通过该活动入会的人数")
    pending: int = Field(..., description="待审核的申请数")

    @staticmethod
    def resolve_union(obj: EnrollmentDrive) -> UUID:
        return obj.union.uuid

    @staticmethod
    def resolve_union_name(obj: EnrollmentDrive) -> str:
        return obj.union.name

    @staticmethod
    def resolve_joined(obj: EnrollmentDrive) -> int:
        return getattr(obj, "joined", 0)

    @staticmethod
    def resolve_pending(obj: EnrollmentDrive) -> int:
        return getattr(obj, "pending", 0)

    @staticmethod
    def resolve_join_url(obj: EnrollmentDrive, context: dict[str, Any]) -> str:
        return context["request"].build_absolute_uri(reverse("members:join_drive", args=[obj.code]))


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
