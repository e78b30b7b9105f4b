"""12351 work orders (诉求工单): tickets, their timeline and hops, attachments, claimants of a
collective case, dispute mediation, and the per-day counter behind the case numbers.

A ticket belongs to the union that owns it now (``union``): the normal scope applies, so staff of
that union and of every union above it see it. Every change of owner is a ``TicketEvent`` with
``from_union``/``to_union`` set (a hop); the owning unit and the individual handler are fields.
The caller's phone is stored encrypted with a blind index (the same "phone" index as members and
users, so a hotline caller is matched to a member by an indexed equality).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gonghui.core.fields import BlindIndexField, EncryptedTextField, user_ref
from gonghui.core.models import BranchRow, HistoryRow, MaskedPerson, PublicId
from gonghui.core.scope import BranchQuerySet
from gonghui.lib.masking import mask_name, mask_phone
from gonghui.lib.phone import normalize_phone
from gonghui.unions.models import Employer, Union, UnionIdScopedQuerySet


class Kind(models.TextChoices):
    CONSULT = "consult", "问题咨询"
    HELP = "help", "服务帮扶"
    COMPLAINT = "complaint", "信访投诉"
    LEGAL = "legal", "法律援助"
    SUGGESTION = "suggestion", "意见建议"
    HAZARD = "hazard", "安全隐患随手拍"
    DISPUTE = "dispute", "劳动争议调解"


# Kinds whose tickets may carry a mediation (parties, claim, sessions, outcome).
MEDIATION_KINDS = frozenset({Kind.LEGAL, Kind.DISPUTE})


class Topic(models.TextChoices):
    """The issue a ticket is about: the "top issues" of the statistics."""

    WAGES = "wages", "工资报酬"
    CONTRACT = "contract", "劳动合同"
    INSURANCE = "insurance", "社会保险"
    HOURS = "hours", "工时休假"
    SAFETY = "safety", "安全生产"
    INJURY = "injury", "工伤职业病"
    DISMISSAL = "dismissal", "解除劳动关系"
    HARDSHIP = "hardship", "困难帮扶"
    MEMBERSHIP = "membership", "会员服务"
    GIG = "gig", "新就业形态权益"
    MANAGEMENT = "management", "企业经营管理"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    PENDING = "pending", "待受理"
    PROCESSING = "processing", "办理中"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = (Status.PENDING, Status.PROCESSING)


class Tier(models.TextChoices):
    NORMAL = "normal", "一般"
    HARD = "hard", "难点"
    COMPLEX = "complex", "特别复杂"


class Priority(models.IntegerChoices):
    NORMAL = 0, "普通"
    SUPERVISED = 1, "督办"
    KEY = 2, "重点督办"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASIC)


class Channel(models.TextChoices):
    H5 = "h5", "职工端"
    HOTLINE = "hotline", "12351热线"
    API = "api", "App/小程序"


class TicketQuerySet(UnionIdScopedQuerySet):
    """``visible_to`` as ``union_id IN (a subquery of the unions under the grants)``."""

    def under(self, union: Union) -> TicketQuerySet:
        """Tickets owned by ``union`` or a union below it (same index-friendly shape)."""
        return self.filter(union_id__in=Union.objects.filter(path__startswith=union.path).values("pk"))

    def open(self) -> TicketQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def of_worker(self, user: Any) -> TicketQuerySet:
        """The signed-in worker's own tickets (submitted by them, or a hotline call matched to them)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(submitter=user)

    def on_board(self) -> TicketQuerySet:
        """The public message board: questions the asker made public, answered and closed."""
        return self.filter(public=True, status=Status.CLOSED).exclude(reply="")


