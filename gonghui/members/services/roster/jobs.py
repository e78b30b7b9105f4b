"""Roster import jobs (花名册导入): the template, the dry run and the commit.

The flow, one ``RosterImport`` row per upload:

    roster_upload   → uploaded   the file is kept (MEDIA_ROOT/imports/…) until it has been checked
    roster_check    → checked    every row validated; the report (row, column, Chinese message) is
                                 stored on the job; the valid rows are staged, encrypted, and the
                                 uploaded file is deleted
    roster_commit   → done       all staged rows written in ONE transaction, set-based

Also here: giving up a checked import (roster_discard), expiring abandoned ones (roster_sweep), and
who may import where (can_import, import_unions, roster_imports).

Why stage instead of reading the file again at commit: reading and validating is most of the work;
doing it once keeps the commit transaction short (on SQLite it holds the only write lock), and no
plaintext file with ID numbers stays on disk after the check. What can change between check and
commit (someone joined meanwhile, an employer was moved) lives in the database, and the commit
checks those facts again inside its transaction.

Progress: the check reports progress (``processed_rows``) as it goes, because it is not one
transaction. The commit is one transaction, so a progress counter written inside it would not be
visible to the page polling it until the very end; the page shows "导入中" (the status is set before
the transaction starts) and then the result. Both run as jobs in the worker (members/tasks.py).

Memory: both go a chunk of CHUNK_ROWS rows at a time — the check reads, checks (row by row, then
against the database) and stages each chunk before the next, the commit writes the staged chunks
one after the other inside its one transaction — so a 200,000-row file costs little more than a
5,000-row one beyond the reader itself and the cross-row duplicate checks.
"""

from __future__ import annotations

import base64
import json
import logging
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from gonghui.core import audit, jobs
from gonghui.core.errors import Conflict
from gonghui.core.scope import DATA_ROLES, WRITE_ROLES, scope_of
from gonghui.core.transitions import transition
from gonghui.lib import crypto, excel
from gonghui.lib.excel import write_template
from gonghui.unions.models import Union

