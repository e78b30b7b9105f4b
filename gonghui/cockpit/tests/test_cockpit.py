"""The cockpit's pages, API, exports and refresh on the test cast (scope, permissions, behaviour)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.cockpit import exports, services
from gonghui.cockpit.models import Figure, Flow, Period, RefreshKind, RefreshRun, RefreshStatus
from gonghui.cockpit.selectors import overview
from gonghui.core.models import AuditLog, Job, JobStatus
from gonghui.core.modules import StatSource, register_stats, stat_sources
from gonghui.members.models import Member
from gonghui.members.services import transfer as transfers
from gonghui.members.services.registry import member_create
from gonghui.testing import id_number, scope_matrix
from gonghui.unions import services as union_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed(cast):
    services.stats_refresh()
    return cast


def _figure(union, metric, dim=""):
    row = Figure.objects.filter(union=union, metric=metric, dim=dim).first()
    return row.value if row else 0


def _month_flow(union, metric, month):
    row = Flow.objects.filter(union=union, metric=metric, period=Period.MONTH, start=month, dim="").first()
    return row.value if row else 0


# --- Roll-up ----------------------------------------------------------------------------------------------------


def test_rollup_adds_each_row_to_the_union_and_all_its_ancestors():
    tree = services.Tree(paths={1: "1/", 2: "1/2/", 3: "1/2/3/", 4: "1/4/"})
    rolled = services.rollup([(3, "m", "", 5), (2, "m", "", 1), (4, "m", "x", 2)], tree)
    assert rolled == {(1, "m", ""): 6, (2, "m", ""): 6, (3, "m", ""): 5, (1, "m", "x"): 2, (4, "m", "x"): 2}


def test_figures_are_subtree_totals(refreshed):
    u = refreshed.unions
    # Cast members: worker_a (grassroots A), gig_worker_a and provider (district A), worker_b (grassroots B).
    assert _figure(u["grassroots_a"], "members.total") == 1
    assert _figure(u["district_a"], "members.total") == 3
    assert _figure(u["city"], "members.total") == 4
    assert _figure(u["province"], "members.total") == 4
    assert _figure(u["district_a"], "members.gig", "food_delivery") == 1
    assert _figure(u["province"], "members.model_workers") == 1
    assert _figure(u["district_a"], "members.migrant") == 1
    assert _figure(u["province"], "unions.total") == 9
    assert _figure(u["district_a"], "unions.total") == 3
    assert _figure(u["province"], "employers.total") == 3
    assert _figure(u["province"], "employers.unionized") == 1
    assert _figure(u["province"], "employers.industry", "G") == 2


# --- Refresh ----------------------------------------------------------------------------------------------------


def test_first_refresh_rebuilds_everything_then_refreshes_incrementally(cast):
    first = services.stats_refresh()
    assert first.kind == RefreshKind.FULL and first.status == RefreshStatus.DONE
    assert first.days == services.history_days() + 1
    second = services.stats_refresh()
    assert second.kind == RefreshKind.SCHEDULED
    assert second.days == services.WINDOW_DAYS  # the cast joined today: nothing older was touched


def test_a_new_union_needs_no_rebuild_but_a_moved_one_does(refreshed):
    u = refreshed.unions
    union_services.union_create(actor=None, parent=u["district_b"], name="新建公司工会", audited=False)
    assert services.stats_refresh().kind == RefreshKind.SCHEDULED
    assert _figure(u["district_b"], "unions.total") == 3
    joined = timezone.localdate().replace(day=1)
    assert _month_flow(u["district_a"], "members.joined", joined) == 3
    union_services.union_move(actor=refreshed.users["province_admin"], union=u["street_a"], new_parent=u["district_b"])
    assert services.stats_refresh().kind == RefreshKind.FULL
    assert _figure(u["district_b"], "unions.total") == 5 and _figure(u["district_a"], "unions.total") == 1
    assert _month_flow(u["district_a"], "members.joined", joined) == 2  # worker_a went with the street
    assert _month_flow(u["district_b"], "members.joined", joined) == 2
    assert services.stats_refresh().kind == RefreshKind.SCHEDULED


def test_a_transfer_moves_an_old_join_to_the_new_union(cast):
    u = cast.unions
    long_ago = timezone.localdate() - timedelta(days=200)
    member = member_create(actor=None, union=u["grassroots_a"], name="周转会",
                           id_number=id_number("630102", "19880102", "777"))
    Member.objects.filter(pk=member.pk).update(join_date=long_ago, updated_at=timezone.now() - timedelta(days=150))
    services.stats_refresh()
    month = long_ago.replace(day=1)
    assert _month_flow(u["district_a"], "members.joined", month) == 1
    assert _month_flow(u["district_b"], "members.joined", month) == 0

    admin = cast.users["province_admin"]
    started = transfers.transfer_start(actor=admin, member=Member.objects.get(pk=member.pk), to_union=u["grassroots_b"])
    transfers.transfer_accept(actor=admin, transfer=started)  # started by staff: released at once
    run = services.stats_refresh()
    assert run.kind == RefreshKind.SCHEDULED and long_ago >= run.first_day
    assert _month_flow(u["district_a"], "members.joined", month) == 0
    assert _month_flow(u["district_b"], "members.joined", month) == 1
    assert _month_flow(u["province"], "members.joined", month) == 1


def test_a_failing_source_rolls_the_whole_refresh_back(refreshed, monkeypatch):
    before = set(Figure.objects.values_list("union_id", "metric", "dim", "value"))
    Member.objects.filter(pk=refreshed.members["worker_b"].pk).update(status="left")

    def broken(first, last):
        raise RuntimeError("磁盘已满")

    original = list(stat_sources())
    try:
        register_stats(StatSource(key="zz-broken", metrics={}, daily=broken))
        with pytest.raises(RuntimeError):
            services.stats_refresh()
    finally:
        from gonghui.core import modules

        modules._stat_sources.pop("zz-broken", None)
    assert list(stat_sources()) == original
    assert set(Figure.objects.values_list("union_id", "metric", "dim", "value")) == before
    failed = RefreshRun.objects.first()
    assert failed.status == RefreshStatus.FAILED and "磁盘已满" in failed.error
    assert services.last_refresh().status == RefreshStatus.DONE


def test_management_command(cast):
    out = io.StringIO()
    call_command("cockpit_refresh", stdout=out)
    assert "全量重建完成" in out.getvalue()
    out = io.StringIO()
    call_command("cockpit_refresh", "--day", "2020-02-29", stdout=out)
    assert "定时刷新完成" in out.getvalue()
    assert RefreshRun.objects.first().first_day.isoformat() == "2020-02-29"
    with pytest.raises(CommandError, match="日期格式"):
        call_command("cockpit_refresh", "--day", "2020-02-30")


def test_the_beat_schedule_refreshes_every_ten_minutes(settings):
    assert settings.CELERY_BEAT_SCHEDULE["cockpit-refresh"] == {"task": "gonghui.cockpit.tasks.refresh_task",
                                                                "schedule": 600}


# --- Reading ----------------------------------------------------------------------------------------------------


def test_an_overview_costs_the_same_queries_however_much_data(refreshed):
    union, user = refreshed.unions["province"], refreshed.users["province_admin"]
    overview(union, user=user)  # the user's scope is loaded once per request
    with CaptureQueriesContext(connection) as few:
        overview(union, user=user)
    for n in range(30):
        member_create(actor=None, union=refreshed.unions["grassroots_b"], name=f"新会员{n}",
                      id_number=id_number("630103", "19900101", f"{n + 100:03d}"))
    services.stats_refresh()
    with CaptureQueriesContext(connection) as many:
        result = overview(union, user=user)
    assert len(many.captured_queries) == len(few.captured_queries) <= 8
    assert result.figure("members.total") == 34


def test_a_district_officer_sees_only_the_district(refreshed):
    u = refreshed.unions
    client = refreshed.client("district_a_officer")
    page = client.get("/console/cockpit/")
    assert page.status_code == 200
    data = page.context["data"]
    assert data["union"]["name"] == "甲区总工会" and data["path"] == []  # the city above is not theirs
    assert [row["union"]["name"] for row in data["ranking"]] == ["甲区东街道总工会"]
    street = client.get(f"/console/cockpit/?union={u['street_a'].uuid}").context["data"]
    assert street["path"][0]["name"] == "甲区总工会"
    assert client.get(f"/console/cockpit/?union={u['district_b'].uuid}").status_code == 404
    assert client.get(f"/console/cockpit/?union={u['city'].uuid}").status_code == 404
    assert client.get("/console/cockpit/?union=not-a-uuid").status_code == 404


def test_a_province_admin_drills_down_to_a_district_and_a_street(refreshed):
    u = refreshed.unions
    client = refreshed.client("province_admin")
    root = client.get("/console/cockpit/").context["data"]
    assert root["union"]["name"] == "测试省总工会" and root["members"]["total"] == 4
    city = next(r for r in root["ranking"] if r["union"]["name"] == "测试市总工会")
    assert city["members"] == 4
    city_page = client.get(f"/console/cockpit/?union={city['union']['uuid']}")
    district = next(r for r in city_page.context["data"]["ranking"] if r["union"]["name"] == "甲区总工会")
    assert district["members"] == 3
    assert f'href="?union={district["union"]["uuid"]}"' in city_page.content.decode()
    district_page = client.get(f"/console/cockpit/?union={district['union']['uuid']}").context["data"]
    assert [p["name"] for p in district_page["path"]] == ["测试省总工会", "测试市总工会"]
    street = district_page["ranking"][0]
    assert street["union"]["uuid"] == u["street_a"].uuid and street["members"] == 1


def test_scope_of_the_pages_and_the_api(refreshed):
    target = refreshed.unions["district_a"]
    for url in ("/console/cockpit/?union={}", "/console/cockpit/screen/?union={}",
                "/console/cockpit/export/ranking.xlsx?union={}"):
        scope_matrix(refreshed, lambda client, _, url=url: client.get(url.format(target.uuid)), api=False)
    scope_matrix(refreshed, lambda client, _: client.get(f"/api/v1/cockpit/overview?union={target.uuid}"))


def test_auditors_and_members_have_no_cockpit(refreshed):
    assert refreshed.client("auditor").get("/console/cockpit/").status_code == 403
    assert refreshed.client("auditor", api=True).get("/api/v1/cockpit/overview").status_code == 403
    assert refreshed.client("worker_a").get("/console/cockpit/").status_code == 403
    assert refreshed.client(None).get("/console/cockpit/screen/").status_code == 302


def test_the_api_page_screen_and_exports_show_the_same_numbers(refreshed):
    u = refreshed.unions["city"]
    client = refreshed.client("city_officer")
    api = client.get(f"/api/v1/cockpit/overview?union={u.uuid}").json()
    page = client.get(f"/console/cockpit/?union={u.uuid}")
    embedded = json.loads(page.content.decode().split('id="cockpit-data" type="application/json">')[1]
                          .split("</script>")[0])
    screen = client.get(f"/console/cockpit/screen/?union={u.uuid}").content.decode()
    on_screen = json.loads(screen.split('id="cockpit-data" type="application/json">')[1].split("</script>")[0])
    assert api == embedded == on_screen
    assert api["members"]["total"] == 4 and api["organisations"]["unions"] == 6
    assert api["organisations"]["unionization_rate"] == 33.3
    for table in exports.TABLES:
        response = client.get(f"/console/cockpit/export/{table.key}.xlsx?union={u.uuid}")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == table.header
        expected = [tuple("" if v is None else v for v in row) for row in table.rows(api)]
        assert [tuple("" if v is None else v for v in row) for row in rows[1:]] == [
            tuple(str(v) if isinstance(v, str) else v for v in row) for row in expected]
    assert AuditLog.objects.filter(action="cockpit.export").count() == len(exports.TABLES)
    everything = load_workbook(io.BytesIO(client.get(f"/console/cockpit/export/all.xlsx?union={u.uuid}").content))
    assert everything.sheetnames == [t.title for t in exports.TABLES]
    assert client.get(f"/console/cockpit/export/nope.xlsx?union={u.uuid}").status_code == 404


def test_the_big_screen_is_dark_self_refreshing_and_offline(refreshed):
    html = refreshed.client("province_admin").get("/console/cockpit/screen/").content.decode()
    assert "/static/gonghui/echarts.min.js" in html and "/static/cockpit/screen.css" in html
    assert 'data-poll="60"' in html and "/api/v1/cockpit/overview" in html  # read by cockpit/boot.js
    assert "http://" not in html and "https://" not in html  # nothing from the internet
    from django.contrib.staticfiles import finders

    assert finders.find("gonghui/echarts.min.js") and finders.find("cockpit/cockpit.js")


def test_only_admins_refresh_on_demand(refreshed):
    u = refreshed.unions
    assert refreshed.client("district_a_officer").post("/console/cockpit/refresh/",
                                                       {"union": u["district_a"].uuid}).status_code == 403
    with TestCase.captureOnCommitCallbacks(execute=True):  # the worker's part, inline
        started = refreshed.client("district_a_admin").post("/console/cockpit/refresh/",
                                                            {"union": u["district_a"].uuid})
    response = refreshed.client("district_a_admin").get(started["Location"], follow=True)
    # The job page lands on the cockpit with the run's result.
    assert response.redirect_chain[-1][0] == f"/console/cockpit/?union={u['district_a'].uuid}"
    assert response.status_code == 200 and "刷新统计：甲区总工会：已完成。重算" in response.content.decode()
    run = RefreshRun.objects.first()
    assert run.kind == RefreshKind.MANUAL and run.actor == refreshed.users["district_a_admin"]
    log = AuditLog.objects.filter(action="cockpit.refresh").first()
    assert log.user == refreshed.users["district_a_admin"] and log.union_name == "甲区总工会"
    assert refreshed.client("district_a_officer", api=True).post("/api/v1/cockpit/refresh").status_code == 403
    answer = refreshed.client("province_admin", api=True).post("/api/v1/cockpit/refresh")
    assert answer.status_code == 200 and answer.json()["kind"] == "manual"
    runs = refreshed.client("district_a_viewer", api=True).get("/api/v1/cockpit/refreshes").json()
    assert runs[0]["kind"] == "manual" and runs[0]["status"] == "done"


def test_before_the_first_refresh_the_page_says_so(cast):
    page = cast.client("province_admin").get("/console/cockpit/")
    assert page.status_code == 200 and "统计尚未生成" in page.content.decode()
    assert page.context["data"]["members"]["total"] == 0


def test_with_a_celery_worker_the_refresh_is_queued(refreshed):
    admin, union = refreshed.users["district_a_admin"], refreshed.unions["district_a"]
    client = refreshed.client("district_a_admin")
    started = client.post("/console/cockpit/refresh/", {"union": union.uuid})  # no worker has run it yet
    job = Job.objects.get(kind="cockpit.refresh")
    assert started["Location"] == f"/console/jobs/{job.uuid}/?land=1"
    assert job.status == JobStatus.QUEUED and job.owner == admin
    assert job.params == {"kind": RefreshKind.MANUAL, "union_id": union.pk} and job.union_name == "甲区总工会"
    page = client.get(started["Location"]).content.decode()
    assert "已提交，正在处理" in page and f"/console/jobs/{job.uuid}/progress/?land=1" in page
    assert not RefreshRun.objects.filter(kind=RefreshKind.MANUAL).exists()