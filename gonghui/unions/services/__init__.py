"""Workflows of the unions app: the tree (tree.py), the employer archive (employers.py) and the Excel
import of both (imports.py, imported as ``services.imports``).

Callers use ``from gonghui.unions import services`` and ``services.union_create(…)``.
"""

from .employers import (
    EMPLOYER_FIELDS,
    clean_uscc,
    employer_create,
    employer_update,
    problem_advance,
    problem_raise,
    visit_record,
)
from .tree import (
    brand_create,
    brand_delete,
    clean_name,
    grid_create,
    union_create,
    union_move,
    union_set_active,
    union_update,
)

__all__ = [
    "EMPLOYER_FIELDS",
    "brand_create",
    "brand_delete",
    "clean_name",
    "clean_uscc",
    "employer_create",
    "employer_update",
    "grid_create",
    "problem_advance",
    "problem_raise",
    "union_create",
    "union_move",
    "union_set_active",
    "union_update",
    "visit_record",
]
