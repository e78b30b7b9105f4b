"""花名册导入: the template, the dry run's report (row, column, Chinese message), the commit
(one transaction, upsert by the ID blind index), malformed workbooks, and the pages and API."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from openpyxl import Workbook, load_workbook

from gonghui.core.models import AuditLog
from gonghui.lib.excel import write_workbook
from gonghui.members.models import ImportStatus, Member, MembershipHistory, RosterImport
from gonghui.members.pinyin import full_pinyin, initials
from gonghui.members.services import roster
from gonghui.members.services.registry import card_number
from gonghui.testing import OK, Cast, id_number, scope_matrix

pytestmark = pytest.mark.django_db

HEADER = list(roster.HEADERS)
ID_1 = id_number("630102", "19880512", "321")
ID_2 = id_number("630102", "19920304", "432")
ID_3 = id_number("630103", "19850715", "543")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def row(name: str = "孙丽", id_no: str = ID_1, phone: str = "13812345678", employer: str = "",
        form: str = "", gig: str = "", education: str = "", household: str = "", joined: Any = "",
        model: str = "", craftsman: str = "", hardship: str = "", representative: str = "") -> list[Any]:
    return [name, id_no, phone, employer, form, gig, education, household, joined, model, craftsman, hardship,
            representative]


def wide(text: str) -> str:
    """Full-width digits, as typed with a Chinese input method."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in text)


