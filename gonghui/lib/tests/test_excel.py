"""lib.excel: reading uploaded workbooks safely, and writing fill-in templates."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gonghui.lib.excel import SheetRow, WorkbookError, cell_text, clean_cell, read_rows, read_table, write_template
from gonghui.testing import xlsx_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEADER = ["名称", "代码", "人数"]


def book(rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER,
         edit: Callable[[Any], None] | None = None, title: str = "数据") -> bytes:
    return xlsx_bytes(header, rows, title=title, edit=edit)


def rewrite_sheet(content: bytes, change: Callable[[str], str], member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Edit the sheet's XML directly, for what openpyxl will not write (cached formula results …)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data.decode()).encode() if name == member else data)
    return out.getvalue()


def read(content: bytes, **kwargs: Any) -> list[SheetRow]:
    kwargs.setdefault("expected_headers", HEADER)
    return read_rows(content, **kwargs)


def failure(content: bytes, **kwargs: Any) -> str:
    with pytest.raises(WorkbookError) as caught:
        read(content, **kwargs)
    return caught.value.message


class TestReadRows:
    def test_it_reads_rows_by_header_and_normalizes_cells(self) -> None:
        content = book([["  甲\u3000公司 ", 630102.0, 12], ["乙", "ab  c", 3.5]])
        rows = read(content)
        assert rows[0].values == {"名称": "甲 公司", "代码": "630102", "人数": "12"}
        assert rows[1].values == {"名称": "乙", "代码": "ab c", "人数": "3.5"}
        assert all(not r.issues for r in rows)

    def test_it_finds_columns_in_any_order_and_reads_optional_ones(self) -> None:
        content = book([["7", "乙", "X1", "启用"]], header=["人数", " 名称 ", "代码*", "状态"])
        rows = read(content, optional_headers=["状态", "备注"])
        assert rows[0].values == {"名称": "乙", "代码": "X1", "人数": "7", "状态": "启用", "备注": ""}

    def test_it_turns_cells_into_the_text_people_typed(self) -> None:
        assert cell_text(None) == ""
        assert cell_text(True) == "是" and cell_text(False) == "否"
        assert cell_text(120.0) == "120"
        assert cell_text(0.25) == "0.25"
        assert cell_text(datetime(2026, 3, 1)) == "2026-03-01"  # noqa: DTZ001 - a naive Excel value
        assert cell_text(datetime(2026, 3, 1, 8, 30)) == "2026-03-01 08:30:00"  # noqa: DTZ001
        assert cell_text(date(2026, 3, 1)) == "2026-03-01"
        assert cell_text(" a \n b\t") == "a b"

    def test_it_reads_dates_from_date_cells(self) -> None:
        content = book([["甲", date(2026, 1, 5), 1]])
        assert read(content)[0].values["代码"] == "2026-01-05"

    def test_it_reads_a_csv_file_renamed_to_xlsx_by_its_content(self) -> None:
        rows = read("名称,代码,人数\n甲,0123,1\n".encode())
        assert rows[0].values == {"名称": "甲", "代码": "0123", "人数": "1"}

    def test_it_rejects_what_is_not_a_table_with_a_clear_message(self) -> None:
        for content in (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, b"%PDF-1.7\n" + bytes(range(256)) * 4,
                        bytes(range(256)) * 10):
            assert "不是 Excel 或 CSV 文件" in failure(content)

    def test_it_names_the_old_xls_format(self) -> None:
        message = failure(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
        assert ".xls" in message and "另存为" in message

    def test_it_rejects_an_empty_file(self) -> None:
        assert "空的" in failure(b"")

    def test_it_rejects_a_damaged_zip(self) -> None:
        assert "损坏" in failure(b"PK\x03\x04" + b"garbage" * 50)

    def test_it_rejects_a_zip_that_is_not_a_workbook(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        assert "损坏" in failure(buffer.getvalue())

    def test_it_rejects_a_file_over_the_size_limit(self) -> None:
        content = book([["甲", "1", "2"]])
        assert "不要超过" in failure(content, max_bytes=len(content) - 1)
        assert read(content, max_bytes=len(content))

    def test_it_reads_from_a_file_object(self) -> None:
        handle = io.BytesIO(book([["甲", "1", "2"]]))
        handle.read(3)
        assert read_rows(handle, expected_headers=HEADER)[0].values["名称"] == "甲"

    def test_it_lists_every_missing_header_in_one_message(self) -> None:
        message = failure(book([["甲"]], header=["名称", "编号"]))
        assert "缺少以下列：代码、人数" in message
        assert "第1行应为表头：名称、代码、人数" in message

    def test_it_rejects_a_repeated_header(self) -> None:
        assert "出现了不止一次" in failure(book([], header=["名称", "代码", "人数", "名称"]))

    def test_it_uses_the_cached_result_of_a_formula(self) -> None:
        content = book([["甲", "x", "=2*3"]])
        content = rewrite_sheet(content, lambda xml: xml.replace("<f>2*3</f><v />", "<f>2*3</f><v>6</v>"))
        row = read(content)[0]
        assert row.values["人数"] == "6" and not row.issues

    def test_it_reports_a_formula_without_a_cached_result(self) -> None:
        row = read(book([["甲", "x", "=2*3"]]))[0]
        assert row.values["人数"] == ""
        assert [(i.row, i.column) for i in row.issues] == [(2, "人数")]
        assert "公式" in row.issues[0].message

    def test_it_reports_error_values(self) -> None:
        row = read(book([["甲", "#N/A", "1"]]))[0]
        assert [(i.column, i.message) for i in row.issues] == [("代码", "单元格是错误值 #N/A，请改为正确的内容")]

    def test_it_reports_numbers_excel_has_rounded(self) -> None:
        row = read(book([["甲", 916301021234567890.0, "1"]]))[0]
        assert row.issues[0].column == "代码" and "四舍五入" in row.issues[0].message

    def test_it_reports_the_hidden_cells_of_a_merged_range(self) -> None:
        def merge(sheet: Any) -> None:
            sheet.merge_cells("A2:A4")
            sheet.merge_cells("B6:C8")  # a merged range over rows that are otherwise empty

        rows = read(book([["甲", "1", "1"], [None, "2", "2"], [None, "3", "3"]], edit=merge))
        assert [r.number for r in rows] == [2, 3, 4]
        assert not rows[0].issues
        for row in rows[1:]:
            assert [(i.row, i.column) for i in row.issues] == [(row.number, "名称")]
            assert "合并单元格 A2:A4" in row.issues[0].message

    def test_it_skips_empty_rows_and_stops_after_a_long_empty_run(self) -> None:
        content = book([["甲", "1", "1"], [None, None, None], ["  ", None, None], ["乙", "2", "2"]])
        assert [r.number for r in read(content)] == [2, 5]
        content = book([["甲", "1", "1"], *([[None, None, None]] * 5), ["乙", "2", "2"]])
        assert [r.number for r in read(content, stop_after_empty=3)] == [2]

    def test_it_reads_a_sheet_formatted_down_to_the_last_row_quickly(self) -> None:
        # A million styled but empty rows (what "format the whole column" leaves behind).
        def pad(xml: str) -> str:
            filler = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(4, 1_048_577))
            xml = xml.replace("<dimension ref=\"A1:C3\" />", "<dimension ref=\"A1:C1048576\" />")
            return xml.replace("</sheetData>", filler + "</sheetData>")

        # How fast is for bench/bench_roster_import.py (a timed assertion flaked under load); here: the
        # two rows, and nothing of the million empty ones.
        content = rewrite_sheet(book([["甲", "1", "1"], ["乙", "2", "2"]]), pad)
        rows = read(content)
        assert [r.number for r in rows] == [2, 3]

    def test_it_stops_at_the_row_limit(self) -> None:
        content = book([[f"单位{n}", "1", "1"] for n in range(6)])
        assert "最多导入 5 行" in failure(content, max_rows=5)
        assert len(read(content, max_rows=6)) == 6

    def test_it_refuses_a_sheet_that_is_mostly_gaps(self) -> None:
        rows: list[list[Any]] = []
        for n in range(10):
            rows += [[f"单位{n}", "1", "1"], [None, None, None], [None, None, None]]
        assert "空行过多" in failure(book(rows), max_rows=10, stop_after_empty=3)

    def test_it_refuses_a_workbook_that_unpacks_to_too_much(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("gonghui.lib.excel.MAX_UNPACKED_BYTES", 1000)
        assert "解压后的内容过大" in failure(book([["甲", "1", "1"]]))

    def test_it_reads_the_named_sheet_or_else_the_first(self) -> None:
        def second(sheet: Any) -> None:
            other = sheet.parent.create_sheet("导入")
            other.append(HEADER)
            other.append(["乙", "2", "2"])

        content = book([["甲", "1", "1"]], edit=second)
        assert read(content, sheet="导入")[0].values["名称"] == "乙"
        assert read(content, sheet="没有这张表")[0].values["名称"] == "甲"

    def test_it_reads_an_old_xls_workbook_past_its_cover_sheet(self) -> None:
        table = read_table((FIXTURES / "table.xls").read_bytes(), expected_headers=HEADER)
        assert table.sheet == "数据" and table.label == "工作表“数据”"
        assert [(r.number, r.values) for r in table.rows] == [
            (2, {"名称": "甲", "代码": "0123", "人数": "12"}), (3, {"名称": "乙", "代码": "x", "人数": "3.5"})]

    def test_it_finds_the_sheet_with_the_header_behind_a_cover_page(self) -> None:
        def cover_first(sheet: Any) -> None:
            cover = sheet.parent.create_sheet("封面", 0)
            cover.append(["某某工会 2026 年报表"])
            cover.append(["填报单位", "某某工会"])

        table = read_table(book([["甲", "1", "1"]], edit=cover_first), expected_headers=HEADER)
        assert table.sheet == "数据" and table.rows[0].values["名称"] == "甲"

    def test_it_names_every_sheet_it_looked_at_when_no_header_fits(self) -> None:
        def cover_first(sheet: Any) -> None:
            sheet.parent.create_sheet("封面", 0).append(["说明"])

        message = failure(book([["甲"]], header=["名称", "编号"], edit=cover_first))
        assert "“封面”" in message and "“数据”" in message and "缺少以下列" in message

    def test_it_reads_a_header_below_a_title_row(self) -> None:
        def title(sheet: Any) -> None:
            sheet.insert_rows(1)
            sheet["A1"] = "单位名册"

        assert [(r.number, r.values["名称"]) for r in read(book([["甲", "1", "1"]], edit=title))] == [(3, "甲")]

    def test_it_reads_csv_in_gbk_gb18030_and_utf8_with_bom_keeping_codes_as_text(self) -> None:
        text = "名称,代码,人数\r\n甲公司,0123456789012345678,12\r\n\"乙,丙\",00,3\r\n"
        for content in (text.encode("gbk"), text.encode("gb18030"), codecs.BOM_UTF8 + text.encode(),
                        text.encode("utf-16")):
            table = read_table(content, expected_headers=HEADER)
            assert table.sheet == "" and table.label == "CSV 文件"
            assert [r.values for r in table.rows] == [
                {"名称": "甲公司", "代码": "0123456789012345678", "人数": "12"},
                {"名称": "乙,丙", "代码": "00", "人数": "3"}]
        tabs = "名称\t代码\t人数\n甲\t=\"007\"\t1\n".encode("gb18030")
        assert read(tabs)[0].values == {"名称": "甲", "代码": "007", "人数": "1"}

    def test_it_strips_apostrophes_zero_width_characters_bom_and_nbsp_from_every_cell(self) -> None:
        dirty = [["\u200b甲\u00a0公司\ufeff", "'0123", "\u00a012\u200d"], ["\u2060乙", "\u200b'x", "＇3"]]
        for content in (book(dirty), "\n".join(",".join(r) for r in [HEADER, *dirty]).encode("gb18030")):
            assert [r.values for r in read(content)] == [
                {"名称": "甲 公司", "代码": "0123", "人数": "12"}, {"名称": "乙", "代码": "x", "人数": "3"}]

    def test_it_cleans_text_but_keeps_private_use_characters(self) -> None:
        assert clean_cell("\ufeff孙\u200c丽\u00ad ") == "孙丽"
        assert clean_cell("'O'Brien") == "O'Brien"
        assert clean_cell("\ue000玲") == "\ue000玲"  # a rare character of a name, mapped to private use
        assert clean_cell("甲\t乙\u3000\u3000丙") == "甲 乙 丙"

    def test_it_returns_nothing_for_a_header_only_sheet(self) -> None:
        assert read(book([])) == []


class TestWriteTemplate:
    def test_it_writes_header_example_notes_and_formats(self) -> None:
        content = write_template(title="单位", header=["名称", "代码", "规模"], examples=[["示例单位", "0123", "小型"]],
                                 notes=[("名称", "必填", "单位全称")], text_columns=[1],
                                 choices={2: ["小型", "大型"]})
        workbook = load_workbook(io.BytesIO(content))
        assert workbook.sheetnames == ["单位", "填写说明"]
        sheet = workbook["单位"]
        assert [c.value for c in sheet[1]] == ["名称", "代码", "规模"]
        assert [c.value for c in sheet[2]] == ["示例单位", "0123", "小型"]
        assert sheet["B2"].number_format == "@"
        assert sheet.column_dimensions["B"].number_format == "@"
        assert [v.formula1 for v in sheet.data_validations.dataValidation] == ['"小型,大型"']
        notes = workbook["填写说明"]
        assert [c.value for c in notes[2]] == ["名称", "必填", "单位全称"]
        # The template reads back through read_rows.
        assert read_rows(content, expected_headers=["名称", "代码", "规模"])[0].values["代码"] == "0123"
