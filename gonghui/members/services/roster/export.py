"""The member export (.xlsx): the member list with the import template's headers, so that an
unmasked export re-imports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any

from .xlsx import SHEET_TITLE

# --- Export ------------------------------------------------------------------------------------------------

EXPORT_MAX_ROWS = 200_000
EXPORT_HEADER = ["姓名", "身份证号码", "手机号码", "性别", "出生日期", "所在工会", "工作单位", "就业形态",
                 "新就业形态职业", "学历", "户籍类型", "入会日期", "会籍状态", "劳模", "工匠", "困难职工", "职工代表",
                 "会员卡号"]
EXPORT_WIDTHS = [10, 22, 14, 6, 12, 28, 30, 18, 14, 14, 12, 12, 10, 10, 6, 10, 8, 20]


_FIELDS = ("name", "id_number", "phone", "gender", "birth_date", "union__name", "employer__name", "employment_form",
           "gig_occupation", "education", "household", "join_date", "status", "model_worker_level", "craftsman",
           "hardship_level", "worker_representative", "card_no")
_CHOICES = ("gender", "employment_form", "gig_occupation", "education", "household", "status", "model_worker_level",
            "hardship_level")


def export_rows(qs: Any, *, unmasked: bool) -> Iterator[list[Any]]:
    """The export's rows; the headers match the import template's, so an unmasked export re-imports.
    Plain tuples (``values_list``: the two encrypted fields decrypted by their converters), choice
    labels from dictionaries: building model instances cost more than writing the rows."""
    from gonghui.lib.masking import mask_id_number, mask_phone

    from ...models import Member

    labels = {name: {value: str(label) for value, label in Member._meta.get_field(name).flatchoices}
              for name in _CHOICES}
    gender, form, gig, education, household, status, model, hardship = (labels[n] for n in _CHOICES)
    yes = {True: "是", False: "否"}
    for (name, id_number, phone, sex, birth, union, employer, employment, occupation, school, home, joined, state,
         level, craftsman, hard, representative, card) in qs.values_list(*_FIELDS).iterator(chunk_size=2000):
        yield [name, id_number if unmasked else mask_id_number(id_number), phone if unmasked else mask_phone(phone),
               gender.get(sex, sex or ""), birth, union, employer or "", form.get(employment, employment or ""),
               gig.get(occupation, occupation or ""), education.get(school, school or ""),
               household.get(home, home or ""), joined, status.get(state, state or ""), model.get(level, level or ""),
               yes[craftsman], hardship.get(hard, hard or ""), yes[representative], card or ""]


def export_write(qs: Any, *, unmasked: bool, target: IO[bytes],
                 progress: Callable[[int], None] | None = None) -> int:
    """Write the member list as .xlsx into ``target`` (a file opened for binary writing), masked
    unless ``unmasked``; returns the number of rows. Memory stays flat whatever the size: rows are
    read from the database in chunks and written through openpyxl's write-only mode, which keeps
    the sheet in a temporary file, never the whole workbook in memory. ``progress`` is told the rows
    written so far every 2,000 rows and at the end (a job's bar). Preconditions: ``qs`` came from
    member_search (so from visible_to), and the caller writes the audit row."""
    from gonghui.lib.excel import write_workbook_to

    rows = export_rows(qs, unmasked=unmasked)
    if progress is not None:
        rows = _counted(rows, progress)
    return write_workbook_to(target, [(SHEET_TITLE, EXPORT_HEADER, rows)],
                             widths={SHEET_TITLE: EXPORT_WIDTHS}, text_columns={SHEET_TITLE: [1, 2, 17]})


def _counted(rows: Iterator[list[Any]], progress: Callable[[int], None]) -> Iterator[list[Any]]:
    done = 0
    for row in rows:
        done += 1
        if done % 2000 == 0:
            progress(done)
        yield row
    progress(done)
