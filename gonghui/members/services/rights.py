"""Personal-information rights (《个人信息保护法》 articles 44–47) of a member.

A member sees and downloads everything stored about them, and asks for a correction, the withdrawal
of their consent or the deletion of their data. Staff of the member's union handle each request.
Withdrawal and deletion end in ``member_anonymize``: the person disappears from the registry while
the row stays, with what statistics count (union, gender, birth year, employment form, occupation,
join date, tags), so head counts and historical figures do not change.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.selectors import nearest_writers
from gonghui.core import audit, events
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import AuditLog
from gonghui.core.notify import notify, send_sms
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_phone
from gonghui.lib import crypto

from ..models import (
    Education,
    Household,
    JoinApplication,
    Member,
    MembershipHistory,
    MemberStatus,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    Transfer,
    TransferEvent,
    new_card_token,
)
from .registry import change_status, record_history
from .transfer import transfer_cancel_for_erasure

if TYPE_CHECKING:
    from gonghui.accounts.models import User

ANONYMIZED_NAME = "已注销会员"
ERASED_APPLICANT_NAME = "已注销"
# JoinApplication.id_number and .phone are NOT NULL. EncryptedTextField encrypts whatever a query
# writes (``get_prep_value``), so the placeholder is passed in plain and lands encrypted like any
# other value; a pre-encrypted string would be encrypted a second time.
ERASED_PLACEHOLDER = "-"
ERASING_KINDS = (RightsRequestKind.WITHDRAW_CONSENT, RightsRequestKind.DELETION)
CORRECTABLE = ("name", "phone", "education", "household")


def _dt(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- Seeing one's own data ----------------------------------------------------------------------------------


def member_applications(member: Member) -> Any:
    """The member's join applications: linked on approval, or submitted with the same ID number."""
    condition = Q(member=member)
    if member.id_index:
        condition |= Q(id_index=member.id_index)
    return JoinApplication.objects.filter(condition).select_related("union", "employer")


MY_DATA_LINK_EVERY = 10  # minutes between two SMS links of one member


def my_data_link_send(*, member: Member, actor: User, url: str) -> None:
    """Text the member a link to their data download (WeChat's browser blocks downloads).

    The link is the ordinary download address: opened in the phone's own browser it asks the member to
    sign in, so the text message carries no credential. At most one text every MY_DATA_LINK_EVERY minutes;
    audited ("member.self_export_link"). Preconditions: ``member`` is the caller's own record.
    """
    since = timezone.now() - timedelta(minutes=MY_DATA_LINK_EVERY)
    recent = AuditLog.objects.filter(action="member.self_export_link", object_key=str(member.uuid),
                                     created_at__gte=since).exists()
    if recent:
        raise Conflict(f"下载链接已发送，请查看短信；如未收到，请{MY_DATA_LINK_EVERY}分钟后再试")
    phone = getattr(actor, "phone", None)
    if not phone:
        raise ValidationFailed("您的账号没有手机号，无法发送短信")
    send_sms(phone, f"【工会】请在手机浏览器中打开并登录，下载您的个人信息：{url}")
    audit.record("member.self_export_link", actor=actor, obj=member, union=member.union)


def my_data_export(*, member: Member, actor: User | None = None) -> dict[str, Any]:
    """Everything stored about ``member``, unmasked: they are the data subject (PIPL art. 45).

    Preconditions: ``member`` is the caller's own record (``own_member``). Writes "member.self_export".
    """
    user = member.user
    data: dict[str, Any] = {
        "exported_at": _dt(timezone.now()),
        "notice": "以下是本平台保存的您的全部个人信息。请妥善保管本文件，不要转发给他人。",
        "member": {
            "uuid": str(member.uuid),
            "name": member.name,
            "id_number": member.id_number or "",
            "phone": member.phone or "",
            "gender": member.get_gender_display(),
            "birth_date": _day(member.birth_date),
            "education": member.get_education_display(),
            "household": member.get_household_display(),
            "employment_form": member.get_employment_form_display(),
            "gig_occupation": member.get_gig_occupation_display(),
            "employer": member.employer.name if member.employer_id else "",
            "union": member.union.name,
            "card_no": member.card_no or "",
            "join_date": _day(member.join_date),
            "status": member.get_status_display(),
            "model_worker_level": member.get_model_worker_level_display(),
            "craftsman": member.craftsman,
            "hardship_level": member.get_hardship_level_display(),
            "worker_representative": member.worker_representative,
            "notice_version": member.notice_version,
            "consented_at": _dt(member.consented_at),
            "created_at": _dt(member.created_at),
            "updated_at": _dt(member.updated_at),
        },
        "account": {
            "name": user.name, "phone": user.phone, "date_joined": _dt(user.date_joined),
        } if user is not None else None,
        "membership_history": [
            {"time": _dt(h.created_at), "event": h.event, "from_status": h.get_from_status_display(),
             "to_status": h.get_to_status_display(), "from_union": h.from_union.name if h.from_union_id else "",
             "to_union": h.to_union.name if h.to_union_id else "", "reason": h.reason}
            for h in MembershipHistory.objects.filter(member=member).select_related("from_union", "to_union")
        ],
        "transfers": [
            {"uuid": str(t.uuid), "from_union": t.from_union.name, "to_union": t.to_union.name,
             "status": t.get_status_display(), "reason": t.reason, "refusal_reason": t.refusal_reason,
             "created_at": _dt(t.created_at), "updated_at": _dt(t.updated_at)}
            for t in Transfer.objects.filter(member=member).select_related("from_union", "to_union")
        ],
        "join_applications": [
            {"uuid": str(a.uuid), "union": a.union.name, "name": a.name, "id_number": a.id_number,
             "phone": a.phone, "education": a.get_education_display(), "household": a.get_household_display(),
             "employment_form": a.get_employment_form_display(), "gig_occupation": a.get_gig_occupation_display(),
             "employer": a.employer.name if a.employer_id else a.employer_name, "status": a.get_status_display(),
             "reason": a.reason, "notice_version": a.notice_version, "consented_at": _dt(a.consented_at),
             "submitted_at": _dt(a.submitted_at), "decided_at": _dt(a.decided_at)}
            for a in member_applications(member)
        ],
        "rights_requests": [
            {"uuid": str(r.uuid), "kind": r.get_kind_display(), "details": r.details, "status": r.get_status_display(),
             "response": r.response, "created_at": _dt(r.created_at), "handled_at": _dt(r.handled_at)}
            for r in RightsRequest.objects.filter(member=member)
        ],
    }
    if user is not None:
        from gonghui.core.models import Notification

        data["notifications"] = [
            {"title": n.title, "body": n.body, "created_at": _dt(n.created_at), "read": n.read_at is not None}
            for n in Notification.objects.filter(recipient=user)[:500]
        ]
    audit.record("member.self_export", actor=actor, obj=member, union=member.union)
    return data