from ...models import (
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
from .checking import (
    _EXAMPLE_IDS,
    _HEADER_OF,
    _K,
    COLUMNS,
    HEADERS,
    R_BIRTH,
    R_CRAFTSMAN,
    R_EDUCATION,
    R_EMPLOYER,
    R_FORM,
    R_GENDER,
    R_GIG,
    R_HARDSHIP,
    R_HOUSEHOLD,
    R_ID,
    R_ID_INDEX,
    R_INITIALS,
    R_JOIN,
    R_MODEL,
    R_NAME,
    R_NEW,
    R_PHONE,
    R_PHONE_INDEX,
    R_PINYIN,
    R_REPRESENTATIVE,
    R_ROW,
    RowError,
    _Checker,
    _Employers,
    _find_header,
)
from .values import _fold, echo
from .writing import _chunks, _max_params, bulk_insert, insert_members
from .xlsx import (
    MAX_UPLOAD_BYTES,
    NOTES_TITLE,
    SHEET_TITLE,
    STOP_AFTER_EMPTY,
    RosterFileError,
    SheetRow,
    column_letters,
    roster_rows,
    upload_kind,
)

if TYPE_CHECKING:
    from gonghui.accounts.models import User

logger = logging.getLogger("gonghui.members.roster")

MAX_ROWS = 200_000
MAX_ERRORS = 1000  # errors kept on the job; the count of rows with errors is always exact
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row ("某某公司工会会员花名册")
PROGRESS_EVERY = 2000
TEMPLATE_FILENAME = "会员花名册导入模板.xlsx"


# --- Template ------------------------------------------------------------------------------------------

EXAMPLES = (
    ("张三", _EXAMPLE_IDS[0], "13900000000", "某某科技有限公司", "单位职工", "", "本科", "非农业户口", "2024-03-01",
     "", "否", "", "否", "男"),
    ("李四", _EXAMPLE_IDS[1], "13900000001", "", "新就业形态劳动者", "外卖送餐员", "高中/中专/技校", "农业户口",
     "2024/3/1", "", "否", "一般困难", "否", "女"),
)


TEMPLATE_WIDTHS = [10, 22, 14, 30, 18, 16, 16, 12, 12, 10, 8, 10, 10, 6]


def template_build() -> bytes:
    """The fill-in template: header, two grey example rows, drop-downs, and a 填写说明 sheet."""
    notes: list[tuple[str, str, str]] = [(c.header, "必填" if c.required else "选填", c.note) for c in COLUMNS]
    notes += [
        ("（通用）", "", "第1行是表头，请勿修改；灰色的示例行导入前请删除（不删除也不会被导入）。"),
        ("（通用）", "", "每行一人，中间不要留空行；不要合并单元格；公式请改为直接填写内容。"),
        ("（通用）", "", f"一次最多导入 {MAX_ROWS} 行，文件不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，"
                        "保存为 Excel 工作簿（.xlsx 或 .xls）或 CSV 文件（UTF-8 或 GBK 编码均可）。"),
        ("（通用）", "", "上传后系统先逐行检查并列出问题（行号、列、原因），确认后一次性导入所有检查通过的行，"
                        "有问题的行不会导入。"),
        ("（通用）", "", "已是本工会会员的（按身份证号码识别）会更新其信息；已是其他工会会员的不能导入，"
                        "请办理会籍转移。"),
    ]
    choices = {
        _K["employment_form"]: EmploymentForm.labels, _K["gig_occupation"]: GigOccupation.labels,
        _K["education"]: Education.labels, _K["household"]: Household.labels,
        _K["model_worker"]: ModelWorkerLevel.labels, _K["craftsman"]: ["是", "否"],
        _K["hardship"]: HardshipLevel.labels, _K["representative"]: ["是", "否"], _K["gender"]: ["男", "女"],
    }
    return write_template(title=SHEET_TITLE, header=HEADERS, examples=EXAMPLES, notes=notes, notes_title=NOTES_TITLE,
                          text_columns=[_K["id_number"], _K["phone"], _K["join_date"]], choices=choices,
                          widths=TEMPLATE_WIDTHS)


# --- Uploading, checking, committing -----------------------------------------------------------------------


def roster_upload(*, actor: User, union: Union, content: bytes, filename: str = "") -> RosterImport:
    """Keep an upload for checking. Preconditions: the actor may do day-to-day work at ``union``
    (access_union_for_work). Refuses at once what is plainly not an .xlsx, .xls or CSV file, is empty
    or too big (by content, whatever its name); the rest is the check's."""
    kind = upload_kind(content)
    job = RosterImport(union=union, created_by=actor, original_name=(filename or "")[:200])
    job.file.save(f"{job.uuid}.{kind}", ContentFile(content), save=False)
    job.save()
    return job


def _progress(job: RosterImport, **fields: Any) -> None:
    """The running counters of a job in a working state (the page polls them); no status."""
    for name, value in fields.items():
        setattr(job, name, value)
    RosterImport.objects.filter(pk=job.pk).update(**fields)
    jobs.report(job.processed_rows, job.total_rows)  # the background job's bar, estimate and heartbeat


NOT_NOW = "这次导入的状态已变化，请刷新后查看"


def _advance(job: RosterImport, to: str, *, from_: str | None = None, **changes: Any) -> None:
    """A job's own progress status (checking → checked, committing → done, … → failed). ``from_``
    guards the move out of a working state; without it the job ends up in ``to`` whatever it was in
    (the error paths, as before)."""
    transition(job, to=to, from_=from_, changes=changes, stamp=None, message=NOT_NOW)


def _staged_name(job: RosterImport) -> str:
    return f"imports/roster/{job.uuid}.rows"


class _Stage:
    """The checked rows, written chunk by chunk while the check goes (never all in memory): one line
    per chunk, each compressed and encrypted with the field key (they hold ID numbers). A file of
    one line (an import staged before chunks) reads the same way."""

    def __init__(self, job: RosterImport) -> None:
        self.job = job
        self.buffer = tempfile.SpooledTemporaryFile(max_size=8 << 20)
        self.rows = 0

    def add(self, records: list[list[Any]]) -> None:
        if not records:
            return
        packed = zlib.compress(json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode(), 1)
        self.buffer.write(crypto.encrypt(base64.b64encode(packed).decode()).encode() + b"\n")
        self.rows += len(records)

    def save(self) -> None:
        name = _staged_name(self.job)
        default_storage.delete(name)
        if self.rows:
            self.buffer.seek(0)
            default_storage.save(name, File(self.buffer))
        self.buffer.close()

    def close(self) -> None:
        self.buffer.close()


def _stage_chunks(job: RosterImport) -> Iterator[list[list[Any]]]:
    """The staged rows, one chunk at a time, in row order."""
    try:
        handle = default_storage.open(_staged_name(job))
    except OSError:
        raise Conflict("待导入的数据已失效，请重新上传文件", code="import_expired") from None
    with handle:
        for line in handle:
            sealed = line.strip()
            if sealed:
                yield json.loads(zlib.decompress(base64.b64decode(crypto.decrypt(sealed.decode()))))


def _discard_upload(job: RosterImport) -> None:
    if job.file:
        try:
            job.file.delete(save=False)
        except OSError:  # pragma: no cover - already gone
            pass
        RosterImport.objects.filter(pk=job.pk).update(file="")


def _union_label(actor: User, union: Union | None) -> str:
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


def _resolve(job: RosterImport, actor: User, records: list[list[Any]], *, fields: Sequence[str] = (),
             probe: bool = False, trust_new: bool = False) -> tuple[_Outcome, dict[int, dict[str, Any]]]:
    """The database checks, set-based. A new member joins the union of the employer given (which
    must be registered within the job union's subtree), else the job's union. A person already in
    the registry is updated when their union lies within the job union's subtree, and refused when
    they belong to another branch (that is a transfer). Returns the outcome and the existing
    members' current values (``fields``) by primary key. Records are not modified. ``probe``: the
    rows already failed; only collect their database problems (employer, member elsewhere).

    ``trust_new`` (the commit): the rows the check found nobody for (R_NEW) are not looked up again
    and become new members; the caller must let the unique ID index refuse any that someone
    registered meanwhile and then resolve again without it (see _write)."""
    employers = _Employers.load(job.union, {r[R_EMPLOYER] for r in records if r[R_EMPLOYER]})
    outcome = _Outcome([], [], [], {}, {})
    existing: dict[str, dict[str, Any]] = {}
    wanted = ["pk", "id_index", "union_id", "union__path", "status", *fields]
    size = min(10_000, _max_params(connections[router.db_for_write(Member)]) - 10)
    looked_up = [r[R_ID_INDEX] for r in records if r[R_ID_INDEX] and not (trust_new and _new_at_check(r))]
    for chunk in _chunks(looked_up, size):
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


def _new_at_check(record: list[Any]) -> bool:
    """Whether the check found nobody in the registry with this row's ID number (R_NEW)."""
    return len(record) > R_NEW and record[R_NEW] == 1


def roster_check(*, job: RosterImport) -> RosterImport:
    """The dry run: read and validate every row, write nothing but the job's report and the staged
    rows. Idempotent: a job that is no longer 'uploaded' is returned as it is."""
    try:
        transition(job, to=ImportStatus.CHECKING, from_=[ImportStatus.UPLOADED], changes={"processed_rows": 0},
                   stamp=None)
    except Conflict:
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    try:
        _check(job)
    except RosterFileError as exc:
        _advance(job, ImportStatus.FAILED, message=exc.message[:300], finished_at=timezone.now())
    except Exception:
        logger.exception("roster check failed for import %s", job.uuid)
        _advance(job, ImportStatus.FAILED, message="检查时出现意外错误，请稍后重新上传；如仍失败请联系管理员",
                 finished_at=timezone.now())
    finally:
        _discard_upload(job)
    return job


def open_roster(content: bytes) -> tuple[excel.Table, dict[int, int], dict[int, str]]:
    """The sheet holding the roster (the one named 会员名册 first, then any whose first rows have a
    header with 姓名 and 身份证号码: a cover page is passed over), its column map and labels."""
    found: list[tuple[dict[int, int], dict[int, str]]] = []

    def accept(cells: list[Any]) -> bool:
        header = _find_header(SheetRow(0, {i: v for i, v in enumerate(cells) if isinstance(v, str) and v}, {}))
        if header is not None:
            found.append(header)
        return header is not None

    try:
        table = excel.open_table(content, accept=accept, prefer_sheet=SHEET_TITLE, skip_sheets=(NOTES_TITLE,),
                                 search_rows=HEADER_SEARCH_ROWS, max_bytes=MAX_UPLOAD_BYTES)
    except excel.HeaderNotFound as exc:
        where = "、".join(f"“{name}”" for name in exc.sheets)
        expected = "、".join(c.header for c in COLUMNS)
        raise RosterFileError(
            f"找不到表头：{'工作表' + where if where else 'CSV 文件'}的前 {HEADER_SEARCH_ROWS} 行中没有包括“姓名”和"
            f"“身份证号码”两列的表头。模板的表头是：{expected}。请使用下载的导入模板填写") from None
    except excel.WorkbookError as exc:
        raise RosterFileError(exc.message) from None
    header, labels = found[-1]
    return table, header, labels


CHUNK_ROWS = 5000  # rows read, checked against the database and staged together


@dataclass
class _Tally:
    """What the check keeps of the rows it has passed: counts, the problems, the failing rows."""

    errors: list[RowError]
    error_rows: set[int]
    valid: int = 0
    creates: int = 0
    updates: int = 0
    unchanged: int = 0


def _check(job: RosterImport) -> None:
    """Read and check the upload in chunks of CHUNK_ROWS rows: each chunk is checked row by row,
    then against the database (``_resolve``), and its valid rows are staged; only the counts, the
    problems and what the cross-row checks need (the checker's ID numbers and phones seen) stay in
    memory, so the worker's memory does not grow with the file's length."""
    with job.file.open("rb") as handle:
        content = handle.read(MAX_UPLOAD_BYTES + 1)
    table, header, labels = open_roster(content)
    checker = _Checker(header, labels, timezone.localdate())
    where = table.label
    tally = _Tally(errors=[], error_rows=set())
    stage = _Stage(job)
    seen_rows = 0
    records: list[list[Any]] = []
    numbers: list[int] = []
    estimate = max(table.height - table.header_row, 0)
    _progress(job, sheet_name=table.sheet[:100], total_rows=min(estimate, MAX_ROWS))
    try:
        for row in roster_rows(table, frozenset(header)):
            seen_rows += 1
            if seen_rows > MAX_ROWS:
                raise RosterFileError(f"{where}中的数据超过 {MAX_ROWS} 行，一次最多导入 {MAX_ROWS} 行数据，"
                                      "请拆分成几个文件分批导入")
            numbers.append(row.number)
            record, row_errors = checker.check(row)
            if record is not None:
                records.append(record)
            if row_errors:
                tally.errors.extend(row_errors)
                tally.error_rows.add(row.number)
            if seen_rows % PROGRESS_EVERY == 0:
                _progress(job, processed_rows=seen_rows, total_rows=max(min(estimate, MAX_ROWS), seen_rows))
            if len(numbers) >= CHUNK_ROWS:
                _check_chunk(job, table, checker, records, numbers, tally, stage)
                records, numbers = [], []
        _check_chunk(job, table, checker, records, numbers, tally, stage)
        del records, numbers
        stage.save()
    finally:
        stage.close()
    errors = tally.errors
    probes = [p for p in checker.probes if p[R_EMPLOYER] or p[R_ID_INDEX]]
    if probes:
        duplicates = {(e.row, e.column) for e in errors}
        more = _resolve(job, job.created_by, probes, probe=True)[0].errors
        errors.extend(e for e in more if (e.row, e.column) not in duplicates)
    errors.sort(key=lambda e: (e.row, e.column))
    error_rows = tally.error_rows
    warnings = [w for w in checker.warnings if w.row not in error_rows]
    problem_rows = _problems_save(job, content, error_rows, errors) if error_rows else 0
    message = f"读取的是{where}。" if table.sheet and table.sheet != SHEET_TITLE else ""
    if table.stopped_early:
        message += f"{where}中连续 {STOP_AFTER_EMPTY} 行为空，之后的内容未读取。"
    if len(errors) > MAX_ERRORS:
        message += f"问题共 {len(errors)} 条，仅列出前 {MAX_ERRORS} 条。"
    _advance(job, ImportStatus.CHECKED, from_=ImportStatus.CHECKING, total_rows=seen_rows, processed_rows=seen_rows,
             valid_rows=tally.valid, error_rows=len(error_rows), created_count=tally.creates,
             updated_count=tally.updates - tally.unchanged, unchanged_count=tally.unchanged,
             errors=[e.as_dict() for e in errors[:MAX_ERRORS]], warnings=[w.as_dict() for w in warnings[:MAX_ERRORS]],
             problem_rows=problem_rows, message=message[:300], finished_at=timezone.now())


def _check_chunk(job: RosterImport, table: excel.Table, checker: _Checker, records: list[list[Any]],
                 numbers: list[int], tally: _Tally, stage: _Stage) -> None:
    """One chunk's merged cells and database checks; its valid rows staged, in row order."""
    # Merged cells: a covered cell holds nothing although Excel shows a value.
    merged = _merge_errors(table.merges, numbers, checker) if table.merges else []
    if merged:
        tally.errors.extend(merged)
        bad = {e.row for e in merged}
        tally.error_rows |= bad
        records = [r for r in records if r[R_ROW] not in bad]
    if not records:
        return
    outcome, existing = _resolve(job, job.created_by, records, fields=_UPDATE_FIELDS)
    tally.errors.extend(outcome.errors)
    tally.error_rows |= {e.row for e in outcome.errors}
    for record in outcome.creates:
        record.append(1)  # R_NEW: nobody has this ID number yet
    for record, _ in outcome.updates:
        record.append(0)
    valid = [*outcome.creates, *(record for record, _ in outcome.updates)]
    valid.sort(key=lambda r: r[R_ROW])
    stage.add(valid)
    tally.valid += len(valid)
    tally.creates += len(outcome.creates)
    tally.updates += len(outcome.updates)
    tally.unchanged += sum(1 for record, pk in outcome.updates if _unchanged(record, existing[pk], outcome))


# --- The problem rows, back to the staff as a workbook ---------------------------------------------------------

PROBLEMS_FILENAME = "花名册导入-有问题的行.xlsx"
PROBLEM_COLUMN = "问题"
ROW_COLUMN = "原行号"


def _problems_name(job: RosterImport) -> str:
    return f"imports/roster/{job.uuid}.problems"


def _problems_save(job: RosterImport, content: bytes, error_rows: set[int], errors: list[RowError]) -> int:
    """The refused rows as typed (every template column, in the template's order), each with a 问题
    column saying what to fix and its row number in the upload: fixed, the file re-imports as it is.
    Built in the worker beside the check (a second read of the upload, only when rows were
    refused) and kept encrypted (it holds ID numbers) until the job is swept."""
    table, header, _ = open_roster(content)
    problems: dict[int, list[str]] = {}
    for error in errors:
        problems.setdefault(error.row, []).append(f"{error.column}：{error.message}" if error.column else error.message)
    by_target = {target: index for index, target in header.items()}

    def rows() -> Iterator[list[Any]]:
        for row in roster_rows(table, frozenset(header)):
            if row.number not in error_rows:
                continue
            cells = []
            for target in range(len(COLUMNS)):
                value = row.values.get(by_target.get(target, -1), "")
                cells.append(value.isoformat() if isinstance(value, date) else excel.cell_text(value))
            yield [*cells, "；".join(problems.get(row.number, [])), row.number]

    with excel.spooled() as buffer:
        count = excel.write_workbook_to(buffer, [(SHEET_TITLE, [*HEADERS, PROBLEM_COLUMN, ROW_COLUMN], rows())],
                                        widths={SHEET_TITLE: [*TEMPLATE_WIDTHS, 60, 8]},
                                        text_columns={SHEET_TITLE: [_K["id_number"], _K["phone"], _K["join_date"]]})
        buffer.seek(0)
        sealed = crypto.encrypt(base64.b64encode(zlib.compress(buffer.read(), 1)).decode())
    name = _problems_name(job)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(sealed.encode()))
    return count


