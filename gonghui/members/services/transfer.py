"""会籍转移: a member moves from one union to another.

The member stays in the source union (status ``transferring``) until the target union accepts; the
union changes in the same guarded update that puts the status back to ``active``, so a member is
never between two unions. Both sides see the transfer; which side may do what is decided here:

* the member (for themself) or writing staff of the source side start it;
* writing staff of the source side release it (awaiting_release → awaiting_accept);
* writing staff of the target side accept it, or refuse it with a reason (the member stays);
* the member or writing staff of the source side cancel it while it is open.

Viewers and the other side's staff get Forbidden (403); who may not see it at all was already
turned away with a 404 by ``access_transfer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.selectors import nearest_writers
from gonghui.core import audit, events
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.transitions import transition
from gonghui.unions.models import Employer, Union, UnionLevel

from ..models import Member, MemberStatus, Transfer, TransferEvent, TransferStatus
from .registry import change_status

if TYPE_CHECKING:
    from gonghui.accounts.models import User

OPEN_STATUSES = (TransferStatus.AWAITING_RELEASE, TransferStatus.AWAITING_ACCEPT)
REASON_MAX = 300


# --- Who may act --------------------------------------------------------------------------------------------


def is_own_transfer(user: Any, transfer: Transfer) -> bool:
    """The signed-in worker is the member being transferred."""
    return bool(getattr(user, "is_authenticated", False) and transfer.member.user_id == user.pk)


def can_act_as_source(user: Any, transfer: Transfer) -> bool:
    return scope_of(user).can(transfer.from_union.path, WRITE_ROLES)


def can_act_as_target(user: Any, transfer: Transfer) -> bool:
    return scope_of(user).can(transfer.to_union.path, WRITE_ROLES)


def allowed_actions(user: Any, transfer: Transfer) -> set[str]:
    """What ``user`` may do with ``transfer`` now: a subset of release, accept, refuse, cancel."""
    actions: set[str] = set()
    if transfer.status == TransferStatus.AWAITING_RELEASE and can_act_as_source(user, transfer):
        actions.add("release")
    if transfer.status == TransferStatus.AWAITING_ACCEPT and can_act_as_target(user, transfer):
        actions |= {"accept", "refuse"}
    if transfer.status in OPEN_STATUSES and (can_act_as_source(user, transfer) or is_own_transfer(user, transfer)):
        actions.add("cancel")
    return actions


# --- Picking the target ---------------------------------------------------------------------------------------


def target_unions(q: str, *, exclude: Union | None = None, limit: int = 10) -> QuerySet[Union]:
    """Active unions a member can move to, by union name or by an employer's name.

    The union directory is public (no personal data), so this is not limited to anyone's scope.
    """
    q = " ".join((q or "").split())[:50]
    qs = Union.objects.active().filter(level__gte=UnionLevel.DISTRICT).select_related("parent")
    if not q:
        return qs.none()
    employer_unions = Employer.objects.filter(name__icontains=q).values("union_id")
    qs = qs.filter(Q(name__icontains=q) | Q(pk__in=employer_unions))
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("level", "name")[:limit]


def target_employers(q: str, *, limit: int = 10) -> QuerySet[Employer]:
    """Employers (with an active union) whose name matches: "my new job is at …"."""
    q = " ".join((q or "").split())[:50]
    if not q:
        return Employer.objects.none()
    return (Employer.objects.filter(name__icontains=q, union__is_active=True).select_related("union")
            .order_by("name")[:limit])


def resolve_target(*, union_key: Any = None, employer_key: Any = None) -> tuple[Union, Employer | None]:
    """The union (and new employer) a member is moving to, from public keys (UUIDs).

    Unions and employers are looked up among all active ones on purpose: a member may move to any
    branch, and the directory of unions and employers holds no personal data.
    """
    employer = None
    if employer_key:
        employer = (Employer.objects.select_related("union")
                    .filter(uuid=parse_uuid(employer_key), union__is_active=True).first())
        if employer is None:
            raise ValidationFailed("未找到该单位，请重新搜索", detail={"to_employer": "未找到该单位"})
    union = None
    if union_key:
        union = Union.objects.active().filter(uuid=parse_uuid(union_key)).first()
        if union is None:
            raise ValidationFailed("未找到该工会或已停用，请重新搜索", detail={"to_union": "未找到该工会"})
    elif employer is not None:
        union = employer.union
    if union is None:
        raise ValidationFailed("请选择转入的工会", detail={"to_union": "请选择转入的工会"})
    return union, employer


def parse_uuid(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Transitions ---------------------------------------------------------------------------------------------------


def _clean_reason(reason: str, *, required: bool = False, what: str = "原因") -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ValidationFailed(f"请填写{what}", detail={"reason": f"请填写{what}"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"{what}不能超过{REASON_MAX}字", detail={"reason": f"不能超过{REASON_MAX}字"})
    return reason


def _tell_member(transfer: Transfer, title: str, body: str = "") -> None:
    user = transfer.member.user
    if user is not None:
        notify(user, title, body, url=reverse("members:transfer_mine"))


def _tell_staff(transfer: Transfer, union: Union, title: str, *, skip: Any = None) -> None:
    url = reverse("members:transfer_detail", args=[transfer.uuid])
    for user in nearest_writers(union):
        if skip is None or user.pk != getattr(skip, "pk", None):
            notify(user, title, f"{transfer.member.masked_name}：{transfer.from_union.name} → {transfer.to_union.name}",
                   url=url)


MOVED = "该会籍转移的状态已变化，请刷新后重试"


def _step(transfer: Transfer, *, actor: User, from_status: str, to_status: str, note: str, action: str,
          union: Union | None = None, changes: dict[str, Any] | None = None) -> Transfer:
    """One transfer transition: the guarded update of the status, a timeline row and an audit row.

    Preconditions: inside the caller's transaction. Raises Conflict if someone else moved it first.
    """
    def timeline(before: str) -> None:
        TransferEvent.objects.create(transfer=transfer, from_status=before, to_status=to_status,
                                     actor=actor if getattr(actor, "pk", None) else None, note=note[:REASON_MAX])

    return transition(transfer, to=to_status, from_=[from_status], changes=changes, message=MOVED, code="conflict",
                      history=timeline, audit=action, actor=actor, union=union or transfer.from_union,
                      detail={"from": from_status, "to": to_status, "member": str(transfer.member.uuid)})


def transfer_start(*, actor: User, member: Member, to_union: Union, to_employer: Employer | None = None,
                   reason: str = "") -> Transfer:
    """Open a transfer of ``member`` to ``to_union`` (the member becomes ``transferring``).

    Preconditions: ``actor`` is the member's own user, or staff who got ``member`` through
    ``access_member`` — their write role at the member's union is checked here. A transfer started
    by the source side's staff counts as released at once (the source already agrees).
    Raises Conflict when the member already has an open transfer or is not an active member.
    """
    by_member = member.user_id is not None and getattr(actor, "pk", None) == member.user_id
    if not by_member and not scope_of(actor).can(member.union.path, WRITE_ROLES):
        raise Forbidden("只有转出工会的工作人员或会员本人可以发起会籍转移")
    if to_employer is not None and to_union is None:
        to_union = to_employer.union
    if to_union is None:
        raise ValidationFailed("请选择转入的工会", detail={"to_union": "请选择转入的工会"})
    if to_employer is not None and to_employer.union_id != to_union.pk:
        raise ValidationFailed("所选单位不属于转入的工会", detail={"to_employer": "单位与工会不一致"})
    if not to_union.is_active:
        raise ValidationFailed("转入的工会已停用，请选择其他工会", detail={"to_union": "该工会已停用"})
    if to_union.pk == member.union_id:
        raise ValidationFailed("转入的工会与当前所在工会相同", detail={"to_union": "请选择其他工会"})
    reason = _clean_reason(reason, required=by_member, what="转会原因")
    if member.status == MemberStatus.TRANSFERRING:
        raise Conflict("已有一项进行中的会籍转移，请等待办理完成或先撤销", code="transfer_open")
    if member.status != MemberStatus.ACTIVE:
        raise Conflict(f"当前会籍状态为「{member.get_status_display()}」，不能办理会籍转移", code="not_active")

    now = timezone.now()
    by_whom = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the constraint's IntegrityError must not spoil the outer one
                transfer = Transfer.objects.create(
                    member=member, from_union=member.union, to_union=to_union, to_employer=to_employer,
                    started_by_member=by_member, reason=reason, created_by=by_whom,
                    created_at=now, updated_at=now)
        except IntegrityError:
            # transfer_one_open_per_member: a second tap or a concurrent start by staff
            raise Conflict("已有一项进行中的会籍转移，请等待办理完成或先撤销", code="transfer_open") from None
        change_status(member=member, from_status=MemberStatus.ACTIVE, to_status=MemberStatus.TRANSFERRING,
                      event="transfer_start", actor=actor, reason=f"申请转入{to_union.name}")
        note = ("会员本人申请" if by_member else "转出工会发起") + (f"：{reason}" if reason else "")
        TransferEvent.objects.create(transfer=transfer, to_status=TransferStatus.AWAITING_RELEASE, actor=by_whom,
                                     note=note[:REASON_MAX])
        audit.record("transfer.start", actor=actor, obj=transfer, union=member.union,
                     detail={"to_union": str(to_union.uuid), "by_member": by_member, "member": str(member.uuid)})
        if by_member:
            _tell_staff(transfer, transfer.from_union, "有会员申请转出，请审核")
        else:
            _step(transfer, actor=actor, from_status=TransferStatus.AWAITING_RELEASE,
                  to_status=TransferStatus.AWAITING_ACCEPT, note="转出工会发起，同意转出",
                  action="transfer.release")
            _tell_member(transfer, "工会为您发起了会籍转移", f"转入：{to_union.name}，等待转入工会接收")
            _tell_staff(transfer, transfer.to_union, "有会员待转入，请接收")
    return transfer


def transfer_release(*, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    """The source union agrees to let the member go. Preconditions: ``transfer`` from access_transfer."""
    if not can_act_as_source(actor, transfer):
        raise Forbidden("只有转出工会的工作人员可以同意转出")
    if transfer.status != TransferStatus.AWAITING_RELEASE:
        raise Conflict("该会籍转移当前不是「待转出工会同意」状态")
    note = _clean_reason(note, what="说明")
    with transaction.atomic():
        _step(transfer, actor=actor, from_status=TransferStatus.AWAITING_RELEASE,
              to_status=TransferStatus.AWAITING_ACCEPT, note=note or "同意转出",
              action="transfer.release")
        _tell_member(transfer, "转出工会已同意您的会籍转移", f"等待{transfer.to_union.name}接收")
        _tell_staff(transfer, transfer.to_union, "有会员待转入，请接收", skip=actor)
    return transfer


def transfer_accept(*, actor: User, transfer: Transfer, employer: Employer | None = None, note: str = "") -> Transfer:
    """The target union takes the member in: the member's union changes and the status is active again.

    Preconditions: ``transfer`` from access_transfer. ``employer`` (or the one the member chose when
    starting) becomes the member's employer; it must belong to the target union's subtree.
    """
    if not can_act_as_target(actor, transfer):
        raise Forbidden("只有转入工会的工作人员可以接收")
    if transfer.status != TransferStatus.AWAITING_ACCEPT:
        raise Conflict("该会籍转移当前不是「待转入工会接收」状态")
    note = _clean_reason(note, what="说明")
    employer = employer or transfer.to_employer
    if employer is not None and not employer.union.path.startswith(transfer.to_union.path):
        raise ValidationFailed("所选单位不属于转入的工会", detail={"employer": "单位与工会不一致"})
    member = transfer.member
    with transaction.atomic():
        _step(transfer, actor=actor, from_status=TransferStatus.AWAITING_ACCEPT, to_status=TransferStatus.COMPLETED,
              note=note or "已接收", union=transfer.to_union, action="transfer.accept")
        change_status(member=member, from_status=MemberStatus.TRANSFERRING, to_status=MemberStatus.ACTIVE,
                      to_union=transfer.to_union, event="transfer_in", actor=actor,
                      reason=f"由{transfer.from_union.name}转入")
        if employer is not None:
            Member.objects.filter(pk=member.pk).update(employer=employer)
            member.employer = employer
        elif member.employer_id and not member.employer.union.path.startswith(transfer.to_union.path):
            # The old job belongs to the branch the member left; keeping it would count the member in
            # that employer's archive (会员人数) after they are gone.
            Member.objects.filter(pk=member.pk).update(employer=None)
            member.employer = None
        _tell_member(transfer, "会籍转移已完成", f"您已转入{transfer.to_union.name}")
        events.publish("member.transferred", member_id=member.pk, from_union_id=transfer.from_union_id,
                       to_union_id=transfer.to_union_id)
    return transfer


def transfer_refuse(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The target union refuses; the member stays in (returns to) the source union, active."""
    if not can_act_as_target(actor, transfer):
        raise Forbidden("只有转入工会的工作人员可以退回")
    if transfer.status != TransferStatus.AWAITING_ACCEPT:
        raise Conflict("该会籍转移当前不是「待转入工会接收」状态")
    reason = _clean_reason(reason, required=True, what="退回原因")
    with transaction.atomic():
        _step(transfer, actor=actor, from_status=TransferStatus.AWAITING_ACCEPT, to_status=TransferStatus.REFUSED,
              note=reason, union=transfer.to_union, action="transfer.refuse",
              changes={"refusal_reason": reason})
        change_status(member=transfer.member, from_status=MemberStatus.TRANSFERRING, to_status=MemberStatus.ACTIVE,
                      event="transfer_refused", actor=actor, reason=reason)
        _tell_member(transfer, "会籍转移被退回", f"{transfer.to_union.name}：{reason}")
        _tell_staff(transfer, transfer.from_union, "会员转移被转入工会退回", skip=actor)
    return transfer


