"""Importing unions and employers from Excel: read the rows, check every row, commit the valid ones.

Shared by the console page (views/imports.py) and the API (api.py). A run is either a dry run (check
only, nothing written) or a commit: every valid row in one transaction, one audit row for the whole
import. Invalid rows are reported — row number as Excel shows it, column header, Chinese message —
and skipped.

Unions are referenced by name within the actor's visible scope (a parent may also be a union
defined by an earlier row of the same file); "上级名称/名称" picks one of several unions with the
same name. Creating unions needs the admin role at the parent (access.STRUCTURE_ROLES), registering
employers an officer or admin role at the union (WRITE_ROLES). A credit code that is already
registered is an error: the import never updates existing employers.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction

from gonghui.core import audit
from gonghui.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from gonghui.core.scope import WRITE_ROLES, Role, scope_of
from gonghui.lib.excel import SheetRow, WorkbookError, read_table, write_template
from gonghui.lib.text import compact
from gonghui.lib.uscc import InvalidCreditCode, check_char, normalize_uscc

from ..access import STRUCTURE_ROLES
from ..models import Employer, EmployerSize, Industry, Union, UnionKind, UnionLevel
from .tree import union_create

if TYPE_CHECKING:
    from gonghui.accounts.models import User

KINDS = ("unions", "employers")
KIND_LABELS = {"unions": "工会组织", "employers": "企业/单位"}
# The data sheet has the export's title (views/exports.py), so an exported file reads the same way.
SHEET_TITLES = {"unions": "工会组织", "employers": "企业单位"}
MAX_ROWS = 5000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_BATCH = 500
_REGION = re.compile(r"\d{6}|\d{9}|\d{12}")
_NAME_MAX, _ADDRESS_MAX, _EMPLOYEES_MAX = 200, 300, 10_000_000


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    note: str


_INDUSTRY_LIST = "；".join(f"{value} {label}" for value, label in Industry.choices)

UNION_COLUMNS = (
    Column("名称", True, "工会全称，不超过200字。同一上级工会下不能有两个同名工会"),
    Column("类型", False, "总工会、产业工会、工会联合会、基层工会 之一；留空为基层工会"),
    Column("层级", False, "省级、市级、县区级、街道乡镇、基层 之一，必须低于上级工会的层级；留空为上级工会的下一级"),
    Column("行政区划代码", False, "6位、9位或12位数字，如 630102；可留空"),
    Column("上级工会", True, "上级工会的名称。须是您担任管理员的工会或其下级，也可以是本表中写在前面几行的工会"
                          "（先写上级，再写下级）。有几个同名工会时，写成“上级工会名称/工会名称”，"
                          "如“甲区总工会/甲公司工会”"),
    Column("地址", False, "不超过300字；可留空"),
)
EMPLOYER_COLUMNS = (
    Column("单位名称", True, "单位全称，不超过200字"),
    Column("统一社会信用代码", True, "18位，字母不区分大小写，空格和全角字符会自动去除。已登记的单位不能重复导入"),
    Column("行业门类", False, "国民经济行业分类（GB/T 4754）门类字母 A–T 或门类名称，如“C”或“制造业”；可留空。"
                          "门类：" + _INDUSTRY_LIST),
    Column("规模", False, "微型、小型、中型、大型 之一；可留空"),
    Column("职工人数", False, "不小于0的整数；可留空"),
    Column("地址", False, "不超过300字；可留空"),
    Column("所属工会", True, "工会名称，须在您的管理范围内（工作人员或管理员）。"
                          "有几个同名工会时，写成“上级工会名称/工会名称”"),
    Column("已单独建会", False, "是 或 否；留空为否"),
)
COLUMNS = {"unions": UNION_COLUMNS, "employers": EMPLOYER_COLUMNS}
# Columns of the export (exports.py) that an import reads past, so that an exported file re-imports.
IGNORED_COLUMNS = {"unions": ("状态",), "employers": ("网格", "联络员")}
_IGNORED_NOTES = {
    "unions": "导出文件中的“状态”列在导入时忽略：导入的工会都是启用状态。",
    "employers": "导出文件中的“网格”“联络员”列在导入时忽略，请导入后在单位档案中设置。",
}
_EXAMPLE_USCC = "91630102MA0XKQ0L0" + check_char("91630102MA0XKQ0L0")
EXAMPLES = {
    "unions": ("某某科技有限公司工会", "基层工会", "基层", "630102", "某某区总工会", "某某路1号"),
    "employers": ("某某科技有限公司", _EXAMPLE_USCC, "I", "小型", "50", "某某路8号", "某某区总工会", "否"),
}


# --- Results -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header of the offending column, "" for the row as a whole
    message: str


@dataclass
class ImportedItem:
    """A row that passes (dry run) or was created (commit)."""

    row: int
    name: str
    union_name: str  # the parent union (unions) or the owning union (employers)
    note: str
    uuid: UUID | None = None


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    total: int = 0
    errors: list[RowError] = field(default_factory=list)
    items: list[ImportedItem] = field(default_factory=list)
    sheet: str = ""  # the sheet read ("" for a CSV file)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def valid(self) -> int:
        return self.total - self.error_rows

    @property
    def created(self) -> int:
        return 0 if self.dry_run else len(self.items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "dry_run": self.dry_run, "total": self.total, "valid": self.valid,
            "invalid": self.error_rows, "created": self.created,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }

    def as_result(self) -> dict[str, Any]:
        """What a job keeps of the report (``Job.result``): the API's figures and errors, the sheet,
        and the first ITEMS_KEPT rows for the result page."""
        return {**self.as_dict(), "sheet": self.sheet, "item_count": len(self.items), "items": [
            {"row": i.row, "name": i.name, "union_name": i.union_name, "note": i.note,
             "uuid": str(i.uuid) if i.uuid else None} for i in self.items[:ITEMS_KEPT]]}


ITEMS_KEPT = 500


@dataclass
class KeptReport:
    """An ImportReport read back from a job's result, for the result page (the same names)."""

    kind: str
    dry_run: bool
    total: int
    valid: int
    error_rows: int
    created: int
    sheet: str
    errors: list[RowError]
    items: list[ImportedItem]
    item_count: int

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @classmethod
    def of(cls, result: dict[str, Any]) -> KeptReport:
        return cls(kind=result["kind"], dry_run=bool(result["dry_run"]), total=int(result["total"]),
                   valid=int(result["valid"]), error_rows=int(result["invalid"]), created=int(result["created"]),
                   sheet=str(result.get("sheet", "")), item_count=int(result.get("item_count", 0)),
                   errors=[RowError(e["row"], e["column"], e["message"]) for e in result.get("errors", [])],
                   items=[ImportedItem(i["row"], i["name"], i["union_name"], i["note"],
                                       UUID(i["uuid"]) if i.get("uuid") else None) for i in result.get("items", [])])