def problems_workbook(job: RosterImport) -> bytes:
    """The problem-rows workbook of a checked or finished job. Preconditions: gated with write=True;
    the caller writes the audit row (it holds full ID numbers). Conflict when there is none (any more)."""
    if not job.problem_rows:
        raise Conflict("这次导入没有有问题的行", code="no_problem_rows")
    try:
        with default_storage.open(_problems_name(job)) as handle:
            sealed = handle.read().decode()
    except OSError:
        raise Conflict("有问题的行已过期删除，请重新上传文件检查", code="import_expired") from None
    return zlib.decompress(base64.b64decode(crypto.decrypt(sealed)))


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


def roster_commit(*, job: RosterImport, actor: User) -> RosterImport:
    """Write every staged row in one transaction: new members (with card numbers and a history row),
    and updates of members already in the same union. One audit row for the whole import.

    Preconditions: the job passed the check (status 'checked') and the actor may work at its union.
    Raises Conflict when the job is not waiting to be committed (committed twice, still checking).
    """
    try:
        transition(job, to=ImportStatus.COMMITTING, from_=[ImportStatus.CHECKED], changes={"message": ""}, stamp=None)
    except Conflict:
        job.refresh_from_db()
        if job.status in (ImportStatus.COMMITTING, ImportStatus.DONE):
            return job  # a repeated task or a double click: already under way or done
        raise Conflict("这次导入当前不能提交（可能仍在检查或已失败），请刷新后查看") from None
    job.refresh_from_db()
    try:
        chunks = _stage_chunks(job) if job.valid_rows else iter(())
        with _page_cache(Member), transaction.atomic():
            # One transaction, written a staged chunk at a time (memory stays flat): all or nothing.
            created = updated = unchanged = 0
            late: list[RowError] = []
            for chunk in chunks:
                more = _write(job, actor, chunk)
                created, updated, unchanged = created + more[0], updated + more[1], unchanged + more[2]
                late.extend(more[3])
                # The bar: inside this transaction, so core.jobs sends it round it (jobs.report).
                jobs.report(created + updated + unchanged + len({e.row for e in late}), job.valid_rows)
            errors = sorted([*(RowError(**e) for e in job.errors), *late], key=lambda e: (e.row, e.column))
            audit.record("member.import", actor=actor, obj=job, union=job.union, detail={
                "import": str(job.uuid), "file": job.original_name[:100], "created": created, "updated": updated,
                "unchanged": unchanged, "error_rows": job.error_rows + len({e.row for e in late})})
            _advance(job, ImportStatus.DONE, from_=ImportStatus.COMMITTING, created_count=created,
                     updated_count=updated, unchanged_count=unchanged, valid_rows=created + updated + unchanged,
                     error_rows=job.error_rows + len({e.row for e in late}),
                     errors=[e.as_dict() for e in errors[:MAX_ERRORS]], finished_at=timezone.now())
    except IntegrityError:
        # Someone registered one of these people between our checks and the insert: nothing was
        # written; the next attempt re-checks against the database as it is then.
        _advance(job, ImportStatus.CHECKED, message="导入时有人同时登记了其中的会员，本次未写入任何数据，请重新提交")
        return job
    except Conflict:
        _advance(job, ImportStatus.FAILED, message="待导入的数据已失效，请重新上传文件")
        raise
    except Exception:
        logger.exception("roster commit failed for import %s", job.uuid)
        _advance(job, ImportStatus.CHECKED, message="导入时出现意外错误，没有写入任何数据，请稍后重试")
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


