"""/api/v1/accounts/: tokens (sign in), registration, me, devices, staff assignments."""


from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.scope import Role
from gonghui.unions.access import access_union

from . import services
from .access import access_assignment
from .models import ApiToken, StaffAssignment, User
from .schemas import (
    AssignmentIn,
    AssignmentOut,
    DeviceOut,
    MeOut,
    RegisterIn,
    RoleIn,
    TokenIn,
    TokenOut,
)
from .views.auth import user_authenticate
from .views.second_factor import token_second_factor

router = Router(tags=["账号"])


@router.post("/token", auth=None, response={201: TokenOut}, summary="登录，换取令牌",
             description="连续5次失败后账号锁定15分钟（与网页登录共用计数，动态验证码错误也计入）。"
                         "须双因素认证的工作人员（管理员、工作人员角色，系统超级管理员）还须提交 otp："
                         "缺少时返回403（second_factor_required），尚未在网页端绑定身份验证器时返回403"
                         "（second_factor_enrol_required），验证码错误返回400（second_factor_failed），"
                         "错误过多返回429（second_factor_throttled）；须先修改密码的账号返回403"
                         "（password_change_required）。")
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    user = user_authenticate(request, phone=payload.phone, password=payload.password, via="api")
    services.password_review(user=user, password=payload.password)
    token_second_factor(request, user, payload.otp)
    services.login_record(user=user, via="api")
    token, raw = services.token_issue(user=user, name=payload.device)
    return Status(201, {"token": raw, "expires_at": token.expires_at, "uuid": token.uuid})


@router.post("/register", auth=None, response={201: MeOut}, summary="职工注册")
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    user = services.user_register(phone=payload.phone, name=payload.name, password=payload.password)
    return Status(201, _me(user))


def _me(user: User) -> dict:
    # From the request's scope (one query, cached on the user for the request): the grants in force.
    scope = user.scope
    grants = [{"union": g.union_uuid, "union_name": g.union_name, "role": g.role, "role_label": Role(g.role).label}
              for g in scope.grants]
    return {"uuid": user.uuid, "name": user.name, "phone": user.masked_phone, "is_staff": scope.is_staff,
            "grants": grants}


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict:
    return _me(request.user)


@router.get("/devices", response=list[DeviceOut], summary="我的登录设备（令牌）")
def devices(request: HttpRequest) -> list[ApiToken]:
    return list(request.user.api_tokens.live())


@router.delete("/devices/{key}", response={204: None}, summary="吊销令牌")
def device_revoke(request: HttpRequest, key: UUID) -> Status:
    services.token_revoke(user=request.user, token_uuid=key)
    return Status(204, None)


@router.get("/staff", response=list[AssignmentOut], summary="工作人员任职列表（管理员）")
@paginate(Page)
def staff(request: HttpRequest, union: UUID | None = None):
    qs = StaffAssignment.objects.visible_to(request.user).select_related("user", "union").order_by("union__path", "id")
    if union:
        qs = qs.filter(union__path__startswith=access_union(request.user, union).path)
    return qs


@router.post("/staff", response={201: AssignmentOut}, summary="添加任职（管理员）")
def staff_create(request: HttpRequest, payload: AssignmentIn) -> Status:
    union = access_union(request.user, payload.union, write=True)
    assignment = services.staff_assign(actor=request.user, union=union, phone=payload.phone, name=payload.name,
                                       role=payload.role, title=payload.title,
                                       initial_password=payload.initial_password)
    return Status(201, assignment)


@router.patch("/staff/{key}", response=AssignmentOut, summary="修改角色（管理员）")
def staff_update(request: HttpRequest, key: UUID, payload: RoleIn) -> StaffAssignment:
    assignment = access_assignment(request.user, key, write=True)
    return services.staff_change_role(actor=request.user, assignment=assignment, role=payload.role)


@router.delete("/staff/{key}", response={204: None}, summary="撤销任职（管理员）")
def staff_delete(request: HttpRequest, key: UUID) -> Status:
    assignment = access_assignment(request.user, key, write=True)
    services.staff_unassign(actor=request.user, assignment=assignment)
    return Status(204, None)
