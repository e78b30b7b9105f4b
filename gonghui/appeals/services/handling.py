"""Handling a ticket (分级主办): accept, assign down (交办), escalate up (上报), transfer across (转办),
supervise from above (督办), classify, reply and close, the worker's rating and one reopening,
withdrawal, and the follow-up call (回访).

Staff arrive with the ticket already gated (access.py: 404 out of scope, 403 for read-only roles);
the worker's transitions take the worker's own ticket (own_ticket). Each function checks the state,
then makes one guarded update with its timeline and audit rows (common.transition).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from gonghui.core import events
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.unions.models import Union

from ..models import (
    OPEN_STATUSES,
    Action,
    Priority,
    Rating,
    Status,
    Ticket,
    Tier,
    Topic,
)
from .common import (
    clean_note,
    clean_text,
    due_date,
    received_on,
    tell_unit,
    tell_worker,
    transition,
)
from .intake import nearest_staffed

# --- Who may do what ------------------------------------------------------------------------------------------------

if TYPE_CHECKING:
    from gonghui.accounts.models import User


def can_work_on(user: Any, ticket: Ticket) -> bool:
    return scope_of(user).can(ticket.union.path, WRITE_ROLES)


def can_supervise(user: Any, ticket: Ticket) -> bool:
    """A writing role at a union strictly above the owning one (督办 comes from above)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    path = ticket.union.path
    return any(g.role in WRITE_ROLES and path.startswith(g.path) and g.path != path for g in scope.grants)


def is_own(user: Any, ticket: Ticket) -> bool:
    return bool(getattr(user, "is_authenticated", False) and ticket.submitter_id == user.pk)


def can_handle_as(user: Any, union: Union) -> bool:
    """Whether ``user`` can be the handler (经办人) of a ticket owned by ``union``."""
    return bool(user is not None and user.is_active and scope_of(user).can(union.path, WRITE_ROLES))


def allowed_actions(user: Any, ticket: Ticket) -> set[str]:
    """The staff actions the ticket page offers ``user`` now."""
    actions: set[str] = set()
    if not can_work_on(user, ticket):
        return actions
    if ticket.status == Status.PENDING:
        actions.add("accept")
    if ticket.status in OPEN_STATUSES:
        actions |= {"assign", "transfer", "classify", "close", "claimant", "attach"}
        if ticket.union.parent_id:
            actions.add("escalate")
        if can_supervise(user, ticket):
            actions.add("supervise")
    if ticket.status == Status.CLOSED:
        actions |= {"follow_up", "attach"}
    if ticket.public:
        actions.add("unpublish")
    return actions


# --- Staff transitions ------------------------------------------------------------------------------------------------


def _must_be_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_STATUSES:
        raise Conflict(f"该工单当前为「{ticket.get_status_display()}」，不能办理")


def _tier_and_topic(ticket: Ticket, tier: str | None, topic: str | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if topic:
        if topic not in Topic.values:
            raise ValidationFailed("请选择问题类别", detail={"topic": "问题类别不正确"})
        changes["topic"] = topic
    if tier:
        if tier not in Tier.values:
            raise ValidationFailed("请选择办理时限档次", detail={"tier": "档次不正确"})
        if tier != ticket.tier:
            due = due_date(received_on(ticket), tier)
            changes.update(tier=tier, due_on=due, warned_on=None)
            if due >= timezone.localdate():
                changes["overdue"] = False
    return changes


def ticket_accept(*, actor: User, ticket: Ticket, tier: str | None = None, topic: str | None = None,
                  note: str = "") -> Ticket:
    """受理: the actor becomes the handler (pending → processing), optionally setting the tier.

    Preconditions: gated with write.
    """
    if ticket.status != Status.PENDING:
        raise Conflict("该工单已受理或已办结")
    changes = {**_tier_and_topic(ticket, tier, topic), "status": Status.PROCESSING, "handler": actor,
               "accepted_at": timezone.now()}
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.ACCEPT, expect=[Status.PENDING],
                   guard={"union_id": ticket.union_id}, changes=changes, handler=actor,
                   note=clean_note(note) or f"{ticket.union.name}已受理",
                   detail={"tier": ticket.tier})
        tell_worker(ticket, "您的诉求已受理", f"工单{ticket.number}由{ticket.union.name}办理")
    return ticket


def handler_unit(handler: Any, owner: Union) -> Union:
    """The unit a handler works at, for a ticket owned by ``owner``: their deepest writing grant at or
    below the owner (so "give it to 张三" hands it to 张三's street union), else the owner itself."""
    grants = [g for g in scope_of(handler).grants if g.role in WRITE_ROLES and g.path.startswith(owner.path)]
    if not grants:
        return owner
    deepest = max(grants, key=lambda g: len(g.path))
    return owner if deepest.union_id == owner.pk else Union.objects.get(pk=deepest.union_id)