def my_identifier_reveal(*, member: Member, field: str, actor: User | None = None) -> str:
    """One of the member's own identifiers in full, for their own screen; audited ("member.self_reveal")."""
    if field not in ("id_number", "phone"):
        raise ValidationFailed("不支持查看该字段")
    audit.record("member.self_reveal", actor=actor, obj=member, union=member.union,
                 detail={"field": field})
    return getattr(member, field) or ""


# --- Requests ----------------------------------------------------------------------------------------------------


def rights_request_create(*, actor: User, member: Member, kind: str, details: str = "") -> RightsRequest:
    """The member asks for a correction, to withdraw consent or to delete their data.

    Preconditions: ``member`` is ``actor``'s own record. One pending request per kind: the member
    row is locked while checking, so two taps cannot both pass (there is no DB constraint for it).
    """
    if kind not in RightsRequestKind.values:
        raise ValidationFailed("请选择请求类型", detail={"kind": "请选择请求类型"})
    details = (details or "").strip()
    if kind == RightsRequestKind.CORRECTION and not details:
        raise ValidationFailed("请说明需要更正哪些信息、正确的内容是什么", detail={"details": "请填写需要更正的内容"})
    if len(details) > 1000:
        raise ValidationFailed("说明不能超过1000字", detail={"details": "不能超过1000字"})
    if member.anonymized_at is not None:
        raise Conflict("您的个人信息已删除")
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        if RightsRequest.objects.filter(member=member, kind=kind, status=RightsRequestStatus.PENDING).exists():
            label = RightsRequestKind(kind).label
            raise Conflict(f"您已有一项待处理的「{label}」请求，请等待工会处理", code="request_pending")
        rights_request = RightsRequest.objects.create(member=member, kind=kind, details=details)
        audit.record("rights.request", actor=actor, obj=rights_request, union=member.union,
                     detail={"kind": kind})
        for user in nearest_writers(member.union):
            notify(user, "有会员提交了个人信息权利请求", f"{RightsRequestKind(kind).label}：{member.masked_name}",
                   url=reverse("members:rights_handle", args=[rights_request.uuid]))
    return rights_request


def _correction(member: Member, correction: dict[str, Any]) -> list[str]:
    """Apply the non-empty fields of ``correction``; returns the names of the fields changed."""
    changed: list[str] = []
    name = " ".join(str(correction.get("name") or "").split())
    if name and name != member.name:
        if len(name) > 50:
            raise ValidationFailed("姓名不能超过50字", detail={"name": "不能超过50字"})
        member.name = name
        changed.append("name")
    phone = str(correction.get("phone") or "").strip()
    if phone:
        phone = clean_phone(phone)
        if phone != member.phone:
            member.phone = phone
            changed += ["phone", "phone_index"]
    for field, choices in (("education", Education), ("household", Household)):
        value = str(correction.get(field) or "")
        if value:
            if value not in choices.values:
                raise ValidationFailed("选项无效", detail={field: "选项无效"})
            if value != getattr(member, field):
                setattr(member, field, value)
                changed.append(field)
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
    return [f for f in changed if f != "phone_index"]


