"""Pages of a background job (core.jobs): the progress bar that becomes the result, its HTMX
partial, and the result file. A job is its owner's (superusers see every job); anyone else gets the
same 404 as for a job that does not exist."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import audit
from .errors import NotFound
from .jobs import live
from .models import Job, JobStatus
from .scope import owned, scope_of


def access_job(user: Any, key: Any) -> Job:
    """The user's own job (or any job for a superuser), with its live progress (``jobs.live``: the
    bar of work done in one transaction); NotFound otherwise."""
    if scope_of(user).is_superuser:
        job = Job.objects.filter(uuid=key).first() if key else None
        if job is None:
            raise NotFound("未找到该任务")
        return live(job)
    owner = user if getattr(user, "is_authenticated", False) else None
    return live(owned(Job.objects.all(), owner=owner, via="owner", message="未找到该任务", uuid=key))


def _lands(request: HttpRequest, job: Job) -> bool:
    """``?land=1``: when the job is done and its result is a page, go there instead of staying."""
    return (request.GET.get("land") == "1" and job.status == JobStatus.DONE and bool(job.result_url)
            and not job.result_file)


def _landed(request: HttpRequest, job: Job) -> str:
    messages.success(request, f"{job.title}：已完成" + (f"。{job.summary}" if job.summary else ""))
    return job.result_url


@login_required
def job_page(request: HttpRequest, key: str) -> HttpResponse:
    job = access_job(request.user, key)
    if _lands(request, job):
        return redirect(_landed(request, job))
    return render(request, "core/job.html", {"job": job, "section": job.kind.split(".")[0],
                                             "land": request.GET.get("land") == "1"})


def passive_poll(request: HttpRequest) -> None:
    """A progress poll (HTMX, every second) is not the user's activity: it leaves the session as it
    found it. The staff idle timeout refreshes the session on every request, and on SQLite that
    write waits for the write lock a roster commit holds for its whole transaction, so each poll
    would hang until the commit ends and the bar would stand still. What the view itself stores in
    the session afterwards (a message) is still saved. Call it at the top of the poll's view."""
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False


@login_required
def job_progress(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: the bar while the job works; when it is done and its result is a page, the browser
    goes there (HX-Redirect) with the summary as a message."""
    passive_poll(request)
    job = access_job(request.user, key)
    response = render(request, "core/_job_progress.html", {"job": job, "land": request.GET.get("land") == "1"})
    if _lands(request, job):
        response["HX-Redirect"] = _landed(request, job)
    return response


@login_required
def job_download(request: HttpRequest, key: str) -> HttpResponse:
    return job_file_response(request.user, access_job(request.user, key))


def job_file_response(user: Any, job: Job) -> FileResponse:
    """The job's result file (shared with the API), audited. Preconditions: from access_job."""
    if job.status != JobStatus.DONE or not job.result_file:
        raise NotFound("结果文件不存在或已过期（保留7天），请重新发起")
    try:
        handle = job.result_file.open("rb")
    except OSError:
        raise NotFound("结果文件不存在或已过期（保留7天），请重新发起") from None
    union = SimpleNamespace(pk=None, path=job.union_path, name=job.union_name) if job.union_path else None
    audit.record("job.download", actor=user, obj=job, union=union,
                 detail={"kind": job.kind, "file": job.result_name})
    # Django writes both the ASCII fallback and the UTF-8 filename* for the Chinese name.
    return FileResponse(handle, as_attachment=True, filename=job.result_name or "result")
