"""Roster import (花名册导入): the template, the dry run and the commit.

The flow, one ``RosterImport`` row per upload:

    roster_upload   → uploaded   the file is kept (MEDIA_ROOT/imports/…) until it has been checked
    roster_check    → checked    every row validated; the report (row, column, Chinese message) is
                                 stored on the job; the valid rows are staged, encrypted, and the
                                 uploaded file is deleted
    roster_commit   → done       all staged rows written in ONE transaction, set-based

Why stage instead of reading the file again at commit: reading and validating is most of the work;
doing it once keeps the commit transaction short (on SQLite it holds the only write lock), and no
plaintext file with ID numbers stays on disk after the check. What can change between check and
commit (someone joined meanwhile, an employer was moved) lives in the database, and the commit
checks those facts again inside its transaction.

Progress: the check reports progress (``processed_rows``) as it goes, because it is not one
transaction. The commit is one transaction, so a progress counter written inside it would not be
visible to the page polling it until the very end; the page shows "导入中" (the status is set before
the transaction starts) and then the result. Both run as Celery tasks (members/tasks.py), inline
when no broker is configured.

The workbook reader below streams the sheet XML itself instead of going through openpyxl: openpyxl
needs ~0.3 ms per row here, too slow for the 5,000 rows/s target on 100,000-row rosters. It reads
the same things the safe reader in lib/excel.py does (cached formula results, merged cells, error
values, Excel date cells, numbers that lost digits) and refuses the same malformed files.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.scope import DATA_ROLES, WRITE_ROLES, scope_of
from gonghui.lib import crypto
from gonghui.lib.excel import write_template
from gonghui.lib.idcard import InvalidIdNumber, parse_id_number
from gonghui.lib.phone import InvalidPhone, normalize_phone
from gonghui.lib.text import compact
from gonghui.lib.uscc import InvalidCreditCode, normalize_uscc
from gonghui.unions.models import Employer, Union

from ..models import (
    Education,
    EmploymentForm,
    GigOccupation,
    HardshipLevel,
    Household,
    ImportStatus,
    Member,
    MembershipHistory,
    MemberStatus,
    ModelWorkerLevel,
    RosterImport,
)

logger = logging.getLogger("gonghui.members.roster")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # a compressed upload may unpack to far more than it weighs
MAX_ERRORS = 1000  # errors kept on the job; the count of rows with errors is always exact
STOP_AFTER_EMPTY = 1000  # a sheet "formatted" down to row 1,048,576 ends where its data ends
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row ("某某公司工会会员花名册")
MIN_AGE = 16
PROGRESS_EVERY = 2000
SHEET_TITLE = "会员名册"
NOTES_TITLE = "填写说明"
TEMPLATE_FILENAME = "会员花名册导入模板.xlsx"


# --- Columns -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str
    aliases: tuple[str, ...] = ()


def _labels(choices: Iterable[tuple[Any, str]]) -> str:
    return "、".join(label for _, label in choices)


_GIG_LABELS = _labels(GigOccupation.choices)
_FORM_LABELS = _labels(EmploymentForm.choices)
_CHOICE_LABELS = {
    "education": _labels(Education.choices), "household": _labels(Household.choices),
    "model_worker": _labels(ModelWorkerLevel.choices), "hardship": _labels(HardshipLevel.choices),
}


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, "与身份证一致，不超过50字", ("职工姓名", "会员姓名")),
    Column("id_number", "身份证号码", True,
           "18位居民身份证号码（15位旧号码会自动升级）。全角数字、空格和小写x会自动纠正；"
           "请把该列设为“文本”格式，否则 Excel 会把号码变成科学计数法。性别、出生日期由号码推算",
           ("身份证号", "身份证", "公民身份号码", "证件号码")),
    Column("phone", "手机号码", False, "11位中国大陆手机号；可留空", ("手机号", "手机", "联系电话", "联系方式")),
    Column("employer", "工作单位", False,
           "单位名称或18位统一社会信用代码，须是本工会或下级工会已登记的企业/单位。填写后会员登记在该单位"
           "所属的工会，否则登记在导入时选择的工会。新就业形态劳动者可留空",
           ("工作单位名称", "单位名称", "所在单位", "用工单位", "工作单位统一社会信用代码")),
    Column("employment_form", "就业形态", False,
           f"{_labels(EmploymentForm.choices)} 之一；留空时，填了新就业形态职业的为新就业形态劳动者，否则为单位职工"),
    Column("gig_occupation", "新就业形态职业", False,
           f"{_labels(GigOccupation.choices)} 之一；新就业形态劳动者必填，单位职工请留空", ("职业",)),
    Column("education", "学历", False, f"{_labels(Education.choices)} 之一；可留空", ("文化程度",)),
    Column("household", "户籍类型", False, f"{_labels(Household.choices)} 之一；农业户口的职工计为农民工；可留空",
           ("户口性质", "户籍性质", "户口类型")),
    Column("join_date", "入会日期", False,
           "如 2024-03-01、2024/3/1、2024.3.1、20240301、2024年3月1日，或 Excel 日期；不能晚于今天；留空为导入当天",
           ("入会时间",)),
    Column("model_worker", "劳模", False, f"{_labels(ModelWorkerLevel.choices)} 之一；不是劳模请留空", ("劳模级别",)),
    Column("craftsman", "工匠", False, "是 或 否；留空为否", ("是否工匠",)),
    Column("hardship", "困难职工", False, f"{_labels(HardshipLevel.choices)} 之一；不是困难职工请留空",
           ("困难类型", "困难职工类型")),
    Column("representative", "职工代表", False, "是 或 否；留空为否", ("是否职工代表",)),
)
HEADERS = tuple(c.header for c in COLUMNS)
_K = {c.key: i for i, c in enumerate(COLUMNS)}
_HEADER_OF = {c.key: c.header for c in COLUMNS}


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(ch for ch in text if not ch.isspace()).strip("*").replace("（必填）", "").replace("(必填)", "")


_HEADER_WORDS: dict[str, int] = {}
for _index, _column in enumerate(COLUMNS):
    for _word in (_column.header, *_column.aliases):
        _HEADER_WORDS[_header_key(_word)] = _index


# --- Template ------------------------------------------------------------------------------------------

_EXAMPLE_IDS = ("630102199003071236", "630102199506112345")
EXAMPLES = (
    ("张三", _EXAMPLE_IDS[0], "13900000000", "某某科技有限公司", "单位职工", "", "本科", "非农业户口", "2024-03-01",
     "", "否", "", "否"),
    ("李四", _EXAMPLE_IDS[1], "13900000001", "", "新就业形态劳动者", "外卖送餐员", "高中/中专/技校", "农业户口",
     "2024/3/1", "", "否", "一般困难", "否"),
)


def template_build() -> bytes:
    """The fill-in template: header, two grey example rows, drop-downs, and a 填写说明 sheet."""
    notes: list[tuple[str, str, str]] = [(c.header, "必填" if c.required else "选填", c.note) for c in COLUMNS]
    notes += [
        ("（通用）", "", "第1行是表头，请勿修改；灰色的示例行导入前请删除（不删除也不会被导入）。"),
        ("（通用）", "", "每行一人，中间不要留空行；不要合并单元格；公式请改为直接填写内容。"),
        ("（通用）", "", f"一次最多导入 {MAX_ROWS} 行，文件不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，"
                        "请保存为 Excel 工作簿（.xlsx）。"),
        ("（通用）", "", "上传后系统先逐行检查并列出问题（行号、列、原因），确认后一次性导入所有检查通过的行，"
                        "有问题的行不会导入。"),
        ("（通用）", "", "已是本工会会员的（按身份证号码识别）会更新其信息；已是其他工会会员的不能导入，"
                        "请办理会籍转移。"),
    ]
    choices = {
        _K["employment_form"]: EmploymentForm.labels, _K["gig_occupation"]: GigOccupation.labels,
        _K["education"]: Education.labels, _K["household"]: Household.labels,
        _K["model_worker"]: ModelWorkerLevel.labels, _K["craftsman"]: ["是", "否"],
        _K["hardship"]: HardshipLevel.labels, _K["representative"]: ["是", "否"],
    }
    return write_template(title=SHEET_TITLE, header=HEADERS, examples=EXAMPLES, notes=notes, notes_title=NOTES_TITLE,
                          text_columns=[_K["id_number"], _K["phone"], _K["join_date"]], choices=choices,
                          widths=[10, 22, 14, 30, 18, 16, 16, 12, 12, 10, 8, 10, 10])


# --- Reading the workbook --------------------------------------------------------------------------------
# Spreadsheet XML is machine-written and regular; it is scanned with byte-level splits and anchored
# regular expressions (no backtracking-prone patterns), never with an entity-expanding XML parser.

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-protected .xlsx
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REL = re.compile(rb"<" + _NS + rb"Relationship\b([^>]*)>")
_SHEET = re.compile(rb"<" + _NS + rb"sheet\b([^>]*)>")
_DATE1904 = re.compile(rb"<" + _NS + rb"workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']")
_NUMFMT = re.compile(rb"<" + _NS + rb"numFmt\b([^>]*)>")
_XF = re.compile(rb"<" + _NS + rb"xf\b([^>]*)>")
_CELLXFS = re.compile(rb"<" + _NS + rb"cellXfs\b.*?</" + _NS + rb"cellXfs>", re.S)
_T = re.compile(rb"<" + _NS + rb"t(?:\s[^>]*)?>([^<]*)</" + _NS + rb"t>")
_RPH = re.compile(rb"<" + _NS + rb"rPh\b.*?</" + _NS + rb"rPh>", re.S)
_V = re.compile(rb"<" + _NS + rb"v(?:\s[^>]*)?>([^<]*)</" + _NS + rb"v>")
_F = re.compile(rb"<" + _NS + rb"f\b")
_ROW_R = re.compile(rb"\sr\s*=\s*[\"'](\d+)")
_FAST_ATTRS = re.compile(rb'\s*r="([A-Z]{1,3})[0-9]+"(?:\s+s="([0-9]+)")?(?:\s+t="([A-Za-z]+)")?\s*/?')
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)")
_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DIMENSION = re.compile(rb"<" + _NS + rb"dimension\b[^>]*\bref\s*=\s*[\"'][A-Z]*\d*:?[A-Z]*(\d+)[\"']")
_MERGE = re.compile(rb"<" + _NS + rb"mergeCell\b[^>]*\bref\s*=\s*[\"']([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?")
# Built-in number formats that are dates: 14–22 and 45–47 everywhere, 27–36 and 50–58 in the
# Chinese, Japanese and Korean editions of Excel (yyyy"年"m"月"d"日" and friends).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DATE_CODE = re.compile(r"[dmyhs]", re.I)
_EXACT_FLOAT_LIMIT = 10 ** 15  # Excel keeps 15 significant digits
_CHUNK = 1 << 22

_MSG_NOT_XLSX = ("上传的文件不是 Excel（.xlsx）文件。请下载导入模板，在 Excel 或 WPS 中填写并保存为 .xlsx 格式后上传"
                 "（不支持 CSV、文本文件或改了扩展名的文件）")
TOO_BIG_MESSAGE = f"文件过大，请不要超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB；数据较多时请拆分成几个文件分批导入"
_MSG_BROKEN = "文件已损坏，或不是有效的 Excel（.xlsx）文件，请在 Excel 中打开并重新保存后上传"


class RosterFileError(ValidationFailed):
    """The upload cannot be read as a roster; the message says why, in Chinese."""

    code = "bad_workbook"


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {key.rsplit(b":", 1)[-1]: (a if a or not b else b) for key, a, b in _ATTR.findall(raw)}


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _XESC.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


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


def _open_package(data: bytes) -> zipfile.ZipFile:
    if not data:
        raise RosterFileError("上传的文件是空的，请选择填写好的 Excel 文件")
    if len(data) > MAX_UPLOAD_BYTES:
        raise RosterFileError(TOO_BIG_MESSAGE)
    if data.startswith(_OLE_MAGIC):
        raise RosterFileError("这是旧版 Excel（.xls）文件或设置了打开密码的文件，无法读取。"
                              "请在 Excel 中取消密码并“另存为”Excel 工作簿（.xlsx）后重新上传")
    if not data.startswith(_ZIP_MAGIC):
        raise RosterFileError(_MSG_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise RosterFileError(_MSG_BROKEN) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterFileError("文件解压后的内容过大，请删除多余的工作表、图片或格式后重新上传")
    return archive


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        return None


def _rels(archive: zipfile.ZipFile, part: str) -> dict[bytes, dict[bytes, bytes]]:
    folder, base = posixpath.split(part)
    raw = _part(archive, posixpath.join(folder, "_rels", base + ".rels")) or b""
    found = {}
    for match in _REL.finditer(raw):
        attrs = _attrs(match.group(1))
        if b"Id" in attrs:
            found[attrs[b"Id"]] = attrs
    return found


def _target(base_part: str, target: bytes) -> str:
    text = target.decode("utf-8", "replace")
    if text.startswith("/"):
        return text.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), text))


@dataclass
class _Book:
    sheet_path: str
    shared: list[str]
    date_styles: frozenset[int]
    date1904: bool


def _load_book(archive: zipfile.ZipFile) -> _Book:
    workbook = "xl/workbook.xml"
    for rel in _rels(archive, "").values():
        if rel.get(b"Type", b"").endswith(b"/officeDocument"):
            workbook = _target("", rel.get(b"Target", b""))
    raw = _part(archive, workbook)
    if raw is None:
        raise RosterFileError(_MSG_BROKEN)
    rels = _rels(archive, workbook)
    sheets: list[tuple[str, str]] = []
    for match in _SHEET.finditer(raw):
        attrs = _attrs(match.group(1))
        rel = rels.get(attrs.get(b"id", b""))
        if rel is None or attrs.get(b"state", b"visible") != b"visible":
            continue
        sheets.append((_text(attrs.get(b"name", b"")), _target(workbook, rel.get(b"Target", b""))))
    if not sheets:
        raise RosterFileError("文件中没有工作表")
    chosen = next((path for name, path in sheets if name.strip() == SHEET_TITLE), None)
    if chosen is None:
        chosen = next((path for name, path in sheets if name.strip() != NOTES_TITLE), sheets[0][1])
    shared: list[str] = []
    date_styles: frozenset[int] = frozenset()
    for rel in rels.values():
        kind = rel.get(b"Type", b"")
        if kind.endswith(b"/sharedStrings"):
            shared = _shared_strings(_part(archive, _target(workbook, rel.get(b"Target", b""))) or b"")
        elif kind.endswith(b"/styles"):
            date_styles = _date_styles(_part(archive, _target(workbook, rel.get(b"Target", b""))) or b"")
    return _Book(sheet_path=chosen, shared=shared, date_styles=date_styles, date1904=bool(_DATE1904.search(raw)))


def _shared_strings(raw: bytes) -> list[str]:
    found = re.search(rb"<(" + _NS + rb")sst\b", raw)
    prefix = found.group(1) if found else b""
    strings = []
    for piece in raw.split(b"</" + prefix + b"si>")[:-1]:
        start = piece.rfind(b"<" + prefix + b"si")
        body = piece[piece.find(b">", start) + 1:] if start >= 0 else piece
        if b"<" + prefix + b"rPh" in body:
            body = _RPH.sub(b"", body)
        strings.append(_text(b"".join(_T.findall(body))))
    return strings


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)
    return bool(_DATE_CODE.search(code)) and "General" not in code


def _date_styles(raw: bytes) -> frozenset[int]:
    custom = {}
    for match in _NUMFMT.finditer(raw):
        attrs = _attrs(match.group(1))
        try:
            custom[int(attrs.get(b"numFmtId", b"-1"))] = _text(attrs.get(b"formatCode", b""))
        except ValueError:
            continue
    section = _CELLXFS.search(raw)
    styles = set()
    for index, match in enumerate(_XF.finditer(section.group(0) if section else b"")):
        try:
            fmt = int(_attrs(match.group(1)).get(b"numFmtId", b"0"))
        except ValueError:
            continue
        if fmt in custom:
            if _is_date_code(custom[fmt]):
                styles.add(index)
        elif fmt in _DATE_FORMAT_IDS:
            styles.add(index)
    return frozenset(styles)


def _serial_date(serial: float, date1904: bool) -> date | None:
    if not 0 < serial < 2958466:
        return None
    start = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)  # noqa: DTZ001 - a calendar date
    return (start + timedelta(days=int(serial))).date()


@dataclass
class SheetRow:
    number: int
    values: dict[int, Any]  # column index → str | date | bool
    issues: dict[int, str]  # column index → why the cell could not be read


class _SheetScanner:
    """Streams the rows of one worksheet. ``wanted`` (column index → True) limits what is converted
    once the header is known; ``merges`` is filled when the sheet has been read to its end."""

    def __init__(self, archive: zipfile.ZipFile, book: _Book) -> None:
        self.archive = archive
        self.book = book
        try:
            self.size = max(archive.getinfo(book.sheet_path).file_size, 1)
        except KeyError:
            raise RosterFileError(_MSG_BROKEN) from None
        self.consumed = 0
        self.wanted: frozenset[int] | None = None
        self.merges: list[tuple[int, int, int, int]] = []  # min_col, min_row, max_col, max_row (0-based cols)
        self.dimension_rows: int | None = None
        self.stopped_early = False
        self._letters: dict[bytes, int] = {}

    def rows(self) -> Iterator[SheetRow]:
        last_filled = 1
        tail = b""
        buffer = b""
        prefix = None
        in_data = True
        try:
            with self.archive.open(self.book.sheet_path) as source:
                while True:
                    chunk = source.read(_CHUNK)
                    self.consumed += len(chunk)
                    if not in_data:
                        tail = (tail + chunk)[-(8 << 20):]
                        if not chunk:
                            break
                        continue
                    buffer += chunk
                    if prefix is None:
                        found = re.search(rb"<(" + _NS + rb")worksheet\b", buffer[:4096])
                        prefix = found.group(1) if found else b""
                        dimension = _DIMENSION.search(buffer[:8192])
                        if dimension:
                            self.dimension_rows = int(dimension.group(1))
                    end = buffer.find(b"</" + prefix + b"sheetData>")
                    if end >= 0:
                        ready, tail, in_data = buffer[:end], buffer[end:], False
                        buffer = b""
                    elif not chunk:
                        ready, buffer = buffer, b""
                        tail = ready[-(8 << 20):]
                    else:
                        cut = buffer.rfind(b"<" + prefix + b"row")
                        if cut <= 0:
                            if len(buffer) > 64 * _CHUNK:
                                raise RosterFileError(_MSG_BROKEN)
                            continue
                        ready, buffer = buffer[:cut], buffer[cut:]
                    for row in self._parse(ready, prefix):
                        if row.number - last_filled > STOP_AFTER_EMPTY:
                            self.stopped_early = True
                            return
                        last_filled = row.number
                        yield row
                    if not chunk:
                        break
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            raise RosterFileError(_MSG_BROKEN) from None
        for match in _MERGE.finditer(tail):
            c1, r1, c2, r2 = match.groups()
            c2, r2 = c2 or c1, r2 or r1
            self.merges.append((column_index(c1.decode()), int(r1), column_index(c2.decode()), int(r2)))

    def _parse(self, ready: bytes, prefix: bytes) -> Iterator[SheetRow]:
        cell_pattern = _cell_pattern(prefix)
        row_tag = b"<" + prefix + b"row"
        number = 0
        pieces = ready.split(row_tag)
        for piece in pieces[1:]:
            if piece[:1] not in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
                continue  # <rowBreaks> and the like
            head_end = piece.find(b">")
            found = _ROW_R.search(piece, 0, head_end if head_end >= 0 else len(piece))
            number = int(found.group(1)) if found else number + 1
            if head_end < 0 or piece[head_end - 1:head_end] == b"/":
                continue  # <row …/>: an empty (formatted) row
            values: dict[int, Any] = {}
            issues: dict[int, str] = {}
            position = -1
            for attrs, inner in cell_pattern.findall(piece, head_end):
                fast = _FAST_ATTRS.fullmatch(attrs)
                if fast:
                    letters, style, kind = fast.groups()
                    index = self._letters.get(letters)
                    if index is None:
                        index = self._letters[letters] = column_index(letters.decode())
                else:
                    parsed = _attrs(attrs)
                    ref = _CELL_REF.match(parsed.get(b"r", b"").decode("ascii", "replace"))
                    index = column_index(ref.group(1)) if ref else position + 1
                    style, kind = parsed.get(b"s"), parsed.get(b"t")
                position = index
                if not inner or (self.wanted is not None and index not in self.wanted):
                    continue
                value, issue = self._value(kind, style, inner)
                if issue:
                    issues[index] = issue
                elif value is not None and value != "":
                    values[index] = value
            if values or issues:
                yield SheetRow(number, values, issues)

    def _value(self, kind: bytes | None, style: bytes | None, inner: bytes) -> tuple[Any, str | None]:
        if kind == b"inlineStr":
            body = _RPH.sub(b"", inner) if b"rPh" in inner else inner
            return _text(b"".join(_T.findall(body))), None
        found = _V.search(inner)
        if found is None:
            if _F.search(inner):
                return None, "单元格是公式，但文件中没有保存计算结果。请在 Excel 中打开并保存后重新上传，或直接填写内容"
            return None, None
        raw = found.group(1)
        if kind == b"s":
            try:
                return self.book.shared[int(raw)], None
            except (ValueError, IndexError):
                return None, "单元格内容已损坏，请重新填写"
        if kind in (b"str", b"d"):
            return _text(raw), None
        if kind == b"b":
            return raw.strip() in (b"1", b"true"), None
        if kind == b"e":
            return None, f"单元格是错误值 {_text(raw)}，请改为正确的内容"
        text = raw.decode("ascii", "replace").strip()
        if style and int(style) in self.book.date_styles:
            try:
                day = _serial_date(float(text), self.book.date1904)
            except ValueError:
                day = None
            if day is not None:
                return day, None
        if text.isdigit():
            if len(text) > 15:
                return None, "数字位数过多，Excel 已将其四舍五入。请把该列设置为“文本”格式后重新填写"
            return text, None
        try:
            number = float(text)
        except ValueError:
            return text, None
        if abs(number) >= _EXACT_FLOAT_LIMIT:
            return None, "数字位数过多，Excel 已将其四舍五入。请把该列设置为“文本”格式后重新填写"
        return (str(int(number)) if number.is_integer() else repr(number)), None

    @property
    def estimated_rows(self) -> int:
        return int(self.dimension_rows or 0)


@lru_cache(maxsize=8)
def _cell_pattern(prefix: bytes) -> re.Pattern[bytes]:
    # [^<]* runs are matched in C; "<" not starting "</c>" is stepped over one at a time.
    close = b"</" + prefix + b"c>"
    return re.compile(b"<" + prefix + rb"c\b([^>]*?)(?:/>|>([^<]*(?:<(?!/" + prefix + rb"c>)[^<]*)*)" + close + b")")


# --- Cell values ------------------------------------------------------------------------------------------


def _fold(value: Any) -> str:
    return compact(value).lower()


def _words(choices: Iterable[tuple[str, str]], extra: dict[str, str] | None = None) -> dict[str, str]:
    words = {_fold(value): value for value, _ in choices}
    words.update({_fold(label): value for value, label in choices})
    words.update({_fold(word): value for word, value in (extra or {}).items()})
    # the exact labels too, so that the common case needs no folding
    words.update({label: value for value, label in choices})
    return words


def _word(words: dict[str, str], text: str) -> str | None:
    found = words.get(text)
    return found if found is not None else words.get(_fold(text))


_FORM_WORDS = _words(EmploymentForm.choices, {
    "职工": "regular", "在职职工": "regular", "单位员工": "regular", "员工": "regular",
    "新就业形态": "gig", "新业态": "gig", "新就业形态劳动者": "gig", "新业态劳动者": "gig", "灵活就业": "gig"})
_GIG_WORDS = _words(GigOccupation.choices, {
    "快递小哥": "courier", "快递": "courier", "外卖员": "food_delivery", "外卖骑手": "food_delivery",
    "外卖配送员": "food_delivery", "网约车": "ride_hailing", "网约车驾驶员": "ride_hailing", "货车": "truck",
    "货车驾驶员": "truck", "货运司机": "truck", "网约配送": "online_delivery", "即时配送员": "online_delivery",
    "家政": "domestic", "家政服务": "domestic", "主播": "streamer", "网络主播": "streamer"})
_EDUCATION_WORDS = _words(Education.choices, {
    "小学": "primary", "文盲": "primary", "高中": "senior", "中专": "senior", "技校": "senior", "职高": "senior",
    "中技": "senior", "高职": "college", "专科": "college", "大学本科": "bachelor", "大学": "bachelor",
    "学士": "bachelor", "硕士": "postgraduate", "博士": "postgraduate", "硕士研究生": "postgraduate",
    "博士研究生": "postgraduate"})
_HOUSEHOLD_WORDS = _words(Household.choices, {
    "农业": "agricultural", "农村": "agricultural", "农村户口": "agricultural", "农业户籍": "agricultural",
    "非农业": "non_agricultural", "非农": "non_agricultural", "城镇": "non_agricultural",
    "城镇户口": "non_agricultural", "非农户口": "non_agricultural", "居民户口": "non_agricultural"})
_MODEL_WORDS = _words(ModelWorkerLevel.choices, {
    "全国": "national", "全国劳动模范": "national", "全国先进工作者": "national", "省级": "provincial",
    "省部级": "provincial", "省部级劳模": "provincial", "省劳模": "provincial", "省级劳动模范": "provincial",
    "市级": "city", "市劳模": "city", "地市级": "city", "市级劳动模范": "city"})
_HARDSHIP_WORDS = _words(HardshipLevel.choices, {
    "一般": "general", "深度": "serious", "特殊": "extreme", "困难": "general", "困难职工": "general",
    "特困": "extreme", "特困职工": "extreme"})
_NONE_WORDS = {"", "否", "无", "不是", "非", "n", "no", "false", "0", "×", "/", "-", "—"}
_YES_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_DATE_PATTERNS = (
    re.compile(r"(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


_LONG_NUMBER = re.compile(r"[0-9０-９]{6,}[0-9０-９xX]*")


def echo(value: Any, limit: int = 20) -> str:
    """A cell's text quoted back in a message (the report is stored): shortened, and a long run of
    digits — an ID number or phone typed into the wrong column — masked."""
    text = " ".join(str(value).split())
    text = _LONG_NUMBER.sub(lambda m: m.group(0)[:3] + "***", text)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_date(value: Any) -> date:
    """A date typed in any of the usual ways, or an Excel date cell. Raises ValueError (Chinese)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split()).lower()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise ValueError(f"日期“{echo(value)}”不存在，请核对") from None
    if text.isdigit() and 10000 <= int(text) <= 80000:  # an Excel date cell that lost its date format
        found = _serial_date(float(text), False)
        if found:
            return found
    raise ValueError(f"日期“{echo(value)}”无法识别，请写成 2024-03-01 或 2024年3月1日 的形式")


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "否" or value == "":
        return False
    if value == "是":
        return True
    word = _fold(value)
    if word in _YES_WORDS:
        return True
    if word in _NONE_WORDS:
        return False
    return None


