"""The registry itself: creating members, their history, card numbers, revealing identifiers.

Every change of a member's union or status goes through ``record_history`` in the same
transaction as the change, so the history is complete and a member is never between two unions.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_person_name, clean_phone
from gonghui.lib.idcard import IdNumber, InvalidIdNumber, parse_id_number
from gonghui.unions.models import Employer, Union

from ..models import EmploymentForm, Member, MembershipHistory, MemberStatus, new_card_token

if TYPE_CHECKING:
    from gonghui.accounts.models import User

NOTICE_VERSION = "2026-11"


def clean_id_number(value: str) -> IdNumber:
    try:
        return parse_id_number(value)
    except InvalidIdNumber as exc:
        raise ValidationFailed(str(exc), detail={"id_number": str(exc)}) from None


def clean_gig(employment_form: str, gig_occupation: str) -> tuple[str, str]:
    if employment_form not in EmploymentForm.values:
        raise ValidationFailed("请选择就业形态", detail={"employment_form": "请选择就业形态"})
    if employment_form == EmploymentForm.GIG:
        from ..models import GigOccupation

        if gig_occupation not in GigOccupation.values:
            raise ValidationFailed("请选择新就业形态职业", detail={"gig_occupation": "请选择职业"})
        return employment_form, gig_occupation
    return employment_form, ""


def record_history(member: Member, *, event: str, to_status: str, from_status: str = "",
                   from_union: Union | None = None, to_union: Union | None = None, actor: User | None = None,
                   reason: str = "") -> MembershipHistory:
    return MembershipHistory.objects.create(
        member=member, event=event, from_status=from_status, to_status=to_status, from_union=from_union,
        to_union=to_union, actor=actor if getattr(actor, "pk", None) else None, reason=reason[:300])


def card_number(member: Member) -> str:
    """16 digits: the union's region code (or its nearest ancestor's), then the member's sequence."""
    region = member.union.region_code[:6]
    if not region:
        region = next((u.region_code[:6] for u in reversed(list(Union.objects.ancestors_of(member.union)))
                       if u.region_code), "000000")
    return f"{region:0<6}{member.pk:010d}"


def member_create(*, actor: User | None, union: Union, name: str, id_number: str, phone: str = "", user: Any = None,
                  employer: Employer | None = None, employment_form: str = EmploymentForm.REGULAR,
                  gig_occupation: str = "", education: str = "", household: str = "", join_date: date | None = None,
                  notice_version: str = "", consented_at: Any = None, event: str = "join", reason: str = "",
                  **tags: Any) -> Member:
    """Register one member in ``union`` (active), with a card number and a history row.

    Preconditions: the caller is allowed to add members to ``union``. Raises Conflict when the
    person (by ID blind index) is already in the registry.
    """
    name = clean_person_name(name)
    identity = clean_id_number(id_number)
    employment_form, gig_occupation = clean_gig(employment_form, gig_occupation)
    member = Member(
        user=user, name=name, id_number=identity.number, phone=clean_phone(phone) if phone else None,
        gender=identity.gender, birth_date=identity.birth_date, education=education, household=household,
        employment_form=employment_form, gig_occupation=gig_occupation, employer=employer, union=union,
        join_date=join_date or timezone.localdate(), notice_version=notice_version, consented_at=consented_at,
        **tags,
    )
    try:
        with transaction.atomic():
            member.save()
            member.card_no = card_number(member)
            Member.objects.filter(pk=member.pk).update(card_no=member.card_no)
            record_history(member, event=event, to_status=MemberStatus.ACTIVE, to_union=union, actor=actor,
                           reason=reason)
            audit.record("member.create", actor=actor, obj=member, union=union,
                         detail={"event": event})
    except IntegrityError:
        existing = Member.objects.filter(id_index=member.id_index).select_related("union").first()
        where = f"（所在工会：{existing.union.name}）" if existing else ""
        raise Conflict(f"此人已是会员{where}", code="already_member") from None
    return member


