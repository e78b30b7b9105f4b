"""The electronic member card (电子会员卡): an opaque, rotating token in a QR code.

The QR code never carries the ID number or any other personal data, only a random token. Scanning
it (staff today, partner merchants later) asks the server for the card's live status. A new token
is issued when the worker taps 刷新二维码 and automatically when the card is opened with a token
older than ``ROTATE_AFTER``; a token older than ``EXPIRES_AFTER`` no longer verifies, so a
screenshot passed around stops working even if the card is never opened again.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.models import AuditResult

from ..models import Member, MemberStatus
from .registry import card_rotate

if TYPE_CHECKING:
    from gonghui.accounts.models import User

ROTATE_AFTER = timedelta(hours=24)
EXPIRES_AFTER = timedelta(hours=48)
# Statuses in which the person is a member today (``MemberQuerySet.current``): while a transfer is
# pending the member still belongs to the source union and keeps their benefits.
VALID_STATUSES = (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
INVALID_TOKEN = "二维码无效或已刷新，请会员打开电子会员卡后重新出示"  # noqa: S105 - a message


def card_payload(member: Member, *, base_url: str = "") -> str:
    """What the QR code encodes: the public scan URL of the current token (/members/c/<token>/).

    Scanned with a phone camera or WeChat it lands each scanner where their role can use it (staff on
    the member, a partner's cashier on 核验会员卡, anyone else on a page that only says whether the card
    is valid); a partner app takes the last path segment and calls GET /api/v1/members/card/verify/{token}.
    ``base_url`` ("https://host") makes it absolute; views pass ``request.build_absolute_uri("/")``.
    """
    path = reverse("members:card_scan", args=[member.card_token])
    return base_url.rstrip("/") + path


def card_token_from(text: str) -> str:
    """The token out of whatever a scanner delivered: the bare token, the card URL or "GHCARD:<token>"."""
    text = (text or "").strip()
    if text.upper().startswith("GHCARD:"):
        text = text[7:]
    text = text.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return text.rsplit("/", 1)[-1][:80]


def card_token_expires_at(member: Member) -> Any:
    return member.card_token_rotated_at + EXPIRES_AFTER


def card_refresh_if_stale(*, member: Member, actor: User | None = None) -> Member:
    """Rotate the token when it is older than ROTATE_AFTER (called when the card is opened)."""
    if timezone.now() - member.card_token_rotated_at >= ROTATE_AFTER:
        return card_refresh(member=member, actor=actor, automatic=True)
    return member


def card_refresh(*, member: Member, actor: User | None = None,
                 automatic: bool = False) -> Member:
    """Issue a new token now (刷新二维码); the previous QR code stops verifying at once."""
    card_rotate(member=member, actor=actor)
    audit.record("card.rotate", actor=actor, obj=member, union=member.union,
                 detail={"automatic": automatic})
    return member


def mask_card_no(card_no: str | None) -> str:
    if not card_no:
        return ""
    return card_no[:6] + "*" * max(len(card_no) - 10, 0) + card_no[-4:]


def card_holder(token: str) -> Member | None:
    """The member a scanned token belongs to, whatever its state (None for a malformed or unknown token)."""
    token = card_token_from(token)
    if not _TOKEN.fullmatch(token):
        return None
    return Member.objects.select_related("union").filter(card_token=token).first()


def card_verify(*, token: str, actor: User | None) -> dict[str, Any]:
    """The live status behind a scanned token, with the name masked. Every scan is audited ("card.scan").

    Preconditions: ``actor`` may check cards (staff, a partner's cashier; the API and pages check that) or
    is whoever scanned the public card URL (None when not signed in; that page shows only ``valid``). An unknown,
    rotated or expired token is not an error: it returns ``valid: False`` with a Chinese reason.
    """
    now = timezone.now()
    token = card_token_from(token)
    member = card_holder(token)
    result: dict[str, Any] = {
        "valid": False, "reason": INVALID_TOKEN, "status": "", "status_label": "", "name": "", "union": "",
        "card_no": "", "join_date": None, "checked_at": now,
    }
    if member is not None:
        result.update({"status": member.status, "status_label": member.get_status_display(),
                       "name": member.masked_name, "union": member.union.name,
                       "card_no": mask_card_no(member.card_no), "join_date": member.join_date})
        if member.anonymized_at is not None:
            result.update(name="", card_no="", reason="该会员已注销")
        elif member.status not in VALID_STATUSES:
            result["reason"] = f"会籍状态：{member.get_status_display()}"
        elif now - member.card_token_rotated_at > EXPIRES_AFTER:
            result["reason"] = "二维码已过期，请会员打开电子会员卡刷新后重新出示"
        else:
            result.update(valid=True, reason="有效会员")
    audit.record("card.scan", actor=actor, obj=member,
                 union=member.union if member is not None else None,
                 result=AuditResult.SUCCESS if result["valid"] else AuditResult.FAILURE,
                 # a prefix is enough to match a complaint to a scan; the whole token is a live credential
                 detail={"valid": result["valid"], "token_prefix": token[:6], "reason": result["reason"]})
    return result
