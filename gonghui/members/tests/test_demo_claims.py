"""The demo's 实名认证 samples (gonghui/seed/claims.py, documented in docs/guide/会员.md) can claim
their records, and a share of the generated members is already bound to an account."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from gonghui.core.notify import LoggingSmsBackend
from gonghui.members.models import Member
from gonghui.members.services import claiming
from gonghui.seed.claims import LINKED_SHARE, SAMPLES, build_claims
from gonghui.testing import make_user, small_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[None]:
    with small_demo(django_db_blocker):  # services=False: the claims part is built here, as the demo does last
        with django_db_blocker.unblock():
            build_claims(7)
        yield


@pytest.mark.django_db
def test_the_samples_are_unbound_roster_records(demo: None) -> None:
    for sample in SAMPLES:
        member = Member.objects.get(name=sample.name, id_index=Member._meta.get_field("id_index").compute(
            sample.id_number))
        assert member.user_id is None and member.phone == sample.phone
        assert member.employer is not None and member.employer.uscc[2:8] == sample.id_number[:6]


@pytest.mark.django_db
def test_a_share_of_the_members_is_bound(demo: None) -> None:
    current = Member.objects.current()
    with_phone = current.filter(phone_index__isnull=False).count()
    bound = current.filter(user__isnull=False).count()
    assert bound >= with_phone * LINKED_SHARE * 0.9 and current.filter(user__isnull=True).count() > bound * 0.5
    users = list(Member.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    assert len(users) == len(set(users))


@pytest.mark.django_db
def test_a_sample_claims_with_the_documented_identity(demo: None, django_capture_on_commit_callbacks) -> None:
    cache.clear()
    sample = SAMPLES[0]
    user = make_user(sample.name, phone=sample.phone)
    with django_capture_on_commit_callbacks(execute=True):
        claiming.claim_code_send(actor=user)
    code = re.search(r"(\d{6})", LoggingSmsBackend.sent[-1][1]).group(1)  # type: ignore[union-attr]
    member = claiming.member_claim(actor=user, name=sample.name, id_number=sample.id_number, code=code)
    assert member.user_id == user.pk and member.card_no
