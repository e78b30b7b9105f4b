"""The member registry (实名会员库) and its workflows' records.

Identity numbers and phones are encrypted with a blind index for exact lookup (DESIGN.md rule 11).
Name search goes through the plain name and its pinyin (full and initials), both indexed.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Self

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gonghui.core.fields import BlindIndexField, EncryptedTextField, user_ref
from gonghui.core.models import BranchRow, HistoryRow, MaskedPerson, PublicId, StatusEvent
from gonghui.core.scope import BranchQuerySet
from gonghui.lib.idcard import normalize_id_number
from gonghui.lib.masking import mask_name
from gonghui.lib.phone import normalize_phone
from gonghui.unions.models import Employer, Union


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专/技校"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    POSTGRADUATE = "postgraduate", "研究生"


class Household(models.TextChoices):
    AGRICULTURAL = "agricultural", "农业户口"
    NON_AGRICULTURAL = "non_agricultural", "非农业户口"


class EmploymentForm(models.TextChoices):
    REGULAR = "regular", "单位职工"
    GIG = "gig", "新就业形态劳动者"


class GigOccupation(models.TextChoices):
    COURIER = "courier", "快递员"
    FOOD_DELIVERY = "food_delivery", "外卖送餐员"
    RIDE_HAILING = "ride_hailing", "网约车司机"
    TRUCK = "truck", "货车司机"
    ONLINE_DELIVERY = "online_delivery", "网约配送员"
    DOMESTIC = "domestic", "家政服务员"
    STREAMER = "streamer", "网络主播"
    OTHER = "other", "其他"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "在会"
    TRANSFERRING = "transferring", "转出中"
    TRANSFERRED = "transferred", "已转出"
    LEFT = "left", "退会"


class ModelWorkerLevel(models.TextChoices):
    NATIONAL = "national", "全国劳模"
    PROVINCIAL = "provincial", "省级劳模"
    CITY = "city", "市级劳模"


class HardshipLevel(models.TextChoices):
    GENERAL = "general", "一般困难"
    SERIOUS = "serious", "深度困难"
    EXTREME = "extreme", "特殊困难"


class InitialsHead(models.Func):
    """The first ``length`` letters of the pinyin initials, as an expression the indexes below are
    built on (``SUBSTR(name_initials, 1, 2)``). The length is part of the SQL text, not a bound
    parameter: SQLite only uses an expression index for a query whose expression is the same text."""

    function = "SUBSTR"
    output_field = models.CharField()

    def __init__(self, expression: Any = "name_initials", *, length: int, **extra: Any) -> None:
        self.length = int(length)
        super().__init__(expression, **extra)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return super().as_sql(compiler, connection, template=f"%(function)s(%(expressions)s, 1, {self.length})",
                              **extra)

    def deconstruct(self) -> Any:
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "length": self.length}


class MemberQuerySet(BranchQuerySet):
    branch_path = "union__path"
    # Set by member_search for a pinyin search: the text condition split into disjoint parts, each
    # readable in display order from one index (see selectors.member_search and __getitem__).
    _ordered_parts: tuple[Q, ...] | None = None
    _ordered_by: tuple[str, ...] = ()
    _whole_at: int = -1

    def _clone(self) -> Self:
        clone = super()._clone()
        clone._ordered_parts = self._ordered_parts
        clone._ordered_by = self._ordered_by
        clone._whole_at = self._whole_at
        return clone

    def in_ordered_parts(self, parts: tuple[Q, ...], order: tuple[str, ...], *, whole_at: int = -1) -> Self:
        """This queryset, ordered by ``order``, whose rows are exactly the union of ``parts`` (disjoint
        conditions, each with an index that yields its rows in that order): a slice then reads one
        page from each part and merges them instead of sorting every match."""
        clone = self.order_by(*order)
        clone._ordered_parts = parts
        clone._ordered_by = order
        clone._whole_at = whole_at  # where the parts' OR is among the WHERE's terms (-1: not given)
        return clone

    def __getitem__(self, k: Any) -> Any:
        if (not isinstance(k, slice) or k.stop is None or k.step or self._ordered_parts is None
                or self._result_cache is not None or self._fields is not None
                or tuple(self.query.order_by) != self._ordered_by or self.query.is_sliced):
            return super().__getitem__(k)
        start, stop = int(k.start or 0), int(k.stop)
        if stop <= start:
            return self.none()
        # One query: the ids of the page, from the first ``stop`` rows of each part (each an index walk
        # that stops early), merged and cut to the page; then the rows themselves, in the same order.
        parts_sql, params = [], []
        for part in self._ordered_parts:
            head = self._chain()
            head._ordered_parts = None
            terms = head.query.where.children
            if (0 <= self._whole_at < len(terms) and head.query.where.connector == "AND"
                    and getattr(terms[self._whole_at], "connector", "") == "OR"):
                # Each part instead of the OR of all: the planner then estimates the part's rows
                # as they are, and walks its index in order (with the OR it chose to sort them all).
                head.query.where.children = [t for n, t in enumerate(terms) if n != self._whole_at]
            head = head.filter(part).order_by(*self._ordered_by).values_list(*self._ordered_by)[:stop]
            sql, part_params = head.query.get_compiler(using=self.db).as_sql()
            parts_sql.append(f"SELECT * FROM ({sql}) AS part{len(parts_sql)}")  # noqa: S608
            params.extend(part_params)
        quote = connections[self.db].ops.quote_name
        names = [quote(self.model._meta.pk.column if f in ("pk", "id") else self.model._meta.get_field(f).column)
                 for f in self._ordered_by]
        union_all = " UNION ALL ".join(parts_sql)
        # Quoted column names and compiled SQL; every value is a bound parameter.
        page = f"SELECT {names[-1]} FROM ({union_all}) AS parts ORDER BY {', '.join(names)} LIMIT %s OFFSET %s"  # noqa: S608
        clone = self._chain()
        clone._ordered_parts = None
        return clone.filter(pk__in=RawSQL(page, [*params, stop - start, start]))  # noqa: S611

    def current(self) -> MemberQuerySet:
        """Members who belong to a union now (in the registry, not transferred out, not left)."""
        return self.filter(status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING])

    def gig(self) -> MemberQuerySet:
        return self.filter(employment_form=EmploymentForm.GIG)


def new_card_token() -> str:
    return secrets.token_urlsafe(24)


class Member(MaskedPerson, BranchRow, PublicId):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="member")
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=120, blank=True, editable=False)
    name_initials = models.CharField(max_length=20, blank=True, editable=False)
    id_number = EncryptedTextField("身份证号码", null=True, blank=True)
    id_index = BlindIndexField(source="id_number", purpose="id", normalizer=normalize_id_number, null=True,
                               blank=True)
    phone = EncryptedTextField("手机号码", null=True, blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_phone, null=True, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    household = models.CharField("户籍类型", max_length=20, choices=Household.choices, blank=True)
    employment_form = models.CharField("就业形态", max_length=10, choices=EmploymentForm.choices,
                                       default=EmploymentForm.REGULAR)
    gig_occupation = models.CharField("新就业形态职业", max_length=20, choices=GigOccupation.choices, blank=True)
    # The FK indexes are left to the composite indexes below that start with the same column.
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
                                 verbose_name="工作单位", db_index=False)
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="members", verbose_name="所在工会",
                              db_index=False)
    card_no = models.CharField("会员卡号", max_length=20, null=True, blank=True)
    card_token = models.CharField(max_length=40, default=new_card_token, editable=False)
    card_token_rotated_at = models.DateTimeField(default=timezone.now, editable=False)
    join_date = models.DateField("入会日期", default=timezone.localdate)
    status = models.CharField("会籍状态", max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    model_worker_level = models.CharField("劳模", max_length=20, choices=ModelWorkerLevel.choices, blank=True)
    craftsman = models.BooleanField("工匠", default=False)
    hardship_level = models.CharField("困难职工", max_length=20, choices=HardshipLevel.choices, blank=True)
    worker_representative = models.BooleanField("职工代表", default=False)
    notice_version = models.CharField("个人信息告知版本", max_length=20, blank=True)
    consented_at = models.DateTimeField("同意时间", null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["updated_at"], name="member_updated_idx"),  # cockpit: changed since
            models.Index(fields=["union", "status"], name="member_union_status_idx"),
            models.Index(fields=["name"], name="member_name_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_initials_idx", opclasses=["varchar_pattern_ops"]),
            # Pinyin search reads its page in display order (name_pinyin, id) from one of these, so its
            # cost does not grow with the registry: full pinyin from the first, initials of two and
            # three letters from the others (selectors.member_search).
            models.Index("name_pinyin", "id", name="member_pinyin_order_idx"),
            models.Index(InitialsHead(length=2), "name_pinyin", "id", name="member_initials2_idx"),
            models.Index(InitialsHead(length=3), "name_pinyin", "id", name="member_initials3_idx"),
            models.Index(fields=["employment_form", "gig_occupation"], name="member_gig_idx"),
            models.Index(fields=["join_date"], name="member_join_date_idx"),
            models.Index(fields=["employer"], name="member_employer_idx"),
            models.Index(fields=["phone_index"], name="member_phone_index_idx"),
        ]
        # Uniques as constraints, not unique=True: on PostgreSQL a unique CharField also gets a second
        # "_like" index for LIKE queries, which nothing runs on these columns (measured: 1/3 of import time).
        constraints = [
            models.UniqueConstraint(fields=["id_index"], name="member_unique_id_index"),
            models.UniqueConstraint(fields=["card_no"], name="member_unique_card_no"),
            models.UniqueConstraint(fields=["card_token"], name="member_unique_card_token"),
            models.CheckConstraint(
                condition=Q(employment_form="gig") | Q(gig_occupation=""), name="member_gig_occupation_only_for_gig"),
        ]
        verbose_name = verbose_name_plural = "会员"

    def __str__(self) -> str:
        return mask_name(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .pinyin import full_pinyin, initials

        self.name_pinyin = full_pinyin(self.name)
        self.name_initials = initials(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)


    @property
    def is_woman(self) -> bool:
        return self.gender == Gender.FEMALE

    @property
    def is_migrant_worker(self) -> bool:
        return self.household == Household.AGRICULTURAL

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


#: What each ``MembershipHistory.event`` says on the member's page and in the API.
EVENT_LABELS = {
    "join": "入会", "import": "花名册导入", "transfer_start": "申请转会", "transfer_out": "转出",
    "transfer_in": "转入", "transfer_refused": "转会退回", "corrected": "更正个人信息", "anonymized": "个人信息已删除",
    "left": "退会", "rejoin": "重新入会", "claimed": "实名认证绑定账号",
}


class MembershipHistory(HistoryRow):
    """Every change of a member's union or status. A member is never lost between two unions."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="history")
    from_union = models.ForeignKey(Union, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_union = models.ForeignKey(Union, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=MemberStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MemberStatus.choices)
    event = models.CharField("事件", max_length=30)
    reason = models.CharField("说明", max_length=300, blank=True)

    class Meta(HistoryRow.Meta):
        indexes = [models.Index(fields=["member", "created_at"], name="history_member_time_idx")]

    def __str__(self) -> str:
        return f"{self.event}: {self.from_status or '—'} → {self.to_status}"



def new_drive_code() -> str:
    return secrets.token_urlsafe(6)


class EnrollmentDrive(BranchRow, PublicId):
    """集中入会: a named mass-enrollment campaign with its own join code."""

    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="drives", verbose_name="发起工会")
    name = models.CharField("名称", max_length=100)
    code = models.CharField("入会码", max_length=20, unique=True, default=new_drive_code, editable=False)
    starts_on = models.DateField("开始日期", default=timezone.localdate)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    created_by = user_ref(blank=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "集中入会"

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class JoinApplication(MaskedPerson, BranchRow, PublicId):
    """入会申请: what a worker submitted, until staff of the target union decide."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="join_applications")
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="join_applications",
                              verbose_name="申请加入的工会")
    drive = models.ForeignKey(EnrollmentDrive, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="applications")
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("身份证号码")
    id_index = BlindIndexField(source="id_number", purpose="id", normalizer=normalize_id_number, db_index=True)
    phone = EncryptedTextField("手机号码")
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    household = models.CharField("户籍类型", max_length=20, choices=Household.choices, blank=True)
    employment_form = models.CharField("就业形态", max_length=10, choices=EmploymentForm.choices,
                                       default=EmploymentForm.REGULAR)
    gig_occupation = models.CharField("新就业形态职业", max_length=20, choices=GigOccupation.choices, blank=True)
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    employer_name = models.CharField("工作单位（自填）", max_length=200, blank=True)
    notice_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    status = models.CharField("状态", max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING)
    reason = models.CharField("不通过原因", max_length=300, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = user_ref()
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["union", "status", "submitted_at"], name="joinapp_queue_idx")]
        constraints = [
            # one open application per person: a double tap on 提交 must not create two
            models.UniqueConstraint(fields=["id_index"], condition=Q(status="pending"), name="joinapp_one_pending"),
            # one open application per account: parallel submissions with different ID numbers
            models.UniqueConstraint(fields=["applicant"], condition=Q(status="pending"),
                                    name="joinapp_one_pending_per_account"),
        ]
        verbose_name = verbose_name_plural = "入会申请"

    def __str__(self) -> str:
        return f"{mask_name(self.name)} → {self.union_id}"


class TransferStatus(models.TextChoices):
    AWAITING_RELEASE = "awaiting_release", "待转出工会同意"
    AWAITING_ACCEPT = "awaiting_accept", "待转入工会接收"
    COMPLETED = "completed", "已完成"
    REFUSED = "refused", "已退回"
    CANCELLED = "cancelled", "已撤销"


class TransferQuerySet(BranchQuerySet):
    """Both sides see a transfer: the source union's branch and the target union's branch."""

    def visible_to(self, user: Any) -> TransferQuerySet:
        from gonghui.core.scope import scope_of

        scope = scope_of(user)
        if scope.is_superuser or not scope.grants:
            return super().visible_to(user)  # everything, or nothing
        return self.filter(scope.q("from_union__path") | scope.q("to_union__path"))


class Transfer(PublicId):
    """会籍转移: the member stays in the source union until the target accepts."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="transfers_out")
    to_union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="transfers_in")
    to_employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=TransferStatus.choices, default=TransferStatus.AWAITING_RELEASE)
    started_by_member = models.BooleanField(default=True)
    reason = models.CharField("转会原因", max_length=300, blank=True)
    refusal_reason = models.CharField("退回原因", max_length=300, blank=True)
    created_by = user_ref(blank=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=["awaiting_release", "awaiting_accept"]),
                                    name="transfer_one_open_per_member"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="transfer_status_idx")]
        verbose_name = verbose_name_plural = "会籍转移"

    def __str__(self) -> str:
        return f"{self.member} {self.from_union_id}→{self.to_union_id}"

    @property
    def branch_path_value(self) -> str:
        return self.from_union.path


