"""Every staff endpoint of the benefits app, HTML and API, against the whole cast: own branch, parent,
child, sibling, other city, read-only (403 on writes) and anonymous (login required)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.benefits.models import Campaign, Lottery, Partner
from gonghui.benefits.services import campaigns, lotteries, partners
from gonghui.testing import OK, Cast, make_user, scope_matrix

from .conftest import JSON, campaign_data

pytestmark = pytest.mark.django_db

EVERY_STAFF_SEES_A_LIST = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}


@pytest.fixture
def fresh_partner(cast: Cast) -> Callable[[], Partner]:
    def make() -> Partner:
        today = timezone.localdate()
        return partners.partner_create(actor=None, union=cast.district_a, name="临时商户", category="daily",
                                       address="甲区某路", discount="9折", contract_start=today,
                                       contract_end=today + timedelta(days=30))
    return make


@pytest.fixture
def draft(cast: Cast, shop: Partner) -> Callable[[], Campaign]:
    def make() -> Campaign:
        return campaigns.campaign_create(actor=None, union=cast.district_a, partners=[shop],
                                         **campaign_data(kind="claim"))
    return make


@pytest.fixture
def active(draft: Callable[[], Campaign]) -> Callable[[], Campaign]:
    def make() -> Campaign:
        return campaigns.campaign_launch(actor=None, campaign=draft())
    return make


@pytest.fixture
def lottery(cast: Cast) -> Callable[[], Lottery]:
    def make() -> Lottery:
        return lotteries.lottery_create(actor=None, union=cast.district_a, name="抽奖", prizes=[("一等奖", 1)])
    return make


def test_it_gates_partner_pages_and_api(cast: Cast, shop: Partner, fresh_partner: Callable) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/console/benefits/partners/{shop.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/partners/{shop.uuid}"))
    form = {"name": "改名商户", "category": "daily", "address": "甲区某路", "discount": "8折",
            "contract_start": str(shop.contract_start), "contract_end": str(shop.contract_end)}
    scope_matrix(cast, lambda c, p: c.post(f"/console/benefits/partners/{p.uuid}/edit/", form), target=fresh_partner,
                 write=True, api=False)
    scope_matrix(cast, lambda c, p: c.patch(f"/api/v1/benefits/partners/{p.uuid}", {"discount": "7折"},
                                            content_type=JSON), target=fresh_partner, write=True)
    scope_matrix(cast, lambda c, p: c.post(f"/console/benefits/partners/{p.uuid}/status/", {"status": "suspended"}),
                 target=fresh_partner, write=True, api=False)
    scope_matrix(cast, lambda c, p: c.post(f"/api/v1/benefits/partners/{p.uuid}/suspend", {}, content_type=JSON),
                 target=fresh_partner, write=True)


def test_it_gates_signing_a_partner(cast: Cast) -> None:
    today = timezone.localdate()
    payload = {"union": str(cast.district_a.uuid), "name": "新商户", "category": "daily", "address": "甲区",
               "discount": "9折", "contract_start": str(today), "contract_end": str(today + timedelta(days=9))}
    scope_matrix(cast, lambda c, _: c.post("/api/v1/benefits/partners", payload, content_type=JSON), write=True)
    scope_matrix(cast, lambda c, _: c.post("/console/benefits/partners/new/", payload), write=True, api=False)


def test_it_gates_campaign_pages_and_api(cast: Cast, draft: Callable, active: Callable) -> None:
    campaign = active()
    scope_matrix(cast, lambda c, _: c.get(f"/console/benefits/campaigns/{campaign.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/console/benefits/campaigns/{campaign.uuid}/counts/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/campaigns/{campaign.uuid}"))
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/campaigns/{campaign.uuid}/counts"))
    scope_matrix(cast, lambda c, x: c.post(f"/console/benefits/campaigns/{x.uuid}/launch/"), target=draft,
                 write=True, api=False)
    scope_matrix(cast, lambda c, x: c.post(f"/api/v1/benefits/campaigns/{x.uuid}/launch", content_type=JSON),
                 target=draft, write=True)
    scope_matrix(cast, lambda c, x: c.post(f"/console/benefits/campaigns/{x.uuid}/close/", {"reason": "到期"}),
                 target=active, write=True, api=False)
    scope_matrix(cast, lambda c, x: c.post(f"/api/v1/benefits/campaigns/{x.uuid}/close", {}, content_type=JSON),
                 target=active, write=True)
    scope_matrix(cast, lambda c, x: c.get(f"/console/benefits/campaigns/{x.uuid}/edit/"), target=draft, write=True,
                 api=False)


def test_it_gates_composing_and_previewing(cast: Cast, shop: Partner) -> None:
    today = timezone.localdate()
    payload = {"union": str(cast.district_a.uuid), "name": "新活动", "kind": "claim", "face_cents": 1000,
               "budget_count": 10, "budget_cents": 10_000, "starts_on": str(today),
               "ends_on": str(today + timedelta(days=5)), "partners": [str(shop.uuid)]}
    scope_matrix(cast, lambda c, _: c.post("/api/v1/benefits/campaigns", payload, content_type=JSON), write=True)
    preview = {"union": str(cast.district_a.uuid), "rule": {"employment_form": "gig"}}
    scope_matrix(cast, lambda c, _: c.post("/api/v1/benefits/rules/preview", preview, content_type=JSON))
    scope_matrix(cast, lambda c, _: c.post("/console/benefits/rule-preview/", {"union": str(cast.district_a.uuid)}),
                 api=False)
    scope_matrix(cast, lambda c, _: c.get("/console/benefits/campaigns/new/", {"union": str(cast.district_a.uuid)}),
                 write=True, api=False)


def test_it_gates_lotteries(cast: Cast, lottery: Callable) -> None:
    item = lottery()
    scope_matrix(cast, lambda c, _: c.get(f"/console/benefits/lotteries/{item.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/lotteries/{item.uuid}"))
    scope_matrix(cast, lambda c, x: c.post(f"/console/benefits/lotteries/{x.uuid}/draw/"), target=lottery,
                 write=True, api=False)
    scope_matrix(cast, lambda c, x: c.post(f"/api/v1/benefits/lotteries/{x.uuid}/draw", content_type=JSON),
                 target=lottery, write=True)


def test_it_gates_statistics_and_reports(cast: Cast) -> None:
    scope_matrix(cast, lambda c, _: c.get("/console/benefits/", {"union": str(cast.district_a.uuid)}), api=False)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/benefits/stats", {"union": str(cast.district_a.uuid)}))
    # lists are never a 404: out-of-scope staff get their own (empty) figures
    for url in ("/console/benefits/", "/console/benefits/partners/", "/console/benefits/campaigns/",
                "/console/benefits/lotteries/", "/console/benefits/reconciliation/",
                "/console/benefits/reconciliation.xlsx"):
        scope_matrix(cast, lambda c, _, url=url: c.get(url), api=False, overrides=EVERY_STAFF_SEES_A_LIST)
    for url in ("/api/v1/benefits/partners", "/api/v1/benefits/campaigns", "/api/v1/benefits/lotteries",
                "/api/v1/benefits/reconciliation", "/api/v1/benefits/stats"):
        scope_matrix(cast, lambda c, _, url=url: c.get(url), overrides=EVERY_STAFF_SEES_A_LIST)


def test_it_keeps_workers_out_of_the_console(cast: Cast, active: Callable) -> None:
    campaign = active()
    assert cast.client("worker_a").get("/console/benefits/").status_code == 403
    # staff endpoints refuse workers outright (core.api_audience)
    assert cast.client("worker_a", api=True).get(f"/api/v1/benefits/campaigns/{campaign.uuid}").status_code == 403
    assert cast.client("worker_a", api=True).get("/api/v1/benefits/campaigns").status_code == 403
    # worker pages need a login; the service circle and announcements don't
    for url in ("/benefits/", "/benefits/coupons/", "/benefits/lotteries/", "/benefits/merchant/"):
        response = cast.client(None).get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    assert cast.client(None).get("/benefits/partners/").status_code == 200
    for url in ("/api/v1/benefits/coupons/mine", "/api/v1/benefits/campaigns/claimable",
                "/api/v1/benefits/lotteries/mine"):
        assert cast.client(None, api=True).get(url).status_code == 401, url


def test_it_gates_the_rest_of_the_staff_endpoints(cast: Cast, shop: Partner, fresh_partner: Callable,
                                                   draft: Callable, active: Callable, lottery: Callable) -> None:
    def add_staff(c: Any, p: Partner, api: bool) -> Any:
        phone = make_user("收银员").phone
        if api:
            return c.post(f"/api/v1/benefits/partners/{p.uuid}/staff", {"phone": phone}, content_type=JSON)
        return c.post(f"/console/benefits/partners/{p.uuid}/staff/", {"phone": phone})

    scope_matrix(cast, lambda c, p: add_staff(c, p, True), target=fresh_partner, write=True)
    scope_matrix(cast, lambda c, p: add_staff(c, p, False), target=fresh_partner, write=True, api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/partners/{shop.uuid}/staff"))
    campaign = active()
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/campaigns/{campaign.uuid}/runs"))
    scope_matrix(cast, lambda c, x: c.post(f"/api/v1/benefits/campaigns/{x.uuid}/issue", content_type=JSON),
                 target=active, write=True)
    scope_matrix(cast, lambda c, x: c.post(f"/console/benefits/campaigns/{x.uuid}/issue/"), target=active,
                 write=True, api=False)
    edit = {"name": "改名", "kind": "claim", "coupon_type": "amount", "face_yuan": "10", "budget_count": "5",
            "budget_yuan": "50", "per_member_limit": "1", "starts_on": str(campaign.starts_on),
            "ends_on": str(campaign.ends_on), "partners": [str(shop.uuid)]}
    scope_matrix(cast, lambda c, x: c.post(f"/console/benefits/campaigns/{x.uuid}/edit/", edit), target=draft,
                 write=True, api=False)
    item = lottery()
    lotteries.lottery_draw(actor=None, lottery=item)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/lotteries/{item.uuid}/winners"))
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/benefits/lotteries/{item.uuid}/verify"))
    scope_matrix(cast, lambda c, _: c.post(f"/console/benefits/lotteries/{item.uuid}/verify/"), api=False)
    scope_matrix(cast, lambda c, x: c.get(f"/console/benefits/lotteries/{x.uuid}/edit/"), target=lottery,
                 write=True, api=False)


def test_it_answers_a_foreign_and_a_missing_rule_union_alike(cast: Cast) -> None:
    """The rule preview names no union outside the caller's scope: a foreign union and one that
    does not exist get the same message (no existence oracle)."""
    import uuid

    officer = cast.client("district_a_officer", api=True)

    def preview(union_key: str) -> Any:
        return officer.post("/api/v1/benefits/rules/preview", {
            "union": str(cast.district_a.uuid), "rule": {"unions": [union_key]}}, content_type=JSON)

    foreign, missing = preview(str(cast.district_b.uuid)), preview(str(uuid.uuid4()))
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    assert cast.district_b.name not in foreign.content.decode()
    # the HTML preview says the same
    page = cast.client("district_a_officer")
    answers = [page.post("/console/benefits/rule-preview/", {"union": str(cast.district_a.uuid),
                                                               "rule_unions": [key]}).content.decode()
               for key in (str(cast.district_b.uuid), str(uuid.uuid4()))]
    assert cast.district_b.name not in answers[0]
