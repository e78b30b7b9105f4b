"""Access gates of the appeals app. Views, API, tasks and exports get tickets only through these.

* Staff: ``access_ticket`` (core.scope.gate): the owning union's staff and every union above it
  see a ticket; 404 outside, 403 for a read-only role writing.
* The worker: ``own_ticket`` — a ticket they submitted (or a call matched to their account).
* Identity: the asker's name and phone are shown only to units that handle the ticket (the owner,
  and unions it passed through), never for an anonymous suggestion; ``sees_identity`` decides.
"""

from __future__ import annotations

from typing import Any

from gonghui.core.errors import NotFound
from gonghui.core.scope import DATA_ROLES, gate, owned, scope_of, staff_or_owner
from gonghui.core.unmasking import Unmask, may_unmask
from gonghui.lib.text import parse_uuid
from gonghui.unions.models import Union

from .models import HOP_ACTIONS, Attachment, Ticket, TicketEvent

TICKET_RELATED = ("union__parent", "handler", "employer", "member", "submitter", "replied_by", "repeat_of")


def _worker(user: Any) -> Any:
    """The account a worker acts as (None for an anonymous caller: nothing is theirs)."""
    return user if getattr(user, "is_authenticated", False) else None


def access_ticket(user: Any, key: Any, *, write: bool = False) -> Ticket:
    """A ticket in the caller's scope. Preconditions: none (anonymous callers get NotFound)."""
    return gate(user, Ticket.objects.select_related(*TICKET_RELATED), write=write, uuid=key)


def own_ticket(user: Any, key: Any) -> Ticket:
    """The signed-in worker's own ticket, else NotFound (someone else's is "not found" too)."""
    return owned(Ticket.objects.select_related(*TICKET_RELATED), owner=_worker(user), via="submitter", uuid=key)


def ticket_for(user: Any, key: Any) -> tuple[Ticket, bool]:
    """The ticket as staff see it, else as its worker sees it. Returns (ticket, as_staff)."""
    return staff_or_owner(user, key, staff=lambda user, key: (access_ticket(user, key), True),
                          owner=lambda user, key: (own_ticket(user, key), False))


def access_attachment(user: Any, key: Any) -> Attachment:
    """An attachment of a ticket the caller may see as staff, or of the worker's own ticket."""
    found = parse_uuid(key)
    if found is None:
        raise NotFound()
    qs = Attachment.objects.select_related("ticket__union")
    return staff_or_owner(user, found, staff=lambda user, key: gate(user, qs, uuid=key),
                          owner=lambda user, key: owned(qs, owner=_worker(user), via="ticket__submitter", uuid=key))


def handling_union_ids(ticket: Ticket) -> set[int]:
    """The owner and every union the ticket passed through (交办, 上报, 转办, 自动上报)."""
    ids = {ticket.union_id}
    for from_id, to_id in TicketEvent.objects.filter(ticket=ticket, action__in=HOP_ACTIONS).values_list(
            "from_union_id", "to_union_id"):
        ids.update(pk for pk in (from_id, to_id) if pk)
    return ids


def sees_identity(user: Any, ticket: Ticket) -> bool:
    """Whether ``user`` may see who asked: a data role held *at* a handling unit (not merely above
    it). Supervising levels see the masked name; nobody sees an anonymous suggestion's author."""
    if ticket.anonymous:
        return False
    scope = scope_of(user)
    if not scope.grants:
        return False
    handled = handling_union_ids(ticket)
    return any(g.union_id in handled and g.role in DATA_ROLES for g in scope.grants)


def may_reveal_phone(user: Any, ticket: Ticket) -> bool:
    """Whether ``user`` may see the asker's full phone: the unmasking policy's CONTACT rule (a writing
    role at a unit that handles the ticket); never for an anonymous suggestion."""
    if ticket.anonymous:
        return False
    return may_unmask(user, Union.objects.filter(pk__in=handling_union_ids(ticket)), Unmask.CONTACT)