@lru_cache(maxsize=200_000)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) exactly as members/pinyin.py computes them: the import writes rows
    without Member.save(), so it sets both itself.

    pypinyin reads a name character by character (each its first reading) unless some run of two
    or more characters is in its phrase dictionary; only then is the full, slower conversion needed.
    """
    name = name or ""
    syllables: list[str] | None = None
    for start in range(len(name) - 1):
        for end in range(start + 2, len(name) + 1):
            if name[start:end] in PHRASES_DICT:
                syllables = lazy_pinyin(name, errors="ignore")
                break
        if syllables is not None:
            break
    if syllables is None:
        syllables = [p for p in map(_char_pinyin, name) if p]
    return "".join(syllables).lower()[:120], "".join(s[:1] for s in syllables).lower()[:20]


@lru_cache(maxsize=30_000)
def _char_pinyin(char: str) -> str:
    return "".join(lazy_pinyin(char, errors="ignore"))


# --- Checking rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


# A checked row, as staged between the check and the commit (a list, for compact JSON).
(R_ROW, R_NAME, R_ID, R_ID_INDEX, R_PHONE, R_PHONE_INDEX, R_GENDER, R_BIRTH, R_EMPLOYER, R_FORM, R_GIG, R_EDUCATION,
 R_HOUSEHOLD, R_JOIN, R_MODEL, R_CRAFTSMAN, R_HARDSHIP, R_REPRESENTATIVE, R_PINYIN, R_INITIALS) = range(20)


@dataclass
class _Employers:
    """Employer references (name or credit code) resolved within the job union's subtree."""

    by_key: dict[str, tuple[int, int] | None]  # folded key → (employer id, union id); None: ambiguous

    @classmethod
    def load(cls, union: Union, references: set[str]) -> _Employers:
        """``references`` as typed; the result is keyed by their folded form (see _fold)."""
        codes, names = set(), set()
        for reference in references:
            try:
                codes.add(normalize_uscc(reference))
            except InvalidCreditCode:
                names.update(_name_variants(reference))
        by_key: dict[str, tuple[int, int] | None] = {}
        subtree = Employer.objects.filter(union__path__startswith=union.path)
        for chunk in _chunks(sorted(codes), 500):
            for pk, union_id, code in subtree.filter(uscc__in=chunk).values_list("pk", "union_id", "uscc"):
                by_key[code.lower()] = (pk, union_id)
        for chunk in _chunks(sorted(names), 500):
            for pk, union_id, name in subtree.filter(name__in=chunk).values_list("pk", "union_id", "name"):
                key = _fold(name)
                by_key[key] = None if key in by_key and by_key[key] != (pk, union_id) else (pk, union_id)
        return cls(by_key)


