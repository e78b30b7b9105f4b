"""Writing Excel workbooks (openpyxl) in constant memory, and reading uploaded tables (.xlsx, .xls, CSV) safely."""

from __future__ import annotations

import codecs
import csv
import html
import io
import posixpath
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C8102E")


def _safe(value: Any) -> Any:
    """Neutralize text that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


Sheets = Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]


def write_workbook_to(target: IO[bytes], sheets: Sheets, *, widths: dict[str, Sequence[int]] | None = None,
                      text_columns: dict[str, Iterable[int]] | None = None) -> int:
    """Write an .xlsx of (sheet title, header, rows) triples to ``target`` (a file opened for binary
    writing) and return how many data rows it holds.

    Rows may be a generator: each sheet's XML is written row by row straight into the zip stream,
    so memory stays flat however many rows there are (a 200,000-row export never exists in memory
    as a whole). Hand-written rather than openpyxl's write-only mode, which needs ~1 ms per row of
    18 cells here without lxml, 20 times as long. Text is written as inline strings, neutralized
    against formula injection (``_safe``) and stripped of characters XML cannot hold; numbers as
    numbers, dates as Excel dates. ``text_columns`` (0-based, by sheet title) are formatted as
    text, so that a workbook given back to be fixed keeps ID numbers as typed when edited in Excel.
    """
    titles = [title[:31] for title, _, _ in sheets]
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number, (title, header, rows) in enumerate(sheets, start=1):
            as_text = set((text_columns or {}).get(title, ()))
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw:
                out = io.BufferedWriter(raw, buffer_size=1 << 20)
                count += _write_sheet(out, header, rows, (widths or {}).get(title, [18] * len(header)), as_text)
                out.flush()
        for name, text in _package_parts(titles).items():
            archive.writestr(name, text)
    return count


# Styles (cellXfs): 0 default, 1 header (bold white on red, centred), 2 date, 3 date-time, 4 text.
_STYLE_HEADER, _STYLE_DATE, _STYLE_DATETIME, _STYLE_TEXT = 1, 2, 3, 4
_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", **{
    chr(c): "" for c in [*range(0, 9), 11, 12, *range(14, 32)]}})
_EPOCH = date(1899, 12, 30)


def _letters(count: int) -> list[str]:
    return [get_column_letter(i + 1) for i in range(count)]


def _write_sheet(out: Any, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int],
                 as_text: set[int]) -> int:
    columns = max(len(header), len(widths))
    letters = _letters(max(columns, 1))
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"'
                   + (f' style="{_STYLE_TEXT}"' if i in as_text else "") + "/>" for i, w in enumerate(widths))
    out.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
               'openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1"'
               ' topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
               + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>").encode())
    cells = "".join(f'<c r="{letters[i]}1" t="inlineStr" s="{_STYLE_HEADER}"><is><t>'
                    f"{str(name).translate(_XML_ESCAPE)}</t></is></c>" for i, name in enumerate(header))
    out.write(f'<row r="1">{cells}</row>'.encode())
    count = 0
    for count, row in enumerate(rows, start=1):
        number = count + 1
        parts = [f'<row r="{number}">']
        for index, value in enumerate(row):
            if index >= len(letters):
                letters.append(get_column_letter(index + 1))
            parts.append(_cell(f"{letters[index]}{number}", value, index in as_text))
        parts.append("</row>")
        out.write("".join(parts).encode())
    out.write(b"</sheetData></worksheet>")
    return count


def _cell(ref: str, value: Any, as_text: bool) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = _safe(value).translate(_XML_ESCAPE)
        style = f' s="{_STYLE_TEXT}"' if as_text else ""
        return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = timezone_local(value)
        delta = value - datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's calendar has no time zone
        serial = delta.days + delta.seconds / 86400
        return f'<c r="{ref}" s="{_STYLE_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_STYLE_DATE}"><v>{(value - _EPOCH).days}</v></c>'
    return _cell(ref, str(value), as_text)


def timezone_local(value: datetime) -> datetime:
    """An aware date-time as the wall-clock time of the configured zone (Excel keeps no zone)."""
    from django.utils import timezone

    return timezone.localtime(value).replace(tzinfo=None)


def _package_parts(titles: Sequence[str]) -> dict[str, str]:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
                        for n in range(1, len(titles) + 1))
    sheets = "".join(f'<sheet name="{html.escape(t, quote=True)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, t in enumerate(titles, start=1))
    sheet_rels = "".join(f'<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                         for n in range(1, len(titles) + 1))
    styles_id = len(titles) + 1
    return {
        "[Content_Types].xml": (
            head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
            f'openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'),
        "_rels/.rels": (
            head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            head + f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{sheet_rels}<Relationship Id="rId{styles_id}" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": (
            head + f'<styleSheet xmlns="{main}">'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFC8102E"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" '
            'applyAlignment="1"><alignment horizontal="center"/></xf>'
            '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
    }


def write_workbook(sheets: Sheets, *, widths: dict[str, Sequence[int]] | None = None) -> bytes:
    """Build an .xlsx from (sheet title, header, rows) triples, in memory. For small tables; a list
    that may grow large is written with ``write_workbook_to`` into a file."""
    buffer = io.BytesIO()
    write_workbook_to(buffer, sheets, widths=widths)
    return buffer.getvalue()


@contextmanager
def spooled(max_size: int = 4 * 1024 * 1024) -> Iterator[IO[bytes]]:
    """A temporary file, in memory until ``max_size`` and on disk beyond: where a workbook is built."""
    with tempfile.SpooledTemporaryFile(max_size=max_size) as handle:
        yield handle  # type: ignore[misc]


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
# One reader for every import: .xlsx and .xls through python-calamine (Rust; ~70,000 rows/s on the
# two-core machine, where openpyxl's read-only mode manages ~3,000), CSV through the csv module.
# What calamine does not report — error cells and formulas saved without a result, both of which it
# reads as empty — comes from one streamed scan of the sheet's XML, done only when the sheet has any.

TEMPLATE_ROWS = 5001  # how far down a template's drop-down lists reach
# A compressed upload can unpack to far more than it weighs: bound what we agree to unpack.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
# Excel keeps 15 significant digits: a longer number typed into a number cell is already rounded.
_EXACT_FLOAT_LIMIT = 10 ** 15
_HEADER_SCAN_COLUMNS = 200
_APOSTROPHES = ("'", "’", "‘", "＇", "`")
_CSV_SAMPLE = 64 * 1024

MSG_NOT_TABLE = ("上传的文件不是 Excel 或 CSV 文件。请下载导入模板，在 Excel 或 WPS 中填写并保存为 Excel 工作簿"
                 "（.xlsx 或 .xls）或 CSV 文件后上传（不支持图片、PDF、Word 文件或改了扩展名的文件）")
MSG_BROKEN = "文件已损坏，或不是有效的 Excel 文件，请在 Excel 中打开并重新保存后上传"
MSG_OLE_BROKEN = ("这个 Excel 文件无法读取：可能设置了打开密码，或已损坏。请在 Excel 中取消密码，"
                  "“另存为”Excel 工作簿（.xlsx 或 .xls）后重新上传")
MSG_FORMULA = "单元格是公式，但文件中没有保存计算结果。请在 Excel 中打开并保存后重新上传，或直接填写内容"
MSG_ROUNDED = "数字位数过多，Excel 已将其四舍五入。请把该列设置为“文本”格式后重新填写"


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
    text = unicodedata.normalize("NFKC", "" if value is None else clean_cell(str(value)))
    return "".join(ch for ch in text if not ch.isspace()).strip("*")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def clean_cell(text: str) -> str:
    """The text of a cell as the person meant it: format characters dropped (zero-width spaces and
    joiners, a BOM, soft hyphens, direction marks — pasted from web pages and chat apps), control
    characters and every kind of space (NBSP, the ideographic space) folded into single spaces,
    trimmed, and a leading apostrophe removed (typed before an ID number to keep it as text, or put
    there by an export against formula injection). Private-use characters (rare characters of
    names in some systems) are kept."""
    if text.isprintable() and text[:1] not in _APOSTROPHES and "  " not in text and text == text.strip():
        return text  # the common case, decided in C
    kept = []
    for ch in text:
        if ch.isprintable():
            kept.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        kept.append(ch if category in ("Co", "Cn") else " ")
    text = " ".join("".join(kept).split())
    if text[:1] in _APOSTROPHES:
        text = text[1:].lstrip()
    return text


def cell_text(value: Any) -> str:
    """A cell value as the text a person typed: strings cleaned (``clean_cell``), whole numbers
    without ".0", dates as YYYY-MM-DD, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_cell(value)
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
    return clean_cell(str(value))