def _write(job: RosterImport, actor: User, records: list[list[Any]]) -> tuple[int, int, int, list[RowError]]:
    """Write one staged chunk; returns (created, updated, unchanged, rows refused now).

    The check's duplicate look-up is not done again for the rows it found nobody for: whether
    someone registered one of those people since is exactly what the unique ID index
    (member_unique_id_index) decides when they are inserted. Should it refuse one, this chunk's
    writes go back to a savepoint and the chunk is resolved again with every row looked up, so the
    member found is updated or the row refused as the check would have done; nothing is lost but
    the time. Everything else the rows depend on (the employers, and for the members to update
    their union, status and values) is read again in both cases."""
    try:
        with transaction.atomic():
            return _write_resolved(job, actor, records, trust_new=True)
    except IntegrityError:
        logger.info("roster import %s: someone registered a member since the check; resolving the chunk again",
                    job.uuid)
    return _write_resolved(job, actor, records, trust_new=False)


def _write_resolved(job: RosterImport, actor: User, records: list[list[Any]], *,
                    trust_new: bool) -> tuple[int, int, int, list[RowError]]:
    outcome, existing = _resolve(job, actor, records, fields=_UPDATE_FIELDS, trust_new=trust_new)
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
    unchanged = 0
    for record, pk in outcome.updates:
        current = existing[pk]
        wanted = _wanted(record, current, outcome)
        if all(current[key] == value for key, value in wanted.items()):
            unchanged += 1
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
    return len(new_rows), len(outcome.updates) - unchanged, unchanged, outcome.errors


