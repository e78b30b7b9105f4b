"""Joining (入会): a worker's application, staff decisions, mass enrollment drives (集中入会).

A worker consents to the personal-information notice, gives real-name details and picks a union
(through an employer, a union's or a drive's join code, or the industry joint union of their gig
occupation and city). Staff of that union's branch approve — which registers the member and issues
the card number — or reject with a reason. Applications pending more than three working days are
flagged in the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from gonghui.core.fields import lookup_index
from gonghui.core.notify import notify
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_person_name, clean_phone, clean_text
from gonghui.lib.text import is_uuid
from gonghui.lib.workdays import add_workdays, workdays_between
from gonghui.unions.models import Employer, Union, UnionKind, UnionLevel

from ..access import access_application
from ..models import (
    ApplicationStatus,
    Education,
    EmploymentForm,
    EnrollmentDrive,
    GigOccupation,
    Household,
    JoinApplication,
    Member,
    MemberStatus,
)
from .registry import NOTICE_VERSION, clean_gig, clean_id_number, member_create, member_restore

if TYPE_CHECKING:
    from gonghui.accounts.models import User

OVERDUE_WORKDAYS = 3
# A decision on an application someone else decided first (the guarded move out of "pending").
DECIDED_MESSAGE = "该申请已被他人处理，请刷新后查看"
MAX_BATCH = 200

# 个人信息处理告知书, version NOTICE_VERSION. Changing the text means a new NOTICE_VERSION.
NOTICE_TITLE = "个人信息处理告知书"
NOTICE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("谁处理您的信息", "您申请加入的工会及其上级工会，通过本智慧工会服务平台处理您的个人信息。"),
    ("处理目的", "办理入会审核、会籍管理和会员卡，向您提供工会服务，维护您的合法权益，并形成不含个人身份的统计数据。"),
    ("处理哪些信息", "姓名、身份证号码、手机号码、学历、户籍类型、就业形态与职业、工作单位。"
                     "其中身份证号码属于敏感个人信息，用于核实会员身份、避免重复入会。"),
    ("如何保护", "身份证号码和手机号码加密存储，页面上打码显示；工作人员查看完整信息或导出数据时均记录审计日志。"
                 "信息不向与工会服务无关的第三方提供。"),
    ("保存多久", "会籍存续期间保存；退会后按法律法规和工会档案管理规定的期限保存，期满删除或匿名化。"),
    ("您的权利", "您可以查阅、复制、更正、删除您的个人信息，或撤回同意，可在“我的”中提出，也可拨打职工服务热线12351。"
                 "撤回同意不影响撤回前已进行的处理。"),
    ("不同意会怎样", "在线入会需要上述信息。如不同意，您可以到所在单位工会或当地总工会线下办理入会。"),
)

# Words that industry joint unions (行业工会联合会) carry in their names, per gig occupation.
OCCUPATION_KEYWORDS: dict[str, str] = {
    GigOccupation.COURIER: "快递",
    GigOccupation.FOOD_DELIVERY: "外卖",
    GigOccupation.RIDE_HAILING: "网约车",
    GigOccupation.TRUCK: "货车",
    GigOccupation.ONLINE_DELIVERY: "配送",
    GigOccupation.DOMESTIC: "家政",
    GigOccupation.STREAMER: "主播",
}


# --- Public pickers (what a worker may see: unions and employers' names, nothing personal) --------------


def employer_search(q: str, *, limit: int = 20) -> list[Employer]:
    """Employers by name (contains) or exact USCC, whose union is active. Needs 2 characters or more."""
    q = " ".join((q or "").split())[:60]
    if len(q) < 2:
        return []
    return list(Employer.objects.filter(Q(name__icontains=q) | Q(uscc=q.upper()), union__is_active=True)
                .select_related("union").order_by("name", "id")[:limit])


def employer_pickable(key: Any) -> Employer:
    employer = None
    if is_uuid(key):
        employer = Employer.objects.filter(uuid=key, union__is_active=True).select_related("union").first()
    if employer is None:
        raise NotFound("未找到该单位")
    return employer


def city_unions() -> list[Union]:
    """City-level federations, for the gig worker's choice of city."""
    return list(Union.objects.active().filter(level=UnionLevel.CITY, kind=UnionKind.FEDERATION).order_by("path"))