def cell_value(value: Any) -> Any:
    """A cell as an import reads it: text cleaned, numbers as the digits typed, dates as ``date`` (a
    date-time at midnight too), booleans kept; "" when empty."""
    if isinstance(value, str):
        return clean_cell(value) if value else ""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, bool | date):
        return value
    return cell_text(value)


def read_upload(file: bytes | IO[bytes], max_bytes: int) -> bytes:
    """The upload's bytes, refusing an empty one or one over ``max_bytes`` (read no further)."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise WorkbookError(f"文件过大，请不要超过 {_megabytes(max_bytes)} MB；数据较多时请拆分成几个文件分批导入")
    if not data:
        raise WorkbookError("上传的文件是空的，请选择填写好的 Excel 或 CSV 文件")
    return data


def table_kind(data: bytes) -> str:
    """"xlsx", "xls" or "csv" by the file's first bytes; WorkbookError (Chinese) for anything else."""
    from .uploads import sniff_spreadsheet

    kind = sniff_spreadsheet(data[:_CSV_SAMPLE])
    if kind is None:
        raise WorkbookError(MSG_NOT_TABLE)
    return kind


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "xl/workbook.xml" not in archive.namelist() and not any(
                    name.endswith("workbook.xml") for name in archive.namelist()):
                raise WorkbookError(MSG_BROKEN)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        if isinstance(exc, WorkbookError):
            raise
        raise WorkbookError(MSG_BROKEN) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError("文件解压后的内容过大，请删除多余的工作表、图片或格式后重新上传")