class TransferEvent(StatusEvent):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=TransferStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TransferStatus.choices)
    actor = user_ref(blank=False)


class RightsRequestKind(models.TextChoices):
    CORRECTION = "correction", "更正个人信息"
    WITHDRAW_CONSENT = "withdraw_consent", "撤回同意"
    DELETION = "deletion", "删除个人信息"


class RightsRequestStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    DONE = "done", "已办结"
    REJECTED = "rejected", "不予办理"


class RightsRequestQuerySet(BranchQuerySet):
    branch_path = "member__union__path"


class RightsRequest(BranchRow, PublicId):
    """A member's request under the Personal Information Protection Law, handled by staff."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="rights_requests")
    kind = models.CharField(max_length=20, choices=RightsRequestKind.choices)
    details = models.TextField("说明", blank=True)
    status = models.CharField(max_length=20, choices=RightsRequestStatus.choices, default=RightsRequestStatus.PENDING)
    response = models.CharField("处理意见", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = user_ref()

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], condition=Q(status="pending"),
                                    name="rightsrequest_one_pending_per_kind"),
        ]
        verbose_name = verbose_name_plural = "个人信息权利请求"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.member}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    CHECKING = "checking", "检查中"
    CHECKED = "checked", "已检查"
    COMMITTING = "committing", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RosterImport(BranchRow, PublicId):
    """A roster upload: the dry run's report and the commit's progress (polled by the page)."""

    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="roster_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=200, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)  # members already on record exactly so
    errors = models.JSONField(default=list, blank=True)  # [{row, column, message}], capped
    warnings = models.JSONField(default=list, blank=True)  # same shape: worth a look, not refused
    sheet_name = models.CharField(max_length=100, blank=True)  # the sheet read ("" for CSV)
    problem_rows = models.PositiveIntegerField(default=0)  # rows in the problem-rows workbook
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "花名册导入"

    def __str__(self) -> str:
        return self.original_name or str(self.uuid)

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
