"""What the benchmark scripts share: a dedicated database (never the user's var/ data), Django
set-up, accounts for generated members, an Excel-like workbook writer and the figure printer. The
data itself comes from the generator (``gonghui.seed``, the ``seed`` command).

SQLite by default, in its own data directory (a temporary one unless ``--data-dir`` is given);
PostgreSQL when DATABASE_URL is set, in a database of its own named ``<name>_bench_<script>`` on
that server (created if missing, dropped and re-created with ``--fresh``).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent


_CREATED: dict[str, Any] = {}


def setup(script: str, *, data_dir: str | None = None, fresh: bool = False) -> str:
    """Configure and start Django on the bench database, migrated. Returns a description of it."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    folder = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix=f"gonghui-bench-{script}-"))
    if not data_dir:
        _CREATED["folder"] = folder
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["GONGHUI_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    where = f"SQLite in {folder}"
    url = os.environ.get("DATABASE_URL")
    if url:
        url = _bench_database(url, script, fresh=fresh)
        os.environ["DATABASE_URL"] = url
        _CREATED["database"] = url
        where = f"PostgreSQL database {urlsplit(url).path.lstrip('/')}"
    elif fresh:
        for name in ("gonghui.sqlite3", "gonghui.sqlite3-wal", "gonghui.sqlite3-shm"):
            (folder / name).unlink(missing_ok=True)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return where


def teardown(*, drop_database: bool) -> None:
    """Close the connections; delete the temporary data directory (if setup made one) and, when
    asked, the PostgreSQL bench database."""
    import shutil

    from django.db import connections

    connections.close_all()
    if "folder" in _CREATED:
        shutil.rmtree(_CREATED.pop("folder"), ignore_errors=True)
    url = _CREATED.pop("database", None)
    if url and drop_database:
        import psycopg
        from psycopg import sql

        parts = urlsplit(url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(parts.path.lstrip("/"))))


def _bench_database(url: str, script: str, *, fresh: bool) -> str:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "gonghui"
    name = base if base.endswith(f"_bench_{script}") else f"{base}_bench_{script}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if fresh:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def accounts_for(members: Sequence[Any], *, first_phone: int = 13_700_000_000) -> list[Any]:
    """A user account (no usable password) for each of ``members``, linked to it, for the benches that
    act as members (sign-ups, orders): the generator makes members without accounts."""
    from gonghui.accounts.models import User
    from gonghui.members.models import Member

    users = User.objects.bulk_create([User(phone=str(first_phone + n), name=member.name, password="!")  # noqa: S106
                                      for n, member in enumerate(members)])
    for member, user in zip(members, users, strict=True):
        member.user = user
    Member.objects.bulk_update(members, ["user"], batch_size=1000)
    return users


def figure(name: str, value: float, unit: str, target: str = "") -> None:
    """One result line: ``figure: value unit (target …)``."""
    shown = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    print(f"{name}: {shown} {unit}" + (f" ({target})" if target else ""), flush=True)


def reset_peak_memory() -> None:
    """Start measuring the peak resident memory afresh (Linux: writing 5 to /proc/self/clear_refs
    resets VmHWM); elsewhere the peak stays the process's lifetime peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_memory_mb() -> float:
    """The peak resident memory (MB) since ``reset_peak_memory`` (Linux), else of the whole process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_memory_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def note(text: str) -> None:
    print(f"  {text}", flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1]


def excel_like_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook laid out the way Excel and WPS save one: text in a shared-strings table, cells
    referenced by address. (openpyxl writes inline strings; uploads mostly come from Excel or WPS.)"""
    strings: dict[str, int] = {}

    def cell(ref: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = strings.setdefault(str(value), len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    letters = [chr(65 + i) for i in range(len(header))]
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats'
             '.org/spreadsheetml/2006/main"><sheetData>']
    number = 0
    for number, values in enumerate([header, *rows], start=1):
        parts.append(f'<row r="{number}">' + "".join(cell(f"{letters[i]}{number}", v) for i, v in enumerate(values))
                     + "</row>")
    parts.append("</sheetData></worksheet>")
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
            '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument'
            '.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd'
            '.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": "".join(parts),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode())
    return buffer.getvalue()