# --- Who may import what ---------------------------------------------------------------------------------


def import_roles(kind: str) -> frozenset[Role]:
    return STRUCTURE_ROLES if kind == "unions" else WRITE_ROLES


def can_import(user: Any, kind: str) -> bool:
    """Whether the user holds, somewhere, a role that may create rows of this kind."""
    scope = scope_of(user)
    return kind in KINDS and (scope.is_superuser or bool(scope.paths(import_roles(kind))))


def importable_kinds(user: Any) -> list[str]:
    return [kind for kind in KINDS if can_import(user, kind)]


def import_gate(user: Any, kind: str) -> None:
    """NotFound for an unknown kind, Forbidden when the user may not import this kind anywhere."""
    if kind not in KINDS:
        raise NotFound("没有这种导入类型")
    if not can_import(user, kind):
        raise Forbidden("导入工会组织需要管理员角色" if kind == "unions" else "您的角色无权导入企业/单位")


# --- Templates ------------------------------------------------------------------------------------------------


def template_build(kind: str) -> bytes:
    """The fill-in template: the header row, one example row, and a sheet explaining every column."""
    columns = COLUMNS[kind]
    header = [c.header for c in columns]
    notes: list[tuple[str, str, str]] = [(c.header, "必填" if c.required else "选填", c.note) for c in columns]
    notes += [
        ("（通用）", "", "第1行是表头，请勿修改或删除；第2行灰色文字是示例，导入前请删除。"),
        ("（通用）", "", "从第2行起每行填写一条，中间不要留空行；不要合并单元格；公式请改为直接填写内容。"),
        ("（通用）", "", f"一次最多导入 {MAX_ROWS} 行，文件不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB；"
                        "读取名为“" + SHEET_TITLES[kind] + "”的工作表，没有时读取第一个有表头的工作表；"
                        "也可以上传 .xls 或 CSV 文件。"),
        ("（通用）", "", "上传后先检查并列出每一行的问题，确认后才导入没有问题的行；"
                        "有问题的行不会导入，改正后可单独再导入。"),
        ("（通用）", "", _IGNORED_NOTES[kind]),
    ]
    if kind == "unions":
        text_columns, widths = [3], [34, 12, 10, 14, 30, 36]
        choices = {1: UnionKind.labels, 2: [label for value, label in UnionLevel.choices if value > 0]}
    else:
        text_columns, widths = [1], [34, 24, 10, 8, 10, 36, 30, 12]
        choices = {3: EmployerSize.labels, 7: ["是", "否"]}
    return write_template(title=SHEET_TITLES[kind], header=header, examples=[EXAMPLES[kind]], notes=notes,
                          text_columns=text_columns, choices=choices, widths=widths)


