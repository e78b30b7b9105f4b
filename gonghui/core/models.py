"""The abstract bases every module's models share; the audit log, the in-app notification inbox (站内信), the
durable events' outbox and the background jobs of core."""

from __future__ import annotations

import uuid
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from gonghui.lib.masking import mask_id_number, mask_name, mask_phone

from .fields import user_ref
from .scope import AUDIT_ROLES, BranchQuerySet

# --- Abstract bases every module's models share -------------------------------------------------------------
# Abstract: they add no table. The fields are declared once here; a concrete model keeps its own indexes and
# constraints (``class Meta(HistoryRow.Meta): indexes = […]`` keeps the ordering) and may re-declare a field
# whose options differ (Django lets a child override a field of an abstract base).


class PublicId(models.Model):
    """A row addressed from outside (URLs, the API, QR codes) by a random ``uuid``, never by its database id."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class HistoryRow(models.Model):
    """One line of something's history (an append-only timeline): who did it and when, read oldest first.

    ``actor`` is None when the system acted (a task, a sweep)."""

    actor = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class StatusEvent(HistoryRow):
    """One status change of a row: ``from_status`` (blank when it was created) → ``to_status``, with a note.

    The concrete model declares the two status fields with its own choices and the foreign key to the row."""

    from_status: str
    to_status: str

    note = models.CharField(max_length=300, blank=True)

    class Meta(HistoryRow.Meta):
        abstract = True

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class BranchRow(models.Model):
    """A row in a union's branch, seen through the scope: its default manager's QuerySet (a
    ``BranchQuerySet``) names the lookup of the owning union's path (``branch_path``, e.g.
    "offering__union__path"), and ``branch_path_value`` follows the same lookup on the row
    (``self.offering.union.path``), so the path is written once. A row whose object-side path differs
    from the query's overrides the property."""

    class Meta:
        abstract = True

    @property
    def branch_path_value(self) -> str:
        lookup: str = type(self)._default_manager.get_queryset().branch_path
        return reduce(getattr, lookup.split("__"), self)


class UnionSnapshot(BranchRow):
    """A core row filed under a union it cannot link to (core knows nothing of unions: the audit log, jobs):
    the union's path and name as they were, so that the scope applies (the QuerySet's ``branch_path`` is
    "union_path") and the row stays readable after the union is renamed or moved."""

    union_path = models.CharField(max_length=255, blank=True)
    union_name = models.CharField("工会", max_length=200, blank=True)

    class Meta:
        abstract = True


class MaskedPerson:
    """``masked_name``, ``masked_phone`` and ``masked_id_number`` of a row that stores a person's own ``name``
    and ``phone`` (and ``id_number`` where it has one): what every page and list shows instead of the values."""

    name: str
    phone: str
    id_number: str

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class MaskedMember:
    """``masked_name`` and ``masked_phone`` of the member a row belongs to (its ``member``: a sign-up, an
    enrolment, a lottery winner), for the staff lists that show who it is: the member's masked values, as
    ``MaskedPerson`` gives them for a row that stores the person itself."""

    member: Any

    @property
    def masked_name(self) -> str:
        return mask_name(self.member.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.member.phone)


class Created(models.Model):
    """A row staff make (an offering, a partner, a campaign …): who made it (``created_by``, kept NULL when the
    account goes) and when (``created_at``, not editable; a default rather than ``auto_now_add``, so that
    the seed can give the moment)."""

    created_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


class Authored(Created):
    """A row staff write and then publish (an activity, a course, a survey): ``Created``'s fields,
    ``updated_at`` — the column ``transitions.transition`` stamps on every change and the edit services set
    (not ``auto_now``: a guarded ``UPDATE`` never calls ``save()``) — and ``published_at``, set by the
    publish transition."""

    created_by = user_ref(blank=False)  # these tables declared it without blank=True
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AuditResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(BranchQuerySet):
    branch_path = "union_path"
    visible_roles = AUDIT_ROLES

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")

    def bulk_create(self, objs: Any, batch_size: int | None = None, ignore_conflicts: bool = False,
                    update_conflicts: bool = False, **kwargs: Any) -> list[AuditLog]:
        if update_conflicts:  # an upsert rewrites existing rows
            raise AppendOnlyError("The audit log is append-only.")
        return super().bulk_create(objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts, **kwargs)