class HeaderNotFound(WorkbookError):
    """No sheet has a header row the caller accepts. ``sheets`` lists the sheets looked at (none for a
    CSV); ``first_row`` is the first non-empty row of the first of them, for the caller's message."""

    def __init__(self, sheets: list[str], first_row: list[str]) -> None:
        self.sheets, self.first_row = sheets, first_row
        where = "、".join(f"“{name}”" for name in sheets)
        super().__init__(f"在工作表{where}中找不到表头" if sheets else "文件中找不到表头")


@dataclass
class Table:
    """One sheet of an upload, positioned after its header row.

    ``sheet`` is the sheet's name ("" for a CSV file) and ``label`` the words that name it in a
    message (“工作表“会员名册””, “CSV 文件”). ``rows()`` yields (row number as Excel shows it, cell
    values by 0-based column) for every non-empty row below the header; ``issues`` holds the cells
    that could not be read ((row, column) → Chinese reason) and ``merges`` the merged ranges
    (min_col, min_row, max_col, max_row; columns 0-based, rows as shown)."""

    kind: str
    sheet: str
    header_row: int
    header: list[str]
    height: int  # the last row number the sheet spans
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    issues: dict[tuple[int, int], str] = field(default_factory=dict)
    stopped_early: bool = False
    _source: Iterator[tuple[int, list[Any]]] | None = None

    @property
    def label(self) -> str:
        return f"工作表“{self.sheet}”" if self.sheet else "CSV 文件"

    def rows(self, *, stop_after_empty: int = 1000) -> Iterator[tuple[int, list[Any]]]:
        """Non-empty rows after the header; stops (``stopped_early``) after ``stop_after_empty`` empty
        rows in a row, so a sheet formatted down to row 1,048,576 costs no more than its data."""
        last = self.header_row
        for number, cells in self._source or ():
            if number - last > stop_after_empty:
                self.stopped_early = True
                return
            last = number
            yield number, cells