def ticket_assign(*, actor: User, ticket: Ticket, to_union: Union | None, handler: User | None = None,
                  note: str = "") -> Ticket:
    """交办: hand the ticket down to a union below the owner, and/or to a handler (经办人).

    Preconditions: gated with write; ``to_union`` is the owner or below it (None: the handler's
    unit); ``handler`` (optional) holds a writing role covering ``to_union``. With a handler the
    ticket is being processed; without one it waits for the new unit to accept it.
    """
    _must_be_open(ticket)
    if to_union is None:
        if handler is None:
            raise ValidationFailed("请选择经办人或下级工会", detail={"handler": "请选择经办人"})
        to_union = handler_unit(handler, ticket.union)
    if not to_union.path.startswith(ticket.union.path):
        raise ValidationFailed("交办只能交给本单位或下级工会；其他单位请使用「转办」", detail={"union": "须为下级工会"})
    if not to_union.is_active:
        raise ValidationFailed("所选工会已停用", detail={"union": "该工会已停用"})
    if to_union.pk == ticket.union_id and handler is None:
        raise ValidationFailed("请选择经办人或下级工会", detail={"handler": "请选择经办人"})
    if handler is not None and not can_handle_as(handler, to_union):
        raise ValidationFailed("经办人必须是承办工会的工作人员", detail={"handler": "经办人不属于该工会"})
    note = clean_note(note)
    moved = to_union.pk != ticket.union_id
    old = ticket.union
    changes: dict[str, Any] = {"union": to_union, "handler": handler,
                               "status": Status.PROCESSING if handler is not None else Status.PENDING}
    if handler is not None and ticket.accepted_at is None:
        changes["accepted_at"] = timezone.now()
    text = (f"交办至{to_union.name}" if moved else "指派经办人") + (f"，经办人：{handler.name}" if handler else "")
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.ASSIGN, expect=OPEN_STATUSES,
                   guard={"union_id": old.pk}, changes=changes, note=f"{text}。{note}" if note else text,
                   from_union=old, to_union=to_union, handler=handler, shown=moved,
                   audit_union=old, detail={"to_union": str(to_union.uuid), "handler": getattr(handler, "pk", None)})
        tell_unit(ticket, f"交办工单：{ticket.number}", f"{old.name}交办：{ticket.title}", skip=actor)
    return ticket


def ticket_escalate(*, actor: User, ticket: Ticket, reason: str) -> Ticket:
    """上报: hand the ticket up to the owner's parent union, with the reason. It waits there to be accepted."""
    _must_be_open(ticket)
    parent = ticket.union.parent
    if parent is None:
        raise Conflict("已是最高一级工会，不能再上报")
    if not parent.is_active:
        raise Conflict("上级工会已停用，不能上报")
    reason = clean_note(reason, label="上报原因", required=True)
    return _hand_over(ticket, actor=actor, action=Action.ESCALATE, to=parent, note=f"上报至{parent.name}：{reason}",
                      title=f"下级上报工单：{ticket.number}", body=f"{ticket.union.name}上报：{reason}")


def ticket_transfer(*, actor: User, ticket: Ticket, to_union: Union, reason: str) -> Ticket:
    """转办: hand the ticket to another branch (the worker's union elsewhere, the place it happened).

    Any active union may receive it (the tree is public); the nearest one with staff takes it. The
    sending unit no longer sees it unless it is above the new owner.
    """
    _must_be_open(ticket)
    if not to_union.is_active:
        raise ValidationFailed("所选工会已停用", detail={"union": "该工会已停用"})
    target = nearest_staffed(to_union)
    if target.pk == ticket.union_id:
        raise ValidationFailed("请选择其他工会", detail={"union": "与当前承办单位相同"})
    reason = clean_note(reason, label="转办原因", required=True)
    via = "" if target.pk == to_union.pk else f"（{to_union.name}暂无工作人员，由{target.name}承办）"
    return _hand_over(ticket, actor=actor, action=Action.TRANSFER, to=target,
                      note=f"转办至{target.name}{via}：{reason}", title=f"转办工单：{ticket.number}",
                      body=f"{ticket.union.name}转来：{reason}")


def _hand_over(ticket: Ticket, *, actor: User, action: Action, to: Union, note: str, title: str, body: str) -> Ticket:
    """Move an open ticket from its union to ``to`` (上报, 转办): unassigned and pending there until
    someone accepts it; the history row names both unions, the audit row stays with the sender's, and
    the staff of ``to`` are told (``title``, ``body``)."""
    old = ticket.union
    with transaction.atomic():
        transition(ticket, actor=actor, action=action, expect=OPEN_STATUSES, guard={"union_id": old.pk},
                   changes={"union": to, "handler": None, "status": Status.PENDING},
                   note=note, from_union=old, to_union=to, audit_union=old, detail={"to_union": str(to.uuid)})
        tell_unit(ticket, title, body)
    return ticket


