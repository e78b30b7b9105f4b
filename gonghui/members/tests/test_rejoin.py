"""A former member (退会) rejoins: the application is accepted and approval restores the old record,
history kept, instead of refusing on the registry's unique ID index."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gonghui.core.errors import Conflict
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import joining
from gonghui.members.services.registry import NOTICE_VERSION, change_status, member_create
from gonghui.testing import Cast, id_number, make_user

pytestmark = pytest.mark.django_db
ID = id_number("630102", "19860909", "531")


def former(cast: Cast, **extra) -> Member:
    member = member_create(actor=None, union=cast.grassroots_b, name="孙立新", id_number=ID, phone="", event="import",
                           **extra)
    change_status(member=member, from_status=MemberStatus.ACTIVE, to_status=MemberStatus.LEFT, event="left",
                  reason="离职")
    return member


def apply(cast: Cast, user) -> joining.JoinApplication:
    return joining.application_submit(applicant=user, union=cast.grassroots_a, name="孙立新", id_number=ID,
                                      phone=user.phone, notice_version=NOTICE_VERSION, consented_at=timezone.now())


def test_a_former_member_rejoins_on_the_same_record(cast: Cast) -> None:
    old = former(cast)
    card_no = old.card_no
    user = make_user("孙立新")
    application = apply(cast, user)
    member = joining.application_approve(actor=cast.district_a_officer, application=application)
    assert member.pk == old.pk and Member.objects.filter(id_index=old.id_index).count() == 1
    member.refresh_from_db()
    assert (member.status, member.union_id, member.user_id, member.card_no) == (
        MemberStatus.ACTIVE, cast.grassroots_a.pk, user.pk, card_no)
    assert member.phone == user.phone and member.join_date == timezone.localdate()
    events = list(member.history.order_by("created_at", "id").values_list("event", "from_union", "to_union"))
    assert [e for e, _, _ in events] == ["import", "left", "rejoin"]
    assert events[-1][1:] == (cast.grassroots_b.pk, cast.grassroots_a.pk)


def test_the_former_members_own_account_may_apply_again(cast: Cast) -> None:
    user = make_user("孙立新")
    former(cast, user=user)
    application = apply(cast, user)  # refused before: "系统中已有您的会籍记录"
    member = joining.application_approve(actor=cast.district_a_officer, application=application)
    assert member.user_id == user.pk and member.status == MemberStatus.ACTIVE


def test_a_current_member_is_still_refused(cast: Cast) -> None:
    member_create(actor=None, union=cast.grassroots_b, name="孙立新", id_number=ID, phone="", event="import")
    with pytest.raises(Conflict) as exc:
        apply(cast, make_user("孙立新"))
    assert exc.value.code == "already_member" and "实名认证" in exc.value.message
    assert "乙公司工会" not in exc.value.message  # not the applicant's own record: no union named
