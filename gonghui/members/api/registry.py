"""/api/v1/members/: finding members, a member's record and history, counts per child union,
revealing an identifier (administrators, audited) and the Excel export.

The same selectors (selectors.py), gates (access.py) and services as the console pages. Identifiers
leave the API masked; the unmasked value only through /reveal and the audited unmasked export.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.core.scope import Role, scope_of
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.models import Union

from ..access import access_member
from ..models import Member
from ..schemas import CountsOut, MemberDetailOut, MemberOut, MemberQuery, RevealIn, RevealOut
from ..selectors import child_union_counts, counting_root, member_filters, member_history, member_search
from ..services import registry
from ..views.staff.roster import export_members_response, may_unmask

router = Router(tags=["会员库"])


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
