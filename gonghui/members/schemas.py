"""API schemas of the members app, by sub-domain: registry, joining, transfer, card, roster import,
personal-information rights.

Related and derived values come through dotted aliases (``union.uuid``, ``get_status_display``).
The resolvers left compute something: optional relations (a dotted alias cannot give None for a
missing one without turning the field optional in the OpenAPI schema), ages, waiting days, URLs.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema

from gonghui.core.schemas import ConsoleQuery
from gonghui.lib.workdays import add_workdays, workdays_between
from gonghui.unions.schemas import UnionRef

from .models import EVENT_LABELS, ApplicationStatus, EmploymentForm, EnrollmentDrive, JoinApplication, Member
from .services import joining


class EmployerRef(Schema):
    uuid: UUID
    name: str


# --- Registry -------------------------------------------------------------------------------------------


class MemberOut(Schema):
    uuid: UUID
    name: str
    gender: str
    age: int | None = Field(None, description="周岁，由身份证号码推算")
    id_number: str = Field(..., alias="masked_id_number", description="身份证号码（脱敏）")
    phone: str = Field(..., alias="masked_phone", description="手机号码（脱敏）")
    union: UnionRef
    employer: EmployerRef | None
    employment_form: str
    gig_occupation: str
    education: str
    household: str
    migrant_worker: bool = Field(..., alias="is_migrant_worker")
    woman: bool = Field(..., alias="is_woman")
    join_date: date
    status: str
    status_label: str = Field(..., alias="get_status_display")
    model_worker_level: str
    craftsman: bool
    hardship_level: str
    worker_representative: bool
    card_no: str | None

    @staticmethod
    def resolve_age(obj: Member) -> int | None:
        return obj.age_on(timezone.localdate())


class HistoryOut(Schema):
    event: str
    event_label: str
    from_status: str
    to_status: str
    from_union: UnionRef | None
    to_union: UnionRef | None
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_event_label(obj: Any) -> str:
        return EVENT_LABELS.get(obj.event, obj.event)


class MemberDetailOut(MemberOut):
    birth_date: date | None
    union_chain: list[UnionRef] = Field(..., description="所在工会及其各级上级工会")
    history: list[HistoryOut] = Field(..., alias="history_items")


class MemberQuery(ConsoleQuery):
    q: str = Field("", description="姓名开头、拼音首字母或全拼开头（如 zs、zhangsan）、手机号或身份证号（精确）")
    union: UUID | None = Field(None, description="只看该工会及其下级（须在您的范围内）")
    form: str = Field("", description="就业形态：regular / gig")
    occupation: str = Field("", description="新就业形态职业")
    hardship: str = Field("", description="困难职工：general / serious / extreme，any 为全部困难职工")
    model_worker: str = Field("", description="劳模：national / provincial / city，any 为全部劳模")
    status: str = Field("", description="会籍状态；留空为在册会员（在会、转出中），all 为全部")
    joined_from: date | None = None
    joined_to: date | None = None


class MemberExportIn(MemberQuery):
    """The unmasked export's body: the list's filters and the reason (kept out of the URL)."""

    reason: str = Field(..., max_length=200, description="导出原因（必填，记入审计日志）")

    def params(self) -> dict[str, str]:
        found = super().params()
        found.pop("reason", None)
        return found


class ChildCountOut(Schema):
    uuid: UUID
    name: str
    count: int


class MemberCountsOut(Schema):
    union: UnionRef | None
    own: int = Field(..., description="直属于该工会的会员")
    total: int
    children: list[ChildCountOut]


class RevealIn(Schema):
    field: str = Field(..., description="id_number 或 phone")
    reason: str = Field("", max_length=200, description="查看原因（必填，记入审计日志）")


class RevealOut(Schema):
    field: str
    value: str


# --- Joining --------------------------------------------------------------------------------------------


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
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")


class UnionPickOut(Schema):
    uuid: UUID
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    parent_name: str

    @staticmethod
    def resolve_parent_name(obj: Any) -> str:
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


class _ApplicationRelations(Schema):
    """The resolvers both answers about a join application share: its optional drive and the card the
    approval issued (a dotted alias cannot give None for a missing relation without turning the field
    optional in the OpenAPI schema). No fields of its own, so each answer keeps its field order."""

    @staticmethod
    def resolve_drive_name(obj: JoinApplication) -> str | None:
        return obj.drive.name if obj.drive_id and obj.drive else None

    @staticmethod
    def resolve_card_no(obj: JoinApplication) -> str | None:
        return obj.member.card_no if obj.member_id and obj.member else None


class MyApplicationOut(_ApplicationRelations):
    uuid: UUID
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    drive_name: str | None
    name: str
    id_number: str = Field(..., alias="masked_id_number", description="已打码")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    reason: str
    submitted_at: datetime
    decided_at: datetime | None
    card_no: str | None


class ApplicationOut(_ApplicationRelations):
    uuid: UUID
    name: str
    id_number: str = Field(..., alias="masked_id_number", description="已打码")
    phone: str = Field(..., alias="masked_phone", description="已打码")
    education: str
    household: str
    employment_form: str
    gig_occupation: str
    employer: UUID | None
    employer_name: str
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    drive: UUID | None
    drive_name: str | None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    reason: str
    submitted_at: datetime
    decided_at: datetime | None
    waiting_workdays: int = Field(..., description="待审核时已等待的工作日数")
    overdue: bool = Field(..., description="待审核超过3个工作日")
    card_no: str | None

    @staticmethod
    def resolve_employer(obj: JoinApplication) -> UUID | None:
        return obj.employer.uuid if obj.employer_id and obj.employer else None

    @staticmethod
    def resolve_drive(obj: JoinApplication) -> UUID | None:
        return obj.drive.uuid if obj.drive_id and obj.drive else None

    @staticmethod
    def resolve_waiting_workdays(obj: JoinApplication) -> int:
        if obj.status != ApplicationStatus.PENDING:
            return 0
        return workdays_between(joining.submitted_on(obj), timezone.localdate())

    @staticmethod
    def resolve_overdue(obj: JoinApplication) -> bool:
        return obj.status == ApplicationStatus.PENDING and add_workdays(
            joining.submitted_on(obj), joining.OVERDUE_WORKDAYS) < timezone.localdate()


class ApprovalOut(Schema):
    application: ApplicationOut
    member: UUID
    card_no: str


class RejectIn(Schema):
    reason: str = Field(..., max_length=300, description="不通过原因（必填，申请人可见）")


class ApplicationBatchIn(Schema):
    uuids: list[UUID] = Field(..., min_length=1, max_length=joining.MAX_BATCH)


class BatchErrorOut(Schema):
    uuid: str
    name: str = Field(..., description="申请人姓名（打码）")
    message: str


class ApplicationBatchOut(Schema):
    approved: int
    failed: int
    errors: list[BatchErrorOut]


class ApplicationFilter(ConsoleQuery):
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
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    code: str
    join_url: str
    starts_on: date
    ends_on: date | None
    joined: int = Field(..., description="通过该活动入会的人数")
    pending: int = Field(..., description="待审核的申请数")

    # The counts are annotated by drives_with_counts(); a drive just created has none yet.
    @staticmethod
    def resolve_joined(obj: EnrollmentDrive) -> int:
        return getattr(obj, "joined", 0)

    @staticmethod
    def resolve_pending(obj: EnrollmentDrive) -> int:
        return getattr(obj, "pending", 0)

    @staticmethod
    def resolve_join_url(obj: EnrollmentDrive, context: dict[str, Any]) -> str:
        return context["request"].build_absolute_uri(reverse("members:join_drive", args=[obj.code]))


# --- Transfer -------------------------------------------------------------------------------------------


class TransferEventOut(Schema):
    from_status: str
    to_status: str
    to_status_label: str = Field(..., alias="get_to_status_display")
    note: str
    created_at: datetime


class TransferOut(Schema):
    uuid: UUID
    status: str
    status_label: str = Field(..., alias="get_status_display")
    member: UUID = Field(..., alias="member.uuid")
    member_name: str = Field(..., alias="member.masked_name", description="会员姓名（脱敏）")
    from_union: UnionRef
    to_union: UnionRef
    to_employer: str | None
    started_by_member: bool
    reason: str
    refusal_reason: str
    created_at: datetime
    updated_at: datetime
    events: list[TransferEventOut]

    @staticmethod
    def resolve_to_employer(obj: Any) -> str | None:
        return obj.to_employer.name if obj.to_employer_id else None


class MemberTransferIn(Schema):
    to_union: UUID | None = Field(None, description="转入的工会；只选单位时可省略")
    to_employer: UUID | None = Field(None, description="新工作单位（可选）")
    member: UUID | None = Field(None, description="工作人员为会员发起时填写会员标识；会员本人申请时省略")
    reason: str = Field("", max_length=300)


class MemberNoteIn(Schema):
    note: str = Field("", max_length=300)


class MemberReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class TransferCancelIn(Schema):
    reason: str = Field("", max_length=300)


class TransferFilter(Schema):
    direction: str = Field("", description="out：从我的范围转出；in：转入我的范围；空：全部")
    status: str = Field("", description="状态；open 表示办理中")


# --- Card -----------------------------------------------------------------------------------------------


class CardOut(Schema):
    card_no: str | None
    name: str
    union_name: str
    join_date: date
    status: str
    status_label: str
    valid: bool
    token: str | None = Field(None, description="二维码令牌；会籍无效时为空")
    qr_payload: str | None = Field(None, description="二维码内容（核验链接）")
    rotated_at: datetime
    expires_at: datetime


class CardCheckOut(Schema):
    valid: bool
    reason: str
    status: str
    status_label: str
    name: str = Field(..., description="姓名（脱敏）")
    union: str
    card_no: str = Field(..., description="会员卡号（脱敏）")
    join_date: date | None
    checked_at: datetime


# --- Roster import --------------------------------------------------------------------------------------


class RosterImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportUnionOut(Schema):
    uuid: UUID
    name: str


class RosterImportOut(Schema):
    uuid: UUID
    union: ImportUnionOut
    original_name: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    message: str
    total_rows: int
    processed_rows: int
    percent: int
    valid_rows: int
    error_rows: int
    created_count: int
    updated_count: int
    errors: list[RosterImportErrorOut]
    created_at: datetime
    finished_at: datetime | None


# --- Personal-information rights ------------------------------------------------------------------------


class MyMemberOut(Schema):
    """The member's own record, with identifiers masked (GET /me/export has them in full)."""

    uuid: UUID
    name: str
    id_number: str = Field(..., alias="masked_id_number", description="身份证号码（脱敏）")
    phone: str = Field(..., alias="masked_phone", description="手机号码（脱敏）")
    gender: str
    birth_date: date | None
    education: str
    household: str
    employment_form: str
    gig_occupation: str
    employer: str | None
    union: str = Field(..., alias="union.name")
    card_no: str | None
    join_date: date
    status: str
    status_label: str = Field(..., alias="get_status_display")

    @staticmethod
    def resolve_employer(obj: Any) -> str | None:
        return obj.employer.name if obj.employer_id else None