class AuditLog(UnionSnapshot):
    """One sensitive action. Append-only from the application. The union is a snapshot (``UnionSnapshot``)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = user_ref()
    user_label = models.CharField("操作人", max_length=100, blank=True)
    role = models.CharField("角色", max_length=20, blank=True)
    union_id_snapshot = models.BigIntegerField(null=True, blank=True)
    action = models.CharField("操作", max_length=60)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_key = models.CharField("对象标识", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    result = models.CharField("结果", max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCESS)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=200, blank=True, default="")
    channel = models.CharField("渠道", max_length=10, blank=True, default="")  # web, api, task, command
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["union_path"], name="audit_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["action", "-created_at"], name="audit_action_time_idx"),
            models.Index(fields=["user", "-created_at"], name="audit_user_time_idx"),
        ]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("The audit log is append-only.")

    @property
    def role_label(self) -> str:
        from .scope import Role

        if self.role == "superuser":
            return "系统管理员"
        return dict(Role.choices).get(self.role, self.role)

    @property
    def reason(self) -> str:
        """The reason given for an unmasked view or export (from ``detail``)."""
        value = self.detail.get("reason", "") if isinstance(self.detail, dict) else ""
        return str(value) if value else ""

    @property
    def unmasking(self) -> bool | None:
        """True for an unmasked view or export, False for a masked export, None where it does not apply."""
        if not isinstance(self.detail, dict):
            return None
        if "unmasked" in self.detail:
            return bool(self.detail["unmasked"])
        if self.detail.get("unmask") or self.action in ("member.reveal", "ticket.reveal_phone", "member.self_reveal"):
            return True
        return None


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(PublicId):
    """A message in a user's inbox (站内信). Sent through core.notify.notify()."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox_idx")]
        verbose_name = verbose_name_plural = "站内信"

    def __str__(self) -> str:
        return self.title


class OutboxEvent(models.Model):
    """A domain event, written by ``events.publish`` in the same transaction as the change it reports.

    The outbox makes events that something counts (履职积分, statistics) durable: a process that dies
    after the commit loses no event, and a rolled-back change leaves none. Consumers read it in id
    order behind their own cursor (``events.consume``).
    """

    created_at = models.DateTimeField(default=timezone.now)
    name = models.CharField(max_length=60)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        indexes = [models.Index(fields=["name", "id"], name="outbox_name_id_idx")]
        verbose_name = verbose_name_plural = "领域事件"

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class EventCursor(models.Model):
    """How far one consumer has read the outbox: the id of the last event it handled."""

    consumer = models.CharField(max_length=60, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.consumer} @ {self.last_id}"


# --- Background jobs (core.jobs) ------------------------------------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "处理中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class JobQuerySet(BranchQuerySet):
    branch_path = "union_path"

    def for_owner(self, user: Any) -> JobQuerySet:
        return self.filter(owner=user)


class Job(UnionSnapshot, PublicId):
    """One piece of long work done by the worker (``core.jobs``): a roster check, an export, a
    免申即享 launch, a statistics refresh, a draw. Written in the same transaction as the change that
    asks for it, so it doubles as the outbox: when the broker cannot be reached the row stays
    ``queued`` and the periodic sweep (or the next worker to start) sends it again.

    The union is a snapshot (``UnionSnapshot``), as in the audit log.
    """

    kind = models.CharField(max_length=60)  # the handler's name, e.g. "members.export"
    title = models.CharField("任务", max_length=120)
    owner = user_ref()
    subject = models.CharField(max_length=80, blank=True)  # what the job works on, "members.rosterimport:<uuid>"
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # the requester's audit context (channel, IP, user agent), restored while the job runs
    origin = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)  # the Celery node that claimed it
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)  # last handed to the broker
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)  # {"summary": "…", …}
    result_url = models.CharField(max_length=300, blank=True)  # where the page lands when done
    result_file = models.FileField(upload_to="jobs/%Y/%m/", max_length=200, blank=True)
    result_name = models.CharField(max_length=200, blank=True)  # the download's file name
    error = models.CharField("错误", max_length=300, blank=True)  # a Chinese message for the user

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="job_status_idx"),
            models.Index(fields=["owner", "-created_at"], name="job_owner_idx"),
            models.Index(fields=["subject", "-created_at"], name="job_subject_idx"),
        ]
        verbose_name = verbose_name_plural = "后台任务"

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def working(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def summary(self) -> str:
        """The handler's one-line result ("" before it is done or when it gave none)."""
        return str(self.result.get("summary", "")) if isinstance(self.result, dict) else ""

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def remaining_seconds(self) -> int | None:
        """The estimate: the rest at the rate so far (None until there is a rate to go by)."""
        if self.status != JobStatus.RUNNING or not self.started_at or not self.total or not self.done:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        if elapsed <= 0:
            return None
        return max(0, int((self.total - self.done) * elapsed / self.done))

    @property
    def estimate_label(self) -> str:
        """The estimate in words for the bar ("约 3 分 20 秒"), "" while there is none."""
        seconds = self.remaining_seconds
        if seconds is None:
            return ""
        if seconds < 5:
            return "即将完成"
        if seconds < 60:
            return f"约 {seconds} 秒"
        minutes, rest = divmod(seconds, 60)
        if minutes < 60:
            return f"约 {minutes} 分 {rest} 秒" if minutes < 10 else f"约 {minutes} 分钟"
        return f"约 {minutes // 60} 小时 {minutes % 60} 分"