def _name_variants(text: str) -> set[str]:
    """The spellings an employer name may be registered under: as typed, NFKC-folded, and with
    full-width brackets (company names mix "（中国）" and "(中国)")."""
    typed = " ".join(str(text).split())
    folded = " ".join(unicodedata.normalize("NFKC", typed).split())
    wide = folded.replace("(", "（").replace(")", "）")
    return {typed, folded, wide}


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class _Checker:
    """Validates rows one at a time (no database access); cross-row and database checks come after."""

    def __init__(self, header: dict[int, int], labels: dict[int, str], today: date) -> None:
        self.header = header  # sheet column index → COLUMNS index
        self.labels = labels  # COLUMNS index → the header text as written in the file
        self.today = today
        self.seen: dict[str, int] = {}  # id_index → first row
        self.probes: list[list[Any]] = []  # rows with errors, shaped like records for _resolve

    def check(self, row: SheetRow) -> tuple[list[Any] | None, list[RowError]]:
        values: list[Any] = [""] * len(COLUMNS)
        errors: list[RowError] = []
        unreadable = set()
        for index, issue in row.issues.items():
            if index in self.header:
                unreadable.add(self.header[index])
                errors.append(RowError(row.number, self.labels[self.header[index]], issue))
        for index, value in row.values.items():
            target = self.header.get(index)
            if target is not None:
                values[target] = value if not isinstance(value, str) else " ".join(value.split())
        n = row.number

        def fail(key: str, message: str) -> None:
            if _K[key] in unreadable:
                return  # the cell's own problem is already reported
            errors.append(RowError(n, self.labels.get(_K[key], _HEADER_OF[key]), message))

        name = _clean_name(values[_K["name"]])
        if not name:
            fail("name", "请填写姓名")
        elif len(name) > 50:
            fail("name", "姓名不能超过50个字")
        elif any(ch.isdigit() for ch in name):
            fail("name", "姓名中不能含有数字，请检查是否填错了列")
        identity = None
        id_text = values[_K["id_number"]]
        if id_text in _EXAMPLE_IDS:
            return None, [RowError(n, "", "这是模板中的示例行，不会导入，请删除")]
        try:
            identity = parse_id_number(id_text, today=self.today)
        except InvalidIdNumber as exc:
            fail("id_number", str(exc))
        phone = ""
        if values[_K["phone"]]:
            try:
                phone = normalize_phone(values[_K["phone"]])
            except InvalidPhone as exc:
                fail("phone", str(exc))
        form_text, gig_text = values[_K["employment_form"]], values[_K["gig_occupation"]]
        gig = _word(_GIG_WORDS, gig_text) if gig_text else ""
        if gig is None:
            fail("gig_occupation", f"新就业形态职业“{echo(gig_text)}”无法识别，请填写：{_GIG_LABELS}")
        form = _word(_FORM_WORDS, form_text) if form_text else ("gig" if gig_text else "regular")
        if form is None:
            fail("employment_form", f"就业形态“{echo(form_text)}”无法识别，请填写：{_FORM_LABELS}")
        elif form == "gig" and not gig_text:
            fail("gig_occupation", "新就业形态劳动者须填写新就业形态职业")
        elif form == "regular" and gig_text:
            fail("gig_occupation", "单位职工不填写新就业形态职业；如是新就业形态劳动者，请修改就业形态")
        education = self._choice(values, "education", _EDUCATION_WORDS, "学历", fail)
        household = self._choice(values, "household", _HOUSEHOLD_WORDS, "户籍类型", fail)
        model = self._choice(values, "model_worker", _MODEL_WORDS, "劳模", fail, none_ok=True)
        hardship = self._choice(values, "hardship", _HARDSHIP_WORDS, "困难职工", fail, none_ok=True)
        craftsman = self._flag(values, "craftsman", fail)
        representative = self._flag(values, "representative", fail)
        join = None
        if values[_K["join_date"]] not in ("", None):
            try:
                join = parse_date(values[_K["join_date"]])
            except ValueError as exc:
                fail("join_date", str(exc))
            else:
                if join > self.today:
                    fail("join_date", f"入会日期 {join.isoformat()} 晚于今天")
                elif identity is not None and join < identity.birth_date:
                    fail("join_date", f"入会日期 {join.isoformat()} 早于出生日期")
        if identity is not None:
            born = identity.birth_date
            age = self.today.year - born.year - ((self.today.month, self.today.day) < (born.month, born.day))
            if age < MIN_AGE:
                fail("id_number", f"按身份证号码推算年龄为{age}岁，不满{MIN_AGE}周岁，不能入会")
        id_index = crypto.blind_index("id", identity.number) if identity is not None else None
        if id_index is not None:
            first = self.seen.get(id_index)
            if first is not None:
                fail("id_number", f"身份证号码与第 {first} 行重复")
            else:
                self.seen[id_index] = n
        if errors or identity is None:
            # Still worth the database's checks (employer, member elsewhere), so that the report
            # lists every problem of the row at once.
            self.probes.append([n, "", "", id_index, "", None, "", "", values[_K["employer"]] or ""])
            return None, errors
        pinyin, initials = pinyin_keys(name)
        record = [
            n, name, identity.number, id_index, phone, crypto.blind_index("phone", phone) if phone else None,
            identity.gender, identity.birth_date.isoformat(), values[_K["employer"]] or "", form, gig or "",
            education, household, join.isoformat() if join else "", model, craftsman, hardship, representative,
            pinyin, initials,
        ]
        return record, errors

    def _choice(self, values: list[Any], key: str, words: dict[str, str], label: str, fail: Any,
                *, none_ok: bool = False) -> str:
        text = values[_K[key]]
        if not text:
            return ""
        found = _word(words, text)
        if found is None:
            if none_ok and _fold(text) in _NONE_WORDS:
                return ""
            hint = "，不是请留空" if none_ok else ""
            fail(key, f"{label}“{echo(text)}”无法识别，请填写：{_CHOICE_LABELS[key]}{hint}")
            return ""
        return found

    def _flag(self, values: list[Any], key: str, fail: Any) -> bool:
        text = values[_K[key]]
        found = _flag(text)
        if found is None:
            fail(key, f"“{echo(text)}”无法识别，请填写 是 或 否")
            return False
        return found


