"""Reading the upload: a roster file through the one table reader of every import
(``gonghui.lib.excel.open_table``: .xlsx and .xls through python-calamine, CSV in UTF-8 or
GBK/GB18030), and what the roster adds to it — its limits, its sheet titles and RosterFileError.

``roster_rows`` turns the table's rows into ``SheetRow``s (the cells of the columns the header
maps, and why a cell could not be read), the form the checker reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from gonghui.core.errors import ValidationFailed
from gonghui.lib import excel

MAX_UPLOAD_BYTES = 40 * 1024 * 1024  # 200,000 rows: ~11 MB as .xlsx, ~25 MB as CSV
MAX_UNPACKED_BYTES = excel.MAX_UNPACKED_BYTES
STOP_AFTER_EMPTY = 1000  # a sheet "formatted" down to row 1,048,576 ends where its data ends
SHEET_TITLE = "会员名册"
NOTES_TITLE = "填写说明"
TOO_BIG_MESSAGE = f"文件过大，请不要超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB；数据较多时请拆分成几个文件分批导入"


class RosterFileError(ValidationFailed):
    """The upload cannot be read as a roster; the message says why, in Chinese."""

    code = "bad_workbook"


def column_index(letters: str) -> int:
    """0-based index of a column: A → 0, Z → 25, AA → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _serial_date(serial: float, date1904: bool) -> date | None:
    if not 0 < serial < 2958466:
        return None
    start = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)  # noqa: DTZ001 - a calendar date
    return (start + timedelta(days=int(serial))).date()


@dataclass
class SheetRow:
    number: int
    values: dict[int, Any]  # column index → str | date | bool (non-empty cells only)
    issues: dict[int, str]  # column index → why the cell could not be read


def upload_kind(content: bytes) -> str:
    """"xlsx", "xls" or "csv" by content; RosterFileError for an empty, oversized or other file."""
    if not content:
        raise RosterFileError("上传的文件是空的，请选择填写好的 Excel 或 CSV 文件")
    if len(content) > MAX_UPLOAD_BYTES:
        raise RosterFileError(TOO_BIG_MESSAGE)
    try:
        return excel.table_kind(content)
    except excel.WorkbookError as exc:
        raise RosterFileError(exc.message) from None


def roster_rows(table: excel.Table, wanted: frozenset[int]) -> Iterator[SheetRow]:
    """The table's non-empty rows below the header, limited to the ``wanted`` columns."""
    columns = sorted(wanted)
    issues = table.issues
    for number, cells in table.rows(stop_after_empty=STOP_AFTER_EMPTY):
        size = len(cells)
        values = {i: cells[i] for i in columns if i < size and cells[i] != ""}
        found = {i: issues[(number, i)] for i in columns if (number, i) in issues} if issues else {}
        if values or found:
            yield SheetRow(number, values, found)
