"""免申即享 launch when the worker's broker cannot be reached: the launch is saved, the API answers
normally (not 500 after saving), the issuance is recorded as a queued job, and the sweep issues
the coupons once the broker is back — once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from gonghui.benefits.models import Campaign, CampaignStatus, Coupon
from gonghui.celery import app
from gonghui.core import jobs
from gonghui.core.models import Job, JobStatus
from gonghui.testing import Cast

from .conftest import JSON

pytestmark = pytest.mark.django_db


def launch_through_api(cast: Cast, campaign: Campaign, capture_on_commit: Callable) -> tuple[Client, HttpResponse]:
    """甲区's officer launches ``campaign`` through the API, the on-commit work run: the officer's API
    client and the answer."""
    officer = cast.client("district_a_officer", api=True)
    with capture_on_commit(execute=True):
        launched = officer.post(f"/api/v1/benefits/campaigns/{campaign.uuid}/launch", content_type=JSON)
    return officer, launched


def test_it_launches_with_the_broker_down_and_issues_when_it_is_back(
        cast: Cast, make_campaign: Callable, broker_down: None, django_capture_on_commit_callbacks: Callable) -> None:
    campaign = make_campaign(rule={"employment_form": "gig"})
    officer, launched = launch_through_api(cast, campaign, django_capture_on_commit_callbacks)
    assert launched.status_code == 200, launched.content
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.ACTIVE
    job = Job.objects.get(kind="benefits.campaign_issue")
    assert job.status == JobStatus.QUEUED and job.params["campaign_id"] == campaign.pk and not Coupon.objects.exists()
    app.conf.task_always_eager = True  # the broker is back (the worker's part runs inline here)
    assert jobs.sweep(now=timezone.now() + timedelta(minutes=1)) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["issued"] == 1
    assert list(Coupon.objects.values_list("member", flat=True)) == [cast.members["gig_worker_a"].pk]
    assert jobs.sweep(now=timezone.now() + timedelta(minutes=2)) == 0 and Coupon.objects.count() == 1


def test_the_console_launch_says_it_is_being_processed(
        cast: Cast, make_campaign: Callable, broker_down: None, django_capture_on_commit_callbacks: Callable) -> None:
    campaign = make_campaign(rule={"employment_form": "gig"})
    with django_capture_on_commit_callbacks(execute=True):
        page = cast.client("district_a_officer").post(f"/console/benefits/campaigns/{campaign.uuid}/launch/",
                                                      follow=True)
    assert page.status_code == 200 and "已提交，正在处理" in page.content.decode()


def test_the_api_launch_answers_with_the_job_and_the_job_endpoint_follows_it(
        cast: Cast, make_campaign: Callable, broker_down: None, django_capture_on_commit_callbacks: Callable) -> None:
    campaign = make_campaign(rule={"employment_form": "gig"})
    officer, launched = launch_through_api(cast, campaign, django_capture_on_commit_callbacks)
    assert launched.status_code == 200, launched.content
    issue_job = launched.json()["issue_job"]
    assert issue_job["status"] == "queued" and issue_job["message"] == "已提交，正在处理"
    assert officer.get(f"/api/v1/benefits/campaigns/{campaign.uuid}").json()["issue_job"] is None
    path = f"/api/v1/core/jobs/{issue_job['uuid']}"
    # someone else's job looks like no job at all
    other = cast.client("district_b_officer", api=True).get(path)
    assert other.status_code == 404
    assert other.json() == cast.client("district_b_officer", api=True).get(
        "/api/v1/core/jobs/00000000-0000-4000-8000-000000000000").json()
    app.conf.task_always_eager = True  # the broker is back
    assert jobs.sweep(now=timezone.now() + timedelta(minutes=1)) == 1
    done = officer.get(path).json()
    assert done["status"] == "done" and done["percent"] == 100 and done["finished_at"] and done["download"] is None
    assert done["message"] and done["message"] != "已提交，正在处理"
