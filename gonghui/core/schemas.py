from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class ConsoleQuery(Schema):
    """A staff list's query parameters that the console page filters by too.

    ``params()`` hands them to the page's selector as the page's GET strings — None as "", a flag as "1"
    or "0" (a ``bool | None`` left out stays "", "either"), a UUID or a date as its text — so the API and
    the page filter through one selector and read their input the same way.
    """

    def params(self) -> dict[str, str]:
        return {key: _as_param(value) for key, value in self.dict().items()}


def _as_param(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class NotificationOut(Schema):
    uuid: UUID
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class AuditOut(Schema):
    created_at: datetime
    user_label: str
    role: str
    union_name: str
    action: str
    object_type: str
    object_key: str
    object_label: str
    result: str
    ip: str | None
    detail: dict


class ImageOut(Schema):
    """A photo in several widths (``core.photos.Photo``): ``urls`` maps each width to its URL."""

    width: int
    height: int
    src: str
    srcset: str
    urls: dict[str, str]


class JobOut(Schema):
    """A background job (gonghui.core.jobs): what it is doing, then its result."""

    uuid: UUID
    kind: str
    title: str
    status: str = Field(..., description="queued 排队中 / running 处理中 / done 已完成 / failed 失败")
    status_label: str = Field(..., alias="get_status_display")
    percent: int
    message: str = Field(..., description="给用户看的说明：处理中为“已提交，正在处理”，完成为结果摘要，失败为原因")
    done: int
    total: int
    created_at: datetime
    finished_at: datetime | None
    url: str = Field("", description="查询进度与结果：GET 此地址（每秒一次即可），直到 status 为 done 或 failed")
    download: str | None = Field(None, description="结果文件（仅发起人可下载，保留7天）：GET 此地址")
    result: dict[str, Any] = Field(default_factory=dict, description=(
        "完成后的结果：summary（一句话摘要）和各类任务自己的数字与明细（如导入的 total、valid、errors）；未完成时为空"))

    @staticmethod
    def resolve_result(obj) -> dict[str, Any]:
        return obj.result if obj.status == "done" and isinstance(obj.result, dict) else {}

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/core/jobs/{obj.uuid}"

    @staticmethod
    def resolve_message(obj) -> str:
        return job_message(obj)

    @staticmethod
    def resolve_download(obj) -> str | None:
        if obj.status == "done" and obj.result_file:
            return f"/api/v1/core/jobs/{obj.uuid}/download"
        return None


def job_message(job) -> str:
    if job.status in ("queued", "running"):
        return "已提交，正在处理"
    if job.status == "failed":
        return job.error or "处理失败"
    return job.summary or "已完成"