_CJK_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·• ]+")


def _clean_name(value: Any) -> str:
    """Whitespace collapsed; inside a Chinese name, dropped altogether ("孙 丽" → "孙丽")."""
    text = " ".join(str(value or "").split())
    return text.replace(" ", "") if _CJK_NAME.fullmatch(text) else text


def _find_header(row: SheetRow) -> tuple[dict[int, int], dict[int, str]] | None:
    header: dict[int, int] = {}
    labels: dict[int, str] = {}
    for index, value in sorted(row.values.items()):
        target = _HEADER_WORDS.get(_header_key(value))
        if target is None:
            continue
        if target in labels:
            raise RosterFileError(f"表头中“{COLUMNS[target].header}”列出现了不止一次（第{column_letters(index)}列），"
                                  "请删除重复的列")
        header[index] = target
        labels[target] = " ".join(str(value).split())
    if _K["name"] in labels and _K["id_number"] in labels:
        return header, labels
    return None


# --- Uploading, checking, committing -----------------------------------------------------------------------


def roster_upload(*, actor: Any, union: Union, content: bytes, filename: str = "") -> RosterImport:
    """Keep an upload for checking. Preconditions: the actor may do day-to-day work at ``union``
    (access_union_for_work). Refuses at once what is plainly not an .xlsx; the rest is the check's."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise RosterFileError(TOO_BIG_MESSAGE)
    if not content:
        raise RosterFileError("上传的文件是空的，请选择填写好的 Excel 文件")
    if content.startswith(_OLE_MAGIC) or not content.startswith(_ZIP_MAGIC):
        _open_package(content)  # raises the precise message
    job = RosterImport(union=union, created_by=actor, original_name=(filename or "")[:200])
    job.file.save(f"{job.uuid}.xlsx", ContentFile(content), save=False)
    job.save()
    return job


def _progress(job: RosterImport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    RosterImport.objects.filter(pk=job.pk).update(**fields)


def _staged_name(job: RosterImport) -> str:
    return f"imports/roster/{job.uuid}.rows"


def _stage_save(job: RosterImport, records: list[list[Any]]) -> None:
    """The checked rows, compressed and encrypted with the field key (they hold ID numbers)."""
    packed = zlib.compress(json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode(), 1)
    sealed = crypto.encrypt(base64.b64encode(packed).decode())
    name = _staged_name(job)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(sealed.encode()))


def _stage_load(job: RosterImport) -> list[list[Any]]:
    try:
        with default_storage.open(_staged_name(job)) as handle:
            sealed = handle.read().decode()
    except OSError:
        raise Conflict("待导入的数据已失效，请重新上传文件", code="import_expired") from None
    return json.loads(zlib.decompress(base64.b64decode(crypto.decrypt(sealed))))


def _discard_upload(job: RosterImport) -> None:
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:  # pragma: no cover - already gone
            pass
        RosterImport.objects.filter(pk=job.pk).update(file="")


def _union_label(actor: Any, union: Union | None) -> str:
    if union is not None and scope_of(actor).can(union.path, DATA_ROLES):
        return f"“{union.name}”"
    return "其他工会"


@dataclass
class _Outcome:
    creates: list[list[Any]]
    updates: list[tuple[list[Any], int]]  # (record, existing member pk)
    errors: list[RowError]
    union_of: dict[int, int]  # row → the union a new member joins
    employer_of: dict[int, int | None]  # row → employer id


def _resolve(job: RosterImport, actor: Any, records: list[list[Any]], *, fields: Sequence[str] = (),
             probe: bool = False) -> tuple[_Outcome, dict[int, dict[str, Any]]]:
    """The database checks, set-based. A new member joins the union of the employer given (which
    must be registered within the job union's subtree), else the job's union. A person already in
    the registry is updated when their union lies within the job union's subtree, and refused when
    they belong to another branch (that is a transfer). Returns the outcome and the existing
    members' current values (``fields``) by primary key. Records are not modified. ``probe``: the
    rows already failed; only collect their database problems (employer, member elsewhere)."""
    employers = _Employers.load(job.union, {r[R_EMPLOYER] for r in records if r[R_EMPLOYER]})
    outcome = _Outcome([], [], [], {}, {})
    existing: dict[str, dict[str, Any]] = {}
    wanted = ["pk", "id_index", "union_id", "union__path", "status", *fields]
    size = min(10_000, _max_params(connections[router.db_for_write(Member)]) - 10)
    for chunk in _chunks([r[R_ID_INDEX] for r in records if r[R_ID_INDEX]], size):
        for row in Member.objects.filter(id_index__in=chunk).values(*wanted):
            existing[row["id_index"]] = row
    union_ids = {row["union_id"] for row in existing.values()} | {u for _, u in filter(None, employers.by_key.values())}
    unions = {u.pk: u for u in Union.objects.filter(pk__in=list(union_ids)).only("pk", "name", "path")}
    current = {MemberStatus.ACTIVE, MemberStatus.TRANSFERRING}
    for record in records:
        number = record[R_ROW]
        problems: list[RowError] = []
        employer_id, union_id = None, job.union_id
        if record[R_EMPLOYER]:
            typed = echo(record[R_EMPLOYER], 60)
            found = employers.by_key.get(_fold(record[R_EMPLOYER]), False)
            if found is None:
                problems.append(RowError(number, _HEADER_OF["employer"],
                                         f"有多家名为“{typed}”的单位，请改填统一社会信用代码"))
            elif found is False:
                problems.append(RowError(
                    number, _HEADER_OF["employer"],
                    f"工作单位“{typed}”不在本工会及下级工会登记的企业/单位中，请先登记该单位或核对名称、代码"))
            else:
                employer_id, union_id = found
        had = existing.get(record[R_ID_INDEX]) if record[R_ID_INDEX] else None
        if had is not None:
            if not had["union__path"].startswith(job.union.path):
                where = _union_label(actor, unions.get(had["union_id"]))
                problems.append(RowError(number, _HEADER_OF["id_number"],
                                         f"此人已是{where}的会员，不能重复入会；如需转入，请办理会籍转移"))
            elif had["status"] not in current:
                problems.append(RowError(number, _HEADER_OF["id_number"],
                                         "此人已退会或已转出，不能通过导入恢复会籍，请重新办理入会"))
            elif employer_id is not None and union_id != had["union_id"]:
                problems.append(RowError(
                    number, _HEADER_OF["employer"],
                    f"此人是{_union_label(actor, unions.get(had['union_id']))}的会员，而该工作单位属于"
                    f"{_union_label(actor, unions.get(union_id))}；如需变更所在工会，请办理会籍转移"))
        if problems or probe:
            outcome.errors.extend(problems)
            continue
        if had is None:
            outcome.creates.append(record)
        else:
            outcome.updates.append((record, had["pk"]))
        outcome.union_of[number] = union_id
        outcome.employer_of[number] = employer_id
    return outcome, {row["pk"]: row for row in existing.values()}


def roster_check(*, job: RosterImport) -> RosterImport:
    """The dry run: read and validate every row, write nothing but the job's report and the staged
    rows. Idempotent: a job that is no longer 'uploaded' is returned as it is."""
    claimed = RosterImport.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.CHECKING, processed_rows=0)
    job.refresh_from_db()
    if not claimed:
        return job
    try:
        _check(job)
    except RosterFileError as exc:
        _progress(job, status=ImportStatus.FAILED, message=exc.message[:300], finished_at=timezone.now())
    except Exception:
        logger.exception("roster check failed for import %s", job.uuid)
        _progress(job, status=ImportStatus.FAILED, message="检查时出现意外错误，请稍后重新上传；如仍失败请联系管理员",
                  finished_at=timezone.now())
    finally:
        _discard_upload(job)
    return job


def _check(job: RosterImport) -> None:
    with job.file.open("rb") as handle:
        content = handle.read(MAX_UPLOAD_BYTES + 1)
    archive = _open_package(content)
    scanner = _SheetScanner(archive, _load_book(archive))
    checker: _Checker | None = None
    records: list[list[Any]] = []
    errors: list[RowError] = []
    error_rows: set[int] = set()
    seen_rows = 0
    data_rows: list[int] = []
    for row in scanner.rows():
        if checker is None:
            found = _find_header(row)
            if found is None:
                if row.number >= HEADER_SEARCH_ROWS:
                    break
                continue
            header, labels = found
            scanner.wanted = frozenset(header)
            checker = _Checker(header, labels, timezone.localdate())
            continue
        seen_rows += 1
        if seen_rows > MAX_ROWS:
            raise RosterFileError(f"一次最多导入 {MAX_ROWS} 行数据，请拆分成几个文件分批导入")
        data_rows.append(row.number)
        record, row_errors = checker.check(row)
        if record is not None:
            records.append(record)
        if row_errors:
            errors.extend(row_errors)
            error_rows.add(row.number)
        if seen_rows % PROGRESS_EVERY == 0:
            estimate = scanner.estimated_rows - 1
            if not 0 < estimate <= MAX_ROWS or estimate < seen_rows:
                estimate = int(seen_rows * scanner.size / max(scanner.consumed, 1))
            _progress(job, processed_rows=seen_rows, total_rows=max(estimate, seen_rows))
    if checker is None:
        expected = "、".join(c.header for c in COLUMNS)
        raise RosterFileError(f"找不到表头：第1行应为表头，至少包括“姓名”和“身份证号码”两列。模板的表头是：{expected}。"
                              "请使用下载的导入模板填写")
    # Merged cells are listed after the rows: a covered cell holds nothing although Excel shows a value.
    merged = _merge_errors(scanner.merges, data_rows, checker)
    if merged:
        errors.extend(merged)
        bad = {e.row for e in merged}
        error_rows |= bad
        records = [r for r in records if r[R_ROW] not in bad]
    outcome, _ = _resolve(job, job.created_by, records)
    errors.extend(outcome.errors)
    error_rows |= {e.row for e in outcome.errors}
    probes = [p for p in checker.probes if p[R_EMPLOYER] or p[R_ID_INDEX]]
    if probes:
        duplicates = {(e.row, e.column) for e in errors}
        more = _resolve(job, job.created_by, probes, probe=True)[0].errors
        errors.extend(e for e in more if (e.row, e.column) not in duplicates)
    errors.sort(key=lambda e: (e.row, e.column))
    valid = [*outcome.creates, *(record for record, _ in outcome.updates)]
    valid.sort(key=lambda r: r[R_ROW])
    if valid:
        _stage_save(job, valid)
    message = ""
    if scanner.stopped_early:
        message = f"表格中连续 {STOP_AFTER_EMPTY} 行为空，之后的内容未读取。"
    if len(errors) > MAX_ERRORS:
        message += f"问题共 {len(errors)} 条，仅列出前 {MAX_ERRORS} 条。"
    _progress(job, status=ImportStatus.CHECKED, total_rows=seen_rows, processed_rows=seen_rows, valid_rows=len(valid),
              error_rows=len(error_rows), created_count=len(outcome.creates), updated_count=len(outcome.updates),
              errors=[e.as_dict() for e in errors[:MAX_ERRORS]], message=message[:300], finished_at=timezone.now())


def _merge_errors(merges: list[tuple[int, int, int, int]], data_rows: list[int], checker: _Checker) -> list[RowError]:
    import bisect

    errors = []
    for min_col, min_row, max_col, max_row in merges:
        label = f"{column_letters(min_col)}{min_row}:{column_letters(max_col)}{max_row}"
        start = bisect.bisect_left(data_rows, min_row)
        for number in data_rows[start:bisect.bisect_right(data_rows, max_row)]:
            for index, target in checker.header.items():
                if min_col <= index <= max_col and (number, index) != (min_row, min_col):
                    errors.append(RowError(number, checker.labels[target],
                                           f"单元格位于合并单元格 {label} 中，只有左上角的格子有内容。"
                                           "请取消合并，并在每一行分别填写"))
    return errors


_UPDATE_FIELDS = ("name", "phone_index", "employer_id", "employment_form", "gig_occupation", "education", "household",
                  "join_date", "model_worker_level", "craftsman", "hardship_level", "worker_representative")


def roster_commit(*, job: RosterImport, actor: Any, request: Any = None) -> RosterImport:
    """Write every staged row in one transaction: new members (with card numbers and a history row),
    and updates of members already in the same union. One audit row for the whole import.

    Preconditions: the job passed the check (status 'checked') and the actor may work at its union.
    Raises Conflict when the job is not waiting to be committed (committed twice, still checking).
    """
    claimed = RosterImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.COMMITTING, message="")
    job.refresh_from_db()
    if not claimed:
        if job.status in (ImportStatus.COMMITTING, ImportStatus.DONE):
            return job  # a repeated task or a double click: already under way or done
        raise Conflict("这次导入当前不能提交（可能仍在检查或已失败），请刷新后查看")
    try:
        records = _stage_load(job) if job.valid_rows else []
        with _page_cache(Member), transaction.atomic():
            created, updated, late = _write(job, actor, records)
            errors = sorted([*(RowError(**e) for e in job.errors), *late], key=lambda e: (e.row, e.column))
            audit.record("member.import", actor=actor, request=request, obj=job, union=job.union, detail={
                "import": str(job.uuid), "file": job.original_name[:100], "created": created, "updated": updated,
                "error_rows": job.error_rows + len({e.row for e in late})})
            _progress(job, status=ImportStatus.DONE, created_count=created, updated_count=updated,
                      valid_rows=created + updated, error_rows=job.error_rows + len({e.row for e in late}),
                      errors=[e.as_dict() for e in errors[:MAX_ERRORS]], finished_at=timezone.now())
    except IntegrityError:
        # Someone registered one of these people between our checks and the insert: nothing was
        # written; the next attempt re-checks against the database as it is then.
        _progress(job, status=ImportStatus.CHECKED,
                  message="导入时有人同时登记了其中的会员，本次未写入任何数据，请重新提交")
        return job
    except Conflict:
        _progress(job, status=ImportStatus.FAILED, message="待导入的数据已失效，请重新上传文件")
        raise
    except Exception:
        logger.exception("roster commit failed for import %s", job.uuid)
        _progress(job, status=ImportStatus.CHECKED, message="导入时出现意外错误，没有写入任何数据，请稍后重试")
        return job
    default_storage.delete(_staged_name(job))
    return job


@contextmanager
def _page_cache(model: type[Any], kib: int = 65536) -> Iterator[None]:
    """On SQLite, a larger page cache for this connection while it writes a big import: the member
    table has a dozen indexes, four of them on random keys (uuid, blind indexes, card token), and
    with the default 2 MB cache every insert re-reads their pages. Restored afterwards."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-abs(int(kib))}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


def _write(job: RosterImport, actor: Any, records: list[list[Any]]) -> tuple[int, int, list[RowError]]:
    outcome, existing = _resolve(job, actor, records, fields=_UPDATE_FIELDS)
    now = timezone.now()
    today = timezone.localdate()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    new_rows = [
        {"name": r[R_NAME], "name_pinyin": r[R_PINYIN], "name_initials": r[R_INITIALS], "id_number": r[R_ID],
         "id_index": r[R_ID_INDEX], "phone": r[R_PHONE] or None, "phone_index": r[R_PHONE_INDEX],
         "gender": r[R_GENDER], "birth_date": date.fromisoformat(r[R_BIRTH]), "education": r[R_EDUCATION],
         "household": r[R_HOUSEHOLD], "employment_form": r[R_FORM], "gig_occupation": r[R_GIG],
         "employer_id": outcome.employer_of[r[R_ROW]], "union_id": outcome.union_of[r[R_ROW]],
         "join_date": date.fromisoformat(r[R_JOIN]) if r[R_JOIN] else today, "model_worker_level": r[R_MODEL],
         "craftsman": r[R_CRAFTSMAN], "hardship_level": r[R_HARDSHIP], "worker_representative": r[R_REPRESENTATIVE],
         "created_at": now, "updated_at": now, "card_token_rotated_at": now}
        for r in outcome.creates
    ]
    ids = insert_members(new_rows)
    members = [(pk, row["union_id"]) for pk, row in zip(ids, new_rows, strict=True)]
    reason = f"花名册导入：{job.original_name}"[:300]
    bulk_insert(MembershipHistory, [
        {"member_id": pk, "event": "import", "from_status": "", "to_status": MemberStatus.ACTIVE, "from_union_id": None,
         "to_union_id": union_id, "actor_id": actor_id, "reason": reason, "created_at": now}
        for pk, union_id in members
    ])
    # Updates: a blank optional cell keeps what is on record; the four tags are what the roster says.
    changed: list[tuple[Member, bool]] = []
    for record, pk in outcome.updates:
        current = existing[pk]
        employer_id = outcome.employer_of[record[R_ROW]]
        wanted = {
            "name": record[R_NAME], "phone_index": record[R_PHONE_INDEX] or current["phone_index"],
            "employer_id": employer_id if employer_id is not None else current["employer_id"],
            "employment_form": record[R_FORM], "gig_occupation": record[R_GIG],
            "education": record[R_EDUCATION] or current["education"],
            "household": record[R_HOUSEHOLD] or current["household"],
            "join_date": date.fromisoformat(record[R_JOIN]) if record[R_JOIN] else current["join_date"],
            "model_worker_level": record[R_MODEL], "craftsman": record[R_CRAFTSMAN],
            "hardship_level": record[R_HARDSHIP], "worker_representative": record[R_REPRESENTATIVE],
        }
        if all(current[key] == value for key, value in wanted.items()):
            continue
        new_phone = bool(record[R_PHONE]) and record[R_PHONE_INDEX] != current["phone_index"]
        member = Member(pk=pk, name_pinyin=record[R_PINYIN], name_initials=record[R_INITIALS], updated_at=now,
                        phone=record[R_PHONE] or None, **wanted)
        changed.append((member, new_phone))
    # bulk_update does not call pre_save: phone_index was computed in the check, beside the phone.
    fields = ["name", "name_pinyin", "name_initials", "employer_id", "employment_form", "gig_occupation", "education",
              "household", "join_date", "model_worker_level", "craftsman", "hardship_level", "worker_representative",
              "updated_at"]
    with_phone = [m for m, new_phone in changed if new_phone]
    without_phone = [m for m, new_phone in changed if not new_phone]
    if with_phone:
        Member.objects.bulk_update(with_phone, [*fields, "phone", "phone_index"], batch_size=500)
    if without_phone:
        Member.objects.bulk_update(without_phone, fields, batch_size=500)
    return len(new_rows), len(outcome.updates), outcome.errors


# --- Set-based writing ----------------------------------------------------------------------------------------
# bulk_create spends ~0.15 ms per member preparing 30 values one Field method at a time (and
# re-parses every ID number for its blind index): at 100,000 rows that alone is 15 s, three times
# the budget. ``bulk_insert`` prepares each column with the one conversion it needs, and encrypts
# through the same crypto.encrypt the field uses.


def _memo(convert: Any) -> Any:
    """A per-column cache: a commit's timestamps are one value, its dates a few thousand."""
    seen: dict[Any, Any] = {}

    def prepare(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = convert(value)
            return converted

    return prepare


def _column_preparer(field: Any, connection: Any) -> Any:
    if isinstance(field, EncryptedTextField):
        return lambda value: crypto.encrypt(str(value)) if value not in (None, "") else value
    if isinstance(field, models.DateTimeField):
        return _memo(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _memo(connection.ops.adapt_datefield_value)
    if isinstance(field, models.CharField | models.TextField | models.BooleanField | models.IntegerField
                  | models.ForeignKey):
        return None  # str, bool, int and None go to both drivers as they are
    return lambda value: field.get_db_prep_save(value, connection)


def bulk_insert(model: type[Any], rows: list[dict[str, Any]], *,
                returning: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` (values by attname, every row with the same keys) in multi-row statements;
    returns the ``returning`` columns of the new rows. A field not given takes its default
    (callables called per row); a blind index not given is computed from its source; auto_now
    fields get the current time; the primary key is written only when given.

    Preconditions: values are already clean (this is the commit of checked rows); inside the
    caller's transaction.
    """
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    given = rows[0].keys()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
    now = timezone.now()
    columns: list[list[Any]] = []
    for field in fields:  # column by column: one comprehension per column instead of a call per value
        if field.attname in given:
            values = [row[field.attname] for row in rows]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values = [now] * len(rows)
        elif isinstance(field, BlindIndexField):
            values = [field.compute(row.get(field.source)) for row in rows]
        elif field.has_default() and callable(field.default):
            values = [field.default() for _ in rows]
        else:
            values = [field.get_default()] * len(rows)
        prepare = _column_preparer(field, connection)
        columns.append(values if prepare is None else [prepare(v) for v in values])
    records = list(zip(*columns, strict=True))
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = ""
    if returning:
        tail = " RETURNING " + ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in returning)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if not returning and connection.vendor == "postgresql":
            # COPY: the server's bulk path, with psycopg adapting each value by its Python type.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
            return found
        if not returning:
            # One prepared statement, many parameter rows, which sqlite3 steps through in C.
            sql = f"INSERT INTO {table} ({names}) VALUES {placeholders}"  # noqa: S608 - quoted identifiers
            for chunk in _chunks(records, 5000):
                cursor.executemany(sql, chunk)
            return found
        batch = max(1, min(500, _max_params(connection) // len(fields)))
        for chunk in _chunks(records, batch):
            # Identifiers come from the model's metadata, quoted; every value is a parameter.
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholders] * len(chunk))}{tail}"  # noqa: S608
            cursor.execute(sql, list(chain.from_iterable(chunk)))
            found.extend(tuple(r) for r in cursor.fetchall())
    return found


def reserve_ids(model: type[Any], count: int) -> list[int]:
    """``count`` primary keys for rows about to be inserted, so that values derived from the key
    (the card number) go into the same INSERT instead of a second pass of UPDATEs.

    PostgreSQL: drawn from the column's sequence. SQLite: the keys after the table's high-water
    mark, which is sound because the caller's transaction holds SQLite's only write lock
    (IMMEDIATE transactions, settings.py) — and were it not so, a clash would be an IntegrityError
    on the primary key, never a silent overwrite. Preconditions: inside the inserting transaction.
    """
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 0) FROM {quoted}")  # noqa: S608
        high = max(found[0] if found else 0, cursor.fetchone()[0])
    return list(range(high + 1, high + 1 + count))


def insert_members(rows: list[dict[str, Any]]) -> list[int]:
    """Insert new members (values by attname, checked; ``union_id`` set) with their card numbers
    (registry.card_number: the union's region prefix and the key) in one pass. Returns the keys."""
    ids = reserve_ids(Member, len(rows))
    unions = {u.pk: u for u in Union.objects.filter(pk__in={row["union_id"] for row in rows})}
    regions = _region_of(unions)
    for pk, row in zip(ids, rows, strict=True):
        row["id"] = pk
        row["card_no"] = f"{regions[row['union_id']]}{pk:010d}"
    bulk_insert(Member, rows)
    return ids


def _max_params(connection: Any) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return min(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)
        except AttributeError:  # pragma: no cover - Python < 3.11
            return 999
    return 60000  # PostgreSQL's limit is 65,535 parameters per statement


def _region_of(unions: dict[int, Union]) -> dict[int, str]:
    """The card-number prefix of each union: its region code, else its nearest ancestor's."""
    ancestor_ids = {pk for u in unions.values() for pk in u.ancestor_ids}
    codes = dict(Union.objects.filter(pk__in=list(ancestor_ids)).values_list("pk", "region_code"))
    regions = {}
    for pk, union in unions.items():
        region = union.region_code[:6] or next(
            (codes[a][:6] for a in reversed(union.ancestor_ids) if codes.get(a)), "000000")
        regions[pk] = f"{region:0<6}"
    return regions


def assign_card_numbers(members: Sequence[tuple[int, int]]) -> None:
    """Card number = region prefix + the member's primary key (registry.card_number) for each
    (member pk, union pk), set with one UPDATE per batch and region instead of one per member."""
    if not members:
        return
    unions = {u.pk: u for u in Union.objects.filter(pk__in={union_id for _, union_id in members})}
    regions = _region_of(unions)
    by_region: dict[str, list[int]] = {}
    for pk, union_id in members:
        by_region.setdefault(regions[union_id], []).append(pk)
    for region, pks in by_region.items():
        for chunk in _chunks(pks, 900):
            Member.objects.filter(pk__in=chunk).update(
                card_no=Concat(Value(region), LPad(Cast(F("pk"), CharField()), 10, Value("0")),
                               output_field=CharField()))


def roster_discard(*, job: RosterImport, actor: Any) -> RosterImport:
    """Give up a checked import: the staged rows are deleted, nothing is written."""
    if not RosterImport.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.FAILED, message="已放弃本次导入，没有写入任何数据", finished_at=timezone.now()):
        raise Conflict("这次导入当前不能放弃，请刷新后查看")
    default_storage.delete(_staged_name(job))
    job.refresh_from_db()
    return job


# --- Export ------------------------------------------------------------------------------------------------

EXPORT_MAX_ROWS = 200_000
EXPORT_HEADER = ["姓名", "身份证号码", "手机号码", "性别", "出生日期", "所在工会", "工作单位", "就业形态",
                 "新就业形态职业", "学历", "户籍类型", "入会日期", "会籍状态", "劳模", "工匠", "困难职工", "职工代表",
                 "会员卡号"]
EXPORT_WIDTHS = [10, 22, 14, 6, 12, 28, 30, 18, 14, 14, 12, 12, 10, 10, 6, 10, 8, 20]


def export_rows(qs: Any, *, unmasked: bool) -> Iterator[list[Any]]:
    """The export's rows; the headers match the import template's, so an unmasked export re-imports."""
    yes = {True: "是", False: "否"}
    for m in qs.select_related("union", "employer").iterator(chunk_size=2000):
        yield [m.name, m.id_number if unmasked else m.masked_id_number, m.phone if unmasked else m.masked_phone,
               m.get_gender_display(), m.birth_date, m.union.name, m.employer.name if m.employer else "",
               m.get_employment_form_display(), m.get_gig_occupation_display(), m.get_education_display(),
               m.get_household_display(), m.join_date, m.get_status_display(), m.get_model_worker_level_display(),
               yes[m.craftsman], m.get_hardship_level_display(), yes[m.worker_representative], m.card_no or ""]


def export_build(qs: Any, *, unmasked: bool) -> bytes:
    """The member list as .xlsx, masked unless ``unmasked``. Preconditions: ``qs`` came from
    member_search (so from visible_to), and the caller writes the audit row."""
    from gonghui.lib.excel import write_workbook

    return write_workbook([(SHEET_TITLE, EXPORT_HEADER, export_rows(qs, unmasked=unmasked))],
                          widths={SHEET_TITLE: EXPORT_WIDTHS})


def roster_imports(user: Any) -> Any:
    """Recent import jobs the user may see."""
    return RosterImport.objects.visible_to(user).select_related("union", "created_by").order_by("-created_at")


def can_import(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths(WRITE_ROLES))


def import_unions(user: Any) -> Any:
    """Unions where the user may import members (officer or admin), for the upload form."""
    return Union.objects.visible_to(user).active().filter(scope_of(user).q("path", WRITE_ROLES)).order_by("path")


def roster_sweep(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Expire abandoned imports: checked but never committed, or stuck in a working state (a worker
    died). Their staged rows and uploaded files (both hold ID numbers) are deleted. Returns how many."""
    cutoff = timezone.now() - older_than
    abandoned = RosterImport.objects.filter(created_at__lt=cutoff, status__in=[
        ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.CHECKED, ImportStatus.COMMITTING])
    count = 0
    for job in abandoned.iterator():
        if RosterImport.objects.filter(pk=job.pk, status=job.status).update(
                status=ImportStatus.FAILED, finished_at=timezone.now(),
                message="超过24小时未完成，已作废；待导入的数据已删除，请重新上传"):
            default_storage.delete(_staged_name(job))
            _discard_upload(job)
            count += 1
    return count


def stale(job: RosterImport) -> bool:
    """A job in a working state for over an hour (a worker died): the page offers a fresh upload."""
    working = job.status in (ImportStatus.CHECKING, ImportStatus.COMMITTING, ImportStatus.UPLOADED)
    return working and timezone.now() - job.created_at > timedelta(hours=1)