def rights_request_handle(*, actor: User, rights_request: RightsRequest, outcome: str, response: str = "",
                          correction: dict[str, Any] | None = None) -> RightsRequest:
    """Staff finish a request: ``done`` (for a correction, applying ``correction``; for a withdrawal
    or deletion, anonymizing the member) or ``rejected`` with a response.

    Preconditions: ``rights_request`` from access_rights_request(write=True); the write role at the
    member's union is checked again here.
    """
    member = rights_request.member
    if not scope_of(actor).can(member.union.path, WRITE_ROLES):
        raise Forbidden()
    if outcome not in (RightsRequestStatus.DONE, RightsRequestStatus.REJECTED):
        raise ValidationFailed("请选择处理结果", detail={"outcome": "请选择处理结果"})
    response = " ".join((response or "").split())
    if outcome == RightsRequestStatus.REJECTED and not response:
        raise ValidationFailed("不予办理时请说明理由", detail={"response": "请填写理由"})
    if len(response) > 300:
        raise ValidationFailed("处理意见不能超过300字", detail={"response": "不能超过300字"})
    if rights_request.status != RightsRequestStatus.PENDING:
        raise Conflict("该请求已处理")
    user = member.user  # kept to tell them the outcome: anonymizing unlinks the account
    now = timezone.now()
    with transaction.atomic():
        transition(rights_request, to=outcome, from_=[RightsRequestStatus.PENDING],
                   changes={"response": response or "已办理", "handled_at": now, "handled_by": actor}, stamp=None,
                   message="该请求已被其他工作人员处理，请刷新", code="conflict")
        changed: list[str] = []
        if outcome == RightsRequestStatus.DONE and rights_request.kind == RightsRequestKind.CORRECTION:
            changed = _correction(member, correction or {})
            if changed:
                record_history(member, event="corrected", from_status=member.status, to_status=member.status,
                               from_union=member.union, to_union=member.union, actor=actor,
                               reason="应会员请求更正个人信息")
        audit.record("rights.handle", actor=actor, obj=rights_request, union=member.union,
                     detail={"kind": rights_request.kind, "outcome": outcome, "fields": changed})
        if outcome == RightsRequestStatus.DONE and rights_request.kind in ERASING_KINDS:
            member_anonymize(actor=actor, member=member, reason=RightsRequestKind(rights_request.kind).label)
        if user is not None:
            title = f"您的「{rights_request.get_kind_display()}」请求" + (
                "已办结" if outcome == RightsRequestStatus.DONE else "未予办理")
            notify(user, title, rights_request.response, url=reverse("members:my_data"))
    return rights_request


# --- Anonymization -------------------------------------------------------------------------------------------


def member_anonymize(*, actor: User, member: Member, reason: str) -> Member:
    """Erase the person from ``member`` and their records, keeping what statistics count.

    Kept: union, gender, birth year, employment form and occupation, employer, join date, tags, the
    history of unions and statuses. Erased: name, pinyin, ID number, phone (and their blind indexes),
    the account link, the consent record, the card (number and token), free-text reasons and details,
    and the personal fields of the member's join applications. The status becomes ``left``.
    Preconditions: inside or outside a transaction; the caller checked the right to do it.
    """
    if member.anonymized_at is not None:
        raise Conflict("该会员的个人信息已删除")
    now = timezone.now()
    with transaction.atomic():
        transfer_cancel_for_erasure(actor=actor, member=member)
        applications = list(member_applications(member).values_list("pk", flat=True))
        change_status(member=member, from_status=member.status, to_status=MemberStatus.LEFT, event="anonymized",
                      actor=actor, reason=f"{reason}，个人信息已匿名化")
        birth = date(member.birth_date.year, 1, 1) if member.birth_date else None
        Member.objects.filter(pk=member.pk).update(
            name=ANONYMIZED_NAME, name_pinyin="", name_initials="", id_number=None, id_index=None, phone=None,
            phone_index=None, user=None, notice_version="", consented_at=None, birth_date=birth, card_no=None,
            card_token=new_card_token(), card_token_rotated_at=now, anonymized_at=now, updated_at=now)
        # Free text written by or about the person may name them, their employer or their new job.
        MembershipHistory.objects.filter(member=member).update(reason="")
        Transfer.objects.filter(member=member).update(reason="", refusal_reason="")
        TransferEvent.objects.filter(transfer__member=member).update(note="")
        RightsRequest.objects.filter(member=member).update(details="")
        for pk in applications:
            # The blind index must not be derivable from the old number, and must differ per row so
            # that no two erased applications look like "the same person" (and the one-pending-per-
            # person constraint cannot trip): an HMAC of a random value under its own purpose.
            JoinApplication.objects.filter(pk=pk).update(
                name=ERASED_APPLICANT_NAME, id_number=ERASED_PLACEHOLDER, phone=ERASED_PLACEHOLDER,
                id_index=crypto.blind_index("erased", uuid.uuid4().hex), reason="")
        member.refresh_from_db()  # the audit row's label must be the erased name, not the person's
        audit.record("member.anonymize", actor=actor, obj=member, union=member.union,
                     detail={"reason": reason[:100], "applications": len(applications)})
        events.publish("member.anonymized", member_id=member.pk, union_id=member.union_id)
    return member
