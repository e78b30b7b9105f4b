"""Checking rows: the roster's columns and the row checker.

``COLUMNS`` is the roster's layout (header, aliases accepted in a file, the notes of the template);
``_find_header`` finds it in a sheet. ``_Checker`` validates one row at a time without database
access and turns a valid row into a record (the ``R_*`` positions), the form in which rows are
staged between the check and the commit; ``_Employers`` resolves the employer references of many
rows at once. The database checks of whole batches (jobs._resolve) come after.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from gonghui.core.validation import person_name_error
from gonghui.lib import crypto
from gonghui.lib.idcard import InvalidIdNumber, parse_id_number
from gonghui.lib.phone import InvalidPhone, normalize_phone
from gonghui.lib.uscc import InvalidCreditCode, normalize_uscc
from gonghui.unions.models import Employer, Union

from ...models import Education, EmploymentForm, GigOccupation, HardshipLevel, Household, ModelWorkerLevel
from .values import (
    _EDUCATION_WORDS,
    _FORM_WORDS,
    _GIG_WORDS,
    _HARDSHIP_WORDS,
    _HOUSEHOLD_WORDS,
    _MODEL_WORDS,
    _NONE_WORDS,
    _flag,
    _fold,
    _word,
    echo,
    parse_date,
    pinyin_keys,
)
from .writing import _chunks
from .xlsx import RosterFileError, SheetRow, column_letters

MIN_AGE = 16
# The ID numbers of the template's example rows (jobs.EXAMPLES): a row carrying one is skipped.
_EXAMPLE_IDS = ("630102199003071236", "630102199506112345")


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
    Column("gender", "性别", False,
           "男 或 女；可留空。性别以身份证号码为准：填写的与号码不一致时只提示，不影响导入"),
)
HEADERS = tuple(c.header for c in COLUMNS)
_K = {c.key: i for i, c in enumerate(COLUMNS)}
_HEADER_OF = {c.key: c.header for c in COLUMNS}


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(ch for ch in text if not ch.isspace()).strip("*").replace("（必填）", "").replace("(必填)", "")


_HEADER_WORDS: dict[str, int] = {}
for _index, _column in enumerate(COLUMNS):
    for _alias in (_column.header, *_column.aliases):
        _HEADER_WORDS[_header_key(_alias)] = _index


# --- Checking rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


# A checked row, as staged between the check and the commit (a list, for compact JSON). R_NEW is
# added when the row is staged: 1 when the check found nobody in the registry with this ID number
# (the commit then lets the unique ID index tell it whether someone registered meanwhile), 0 for a
# member to update; a row staged before the flag existed has no R_NEW and is looked up again.
(R_ROW, R_NAME, R_ID, R_ID_INDEX, R_PHONE, R_PHONE_INDEX, R_GENDER, R_BIRTH, R_EMPLOYER, R_FORM, R_GIG, R_EDUCATION,
 R_HOUSEHOLD, R_JOIN, R_MODEL, R_CRAFTSMAN, R_HARDSHIP, R_REPRESENTATIVE, R_PINYIN, R_INITIALS, R_NEW) = range(21)


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


_GENDER_WORDS = {"男": "M", "女": "F", "男性": "M", "女性": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
_GENDER_LABEL = {"M": "男", "F": "女"}


class _Checker:
    """Validates rows one at a time (no database access); cross-row and database checks come after."""

    def __init__(self, header: dict[int, int], labels: dict[int, str], today: date) -> None:
        self.header = header  # sheet column index → COLUMNS index
        self.labels = labels  # COLUMNS index → the header text as written in the file
        self.today = today
        self.seen: dict[str, int] = {}  # id_index → first row
        self.probes: list[list[Any]] = []  # rows with errors, shaped like records for _resolve
        self.warnings: list[RowError] = []  # what is worth a look but does not refuse the row
        self.id_index = crypto.blind_indexer("id")  # the key read once, not once per row
        self.phone_index = crypto.blind_indexer("phone")

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
        problem = person_name_error(name)
        if any(ch.isdigit() for ch in name):  # a real name has none: an ID number or phone in the wrong column
            problem = "姓名中不能含有数字，请检查是否填错了列"
        if problem:
            fail("name", problem)
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
        id_index = self.id_index(identity.number) if identity is not None else None
        if id_index is not None:
            first = self.seen.get(id_index)
            if first is not None:
                fail("id_number", f"身份证号码与第 {first} 行重复")
            else:
                self.seen[id_index] = n
        gender_text = values[_K["gender"]]
        if identity is not None and gender_text and _GENDER_WORDS.get(_fold(gender_text)) != identity.gender:
            self.warnings.append(RowError(n, self.labels.get(_K["gender"], "性别"),
                                          f"性别填写为“{echo(gender_text)}”，与身份证号码不符（号码为"
                                          f"{_GENDER_LABEL[identity.gender]}性），已按身份证号码登记"))
        if errors or identity is None:
            # Still worth the database's checks (employer, member elsewhere), so that the report
            # lists every problem of the row at once.
            self.probes.append([n, "", "", id_index, "", None, "", "", values[_K["employer"]] or ""])
            return None, errors
        pinyin, initials = pinyin_keys(name)
        record = [
            n, name, identity.number, id_index, phone, self.phone_index(phone) if phone else None,
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
