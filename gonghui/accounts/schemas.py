from datetime import datetime
from uuid import UUID

from ninja import Field, Schema


class TokenIn(Schema):
    phone: str = Field(..., max_length=30, description="手机号")
    password: str = Field(..., max_length=128)
    device: str = Field("", max_length=60, description="设备名称，如“iPhone 小程序”")
    otp: str = Field("", max_length=20,
                     description="身份验证器上的6位动态验证码或一次性恢复码；须双因素认证的工作人员必填")


class TokenOut(Schema):
    token: str = Field(..., description="只在此时返回一次，请妥善保存")
    expires_at: datetime
    uuid: UUID


class RegisterIn(Schema):
    phone: str = Field(..., max_length=30)
    code: str = Field(..., max_length=10,
                      description="短信验证码（POST /api/v1/accounts/register/code 获取），最多尝试5次，用后即失效")
    name: str = Field(..., max_length=50)
    password: str = Field(..., max_length=128)


class PhoneIn(Schema):
    phone: str = Field(..., max_length=30, description="手机号")


class CodeSentOut(Schema):
    expires_in: int = Field(..., description="验证码有效期（秒）")
    resend_after: int = Field(..., description="多少秒后可重新获取")


class PasswordResetVerifyIn(Schema):
    phone: str = Field(..., max_length=30, description="手机号")
    code: str = Field(..., max_length=10, description="找回密码短信验证码")


class PasswordResetTicketOut(Schema):
    ticket: str = Field(..., description="重置凭证，有效期内只能使用一次")
    expires_in: int = Field(..., description="凭证有效期（秒）")
    otp_required: bool = Field(..., description="是否还需提交身份验证器动态码（工会管理员、工作人员）")


class PasswordResetIn(Schema):
    ticket: str = Field(..., max_length=500)
    new_password: str = Field(..., max_length=128)
    otp: str = Field("", max_length=20, description="身份验证器动态码或恢复码（otp_required 为 true 时必填）")


class PhoneChangeIn(Schema):
    phone: str = Field(..., max_length=30, description="新手机号")
    code: str = Field(..., max_length=10, description="发送到新手机号的验证码")
    password: str = Field(..., max_length=128, description="当前登录密码")


class GrantOut(Schema):
    union: UUID
    union_name: str
    role: str
    role_label: str


class MeOut(Schema):
    uuid: UUID
    name: str
    phone: str = Field(..., description="已打码")
    is_staff: bool
    grants: list[GrantOut]


class SecondFactorOut(Schema):
    required: bool = Field(..., description="本账号登录是否须通过双因素认证（由所任角色决定）")
    enrolled: bool = Field(..., description="是否已绑定身份验证器")
    recovery_codes_left: int = Field(..., description="未使用的恢复码个数")


class RecoveryCodesIn(Schema):
    code: str = Field(..., max_length=20, description="身份验证器上当前显示的6位动态验证码（不接受恢复码）")


class RecoveryCodesOut(Schema):
    codes: list[str] = Field(..., description="10个新的一次性恢复码，只在此时返回一次；原有恢复码立即作废")


class DeviceOut(Schema):
    uuid: UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class AssignmentOut(Schema):
    uuid: UUID
    user: UUID = Field(..., alias="user.uuid")
    user_name: str = Field(..., alias="user.name")
    phone: str = Field(..., alias="user.masked_phone", description="已打码")
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    role: str
    title: str


class AssignmentIn(Schema):
    union: UUID
    phone: str = Field(..., max_length=30)
    role: str
    name: str = Field("", max_length=50)
    title: str = Field("", max_length=50)
    initial_password: str = Field("", max_length=128)


class RoleIn(Schema):
    role: str