def open_table(file: bytes | IO[bytes], *, accept: Callable[[list[Any]], bool], prefer_sheet: str | None = None,
               skip_sheets: Sequence[str] = (), search_rows: int = 10, max_bytes: int = 5 * 1024 * 1024) -> Table:
    """Open an upload (.xlsx, .xls or CSV, told apart by content) on the sheet whose header the caller
    ``accept``s: the first ``search_rows`` non-empty rows of each visible sheet are offered in turn
    (the one named ``prefer_sheet`` first, those in ``skip_sheets`` — a template's notes — last), so
    a cover page or a title row above the header is passed over. Cell values are ``cell_value``s.

    Raises WorkbookError (Chinese) when the file is not a readable table, is larger than
    ``max_bytes``, or HeaderNotFound when no sheet has an accepted header.
    """
    data = read_upload(file, max_bytes)
    kind = table_kind(data)
    if kind == "csv":
        return _open_csv(data, accept=accept, search_rows=search_rows)
    if kind == "xlsx":
        _check_archive(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises its own zoo (CalamineError, XmlError, ZipError, PasswordError …)
        raise WorkbookError(MSG_BROKEN if kind == "xlsx" else MSG_OLE_BROKEN) from None
    try:
        names = [m.name for m in book.sheets_metadata
                 if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
    except Exception:
        names = list(book.sheet_names)
    if not names:
        raise WorkbookError("文件中没有工作表")
    names.sort(key=lambda n: (n.strip() != (prefer_sheet or "\0"), n.strip() in skip_sheets))
    first_row: list[str] = []
    for name in names:
        try:
            sheet = book.get_sheet_by_name(name)
            start_row, start_col = sheet.start or (0, 0)
            rows = sheet.iter_rows()
        except Exception:
            raise WorkbookError(f"工作表“{name}”已损坏，无法读取，请在 Excel 中打开并重新保存后上传") from None
        issues: dict[tuple[int, int], str] = {}
        flagged: set[int] = set()  # rows with an unreadable cell: not empty even if every value is ""
        source = _numbered(rows, start_row, start_col, issues, flagged)
        for _ in range(search_rows):
            found = next(source, None)
            if found is None:
                break
            number, cells = found
            if not first_row:
                first_row = [cell_text(c) for c in cells]
            if accept(cells):
                end = sheet.end or (start_row, start_col)
                table = Table(kind=kind, sheet=name.strip(), header_row=number, header=[cell_text(c) for c in cells],
                              height=end[0] + 1, issues=issues, _source=source)
                table.merges = [(c1, r1 + 1, c2, r2 + 1) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
                                if r2 + 1 > number]
                if kind == "xlsx":
                    found_issues = _xlsx_issues(data, name=name)
                    issues.update(found_issues)
                    flagged.update(row for row, _ in found_issues)
                return table
    raise HeaderNotFound([n.strip() for n in names], first_row)


def _numbered(rows: Iterable[list[Any]], start_row: int, start_col: int,
              issues: dict[tuple[int, int], str], flagged: set[int]) -> Iterator[tuple[int, list[Any]]]:
    """Rows as (number as shown, values by absolute 0-based column), empty rows left out. A number
    Excel has rounded becomes "" and an issue."""
    pad = [""] * start_col
    for offset, raw in enumerate(rows):
        number = start_row + offset + 1
        cells: list[Any] = []
        append = cells.append
        for index, value in enumerate(raw):
            if value.__class__ is str:  # most cells: skip cell_value's type tests
                append(clean_cell(value) if value else "")
            elif isinstance(value, float) and abs(value) >= _EXACT_FLOAT_LIMIT:
                issues[(number, start_col + index)] = MSG_ROUNDED
                flagged.add(number)
                append("")
            else:
                append(cell_value(value))
        if cells.count("") == len(cells) and number not in flagged:
            continue
        yield number, (pad + cells if pad else cells)


# --- CSV ---

def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's “Unicode 文本”), else GB18030 (a superset
    of GBK and GB2312: what Excel and WPS write on a Chinese Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkbookError("CSV 文件的编码无法识别，请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV（UTF-8）后重新上传")


_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)  # ="0123": how some systems force text into a CSV


def _open_csv(data: bytes, *, accept: Callable[[list[Any]], bool], search_rows: int) -> Table:
    text = _decode_csv(data)
    if "\x00" in text:
        raise WorkbookError(MSG_NOT_TABLE)
    first_line = text[:4096].split("\n", 1)[0]
    delimiter = max([",", "\t", ";", "，"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for raw in reader:
                cells = [clean_cell(_EXCEL_TEXT.sub(r"\1", v)) if v else "" for v in raw]
                if any(cells):
                    yield reader.line_num, cells
        except csv.Error:
            raise WorkbookError(f"CSV 文件第 {reader.line_num} 行格式不正确（引号不成对？），请在 Excel 中打开并"
                                "另存为 Excel 工作簿（.xlsx）后重新上传") from None

    source = numbered()
    first_row: list[str] = []
    for _ in range(search_rows):
        found = next(source, None)
        if found is None:
            break
        number, cells = found
        first_row = first_row or cells
        if accept(cells):
            return Table(kind="csv", sheet="", header_row=number, header=cells, height=text.count("\n") + 1,
                         _source=source)
    raise HeaderNotFound([], first_row)


# --- What calamine does not say: error cells, formulas without a result ---

_ISSUE_HINT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]|\st\s*=\s*[\"']e[\"']")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)", re.S)
_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"']")
_ERROR_TYPE = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>([^<]+)</")
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*)>")
_RELATION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*[\"']([^\"']*)[\"']")


