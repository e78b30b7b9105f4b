"""Access gates for surveys (see core/scope.py).

Staff: ``access_survey`` — 404 outside the caller's branch, 403 for a read-only role writing.
Members: ``member_survey`` — a published member survey for the member's union (or one above it) and
employment form; anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from gonghui.core.errors import NotFound
from gonghui.core.scope import gate
from gonghui.lib.text import parse_uuid
from gonghui.members.models import Member

from .models import Survey


def access_survey(user: Any, key: Any, *, write: bool = False) -> Survey:
    qs = Survey.objects.select_related("union", "live", "draft")
    return gate(user, qs, write=write, uuid=key)


def member_survey(member: Member, key: Any) -> Survey:
    key = parse_uuid(key)
    survey = Survey.objects.select_related("union", "live").for_member(member).filter(uuid=key).first() if key else None
    if survey is None:
        raise NotFound("未找到该问卷")
    return survey


def public_survey(token: str) -> Survey:
    """The survey behind a public link/QR: published, with a public audience; else a 404."""
    survey = (Survey.objects.select_related("union", "live")
              .filter(public_token=str(token)[:32], audience="public", status="published").first())
    if survey is None:
        raise NotFound("未找到该问卷，或问卷已结束")
    return survey
