"""/api/v1/market/needs…: a member's needs (post, list, withdraw) and the categories they may use."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from gonghui.core.errors import ValidationFailed
from gonghui.members.access import own_member

from .. import selectors
from ..access import member_need
from ..models import Need
from ..schemas import CategoryOut, NeedIn, NeedOut
from ..services import needs as services

router = Router(tags=["云集市：需求"])


@router.get("/needs/categories", response=list[CategoryOut], summary="我可选的需求分类")
def need_categories(request: HttpRequest) -> Any:
    member = own_member(request.user)
    return list(selectors.categories_for(member)) if member else []


@router.post("/needs", response={201: NeedOut}, summary="提交需求")
def need_post(request: HttpRequest, body: NeedIn) -> Any:
    member = own_member(request.user)
    category = selectors.categories_for(member).filter(uuid=body.category).first() if member else None
    if member is not None and category is None:
        raise ValidationFailed("请选择需求分类", detail={"category": "请选择需求分类"})
    need = services.need_post(actor=request.user, category=category, title=body.title, text=body.text)
    return Status(201, need)


@router.get("/needs/mine", response=list[NeedOut], summary="我的需求")
def need_mine(request: HttpRequest) -> Any:
    member = own_member(request.user)
    if member is None:
        return []
    return list(Need.objects.filter(member=member).select_related(
        "category", "union", "member", "answer_offering", "answer_provider")[:100])


@router.post("/needs/{uuid:key}/close", response=NeedOut, summary="撤回需求")
def need_close(request: HttpRequest, key: UUID) -> Any:
    need = member_need(request.user, key)
    return services.need_close(actor=request.user, need=need)