def card_rotate(*, member: Member, actor: User | None = None) -> Member:
    """Issue a new card token; the old QR code stops working at once."""
    member.card_token = new_card_token()
    member.card_token_rotated_at = timezone.now()
    Member.objects.filter(pk=member.pk).update(card_token=member.card_token,
                                               card_token_rotated_at=member.card_token_rotated_at)
    return member


REVEALABLE = {"id_number": "身份证号码", "phone": "手机号码"}


def member_reveal(*, actor: User, member: Member, field: str, reason: str = "") -> str:
    """Return one unmasked identifier and write the audit row. Preconditions: the actor passed
    access_member. The unmasking policy's MEMBER rule (gonghui.core.unmasking) is checked here: a
    refused attempt writes a denied row and raises Forbidden; so does a missing reason."""
    from gonghui.core.unmasking import Unmask, require_unmask

    if field not in REVEALABLE:
        raise ValidationFailed("不支持查看该字段")
    reason = " ".join((reason or "").split())[:200]
    require_unmask(actor, member.union, Unmask.MEMBER, action="member.reveal", obj=member,
                   detail={"field": field, "reason": reason})
    if not reason:
        raise ValidationFailed("请填写查看原因", detail={"reason": "请填写查看原因"})
    audit.record("member.reveal", actor=actor, obj=member, union=member.union,
                 detail={"field": field, "reason": reason})
    return getattr(member, field) or ""


def change_status(*, member: Member, from_status: str, to_status: str, event: str, actor: User | None = None,
                  to_union: Union | None = None, reason: str = "") -> Member:
    """The one place a member's status (and union) changes: a guarded update plus a history row.

    Preconditions: inside the caller's transaction. Raises Conflict if the member moved on meanwhile.
    """
    from_union = member.union
    transition(member, to=to_status, from_=[from_status],
               changes={"union": to_union} if to_union is not None else None,
               message="会员状态已变化，请刷新后重试", code="conflict",
               history=lambda before: record_history(member, event=event, from_status=from_status, to_status=to_status,
                                                     from_union=from_union, to_union=to_union or from_union,
                                                     actor=actor, reason=reason))
    return member


def member_restore(*, actor: User | None, member: Member, union: Union, name: str, phone: str = "", user: Any = None,
                   employer: Employer | None = None, employment_form: str = EmploymentForm.REGULAR,
                   gig_occupation: str = "", education: str = "", household: str = "", notice_version: str = "",
                   consented_at: Any = None, reason: str = "") -> Member:
    """Rejoin (重新入会): a former member (退会) is active again in ``union`` on the same record.

    The record keeps its card number and its history (a "rejoin" row is added); the personal details
    and the account link are the new application's; the card token is renewed. Preconditions: inside
    the caller's transaction; ``member`` is left and not anonymized (its ID number is the applicant's).
    Raises Conflict when the record changed meanwhile.
    """
    if member.status != MemberStatus.LEFT or member.anonymized_at is not None:
        raise Conflict("该会籍记录状态已变化，请刷新后重试")
    employment_form, gig_occupation = clean_gig(employment_form, gig_occupation)
    change_status(member=member, from_status=MemberStatus.LEFT, to_status=MemberStatus.ACTIVE, event="rejoin",
                  actor=actor, to_union=union, reason=reason)
    member.name = clean_person_name(name)
    if phone:
        member.phone = clean_phone(phone)
    if user is not None:
        member.user = user
    member.employer = employer
    member.employment_form, member.gig_occupation = employment_form, gig_occupation
    member.education, member.household = education or member.education, household or member.household
    member.join_date = timezone.localdate()
    member.notice_version, member.consented_at = notice_version, consented_at
    member.card_token, member.card_token_rotated_at = new_card_token(), timezone.now()
    member.save(update_fields=["name", "phone", "phone_index", "user", "employer", "employment_form",
                               "gig_occupation", "education", "household", "join_date", "notice_version",
                               "consented_at", "card_token", "card_token_rotated_at", "updated_at"])
    audit.record("member.restore", actor=actor, obj=member, union=union, detail={"event": "rejoin"})
    return member
