"""Every market endpoint, HTML and API, against the whole cast: own branch, parent, child, sibling,
other city, read-only and anonymous (gonghui.testing.scope_matrix); the provider gate; the member's
own orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gonghui.market.models import Need, Offering, Order, Provider
from gonghui.market.services import catalogue, needs
from gonghui.testing import OK, Cast, scope_matrix

from .conftest import JSON, advance, batch_of, make_offering, make_provider, new_member

pytestmark = pytest.mark.django_db

LISTS = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}  # empty, never 404
TOMORROW = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def big(cast: Cast, provider: Provider) -> Offering:
    return make_offering(cast, provider, capacity=500)


def fresh_order(cast: Cast, offering: Offering, status: str = "placed") -> Any:
    def build() -> Order:
        from gonghui.market.services import orders

        member = new_member(cast.district_a)
        order = orders.order_place(actor=member.user, batch=batch_of(offering)).order
        return advance(cast, order, status)

    return build


def fresh_offering(cast: Cast, *, listed: bool) -> Any:
    return lambda: make_offering(cast, listed=listed)


# --- Console pages ----------------------------------------------------------------------------------------------


def test_it_lists_only_in_scope(cast: Cast, big: Offering) -> None:
    order = fresh_order(cast, big)()
    for url in ("/console/market/", "/console/market/orders/", "/console/market/providers/",
                "/console/market/reviews/", "/console/market/needs/", "/console/market/needs/categories/",
                "/console/market/stats/", "/console/market/stats/export.xlsx"):
        scope_matrix(cast, lambda c, _, url=url: c.get(url), api=False, overrides=LISTS)
    board = cast.client("district_a_officer").get("/console/market/orders/").content.decode()
    assert order.short_code in board
    for outsider in ("district_b_officer", "grassroots_a_officer"):
        page = cast.client(outsider).get("/console/market/orders/").content.decode()
        assert order.short_code not in page and "电工技能培训" not in cast.client(outsider).get(
            "/console/market/?status=listed").content.decode()
    assert cast.client("worker_a").get("/console/market/").status_code == 403  # not staff


def test_it_gates_the_offering_page(cast: Cast, big: Offering) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/console/market/offerings/{big.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.post(f"/console/market/offerings/{big.uuid}/", {
        "title": "电工技能培训（进阶）", "domain": "education", "summary": "进阶", "mode": "online",
        "audience": "all"}),
        api=False, write=True)


def test_it_gates_the_offering_transitions(cast: Cast, provider: Provider) -> None:
    scope_matrix(cast, lambda c, o: c.post(f"/market/offerings/{o.uuid}/list/"), target=fresh_offering(
        cast, listed=False), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/market/offerings/{o.uuid}/withdraw/"), target=fresh_offering(
        cast, listed=True), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/market/offerings/{o.uuid}/batches/", {
        "name": "第2批", "capacity": 5, "serves_from": "2030-05-01 09:00"}),
                 target=fresh_offering(cast, listed=True), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/market/batches/{batch_of(o).uuid}/close/"),
                 target=fresh_offering(cast, listed=True), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/offerings/{o.uuid}/list", content_type=JSON),
                 target=fresh_offering(cast, listed=False), write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/offerings/{o.uuid}/withdraw", {"reason": "调整"},
                                           content_type=JSON), target=fresh_offering(cast, listed=True), write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/offerings/{o.uuid}/batches",
                                           {"name": "第2批", "capacity": 5,
                                            "serves_from": "2030-05-01T09:00:00+08:00"}, content_type=JSON),
                 target=fresh_offering(cast, listed=True), write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/batches/{batch_of(o).uuid}/close", content_type=JSON),
                 target=fresh_offering(cast, listed=True), write=True)
    scope_matrix(cast, lambda c, o: c.put(f"/api/v1/market/offerings/{o.uuid}", {
        "title": "新名称", "domain": "tech", "summary": "改", "mode": "online"}, content_type=JSON),
        target=fresh_offering(cast, listed=True), write=True)


def test_it_gates_offering_reading_and_creation_in_the_api(cast: Cast, big: Offering, provider: Provider) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/market/manage/offerings/{big.uuid}"))
    scope_matrix(cast, lambda c, _: c.post("/api/v1/market/manage/offerings", {
        "provider": str(provider.uuid), "title": "安全生产讲座", "domain": "lecture", "summary": "讲安全",
        "mode": "online"}, content_type=JSON), write=True)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/offerings"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/orders"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/orders/counts"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/stats"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/providers"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/needs"), overrides=LISTS)
    scope_matrix(cast, lambda c, _: c.get("/api/v1/market/manage/reviews"), overrides=LISTS)


def test_it_gates_the_order_pages_and_reading(cast: Cast, big: Offering) -> None:
    order = fresh_order(cast, big)()
    scope_matrix(cast, lambda c, _: c.get(f"/console/market/orders/{order.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/market/orders/{order.uuid}"))


def test_it_gates_the_order_transitions_on_the_pages(cast: Cast, big: Offering) -> None:
    scope_matrix(cast, lambda c, o: c.post(f"/market/orders/{o.uuid}/assign/", {
        "server_name": "陈师傅", "scheduled_at": TOMORROW}), target=fresh_order(cast, big), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/market/orders/{o.uuid}/deliver/", {"note": "完成"}),
                 target=fresh_order(cast, big, "assigned"), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/market/orders/{o.uuid}/no-show/"),
                 target=fresh_order(cast, big, "assigned"), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/market/orders/{o.uuid}/cancel/", {"reason": "讲师有事"}),
                 target=fresh_order(cast, big), api=False, write=True)
    scope_matrix(cast, lambda c, o: c.post("/console/market/orders/assign/", {
        "uuids": [str(o.uuid)], "server_name": "陈师傅", "scheduled_at": TOMORROW}),
        target=fresh_order(cast, big), api=False, write=True)


def test_it_gates_the_order_transitions_in_the_api(cast: Cast, big: Offering) -> None:
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/orders/{o.uuid}/assign", {
        "server_name": "陈师傅", "scheduled_at": timezone.now().isoformat()}, content_type=JSON),
        target=fresh_order(cast, big), write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/orders/{o.uuid}/deliver", {"note": "完成"}),
                 target=fresh_order(cast, big, "assigned"), write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/orders/{o.uuid}/no-show", content_type=JSON),
                 target=fresh_order(cast, big, "assigned"), write=True)
    scope_matrix(cast, lambda c, o: c.post(f"/api/v1/market/orders/{o.uuid}/cancel", {"reason": "讲师有事"},
                                           content_type=JSON), target=fresh_order(cast, big), write=True)
    scope_matrix(cast, lambda c, o: c.post("/api/v1/market/manage/orders/assign", {
        "orders": [str(o.uuid)], "server_name": "陈师傅", "scheduled_at": timezone.now().isoformat()},
        content_type=JSON), target=fresh_order(cast, big), write=True)


def test_it_gates_providers(cast: Cast, provider: Provider) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/console/market/providers/{provider.uuid}/"), api=False)
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/market/manage/providers/{provider.uuid}"))
    scope_matrix(cast, lambda c, _: c.post(f"/console/market/providers/{provider.uuid}/", {
        "kind": "model_worker", "name": "陈劳模", "title_level": "national_model", "is_active": "on"}),
        api=False, write=True)
    scope_matrix(cast, lambda c, _: c.post("/api/v1/market/manage/providers", {
        "union": str(cast.district_a.uuid), "kind": "law_firm", "name": "甲区律师事务所"}, content_type=JSON),
        write=True)
    scope_matrix(cast, lambda c, _: c.post("/console/market/providers/new/", {
        "union": str(cast.district_a.uuid), "kind": "school", "name": "甲区职业学校", "is_active": "on"}),
        api=False, write=True)


def test_it_gates_needs_and_categories(cast: Cast, big: Offering, category: Any) -> None:
    def fresh_need() -> Need:
        member = new_member(cast.district_a)
        return needs.need_post(actor=member.user, category=category, title="想学电焊")

    need = fresh_need()
    scope_matrix(cast, lambda c, _: c.get(f"/console/market/needs/{need.uuid}/"), api=False)
    scope_matrix(cast, lambda c, n: c.post(f"/console/market/needs/{n.uuid}/", {"offering": str(big.uuid)}),
                 target=fresh_need, api=False, write=True)
    scope_matrix(cast, lambda c, n: c.post(f"/api/v1/market/manage/needs/{n.uuid}/answer",
                                           {"offering": str(big.uuid), "text": "推荐"}, content_type=JSON),
                 target=fresh_need, write=True)
    scope_matrix(cast, lambda c, _: c.post("/api/v1/market/manage/need-categories", {
        "union": str(cast.district_a.uuid), "name": f"分类{timezone.now().timestamp()}"}, content_type=JSON),
        write=True)
    scope_matrix(cast, lambda c, _: c.put(f"/api/v1/market/manage/need-categories/{category.uuid}", {
        "union": str(cast.district_a.uuid), "name": "技能培训", "position": 1}, content_type=JSON), write=True)


# --- The provider gate -------------------------------------------------------------------------------------------


def test_it_lets_a_provider_act_only_on_its_own(cast: Cast, big: Offering) -> None:
    order = fresh_order(cast, big)()
    other_provider = make_provider(cast, account=cast.merchant, name="甲区医院", kind="hospital")
    theirs = make_offering(cast, other_provider, title="健康讲座", domain="health")
    foreign = fresh_order(cast, theirs)()

    provider = cast.client("provider")
    assert provider.get("/market/provider/").status_code == 200
    assert provider.get(f"/market/provider/orders/{order.uuid}/").status_code == 200
    assert provider.get(f"/market/provider/orders/{foreign.uuid}/").status_code == 404
    assert provider.get(f"/market/provider/offerings/{theirs.uuid}/").status_code == 404
    assert provider.post(f"/market/orders/{foreign.uuid}/assign/", {
        "server_name": "x", "scheduled_at": TOMORROW}).status_code == 404
    assert provider.post(f"/market/offerings/{theirs.uuid}/withdraw/").status_code == 404
    api = cast.client("provider", api=True)
    assert api.post(f"/api/v1/market/orders/{foreign.uuid}/assign", {"server_name": "x"},
                    content_type=JSON).status_code == 404
    assert api.get(f"/api/v1/market/orders/{foreign.uuid}").status_code == 404
    assert api.get("/api/v1/market/provider/orders").json()["count"] == 1
    assert api.get("/api/v1/market/manage/orders").status_code == 403  # no staff scope at all: staff endpoints refuse
    # the provider's own offerings: manage them
    assert api.post(f"/api/v1/market/offerings/{big.uuid}/batches", {"name": "第2批", "capacity": 3,
                                                                "serves_from": "2030-05-01T09:00:00+08:00"},
                    content_type=JSON).status_code == 201
    created = api.post("/api/v1/market/provider/offerings", {"title": "高压电工答疑", "domain": "tech",
                                                            "summary": "线上答疑", "mode": "online"},
                       content_type=JSON)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    # a deactivated provider's account loses the gate
    Provider.objects.filter(user=cast.users["provider"]).update(is_active=False)
    assert provider.get("/market/provider/").status_code == 403
    assert api.get("/api/v1/market/provider/orders").status_code == 403
    for outsider in ("worker_a", "district_a_officer"):
        assert cast.client(outsider).get("/market/provider/").status_code == 403
        assert cast.client(outsider, api=True).get("/api/v1/market/provider/orders").status_code == 403
    assert cast.client(None).get("/market/provider/").status_code == 302


def test_it_keeps_a_members_orders_their_own(cast: Cast, big: Offering) -> None:
    order = fresh_order(cast, big)()
    owner = order.member.user
    from django.test import Client

    mine = Client()
    mine.force_login(owner, backend="gonghui.accounts.auth.PhoneBackend")
    assert mine.get(f"/market/orders/{order.uuid}/").status_code == 200
    for other in ("worker_a", "district_a_officer", "province_admin"):
        assert cast.client(other).get(f"/market/orders/{order.uuid}/").status_code == 404
    assert cast.client("worker_a").post(f"/market/orders/{order.uuid}/cancel/").status_code == 404
    assert cast.client("worker_a", api=True).post(f"/api/v1/market/orders/{order.uuid}/confirm",
                                                  content_type=JSON).status_code == 404
    assert cast.client("worker_a", api=True).get(f"/api/v1/market/orders/{order.uuid}").status_code == 404
    assert cast.client(None).get(f"/market/orders/{order.uuid}/").status_code == 302
    assert cast.client(None, api=True).get("/api/v1/market/orders/mine").status_code == 401
    # the catalogue is public on the H5; ordering needs a login
    assert cast.client(None).get("/market/").status_code == 200
    assert cast.client(None).get(f"/market/o/{big.uuid}/").status_code == 200
    assert cast.client(None).post(f"/market/o/{big.uuid}/order/").status_code == 302
    # drafts are not in the catalogue
    draft = make_offering(cast, listed=False, title="未上架")
    assert cast.client("worker_a").get(f"/market/o/{draft.uuid}/").status_code == 404
    assert cast.client("worker_a", api=True).get(f"/api/v1/market/offerings/{draft.uuid}").status_code == 404


def test_it_binds_provider_accounts_once(cast: Cast, provider: Provider) -> None:
    with pytest.raises(Exception, match="已绑定"):
        catalogue.provider_create(actor=cast.district_a_officer, union=cast.district_a,
                                  data=catalogue.ProviderData(kind="craftsman", name="另一个"),
                                  account=cast.users["provider"])
    response = cast.client("district_a_officer").post("/console/market/providers/new/", {
        "union": str(cast.district_a.uuid), "kind": "craftsman", "name": "王工匠", "account_phone": "13000000000",
        "is_active": "on"})
    assert response.status_code == 200 and "未找到该手机号的账号" in response.content.decode()
