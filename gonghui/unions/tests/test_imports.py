"""Excel import of unions and employers: template, check (dry run) → confirm → commit, on the console
page and the API; row errors in Chinese; scope."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, TestCase
from openpyxl import load_workbook

from gonghui.accounts.models import StaffAssignment
from gonghui.core.models import AuditLog
from gonghui.core.scope import Role
from gonghui.lib import excel
from gonghui.lib.uscc import check_char
from gonghui.testing import Cast, make_user, xlsx_bytes
from gonghui.unions import services
from gonghui.unions.models import Employer, Union, UnionKind, UnionLevel
from gonghui.unions.services import imports as importing
from gonghui.unions.views import exports

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

UNION_HEADER = [c.header for c in importing.UNION_COLUMNS]
EMPLOYER_HEADER = [c.header for c in importing.EMPLOYER_COLUMNS]


def uscc(n: int) -> str:
    body = f"91630102MA{n:07d}"
    return body + check_char(body)


def xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], *, edit: Callable[[Any], None] | None = None,
         title: str = "Sheet") -> bytes:
    return xlsx_bytes(header, rows, title=title, edit=edit)


def unions_xlsx(rows: Sequence[Sequence[Any]], **kwargs: Any) -> bytes:
    return xlsx(UNION_HEADER, rows, **kwargs)


def employers_xlsx(rows: Sequence[Sequence[Any]], **kwargs: Any) -> bytes:
    return xlsx(EMPLOYER_HEADER, rows, **kwargs)


def employer_row(name: str, code: str, union: str = "甲公司工会", **cells: Any) -> list[Any]:
    values = {"单位名称": name, "统一社会信用代码": code, "行业门类": "C", "规模": "小型", "职工人数": "20",
              "地址": "", "所属工会": union, "已单独建会": "否"}
    values.update(cells)
    return [values[h] for h in EMPLOYER_HEADER]


def upload(content: bytes, name: str = "导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def check_page(client: Client, kind: str, content: bytes, name: str = "导入.xlsx") -> HttpResponse:
    """Upload on the console: the check runs as a job (inline here, after the commit); the job page
    lands on its report. Returns the report page (or the job page of a failed check, or the refusal)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post("/console/unions/import/", {"kind": kind, "file": upload(content, name)})
    if started.status_code != 302 or not started["Location"].startswith("/console/jobs/"):
        return started
    return client.get(started["Location"], follow=True)


def confirm(client: Client, checked: HttpResponse, action: str = "commit") -> HttpResponse:
    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = client.post("/console/unions/import/commit/", {"token": checked.context["token"], "action": action})
    if posted.status_code != 302 or not posted["Location"].startswith("/console/jobs/"):
        return posted
    return client.get(posted["Location"], follow=True)


class Polled:
    """The API import as a client sees it once its job ended: the report (the job's ``result``) with
    200, or the failure's Chinese message with 400."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.status_code = 200 if job["status"] == "done" else 400

    def json(self) -> dict[str, Any]:
        return self.job["result"] if self.status_code == 200 else {"message": self.job["message"]}


def api_import(client: Client, kind: str, content: bytes, *, dry_run: bool, name: str = "导入.xlsx") -> Any:
    flag = "true" if dry_run else "false"
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(f"/api/v1/unions/import/{kind}?dry_run={flag}", {"file": upload(content, name)})
    if started.status_code != 202:
        return started
    job = started.json()
    assert job["kind"] == "unions.import" and job["url"] == f"/api/v1/core/jobs/{job['uuid']}"
    polled = client.get(job["url"])
    assert polled.status_code == 200 and polled.json()["status"] in ("done", "failed")
    return Polled(polled.json())


def failed_with(response: HttpResponse) -> str:
    """The Chinese message of a failed check job's page."""
    assert response.status_code == 200 and response.context["job"].status == "failed"
    return response.context["job"].error


def errors_of(response: HttpResponse) -> list[tuple[int, str, str]]:
    if "report" in (getattr(response, "context", None) or {}):
        return [(e.row, e.column, e.message) for e in response.context["report"].errors]
    return [(e["row"], e["column"], e["message"]) for e in response.json()["errors"]]


def waiting_files(tmp: Path) -> list[Path]:
    folder = tmp / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def imports_audited(kind: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=f"import.{kind}"))


# --- Happy paths ---------------------------------------------------------------------------------------------


