"""Joining under a burst, on PostgreSQL with real threads and connections: one account that submits
several applications at once (different ID numbers, so the ID guard does not apply) keeps exactly one
pending application — and the negative control: every request passes the "already pending?" check
before any writes, and the constraint alone refuses all but one."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core.errors import Conflict
from gonghui.members.models import ApplicationStatus, JoinApplication
from gonghui.members.services import joining as services
from gonghui.members.services.registry import NOTICE_VERSION
from gonghui.testing import Cast, id_number, make_user, threaded

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def ids(count: int) -> list[str]:
    return [id_number("630102", "19930420", f"{700 + i:03d}") for i in range(count)]


def test_parallel_submissions_of_one_account_leave_one_pending_application(cast: Cast) -> None:
    user = make_user("并发申请人")
    numbers = ids(6)

    def submit(i: int, barrier: threading.Barrier) -> Any:
        barrier.wait()
        return services.application_submit(
            applicant=user, union=cast.grassroots_a, name="并发申请人", id_number=numbers[i], phone=user.phone,
            notice_version=NOTICE_VERSION, consented_at=timezone.now())

    results = threaded(6, submit)
    made = [r for r in results if isinstance(r, JoinApplication)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1 and len(refused) == 5, results
    assert {r.message for r in refused} == {"您已有一份待审核的入会申请，请等待审核结果，或撤回后重新申请"}
    assert JoinApplication.objects.filter(applicant=user, status=ApplicationStatus.PENDING).count() == 1


def test_negative_control_the_check_alone_lets_every_request_through(cast: Cast) -> None:
    """Each request finds no pending application, then each writes: only the constraint stops them."""
    user = make_user("并发申请人")
    numbers = ids(6)

    def naive(i: int, barrier: threading.Barrier) -> str:
        try:
            with transaction.atomic():
                free = not JoinApplication.objects.filter(applicant=user, status=ApplicationStatus.PENDING).exists()
                barrier.wait()  # every request has checked before any writes
                assert free
                JoinApplication.objects.create(
                    applicant=user, union=cast.grassroots_a, name="并发申请人", id_number=numbers[i],
                    phone=user.phone, notice_version=NOTICE_VERSION, consented_at=timezone.now())
        except IntegrityError as exc:
            assert "joinapp_one_pending_per_account" in str(exc)
            return "refused"
        return "committed"

    results = threaded(6, naive)
    assert sorted(results) == ["committed"] + ["refused"] * 5, results
    assert JoinApplication.objects.filter(applicant=user, status=ApplicationStatus.PENDING).count() == 1
