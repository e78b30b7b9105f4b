"""The member export asked for twice: while the same export (same user, filters, masking and reason)
is queued or running, starting it again returns that job — from the console and the API — and a
different export, another user's, or one asked after the first finished starts a job of its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase

from gonghui.core import jobs
from gonghui.core.models import Job, JobStatus
from gonghui.members.exports import member_export_start
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The broker never gets the jobs: they stay queued, as while a worker is busy."""
    monkeypatch.setattr(jobs, "dispatch", lambda job_id: False)


def start(client: Any, params: dict[str, str] | None = None) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get("/console/members/export.xlsx", params or {})
    assert response.status_code == 302 and response["Location"].startswith("/console/jobs/"), response
    return response["Location"]


def test_it_returns_the_queued_export_when_the_console_asks_again(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    first = start(client, {"form": "gig"})
    assert start(client, {"form": "gig"}) == first
    assert Job.objects.filter(kind="members.export").count() == 1


def test_it_starts_another_export_for_other_filters_or_another_user(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    gig = start(client, {"form": "gig"})
    everyone = start(client)
    other = start(cast.client("city_officer"), {"form": "gig"})
    assert len({gig, everyone, other}) == 3
    assert Job.objects.filter(kind="members.export").count() == 3


def test_it_starts_afresh_once_the_export_has_finished_or_failed(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    first = start(client)
    Job.objects.filter(kind="members.export").update(status=JobStatus.DONE)
    second = start(client)
    assert second != first
    Job.objects.filter(uuid=second.rstrip("/").rsplit("/", 1)[-1]).update(status=JobStatus.FAILED)
    assert start(client) not in (first, second)
    assert Job.objects.filter(kind="members.export").count() == 3


def test_it_returns_the_running_export_through_the_api(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.get("/api/v1/members/export", {"form": "gig"})
    Job.objects.filter(uuid=first.json()["uuid"]).update(status=JobStatus.RUNNING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.get("/api/v1/members/export", {"form": "gig"})
    assert first.status_code == again.status_code == 202
    assert again.json()["uuid"] == first.json()["uuid"] and again.json()["status"] == "running"
    assert Job.objects.filter(kind="members.export").count() == 1


def test_it_tells_a_masked_export_from_an_unmasked_one_and_one_reason_from_another(cast: Cast) -> None:
    admin = cast.users["province_admin"]
    masked = member_export_start(admin, {}, unmasked=False, reason="")
    unmasked = member_export_start(admin, {}, unmasked=True, reason="年度核对")
    assert member_export_start(admin, {}, unmasked=True, reason="  年度核对 ") == unmasked  # the reason as kept
    assert member_export_start(admin, {}, unmasked=True, reason="审计抽查") not in (masked, unmasked)
    assert member_export_start(admin, {}, unmasked=False, reason="") == masked
    assert Job.objects.filter(kind="members.export").count() == 3
