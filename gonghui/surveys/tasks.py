"""Jobs of the surveys module: a large export in the worker (core.jobs)."""

from __future__ import annotations

from gonghui.core import jobs
from gonghui.core.jobs import Job

from . import exports
from .models import Survey


@jobs.handler("surveys.export")
def export_job(job: Job) -> jobs.Outcome:
    """Gated again through visible_to(job.owner): a survey that left the owner's scope is not exported."""
    survey = Survey.objects.visible_to(job.owner).select_related("union").filter(pk=job.params["survey_id"]).first()
    if survey is None:
        raise jobs.JobFailed("未找到该问卷，或您已无权查看")
    what = job.params.get("what", "raw")
    if what not in exports.KINDS:
        raise jobs.JobFailed("未知的导出类型")
    content, filename = exports.build(actor=job.owner, survey=survey, what=what)
    return jobs.Outcome(summary=f"已导出{survey.response_count}份答卷的{exports.KINDS[what]}", file=content,
                        filename=filename)
