"""Taking requests in: the worker's own submission (H5 and API), the hotline operator's record of a
call, repeats of the same matter, the claimants of a collective case, and later attachments.

Where a ticket lands (分级主办): the worker's union when they are a member, else the union of the
employer they name, else the union of the place they pick. Of that union and the ones above it, the
nearest that has writing staff takes it, so that no ticket waits at a union nobody works at.

The same open matter from the same person (same phone, kind, employer and text) is one ticket: a
second submission is recorded on the first as a repeat (重复来件). A partial unique index on the
fingerprint keeps that true under concurrent submissions too.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import audit, events, transitions
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.fields import lookup_index
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.validation import clean_phone
from gonghui.lib.text import clean_line
from gonghui.members.models import Member
from gonghui.unions.models import Employer, Union

from ..models import (
    OPEN_STATUSES,
    Action,
    Channel,
    Claimant,
    Kind,
    Stage,
    Ticket,
    Tier,
    Topic,
)
from . import uploads
from .common import ANONYMOUS_LABEL, audited_actor, clean_note, clean_text, due_date, event, tell_unit

TITLE_MAX = 60
HEADCOUNT_MAX = 100_000
DEFAULT_TOPIC = {Kind.HAZARD: Topic.SAFETY, Kind.SUGGESTION: Topic.MANAGEMENT, Kind.DISPUTE: Topic.CONTRACT}

if TYPE_CHECKING:
    from gonghui.accounts.models import User


@dataclass(frozen=True)
class Intake:
    """The outcome of a submission: the ticket, and whether it was linked to an open one (a repeat)."""

    ticket: Ticket
    linked: bool = False


# --- Routing on arrival -------------------------------------------------------------------------------------------


def nearest_staffed(union: Union) -> Union:
    """``union`` or the nearest union above it with active writing staff (``union`` if none has)."""
    from gonghui.accounts.models import StaffAssignment

    chain = [*union.ancestor_ids, union.pk]
    staffed = set(StaffAssignment.objects.filter(union_id__in=chain, role__in=list(WRITE_ROLES),
                                                 user__is_active=True, union__is_active=True)
                  .values_list("union_id", flat=True))
    for pk in reversed(chain):
        if pk in staffed:
            return union if pk == union.pk else Union.objects.get(pk=pk)
    return union


def responsible_union(*, member: Member | None, employer: Employer | None, place: Union | None) -> Union:
    """The union responsible for the worker: their own, else the employer's, else the place's."""
    base = member.union if member is not None else employer.union if employer is not None else place
    if base is None:
        raise ValidationFailed("请选择事发地所在的区县（工会）", detail={"union": "请选择事发地"})
    if not base.is_active:
        raise ValidationFailed("所选工会已停用，请选择其他工会", detail={"union": "该工会已停用"})
    return nearest_staffed(base)


def current_member(user: Any) -> Member | None:
    """The worker's membership if they belong to a union now (not transferred out, not left)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.current().select_related("union", "employer").filter(user=user).first()


def member_by_phone(phone: str) -> Member | None:
    index = lookup_index(Member, "phone_index", phone)
    if not index:
        return None
    return Member.objects.current().select_related("union", "employer", "user").filter(phone_index=index).first()


# --- The hotline operator's caller lookup ---------------------------------------------------------------------------

LOOKUP_LIMIT = 30  # caller lookups per operator …
LOOKUP_WINDOW = 60  # … per this many seconds (gonghui.core.ratelimit: the default cache)


@dataclass(frozen=True)
class CallerLookup:
    member: Member | None  # a current member inside the operator's scope, else None
    open_tickets: list[Ticket]  # the caller's open tickets inside the operator's scope


def may_register_calls(user: Any) -> bool:
    """The roles that take calls (来电登记): a writing role somewhere, or a superuser."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths(WRITE_ROLES))


def _operator_union(actor: User) -> Union | None:
    """Where a lookup without a match is filed in the audit log: the caller's first (top-most) grant."""
    paths = scope_of(actor).paths()
    return Union.objects.filter(path=paths[0]).first() if paths else None


