"""/api/v1/accounts/: tokens (sign in), registration, password reset, me (and its phone), devices, staff
assignments."""


from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.scope import Role
from gonghui.unions.access import access_union

from . import recovery, second_factor, services, verification
from .access import access_assignment
from .models import ApiToken, StaffAssignment, User
from .schemas import (
    AssignmentIn,
    AssignmentOut,
    CodeSentOut,
    DeviceOut,
    MeOut,
    PasswordResetIn,
    PasswordResetTicketOut,
    PasswordResetVerifyIn,
    PhoneChangeIn,
    PhoneIn,
    RecoveryCodesIn,
    RecoveryCodesOut,
    RegisterIn,
    RoleIn,
    SecondFactorOut,
    TokenIn,
    TokenOut,
)
from .views.auth import user_authenticate
from .views.second_factor import token_second_factor

router = Router(tags=["账号"])


@router.post("/token", auth=None, response={201: TokenOut}, summary="登录，换取令牌",
             description="同一账号在同一网络地址连续5次失败后锁定15分钟（与网页登录共用计数，动态验证码错误也计入）；"
                         "同一账号15分钟内在所有地址累计失败30次后全部地址锁定，可通过找回密码解锁。"
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


def _sent() -> dict:
    return {"expires_in": int(verification.CODE_TTL.total_seconds()),
            "resend_after": int(verification.RESEND_INTERVAL.total_seconds())}


@router.post("/register/code", auth=None, response={202: CodeSentOut}, summary="获取注册短信验证码",
             description="同一手机号每60秒1次、每天最多10次，同一网络地址每小时最多60次；已注册的手机号返回409。")
def register_code(request: HttpRequest, payload: PhoneIn) -> Status:
    verification.code_send(phone=payload.phone, purpose="register")
    return Status(202, _sent())


@router.post("/register", auth=None, response={201: MeOut}, summary="职工注册",
             description="须先获取注册验证码（/register/code），验证码最多尝试5次，用后即失效。")
def register(request: HttpRequest, payload: RegisterIn) -> Status:
    user = verification.user_register_with_code(phone=payload.phone, code=payload.code, name=payload.name,
                                                password=payload.password)
    return Status(201, _me(user))


@router.post("/password-reset/code", auth=None, response={202: CodeSentOut}, summary="找回密码：获取短信验证码",
             description="无论该手机号是否注册都返回202（未注册的号码不会收到短信），频率限制同注册验证码。")
def password_reset_code(request: HttpRequest, payload: PhoneIn) -> Status:
    verification.code_send(phone=payload.phone, purpose="password_reset")
    return Status(202, _sent())


@router.post("/password-reset/verify", auth=None, response=PasswordResetTicketOut, summary="找回密码：核验验证码",
             description="验证码正确时返回一次性重置凭证（10分钟内有效）；未注册的号码与验证码错误返回相同的400。"
                         "同一网络地址每小时最多30次。")
def password_reset_verify(request: HttpRequest, payload: PasswordResetVerifyIn) -> dict:
    ticket = recovery.password_reset_verify(phone=payload.phone, code=payload.code)
    return {"ticket": ticket.token, "expires_in": ticket.expires_in, "otp_required": ticket.otp_required}


@router.post("/password-reset", auth=None, response={204: None}, summary="找回密码：设置新密码",
             description="成功后该账号所有会话退出、所有令牌吊销，登录失败计数清零。工会管理员和工作人员"
                         "（otp_required 为 true）须同时提交身份验证器动态码。")
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status:
    recovery.password_reset_complete(ticket=payload.ticket, new_password=payload.new_password, otp=payload.otp)
    return Status(204, None)


def _me(user: User) -> dict:
    # From the request's scope (cached on the user for the request): the grants in force. Loaded with the
    # phone shown (deferred by the token lookup) in one query.
    user.load_phone_and_scope()
    scope = user.scope
    grants = [{"union": g.union_uuid, "union_name": g.union_name, "role": g.role, "role_label": Role(g.role).label}
              for g in scope.grants]
    return {"uuid": user.uuid, "name": user.name, "phone": user.masked_phone, "is_staff": scope.is_staff,
            "grants": grants}


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict:
    return _me(request.user)


@router.post("/me/phone/code", response={202: CodeSentOut}, summary="更换手机号：向新号码发送验证码",
             description="新号码已被其他账号使用返回409，与当前号码相同返回400。")
def phone_change_code(request: HttpRequest, payload: PhoneIn) -> Status:
    verification.phone_change_code_send(user=request.user, phone=payload.phone)
    return Status(202, _sent())


@router.post("/me/phone", response=MeOut, summary="更换手机号",
             description="需新号码的验证码和当前登录密码；成功后原号码收到短信提醒，今后用新号码登录，"
                         "原号码可用于注册其他账号。每小时最多尝试10次。")
def phone_change(request: HttpRequest, payload: PhoneChangeIn) -> dict:
    user = verification.phone_change(user=request.user, phone=payload.phone, code=payload.code,
                                     password=payload.password)
    return _me(user)


@router.get("/me/second-factor", response=SecondFactorOut, summary="我的双因素认证状态")
def second_factor_status(request: HttpRequest) -> dict:
    user = request.user
    return {"required": second_factor.requires_second_factor(user), "enrolled": second_factor.is_enrolled(user),
            "recovery_codes_left": second_factor.recovery_codes_left(user)}


@router.post("/me/second-factor/recovery-codes", response={201: RecoveryCodesOut}, summary="重新生成恢复码",
             description="须身份验证器上当前的6位动态验证码（恢复码不能用于此操作）；成功后原有恢复码立即作废。"
                         "验证码错误返回400，未绑定身份验证器返回409，错误次数过多返回429。")
def recovery_codes_regenerate(request: HttpRequest, payload: RecoveryCodesIn) -> Status:
    return Status(201, {"codes": second_factor.recovery_codes_regenerate(request.user, payload.code)})


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
