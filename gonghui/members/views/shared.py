"""Helpers both the H5 and the console pages use: the ID-number read-back, binding a POST, the
transfer timeline and target."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gonghui.lib.idcard import InvalidIdNumber, parse_id_number

from ..models import (
    Gender,
    Transfer,
    TransferStatus,
)
from ..services import transfer as transfer_services


def id_derived(id_number: str) -> dict[str, Any]:
    """What an ID number encodes, for showing back to the worker (gender, birth date) or an error."""
    try:
        identity = parse_id_number(id_number)
    except InvalidIdNumber as exc:
        return {"error": str(exc)}
    return {"gender": Gender(identity.gender).label, "birth_date": identity.birth_date,
            "province": identity.province or "", "warnings": identity.warnings}


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to: an empty POST still binds (and shows "required" errors)."""
    return request.POST if request.method == "POST" else None


STEPS = [
    (TransferStatus.AWAITING_RELEASE, "提交申请"),
    (TransferStatus.AWAITING_ACCEPT, "转出工会同意"),
    (TransferStatus.COMPLETED, "转入工会接收"),
]


def timeline(transfer: Transfer) -> list[dict[str, Any]]:
    order = [s for s, _ in STEPS]
    reached = order.index(transfer.status) if transfer.status in order else -1
    return [{"label": label, "done": i < reached or transfer.status == TransferStatus.COMPLETED,
             "current": i == reached and transfer.status != TransferStatus.COMPLETED}
            for i, (_, label) in enumerate(STEPS)]


def target_of(form_target: tuple[str, str]) -> tuple[Any, Any]:
    kind, key = form_target
    if kind == "employer":
        return transfer_services.resolve_target(employer_key=key)
    return transfer_services.resolve_target(union_key=key)