def xlsx(rows: list[list[Any]], header: list[str] | None = None, *, title: str = "会员名册",
         edit: Any = None) -> bytes:
    """A workbook as Excel writes it (shared strings, styles); ``edit(sheet)`` adds oddities."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header or HEADER)
    for values in rows:
        sheet.append(values)
    if edit:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(cast: Cast, content: bytes, *, union: Any = None, actor: str = "district_a_officer") -> RosterImport:
    job = roster.roster_upload(actor=cast.users[actor], union=union or cast.district_a, content=content,
                               filename="花名册.xlsx")
    return roster.roster_check(job=job)


def messages(job: RosterImport) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


# --- The template ---------------------------------------------------------------------------------------------------


def test_it_builds_a_template_with_notes_that_imports_nothing_as_is(cast: Cast) -> None:
    content = roster.template_build()
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["会员名册", "填写说明"]
    assert [c.value for c in book["会员名册"][1]] == HEADER
    assert "身份证号码" in [c.value for c in book["填写说明"]["A"]]
    job = check(cast, content)
    assert job.status == ImportStatus.CHECKED and job.valid_rows == 0
    assert {m for _, _, m in messages(job)} == {"这是模板中的示例行，不会导入，请删除"}


# --- Normalizing messy input ----------------------------------------------------------------------------------------


def test_it_normalizes_messy_real_world_input(cast: Cast) -> None:
    fifteen = "630102880512321"  # the old 15-digit form of a man born 1988-05-12
    rows = [
        row("孙 丽", " " + wide(ID_2[:17]) + ID_2[-1].lower(), "138 1234 5678", joined="2024/3/1",
            education="大学本科", household="农村"),
        row("周杰", fifteen, "+86 139-0000-1111", joined="2024.3.1", form="新就业形态", gig="外卖骑手"),
        row("吴敏", ID_3.replace("", " ").strip(), "", joined="2024年3月1日", craftsman="√", representative="是",
            hardship="一般", model="省级"),
        row("郑强", id_number("630102", "19700101", "111"), "13700001111", joined=datetime(2024, 3, 1)),  # noqa: DTZ001 - a cell's date
        row("冯芳", id_number("630102", "19710101", "222"), "13700002222", joined="20240301"),
    ]
    job = check(cast, xlsx(rows))
    assert messages(job) == []
    assert (job.total_rows, job.valid_rows, job.error_rows, job.created_count) == (5, 5, 0, 5)
    committed = roster.roster_commit(job=job, actor=cast.district_a_officer)
    assert committed.status == ImportStatus.DONE and committed.created_count == 5
    names = ["孙丽", "周杰", "吴敏", "郑强", "冯芳"]
    members = {m.name: m for m in Member.objects.filter(union=cast.district_a, name__in=names)}
    sun = members["孙丽"]
    assert sun.id_number == ID_2 and sun.phone == "13812345678" and sun.gender == "F"
    assert sun.birth_date == date(1992, 3, 4) and sun.join_date == date(2024, 3, 1)
    assert (sun.education, sun.household) == ("bachelor", "agricultural") and sun.is_migrant_worker
    zhou = members["周杰"]
    assert len(zhou.id_number) == 18 and zhou.id_number.startswith("63010219880512321")
    assert zhou.phone == "13900001111" and (zhou.employment_form, zhou.gig_occupation) == ("gig", "food_delivery")
    wu = members["吴敏"]
    assert (wu.craftsman, wu.worker_representative, wu.hardship_level, wu.model_worker_level) == (
        True, True, "general", "provincial")
    assert all(m.join_date == date(2024, 3, 1) for m in members.values())
    for member in members.values():
        assert member.card_no == card_number(member)
        assert (member.name_pinyin, member.name_initials) == (full_pinyin(member.name), initials(member.name))
    assert MembershipHistory.objects.filter(member__in=members.values(), event="import").count() == 5


def test_it_writes_the_same_row_as_registering_one_by_one(cast: Cast) -> None:
    """The commit writes rows set-based, without Member.save(): the stored row must be the one
    member_create would store (encrypted fields, blind indexes, pinyin, defaults)."""
    from gonghui.core.fields import lookup_index
    from gonghui.members.services.registry import member_create

    twin = id_number(ID_1[:6], ID_1[6:14], "541")  # same region, birth date and gender: another person
    volatile = {"id", "uuid", "card_no", "card_token", "card_token_rotated_at", "created_at", "updated_at",
                "id_number", "phone", "id_index", "phone_index"}  # per person, or encrypted with a fresh nonce

    def stored(member_id: int) -> dict[str, Any]:
        values = Member.objects.filter(pk=member_id).values()[0]
        return {k: v for k, v in values.items() if k not in volatile}

    job = check(cast, xlsx([row("欧阳娜娜", ID_1, "13812345678", employer=cast.employer_district_a.uscc,
                                education="本科", household="农业户口", joined="2024-03-01", hardship="一般困难",
                                craftsman="是")]))
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    imported = Member.objects.get(name="欧阳娜娜")
    assert imported.card_no == card_number(imported) and len(imported.card_token) >= 32
    assert imported.id_index == lookup_index(Member, "id_index", ID_1)
    assert imported.phone_index == lookup_index(Member, "phone_index", "13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [imported.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert raw_id.startswith("g1:") and raw_phone.startswith("g1:")
    assert (imported.id_number, imported.phone) == (ID_1, "13812345678")
    one_by_one = member_create(actor=None, union=cast.district_a, name="欧阳娜娜", id_number=twin,
                               phone="13812345679", employer=cast.employer_district_a, education="bachelor",
                               household="agricultural", join_date=date(2024, 3, 1), hardship_level="general",
                               craftsman=True)
    assert stored(one_by_one.pk) == stored(imported.pk)


def test_it_finds_employers_by_name_however_the_brackets_and_dashes_are_typed(cast: Cast) -> None:
    from gonghui.unions.models import Employer

    branch = Employer.objects.create(name="甲物流（中国）有限公司-东区分公司", uscc="91630102MA7XKQ0L4R",
                                     union=cast.grassroots_a)
    job = check(cast, xlsx([row(employer="甲物流(中国)有限公司-东区分公司"), row("吴敏", ID_3, employer=branch.name)]))
    assert messages(job) == [] and job.valid_rows == 2


def test_it_computes_pinyin_keys_exactly_as_the_model_does() -> None:
    import random

    from gonghui.seed.people import Identities

    rng, identities = random.Random(2026), Identities()
    generated = [identities.name(rng, male=n % 2 == 0) for n in range(3000)]
    names = ["张三", "欧阳娜娜", "单田芳", "曾国藩", "阿卜杜·热合曼", "长孙无忌", "Tom张", "吕布", "嗯", "解放", "重庆",
             "朴树", "区长", "仇人", "乐乐", "银行", "单雄信", "尉迟恭", "万俟", *generated]
    for name in names:
        assert roster.pinyin_keys(name) == (full_pinyin(name), initials(name)), name


@pytest.mark.parametrize("text", ["2024-03-01", "2024/3/1", "2024.3.1", "20240301", "2024年3月1日", "2024-3-1 00:00:00",
                                  "２０２４年３月１日", "45352"])
def test_it_reads_dates_in_several_formats(text: str) -> None:
    assert roster.parse_date(text) == date(2024, 3, 1)


def test_it_reads_excel_date_cells_and_numbers(cast: Cast) -> None:
    def edit(sheet: Any) -> None:
        sheet["I2"].number_format = "yyyy\"年\"m\"月\"d\"日\""
        sheet["B2"].number_format = "@"

    job = check(cast, xlsx([row(joined=date(2024, 3, 1), phone=13812345678)], edit=edit))  # type: ignore[arg-type]
    assert messages(job) == [] and job.valid_rows == 1
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    member = Member.objects.get(name="孙丽")
    assert member.join_date == date(2024, 3, 1) and member.phone == "13812345678"


# --- Every problem, by row and column -------------------------------------------------------------------------------


def test_it_reports_every_problem_by_row_and_column_in_chinese(cast: Cast) -> None:
    bad_check = ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1")
    rows = [
        row("甲一", bad_check),                                              # 2: bad check character
        row("甲二", "630102199302301234"),                                   # 3: impossible birth date
        row("甲三", ID_2, "1381234567"),                                     # 4: bad phone
        row("甲四", ID_3, employer="不存在的公司"),                           # 5: unknown employer
        row("甲五", ID_2),                                                   # 6: duplicate of row 4's ID … row 4 failed
        row("赵师傅", cast.members["worker_b"].id_number),                    # 7: member of another union
        row("甲七", id_number("630102", "19900101", "777"), form="个体户"),   # 8: unknown employment form
        row("甲八", id_number("630102", "19900102", "888"), form="新就业形态劳动者"),  # 9: gig without occupation
        row("甲九", id_number("630102", "19900103", "999"), joined="2024-02-30"),   # 10: impossible join date
        row("", id_number("630102", "19900104", "101")),                      # 11: no name
        row("甲十一", id_number("630102", "19900105", "102"), education="幼儿园"),  # 12: unknown education
        row("甲十二", id_number("630102", "19900106", "103")),                # 13: fine
        row("甲十三", id_number("630102", "19900106", "103")),                # 14: duplicate of row 13
        row("甲十四", id_number("630102", "20150101", "104")),                # 15: under 16
        row("甲十五", id_number("630102", "19900107", "105"), employer=cast.employer_b.name),  # 16: other branch
        row("甲十六", id_number("630102", "19900108", "106"), craftsman="也许"),  # 17: not yes/no
    ]
    job = check(cast, xlsx(rows))
    found = messages(job)
    by_row = {r: (c, m) for r, c, m in found}
    assert by_row[2] == ("身份证号码", "身份证号码校验位不正确，请核对后重新填写")
    assert by_row[3][0] == "身份证号码" and "出生日期" in by_row[3][1] and "不存在" in by_row[3][1]
    assert by_row[4] == ("手机号码", "手机号码格式不正确，应为11位中国大陆手机号")
    assert by_row[5][0] == "工作单位" and "不在本工会及下级工会登记的企业/单位中" in by_row[5][1]
    assert by_row[7][0] == "身份证号码" and "已是" in by_row[7][1] and "会籍转移" in by_row[7][1]
    assert "乙公司工会" not in by_row[7][1]  # the other branch's union is not named to district A's staff
    assert by_row[8][0] == "就业形态" and "无法识别" in by_row[8][1]
    assert by_row[9] == ("新就业形态职业", "新就业形态劳动者须填写新就业形态职业")
    assert by_row[10] == ("入会日期", "日期“2024-02-30”不存在，请核对")
    assert by_row[11] == ("姓名", "请填写姓名")
    assert by_row[12][0] == "学历" and "本科" in by_row[12][1]
    assert by_row[14] == ("身份证号码", "身份证号码与第 13 行重复")
    assert by_row[15][0] == "身份证号码" and "不满16周岁" in by_row[15][1]
    assert by_row[16][0] == "工作单位"
    assert by_row[17] == ("工匠", "“也许”无法识别，请填写 是 或 否")
    assert by_row[6] == ("身份证号码", "身份证号码与第 4 行重复")
    assert (job.total_rows, job.valid_rows, job.error_rows) == (16, 1, 15)
    assert (job.created_count, job.updated_count) == (1, 0)


def test_it_reports_all_problems_of_a_row_at_once(cast: Cast) -> None:
    worker_b = cast.members["worker_b"]
    job = check(cast, xlsx([row("赵师傅", worker_b.id_number, "123", employer="不存在的公司")]))
    assert sorted((c, m[:5]) for _, c, m in messages(job)) == [
        ("工作单位", "工作单位“"), ("手机号码", "手机号码格"), ("身份证号码", "此人已是其")]


def test_it_refuses_a_name_with_a_digit_as_a_shifted_column(cast: Cast) -> None:
    job = check(cast, xlsx([row("张3", id_number("630102", "19900109", "107")),
                            row("张三", id_number("630102", "19900110", "108"))]))
    assert messages(job) == [(2, "姓名", "姓名中不能含有数字，请检查是否填错了列")]
    assert (job.valid_rows, job.error_rows) == (1, 1)


def test_it_writes_nothing_on_a_dry_run(cast: Cast) -> None:
    before = (Member.objects.count(), MembershipHistory.objects.count())
    job = check(cast, xlsx([row(), row("吴敏", ID_3)]))
    assert job.status == ImportStatus.CHECKED and job.valid_rows == 2
    assert (Member.objects.count(), MembershipHistory.objects.count()) == before
    assert not job.file  # the uploaded file (plaintext ID numbers) is gone once checked


# --- Commit: one transaction, upsert by the ID blind index ----------------------------------------------------------


def test_it_updates_members_of_its_own_branch_and_creates_the_others(cast: Cast) -> None:
    worker = cast.members["worker_a"]  # in grassroots A (employer A), under district A
    rows = [
        row("王小明", worker.id_number.lower(), "13611112222", employer=cast.employer_a.uscc, education="大专",
            hardship="深度困难"),
        row("孙丽", ID_1, employer=cast.employer_a.name),
    ]
    job = check(cast, xlsx(rows))
    assert messages(job) == [] and (job.created_count, job.updated_count) == (1, 1)
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    worker.refresh_from_db()
    assert (worker.phone, worker.education, worker.hardship_level) == ("13611112222", "college", "serious")
    assert worker.union == cast.grassroots_a and Member.objects.filter(id_index=worker.id_index).count() == 1
    assert Member.objects.filter(phone_index=worker.phone_index).get() == worker  # the index follows the phone
    sun = Member.objects.get(name="孙丽")
    assert sun.union == cast.grassroots_a and sun.employer == cast.employer_a  # the employer's union
    assert not MembershipHistory.objects.filter(member=worker, event="import").exists()
    log = AuditLog.objects.get(action="member.import")
    assert log.detail["created"] == 1 and log.detail["updated"] == 1 and log.union_path == cast.district_a.path


def test_it_refuses_a_person_already_member_of_another_union(cast: Cast) -> None:
    worker_b = cast.members["worker_b"]
    job = check(cast, xlsx([row("赵师傅", worker_b.id_number)]))
    assert job.valid_rows == 0 and job.error_rows == 1
    worker_b.refresh_from_db()
    assert worker_b.union == cast.grassroots_b
    # Staff who can see that union are told which one it is.
    job = check(cast, xlsx([row("赵师傅", worker_b.id_number)]), union=cast.district_a, actor="city_officer")
    assert "乙公司工会" in job.errors[0]["message"]


def test_it_rechecks_at_commit_what_changed_since_the_dry_run(cast: Cast) -> None:
    from gonghui.members.services.registry import member_create

    job = check(cast, xlsx([row(), row("吴敏", ID_3)]))
    member_create(actor=None, union=cast.grassroots_b, name="孙丽", id_number=ID_1)  # joined elsewhere meanwhile
    job = roster.roster_commit(job=job, actor=cast.district_a_officer)
    assert job.status == ImportStatus.DONE and job.created_count == 1 and job.error_rows == 1
    assert "会籍转移" in job.errors[0]["message"]


def test_it_commits_once(cast: Cast) -> None:
    job = check(cast, xlsx([row()]))
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    again = roster.roster_commit(job=job, actor=cast.district_a_officer)
    assert again.status == ImportStatus.DONE and Member.objects.filter(name="孙丽").count() == 1
    assert AuditLog.objects.filter(action="member.import").count() == 1


def test_it_keeps_no_plaintext_id_or_phone_in_the_table(cast: Cast) -> None:
    job = check(cast, xlsx([row(), row("吴敏", ID_3, "13955556666")]))
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member")
        dump = repr(cursor.fetchall())
    for secret in (ID_1, ID_3, "13812345678", "13955556666", ID_1[-8:], "12345678"):
        assert secret not in dump
    staged = Path(roster.default_storage.path("imports/roster"))
    assert not staged.exists() or not any(staged.iterdir())


def test_it_quotes_no_identifier_back_in_the_stored_report(cast: Cast) -> None:
    job = check(cast, xlsx([row(education=ID_3, craftsman="13955556666", joined="13955556666")]))
    stored = repr(RosterImport.objects.filter(pk=job.pk).values_list("errors", "message").get())
    assert len(job.errors) == 3 and any("“630***”" in e["message"] for e in job.errors)
    assert ID_3 not in stored and "13955556666" not in stored


def test_it_sweeps_abandoned_imports(cast: Cast) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    job = check(cast, xlsx([row()]))
    staged = roster._staged_name(job)
    assert roster.default_storage.exists(staged)
    assert roster.roster_sweep() == 0  # not yet abandoned
    RosterImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    call_command("roster_sweep", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not roster.default_storage.exists(staged)
    with pytest.raises(roster.Conflict):
        roster.roster_commit(job=job, actor=cast.district_a_officer)


# --- Malformed workbooks --------------------------------------------------------------------------------------------


def failed(cast: Cast, content: bytes) -> str:
    try:
        job = check(cast, content)
    except roster.RosterFileError as exc:
        return exc.message
    assert job.status == ImportStatus.FAILED, job.errors
    assert Member.objects.filter(name__in=["孙丽", "吴敏"]).count() == 0
    return job.message


def test_it_refuses_a_photo_or_binary_file_named_xlsx(cast: Cast) -> None:
    assert "不是 Excel 或 CSV 文件" in failed(cast, b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    assert "不是 Excel 或 CSV 文件" in failed(cast, bytes(range(256)) * 8)


def test_it_refuses_a_damaged_zip(cast: Cast) -> None:
    assert "已损坏" in failed(cast, b"PK\x03\x04" + b"\x00" * 100)


def test_it_refuses_an_old_xls(cast: Cast) -> None:
    assert ".xls" in failed(cast, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


def test_it_refuses_wrong_headers(cast: Cast) -> None:
    message = failed(cast, xlsx([["孙丽", ID_1]], header=["名字", "号码"]))
    assert "找不到表头" in message and "姓名" in message and "身份证号码" in message


def test_it_finds_the_header_below_a_title_row(cast: Cast) -> None:
    def edit(sheet: Any) -> None:
        sheet.insert_rows(1)
        sheet["A1"] = "甲区总工会会员花名册"
        sheet.merge_cells("A1:M1")

    job = check(cast, xlsx([row()], edit=edit))
    assert job.status == ImportStatus.CHECKED and job.valid_rows == 1 and messages(job) == []


def test_it_finishes_fast_with_a_hundred_thousand_empty_rows(cast: Cast) -> None:
    def edit(sheet: Any) -> None:
        for number in range(3, 100_003):
            sheet.cell(row=number, column=1).number_format = "@"  # formatted, empty

    # The speed is bench/bench_roster_import.py's (a timed assertion flaked under load); here the
    # hundred thousand formatted rows must count as nothing.
    content = xlsx([row()], edit=edit)
    job = check(cast, content)
    assert job.status == ImportStatus.CHECKED and job.total_rows == 1 and job.valid_rows == 1


def test_it_reports_formulas_without_a_value_and_error_cells(cast: Cast) -> None:
    def edit(sheet: Any) -> None:
        sheet["A2"] = '=CONCATENATE("孙","丽")'  # openpyxl stores no cached result
        sheet["C3"] = "#N/A"
        sheet["C3"].data_type = "e"

    job = check(cast, xlsx([row(), row("吴敏", ID_3)], edit=edit))
    found = {(r, c): m for r, c, m in messages(job)}
    assert "公式" in found[(2, "姓名")] and "计算结果" in found[(2, "姓名")]
    assert "错误值" in found[(3, "手机号码")]
    assert job.valid_rows == 0


def test_it_reads_the_cached_result_of_a_formula(cast: Cast) -> None:
    content = xlsx([row()])
    # Excel keeps the last result beside the formula: <f>…</f><v>…</v>
    patched = _patch_sheet(content, b'<c r="C2" t="inlineStr"><is><t>13812345678</t></is></c>',
                           b'<c r="C2" t="str"><f>A1&amp;"x"</f><v>13812345678</v></c>')
    job = check(cast, patched)
    assert messages(job) == [] and job.valid_rows == 1


def test_it_reports_merged_cells(cast: Cast) -> None:
    def edit(sheet: Any) -> None:
        sheet.merge_cells("D2:D3")

    job = check(cast, xlsx([row(employer=cast.employer_district_a.name), row("吴敏", ID_3)], edit=edit))
    found = messages(job)
    assert [(r, c) for r, c, _ in found] == [(3, "工作单位")]
    assert "合并单元格 D2:D3" in found[0][2]
    assert job.valid_rows == 1


def test_it_reports_numbers_that_lost_digits(cast: Cast) -> None:
    job = check(cast, xlsx([row(id_no=float(ID_1[:17] + "0"))]))  # type: ignore[arg-type]
    assert messages(job)[0][1] == "身份证号码" and "文本" in messages(job)[0][2]


def test_it_refuses_too_many_rows(cast: Cast, monkeypatch: Any) -> None:
    monkeypatch.setattr(roster.jobs, "MAX_ROWS", 3)
    message = failed(cast, xlsx([row(id_no=id_number("630102", f"1990010{i}", "111")) for i in range(1, 6)]))
    assert "一次最多导入 3 行" in message


def test_it_refuses_a_file_over_the_size_limit(cast: Cast, monkeypatch: Any) -> None:
    monkeypatch.setattr(roster.xlsx, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(roster.RosterFileError):
        roster.roster_upload(actor=cast.district_a_officer, union=cast.district_a, content=b"PK\x03\x04" + b"0" * 2000)


def test_it_reads_inline_strings_as_written_by_streaming_writers(cast: Cast) -> None:
    content = write_workbook([("会员名册", HEADER, [row(), row("吴敏", ID_3)])])
    job = check(cast, content)
    assert messages(job) == [] and job.valid_rows == 2


def test_it_reads_shared_strings_rich_text_and_prefixed_xml_as_excel_writes_them(cast: Cast) -> None:
    content = as_excel_writes_it(xlsx([row("孙丽", phone="13812345678"), row("吴敏", ID_3, education="本科")]))
    job = check(cast, content)
    assert messages(job) == [] and job.valid_rows == 2
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    assert Member.objects.get(name="孙丽").phone == "13812345678"
    assert Member.objects.get(name="吴敏").education == "bachelor"


def _patch_sheet(content: bytes, old: bytes, new: bytes) -> bytes:
    return _rewrite(content, lambda name, data: data.replace(old, new, 1) if name.endswith("sheet1.xml") else data)


def _rewrite(content: bytes, change: Any, extra: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info.filename)))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def as_excel_writes_it(content: bytes) -> bytes:
    """Excel (and WPS) put text in a shared-strings table, may split it into rich-text runs with
    phonetic hints, and some writers prefix every tag with a namespace ("x:")."""
    import re

    strings: list[str] = []

    def share(match: re.Match[str]) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    def change(name: str, data: bytes) -> bytes:
        if name.endswith("sheet1.xml"):
            text = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', share, data.decode())
            text = re.sub(r"<(/?)(?=[a-zA-Z])", r"<\1x:", text).replace("<x:worksheet xmlns=", "<x:worksheet xmlns:x=")
            return text.encode()
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                b"</Relationships>")
        return data

    sheet_changed = _rewrite(content, change)
    items = []
    for text in strings:
        if len(text) > 1:  # split in two runs, with a phonetic hint that must not be read
            items.append(f"<si><r><t>{text[:1]}</t></r><r><rPr><b/></rPr><t>{text[1:]}</t></r>"
                         f"<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>")
        else:
            items.append(f"<si><t>{text}</t></si>")
    sst = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{1}'
           "</sst>").format(len(items), "".join(items))
    return _rewrite(sheet_changed, lambda name, data: data, {"xl/sharedStrings.xml": sst.encode()})


# --- Pages and API --------------------------------------------------------------------------------------------------


def upload(client: Client, content: bytes, union: Any, *, api: bool = False) -> Any:
    if api:
        return client.post("/api/v1/members/imports", {"file": _file(content), "union": str(union.uuid)})
    return client.post("/console/members/import/", {"file": _file(content), "union": str(union.uuid)})


def _file(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("花名册.xlsx", content, content_type="application/octet-stream")


def test_it_imports_through_the_console(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    client = cast.client("district_a_officer")
    page = client.get("/console/members/import/")
    assert page.status_code == 200 and "下载模板" in page.content.decode()
    template = client.get("/console/members/import/template.xlsx")
    assert template.status_code == 200 and template.content.startswith(b"PK")
    with django_capture_on_commit_callbacks(execute=True):  # the task runs after the request's commit
        response = upload(client, xlsx([row(), row("甲二", "630102199302301234")]), cast.district_a)
    assert response.status_code == 302
    job = RosterImport.objects.get()
    report = client.get(response["Location"]).content.decode()
    assert job.status == ImportStatus.CHECKED and "第 3 行" in report and "出生日期" in report
    assert "确认导入 1 行" in report
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/console/members/import/{job.uuid}/commit/")
    assert done.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Member.objects.filter(name="孙丽").exists()
    fragment = client.get(f"/console/members/import/{job.uuid}/progress/", headers={"HX-Request": "true"})
    assert "已导入" in fragment.content.decode() and "every 1s" not in fragment.content.decode()


@pytest.mark.django_db(transaction=True)  # the tasks run on commit, as in production without a broker
def test_it_imports_through_the_api(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    assert client.get("/api/v1/members/imports/template").content.startswith(b"PK")
    response = upload(client, xlsx([row(), row("甲二", "630102199302301234")]), cast.district_a, api=True)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "checked" and body["valid_rows"] == 1 and body["errors"][0]["row"] == 3
    assert client.get(f"/api/v1/members/imports/{body['uuid']}").json()["status"] == "checked"
    done = client.post(f"/api/v1/members/imports/{body['uuid']}/commit")
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["created_count"] == 1
    again = client.post(f"/api/v1/members/imports/{body['uuid']}/commit")
    assert again.status_code == 200 and again.json()["created_count"] == 1


@pytest.mark.django_db(transaction=True)
def test_it_answers_a_malformed_upload_through_the_api_with_a_message(cast: Cast) -> None:
    client = cast.client("district_a_officer", api=True)
    response = upload(client, bytes(range(256)) * 4, cast.district_a, api=True)
    assert response.status_code == 400 and "不是 Excel 或 CSV 文件" in response.json()["message"]
    response = upload(client, b"not a workbook", cast.district_a, api=True)  # text: read as CSV, no header
    assert response.status_code == 201 and "找不到表头" in response.json()["message"]
    response = upload(client, xlsx([["x"]], header=["名字"]), cast.district_a, api=True)
    assert response.status_code == 201 and response.json()["status"] == "failed"
    assert "找不到表头" in response.json()["message"]


def test_it_gates_uploads_and_jobs(cast: Cast) -> None:
    content = xlsx([row()])
    # Uploading into district A: the read-only viewer gets 403, other branches 404.
    scope_matrix(cast, lambda c, _: upload(c, content, cast.district_a, api=True), write=True)
    scope_matrix(cast, lambda c, _: upload(c, content, cast.district_a), write=True, api=False)

    def fresh() -> RosterImport:
        return check(cast, xlsx([row()]))

    scope_matrix(cast, lambda c, j: c.get(f"/api/v1/members/imports/{j.uuid}"), target=fresh)
    scope_matrix(cast, lambda c, j: c.get(f"/console/members/import/{j.uuid}/"), target=fresh, api=False)
    scope_matrix(cast, lambda c, j: c.post(f"/api/v1/members/imports/{j.uuid}/commit"), target=fresh, write=True,
                 overrides={"district_a_officer": OK})


# --- Files as unions send them -------------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    lines = [",".join(HEADER), *(",".join(str(v) for v in r) for r in rows)]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" + text.encode()) if encoding == "utf-8-sig" else text.encode(encoding)


def test_it_imports_an_old_xls_workbook_past_its_cover_sheet(cast: Cast) -> None:
    # fixtures/roster.xls (written by xlwt): a cover sheet "封面", then "会员名册" with an ID typed
    # with a leading apostrophe, a phone stored as a number and an Excel date cell.
    job = check(cast, (FIXTURES / "roster.xls").read_bytes())
    assert job.status == ImportStatus.CHECKED, job.message
    assert messages(job) == [] and job.valid_rows == 2 and job.sheet_name == "会员名册"
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    sun, wu = Member.objects.get(name="孙丽"), Member.objects.get(name="吴敏")
    assert (sun.id_number, sun.join_date, sun.household) == (ID_1, date(2024, 3, 1), "agricultural")
    assert (wu.id_number, wu.phone, wu.join_date, wu.craftsman) == (ID_3, "13912345678", date(2023, 5, 6), True)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_it_imports_csv_in_gbk_or_utf8_keeping_ids_as_text(cast: Cast, encoding: str) -> None:
    content = csv_bytes([row(phone="13812345678", education="本科"), row("吴敏", ID_3.lower().replace("0", "0"),
                                                                       phone="", joined="2024/3/1")], encoding)
    job = check(cast, content)
    assert job.status == ImportStatus.CHECKED, job.message
    assert messages(job) == [] and job.valid_rows == 2 and job.sheet_name == ""
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    assert Member.objects.get(name="孙丽").education == "bachelor"
    assert Member.objects.get(name="吴敏").id_number == ID_3


def test_it_finds_the_roster_behind_a_cover_page_and_names_the_sheet(cast: Cast) -> None:
    def cover_first(sheet: Any) -> None:
        cover = sheet.parent.create_sheet("封面", 0)
        cover.append(["甲公司工会 2026 年会员花名册"])
        cover.append(["填报人", "张三"])

    job = check(cast, xlsx([row()], title="Sheet1", edit=cover_first))
    assert job.status == ImportStatus.CHECKED and job.valid_rows == 1 and job.sheet_name == "Sheet1"
    assert "工作表“Sheet1”" in job.message

    def no_roster(sheet: Any) -> None:
        sheet.parent.create_sheet("封面", 0).append(["说明"])

    message = failed(cast, xlsx([["x"]], header=["名字"], title="数据", edit=no_roster))
    assert "找不到表头" in message and "“封面”" in message and "“数据”" in message


def test_it_strips_apostrophes_zero_width_characters_bom_and_nbsp_before_checking(cast: Cast) -> None:
    dirty = [
        row("\u200b孙丽\u00a0", "'" + ID_1, phone="\ufeff138 1234 5678"),
        row("吴\u200d敏", "\ufeff" + ID_3 + "\u200b", phone="'13912345678", education="\u00a0本科\u00a0"),
        row("\u2060周\u3000杰\u200c", "\u00a0" + id_number("630102", "19900101", "111") + "\u2060"),
    ]
    for content in (xlsx(dirty), csv_bytes(dirty, "gb18030")):
        Member.objects.filter(name__in=["孙丽", "吴敏", "周杰"]).delete()
        job = check(cast, content)
        assert messages(job) == [] and job.valid_rows == 3, messages(job)
        roster.roster_commit(job=job, actor=cast.district_a_officer)
        names = set(Member.objects.filter(union=cast.district_a).values_list("name", flat=True))
        assert {"孙丽", "吴敏", "周杰"} <= names
        assert all(name.isprintable() and name == name.strip() for name in names)
        assert Member.objects.get(name="吴敏").education == "bachelor"


def test_it_warns_but_imports_when_the_gender_contradicts_the_id(cast: Cast) -> None:
    assert HEADER[13] == "性别"  # the 17th digit of ID_1 (1) and ID_3 (3) is odd: both are men's numbers
    job = check(cast, xlsx([[*row(), "女"], [*row("吴敏", ID_3), "男"], [*row("周杰", ID_2), "未知"]]))
    assert messages(job) == [] and job.valid_rows == 3
    assert [(w["row"], w["column"]) for w in job.warnings] == [(2, "性别"), (4, "性别")]
    assert "与身份证号码不符（号码为男性），已按身份证号码登记" in job.warnings[0]["message"]
    roster.roster_commit(job=job, actor=cast.district_a_officer)
    assert Member.objects.get(name="孙丽").gender == "M"
    page = cast.client("district_a_officer").get(f"/console/members/import/{job.uuid}/").content.decode()
    assert "提示（2）" in page and "这些行照常导入" in page


def test_it_counts_rows_that_change_nothing_as_unchanged(cast: Cast) -> None:
    content = xlsx([row(education="本科"), row("吴敏", ID_3)])
    roster.roster_commit(job=check(cast, content), actor=cast.district_a_officer)
    again = check(cast, xlsx([row(education="本科"), row("吴敏", ID_3, education="硕士")]))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 1, 1)
    done = roster.roster_commit(job=again, actor=cast.district_a_officer)
    assert (done.created_count, done.updated_count, done.unchanged_count, done.valid_rows) == (0, 1, 1, 2)


def test_it_gives_the_refused_rows_back_as_a_workbook_that_reimports_once_fixed(cast: Cast) -> None:
    content = xlsx([row(), row("吴敏", ID_3[:17], education="博士后"), row("周杰", "'" + ID_2, phone="12345")])
    job = check(cast, content)
    assert job.error_rows == 2 and job.problem_rows == 2
    client = cast.client("district_a_officer")
    page = client.get(f"/console/members/import/{job.uuid}/").content.decode()
    assert f"/console/members/import/{job.uuid}/problems.xlsx" in page and "下载有问题的 2 行" in page
    response = client.get(f"/console/members/import/{job.uuid}/problems.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.values]
    assert values[0] == [*HEADER, "问题", "原行号"]
    assert [(r[0], r[1], r[-1]) for r in values[1:]] == [("吴敏", ID_3[:17], 3), ("周杰", ID_2, 4)]
    assert "身份证号码" in values[1][-2] and "学历" in values[1][-2] and "手机号码" in values[2][-2]
    assert AuditLog.objects.filter(action="export.import_problems").count() == 1
    # Fixed in Excel and uploaded as it is: both rows pass.
    sheet["B2"], sheet["G2"], sheet["C3"] = ID_3, "研究生", "13912345678"
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    fixed = check(cast, buffer.getvalue())
    assert messages(fixed) == [] and fixed.valid_rows == 2 and fixed.problem_rows == 0


def test_it_gates_the_problem_rows(cast: Cast) -> None:
    def fresh() -> RosterImport:
        return check(cast, xlsx([row("吴敏", "123")]))

    scope_matrix(cast, lambda c, job: c.get(f"/console/members/import/{job.uuid}/problems.xlsx"), target=fresh,
                 write=True, api=False)


def test_it_answers_wrong_formats_and_huge_files_in_chinese_never_a_500(cast: Cast, monkeypatch: Any) -> None:
    client = cast.client("district_a_officer")
    response = upload(client, b"%PDF-1.7\n" + bytes(range(256)) * 8, cast.district_a)
    assert response.status_code == 200 and "不是 Excel 或 CSV 文件" in response.content.decode()
    monkeypatch.setattr(roster, "MAX_UPLOAD_BYTES", 1000)
    response = upload(client, xlsx([row()] * 50), cast.district_a)
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    api = upload(cast.client("district_a_officer", api=True), xlsx([row()] * 50), cast.district_a, api=True)
    assert api.status_code == 400 and "文件过大" in api.json()["message"]
