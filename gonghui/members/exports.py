"""The roster's file responses, shared by the console pages (views/staff/roster.py) and the API
(api/staff.py): the fill-in template, and the start of the member export (a job of core.jobs)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse

from gonghui.core import audit
from gonghui.core.errors import ValidationFailed
from gonghui.core.models import Job, JobStatus
from gonghui.core.scope import scope_of
from gonghui.core.unmasking import Unmask, require_unmask, unmask_roles
from gonghui.core.unmasking import may_unmask as policy_may_unmask
from gonghui.lib.excel import XLSX_MIME

from .selectors import member_filters, member_search
from .services import roster
from .tasks import export_job_start


def xlsx_response(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(filename)}")
    return response


def template_response() -> HttpResponse:
    return xlsx_response(roster.template_build(), roster.TEMPLATE_FILENAME, "member-roster-template.xlsx")


def member_export_start(actor: Any, params: Any, *, unmasked: bool, reason: str) -> Job:
    """Ask the worker for the member export (shared by the console and the API); returns its job,
    whose page (or ``GET /api/v1/core/jobs/<uuid>``) shows the bar and then the download.

    ``unmasked`` follows the unmasking policy's EXPORT rule (gonghui.core.unmasking): refused, it
    writes a denied row and raises Forbidden; allowed, it needs a reason (ValidationFailed) and the
    rows are limited to the unions where the user holds the role. More than EXPORT_MAX_ROWS matching
    members is a ValidationFailed (``export_too_large``) before anything is queued. The job writes the
    audit row (rows, unmasked, reason, filters) once the file is complete.

    The same export asked for again (same user, filters, masking and reason) while one is queued or
    running returns that job instead of starting a second (a double click, a reloaded page, a
    client retrying): the user's row is locked while looking, so two requests at once make one job."""
    scope = scope_of(actor)
    filters = member_filters(actor, params)
    reason = " ".join((reason or "").split())[:200]
    if unmasked:
        require_unmask(actor, None, Unmask.EXPORT, action="export.members",
                       audit_union=filters.union or audit.home_union(actor),
                       detail={"unmasked": True, "reason": reason, "filters": filters.as_params()})
        if not reason:
            raise ValidationFailed("导出完整信息须填写原因", detail={"reason": "请填写导出原因"})
    qs = member_search(actor, filters)
    if unmasked and not scope.is_superuser:
        qs = qs.filter(scope.q("union__path", unmask_roles(Unmask.EXPORT)))
    count = qs.count()
    if count > roster.EXPORT_MAX_ROWS:
        raise ValidationFailed(f"符合条件的会员有 {count} 人，一次最多导出 {roster.EXPORT_MAX_ROWS} 人，请缩小筛选范围",
                               code="export_too_large")
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()  # one start at a time
        running = _running_export(actor, {"filters": filters.as_params(), "unmasked": unmasked, "reason": reason})
        if running is not None:
            return running
        return export_job_start(actor=actor, filters=filters, unmasked=unmasked, reason=reason)


def _running_export(actor: Any, params: dict[str, Any]) -> Job | None:
    """The actor's queued or running member export with exactly these ``params`` (as the job keeps
    them: tasks.export_job_start), if any. Compared here, not in SQL: JSON equality is not the same
    on SQLite and PostgreSQL, and a user has only a few jobs at work."""
    working = Job.objects.filter(kind="members.export", owner=actor, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    return next((job for job in working.order_by("created_at") if job.params == params), None)


def may_unmask(user: Any) -> bool:
    """Whether the export page offers the unmasked export (the policy's EXPORT rule, anywhere)."""
    return policy_may_unmask(user, None, Unmask.EXPORT)