def test_it_imports_unions_on_the_page_after_a_dry_run(cast: Cast, tmp_path: Path) -> None:
    client = cast.client("district_a_admin")
    content = unions_xlsx([
        ["西街道总工会", "总工会", "街道乡镇", "630102003", "甲区总工会", "西大街1号"],
        ["西街道某公司工会", "", "", "", "西街道总工会", ""],  # parent defined by the row above
        ["东街道某公司工会", "基层工会", "基层", "", "甲区东街道总工会", ""],
    ])
    before = Union.objects.count()

    checked = check_page(client, "unions", content)

    assert checked.status_code == 200
    report = checked.context["report"]
    assert (report.total, report.valid, report.error_rows, report.created) == (3, 3, 0, 0)
    assert Union.objects.count() == before and not imports_audited("unions")
    assert len(waiting_files(tmp_path)) == 1
    page = checked.content.decode()
    assert "确认导入 3 行" in page and "尚未导入任何数据" in page

    done = confirm(client, checked)

    assert done.status_code == 200
    assert done.context["report"].created == 3
    assert "已导入 3 行" in done.content.decode()
    street = Union.objects.get(name="西街道总工会")
    assert (street.parent, street.kind, street.level, street.region_code, street.address) == (
        cast.district_a, UnionKind.FEDERATION, UnionLevel.STREET, "630102003", "西大街1号")
    leaf = Union.objects.get(name="西街道某公司工会")
    assert (leaf.parent, leaf.kind, leaf.level) == (street, UnionKind.GRASSROOTS, UnionLevel.GRASSROOTS)
    assert leaf.path == f"{street.path}{leaf.pk}/"
    assert Union.objects.get(name="东街道某公司工会").parent == cast.street_a
    [entry] = imports_audited("unions")
    assert entry.user == cast.district_a_admin and entry.union_path == cast.district_a.path
    assert entry.detail == {"file": "导入.xlsx", "total": 3, "valid": 3, "created": 3, "invalid": 0,
                            "job": entry.detail["job"]}
    assert not AuditLog.objects.filter(action="union.create").exists()
    assert waiting_files(tmp_path) == []