class Ticket(BranchRow, PublicId):
    number = models.CharField("工单编号", max_length=24, unique=True)
    kind = models.CharField("诉求类型", max_length=20, choices=Kind.choices)
    topic = models.CharField("问题类别", max_length=20, choices=Topic.choices, default=Topic.OTHER)
    title = models.CharField("标题", max_length=60)
    content = models.TextField("诉求内容")
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices, default=Channel.H5)

    # Who asked. ``submitter`` links the worker's account (their "my tickets"); it is never shown to
    # staff for an anonymous suggestion.
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appeal_tickets")
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="appeal_tickets")
    person_name = models.CharField("诉求人", max_length=50, blank=True)
    phone = EncryptedTextField("联系电话", null=True, blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_phone, null=True, blank=True,
                                  db_index=True)
    anonymous = models.BooleanField("匿名", default=False)
    public = models.BooleanField("公开到留言板", default=False)
    collective = models.BooleanField("群体诉求", default=False)
    headcount = models.PositiveIntegerField("涉及人数", default=1)

    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="appeal_tickets", verbose_name="涉及单位")
    location = models.CharField("地点", max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    # Who has it now.
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="appeal_tickets",
                              verbose_name="承办单位")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="appeal_handling", verbose_name="经办人")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)

    # Deadlines and supervision.
    tier = models.CharField("办理时限档次", max_length=10, choices=Tier.choices, default=Tier.NORMAL)
    due_on = models.DateField("办理期限")
    warned_on = models.DateField("临期提醒日", null=True, blank=True)
    overdue = models.BooleanField("已超期", default=False)
    priority = models.PositiveSmallIntegerField("优先级", choices=Priority.choices, default=Priority.NORMAL)
    supervised_count = models.PositiveSmallIntegerField("督办次数", default=0)

    # Repeats: the same open matter is one ticket (``fingerprint``, unique while open); a repeat
    # after closing is a new ticket pointing at the earlier one.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    repeat_count = models.PositiveIntegerField("重复来件", default=0)
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats")

    # Closing, rating, reopening, follow-up.
    reply = models.TextField("答复", blank=True)
    replied_by = user_ref()
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    on_time = models.BooleanField("按时办结", null=True, blank=True)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    followed_up_at = models.DateTimeField("回访时间", null=True, blank=True)

    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The cockpit counts per day: received, closed, rated; and what changed since its last refresh.
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(fields=["closed_at"], name="ticket_closed_idx"),
            models.Index(fields=["rated_at"], name="ticket_rated_idx"),
            models.Index(fields=["updated_at"], name="ticket_updated_idx"),
            models.Index(fields=["union", "status", "due_on"], name="ticket_queue_idx"),
            # Covers the statistics (every grouped count reads only this index) and period filters.
            models.Index(fields=["union", "created_at", "status", "kind", "topic", "on_time", "rating"],
                         name="ticket_stats_idx"),
            models.Index(fields=["status", "due_on"], name="ticket_due_idx"),
            models.Index(fields=["submitter", "-created_at"], name="ticket_submitter_idx"),
            models.Index(fields=["handler", "status"], name="ticket_handler_idx"),
            models.Index(fields=["-closed_at"], condition=Q(public=True, status="closed"), name="ticket_board_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], condition=Q(status__in=["pending", "processing"])
                                    & ~Q(fingerprint=""), name="ticket_one_open_per_matter"),
            models.CheckConstraint(condition=Q(reopen_count__lte=1), name="ticket_reopen_once"),
            models.CheckConstraint(condition=Q(anonymous=False) | Q(kind="suggestion"),
                                   name="ticket_anonymous_only_suggestion"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="ticket_headcount_positive"),
            models.CheckConstraint(condition=Q(rating__in=["", "satisfied", "basic", "dissatisfied"]),
                                   name="ticket_rating_valid"),
        ]
        verbose_name = verbose_name_plural = "诉求工单"

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def satisfied(self) -> bool:
        return self.rating in SATISFIED_RATINGS

    @property
    def asker_masked(self) -> str:
        """What the public board and supervising units see: 匿名, or the family name only."""
        if self.anonymous:
            return "匿名"
        return mask_name(self.person_name) or "职工"

    @property
    def masked_phone(self) -> str:
        return "" if self.anonymous else mask_phone(self.phone)


class Action(models.TextChoices):
    SUBMIT = "submit", "提交诉求"
    CALL = "call", "热线登记"
    REPEAT = "repeat", "重复来件"
    ACCEPT = "accept", "受理"
    ASSIGN = "assign", "交办"
    ESCALATE = "escalate", "上报"
    TRANSFER = "transfer", "转办"
    AUTO_ESCALATE = "auto_escalate", "超期自动上报"
    SUPERVISE = "supervise", "督办"
    CLASSIFY = "classify", "定级"
    CLOSE = "close", "答复办结"
    RATE = "rate", "评价"
    REOPEN = "reopen", "重新办理"
    FOLLOW_UP = "follow_up", "回访"
    UNPUBLISH = "unpublish", "取消公开"
    WITHDRAW = "withdraw", "撤回"
    WARN = "warn", "临期提醒"
    OVERDUE = "overdue", "超期"
    RESCHEDULE = "reschedule", "办理期限调整"
    CLAIMANT = "claimant", "增加诉求人"
    ATTACH = "attach", "上传附件"
    MEDIATION_OPEN = "mediation_open", "启动调解"
    MEDIATION_SESSION = "mediation_session", "调解"
    MEDIATION_CLOSE = "mediation_close", "调解结束"


