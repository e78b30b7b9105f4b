"""Background work of the unions app: the Excel import of unions and employers as jobs of
``core.jobs`` (started by views/imports.py and the API with ``import_job_start``).

A check (dry run) reads the waiting upload, checks every row and keeps the upload for the
confirmation when some row passed; a commit takes the upload and writes the valid rows in one
transaction (services/imports.py). Both are safe to run again after a worker died: the check writes
nothing, and a commit that already happened is found by its audit row (which names the job)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gonghui.core import jobs
from gonghui.core.models import AuditLog, Job

from .services import imports as importing

GONE = "待导入的文件已失效（可能已经导入过或已超时），请重新上传"


def import_job_start(*, actor: Any, kind: str, token: str, filename: str, dry_run: bool) -> Job:
    """Queue the check (``dry_run``) or the import of a waiting upload (``token``, from upload_keep)."""
    label = importing.KIND_LABELS[kind]
    title = f"{'检查' if dry_run else '导入'}{label}：{filename or 'Excel 文件'}"
    return jobs.job_start(kind="unions.import", title=title[:120], owner=actor, subject=f"unions.import:{kind}",
                          params={"kind": kind, "token": token, "filename": filename[:120], "dry_run": dry_run})


def report_url(job: Job) -> str:
    return reverse("unions:import_report", args=[job.uuid])


def _summary(report: Any) -> str:
    problems = f"，{report.error_rows} 行有问题" if report.error_rows else ""
    if report.dry_run:
        return f"已检查 {report.total} 行，{report.valid} 行可以导入{problems}；尚未导入任何数据"
    return f"已导入 {report.created} 行{problems}"


@jobs.handler("unions.import")
def import_job(job: Job) -> jobs.Outcome:
    params = job.params
    kind, token, dry_run = params.get("kind", ""), params.get("token", ""), bool(params.get("dry_run"))
    if job.owner is None:
        importing.upload_drop(token)
        raise jobs.JobFailed("发起导入的账号已不存在")
    if not dry_run and job.attempts > 1:
        done = AuditLog.objects.filter(action=f"import.{kind}", detail__job=str(job.uuid)).first()
        if done is not None:  # the last attempt committed, then its worker died before saying so
            importing.upload_drop(token)
            figures = {key: int(done.detail.get(key, 0)) for key in ("total", "valid", "invalid", "created")}
            return jobs.Outcome(summary=f"已导入 {figures['created']} 行", url=report_url(job),
                                data={**figures, "kind": kind, "dry_run": False, "errors": [], "items": []})
    content = importing.upload_read(token)
    if content is None:
        raise jobs.JobFailed(GONE)
    try:
        report = importing.workbook_import(actor=job.owner, kind=kind, file=content, dry_run=dry_run,
                                           filename=params.get("filename", ""), job=str(job.uuid),
                                           progress=jobs.report)
    except Exception:
        importing.upload_drop(token)  # a file that cannot be imported is not kept for a confirmation
        raise
    if not dry_run or not report.valid:
        importing.upload_drop(token)
    return jobs.Outcome(summary=_summary(report), url=report_url(job), data=report.as_result())
