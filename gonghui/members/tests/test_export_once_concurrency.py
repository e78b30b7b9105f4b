"""The member export asked for several times at once (a double click, a client retrying), on
PostgreSQL with real threads and connections: one job — and the negative control: without the lock
on the user's row, every request finds no export at work and each starts one."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import transaction

from gonghui.core import jobs
from gonghui.core.models import Job
from gonghui.members import exports
from gonghui.members.selectors import member_filters
from gonghui.members.tasks import export_job_start
from gonghui.testing import Cast, threaded

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: False)  # the jobs stay queued


def test_parallel_starts_of_the_same_export_make_one_job(cast: Cast) -> None:
    officer = cast.users["district_a_officer"]

    def ask(i: int, barrier: threading.Barrier) -> Any:
        barrier.wait()
        return exports.member_export_start(officer, {"form": "gig"}, unmasked=False, reason="").pk

    results = threaded(6, ask)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Job.objects.filter(kind="members.export", owner=officer).count() == 1


def test_negative_control_the_look_up_alone_lets_every_request_start_one(cast: Cast) -> None:
    officer = cast.users["district_a_officer"]
    params = {"filters": {"form": "gig"}, "unmasked": False, "reason": ""}

    def naive(i: int, barrier: threading.Barrier) -> Any:
        with transaction.atomic():
            running = exports._running_export(officer, params)
            barrier.wait()  # every request has looked before any starts
            if running is not None:
                return running.pk
            return export_job_start(actor=officer, filters=member_filters(officer, {"form": "gig"}),
                                    unmasked=False, reason="").pk

    results = threaded(6, naive)
    assert len(set(results)) == 6, results