def city_pickable(key: Any) -> Union:
    city = Union.objects.active().filter(uuid=key, level=UnionLevel.CITY).first() if is_uuid(key) else None
    if city is None:
        raise NotFound("未找到该城市的总工会")
    return city


def joint_unions_for(*, occupation: str, city: Union) -> tuple[list[Union], bool]:
    """The industry joint unions in ``city``'s subtree for ``occupation``: those whose name has the
    occupation's keyword, or else all of the city's joint unions. The flag says whether it matched."""
    joint = Union.objects.active().filter(kind=UnionKind.JOINT, path__startswith=city.path).select_related("parent")
    keyword = OCCUPATION_KEYWORDS.get(occupation, "")
    if keyword:
        matched = list(joint.filter(name__contains=keyword).order_by("level", "name"))
        if matched:
            return matched, True
    return list(joint.order_by("level", "name")), False


def joint_union_pickable(key: Any) -> Union:
    union = Union.objects.active().filter(uuid=key, kind=UnionKind.JOINT).first() if is_uuid(key) else None
    if union is None:
        raise NotFound("未找到该工会联合会")
    return union


def union_by_join_code(code: str) -> Union:
    union = Union.objects.active().filter(join_code=(code or "").strip()[:20]).select_related("parent").first()
    if union is None:
        raise NotFound("入会码无效或工会已停用")
    return union


def drive_by_code(code: str, *, today: date | None = None) -> EnrollmentDrive:
    """A drive that is open today (raises NotFound or Conflict with the reason otherwise)."""
    drive = (EnrollmentDrive.objects.filter(code=(code or "").strip()[:20], union__is_active=True)
             .select_related("union").first())
    if drive is None:
        raise NotFound("集中入会码无效")
    drive_check_open(drive, today=today)
    return drive