def _sheet_member(archive: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the sheet called ``name`` (workbook.xml → its relationships)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = {}
    for match in _RELATION.finditer(rels):
        attrs = {k.rsplit(b":", 1)[-1]: v for k, v in _ATTR.findall(match.group(1))}
        targets[attrs.get(b"Id")] = attrs.get(b"Target", b"").decode("utf-8", "replace")
    for match in _SHEET_TAG.finditer(workbook):
        attrs = {k.rsplit(b":", 1)[-1]: v for k, v in _ATTR.findall(match.group(1))}
        if html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace")) == name:
            target = targets.get(attrs.get(b"id"))
            if target:
                return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return None


def _xlsx_issues(data: bytes, *, name: str) -> dict[tuple[int, int], str]:
    issues: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = _sheet_member(archive, name)
        if member is None:
            return issues
        try:
            source = archive.open(member)
        except KeyError:
            return issues
        with source:
            tail = b""
            while True:
                chunk = source.read(1 << 22)
                block = tail + chunk
                if chunk:
                    cut = block.rfind(b"row>")  # rows are complete up to the last </row>
                    if cut < 0:
                        tail = block[-(64 << 20):]
                        continue
                    block, tail = block[:cut + 4], block[cut + 4:]
                if _might_have_issues(block):
                    _scan_cells(block, issues)
                if not chunk:
                    break
    return issues


def _might_have_issues(block: bytes) -> bool:
    # Plain substring tests (memchr-fast) before any regular expression: most sheets have neither.
    # A single byte is found with memchr, far faster than a two-byte pattern.
    formula = b"f" in block and (b"f>" in block or b"<f " in block or b":f " in block)
    error = b"e" in block and (b't="e"' in block or b"t='e'" in block)
    return (formula or error) and bool(_ISSUE_HINT.search(block))


def _scan_cells(block: bytes, issues: dict[tuple[int, int], str]) -> None:
    for match in _CELL.finditer(block):
        attrs, inner = match.group(1), match.group(2) or b""
        is_error = bool(_ERROR_TYPE.search(attrs))
        if not is_error and not _FORMULA.search(inner):
            continue
        ref = _REF.search(attrs)
        if ref is None:
            continue
        column = _column_index(ref.group(1).decode())
        row = int(ref.group(2))
        value = _VALUE.search(inner)
        if is_error:
            shown = html.unescape(value.group(1).decode("utf-8", "replace")) if value else "#VALUE!"
            issues[(row, column)] = f"单元格是错误值 {shown}，请改为正确的内容"
        elif value is None:
            issues[(row, column)] = MSG_FORMULA


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


# --- Reading a whole table by header (the union/employer import) ---


@dataclass
class Sheet:
    """What ``read_table`` read: the sheet's name ("" for CSV), its label for messages, the rows."""

    sheet: str
    label: str
    rows: list[SheetRow]


def read_table(file: bytes | IO[bytes], *, expected_headers: Sequence[str], optional_headers: Sequence[str] = (),
               sheet: str | None = None, max_rows: int = 5000, max_bytes: int = 5 * 1024 * 1024,
               stop_after_empty: int = 100) -> Sheet:
    """Read an uploaded table (.xlsx, .xls or CSV): a header row, then one record per row.

    * The sheet is the one whose header row (within its first 10 non-empty rows) has every
      ``expected_headers``, the one named ``sheet`` first: a cover page or a title row is skipped.
      Columns are found by their header text, in any order; ``optional_headers`` are read when
      present, any other column is ignored.
    * Cells are read as values (a formula gives its last computed result; one without a stored
      result, an error value, a number Excel rounded and a merged cell other than its top-left one
      are reported as CellIssues), normalized by ``cell_text``.
    * Empty rows are skipped; reading stops after ``stop_after_empty`` empty rows in a row.

    Raises WorkbookError (Chinese message, naming the sheet) when the file is not a readable table,
    is larger than ``max_bytes``, lacks expected headers or has more than ``max_rows`` data rows.
    """
    wanted = {_header_key(name): name for name in [*expected_headers, *optional_headers]}
    needed = {_header_key(name) for name in expected_headers}

    def accept(cells: list[Any]) -> bool:
        return needed <= {_header_key(c) for c in cells[:_HEADER_SCAN_COLUMNS]}

    try:
        table = open_table(file, accept=accept, prefer_sheet=sheet, max_bytes=max_bytes, search_rows=10)
    except HeaderNotFound as exc:
        present = {_header_key(c) for c in exc.first_row}
        missing = [name for name in expected_headers if _header_key(name) not in present]
        looked = ("，已查看工作表" + "、".join(f"“{name}”" for name in exc.sheets)) if exc.sheets else ""
        raise WorkbookError(
            "表头不正确，缺少以下列：" + "、".join(missing) + "。第1行应为表头：" + "、".join(expected_headers)
            + looked + "。请使用下载的导入模板填写") from None
    except WorkbookError:
        raise
    except Exception:
        raise WorkbookError("文件内容已损坏，无法读取，请在 Excel 中打开并重新保存后上传") from None
    positions: dict[str, int] = {}
    for index, value in enumerate(table.header[:_HEADER_SCAN_COLUMNS]):
        key = _header_key(value)
        if key in wanted:
            name = wanted[key]
            if name in positions:
                raise WorkbookError(f"{table.label}的表头中“{name}”出现了不止一次，请删除重复的列")
            positions[name] = index
    width = max(positions.values()) + 1
    merged = [r for r in table.merges if r[0] < width]
    by_index = {index: name for name, index in positions.items()}
    rows: list[SheetRow] = []
    scan_limit = table.header_row + 2 * max_rows + stop_after_empty
    try:
        for number, cells in table.rows(stop_after_empty=stop_after_empty):
            if number > scan_limit:
                raise WorkbookError(f"{table.label}中空行过多，请删除数据之间和末尾的空行后重新上传")
            values: dict[str, str] = {name: "" for name in wanted.values()}
            issues: list[CellIssue] = []
            filled = False
            for index, name in by_index.items():
                raw = cells[index] if index < len(cells) else ""
                issue = table.issues.get((number, index))
                if issue:
                    issues.append(CellIssue(number, name, issue))
                    filled = True
                    continue
                text = cell_text(raw)
                values[name] = text
                filled = filled or bool(text)
            if not filled:
                continue
            for min_col, min_row, max_col, max_row in merged:
                if not min_row <= number <= max_row:
                    continue
                label = f"{get_column_letter(min_col + 1)}{min_row}:{get_column_letter(max_col + 1)}{max_row}"
                for index, name in by_index.items():
                    if min_col <= index <= max_col and (number, index) != (min_row, min_col):
                        issues.append(CellIssue(number, name, f"单元格位于合并单元格 {label} 中，"
                                                              "只有左上角的格子有内容。请取消合并，并在每一行分别填写"))
            if len(rows) >= max_rows:
                raise WorkbookError(f"一次最多导入 {max_rows} 行数据，请拆分成几个文件分批导入")
            rows.append(SheetRow(number=number, values=values, issues=tuple(issues)))
    except WorkbookError:
        raise
    except Exception:
        raise WorkbookError(f"{table.label}的内容已损坏，无法读取，请在 Excel 中打开并重新保存后上传") from None
    return Sheet(sheet=table.sheet, label=table.label, rows=rows)


def read_rows(file: bytes | IO[bytes], **kwargs: Any) -> list[SheetRow]:
    """``read_table``'s rows alone."""
    return read_table(file, **kwargs).rows
