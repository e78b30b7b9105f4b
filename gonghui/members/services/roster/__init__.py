"""Roster import (花名册导入) and the member export, one module per sub-domain:

    xlsx       reading the upload through lib.excel's one table reader (.xlsx, .xls, CSV), the
               roster's limits and RosterFileError
    values     cell values: dates, 是/否 flags, the words of each choice column, echo, pinyin keys
    checking   the columns and the row checker (one row at a time, no database access)
    writing    set-based writing: bulk_insert, reserve_ids, insert_members, assign_card_numbers
    jobs       the RosterImport jobs: upload → check (the dry run) → commit, discard, sweep, the
               problem-rows workbook and the fill-in template
    export     the member list as .xlsx, streamed to a file

Callers use this package as they used the module it was split from
(``from gonghui.members.services import roster``, then ``roster.roster_commit(…)``): the names they
use are re-exported here. The submodules import each other directly, so a name is read in the
module that uses it: a test that patches a constant patches that module (``roster.jobs.MAX_ROWS``),
not this package.
"""

from __future__ import annotations

# Reached through this module by tests (roster.Conflict, roster.default_storage).
from django.core.files.storage import default_storage

from gonghui.core.errors import Conflict

from .checking import COLUMNS, HEADERS, MIN_AGE, Column, RowError
from .export import EXPORT_HEADER, EXPORT_MAX_ROWS, EXPORT_WIDTHS, export_rows, export_write
from .jobs import (
    EXAMPLES,
    HEADER_SEARCH_ROWS,
    MAX_ERRORS,
    MAX_ROWS,
    PROBLEM_COLUMN,
    PROBLEMS_FILENAME,
    PROGRESS_EVERY,
    TEMPLATE_FILENAME,
    _staged_name,
    can_import,
    import_unions,
    open_roster,
    problems_workbook,
    roster_check,
    roster_commit,
    roster_discard,
    roster_imports,
    roster_sweep,
    roster_upload,
    stale,
    template_build,
)
from .values import echo, parse_date, pinyin_keys
from .writing import assign_card_numbers, bulk_insert, insert_members, reserve_ids
from .xlsx import (
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    NOTES_TITLE,
    SHEET_TITLE,
    STOP_AFTER_EMPTY,
    TOO_BIG_MESSAGE,
    RosterFileError,
    SheetRow,
    column_index,
    column_letters,
    roster_rows,
    upload_kind,
)

__all__ = [
    # xlsx
    "MAX_UNPACKED_BYTES", "MAX_UPLOAD_BYTES", "NOTES_TITLE", "SHEET_TITLE", "STOP_AFTER_EMPTY", "TOO_BIG_MESSAGE",
    "RosterFileError", "SheetRow", "column_index", "column_letters", "roster_rows", "upload_kind",
    # values
    "echo", "parse_date", "pinyin_keys",
    # checking
    "COLUMNS", "HEADERS", "MIN_AGE", "Column", "RowError",
    # writing
    "assign_card_numbers", "bulk_insert", "insert_members", "reserve_ids",
    # jobs
    "EXAMPLES", "HEADER_SEARCH_ROWS", "MAX_ERRORS", "MAX_ROWS", "PROBLEM_COLUMN", "PROBLEMS_FILENAME", "PROGRESS_EVERY",
    "TEMPLATE_FILENAME", "open_roster", "problems_workbook",
    "_staged_name", "can_import", "import_unions", "roster_check", "roster_commit", "roster_discard",
    "roster_imports", "roster_sweep", "roster_upload", "stale", "template_build",
    # export
    "EXPORT_HEADER", "EXPORT_MAX_ROWS", "EXPORT_WIDTHS", "export_rows", "export_write",
    # used through this module by tests
    "Conflict", "default_storage",
]