def ticket_supervise(*, actor: User, ticket: Ticket, note: str) -> Ticket:
    """督办: an upper level presses for a ticket; its priority rises and the handler is told.

    Preconditions: gated with write; ``actor`` works at a union above the owner (else Forbidden).
    """
    if not can_supervise(actor, ticket):
        raise Forbidden("督办须由承办单位的上级工会发起")
    _must_be_open(ticket)
    note = clean_note(note, label="督办意见", required=True)
    priority = min(ticket.priority + 1, Priority.KEY)
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.SUPERVISE, expect=OPEN_STATUSES,
                   guard={"supervised_count": ticket.supervised_count},
                   changes={"priority": priority, "supervised_count": ticket.supervised_count + 1},
                   note=f"上级工会督办：{note}", detail={"priority": priority})
        tell_unit(ticket, f"【督办】工单{ticket.number}", note)
    return ticket


def ticket_classify(*, actor: User, ticket: Ticket, tier: str | None = None, topic: str | None = None) -> Ticket:
    """定级: set the deadline tier (the due date is recomputed from the day received) and the topic."""
    _must_be_open(ticket)
    changes = _tier_and_topic(ticket, tier, topic)
    if not changes:
        return ticket
    label = Tier(changes.get("tier", ticket.tier)).label
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.CLASSIFY, expect=OPEN_STATUSES, changes=changes,
                   note=f"办理时限：{label}，问题类别：{Topic(changes.get('topic', ticket.topic)).label}",
                   shown=False, detail={k: str(v) for k, v in changes.items()})
    return ticket


def ticket_close(*, actor: User, ticket: Ticket, reply: str) -> Ticket:
    """答复办结: the reply goes to the worker and the ticket closes; on time if closed by the due date.

    Preconditions: gated with write. A ticket closed straight from pending is accepted by the closer.
    """
    _must_be_open(ticket)
    reply = clean_text(reply, label="答复内容", field="reply", minimum=5)
    now = timezone.now()
    on_time = timezone.localtime(now).date() <= ticket.due_on
    changes: dict[str, Any] = {"status": Status.CLOSED, "reply": reply, "replied_by": actor, "closed_at": now,
                               "on_time": on_time, "handler": ticket.handler or actor}
    if ticket.accepted_at is None:
        changes["accepted_at"] = now
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.CLOSE, expect=OPEN_STATUSES, guard={"union_id": ticket.union_id},
                   changes=changes, note=reply, detail={"on_time": on_time})
        tell_worker(ticket, "您的诉求已办结，请评价", f"工单{ticket.number}：{reply[:60]}")
        events.publish("appeals.ticket_closed", ticket_id=ticket.pk, union_id=ticket.union_id, on_time=on_time)
    return ticket


def ticket_follow_up(*, actor: User, ticket: Ticket, note: str, rating: str = "") -> Ticket:
    """回访: staff record a call back to the worker after closing. When the worker has not rated the
    ticket, the satisfaction they gave on the phone may be recorded (回访满意度) — once, guarded like
    the worker's own rating."""
    if ticket.status != Status.CLOSED:
        raise Conflict("工单办结后才能回访")
    note = clean_note(note, label="回访记录", required=True)
    changes: dict[str, Any] = {"followed_up_at": timezone.now()}
    guard: dict[str, Any] = {}
    if rating:
        if rating not in Rating.values:
            raise ValidationFailed("请选择满意度", detail={"rating": "请选择满意度"})
        if ticket.rating:
            raise Conflict("职工已评价，回访时不能再记录满意度")
        changes.update(rating=rating, rating_comment=f"回访：{note}"[:300], rated_at=changes["followed_up_at"])
        guard["rating"] = ""
    text = note + (f"（回访满意度：{Rating(rating).label}）" if rating else "")
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.FOLLOW_UP, expect=[Status.CLOSED], guard=guard,
                   changes=changes, note=text, shown=False, detail={"rating": rating})
        if rating:
            events.publish("appeals.ticket_rated", ticket_id=ticket.pk, union_id=ticket.union_id, rating=rating)
    return ticket