HOP_ACTIONS = (Action.ASSIGN, Action.ESCALATE, Action.TRANSFER, Action.AUTO_ESCALATE)


class TicketEvent(HistoryRow):
    """One line of a ticket's timeline. A hop (交办/上报/转办) has ``from_union`` and ``to_union``.

    ``actor`` is None for the system (the deadline job). ``shown_to_worker`` marks the lines the
    worker's own timeline shows; internal notes and hand-overs between staff stay inside.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_union = models.ForeignKey(Union, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_union = models.ForeignKey(Union, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handler = user_ref()
    note = models.CharField("说明", max_length=500, blank=True)
    shown_to_worker = models.BooleanField(default=True)

    class Meta(HistoryRow.Meta):
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"

    @property
    def is_hop(self) -> bool:
        return self.action in HOP_ACTIONS

    @property
    def worker_note(self) -> str:
        """What the worker's timeline says: hand-overs and supervision without staff's internal notes."""
        if self.is_hop:
            return f"已转由{self.to_union.name}办理" if self.to_union_id else ""
        if self.action == Action.SUPERVISE:
            return "上级工会已督办，将加快办理"
        return self.note


class Stage(models.TextChoices):
    INTAKE = "intake", "诉求材料"
    REPLY = "reply", "办理材料"
    MEDIATION = "mediation", "调解文书"


class AttachmentQuerySet(BranchQuerySet):
    branch_path = "ticket__union__path"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: a random one with the extension of the sniffed type.
    now = timezone.localdate()
    return f"appeals/{now:%Y/%m}/{instance.uuid.hex}{instance.extension}"


class Attachment(BranchRow, PublicId):
    """A photo or PDF of a ticket. Served only through the gated view, never from MEDIA_URL."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.INTAKE)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    name = models.CharField("文件名", max_length=120)
    uploaded_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "stage"], name="attachment_ticket_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "image/heic": ".heic", "application/pdf": ".pdf"}


class Claimant(MaskedPerson, models.Model):
    """One of the many people of a collective case (群体诉求)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="claimants")
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("联系电话", null=True, blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_phone, null=True, blank=True)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["ticket", "phone_index"], name="claimant_once_per_ticket")]

    def __str__(self) -> str:
        return mask_name(self.name)


class MediationStatus(models.TextChoices):
    OPEN = "open", "调解中"
    SUCCEEDED = "succeeded", "调解成功"
    FAILED = "failed", "调解不成"


class Mediation(PublicId):
    """劳动争议调解 of a legal-aid or dispute ticket: the parties, the claim, sessions and the outcome.

    A failed mediation is referred to labour arbitration (``arbitration_body``).
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="mediation")
    status = models.CharField(max_length=10, choices=MediationStatus.choices, default=MediationStatus.OPEN)
    applicant = models.CharField("申请人", max_length=100)
    respondent = models.CharField("被申请人", max_length=200)
    respondent_employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+")
    claim = models.TextField("请求事项")
    claim_amount = models.DecimalField("请求金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    outcome = models.TextField("调解结果", blank=True)
    agreed_amount = models.DecimalField("协议金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    arbitration_body = models.CharField("移送仲裁机构", max_length=100, blank=True)
    mediator = user_ref("调解员")
    opened_at = models.DateTimeField(default=timezone.now)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(arbitration_body=""),
                                   name="mediation_failed_is_referred"),
        ]
        verbose_name = verbose_name_plural = "劳动争议调解"

    def __str__(self) -> str:
        return f"{self.applicant} / {self.respondent}"


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField("调解时间")
    place = models.CharField("地点", max_length=100, blank=True)
    attendees = models.CharField("参加人员", max_length=300, blank=True)
    notes = models.TextField("调解记录")
    recorded_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.mediation_id} {self.held_at:%Y-%m-%d}"


class CaseCounter(models.Model):
    """The last case number handed out on a day; incremented under the row's lock."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工单编号计数"

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