class RightsRequestIn(Schema):
    kind: str = Field(..., description="correction 更正 / withdraw_consent 撤回同意 / deletion 删除")
    details: str = Field("", max_length=1000)


class RightsRequestOut(Schema):
    uuid: UUID
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    details: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    response: str
    created_at: datetime
    handled_at: datetime | None


class StaffRightsRequestOut(RightsRequestOut):
    member: UUID = Field(..., alias="member.uuid")
    member_name: str = Field(..., alias="member.masked_name", description="会员姓名（脱敏）")
    union: str = Field(..., alias="member.union.name")


class HandleIn(Schema):
    outcome: str = Field(..., description="done 办结 / rejected 不予办理")
    response: str = Field("", max_length=300)
    # corrections only: the fields given are changed
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    education: str = ""
    household: str = ""


class RightsFilter(Schema):
    status: str = ""
    kind: str = ""


# --- 实名认证绑定 -----------------------------------------------------------------------------------------


class ClaimIn(Schema):
    name: str = Field(..., max_length=50, description="真实姓名（与工会登记一致）")
    id_number: str = Field(..., max_length=30, description="身份证号码")
    code: str = Field(..., max_length=10, description="发到登录手机号的短信验证码（POST /claim/sms-code）")


class ClaimCorrectionIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=30)
    details: str = Field("", max_length=300, description="补充说明（选填）")


class ClaimMessageOut(Schema):
    message: str


class ClaimCountsOut(Schema):
    union: UUID
    union_name: str
    total: int = Field(..., description="在册会员")
    claimed: int = Field(..., description="已认证：会员信息已绑定账号")
    unclaimed: int
    rate: float | None = Field(None, description="认证率（%）")


class ClaimInviteIn(Schema):
    union: UUID


class ClaimInviteOut(Schema):
    job: UUID
    url: str = Field(..., description="任务进度页")