def ticket_unpublish(*, actor: User, ticket: Ticket, reason: str) -> Ticket:
    """取消公开: take a ticket off the public message board (personal details in the text, abuse …).

    Preconditions: gated with write. The worker is told why.
    """
    if not ticket.public:
        raise Conflict("该工单未公开")
    reason = clean_note(reason, label="取消公开的原因", required=True)
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.UNPUBLISH, expect=Status.values, guard={"public": True},
                   changes={"public": False}, note=f"不在留言板公开：{reason}")
        tell_worker(ticket, "您的诉求不在留言板公开", reason)
    return ticket


# --- The worker's transitions ---------------------------------------------------------------------------------------


def _own(actor: Any, ticket: Ticket) -> None:
    if not is_own(actor, ticket):
        raise NotFound()


def ticket_rate(*, actor: User, ticket: Ticket, rating: str, comment: str = "") -> Ticket:
    """The worker rates the closing once: 满意 / 基本满意 / 不满意 (guarded: rating still empty)."""
    _own(actor, ticket)
    if ticket.status != Status.CLOSED:
        raise Conflict("工单办结后才能评价")
    if ticket.rating:
        raise Conflict("您已评价过该工单")
    if rating not in Rating.values:
        raise ValidationFailed("请选择满意度", detail={"rating": "请选择满意度"})
    comment = clean_note(comment, label="评价意见")[:300]
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.RATE, expect=[Status.CLOSED], guard={"rating": ""},
                   changes={"rating": rating, "rating_comment": comment, "rated_at": timezone.now()},
                   note=Rating(rating).label + (f"：{comment}" if comment else ""),
                   detail={"rating": rating})
        if rating == Rating.DISSATISFIED:
            tell_unit(ticket, f"职工对工单{ticket.number}不满意", comment or "请回访了解情况")
        events.publish("appeals.ticket_rated", ticket_id=ticket.pk, union_id=ticket.union_id, rating=rating)
    return ticket


def can_reopen(ticket: Ticket) -> bool:
    return ticket.status == Status.CLOSED and ticket.rating == Rating.DISSATISFIED and ticket.reopen_count == 0


def ticket_reopen(*, actor: User, ticket: Ticket, reason: str) -> Ticket:
    """Not satisfied: the worker sends the ticket back once. It is processed again by the same unit
    and handler with a fresh deadline; the rating is cleared for the next closing (the timeline keeps it).
    The CheckConstraint ``ticket_reopen_once`` holds the "once" even against a racing request.
    """
    _own(actor, ticket)
    if not can_reopen(ticket):
        if ticket.reopen_count:
            raise Conflict("每个工单只能申请重新办理一次")
        raise Conflict("评价为「不满意」的已办结工单才能申请重新办理")
    reason = clean_note(reason, label="不满意的原因", required=True)
    today = timezone.localdate()
    changes = {"status": Status.PROCESSING, "reopen_count": 1, "rating": "", "rating_comment": "", "rated_at": None,
               "closed_at": None, "on_time": None, "due_on": due_date(today, ticket.tier), "overdue": False,
               "warned_on": None}
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.REOPEN, expect=[Status.CLOSED],
                   guard={"reopen_count": 0, "rating": Rating.DISSATISFIED}, changes=changes,
                   note=f"职工申请重新办理：{reason}")
        tell_unit(ticket, f"工单{ticket.number}重新办理", reason)
    return ticket


def ticket_withdraw(*, actor: User, ticket: Ticket, reason: str = "") -> Ticket:
    """The worker withdraws an open ticket (问题已解决, 不再需要)."""
    _own(actor, ticket)
    _must_be_open(ticket)
    reason = clean_note(reason, label="撤回原因")
    with transaction.atomic():
        transition(ticket, actor=actor, action=Action.WITHDRAW, expect=OPEN_STATUSES,
                   changes={"status": Status.WITHDRAWN}, note=reason or "职工撤回")
        tell_unit(ticket, f"职工撤回了工单{ticket.number}", reason)
    return ticket


def ticket_phone_reveal(*, actor: User, ticket: Ticket) -> str:
    """The asker's full phone number, to call them back; audited (``ticket.reveal_phone``), and so is a
    refused attempt. Preconditions: ``ticket`` came through access_ticket. Raises Forbidden unless the
    unmasking policy's CONTACT rule allows it (appeals.access.may_reveal_phone)."""
    from gonghui.core import audit
    from gonghui.core.models import AuditResult
    from gonghui.core.unmasking import POLICY, Unmask

    from ..access import may_reveal_phone

    detail = {"number": ticket.number, "unmask": Unmask.CONTACT.value}
    if not may_reveal_phone(actor, ticket):
        audit.record("ticket.reveal_phone", actor=actor, obj=ticket, result=AuditResult.DENIED, detail=detail)
        raise Forbidden(POLICY[Unmask.CONTACT].refusal)
    audit.record("ticket.reveal_phone", actor=actor, obj=ticket, detail=detail)
    return ticket.phone or ""
