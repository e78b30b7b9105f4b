"""Writing Excel workbooks (openpyxl) in constant memory, and reading uploaded ones safely."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C8102E")


def _safe(value: Any) -> Any:
    """Neutralize text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
                   *, widths: dict[str, Sequence[int]] | None = None) -> bytes:
    """Build an .xlsx from (sheet title, header, rows) triples. Rows may be a generator."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for index, width in enumerate((widths or {}).get(title, [18] * len(header))):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, Alignment(horizontal="center")
            cells.append(cell)
        sheet.append(cells)
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Templates ---------------------------------------------------------------------------------------


def write_template(*, title: str, header: Sequence[str], examples: Sequence[Sequence[Any]] = (),
                   notes: Sequence[Sequence[Any]] = (), notes_header: Sequence[str] = ("列", "是否必填", "填写说明"),
                   notes_title: str = "填写说明", text_columns: Iterable[int] = (),
                   choices: dict[int, Sequence[str]] | None = None, widths: Sequence[int] = ()) -> bytes:
    """A fill-in template: the header row, example rows in grey, and a second sheet of notes.

    ``text_columns`` (0-based) are formatted as text so that Excel keeps long codes as typed instead
    of turning them into rounded numbers; ``choices`` adds a drop-down list to a column (0-based).
    """
    text_columns = set(text_columns)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, Alignment(horizontal="center")
    grey = Font(color="808080", italic=True)
    for example in examples:
        sheet.append([_safe(v) for v in example])
        for cell in sheet[sheet.max_row]:
            cell.font = grey
    for index in range(len(header)):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = widths[index] if index < len(widths) else 18
        if index in text_columns:
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row=row, column=index + 1).number_format = "@"
    for index, values in (choices or {}).items():
        letter = get_column_letter(index + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    guide = book.create_sheet(notes_title[:31])
    guide.append(list(notes_header))
    for cell in guide[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row in notes:
        guide.append([_safe(v) for v in row])
    for letter, width in zip("ABC", (16, 10, 90), strict=False):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Reading uploads -------------------------------------------------------------------------------------

TEMPLATE_ROWS = 5001  # how far down a template's drop-down lists reach
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and also password-protected .xlsx
# A compressed upload can unpack to far more than it weighs: bound what we agree to unpack.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Excel keeps 15 significant digits: a longer number typed into a number cell is already rounded.
_EXACT_FLOAT_LIMIT = 10 ** 15
_HEADER_SCAN_COLUMNS = 200
_MERGE_SCAN_CAP = 8 * 1024 * 1024
_MERGE_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3}[0-9]{1,7}(?::[A-Za-z]{1,3}[0-9]{1,7})?)[\"']"
)


class WorkbookError(ValueError):
    """The upload cannot be read as a table. The message is for the user, in Chinese."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class CellIssue:
    """A cell whose content could not be read as a value (a formula without result, a merged cell …)."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row. ``number`` is the row number Excel shows; ``values`` maps every expected
    and optional header to the cell's text ("" when empty or unreadable)."""

    number: int
    values: dict[str, str]
    issues: tuple[CellIssue, ...] = ()


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(ch for ch in text if not ch.isspace()).strip("*")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def cell_text(value: Any) -> str:
    """A cell value as the text a person typed: strings stripped with runs of whitespace collapsed,
    whole numbers without ".0", dates as YYYY-MM-DD, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return " ".join(str(value).split())


def _read_upload(file: bytes | IO[bytes], max_bytes: int) -> bytes:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise WorkbookError(f"文件过大，请不要超过 {_megabytes(max_bytes)} MB；数据较多时请拆分成几个文件分批导入")
    if not data:
        raise WorkbookError("上传的文件是空的，请选择填写好的 Excel 文件")
    if data.startswith(_OLE_MAGIC):
        raise WorkbookError("这是旧版 Excel（.xls）文件或设置了打开密码的文件，无法读取。"
                            "请在 Excel 中取消密码并“另存为”Excel 工作簿（.xlsx）后重新上传")
    if not data.startswith(_ZIP_MAGIC):
        raise WorkbookError("上传的文件不是 Excel（.xlsx）文件。请下载导入模板，在 Excel 或 WPS 中填写并保存为"
                            ".xlsx 格式后上传（不支持 CSV、文本文件或改了扩展名的文件）")
    return data


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookError("文件已损坏，或不是有效的 Excel（.xlsx）文件，请在 Excel 中重新保存后上传") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError("文件解压后的内容过大，请删除多余的工作表、图片或格式后重新上传")


def _merged_ranges(data: bytes, member: str | None) -> list[tuple[int, int, int, int]]:
    """The merged ranges (min_col, min_row, max_col, max_row) of one worksheet.

    Read-only mode does not report merges, and they are listed after all the rows, so the sheet's
    XML is streamed once and only the short <mergeCell ref="…"/> elements are picked out: parsing
    every row again would cost as much as reading the sheet.
    """
    if not member:
        return []
    window = b""
    collected = bytearray()
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(member) as source:
        while chunk := source.read(1 << 20):
            if collected:
                collected += chunk
            else:
                window = window[-256:] + chunk
                found = window.find(b"mergeCell")
                if found >= 0:
                    collected += window[max(0, found - 64):]
            if len(collected) > _MERGE_SCAN_CAP:
                break
    ranges = []
    for match in _MERGE_REF.finditer(bytes(collected)):
        try:
            ranges.append(range_boundaries(match.group(1).decode()))
        except ValueError:
            continue
    return ranges


def _pick_sheet(book: Any, sheet: str | None) -> Any:
    sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]
    if not sheets:
        raise WorkbookError("文件中没有工作表")
    if sheet:
        for ws in sheets:
            if ws.title == sheet:
                return ws
    return sheets[0]


def read_rows(file: bytes | IO[bytes], *, expected_headers: Sequence[str], optional_headers: Sequence[str] = (),
              sheet: str | None = None, max_rows: int = 5000, max_bytes: int = 5 * 1024 * 1024,
              stop_after_empty: int = 100) -> list[SheetRow]:
    """Read an uploaded .xlsx table: a header row (row 1), then one record per row.

    * Columns are found by their header text, in any order; ``expected_headers`` must all be there,
      ``optional_headers`` are read when present, any other column is ignored.
    * Cells are read as values (a formula gives its last computed result; one without a stored
      result is reported as a CellIssue), normalized by ``cell_text``.
    * Empty rows are skipped; reading stops after ``stop_after_empty`` empty rows in a row, so a
      sheet formatted down to row 1,048,576 costs no more than its data.
    * A cell inside a merged range, other than its top-left one, is reported as a CellIssue: Excel
      shows the value in every row of the range but stores it only once.

    Raises WorkbookError (Chinese message) when the file is not a readable .xlsx, is larger than
    ``max_bytes``, lacks expected headers or has more than ``max_rows`` data rows.
    """
    data = _read_upload(file, max_bytes)
    _check_archive(data)
    with warnings.catch_warnings():
        # openpyxl warns about every Excel feature it does not keep (validation extensions, slicers …).
        warnings.simplefilter("ignore")
        try:
            values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            formula_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:  # openpyxl raises a zoo of exception types for damaged packages
            raise WorkbookError("文件已损坏，或不是有效的 Excel（.xlsx）文件，请在 Excel 中重新保存后上传") from None
        try:
            return _read_sheet(data, _pick_sheet(values_book, sheet), _pick_sheet(formula_book, sheet),
                               expected=list(expected_headers), optional=list(optional_headers),
                               max_rows=max_rows, stop_after_empty=stop_after_empty)
        except WorkbookError:
            raise
        except Exception:
            raise WorkbookError("文件内容已损坏，无法读取，请在 Excel 中打开并重新保存后上传") from None
        finally:
            values_book.close()
            formula_book.close()


def _read_sheet(data: bytes, values_sheet: Any, formula_sheet: Any, *, expected: list[str], optional: list[str],
                max_rows: int, stop_after_empty: int) -> list[SheetRow]:
    # The stored dimension is often wrong (or "A1:XFD1048576"); read what the rows really hold.
    values_sheet.reset_dimensions()
    formula_sheet.reset_dimensions()
    header_cells = next(values_sheet.iter_rows(min_row=1, max_row=1, max_col=_HEADER_SCAN_COLUMNS, values_only=True),
                        ())
    positions: dict[str, int] = {}
    wanted = {_header_key(name): name for name in [*expected, *optional]}
    for index, value in enumerate(header_cells):
        key = _header_key(value)
        if key in wanted:
            name = wanted[key]
            if name in positions:
                raise WorkbookError(f"表头中“{name}”出现了不止一次，请删除重复的列")
            positions[name] = index
    missing = [name for name in expected if name not in positions]
    if missing:
        raise WorkbookError(
            "表头不正确，缺少以下列：" + "、".join(missing) + "。第1行应为表头：" + "、".join(expected)
            + "。请使用下载的导入模板填写")
    width = max(positions.values()) + 1
    merged = [r for r in _merged_ranges(data, getattr(values_sheet, "_worksheet_path", None))
              if r[0] <= width and r[3] >= 2]
    by_index = {index: name for name, index in positions.items()}

    rows: list[SheetRow] = []
    empty_run = 0
    scanned = 0
    scan_limit = 2 * max_rows + stop_after_empty
    value_rows = values_sheet.iter_rows(min_row=2, max_col=width)
    formula_rows = formula_sheet.iter_rows(min_row=2, max_col=width)
    for number, (cells, formulas) in enumerate(zip(value_rows, formula_rows, strict=False), start=2):
        scanned += 1
        if scanned > scan_limit:
            raise WorkbookError("表格中空行过多，请删除数据之间和末尾的空行后重新上传")
        values: dict[str, str] = {name: "" for name in wanted.values()}
        issues: list[CellIssue] = []
        filled = False
        for index, name in by_index.items():
            cell = cells[index] if index < len(cells) else None
            value = getattr(cell, "value", None)
            data_type = getattr(cell, "data_type", "n")
            formula = formulas[index] if index < len(formulas) else None
            if data_type == "e":
                issues.append(CellIssue(number, name, f"单元格是错误值 {value}，请改为正确的内容"))
                filled = True
            elif value is None and getattr(formula, "data_type", None) == "f":
                issues.append(CellIssue(number, name, "单元格是公式，但文件中没有保存计算结果。请在 Excel 中打开并保存"
                                                      "后重新上传，或直接填写内容"))
                filled = True
            elif isinstance(value, float) and abs(value) >= _EXACT_FLOAT_LIMIT:
                issues.append(CellIssue(number, name, "数字位数过多，Excel 已将其四舍五入。请把该列设置为“文本”格式后"
                                                      "重新填写"))
                filled = True
            else:
                text = cell_text(value)
                values[name] = text
                filled = filled or bool(text)
        if not filled:
            empty_run += 1
            if empty_run >= stop_after_empty:
                break
            continue
        empty_run = 0
        for min_col, min_row, max_col, max_row in merged:
            if not min_row <= number <= max_row:
                continue
            label = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
            for index, name in by_index.items():
                if min_col <= index + 1 <= max_col and (number, index + 1) != (min_row, min_col):
                    issues.append(CellIssue(number, name, f"单元格位于合并单元格 {label} 中，只有左上角的格子有内容。"
                                                          "请取消合并，并在每一行分别填写"))
        if len(rows) >= max_rows:
            raise WorkbookError(f"一次最多导入 {max_rows} 行数据，请拆分成几个文件分批导入")
        rows.append(SheetRow(number=number, values=values, issues=tuple(issues)))
    return rows