def require_call_taker(actor: User) -> None:
    """Pass for call takers (may_register_calls); else write the refused attempt's audit row and raise
    Forbidden."""
    if may_register_calls(actor):
        return
    from gonghui.core.models import AuditResult

    audit.record("ticket.caller_lookup", actor=actor, union=_operator_union(actor), result=AuditResult.DENIED,
                 subject="来电号码匹配")
    raise Forbidden("只有工会工作人员可以登记来电")


def caller_lookup(*, actor: User, phone: str) -> CallerLookup:
    """Match a caller's phone to a member and their open tickets for the 来电登记 form.

    Scoped like every read: only members and tickets the operator may see are returned (a member of
    another branch is "no match", the same as an unknown number). Only call takers may look up;
    each lookup writes an audit row (the phone masked) and counts against a per-operator rate limit
    (LOOKUP_LIMIT per LOOKUP_WINDOW seconds). Raises Forbidden (audited), TooManyRequests (audited),
    ValidationFailed for a malformed number.
    """
    from gonghui.core import ratelimit
    from gonghui.core.errors import TooManyRequests
    from gonghui.core.models import AuditResult
    from gonghui.lib.masking import mask_phone

    require_call_taker(actor)
    phone = clean_phone(phone)
    detail: dict[str, Any] = {"phone": mask_phone(phone)}
    try:
        ratelimit.hit(f"appeals.caller_lookup:{actor.pk}", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW,
                      message="查询来电号码过于频繁，请稍后再试")
    except TooManyRequests:
        audit.record("ticket.caller_lookup", actor=actor, union=_operator_union(actor), result=AuditResult.DENIED,
                     subject="来电号码匹配", detail={**detail, "throttled": True})
        raise
    member = None
    index = lookup_index(Member, "phone_index", phone)
    if index:
        member = (Member.objects.visible_to(actor).current().select_related("union", "employer", "user")
                  .filter(phone_index=index).first())
    ticket_index = lookup_index(Ticket, "phone_index", phone)
    tickets = list(Ticket.objects.visible_to(actor).open().filter(phone_index=ticket_index)
                   .select_related("union")[:10]) if ticket_index else []
    audit.record("ticket.caller_lookup", actor=actor, obj=member,
                 union=member.union if member is not None else _operator_union(actor),
                 subject="来电号码匹配", detail={**detail, "matched": member is not None, "open_tickets": len(tickets)})
    return CallerLookup(member=member, open_tickets=tickets)


# --- Cleaning ------------------------------------------------------------------------------------------------------


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def fingerprint(*, phone_index: str | None, kind: str, employer_id: int | None, content: str) -> str:
    """Same person, kind, employer and text (ignoring spacing, punctuation, width): same matter."""
    if not phone_index:
        return ""
    text = _PUNCT.sub("", unicodedata.normalize("NFKC", content).lower())
    raw = f"{phone_index}|{kind}|{employer_id or ''}|{text}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _title(title: str, content: str) -> str:
    title = clean_line(title)
    if not title:
        title = clean_line(content)[:30]
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"标题不能超过{TITLE_MAX}个字", detail={"title": f"不能超过{TITLE_MAX}个字"})
    return title


