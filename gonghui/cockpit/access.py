"""Who may read the cockpit, for which union, and who may refresh it.

Reading follows the one scope rule: staff with a data role (admin, officer, viewer) read the
statistics of the unions in their subtrees; a union outside them is "not found", exactly as a
union that does not exist. Refreshing recounts everything, so it is for admins only.
"""

from __future__ import annotations

from typing import Any

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.scope import Role, scope_of
from gonghui.unions.models import Union

from .selectors import can_view, cockpit_union


def access_cockpit(user: Any, key: Any = None) -> Union:
    if not can_view(user):
        raise Forbidden("统计数据仅供工会工作人员（管理员、工作人员、只读）查看")
    union = cockpit_union(user, key)
    if union is None:
        raise NotFound("未找到该工会，或不在您的管理范围内")
    return union


def can_refresh(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths([Role.ADMIN]))


def access_refresh(user: Any) -> None:
    if not can_refresh(user):
        raise Forbidden("只有管理员可以立即刷新统计数据")
