"""/api/v1/members/: finding members, a member's record and history, counts per child union,
revealing an identifier (administrators, audited) and the Excel export.

The same selectors (selectors.py), gates (access.py) and services as the console pages. Identifiers
leave the API masked; the unmasked value only through /reveal and the audited unmasked export.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.scope import Role, scope_of
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.models import Union

from ..access import access_member
from ..models import Member
from ..selectors import child_union_counts, counting_root, member_filters, member_history, member_search
from ..services import registry
from ..views.registry import EVENT_LABELS
from ..views.roster import export_members_response, may_unmask

router = Router(tags=["会员库"])


class UnionRef(Schema):
    uuid: UUID
    name: str


class EmployerRef(Schema):
    uuid: UUID
    name: str


class MemberOut(Schema):
    uuid: UUID
    name: str
    gender: str
    age: int | None = Field(None, description="周岁，由身份证号码推算")
    id_number: str = Field(..., description="身份证号码（脱敏）")
    phone: str = Field(..., description="手机号码（脱敏）")
    union: UnionRef
    employer: EmployerRef | None
    employment_form: str
    gig_occupation: str
    education: str
    household: str
    migrant_worker: bool
    woman: bool
    join_date: date
    status: str
    status_label: str
    model_worker_level: str
    craftsman: bool
    hardship_level: str
    worker_representative: bool
    card_no: str | None

    @staticmethod
    def resolve_id_number(obj: Member) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_phone(obj: Member) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_age(obj: Member) -> int | None:
        from django.utils import timezone

        return obj.age_on(timezone.localdate())

    @staticmethod
    def resolve_migrant_worker(obj: Member) -> bool:
        return obj.is_migrant_worker

    @staticmethod
    def resolve_woman(obj: Member) -> bool:
        return obj.is_woman

    @staticmethod
    def resolve_status_label(obj: Member) -> str:
        return obj.get_status_display()


class HistoryOut(Schema):
    event: str
    event_label: str
    from_status: str
    to_status: str
    from_union: UnionRef | None
    to_union: UnionRef | None
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_event_label(obj: Any) -> str:
        return EVENT_LABELS.get(obj.event, obj.event)


class MemberDetailOut(MemberOut):
    birth_date: date | None
    union_chain: list[UnionRef] = Field(..., description="所在工会及其各级上级工会")
    history: list[HistoryOut]

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return obj.history_items


class MemberQuery(Schema):
    q: str = Field("", description="姓名开头、拼音首字母或全拼开头（如 zs、zhangsan）、手机号或身份证号（精确）")
    union: UUID | None = Field(None, description="只看该工会及其下级（须在您的范围内）")
    form: str = Field("", description="就业形态：regular / gig")
    occupation: str = Field("", description="新就业形态职业")
    hardship: str = Field("", description="困难职工：general / serious / extreme，any 为全部困难职工")
    model_worker: str = Field("", description="劳模：national / provincial / city，any 为全部劳模")
    status: str = Field("", description="会籍状态；留空为在册会员（在会、转出中），all 为全部")
    joined_from: date | None = None
    joined_to: date | None = None

    def params(self) -> dict[str, str]:
        return {key: "" if value is None else str(value) for key, value in self.dict().items()}


class ChildCountOut(Schema):
    uuid: UUID
    name: str
    count: int


class CountsOut(Schema):
    union: UnionRef | None
    own: int = Field(..., description="直属于该工会的会员")
    total: int
    children: list[ChildCountOut]


class RevealIn(Schema):
    field: str = Field(..., description="id_number 或 phone")
    reason: str = Field("", max_length=200, description="查看原因（必填，记入审计日志）")


class RevealOut(Schema):
    field: str
    value: str


@router.get("/", response=list[MemberOut], summary="查找会员（范围内，脱敏）")
@paginate(Page)
def member_list(request: HttpRequest, filters: Query[MemberQuery]):  # noqa: ANN201
    return member_search(request.user, filters.params()).select_related("union", "employer")


@router.get("/counts", response=CountsOut, summary="各下级工会的会员人数（可带与列表相同的筛选条件）")
def member_counts(request: HttpRequest, filters: Query[MemberQuery]) -> dict[str, Any]:
    cleaned = member_filters(request.user, filters.params())
    qs = member_search(request.user, cleaned)
    counts = child_union_counts(request.user, counting_root(request.user, cleaned), qs)
    return {
        "union": counts.union, "own": counts.own, "total": counts.total,
        "children": [{"uuid": c.union.uuid, "name": c.union.name, "count": c.count} for c in counts.children],
    }


@router.get("/export", response={200: None}, summary="导出会员名册（Excel；默认脱敏，管理员可凭原因导出完整信息）",
            openapi_extra={"responses": {"200": {"description": "会员名册（.xlsx）", "content": {XLSX_MIME: {}}}}})
def member_export(request: HttpRequest, filters: Query[MemberQuery], unmasked: bool = False,
                  reason: str = "") -> HttpResponse:
    reason = " ".join(reason.split())[:200]
    if unmasked:
        if not may_unmask(request.user):
            raise Forbidden("只有管理员可以导出完整的身份证号码和手机号码")
        if not reason:
            raise ValidationFailed("导出完整信息须填写原因", detail={"reason": "请填写导出原因"})
    return export_members_response(request, filters.params(), unmasked=unmasked, reason=reason)


@router.get("/{uuid:key}", response=MemberDetailOut, summary="会员详情与会籍记录（脱敏）")
def member_get(request: HttpRequest, key: UUID) -> Member:
    member = access_member(request.user, key)
    member.union_chain = list(Union.objects.ancestors_of(member.union, include_self=True))  # as on the page
    member.history_items = list(member_history(member))
    return member


@router.post("/{uuid:key}/reveal", response=RevealOut, summary="查看完整身份证号码或手机号码（管理员，须填原因，留痕）")
def member_reveal(request: HttpRequest, key: UUID, payload: RevealIn) -> dict[str, str]:
    member = access_member(request.user, key)
    if scope_of(request.user).role_at(member.union.path) != Role.ADMIN:
        raise Forbidden("只有管理员可以查看完整信息")
    reason = " ".join(payload.reason.split())
    if not reason:
        raise ValidationFailed("请填写查看原因", detail={"reason": "请填写查看原因"})
    value = registry.member_reveal(actor=request.user, member=member, field=payload.field, reason=reason)
    return {"field": payload.field, "value": value}
