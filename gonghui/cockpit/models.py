"""Pre-aggregated statistics per union, rolled up the tree.

Every stored figure is the figure of a union's whole subtree (the union itself and everything
below it), so a page for one union and its children reads one row per union and metric, however
many members, orders or tickets lie underneath. ``Figure`` holds the figures as they are now
(members, organisations, open tickets); ``Flow`` the counts per day and per month (joins, orders,
tickets, coupons, check-ins). Only the refresh (services.stats_refresh) writes them.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from gonghui.core.fields import user_ref
from gonghui.unions.models import Union


class Figure(models.Model):
    union = models.ForeignKey(Union, on_delete=models.CASCADE, related_name="+", db_index=False)
    metric = models.CharField(max_length=40)
    dim = models.CharField(max_length=20, blank=True, default="")
    value = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["union", "metric", "dim"], name="cockpit_figure_unique")]

    def __str__(self) -> str:
        return f"{self.union_id} {self.metric}[{self.dim}]={self.value}"


class Period(models.TextChoices):
    DAY = "D", "日"
    MONTH = "M", "月"


class Flow(models.Model):
    """Counts of one local day (``period`` D, ``start`` the day) or one month (M, its first day)."""

    union = models.ForeignKey(Union, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    metric = models.CharField(max_length=40)
    dim = models.CharField(max_length=20, blank=True, default="")
    value = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["union", "period", "start", "metric", "dim"],
                                               name="cockpit_flow_unique")]
        # The refresh replaces whole days and months across all unions.
        indexes = [models.Index(fields=["period", "start"], name="cockpit_flow_period_idx")]

    def __str__(self) -> str:
        return f"{self.union_id} {self.period}{self.start} {self.metric}[{self.dim}]={self.value}"


class RefreshKind(models.TextChoices):
    SCHEDULED = "scheduled", "定时刷新"
    MANUAL = "manual", "手动刷新"
    FULL = "full", "全量重建"


class RefreshStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    DONE = "done", "完成"
    FAILED = "failed", "失败"


class RefreshRun(models.Model):
    """One refresh: which days it recounted, how long it took, who asked for it."""

    kind = models.CharField("方式", max_length=10, choices=RefreshKind.choices)
    status = models.CharField("状态", max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.RUNNING)
    actor = user_ref()
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    days = models.PositiveIntegerField("重算天数", default=0)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    rows = models.PositiveIntegerField("写入行数", default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-started_at"], name="cockpit_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RolledPath(models.Model):
    """The path each union had when the statistics were last rolled up. A union whose path has
    changed since (it was moved) makes the next refresh rebuild everything; a new union does not."""

    union = models.OneToOneField(Union, on_delete=models.CASCADE, primary_key=True, related_name="+")
    path = models.CharField(max_length=255)

    def __str__(self) -> str:
        return f"{self.union_id} {self.path}"


class RefreshLock(models.Model):
    """A single row the refresh locks (SELECT … FOR UPDATE) so that two refreshes never interleave."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)

    def __str__(self) -> str:
        return "refresh lock"
