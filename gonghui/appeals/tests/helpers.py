"""Shared helpers of the appeals tests: tickets made through the services, tiny valid files."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.appeals.access import access_ticket
from gonghui.appeals.models import Ticket
from gonghui.appeals.services import handling, intake
from gonghui.testing import Cast

JSON = "application/json"
_SEQ = itertools.count(1)

# The smallest valid files of each accepted kind (their first bytes are what is checked).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde" \
      + b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def submit(cast: Cast, who: str = "worker_a", **extra: Any) -> Ticket:
    """A fresh ticket by ``who`` (a new text each time, so it is never a repeat)."""
    n = next(_SEQ)
    fields: dict[str, Any] = {"kind": "consult", "content": f"第{n}个问题：加班费怎么计算？单位一直没有支付。"}
    fields.update(extra)
    result = intake.ticket_submit(actor=cast.users[who], **fields)
    return reload(result.ticket)


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("union__parent", "handler", "submitter", "employer", "member",
                                         "repeat_of", "replied_by").get(pk=ticket.pk)


def at_district_a(cast: Cast, **extra: Any) -> Ticket:
    """A ticket owned by district A (gig_worker_a is a member there)."""
    ticket = submit(cast, "gig_worker_a", **extra)
    assert ticket.union == cast.district_a
    return ticket


def accepted(cast: Cast, ticket: Ticket, who: str = "district_a_officer") -> Ticket:
    actor = cast.users[who]
    handling.ticket_accept(actor=actor, ticket=access_ticket(actor, ticket.uuid, write=True))
    return reload(ticket)


def closed(cast: Cast, ticket: Ticket, who: str = "district_a_officer") -> Ticket:
    actor = cast.users[who]
    handling.ticket_close(actor=actor, ticket=access_ticket(actor, ticket.uuid, write=True),
                          reply="已联系单位，加班费将于本月补发。")
    return reload(ticket)
