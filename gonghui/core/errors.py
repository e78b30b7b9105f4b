"""Domain errors. Services raise these; one place per carrier maps them to HTTP.

Messages are for the user and in Chinese. ``code`` is a stable machine-readable string.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message = "请求无法处理"

    def __init__(self, message: str | None = None, *, code: str | None = None, detail: Any = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.detail = detail
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"
    default_message = "提交的内容有误"


class NotFound(DomainError):
    """Also raised for objects outside the caller's scope: the two must be indistinguishable."""

    status = 404
    code = "not_found"
    default_message = "未找到该记录，或您无权查看"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = "您的角色无权执行此操作"


class Conflict(DomainError):
    """The object is not in a state that allows the action (a lost race, a repeated action)."""

    status = 409
    code = "conflict"
    default_message = "记录状态已变化，请刷新后重试"


class Locked(DomainError):
    status = 403
    code = "locked"
    default_message = "登录失败次数过多，账号已锁定15分钟，请稍后再试"


class TooManyRequests(DomainError):
    """A rate limit (gonghui.core.ratelimit) was reached."""

    status = 429
    code = "throttled"
    default_message = "操作过于频繁，请稍后再试"
