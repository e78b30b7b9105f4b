"""The member export (.xlsx): the member list with the import template's headers, so that an
unmasked export re-imports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from .xlsx import SHEET_TITLE

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


def export_write(qs: Any, *, unmasked: bool, target: IO[bytes]) -> int:
    """Write the member list as .xlsx into ``target`` (a file opened for binary writing), masked
    unless ``unmasked``; returns the number of rows. Memory stays flat whatever the size: rows are
    read from the database in chunks and written through openpyxl's write-only mode, which keeps
    the sheet in a temporary file, never the whole workbook in memory. Preconditions: ``qs`` came
    from member_search (so from visible_to), and the caller writes the audit row."""
    from gonghui.lib.excel import write_workbook_to

    return write_workbook_to(target, [(SHEET_TITLE, EXPORT_HEADER, export_rows(qs, unmasked=unmasked))],
                             widths={SHEET_TITLE: EXPORT_WIDTHS}, text_columns={SHEET_TITLE: [1, 2, 17]})