def test_it_imports_employers_through_the_api(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    content = employers_xlsx([
        employer_row("甲新材料有限公司", uscc(1), "甲公司工会", 行业门类="C", 规模="中型", 职工人数="320",
                     地址="工业园3号", 已单独建会="是"),
        employer_row("甲区便民超市", uscc(2), "甲区总工会", 行业门类="F", 规模="微型", 职工人数="", 已单独建会=""),
    ])

    checked = api_import(client, "employers", content, dry_run=True)

    assert checked.status_code == 200
    result = checked.json()
    assert {key: result[key] for key in ("kind", "dry_run", "total", "valid", "invalid", "created", "errors")} == {
        "kind": "employers", "dry_run": True, "total": 2, "valid": 2, "invalid": 0, "created": 0, "errors": []}
    assert result["summary"] == "已检查 2 行，2 行可以导入；尚未导入任何数据"
    assert not Employer.objects.filter(uscc__in=[uscc(1), uscc(2)]).exists()

    done = api_import(client, "employers", content, dry_run=False)

    assert done.status_code == 200
    assert done.json()["created"] == 2 and done.json()["summary"] == "已导入 2 行"
    first = Employer.objects.get(uscc=uscc(1))
    assert (first.name, first.union, first.industry, first.size, first.employee_count, first.address,
            first.union_established) == ("甲新材料有限公司", cast.grassroots_a, "C", "medium", 320, "工业园3号", True)
    second = Employer.objects.get(uscc=uscc(2))
    assert (second.union, second.employee_count, second.union_established) == (cast.district_a, None, False)
    [entry] = imports_audited("employers")
    assert entry.union_path == cast.district_a.path  # the lowest union holding every target
    assert entry.detail["created"] == 2
    assert not AuditLog.objects.filter(action="employer.create").exists()


def test_it_cleans_messy_input(cast: Cast) -> None:
    code = uscc(3)
    messy_code = " " + code[:8].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + " " + code[8:].lower()
    content = employers_xlsx([
        ["  甲  精密\u3000零件厂 ", messy_code, "ｃ", "中型企业", 120.0, " 园区路 9 号 ", " 甲公司工会 ", True],
        ["甲区物流站", uscc(4), "G 交通运输、仓储和邮政业", "小型", "1,200", "", "甲区总工会", "否"],
        ["甲区书店", uscc(5), "文化、体育和娱乐业", "", "１５人", "", "甲区总工会", "是"],
    ])

    done = api_import(cast.client("district_a_officer", api=True), "employers", content, dry_run=False)

    assert done.json()["errors"] == [] and done.json()["created"] == 3
    parts = Employer.objects.get(uscc=code)
    assert (parts.name, parts.industry, parts.size, parts.employee_count, parts.address, parts.union_established) == (
        "甲 精密 零件厂", "C", "medium", 120, "园区路 9 号", True)
    assert Employer.objects.get(uscc=uscc(4)).employee_count == 1200
    assert Employer.objects.get(uscc=uscc(4)).industry == "G"
    assert (Employer.objects.get(uscc=uscc(5)).industry, Employer.objects.get(uscc=uscc(5)).employee_count) == ("R", 15)

    content = unions_xlsx([["  新建 的\u3000工会 ", "产业工会 ", "街道", "６３０１０２００９", " 甲区总工会", ""]])
    done = api_import(cast.client("district_a_admin", api=True), "unions", content, dry_run=False)
    assert done.json()["errors"] == []
    union = Union.objects.get(name="新建 的 工会")
    assert (union.kind, union.level, union.region_code, union.parent) == (
        UnionKind.INDUSTRY, UnionLevel.STREET, "630102009", cast.district_a)


# --- Row errors -----------------------------------------------------------------------------------------------


def test_it_reports_every_union_row_error_in_chinese(cast: Cast) -> None:
    stopped = services.union_create(actor=None, parent=cast.district_a, name="已停用的工会", audited=False)
    Union.objects.filter(pk=stopped.pk).update(is_active=False)
    services.union_create(actor=None, parent=cast.district_a, name="同名工会", audited=False)
    services.union_create(actor=None, parent=cast.street_a, name="同名工会", audited=False)
    rows = [
        ["", "", "", "", "甲区总工会", ""],                                       # 2
        ["一", "", "", "", "不存在的工会", ""],                                   # 3
        ["二", "大工会", "", "", "甲区总工会", ""],                               # 4
        ["三", "", "国家级", "", "甲区总工会", ""],                               # 5
        ["四", "", "县区级", "", "甲区总工会", ""],                               # 6
        ["五", "", "", "12345", "甲区总工会", ""],                                # 7
        ["六", "", "", "", "", ""],                                              # 8
        ["甲区东街道总工会", "", "", "", "甲区总工会", ""],                       # 9
        ["新工会", "", "", "", "甲区总工会", ""],                                 # 10 valid
        ["新工会", "", "", "", "甲区总工会", ""],                                 # 11
        ["七", "", "", "", "后面的工会", ""],                                     # 12
        ["后面的工会", "", "", "", "甲区总工会", ""],                             # 13 valid
        ["坏上级", "错类型", "", "", "甲区总工会", ""],                           # 14
        ["八", "", "", "", "坏上级", ""],                                        # 15
        ["九", "", "", "", "甲公司工会", ""],                                    # 16
        ["十", "", "", "", "已停用的工会", ""],                                   # 17
        ["十一", "", "", "", "同名工会", ""],                                     # 18
        ["十二", "", "", "", "甲区总工会/同名工会", ""],                           # 19 valid
        ["十三", "", "", "", "乙区总工会", ""],                                   # 20
        ["名" * 201, "", "", "", "甲区总工会", ""],                               # 21
        list(importing.EXAMPLES["unions"]),                                       # 22
        ["十四", "", "", "", "新工会", ""],                                       # 23 valid: parent from row 10
    ]
    client = cast.client("district_a_admin", api=True)

    checked = api_import(client, "unions", unions_xlsx(rows), dry_run=True)

    assert checked.status_code == 200
    assert errors_of(checked) == [
        (2, "名称", "请填写名称"),
        (3, "上级工会", "找不到工会「不存在的工会」，或该工会不在您的管理范围内"),
        (4, "类型", "类型“大工会”不正确，应为 总工会、产业工会、工会联合会、基层工会 之一"),
        (5, "层级", "层级“国家级”不正确，应为 省级、市级、县区级、街道乡镇、基层 之一"),
        (6, "层级", "层级“县区级”必须低于上级工会「甲区总工会」的层级（县区级）"),
        (7, "行政区划代码", "行政区划代码“12345”不正确，应为6位、9位或12位数字"),
        (8, "上级工会", "请填写上级工会（不能通过导入新建顶级工会）"),
        (9, "名称", "上级工会「甲区总工会」下已有名为「甲区东街道总工会」的工会"),
        (11, "名称", "与第10行重复：同一上级工会下不能有两个「新工会」"),
        (12, "上级工会", "上级工会「后面的工会」在第13行，须写在本行之前（先写上级，再写下级）"),
        (14, "类型", "类型“错类型”不正确，应为 总工会、产业工会、工会联合会、基层工会 之一"),
        (15, "上级工会", "上级工会「坏上级」（第14行）有错误未能导入，本行也无法导入"),
        (16, "层级", "上级工会「甲公司工会」已是基层工会，不能再设下级工会"),
        (17, "上级工会", "工会「已停用的工会」已停用"),
        (18, "上级工会", "有2个名为「同名工会」的工会，无法确定是哪一个，请写成“上级工会名称/同名工会”"),
        (20, "上级工会", "找不到工会「乙区总工会」，或该工会不在您的管理范围内"),
        (21, "名称", "名称不能超过200个字"),
        (22, "", "这是模板中的示例行，请删除后再导入"),
    ]
    body = checked.json()
    assert (body["total"], body["valid"], body["invalid"]) == (22, 4, 18)

    before = Union.objects.count()
    done = api_import(client, "unions", unions_xlsx(rows), dry_run=False)

    assert done.status_code == 200 and done.json()["created"] == 4
    assert Union.objects.count() == before + 4
    new = Union.objects.get(name="新工会")
    assert Union.objects.get(name="十四").parent == new
    assert Union.objects.get(name="十二").parent.parent == cast.district_a
    for name in ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十三"):
        assert not Union.objects.filter(name=name).exists(), name


def test_it_reports_every_employer_row_error_in_chinese(cast: Cast) -> None:
    stopped = services.union_create(actor=None, parent=cast.district_a, name="已停用的工会", audited=False)
    Union.objects.filter(pk=stopped.pk).update(is_active=False)
    bad_check = uscc(6)[:17] + ("0" if uscc(6)[17] != "0" else "1")
    rows = [
        employer_row("", uscc(10)),                                      # 2
        employer_row("单位一", bad_check),                               # 3
        employer_row("单位二", "9163010"),                               # 4
        employer_row("单位三", uscc(11)),                                # 5 valid
        employer_row("单位四", uscc(11)),                                # 6
        employer_row("单位五", cast.employer_b.uscc),                    # 7
        employer_row("单位六", uscc(12), "不存在的工会"),                # 8
        employer_row("单位七", uscc(13), "乙公司工会"),                  # 9 (district B)
        employer_row("单位八", uscc(14), 行业门类="Z"),                  # 10
        employer_row("单位九", uscc(15), 规模="超大"),                   # 11
        employer_row("单位十", uscc(16), 职工人数="很多"),               # 12
        employer_row("单位十一", uscc(17), 职工人数="-5"),               # 13
        employer_row("单位十二", uscc(18), 已单独建会="也许"),           # 14
        employer_row("单位十三", uscc(19), "已停用的工会"),              # 15
        employer_row("单位十四", uscc(20), 地址="路" * 301),             # 16
        employer_row("单位十五", "", ""),                                # 17: two errors
        list(importing.EXAMPLES["employers"]),                          # 18
        employer_row("单位十六", uscc(21)),                              # 19 valid
    ]
    client = cast.client("district_a_officer", api=True)

    checked = api_import(client, "employers", employers_xlsx(rows), dry_run=True)

    assert errors_of(checked) == [
        (2, "单位名称", "请填写单位名称"),
        (3, "统一社会信用代码", "统一社会信用代码校验位不正确，请核对后重新填写"),
        (4, "统一社会信用代码", "统一社会信用代码应为18位，现在是7位"),
        (6, "统一社会信用代码", "统一社会信用代码与第5行重复"),
        (7, "统一社会信用代码", f"统一社会信用代码 {cast.employer_b.uscc} 已登记，不能重复导入"),
        (8, "所属工会", "找不到工会「不存在的工会」，或该工会不在您的管理范围内"),
        (9, "所属工会", "找不到工会「乙公司工会」，或该工会不在您的管理范围内"),
        (10, "行业门类", "行业门类“Z”不正确，请填写 GB/T 4754 门类字母 A–T 或门类名称（见“填写说明”）"),
        (11, "规模", "规模“超大”不正确，应为 微型、小型、中型、大型 之一"),
        (12, "职工人数", "职工人数“很多”不正确，应为不小于0的整数"),
        (13, "职工人数", "职工人数“-5”不正确，应为不小于0的整数"),
        (14, "已单独建会", "已单独建会“也许”不正确，请填写“是”或“否”"),
        (15, "所属工会", "工会「已停用的工会」已停用"),
        (16, "地址", "地址不能超过300个字"),
        (17, "统一社会信用代码", "请填写统一社会信用代码"),
        (17, "所属工会", "请填写所属工会"),
        (18, "", "这是模板中的示例行，请删除后再导入"),
    ]

    done = api_import(client, "employers", employers_xlsx(rows), dry_run=False)

    assert done.json()["created"] == 2
    imported = set(Employer.objects.filter(name__startswith="单位").values_list("name", flat=True))
    assert imported == {"单位三", "单位十六"}
    assert Employer.objects.get(uscc=uscc(11)).name == "单位三"  # the first of the duplicates


def test_it_says_out_of_scope_for_a_union_the_actor_sees_but_cannot_change(cast: Cast) -> None:
    # Admin of district A, read-only over the whole city: district B is visible but not theirs.
    user = make_user("甲区管理员兼市只读")
    StaffAssignment.objects.create(user=user, union=cast.district_a, role=Role.ADMIN)
    StaffAssignment.objects.create(user=user, union=cast.city, role=Role.VIEWER)
    cast.users["mixed"] = user
    client = cast.client("mixed", api=True)

    unions = api_import(client, "unions", unions_xlsx([["乙区新工会", "", "", "", "乙区总工会", ""],
                                                       ["甲区新工会", "", "", "", "甲区总工会", ""]]), dry_run=True)
    employers = api_import(client, "employers", employers_xlsx([employer_row("乙区单位", uscc(30), "乙公司工会"),
                                                                employer_row("甲区单位", uscc(31), "甲区总工会")]),
                           dry_run=True)

    assert errors_of(unions) == [
        (2, "上级工会", "工会「乙区总工会」不在您的管理范围内，您的角色无权在其下新建下级工会")]
    assert errors_of(employers) == [
        (2, "所属工会", "工会「乙公司工会」不在您的管理范围内，您的角色无权在其下登记单位")]


def test_it_cannot_import_employers_into_another_district(cast: Cast) -> None:
    content = employers_xlsx([employer_row("乙区单位", uscc(32), "乙公司工会"),
                              employer_row("甲区单位", uscc(33), "甲区总工会")])

    client = cast.client("district_a_officer")

    checked = check_page(client, "employers", content)

    assert checked.status_code == 200
    assert errors_of(checked) == [(2, "所属工会", "找不到工会「乙公司工会」，或该工会不在您的管理范围内")]
    assert "找不到工会「乙公司工会」，或该工会不在您的管理范围内" in checked.content.decode()
    done = confirm(client, checked)
    assert done.context["report"].created == 1
    assert not Employer.objects.filter(uscc=uscc(32)).exists()
    assert Employer.objects.get(uscc=uscc(33)).union == cast.district_a


def test_it_checks_again_when_committing(cast: Cast) -> None:
    client = cast.client("district_a_officer")
    content = employers_xlsx([employer_row("先到的单位", uscc(40)), employer_row("另一家", uscc(41))])
    checked = check_page(client, "employers", content)
    assert checked.context["report"].valid == 2
    # Someone registers one of them between the check and the confirmation.
    services.employer_create(actor=cast.city_officer, union=cast.grassroots_a, name="抢先登记", uscc=uscc(40))

    done = confirm(client, checked)

    assert errors_of(done) == [(2, "统一社会信用代码", f"统一社会信用代码 {uscc(40)} 已登记，不能重复导入")]
    assert done.context["report"].created == 1
    assert Employer.objects.get(uscc=uscc(40)).name == "抢先登记"


# --- Dry run, workbook problems ------------------------------------------------------------------------------------


def test_it_writes_nothing_on_a_dry_run(cast: Cast, tmp_path: Path) -> None:
    unions = unions_xlsx([["新工会", "", "", "", "甲区总工会", ""]])
    employers = employers_xlsx([employer_row("新单位", uscc(50))])
    api, page = cast.client("district_a_admin", api=True), cast.client("district_a_admin")
    counts = (Union.objects.count(), Employer.objects.count(), AuditLog.objects.count())

    assert api_import(api, "unions", unions, dry_run=True).json()["valid"] == 1
    assert api_import(api, "employers", employers, dry_run=True).json()["valid"] == 1
    assert check_page(page, "unions", unions).context["report"].valid == 1
    assert check_page(page, "employers", employers).context["report"].valid == 1

    assert (Union.objects.count(), Employer.objects.count(), AuditLog.objects.count()) == counts


def test_it_explains_a_file_that_is_not_a_table(cast: Cast) -> None:
    text = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # a photo, named .xlsx

    page = check_page(cast.client("district_a_officer"), "employers", text, name="单位.xlsx")
    api = api_import(cast.client("district_a_officer", api=True), "employers", text, dry_run=True, name="单位.xlsx")
    old = api_import(cast.client("district_a_officer", api=True), "employers",
                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, dry_run=True, name="单位.xls")

    assert "上传的文件不是 Excel 或 CSV 文件" in failed_with(page)
    assert "上传的文件不是 Excel 或 CSV 文件" in page.content.decode()
    assert api.status_code == 400 and "不是 Excel 或 CSV 文件" in api.json()["message"]
    assert old.status_code == 400 and "无法读取" in old.json()["message"] and ".xls" in old.json()["message"]


def test_it_lists_missing_headers(cast: Cast) -> None:
    content = xlsx(["单位", "信用代码", "所属工会"], [["甲", uscc(51), "甲区总工会"]])

    page = check_page(cast.client("district_a_officer"), "employers", content)
    api = api_import(cast.client("district_a_officer", api=True), "employers", content, dry_run=True)

    expected = "表头不正确，缺少以下列：单位名称、统一社会信用代码、行业门类、规模、职工人数、地址、已单独建会"
    assert failed_with(page).startswith(expected) and expected in page.content.decode()
    assert api.status_code == 400 and api.json()["message"].startswith(expected)


def test_it_rejects_a_workbook_without_data_rows(cast: Cast) -> None:
    api = api_import(cast.client("district_a_officer", api=True), "employers", employers_xlsx([]), dry_run=True)
    assert api.status_code == 400 and api.json()["message"].endswith("中没有数据：请在表头下方从第2行起填写，每行一条")


def test_it_reports_formulas_and_merged_cells_per_row(cast: Cast) -> None:
    def shape(sheet: Any) -> None:
        sheet["E2"] = "=10*5"  # no cached result: openpyxl does not compute
        sheet.merge_cells("G3:G5")  # one union written once for three rows

    rows = [employer_row("公式单位", uscc(60)), employer_row("合并一", uscc(61), "甲公司工会"),
            employer_row("合并二", uscc(62), ""), employer_row("合并三", uscc(63), "")]

    checked = api_import(cast.client("district_a_officer", api=True), "employers", employers_xlsx(rows, edit=shape),
                         dry_run=True)

    errors = errors_of(checked)
    assert [(row, column) for row, column, _ in errors] == [(2, "职工人数"), (4, "所属工会"), (5, "所属工会")]
    assert "公式" in errors[0][2] and "没有保存计算结果" in errors[0][2]
    assert "合并单元格 G3:G5" in errors[1][2] and "取消合并" in errors[1][2]
    assert checked.json()["valid"] == 1


def test_it_stops_reading_a_sheet_formatted_down_to_its_last_row(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet styled down to row 1,048,576: the reader hands the check its two data rows and never walks the
    million styled empty rows in Python (they are skipped in the reader, or ``Table.rows`` stops early after
    100 of them), so the check costs what the data costs; how long the parse takes is bench work."""
    content = employers_xlsx([employer_row("甲单位", uscc(70)), employer_row("乙单位", uscc(71))])
    source = zipfile.ZipFile(io.BytesIO(content))
    padded = io.BytesIO()
    with zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                filler = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(4, 1_048_577))
                data = data.decode().replace("</sheetData>", filler + "</sheetData>").encode()
            target.writestr(name, data)

    handed: list[int] = []
    rows = excel.Table.rows

    def watched(table: excel.Table, **kwargs: Any) -> Any:
        for row in rows(table, **kwargs):
            handed.append(row[0])
            yield row

    monkeypatch.setattr(excel.Table, "rows", watched)
    checked = api_import(cast.client("district_a_officer", api=True), "employers", padded.getvalue(), dry_run=True)

    assert checked.status_code == 200 and checked.json()["total"] == 2
    assert handed == [2, 3]  # the two data rows, not a million empty ones


def test_it_limits_the_upload_size(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 1024)
    content = employers_xlsx([employer_row("甲单位", uscc(72))])

    page = check_page(cast.client("district_a_officer"), "employers", content)
    api = api_import(cast.client("district_a_officer", api=True), "employers", content, dry_run=True)

    assert page.status_code == 200 and "文件过大，请不要超过" in page.content.decode()
    assert api.status_code == 400 and api.json()["code"] == "file_too_large"


# --- The confirmation step -------------------------------------------------------------------------------------


def test_it_binds_the_waiting_upload_to_its_uploader(cast: Cast, tmp_path: Path) -> None:
    owner = cast.client("district_a_officer")
    checked = check_page(owner, "employers", employers_xlsx([employer_row("甲单位", uscc(80))]))
    token = checked.context["token"]
    other = cast.client("district_a_admin")

    stolen = other.post("/console/unions/import/commit/", {"token": token, "action": "commit"})
    peeked = other.get(f"/console/unions/import/{token}/")

    assert stolen.status_code == 404 and peeked.status_code == 404  # another user's job does not exist
    assert not Employer.objects.filter(uscc=uscc(80)).exists()
    assert len(waiting_files(tmp_path)) == 1
    assert confirm(owner, checked).context["report"].created == 1
    again = owner.post("/console/unions/import/commit/", {"token": token, "action": "commit"}, follow=True)
    assert "待导入的文件已失效" in again.content.decode()
    assert waiting_files(tmp_path) == []
    assert Employer.objects.filter(uscc=uscc(80)).count() == 1
    # the check's page no longer offers the confirmation
    assert owner.get(f"/console/unions/import/{token}/").context["token"] == ""


def test_it_commits_once_when_the_job_runs_again_after_a_killed_worker(cast: Cast, tmp_path: Path) -> None:
    """The commit job's worker died after the transaction committed: run again, the job finds the import
    by its audit row and reports it — nothing is written twice, and the file is gone."""
    from gonghui.core import jobs
    from gonghui.core.models import Job, JobStatus

    owner = cast.client("district_a_officer")
    checked = check_page(owner, "employers", employers_xlsx([employer_row("甲单位", uscc(83))]))
    done = confirm(owner, checked)
    assert done.context["report"].created == 1
    commit = Job.objects.filter(kind="unions.import", params__dry_run=False).get()
    Job.objects.filter(pk=commit.pk).update(status=JobStatus.QUEUED, attempts=1)

    assert jobs.run(commit.pk) == "done"

    commit.refresh_from_db()
    assert commit.summary == "已导入 1 行" and commit.attempts == 2
    assert Employer.objects.filter(uscc=uscc(83)).count() == 1 and len(imports_audited("employers")) == 1
    assert owner.get(f"/console/unions/import/{commit.uuid}/").context["report"].created == 1
    assert waiting_files(tmp_path) == []


def test_it_cancels_a_waiting_upload(cast: Cast, tmp_path: Path) -> None:
    client = cast.client("district_a_officer")
    checked = check_page(client, "employers", employers_xlsx([employer_row("甲单位", uscc(81))]))
    assert len(waiting_files(tmp_path)) == 1

    cancelled = confirm(client, checked, action="cancel")

    assert cancelled.status_code == 302
    assert waiting_files(tmp_path) == []
    assert not Employer.objects.filter(uscc=uscc(81)).exists()
    assert not imports_audited("employers")


def test_it_keeps_nothing_when_no_row_is_valid(cast: Cast, tmp_path: Path) -> None:
    checked = check_page(cast.client("district_a_officer"), "employers",
                         employers_xlsx([employer_row("乙区单位", uscc(82), "乙公司工会")]))

    assert checked.context["token"] == ""
    assert "没有可以导入的行" in checked.content.decode()
    assert waiting_files(tmp_path) == []


# --- Templates and exports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["unions", "employers"])
def test_it_downloads_a_template_with_notes(cast: Cast, kind: str) -> None:
    page = cast.client("district_a_admin").get(f"/console/unions/import/template/{kind}.xlsx")
    api = cast.client("district_a_admin", api=True).get(f"/api/v1/unions/import/{kind}/template")

    for response in (page, api):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert "attachment" in response["Content-Disposition"]
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == [importing.SHEET_TITLES[kind], "填写说明"]
        sheet = workbook.worksheets[0]
        assert [c.value for c in sheet[1]] == [c.header for c in importing.COLUMNS[kind]]
        assert tuple(c.value for c in sheet[2]) == importing.EXAMPLES[kind]
        notes = " ".join(str(c.value) for row in workbook["填写说明"].iter_rows() for c in row if c.value)
        if kind == "unions":
            for word in ("总工会", "产业工会", "工会联合会", "基层工会", "省级", "市级", "县区级", "街道乡镇", "基层"):
                assert word in notes
        else:
            for word in ("A 农、林、牧、渔业", "T 国际组织", "微型", "小型", "中型", "大型", "是 或 否"):
                assert word in notes


def test_it_refuses_the_untouched_template_and_accepts_it_filled_in(cast: Cast) -> None:
    template = cast.client("district_a_officer").get("/console/unions/import/template/employers.xlsx").content
    client = cast.client("district_a_officer", api=True)

    untouched = api_import(client, "employers", template, dry_run=True)
    assert errors_of(untouched) == [(2, "", "这是模板中的示例行，请删除后再导入")]

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for cell, value in zip(sheet[2], employer_row("甲模板单位", uscc(90)), strict=True):
        cell.value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled = api_import(client, "employers", buffer.getvalue(), dry_run=False)
    assert filled.json()["errors"] == [] and filled.json()["created"] == 1


def test_it_reads_an_exported_file_back(cast: Cast) -> None:
    assert UNION_HEADER == exports.UNION_HEADER[:len(UNION_HEADER)]
    assert [h for h in exports.EMPLOYER_HEADER if h not in importing.IGNORED_COLUMNS["employers"]] == EMPLOYER_HEADER

    exported = cast.client("district_a_officer").get("/console/unions/employers/export.xlsx").content
    checked = api_import(cast.client("district_a_officer", api=True), "employers", exported, dry_run=True)
    body = checked.json()
    assert checked.status_code == 200 and body["total"] == 2 and body["valid"] == 0
    assert {e["message"].split(" ")[0] for e in body["errors"]} == {"统一社会信用代码"}
    assert all("已登记" in e["message"] for e in body["errors"])

    # The district's own export: its top row hangs under a union the admin cannot see, the rest exist.
    exported = cast.client("district_a_admin").get("/console/unions/export.xlsx").content
    client = cast.client("district_a_admin", api=True)
    checked = api_import(client, "unions", exported, dry_run=True)
    assert checked.status_code == 200 and checked.json()["valid"] == 0
    assert errors_of(checked)[:2] == [
        (2, "上级工会", "找不到工会「测试市总工会」，或该工会不在您的管理范围内"),
        (3, "上级工会", "上级工会「甲区总工会」（第2行）有错误未能导入，本行也无法导入"),
    ]
    workbook = load_workbook(io.BytesIO(exported))
    workbook.worksheets[0].delete_rows(2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    checked = api_import(client, "unions", buffer.getvalue(), dry_run=True)
    assert errors_of(checked)[0] == (2, "名称", "上级工会「甲区总工会」下已有名为「甲区东街道总工会」的工会")
    assert checked.json()["valid"] == 0


# --- Who may import -------------------------------------------------------------------------------------------------


def test_it_lets_only_admins_import_unions(cast: Cast) -> None:
    content = unions_xlsx([["新工会", "", "", "", "甲区总工会", ""]])
    officer = cast.client("district_a_officer")

    page = officer.get("/console/unions/import/")
    assert page.status_code == 200
    assert page.context["can_employers"] and not page.context["can_unions"]
    assert "导入企业/单位" in page.content.decode() and 'value="unions"' not in page.content.decode()
    assert check_page(officer, "unions", content).status_code == 403
    assert officer.get("/console/unions/import/template/unions.xlsx").status_code == 403
    api = api_import(cast.client("district_a_officer", api=True), "unions", content, dry_run=False)
    assert api.status_code == 403 and api.json()["message"] == "导入工会组织需要管理员角色"
    assert not Union.objects.filter(name="新工会").exists()

    admin_page = cast.client("district_a_admin").get("/console/unions/import/")
    assert admin_page.context["can_unions"] and admin_page.context["can_employers"]


@pytest.mark.parametrize("actor", ["district_a_viewer", "auditor"])
def test_it_refuses_read_only_roles(cast: Cast, actor: str) -> None:
    content = employers_xlsx([employer_row("甲单位", uscc(91))])
    client = cast.client(actor)

    assert client.get("/console/unions/import/").status_code == 403
    assert check_page(client, "employers", content).status_code == 403
    assert client.post("/console/unions/import/commit/", {"token": "x" * 43}).status_code == 403
    assert client.get("/console/unions/import/template/employers.xlsx").status_code == 403
    api = cast.client(actor, api=True)
    assert api_import(api, "employers", content, dry_run=True).status_code == 403
    assert api.get("/api/v1/unions/import/employers/template").status_code == 403
    assert not Employer.objects.filter(uscc=uscc(91)).exists()


def test_it_sends_anonymous_users_to_log_in(cast: Cast) -> None:
    client = cast.client(None)
    content = employers_xlsx([employer_row("甲单位", uscc(92))])

    for response in (client.get("/console/unions/import/"), check_page(client, "employers", content),
                     client.post("/console/unions/import/commit/", {"token": "x"}),
                     client.get("/console/unions/import/template/unions.xlsx")):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert api_import(client, "employers", content, dry_run=True).status_code == 401
    assert client.get("/api/v1/unions/import/unions/template").status_code == 401


def test_it_refuses_members_without_staff_roles(cast: Cast) -> None:
    assert cast.client("worker_a").get("/console/unions/import/").status_code == 403
    api = api_import(cast.client("worker_a", api=True), "employers", employers_xlsx([]), dry_run=True)
    assert api.status_code == 403


def test_it_answers_404_for_an_unknown_kind(cast: Cast) -> None:
    client = cast.client("district_a_admin")
    assert client.get("/console/unions/import/template/members.xlsx").status_code == 404
    assert check_page(client, "members", employers_xlsx([])).status_code == 404
    api = api_import(cast.client("district_a_admin", api=True), "members", employers_xlsx([]), dry_run=True)
    assert api.status_code == 404


def test_it_imports_employers_from_a_gb18030_csv_with_dirty_cells(cast: Cast) -> None:
    rows = [employer_row("\u200b甲科技有限公司\u00a0", "'" + uscc(61)),
            employer_row("乙贸易有限公司", uscc(62).lower())]
    text = "\r\n".join(",".join(r) for r in [EMPLOYER_HEADER, *rows]) + "\r\n"
    client = cast.client("district_a_officer")
    checked = check_page(client, "employers", text.encode("gb18030"), name="单位.csv")  # GBK cannot hold U+200B
    assert checked.status_code == 200 and errors_of(checked) == []
    assert checked.context["report"].sheet == "" and checked.context["report"].valid == 2
    confirm(client, checked)
    assert Employer.objects.get(uscc=uscc(61)).name == "甲科技有限公司"


def test_it_reads_the_sheet_with_the_header_behind_a_cover_page_and_names_it(cast: Cast) -> None:
    def cover_first(sheet: Any) -> None:
        sheet.title = "Sheet2"
        sheet.parent.create_sheet("封面", 0).append(["某某区总工会 企业名录"])

    checked = check_page(cast.client("district_a_officer"), "employers",
                         employers_xlsx([employer_row("丙制造有限公司", uscc(63))], edit=cover_first))
    assert checked.status_code == 200 and errors_of(checked) == []
    assert checked.context["report"].sheet == "Sheet2" and "读取的工作表：“Sheet2”" in checked.content.decode()
