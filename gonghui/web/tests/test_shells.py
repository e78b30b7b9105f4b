"""The two shells: the worker H5 and the staff console, plus /admin/ for superusers only."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.core import modules
from gonghui.testing import Cast, log_in, make_user

pytestmark = pytest.mark.django_db


def test_it_shows_only_registered_modules_on_the_h5_home(cast: Cast) -> None:
    html = Client().get("/").content.decode()
    for tile in modules.tiles():
        assert tile.label in html
    assert 'lang="zh-Hans"' in html and "智慧工会" in html and "登录" in html


def test_it_greets_a_signed_in_worker(cast: Cast) -> None:
    html = cast.client("worker_a").get("/").content.decode()
    assert "王小明，您好" in html and "进入工作台" not in html


def test_it_searches_the_union_directory_by_employer_name(cast: Cast) -> None:
    html = Client().get("/unions/?q=甲精密").content.decode()
    assert "甲公司工会" in html and "乙公司工会" not in html
    fragment = Client().get("/unions/?q=乙", headers={"HX-Request": "true"}).content.decode()
    assert "乙区总工会" in fragment and "<html" not in fragment


def test_it_leads_a_directory_result_straight_to_joining_and_back(cast: Cast) -> None:
    union = cast.grassroots_a
    html = Client().get("/unions/?q=甲精密").content.decode()
    link = f"/unions/join/{union.join_code}/?from=directory&amp;q=%E7%94%B2%E7%B2%BE%E5%AF%86"
    assert f'href="{link}"' in html
    page = Client().get(link.replace("&amp;", "&")).content.decode()
    assert f"/members/join/code/{union.join_code}/" in page or "申请加入本工会" in page
    assert 'href="/unions/?q=%E7%94%B2%E7%B2%BE%E5%AF%86">‹ 找工会</a>' in page
    poster = Client().get(f"/unions/join/{union.join_code}/").content.decode()
    assert "‹ 找工会" not in poster  # opened from a poster's QR code: no way back to a search it never made


def test_it_shows_the_scope_and_sidebar_in_the_console(cast: Cast) -> None:
    html = cast.client("district_a_officer").get("/console/").content.decode()
    assert "当前范围" in html and "甲区总工会" in html and "工作人员" in html  # role badge
    assert "工会组织" in html and "企业/单位" in html
    assert "审计日志" not in html  # officers don't audit
    admin_html = cast.client("district_a_admin").get("/console/").content.decode()
    assert "审计日志" in admin_html and "/console/accounts/staff/" in admin_html


def test_it_sends_anonymous_visitors_to_login(cast: Cast) -> None:
    response = Client().get("/console/unions/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_it_opens_admin_to_superusers_only(cast: Cast) -> None:
    assert cast.client("province_admin").get("/admin/").status_code == 302
    root = make_user("系统管理员")
    root.is_superuser = True
    root.save()
    client = Client()
    log_in(client, root)
    assert client.get("/admin/").status_code == 200


def test_it_renders_a_chinese_404(cast: Cast) -> None:
    response = cast.client("district_a_officer").get(f"/console/unions/{cast.district_b.uuid}/")
    assert response.status_code == 404 and "未找到该记录" in response.content.decode()


def test_it_sends_the_admin_login_to_the_one_login_page() -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_it_renders_djangos_own_404_in_chinese() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "您访问的页面不存在" in response.content.decode()


def test_it_shows_auditors_the_tree_but_not_business_data(cast: Cast) -> None:
    html = cast.client("auditor").get(f"/console/unions/{cast.grassroots_a.uuid}/").content.decode()
    assert "甲公司工会" in html
    assert "甲精密制造有限公司" not in html and "直属单位" not in html and "本级工作人员" not in html
