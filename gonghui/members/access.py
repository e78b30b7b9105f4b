"""Access gates for the members app (see core/scope.py). Nothing else loads members for a caller."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.models import OWN_MEMBER_DEFERRED, OWN_MEMBER_RELATED
from gonghui.core.errors import NotFound
from gonghui.core.scope import Role, gate

from .models import EnrollmentDrive, JoinApplication, Member, RightsRequest, RosterImport, Transfer

ADMIN_ONLY = frozenset({Role.ADMIN})
#: The member's encrypted columns, deferred where a loader does not show them.
PERSONAL_COLUMNS = OWN_MEMBER_DEFERRED


def access_member(user: Any, key: Any, *, write: bool = False) -> Member:
    qs = Member.objects.select_related("union", "employer", "user")
    return gate(user, qs, write=write, uuid=key)


def access_application(user: Any, key: Any, *, write: bool = False) -> JoinApplication:
    qs = JoinApplication.objects.select_related("union", "employer", "drive", "applicant")
    return gate(user, qs, write=write, uuid=key)


def access_drive(user: Any, key: Any, *, write: bool = False) -> EnrollmentDrive:
    return gate(user, EnrollmentDrive.objects.select_related("union"), write=write, uuid=key)


def access_transfer(user: Any, key: Any, *, write: bool = False) -> Transfer:
    """Staff of either side see a transfer; which side may act is the service's concern, so the gate
    only decides visibility (``write`` is accepted for the uniform signature and not checked here)."""
    qs = Transfer.objects.select_related("member__union", "from_union", "to_union", "to_employer")
    return gate(user, qs, uuid=key)


def access_rights_request(user: Any, key: Any, *, write: bool = False) -> RightsRequest:
    return gate(user, RightsRequest.objects.select_related("member__union"), write=write, uuid=key)


def access_import(user: Any, key: Any, *, write: bool = False) -> RosterImport:
    """A roster import job, owned by the branch of its union."""
    return gate(user, RosterImport.objects.select_related("union", "created_by"), write=write, uuid=key)


def own_member(user: Any) -> Member | None:
    """The signed-in worker's own membership record (the H5 pages' subject), or None.

    The encrypted columns (ID number, phone) are deferred: most callers only need the member's union and
    facts, and decrypting costs more than the rest of the row. A caller that shows or changes them
    loads them on first access (one query by primary key)."""
    if not getattr(user, "is_authenticated", False):
        return None
    # A bearer-token request's user arrives with its member already joined (ApiToken.objects.authenticate,
    # the same related rows and deferred columns): taken once, so a later call loads afresh as before.
    cache = getattr(getattr(user, "_state", None), "fields_cache", None)
    if cache is not None and getattr(user, "_gonghui_member_joined", False):
        user._gonghui_member_joined = False
        if "member" in cache:
            return cache.pop("member")
    return (Member.objects.select_related(*OWN_MEMBER_RELATED).defer(*PERSONAL_COLUMNS)
            .filter(user=user).first())



def require_member(user: Any, message: str = "您还不是工会会员") -> Member:
    """The signed-in worker's own membership record; NotFound with ``message`` for anyone who is not
    a member (anonymous included). Each app passes its own reason ("入会后即可…")."""
    member = own_member(user)
    if member is None:
        raise NotFound(message)
    return member
