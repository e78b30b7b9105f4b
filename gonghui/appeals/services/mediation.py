"""劳动争议调解 on a legal-aid or dispute ticket: open it with the parties and the claim, record the
sessions, and conclude — 调解成功 (with the agreement), or 调解不成 and referred to labour arbitration.

Documents (申请书, 调解协议书, 仲裁告知书 …) are the ticket's attachments of the mediation stage.
Preconditions everywhere: the ticket was gated with write (access_ticket(user, key, write=True)).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import audit, transitions
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.lib.text import clean_line
from gonghui.unions.models import Employer

from ..models import MEDIATION_KINDS, Action, Mediation, MediationSession, MediationStatus, Status, Ticket
from .common import clean_note, clean_text, event, tell_worker

if TYPE_CHECKING:
    from gonghui.accounts.models import User

AMOUNT_MAX = Decimal("9999999999.99")


def _amount(value: Any, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("金额格式不正确", detail={field: "金额格式不正确"}) from None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        raise ValidationFailed("金额超出范围", detail={field: "金额超出范围"})
    return amount


def _name(value: str, *, label: str, field: str, maximum: int) -> str:
    text = clean_line(value)
    if not text:
        raise ValidationFailed(f"请填写{label}", detail={field: f"请填写{label}"})
    return text[:maximum]


def mediation_open(*, actor: User, ticket: Ticket, applicant: str, respondent: str, claim: str,
                   claim_amount: Any = None, respondent_employer: Employer | None = None) -> Mediation:
    """Start mediating: the ticket must be a legal-aid or dispute ticket being processed (受理后)."""
    if ticket.kind not in MEDIATION_KINDS:
        raise ValidationFailed("只有法律援助和劳动争议调解类工单可以启动调解")
    if ticket.status != Status.PROCESSING:
        raise Conflict("请先受理工单，再启动调解")
    applicant = _name(applicant, label="申请人", field="applicant", maximum=100)
    respondent = _name(respondent or getattr(respondent_employer, "name", ""), label="被申请人", field="respondent",
                       maximum=200)
    claim = clean_text(claim, label="请求事项", field="claim", minimum=2)
    try:
        with transaction.atomic():
            mediation = Mediation.objects.create(
                ticket=ticket, applicant=applicant, respondent=respondent, respondent_employer=respondent_employer,
                claim=claim, claim_amount=_amount(claim_amount, field="claim_amount"),
                mediator=actor if getattr(actor, "pk", None) else None)
            event(ticket, Action.MEDIATION_OPEN, actor=actor, note=f"启动劳动争议调解：{applicant} 与 {respondent}")
            audit.record("ticket.mediation_open", actor=actor, obj=ticket,
                         detail={"number": ticket.number, "mediation": str(mediation.uuid)})
    except IntegrityError:
        raise Conflict("该工单已启动调解") from None
    tell_worker(ticket, "工会已为您启动劳动争议调解", f"工单{ticket.number}")
    return mediation


def mediation_add_session(*, actor: User, mediation: Mediation, held_at: datetime, notes: str, place: str = "",
                          attendees: str = "") -> MediationSession:
    """Record one mediation session (调解记录). Only while the mediation is open."""
    if mediation.status != MediationStatus.OPEN:
        raise Conflict("调解已结束，不能再记录")
    if held_at is None:
        raise ValidationFailed("请填写调解时间", detail={"held_at": "请填写调解时间"})
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    if held_at > timezone.now() + timedelta(days=1):
        raise ValidationFailed("调解时间不能晚于今天", detail={"held_at": "时间不能晚于今天"})
    notes = clean_text(notes, label="调解记录", field="notes", minimum=2)
    with transaction.atomic():
        session = MediationSession.objects.create(
            mediation=mediation, held_at=held_at, place=clean_line(place)[:100],
            attendees=clean_line(attendees)[:300], notes=notes,
            recorded_by=actor if getattr(actor, "pk", None) else None)
        ticket = mediation.ticket
        count = mediation.sessions.count()
        event(ticket, Action.MEDIATION_SESSION, actor=actor,
              note=f"第{count}次调解（{timezone.localtime(held_at):%Y-%m-%d}）")
        audit.record("ticket.mediation_session", actor=actor, obj=ticket,
                     detail={"number": ticket.number, "session": count})
    return session


def mediation_conclude(*, actor: User, mediation: Mediation, succeeded: bool, outcome: str,
                       agreed_amount: Any = None, arbitration_body: str = "") -> Mediation:
    """调解成功 (the agreement), or 调解不成 → referred to labour arbitration (the body is required).

    Guarded: only an open mediation concludes, once. The ticket itself is then closed by the handler
    with the reply to the worker.
    """
    if mediation.status != MediationStatus.OPEN:
        raise Conflict("调解已结束")
    outcome = clean_text(outcome, label="调解结果", field="outcome", minimum=2)
    body = clean_note(arbitration_body, label="移送的仲裁机构")[:100]
    if not succeeded and not body:
        raise ValidationFailed("调解不成的，请填写移送的劳动人事争议仲裁机构",
                               detail={"arbitration_body": "请填写仲裁机构"})
    status = MediationStatus.SUCCEEDED if succeeded else MediationStatus.FAILED
    changes = {"outcome": outcome, "concluded_at": timezone.now(),
               "agreed_amount": _amount(agreed_amount, field="agreed_amount") if succeeded else None,
               "arbitration_body": "" if succeeded else body}
    ticket = mediation.ticket
    text = "调解成功" if succeeded else f"调解不成，已告知申请人向{body}申请仲裁"
    with transaction.atomic():
        # The audit row names the ticket (as every appeals row does), so it is written here, not by the helper.
        transitions.transition(
            mediation, to=status, from_=[MediationStatus.OPEN], changes=changes, message="调解已结束",
            code="conflict",
            history=lambda _before: event(ticket, Action.MEDIATION_CLOSE, actor=actor, note=f"{text}：{outcome[:200]}"))
        audit.record("ticket.mediation_close", actor=actor, obj=ticket,
                     detail={"number": ticket.number, "status": status})
    tell_worker(ticket, f"劳动争议调解结果：{MediationStatus(status).label}", f"工单{ticket.number}")
    return mediation