def _coordinate(value: Any, *, limit: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError:
        raise ValidationFailed("位置坐标格式不正确", detail={field: "坐标格式不正确"}) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValidationFailed("位置坐标超出范围", detail={field: "坐标超出范围"})
    return number


@dataclass
class Draft:
    """A checked request, whoever typed it in."""

    kind: str
    title: str
    content: str
    topic: str
    anonymous: bool
    public: bool
    collective: bool
    headcount: int
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    files: list[uploads.Upload]


def clean_draft(*, kind: str, title: str = "", content: str, topic: str = "", anonymous: bool = False,
                public: bool = False, collective: bool = False, headcount: int | None = None, location: str = "",
                latitude: Any = None, longitude: Any = None, files: list[Any] | None = None) -> Draft:
    if kind not in Kind.values:
        raise ValidationFailed("请选择诉求类型", detail={"kind": "请选择诉求类型"})
    content = clean_text(content, label="诉求内容", field="content", minimum=5)
    if anonymous and kind != Kind.SUGGESTION:
        raise ValidationFailed("只有意见建议可以匿名提交", detail={"anonymous": "只有意见建议可以匿名"})
    if topic and topic not in Topic.values:
        raise ValidationFailed("请选择问题类别", detail={"topic": "问题类别不正确"})
    headcount = int(headcount or (2 if collective else 1))
    if collective and not 2 <= headcount <= HEADCOUNT_MAX:
        raise ValidationFailed("群体诉求的涉及人数至少2人", detail={"headcount": "涉及人数至少2人"})
    if not collective:
        headcount = 1
    location = clean_line(location)[:200]
    checked = uploads.check_uploads(list(files or []))
    if kind == Kind.HAZARD:
        if not any(f.is_image for f in checked):
            raise ValidationFailed("安全隐患请拍照上传现场照片", detail={"files": "请上传现场照片"})
        if not location:
            raise ValidationFailed("安全隐患请填写隐患所在地点", detail={"location": "请填写地点"})
    return Draft(kind=kind, title=_title(title, content), content=content,
                 topic=topic or DEFAULT_TOPIC.get(Kind(kind), Topic.OTHER), anonymous=anonymous, public=public,
                 collective=collective, headcount=headcount, location=location,
                 latitude=_coordinate(latitude, limit=90, field="latitude"),
                 longitude=_coordinate(longitude, limit=180, field="longitude"), files=checked)


# --- Creating -------------------------------------------------------------------------------------------------------


def _create(draft: Draft, *, actor: Any, channel: str, union: Union, submitter: Any, member: Member | None,
            person_name: str, phone: str | None, employer: Employer | None) -> Intake:
    from .numbers import next_case_number

    phone_index = lookup_index(Ticket, "phone_index", phone) if phone else None
    mark = fingerprint(phone_index=phone_index, kind=draft.kind, employer_id=getattr(employer, "pk", None),
                       content=draft.content)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        existing = _open_with(mark)
        if existing is not None:
            return Intake(_repeat(existing, actor=actor, channel=channel, files=draft.files), True)
        ticket = Ticket(
            kind=draft.kind, topic=draft.topic, title=draft.title, content=draft.content, channel=channel,
            submitter=submitter, member=member, person_name=person_name[:50], phone=phone, anonymous=draft.anonymous,
            public=draft.public, collective=draft.collective, headcount=draft.headcount, employer=employer,
            location=draft.location, latitude=draft.latitude, longitude=draft.longitude, union=union,
            tier=Tier.NORMAL, due_on=due_date(today, Tier.NORMAL), fingerprint=mark,
            repeat_of=_closed_with(mark), created_at=now, updated_at=now,
        )
        try:
            with transaction.atomic():  # a savepoint: the same matter submitted twice at once
                ticket.number = next_case_number(today)
                ticket.save()
        except IntegrityError:
            existing = _open_with(mark)
            if existing is None:
                raise
            return Intake(_repeat(existing, actor=actor, channel=channel, files=draft.files), True)
        uploads.store(ticket, draft.files, stage=Stage.INTAKE, actor=actor)
        by_call = channel == Channel.HOTLINE
        note = f"来电登记：{Channel(channel).label}" if by_call else f"通过{Channel(channel).label}提交"
        event(ticket, Action.CALL if by_call else Action.SUBMIT, actor=actor, note=note, to_union=union)
        who, label = audited_actor(ticket, actor)
        audit.record("ticket.call" if by_call else "ticket.submit", actor=who, label=label, obj=ticket,
                     anonymous=label == ANONYMOUS_LABEL,
                     detail={"number": ticket.number, "kind": ticket.kind, "channel": channel,
                             "files": len(draft.files), "anonymous": ticket.anonymous})
        tell_unit(ticket, f"新的12351诉求：{ticket.number}", f"{ticket.get_kind_display()}：{ticket.title}")
        events.publish("appeals.ticket_submitted", ticket_id=ticket.pk, union_id=union.pk, kind=ticket.kind)
    return Intake(ticket)


def _open_with(mark: str) -> Ticket | None:
    if not mark:
        return None
    return (Ticket.objects.select_related("union", "handler", "submitter")
            .filter(fingerprint=mark, status__in=OPEN_STATUSES).first())


def _closed_with(mark: str) -> Ticket | None:
    if not mark:
        return None
    return Ticket.objects.filter(fingerprint=mark).exclude(status__in=OPEN_STATUSES).order_by("-created_at").first()


def ticket_submit(*, actor: User, kind: str, content: str, title: str = "", topic: str = "",
                  employer: Employer | None = None, place: Union | None = None, location: str = "",
                  latitude: Any = None, longitude: Any = None, anonymous: bool = False, public: bool = False,
                  collective: bool = False, headcount: int | None = None, files: list[Any] | None = None,
                  channel: str = Channel.H5) -> Intake:
    """A signed-in worker's own request (H5 or API).

    Preconditions: ``actor`` is signed in. ``employer`` (the addressee of a suggestion, or the
    worker's workplace) and ``place`` come from public directories; a member's ticket lands at
    their union whatever they pick. Returns the new ticket, or the open one it repeats.
    """
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden("请先登录")
    draft = clean_draft(kind=kind, title=title, content=content, topic=topic, anonymous=anonymous, public=public,
                        collective=collective, headcount=headcount, location=location, latitude=latitude,
                        longitude=longitude, files=files)
    member = current_member(actor)
    if employer is None and member is not None and kind == Kind.SUGGESTION:
        employer = member.employer  # 我为企业献一计: addressed to the worker's own employer
    union = responsible_union(member=member, employer=employer, place=place)
    return _create(draft, actor=actor, channel=channel, union=union, submitter=actor, member=member,
                   person_name=member.name if member else actor.name, phone=actor.phone, employer=employer)


def ticket_register_call(*, actor: User, phone: str, caller_name: str = "", kind: str, content: str, title: str = "",
                         topic: str = "", employer: Employer | None = None, place: Union | None = None,
                         collective: bool = False, headcount: int | None = None, location: str = "") -> Intake:
    """A hotline operator records a call (来电登记). The caller is matched to a member by phone, and
    to their account, so the ticket shows among their own on the H5.

    Preconditions: ``actor`` holds a writing role somewhere (operators of any level take calls for
    the whole platform: 全国连通). Raises Forbidden otherwise.
    """
    scope = scope_of(actor)
    if not scope.is_superuser and not scope.paths(WRITE_ROLES):
        raise Forbidden("只有工会工作人员可以登记来电")
    phone = clean_phone(phone)
    draft = clean_draft(kind=kind, title=title, content=content, topic=topic, collective=collective,
                        headcount=headcount, location=location)
    member = member_by_phone(phone)
    caller = member.user if member is not None and member.user_id else None
    if caller is None:
        from gonghui.accounts.models import User

        caller = User.objects.by_phone(phone).filter(is_active=True).first()
    name = clean_line(caller_name)[:50] or (member.name if member else getattr(caller, "name", ""))
    union = responsible_union(member=member, employer=employer, place=place)
    return _create(draft, actor=actor, channel=Channel.HOTLINE, union=union, submitter=caller, member=member,
                   person_name=name, phone=phone, employer=employer)


def _repeat(ticket: Ticket, *, actor: User | None, channel: str, note: str = "",
            files: list[uploads.Upload] | None = None) -> Ticket:
    """Record a repeat of an open ticket. Preconditions: inside a transaction."""
    try:  # no new state: the count goes up while the ticket is still open
        transitions.transition(ticket, from_=OPEN_STATUSES, guard={"repeat_count": ticket.repeat_count},
                               changes={"repeat_count": ticket.repeat_count + 1})
    except Conflict:
        ticket.refresh_from_db()
        if ticket.status not in OPEN_STATUSES:
            raise Conflict("该工单已办结，请重新提交") from None
        return _repeat(ticket, actor=actor, channel=channel, note=note, files=files)
    if files:
        if ticket.attachments.count() + len(files) > uploads.max_files():
            raise ValidationFailed(f"每个工单最多上传{uploads.max_files()}个文件", detail={"files": "文件过多"})
        uploads.store(ticket, files, stage=Stage.INTAKE, actor=actor)
    text = f"{Channel(channel).label}再次反映同一事项" + (f"：{note}" if note else "")
    event(ticket, Action.REPEAT, actor=actor, note=text)
    who, label = audited_actor(ticket, actor)
    audit.record("ticket.repeat", actor=who, label=label, anonymous=label == ANONYMOUS_LABEL,
                 obj=ticket, detail={"number": ticket.number, "channel": channel, "repeat_count": ticket.repeat_count})
    tell_unit(ticket, f"工单{ticket.number}有重复来件（第{ticket.repeat_count}次），请加快办理", text)
    return ticket


def ticket_add_repeat(*, actor: User, ticket: Ticket, note: str = "", channel: str = Channel.H5) -> Ticket:
    """The worker asks again about an open ticket (补充说明/催办), or an operator links a call to it.

    Preconditions: ``ticket`` is the worker's own (own_ticket) or gated for the operator.
    """
    if ticket.status not in OPEN_STATUSES:
        raise Conflict("该工单已办结或已撤回，不能再补充；如仍有问题请重新提交")
    note = clean_note(note, label="补充说明", required=channel != Channel.HOTLINE)
    with transaction.atomic():
        return _repeat(ticket, actor=actor, channel=channel, note=note)


def claimant_add(*, actor: User, ticket: Ticket, name: str, phone: str) -> Claimant:
    """Add one person to a collective case (群体诉求); the ticket becomes collective.

    Preconditions: ``ticket`` gated with write. Raises Conflict when the phone is already listed.
    """
    name = clean_line(name)[:50]
    if not name:
        raise ValidationFailed("请填写诉求人姓名", detail={"name": "请填写姓名"})
    phone = clean_phone(phone)
    member = member_by_phone(phone)
    try:
        with transaction.atomic():
            claimant = Claimant.objects.create(ticket=ticket, name=name, phone=phone, member=member,
                                               added_by=actor if getattr(actor, "pk", None) else None)
            count = ticket.claimants.count()
            headcount = max(ticket.headcount, count + 1)
            Ticket.objects.filter(pk=ticket.pk).update(collective=True, headcount=headcount,
                                                       updated_at=timezone.now())
            ticket.collective, ticket.headcount = True, headcount
            event(ticket, Action.CLAIMANT, actor=actor, note=f"增加诉求人{claimant.masked_name}", shown=False)
            audit.record("ticket.claimant", actor=actor, obj=ticket,
                         detail={"number": ticket.number, "claimants": count, "member_matched": member is not None})
    except IntegrityError:
        raise Conflict("该诉求人已在名单中", code="claimant_listed", detail={"phone": "已在名单中"}) from None
    return claimant


def attachment_add(*, actor: User, ticket: Ticket, files: list[Any], stage: str = Stage.REPLY) -> list[Any]:
    """More photos or documents on a ticket: the worker's (intake, while open) or staff's.

    Preconditions: the worker's own ticket, or gated with write for staff.
    """
    if stage not in Stage.values:
        raise ValidationFailed("附件类别不正确")
    if not files:
        raise ValidationFailed("请选择要上传的文件", detail={"files": "请选择文件"})
    if stage == Stage.INTAKE and ticket.status not in OPEN_STATUSES:
        raise Conflict("该工单已办结，不能再上传材料")
    checked = uploads.check_uploads(list(files), already=ticket.attachments.count())
    with transaction.atomic():
        saved = uploads.store(ticket, checked, stage=stage, actor=actor)
        event(ticket, Action.ATTACH, actor=actor, note=f"上传{len(saved)}个文件（{Stage(stage).label}）",
              shown=stage != Stage.MEDIATION)
        who, label = audited_actor(ticket, actor)
        audit.record("ticket.attach", actor=who, label=label, anonymous=label == ANONYMOUS_LABEL,
                     obj=ticket, detail={"number": ticket.number, "stage": stage, "files": len(saved)})
    return saved