def transfer_cancel(*, actor: User, transfer: Transfer, reason: str = "") -> Transfer:
    """The member or the source side withdraws an open transfer; the member is active in the source again."""
    own = is_own_transfer(actor, transfer)
    if not own and not can_act_as_source(actor, transfer):
        raise Forbidden("只有会员本人或转出工会的工作人员可以撤销")
    if transfer.status not in OPEN_STATUSES:
        raise Conflict("该会籍转移已办结，不能撤销")
    reason = _clean_reason(reason, what="撤销原因")
    with transaction.atomic():
        _close_open(transfer, actor=actor, note=reason or ("会员本人撤销" if own else "转出工会撤销"))
        if own:
            _tell_staff(transfer, transfer.from_union, "会员撤销了会籍转移申请")
        else:
            _tell_member(transfer, "您的会籍转移已被撤销", reason)
    return transfer


def _close_open(transfer: Transfer, *, actor: User, note: str,
                member_event: str = "transfer_cancelled") -> None:
    _step(transfer, actor=actor, from_status=transfer.status, to_status=TransferStatus.CANCELLED, note=note,
          action="transfer.cancel")
    change_status(member=transfer.member, from_status=MemberStatus.TRANSFERRING, to_status=MemberStatus.ACTIVE,
                  event=member_event, actor=actor, reason=note)


def transfer_cancel_for_erasure(*, actor: User, member: Member) -> bool:
    """Close the member's open transfer before their personal data is erased. Returns whether one was open.

    Preconditions: inside the caller's transaction; the caller handles a rights request for ``member``.
    """
    transfer = (Transfer.objects.select_related("member__union", "from_union", "to_union")
                .filter(member=member, status__in=OPEN_STATUSES).first())
    if transfer is None:
        return False
    transfer.member = member
    _close_open(transfer, actor=actor, note="会员申请删除个人信息，转移自动撤销")
    return True