def template_filename(kind: str) -> str:
    return f"{KIND_LABELS[kind].replace('/', '')}导入模板.xlsx"


# --- Parsing cells ---------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """The key two spellings of a name or word share: full-width folded, spaces dropped, lower case."""
    return compact(text).lower()


def _words(choices: Iterable[tuple[Any, str]], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    words = {_fold(str(value)): value for value, _ in choices}
    words.update({_fold(label): value for value, label in choices})
    words.update({_fold(word): value for word, value in (extra or {}).items()})
    return words


_KIND_WORDS = _words(UnionKind.choices, {"基层": UnionKind.GRASSROOTS, "产业": UnionKind.INDUSTRY,
                                         "联合会": UnionKind.JOINT})
_LEVEL_WORDS = _words([(v, label) for v, label in UnionLevel.choices if v > 0], {
    "省": 1, "省总": 1, "市": 2, "地市级": 2, "地级": 2, "县级": 3, "区级": 3, "县区": 3, "县(市、区)级": 3,
    "街道": 4, "乡镇": 4, "乡镇街道": 4, "街道级": 4, "基层工会": 5})
_SIZE_WORDS = _words(EmployerSize.choices, {f"{label}企业": value for value, label in EmployerSize.choices})
_YES = {"是", "y", "yes", "true", "1", "已建会", "已单独建会", "√"}
_NO = {"", "否", "n", "no", "false", "0", "未建会", "未单独建会", "×"}


def _industry(text: str) -> str | None:
    """An industry letter from "C", "ｃ", "制造业" or "C 制造业"; "" when empty, None when unknown."""
    folded = compact(text)
    if not folded:
        return ""
    if len(folded) == 1 and folded.upper() in Industry.values:
        return folded.upper()
    for value, label in Industry.choices:
        if folded in (compact(label), value + compact(label), value.lower() + compact(label)):
            return value
    return None


def _count(text: str) -> int | None:
    """A head count from "120", "1,200", "１２０人"; None when not a whole number ≥ 0."""
    folded = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").removesuffix("人")
    if not re.fullmatch(r"\d{1,9}", folded):
        return None
    return int(folded)


def _chunks(items: Sequence[Any], size: int = _BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _name_variants(name: str) -> set[str]:
    """Spellings under which a name may be stored: as typed, half-width, with full-width brackets."""
    half = unicodedata.normalize("NFKC", name)
    return {name, half, half.replace("(", "（").replace(")", "）")}


def _split_ref(ref: str) -> list[str]:
    return [part.strip() for part in re.split(r"[/／]", ref) if part.strip()]


def _common_union(paths: Iterable[str]) -> Union | None:
    """The lowest union whose subtree holds every path (for the import's audit row)."""
    common: list[str] | None = None
    for path in paths:
        parts = path.strip("/").split("/")
        if common is None:
            common = parts
        else:
            size = 0
            while size < min(len(common), len(parts)) and common[size] == parts[size]:
                size += 1
            common = common[:size]
    if not common:
        return None
    return Union.objects.filter(path="/".join(common) + "/").first()


# --- Finding unions by name ---------------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    """A union a row may name: one already in the tree, or one defined by a row of this file."""

    name: str
    chain: tuple[str, ...]  # folded names from this union up to the root
    level: int | None
    union: Union | None = None  # already in the tree
    row: int | None = None  # defined by this row of the file
    ok: bool = True  # the defining row passed its checks
    parent: _Node | None = None
    data: dict[str, Any] = field(default_factory=dict)
    created: Union | None = None

    @property
    def target(self) -> Union | None:
        return self.union or self.created


class _Finder:
    """Unions by name within the actor's visible scope, plus those defined by earlier rows."""

    def __init__(self, actor: Any, refs: Iterable[str]) -> None:
        names: set[str] = set()
        for ref in refs:
            if ref:
                names |= _name_variants(ref)
                parts = _split_ref(ref)
                if len(parts) > 1:
                    names |= _name_variants(parts[-1])
        found: list[Union] = []
        visible = Union.objects.visible_to(actor)
        for chunk in _chunks(sorted(names)):
            found += list(visible.filter(name__in=chunk))
        ancestor_ids = sorted({pk for union in found for pk in union.ancestor_ids})
        names_by_id: dict[int, str] = {}
        for chunk in _chunks(ancestor_ids):
            names_by_id.update(Union.objects.filter(pk__in=chunk).values_list("pk", "name"))
        self.by_key: dict[str, list[_Node]] = defaultdict(list)
        for union in found:
            chain = (_fold(union.name), *(_fold(names_by_id.get(pk, "")) for pk in reversed(union.ancestor_ids)))
            self.by_key[_fold(union.name)].append(_Node(union.name, chain, union.level, union=union))

    def add(self, node: _Node) -> None:
        self.by_key[_fold(node.name)].append(node)

    def find(self, ref: str) -> list[_Node]:
        hits = list(self.by_key.get(_fold(ref), []))
        parts = _split_ref(ref)
        if hits or len(parts) < 2:
            return hits
        wanted = tuple(_fold(part) for part in reversed(parts))
        return [node for node in self.by_key.get(wanted[0], []) if node.chain[:len(wanted)] == wanted]


def _resolve(finder: _Finder, ref: str, *, scope: Any, roles: frozenset[Role],
             later: dict[str, int] | None = None, row: int = 0) -> tuple[_Node | None, str]:
    """The one union ``ref`` names and may be written to, or (None, the Chinese reason)."""
    hits = finder.find(ref)
    broken = [node for node in hits if node.row is not None and not node.ok]
    if broken:
        # The row meant to define it failed: even if a union of that name exists, it may not be the one meant.
        return None, f"上级工会「{ref}」（第{broken[0].row}行）有错误未能导入，本行也无法导入"
    if not hits:
        later_row = (later or {}).get(_fold(ref))
        if later_row and later_row > row:
            return None, f"上级工会「{ref}」在第{later_row}行，须写在本行之前（先写上级，再写下级）"
        return None, f"找不到工会「{ref}」，或该工会不在您的管理范围内"
    if len(hits) > 1:
        return None, (f"有{len(hits)}个名为「{ref}」的工会，无法确定是哪一个，"
                      f"请写成“上级工会名称/{_split_ref(ref)[-1]}”")
    node = hits[0]
    if node.row is not None:
        return node, ""
    union = node.union
    assert union is not None
    if not scope.can(union.path, roles):
        action = "新建下级工会" if roles == STRUCTURE_ROLES else "登记单位"
        return None, f"工会「{union.name}」不在您的管理范围内，您的角色无权在其下{action}"
    if not union.is_active:
        return None, f"工会「{union.name}」已停用"
    return node, ""


# --- Checking rows ---------------------------------------------------------------------------------------------


class _Row:
    """The errors of one row, at most one per column."""

    def __init__(self, sheet_row: SheetRow, report: ImportReport) -> None:
        self.number = sheet_row.number
        self.values = sheet_row.values
        self.report = report
        self.columns: set[str] = set()
        for issue in sheet_row.issues:
            self.fail(issue.column, issue.message)

    def fail(self, column: str, message: str) -> None:
        if column not in self.columns:
            self.columns.add(column)
            self.report.errors.append(RowError(self.number, column, message))

    def has(self, column: str) -> bool:
        return column in self.columns

    @property
    def ok(self) -> bool:
        return not self.columns

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def name(self, column: str, label: str) -> str:
        value = self.text(column)
        if self.has(column):
            return value
        if not value:
            self.fail(column, f"请填写{label}")
        elif len(value) > _NAME_MAX:
            self.fail(column, f"{label}不能超过{_NAME_MAX}个字")
        return value

    def address(self, column: str = "地址") -> str:
        value = self.text(column)
        if len(value) > _ADDRESS_MAX:
            self.fail(column, f"地址不能超过{_ADDRESS_MAX}个字")
        return value

    def is_example(self, kind: str) -> bool:
        example = EXAMPLES[kind]
        if all(self.text(c.header) == v for c, v in zip(COLUMNS[kind], example, strict=True)):
            self.fail("", "这是模板中的示例行，请删除后再导入")
            return True
        return False


class _UnionImport:
    kind = "unions"

    def __init__(self, actor: Any, rows: list[SheetRow], report: ImportReport) -> None:
        self.actor, self.rows, self.report = actor, rows, report
        self.scope = scope_of(actor)
        self.finder = _Finder(actor, [row.values["上级工会"] for row in rows])
        # Names a row defines, by first row: to say "write the parent first" rather than "not found".
        self.first_row: dict[str, int] = {}
        for row in rows:
            self.first_row.setdefault(_fold(row.values["名称"]), row.number)
        parents = sorted({node.union.pk for nodes in self.finder.by_key.values() for node in nodes if node.union})
        self.taken: set[tuple[int, str]] = set()
        for chunk in _chunks(parents):
            self.taken |= {(pk, _fold(name)) for pk, name in
                           Union.objects.filter(parent_id__in=chunk).values_list("parent_id", "name")}
        self.seen: dict[tuple[int, str], int] = {}
        self.nodes: list[_Node] = []

    def check(self) -> None:
        for sheet_row in self.rows:
            row = _Row(sheet_row, self.report)
            if row.is_example(self.kind):
                continue
            name = row.name("名称", "名称")
            kind_text, level_text = row.text("类型"), row.text("层级")
            kind = _KIND_WORDS.get(_fold(kind_text), None) if kind_text else UnionKind.GRASSROOTS
            if kind is None and not row.has("类型"):
                row.fail("类型", f"类型“{kind_text}”不正确，应为 总工会、产业工会、工会联合会、基层工会 之一")
            level = _LEVEL_WORDS.get(_fold(level_text)) if level_text else None
            if level_text and level is None and not row.has("层级"):
                row.fail("层级", f"层级“{level_text}”不正确，应为 省级、市级、县区级、街道乡镇、基层 之一")
            region = compact(row.text("行政区划代码"))
            if region and not _REGION.fullmatch(region) and not row.has("行政区划代码"):
                row.fail("行政区划代码", f"行政区划代码“{row.text('行政区划代码')}”不正确，应为6位、9位或12位数字")
            address = row.address()
            parent = self._parent(row)
            if parent is not None and not row.has("层级"):
                level = self._level(row, parent, level, level_text)
            # A repeated union is the one already there (or defined above), not a second candidate for its name.
            if not name or (parent is not None and not row.has("名称") and self._duplicate(row, parent, name)):
                continue
            node = _Node(name, (_fold(name), *(parent.chain if parent else ())), level, row=row.number, ok=row.ok,
                         parent=parent, data={"kind": kind, "level": level, "region_code": region, "address": address})
            self.finder.add(node)
            if node.ok:
                self.nodes.append(node)
                self.report.items.append(ImportedItem(row.number, name, parent.name if parent else "",
                                                      f"{UnionKind(kind).label} · {UnionLevel(level).label}"))

    def _parent(self, row: _Row) -> _Node | None:
        ref = row.text("上级工会")
        if row.has("上级工会"):
            return None
        if not ref:
            row.fail("上级工会", "请填写上级工会（不能通过导入新建顶级工会）")
            return None
        node, reason = _resolve(self.finder, ref, scope=self.scope, roles=STRUCTURE_ROLES, later=self.first_row,
                                row=row.number)
        if node is None:
            row.fail("上级工会", reason)
        return node

    def _level(self, row: _Row, parent: _Node, level: int | None, level_text: str) -> int | None:
        if parent.level is None:
            return level
        if level is None and not level_text:
            if parent.level >= UnionLevel.GRASSROOTS:
                row.fail("层级", f"上级工会「{parent.name}」已是基层工会，不能再设下级工会")
                return None
            return parent.level + 1
        if level is not None and level <= parent.level:
            row.fail("层级", f"层级“{UnionLevel(level).label}”必须低于上级工会「{parent.name}」的层级"
                             f"（{UnionLevel(parent.level).label}）")
        return level

    def _duplicate(self, row: _Row, parent: _Node, name: str) -> bool:
        if parent.union is not None and (parent.union.pk, _fold(name)) in self.taken:
            row.fail("名称", f"上级工会「{parent.name}」下已有名为「{name}」的工会")
            return True
        key = (id(parent), _fold(name))
        if key in self.seen:
            row.fail("名称", f"与第{self.seen[key]}行重复：同一上级工会下不能有两个「{name}」")
            return True
        self.seen[key] = row.number
        return False

    def commit(self) -> list[str]:
        """Create the checked unions in file order (a parent before its children). Returns parent paths."""
        created: list[ImportedItem] = []
        paths: list[str] = []
        by_row = {item.row: item for item in self.report.items}
        for node in self.nodes:
            parent = node.parent.target if node.parent else None
            if parent is None:
                node.ok = False
                parent_name = node.parent.name if node.parent else ""
                self.report.errors.append(RowError(node.row or 0, "上级工会",
                                                   f"上级工会「{parent_name}」未能导入，本行也无法导入"))
                continue
            try:
                node.created = union_create(actor=self.actor, parent=parent, name=node.name, audited=False,
                                            **node.data)
            except DomainError as exc:  # a race since the check: the tree changed under us
                node.ok = False
                self.report.errors.append(RowError(node.row or 0, "", exc.message))
                continue
            item = by_row[node.row]
            item.uuid = node.created.uuid
            created.append(item)
            paths.append(parent.path)
        self.report.items = created
        return paths


class _EmployerImport:
    kind = "employers"

    def __init__(self, actor: Any, rows: list[SheetRow], report: ImportReport) -> None:
        self.actor, self.rows, self.report = actor, rows, report
        self.scope = scope_of(actor)
        self.finder = _Finder(actor, [row.values["所属工会"] for row in rows])
        codes: list[str] = []
        for row in rows:
            try:
                codes.append(normalize_uscc(row.values["统一社会信用代码"]))
            except InvalidCreditCode:
                continue
        self.registered: set[str] = set()
        for chunk in _chunks(sorted(set(codes))):
            self.registered |= set(Employer.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
        self.seen: dict[str, int] = {}
        self.employers: list[tuple[int, Employer]] = []

    def check(self) -> None:
        for sheet_row in self.rows:
            row = _Row(sheet_row, self.report)
            if row.is_example(self.kind):
                continue
            name = row.name("单位名称", "单位名称")
            code = self._uscc(row)
            industry = _industry(row.text("行业门类"))
            if industry is None and not row.has("行业门类"):
                row.fail("行业门类", f"行业门类“{row.text('行业门类')}”不正确，请填写 GB/T 4754 门类字母 A–T 或门类名称"
                                     "（见“填写说明”）")
            size_text = row.text("规模")
            size = _SIZE_WORDS.get(_fold(size_text)) if size_text else ""
            if size is None and not row.has("规模"):
                row.fail("规模", f"规模“{size_text}”不正确，应为 微型、小型、中型、大型 之一")
            count_text = row.text("职工人数")
            count = _count(count_text) if count_text else None
            if count_text and (count is None or count > _EMPLOYEES_MAX) and not row.has("职工人数"):
                row.fail("职工人数", f"职工人数“{count_text}”不正确，应为不小于0的整数")
            established_text = _fold(row.text("已单独建会"))
            if established_text not in _YES | _NO and not row.has("已单独建会"):
                row.fail("已单独建会", f"已单独建会“{row.text('已单独建会')}”不正确，请填写“是”或“否”")
            address = row.address()
            union = self._union(row)
            if not row.ok:
                continue
            assert union is not None and code is not None
            employer = Employer(name=name, uscc=code, industry=industry or "", size=size or "", address=address,
                                union=union, union_established=established_text in _YES, employee_count=count)
            self.employers.append((row.number, employer))
            self.report.items.append(ImportedItem(row.number, name, union.name, code))

    def _uscc(self, row: _Row) -> str | None:
        if row.has("统一社会信用代码"):
            return None
        try:
            code = normalize_uscc(row.text("统一社会信用代码"))
        except InvalidCreditCode as exc:
            row.fail("统一社会信用代码", str(exc))
            return None
        if code in self.seen:
            row.fail("统一社会信用代码", f"统一社会信用代码与第{self.seen[code]}行重复")
            return None
        self.seen[code] = row.number
        if code in self.registered:
            row.fail("统一社会信用代码", f"统一社会信用代码 {code} 已登记，不能重复导入")
            return None
        return code

    def _union(self, row: _Row) -> Union | None:
        ref = row.text("所属工会")
        if row.has("所属工会"):
            return None
        if not ref:
            row.fail("所属工会", "请填写所属工会")
            return None
        node, reason = _resolve(self.finder, ref, scope=self.scope, roles=WRITE_ROLES)
        if node is None:
            row.fail("所属工会", reason)
            return None
        return node.union

    def commit(self) -> list[str]:
        """Insert the checked employers in batches (the import's one audit row stands for them all)."""
        Employer.objects.bulk_create([employer for _, employer in self.employers], batch_size=_BATCH)
        by_row = {item.row: item for item in self.report.items}
        for number, employer in self.employers:
            by_row[number].uuid = employer.uuid
        return [employer.union.path for _, employer in self.employers]


# --- The import -------------------------------------------------------------------------------------------------


def read_workbook(kind: str, file: bytes | IO[bytes]) -> tuple[str, list[SheetRow]]:
    """The sheet read and the non-empty data rows of an upload (.xlsx, .xls or CSV: the sheet with
    the template's header, the one named as the template's first); ValidationFailed (Chinese,
    naming the sheet) when the file can't be used."""
    try:
        table = read_table(file, expected_headers=[c.header for c in COLUMNS[kind]],
                           optional_headers=IGNORED_COLUMNS[kind], sheet=SHEET_TITLES[kind], max_rows=MAX_ROWS,
                           max_bytes=MAX_UPLOAD_BYTES)
    except WorkbookError as exc:
        raise ValidationFailed(exc.message, code="bad_workbook") from None
    if not table.rows:
        raise ValidationFailed(f"{table.label}中没有数据：请在表头下方从第2行起填写，每行一条", code="empty_workbook")
    return table.sheet, table.rows


def workbook_import(*, actor: User, kind: str, file: bytes | IO[bytes], dry_run: bool,
                    filename: str = "", job: str = "",
                    progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check every row of an uploaded workbook and, unless ``dry_run``, create the valid rows.

    Preconditions: none — the actor's right to import ``kind`` is checked here (``import_gate``) and
    each row's target union against the actor's scope. Raises ValidationFailed when the file cannot
    be read as the template's table; row problems are returned in the report, never raised. A
    commit checks again inside its transaction, so a dry run's result may have gone stale.

    It runs in the worker (tasks.py, a job of core.jobs): ``progress(done, total)`` moves the bar
    (outside the commit's transaction, where the page could not see it: before and after), and
    ``job`` (the job's uuid) goes into the commit's audit row, by which a job run again after a
    killed worker finds the commit it already made.
    """
    import_gate(actor, kind)
    report_progress = progress or (lambda done, total: None)
    sheet, rows = read_workbook(kind, file)
    job_class = _UnionImport if kind == "unions" else _EmployerImport
    report = ImportReport(kind=kind, dry_run=dry_run, total=len(rows), sheet=sheet)
    steps = len(rows)
    report_progress(0, steps)
    if dry_run:
        job_class(actor, rows, report).check()
        report_progress(steps, steps)
        return report
    try:
        with transaction.atomic():
            work = job_class(actor, rows, report)
            work.check()
            paths = work.commit()
            detail = {"file": filename[:120], "total": report.total, "valid": report.valid,
                      "created": report.created, "invalid": report.error_rows}
            audit.record(f"import.{kind}", actor=actor, union=_common_union(paths),
                         detail={**detail, "job": job} if job else detail)
    except IntegrityError:
        raise Conflict("导入时数据发生了变化（可能有人同时登记了相同的单位），本次未导入任何数据，请重新导入") from None
    report_progress(steps, steps)
    return report


# --- Uploads waiting for the worker ------------------------------------------------------------------------------
# An upload waits in MEDIA_ROOT/imports under a random name (the token) that only its job knows: the
# check job reads it and keeps it for the confirmation, the commit job takes it (a rename, once) and
# deletes it when done. Files left by abandoned checks are swept on each upload after KEEP_SECONDS.

KEEP_SECONDS = 6 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _uploads() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_keep(content: bytes) -> str:
    """Keep an upload for its job; returns its token. Sweeps uploads older than KEEP_SECONDS."""
    folder = _uploads()
    cutoff = time.time() - KEEP_SECONDS
    for entry in os.scandir(folder):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue
    token = secrets.token_urlsafe(32)
    fd = os.open(folder / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return token


def upload_read(token: str) -> bytes | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    try:
        return (_uploads() / f"{token}.xlsx").read_bytes()
    except OSError:
        return None


def upload_exists(token: str) -> bool:
    return bool(_TOKEN.fullmatch(token or "")) and (_uploads() / f"{token}.xlsx").exists()


def upload_take(token: str) -> str | None:
    """Move a waiting upload to a new token (once: a second caller gets None)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    fresh = secrets.token_urlsafe(32)
    try:
        os.rename(_uploads() / f"{token}.xlsx", _uploads() / f"{fresh}.xlsx")
    except OSError:
        return None
    return fresh


def upload_drop(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        (_uploads() / f"{token}.xlsx").unlink(missing_ok=True)