def _wanted(record: list[Any], current: dict[str, Any], outcome: _Outcome) -> dict[str, Any]:
    """What a member already on record becomes: a blank optional cell keeps what is on record; the
    four tags are what the roster says."""
    employer_id = outcome.employer_of[record[R_ROW]]
    return {
        "name": record[R_NAME], "phone_index": record[R_PHONE_INDEX] or current["phone_index"],
        "employer_id": employer_id if employer_id is not None else current["employer_id"],
        "employment_form": record[R_FORM], "gig_occupation": record[R_GIG],
        "education": record[R_EDUCATION] or current["education"],
        "household": record[R_HOUSEHOLD] or current["household"],
        "join_date": date.fromisoformat(record[R_JOIN]) if record[R_JOIN] else current["join_date"],
        "model_worker_level": record[R_MODEL], "craftsman": record[R_CRAFTSMAN],
        "hardship_level": record[R_HARDSHIP], "worker_representative": record[R_REPRESENTATIVE],
    }


def _unchanged(record: list[Any], current: dict[str, Any], outcome: _Outcome) -> bool:
    return all(current[key] == value for key, value in _wanted(record, current, outcome).items())


def roster_discard(*, job: RosterImport, actor: User) -> RosterImport:
    """Give up a checked import: the staged rows are deleted, nothing is written."""
    transition(job, to=ImportStatus.FAILED, from_=[ImportStatus.CHECKED], stamp=None,
               changes={"message": "已放弃本次导入，没有写入任何数据", "finished_at": timezone.now()},
               message="这次导入当前不能放弃，请刷新后查看")
    default_storage.delete(_staged_name(job))
    default_storage.delete(_problems_name(job))
    RosterImport.objects.filter(pk=job.pk).update(problem_rows=0)
    job.refresh_from_db()
    return job


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
        try:
            transition(job, to=ImportStatus.FAILED, from_=[job.status], stamp=None, changes={
                "finished_at": timezone.now(), "message": "超过24小时未完成，已作废；待导入的数据已删除，请重新上传"})
        except Conflict:
            continue  # it moved on meanwhile (a worker picked it up, or finished it)
        default_storage.delete(_staged_name(job))
        default_storage.delete(_problems_name(job))
        _discard_upload(job)
        count += 1
    # The problem rows of finished imports (they hold ID numbers) go after the same day.
    for job in RosterImport.objects.filter(created_at__lt=cutoff, problem_rows__gt=0).only("pk", "uuid").iterator():
        default_storage.delete(_problems_name(job))
        RosterImport.objects.filter(pk=job.pk).update(problem_rows=0)
    return count


def stale(job: RosterImport) -> bool:
    """A job in a working state for over an hour (a worker died): the page offers a fresh upload."""
    working = job.status in (ImportStatus.CHECKING, ImportStatus.COMMITTING, ImportStatus.UPLOADED)
    return working and timezone.now() - job.created_at > timedelta(hours=1)