def drive_check_open(drive: EnrollmentDrive, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if drive.starts_on > today:
        raise Conflict(f"“{drive.name}”将于{drive.starts_on:%Y年%m月%d日}开始，请届时再来", code="drive_not_started")
    if drive.ends_on is not None and drive.ends_on < today:
        raise Conflict(f"“{drive.name}”已于{drive.ends_on:%Y年%m月%d日}结束，可直接申请加入工会", code="drive_ended")


def union_or_code(code: str) -> tuple[Union, EnrollmentDrive | None]:
    """What a typed join code opens: a union's own code or a drive's code."""
    code = (code or "").strip()
    union = Union.objects.active().filter(join_code=code[:20]).first() if code else None
    if union is not None:
        return union, None
    drive = drive_by_code(code)
    return drive.union, drive



# --- The worker's side -------------------------------------------------------------------------------


def _current_membership(*, applicant: User, id_index: str | None) -> None:
    """Refuse people already in the registry. The union is named only to its own member."""
    condition = (Q(user=applicant) | Q(id_index=id_index)) if id_index else Q(user=applicant)
    existing = Member.objects.filter(condition).select_related("union").first()
    if existing is None:
        return
    own = existing.user_id == applicant.pk
    if existing.status == MemberStatus.LEFT and existing.anonymized_at is None:
        return  # a former member may apply again: approval restores the record (member_restore)
    if existing.status in (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING):
        where = f"，所在工会：{existing.union.name}" if own else ""
        # The same words whether or not the record is bound: they must not tell whose record it is.
        hint = "" if own else "。如您的信息由工会登记（花名册导入），可在“我的”→“实名认证”绑定会员信息"
        raise Conflict(f"您已是工会会员{where}，无需重复申请{hint}", code="already_member",
                       detail={"union": existing.union.name} if own else None)
    where = f"（{existing.get_status_display()}，{existing.union.name}）" if own else ""
    raise Conflict(f"系统中已有您的会籍记录{where}，请联系工会办理恢复会籍，或拨打12351咨询",
                   code="member_record_exists")


def _choice(value: str, choices: Any, label: str, field_name: str) -> str:
    value = (value or "").strip()
    if value and value not in choices.values:
        raise ValidationFailed(f"请选择{label}", detail={field_name: f"请选择{label}"})
    return value


def application_submit(*, applicant: User, union: Union, name: str, id_number: str, phone: str,
                       notice_version: str, consented_at: datetime | None, education: str = "",
                       household: str = "", employment_form: str = EmploymentForm.REGULAR,
                       gig_occupation: str = "", employer: Employer | None = None, employer_name: str = "",
                       drive: EnrollmentDrive | None = None) -> JoinApplication:
    """A signed-in worker applies to join ``union``.

    Preconditions: ``union``, ``employer`` and ``drive`` came through the public pickers above.
    Raises ValidationFailed (consent, details), Conflict when the person is already a member or
    already has a pending application, or the union or drive is closed.
    """
    if notice_version != NOTICE_VERSION or consented_at is None:
        raise ValidationFailed(f"请先阅读并单独同意《{NOTICE_TITLE}》", code="consent_required",
                               detail={"consent": "请勾选同意"})
    name = clean_person_name(name, label="真实姓名")
    identity = clean_id_number(id_number)
    phone = clean_phone(phone)
    employment_form, gig_occupation = clean_gig(employment_form, gig_occupation)
    education = _choice(education, Education, "学历", "education")
    household = _choice(household, Household, "户籍类型", "household")
    if not union.is_active:
        raise Conflict("该工会已停用，请选择其他工会")
    if drive is not None:
        drive_check_open(drive)
        if not union.is_in_subtree_of(drive.union):
            raise ValidationFailed("所选工会不属于该集中入会活动")
    _current_membership(applicant=applicant, id_index=lookup_index(JoinApplication, "id_index", identity.number))
    if _has_pending(applicant):
        raise Conflict(PENDING_MESSAGE, code="application_pending")
    application = JoinApplication(
        applicant=applicant, union=union, drive=drive, name=name, id_number=identity.number, phone=phone,
        education=education, household=household, employment_form=employment_form, gig_occupation=gig_occupation,
        employer=employer, employer_name=employer.name[:200] if employer else clean_text(
            employer_name, field="employer_name", label="工作单位", max_length=200, required=False),
        notice_version=notice_version, consented_at=consented_at,
    )
    try:
        with transaction.atomic():
            application.save()
            audit.record("member.application_submit", actor=applicant, obj=application, union=union,
                         detail={"drive": str(drive.uuid) if drive else None, "notice_version": notice_version})
            notify(applicant, "入会申请已提交",
                   f"您申请加入“{union.name}”的入会申请已提交，工会一般在{OVERDUE_WORKDAYS}个工作日内审核。",
                   url=reverse("members:join_status"))
    except IntegrityError:
        # Lost a race the check above cannot see: joinapp_one_pending_per_account (the same account
        # submitted in parallel) or joinapp_one_pending (the same ID number, a double tap).
        if _has_pending(applicant):
            raise Conflict(PENDING_MESSAGE, code="application_pending") from None
        raise Conflict("该身份证号码已有待审核的入会申请，请勿重复提交", code="application_pending") from None
    return application


PENDING_MESSAGE = "您已有一份待审核的入会申请，请等待审核结果，或撤回后重新申请"


def _has_pending(applicant: User) -> bool:
    return JoinApplication.objects.filter(applicant=applicant, status=ApplicationStatus.PENDING).exists()


def application_withdraw(*, applicant: User, application: JoinApplication) -> JoinApplication:
    """The applicant takes back a pending application. Others' applications are not found."""
    if application.applicant_id != getattr(applicant, "pk", None):
        raise NotFound()
    _require_pending(application)
    now = timezone.now()
    with transaction.atomic():
        transition(application, to=ApplicationStatus.WITHDRAWN, from_=[ApplicationStatus.PENDING],
                   changes={"decided_at": now}, stamp=None, message=DECIDED_MESSAGE, code="application_decided",
                   audit="member.application_withdraw", actor=applicant, union=application.union)
    return application


def applications_of(user: Any) -> QuerySet[JoinApplication]:
    """The signed-in worker's own applications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return JoinApplication.objects.none()
    return (JoinApplication.objects.filter(applicant=user).select_related("union", "drive", "member")
            .order_by("-submitted_at", "-id"))


# --- Staff decisions -------------------------------------------------------------------------------------


def _require_pending(application: JoinApplication) -> None:
    if application.status != ApplicationStatus.PENDING:
        label = ApplicationStatus(application.status).label
        raise Conflict(f"该申请已处理（{label}），不能重复办理", code="application_decided")


def application_approve(*, actor: User, application: JoinApplication) -> Member:
    """Approve: register the member (card number, history row "join"), link the worker's account.

    Preconditions: ``application`` came through access_application(actor, …, write=True).
    """
    _require_pending(application)
    applicant = application.applicant
    if (Member.objects.filter(user=applicant)
            .exclude(status=MemberStatus.LEFT, id_index=application.id_index).exists()):
        raise Conflict("申请人的账号已关联会员信息，无需再次入会", code="already_member")
    union = application.union
    reason = "入会申请审核通过" + (f"（集中入会：{application.drive.name}）" if application.drive_id else "")
    with transaction.atomic():
        transition(application, to=ApplicationStatus.APPROVED, from_=[ApplicationStatus.PENDING],
                   changes={"decided_at": timezone.now(), "decided_by": actor}, stamp=None,
                   message=DECIDED_MESSAGE, code="application_decided")
        details = {"actor": actor, "union": union, "name": application.name, "phone": application.phone,
                   "user": applicant, "employer": application.employer,
                   "employment_form": application.employment_form, "gig_occupation": application.gig_occupation,
                   "education": application.education, "household": application.household,
                   "notice_version": application.notice_version, "consented_at": application.consented_at}
        # A former member (退会) rejoins on their old record, history kept, instead of tripping the
        # registry's unique ID index; the row lock keeps two approvals from restoring it twice.
        former = (Member.objects.select_for_update().filter(id_index=application.id_index, status=MemberStatus.LEFT,
                                                            anonymized_at__isnull=True).first())
        if former is not None:
            member = member_restore(member=former, reason=reason.replace("入会申请", "重新入会申请"), **details)
        else:
            member = member_create(id_number=application.id_number, event="join", reason=reason, **details)
        JoinApplication.objects.filter(pk=application.pk).update(member=member)
        application.member = member
        audit.record("member.application_approve", actor=actor, obj=application, union=union,
                     detail={"member": str(member.uuid)})
        notify(applicant, f"入会申请已通过，会员卡号 {member.card_no}",
               f"欢迎加入“{union.name}”！您的会员卡号是 {member.card_no}，点此打开电子会员卡。",
               url=reverse("members:card"), sms=True)
        events.publish("member.joined", member_id=member.pk, union_id=union.pk)
    return member


def application_reject(*, actor: User, application: JoinApplication, reason: str) -> JoinApplication:
    """Reject with a reason the worker will read. Preconditions as for ``application_approve``."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("请填写不通过的原因，申请人会看到这条说明", code="reason_required",
                               detail={"reason": "请填写不通过的原因"})
    if len(reason) > 300:
        raise ValidationFailed("原因不超过300个字", detail={"reason": "原因不超过300个字"})
    _require_pending(application)
    with transaction.atomic():
        transition(application, to=ApplicationStatus.REJECTED, from_=[ApplicationStatus.PENDING],
                   changes={"reason": reason, "decided_at": timezone.now(), "decided_by": actor}, stamp=None,
                   message=DECIDED_MESSAGE, code="application_decided",
                   audit="member.application_reject", actor=actor, union=application.union,
                   detail={"reason": reason})
        notify(application.applicant, "入会申请未通过",
               f"您申请加入“{application.union.name}”未通过审核。原因：{reason}。如有疑问请联系该工会或拨打12351。",
               url=reverse("members:join_status"), sms=True)
    return application


