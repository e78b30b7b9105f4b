"""Background work of the members app. Roster checks and commits and the member export are
``core.jobs`` jobs (a row with progress, a result, a notification), started by the console pages
with ``roster_job_start`` / ``export_job_start``; the worker runs the handlers below. Each handler
takes ids, loads rows, calls a service and is idempotent (the services claim an import with a
guarded status update), and picks up after a worker died mid-job (``job.attempts`` > 1)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, jobs
from gonghui.core.models import Job
from gonghui.core.scope import scope_of
from gonghui.core.transitions import transition
from gonghui.core.unmasking import Unmask, unmask_roles

from .models import ImportStatus, RosterImport
from .services import roster

logger = logging.getLogger("gonghui.members.roster")

MISSING_UPLOAD = ("上传的文件在后台处理服务器上找不到（处理服务器未共享网站的文件目录），没有导入任何数据。"
                  "请联系系统管理员检查后重新上传")


def roster_subject(job: RosterImport) -> str:
    return f"members.rosterimport:{job.uuid}"


def roster_job_start(job: RosterImport, *, step: str, actor: Any) -> Job:
    """Queue the check (``step="check"``) or the commit (``"commit"``) of a roster import."""
    title = {"check": "检查花名册", "commit": "导入花名册"}[step]
    return jobs.job_start(kind=f"members.roster_{step}", title=f"{title}：{job.original_name or '花名册'}"[:120],
                          owner=actor, union=job.union, subject=roster_subject(job), params={"import_id": job.pk},
                          result_url=reverse("members:import_job", args=[job.uuid]))


def roster_task_of(job: RosterImport) -> Job | None:
    """The latest background job of an import (its bar and estimate)."""
    return Job.objects.filter(subject=roster_subject(job)).order_by("-created_at", "-id").first()


def _import_of(job: Job) -> RosterImport:
    found = RosterImport.objects.select_related("union", "created_by").filter(pk=job.params.get("import_id")).first()
    if found is None:
        raise jobs.JobFailed("这次导入已不存在，请重新上传")
    return found


def _report(ri: RosterImport) -> str:
    return f"共 {ri.total_rows} 行，{ri.valid_rows} 行检查通过，{ri.error_rows} 行有问题"


@jobs.handler("members.roster_check")
def roster_check_job(job: Job) -> jobs.Outcome:
    ri = _import_of(job)
    if job.attempts > 1 and ri.status == ImportStatus.CHECKING:
        # The last attempt died mid-check (a worker was killed): the check writes nothing but the
        # job's report, so it starts again from the top.
        transition(ri, to=ImportStatus.UPLOADED, from_=[ImportStatus.CHECKING], stamp=None,
                   changes={"processed_rows": 0})
    if ri.status == ImportStatus.UPLOADED and ri.file and not default_storage.exists(ri.file.name):
        logger.error("roster import %s: the upload %s is not in this process's MEDIA_ROOT; does the worker "
                     "share the web servers' media directory?", ri.uuid, ri.file.name)
        transition(ri, to=ImportStatus.FAILED, from_=[ImportStatus.UPLOADED], stamp=None,
                   changes={"message": MISSING_UPLOAD[:300], "finished_at": timezone.now()})
        raise jobs.JobFailed(MISSING_UPLOAD)
    roster.roster_check(job=ri)
    ri.refresh_from_db()
    if ri.status == ImportStatus.FAILED:
        raise jobs.JobFailed(ri.message or "检查未通过")
    return jobs.Outcome(summary=f"已检查，尚未导入：{_report(ri)}",
                        data={"valid": ri.valid_rows, "errors": ri.error_rows})


@jobs.handler("members.roster_commit")
def roster_commit_job(job: Job) -> jobs.Outcome:
    ri = _import_of(job)
    actor = job.owner
    if actor is None:
        raise jobs.JobFailed("提交导入的账号已不存在")
    if job.attempts > 1 and ri.status == ImportStatus.COMMITTING:
        # The last attempt died inside the commit's one transaction, which rolled back: nothing of
        # it was written, so the commit runs again (and the unique ID index refuses any duplicate).
        transition(ri, to=ImportStatus.CHECKED, from_=[ImportStatus.COMMITTING], stamp=None)
    jobs.report(0, ri.valid_rows)
    roster.roster_commit(job=ri, actor=actor)  # Conflict: not committable (the job fails with its message)
    ri.refresh_from_db()
    if ri.status != ImportStatus.DONE:
        raise jobs.JobFailed(ri.message or "导入未完成，没有写入任何数据")
    jobs.report(ri.valid_rows, ri.valid_rows)
    return jobs.Outcome(summary=f"已导入 {ri.valid_rows} 行（新增 {ri.created_count} 人，更新 {ri.updated_count} 人）",
                        data={"created": ri.created_count, "updated": ri.updated_count})


# --- The member export ------------------------------------------------------------------------------------


def export_job_start(*, actor: Any, filters: Any, unmasked: bool, reason: str) -> Job:
    """Queue the member list export with the list's filters (checked by the caller: the unmasked
    export is for administrators with a reason)."""
    return jobs.job_start(kind="members.export", title="导出会员名册" + ("（完整信息）" if unmasked else ""),
                          owner=actor, union=filters.union,
                          params={"filters": filters.as_params(), "unmasked": unmasked, "reason": reason[:200]},
                          result_url=reverse("members:list"))


@jobs.handler("members.export")
def export_job(job: Job) -> jobs.Outcome:
    """The member export (started by ``exports.member_export_start``, from the console or the API):
    the rows are gated again through the owner's scope (a role taken away meanwhile is honoured) and
    streamed into a temporary file, which becomes the job's result; the audit row is written once the
    file is complete. Nothing else is written, so a second run after a killed worker starts over."""
    import tempfile

    from .selectors import member_filters, member_search

    actor = job.owner
    if actor is None:
        raise jobs.JobFailed("发起导出的账号已不存在")
    unmasked = bool(job.params.get("unmasked"))
    scope = scope_of(actor)
    filters = member_filters(actor, job.params.get("filters") or {})
    qs = member_search(actor, filters)
    if unmasked and not scope.is_superuser:
        roles = unmask_roles(Unmask.EXPORT)
        if not scope.paths(roles):  # the role was taken away after the export was asked for
            raise jobs.JobFailed("只有管理员可以导出完整的身份证号码和手机号码")
        qs = qs.filter(scope.q("union__path", roles))
    total = qs.count()
    if total > roster.EXPORT_MAX_ROWS:
        raise jobs.JobFailed(f"符合条件的会员有 {total} 人，一次最多导出 {roster.EXPORT_MAX_ROWS} 人，请缩小筛选范围")
    jobs.report(0, total)
    handle = tempfile.TemporaryFile()  # the job runner stores it as the result, then closes it
    try:
        rows = roster.export_write(qs, unmasked=unmasked, target=handle, progress=lambda done: jobs.report(done, total))
    except BaseException:
        handle.close()
        raise
    audit.record("export.members", actor=actor, union=filters.union or audit.home_union(actor),
                 subject=f"会员名册（{'完整信息' if unmasked else '脱敏'}，{rows} 人）", detail={
                     "rows": rows, "unmasked": unmasked, "reason": job.params.get("reason", "")[:200],
                     "filters": filters.as_params()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return jobs.Outcome(summary=f"已导出 {rows} 名会员", file=handle, filename=f"会员名册-{stamp}.xlsx",
                        data={"rows": rows})


# --- Plain tasks ----------------------------------------------------------------------------------------------


@shared_task(ignore_result=True)
def roster_sweep_task() -> int:
    """Daily: expire abandoned roster imports and delete their staged data (also: manage.py roster_sweep)."""
    return roster.roster_sweep()
