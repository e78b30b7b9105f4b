"""Access gates of the market. Views, API, tasks and exports get market objects only through these.

Three kinds of caller, three gates:

* staff — ``access_<entity>``: ``gate()`` over the owning union's subtree (404 outside it, 403 for a
  read-only role writing);
* a provider account — ``provider_<entity>``: only what belongs to its own provider (404 otherwise),
  whatever staff scope the user may also hold;
* a member — ``member_order``/``member_need``: only their own (404 otherwise).

The owner-side gates are ``core.scope.owned`` (a bad key is a 404 like a missing object).

``order_for_service`` and ``order_for_cancel`` combine them for the transitions several kinds of
caller may perform; the services check again which of them the actor is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gonghui.core.errors import NotFound, ValidationFailed
from gonghui.core.scope import gate, owned, owner_or_staff
from gonghui.lib.text import parse_uuid
from gonghui.members.access import own_member

from .models import Batch, Need, NeedCategory, Offering, OfferingStatus, Order, Provider, Slot


def orders_qs() -> QuerySet[Order]:
    return Order.objects.select_related("offering__provider__user", "offering__union", "batch", "slot", "union",
                                        "member__user", "member_union")


def offerings_qs() -> QuerySet[Offering]:
    return Offering.objects.select_related("union", "provider", "audience_union")


# --- Staff ------------------------------------------------------------------------------------------------


def access_provider(user: Any, key: Any, *, write: bool = False) -> Provider:
    return gate(user, Provider.objects.select_related("union", "user"), write=write, uuid=key)


def access_offering(user: Any, key: Any, *, write: bool = False) -> Offering:
    return gate(user, offerings_qs(), write=write, uuid=key)


def access_batch(user: Any, key: Any, *, write: bool = False) -> Batch:
    return gate(user, Batch.objects.select_related("offering__union", "offering__provider"), write=write, uuid=key)


def access_order(user: Any, key: Any, *, write: bool = False) -> Order:
    return gate(user, orders_qs(), write=write, uuid=key)


def access_need(user: Any, key: Any, *, write: bool = False) -> Need:
    return gate(user, Need.objects.select_related("union", "category", "member__user", "answer_offering",
                                                  "answer_provider"), write=write, uuid=key)


def access_need_category(user: Any, key: Any, *, write: bool = False) -> NeedCategory:
    return gate(user, NeedCategory.objects.select_related("union"), write=write, uuid=key)


# --- Provider accounts -----------------------------------------------------------------------------------------


def own_provider(user: Any) -> Provider | None:
    """The active provider the signed-in user acts for, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Provider.objects.select_related("union").filter(user=user, is_active=True).first()


def provider_offering(user: Any, key: Any) -> Offering:
    """One of the signed-in provider's own offerings (404 for anyone else's)."""
    return owned(offerings_qs(), owner=own_provider(user), via="provider", uuid=key)


def provider_batch(user: Any, key: Any) -> Batch:
    return owned(Batch.objects.select_related("offering__union", "offering__provider"), owner=own_provider(user),
                 via="offering__provider", uuid=key)


def provider_order(user: Any, key: Any) -> Order:
    """An order of one of the signed-in provider's offerings (404 otherwise)."""
    return owned(orders_qs(), owner=own_provider(user), via="offering__provider", uuid=key)


# --- Members ----------------------------------------------------------------------------------------------------


def member_order(user: Any, key: Any) -> Order:
    """The signed-in member's own order (404 for anyone else's)."""
    return owned(orders_qs(), owner=own_member(user), uuid=key)


def member_need(user: Any, key: Any) -> Need:
    """The signed-in member's own need (404 for anyone else's)."""
    return owned(Need.objects.select_related("union", "category", "answer_offering", "answer_provider"),
                 owner=own_member(user), uuid=key)


# --- Anyone: the listed catalogue -------------------------------------------------------------------------------


def public_batch(key: Any) -> Batch:
    """A batch of a listed offering, as a member orders from it (404 otherwise)."""
    found = (Batch.objects.select_related("offering__union", "offering__provider__user", "offering__audience_union")
             .filter(uuid=parse_uuid(key), offering__status=OfferingStatus.LISTED).first())
    if found is None:
        raise NotFound()
    return found


def batch_slot(batch: Batch, key: Any, *, message: str = "所选时段不属于该批次") -> Slot | None:
    """The slot ``key`` of ``batch`` a member orders (None without a key); ValidationFailed(``message``)
    when the batch has no such slot. The one slot lookup of the order page and the API."""
    if not key:
        return None
    slot = Slot.objects.filter(uuid=parse_uuid(key), batch=batch).first()
    if slot is None:
        raise ValidationFailed(message, detail={"slot": message})
    return slot


def public_offering(key: Any) -> Offering:
    """A listed offering, as anyone may see it in the catalogue (drafts and withdrawn ones are 404)."""
    found = offerings_qs().filter(uuid=parse_uuid(key), status=OfferingStatus.LISTED).first()
    if found is None:
        raise NotFound()
    return found


# --- Combined gates for the shared transitions -------------------------------------------------------------------


def order_for_service(user: Any, key: Any) -> Order:
    """An order the caller serves: its provider's account, else writing staff of its branch."""
    return owner_or_staff(user, key, provider_order, staff=access_order, write=True)


def order_for_cancel(user: Any, key: Any) -> Order:
    """An order the caller may cancel: the member's own, the provider's, else writing staff's."""
    return owner_or_staff(user, key, member_order, provider_order, staff=access_order, write=True)


def offering_for_manage(user: Any, key: Any) -> Offering:
    """An offering the caller manages: its provider's account, else writing staff of its branch."""
    return owner_or_staff(user, key, provider_offering, staff=access_offering, write=True)


def batch_for_manage(user: Any, key: Any) -> Batch:
    """A batch the caller manages: its provider's account, else writing staff of its branch."""
    return owner_or_staff(user, key, provider_batch, staff=access_batch, write=True)


def order_for_reading(user: Any, key: Any) -> Order:
    """Any order the caller may look at: own (member), served (provider), or in scope (staff)."""
    return owner_or_staff(user, key, member_order, provider_order, staff=access_order)