@dataclass
class BatchResult:
    approved: int = 0
    failed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


def applications_approve_batch(*, actor: User, keys: Iterable[Any]) -> BatchResult:
    """Approve many applications (集中入会), each on its own: one failure does not undo the others.

    Each key goes through access_application(actor, key, write=True) here, so a key outside the
    actor's scope is reported like a missing one.
    """
    unique = list(dict.fromkeys(str(k) for k in keys))
    if not unique:
        raise ValidationFailed("请先勾选要通过的申请")
    if len(unique) > MAX_BATCH:
        raise ValidationFailed(f"一次最多批量通过{MAX_BATCH}份申请")
    result = BatchResult()
    for key in unique:
        label = ""
        try:
            application = access_application(actor, key, write=True)
            label = application.masked_name
            with transaction.atomic():
                result.members.append(application_approve(actor=actor, application=application))
        except DomainError as exc:
            result.failed += 1
            result.errors.append({"uuid": key, "name": label, "message": exc.message})
        else:
            result.approved += 1
    return result


# --- Mass enrollment drives ----------------------------------------------------------------------------


def drive_create(*, actor: User, union: Union, name: str, starts_on: date | None = None,
                 ends_on: date | None = None) -> EnrollmentDrive:
    """Start a named drive with its own join code. Preconditions: ``union`` came through
    access_union_for_work(actor, …)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed("请填写活动名称（不超过100个字）", detail={"name": "请填写活动名称"})
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期", detail={"ends_on": "结束日期不能早于开始日期"})
    if not union.is_active:
        raise Conflict("该工会已停用")
    with transaction.atomic():
        drive = EnrollmentDrive.objects.create(union=union, name=name, starts_on=starts_on, ends_on=ends_on,
                                               created_by=actor if getattr(actor, "pk", None) else None)
        audit.record("member.drive_create", actor=actor, obj=drive, union=union,
                     detail={"code": drive.code})
    return drive


def drives_with_counts(queryset: QuerySet[EnrollmentDrive]) -> QuerySet[EnrollmentDrive]:
    """Each drive with ``joined`` (members who joined through it) and ``pending`` applications."""
    return queryset.select_related("union").annotate(
        joined=Count("applications", filter=Q(applications__status=ApplicationStatus.APPROVED)),
        pending=Count("applications", filter=Q(applications__status=ApplicationStatus.PENDING)),
    )


# --- The staff queue ------------------------------------------------------------------------------------


def submitted_on(application: JoinApplication) -> date:
    return timezone.localdate(application.submitted_at)


def overdue_since(today: date | None = None) -> datetime:
    """Pending applications submitted before this moment have waited more than OVERDUE_WORKDAYS."""
    today = today or timezone.localdate()
    day = today
    while add_workdays(day, OVERDUE_WORKDAYS) >= today:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def mark_waiting(applications: Iterable[JoinApplication], today: date | None = None) -> None:
    """Set ``waiting_days`` (working days since submission) and ``overdue`` on each application."""
    today = today or timezone.localdate()
    for application in applications:
        start = submitted_on(application)
        pending = application.status == ApplicationStatus.PENDING
        application.waiting_days = workdays_between(start, today) if pending else 0  # type: ignore[attr-defined]
        application.overdue = pending and add_workdays(start, OVERDUE_WORKDAYS) < today  # type: ignore[attr-defined]


STATUS_FILTERS = {"pending", "approved", "rejected", "withdrawn", "all"}


def application_queue(user: Any, params: Mapping[str, str]) -> tuple[QuerySet[JoinApplication], dict[str, str]]:
    """Applications visible to ``user``, narrowed (never widened) by the queue's parameters; oldest first."""
    filters = {k: (params.get(k) or "").strip()[:60] for k in ("status", "union", "drive", "q", "overdue")}
    if filters["status"] not in STATUS_FILTERS:
        filters["status"] = "pending"
    qs = JoinApplication.objects.visible_to(user).select_related("union", "drive", "employer")
    if filters["status"] != "all":
        qs = qs.filter(status=filters["status"])
    if filters["union"]:
        union = Union.objects.visible_to(user).filter(uuid=filters["union"]).first() if is_uuid(
            filters["union"]) else None
        qs = qs.filter(union__path__startswith=union.path) if union else qs.none()
    if filters["drive"]:
        drive = EnrollmentDrive.objects.visible_to(user).filter(uuid=filters["drive"]).first() if is_uuid(
            filters["drive"]) else None
        qs = qs.filter(drive=drive) if drive else qs.none()
    if filters["q"]:
        index = lookup_index(JoinApplication, "id_index", filters["q"])
        condition = Q(name__icontains=filters["q"])
        qs = qs.filter(condition | Q(id_index=index) if index else condition)
    if filters["overdue"] == "1":
        qs = qs.filter(status=ApplicationStatus.PENDING, submitted_at__lt=overdue_since())
    return qs.order_by("submitted_at", "id"), filters
