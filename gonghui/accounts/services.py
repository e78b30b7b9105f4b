"""Account workflows: passwords, tokens, staff assignments.

Creating an account for a member of the public needs a verified phone: it is in verification.py
(user_register_with_code), the only place that creates one.

Checking a password sits on the HTTP boundary (django-axes counts failures per request), so it is
in views/auth.py; what follows a successful sign-in is here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from gonghui.core.scope import Role, scope_of
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_person_name
from gonghui.lib.phone import InvalidPhone, normalize_phone

from .models import ApiToken, StaffAssignment, User


def login_record(*, user: User, via: str) -> None:
    """The audit row of a successful sign-in that did not go through django.contrib.auth.login()."""
    from .signals import home_union

    audit.record("auth.login", actor=user, union=home_union(user), detail={"via": via})


def _validated_phone(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), detail={"phone": str(exc)}) from None


def password_check(password: str, user: User) -> None:
    """The password rules (settings.AUTH_PASSWORD_VALIDATORS) as one Chinese message on the password field."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        message = "；".join(exc.messages)
        raise ValidationFailed(message, detail={"password": message}) from None


def password_review(*, user: User, password: str) -> None:
    """At sign-in, with the password just checked: a staff account whose password fails the staff rule
    must change it before anything else (``must_change_password``); one flagged on appointment whose
    password already meets the rule is not asked to."""
    from .validators import staff_password_problem

    if not scope_of(user).is_staff:
        return
    weak = staff_password_problem(password, user) is not None
    if weak != user.must_change_password:
        User.objects.filter(pk=user.pk).update(must_change_password=weak)
        user.must_change_password = weak
        if weak:
            audit.record("account.password_change_required", actor=user, obj=user, detail={"reason": "staff_rule"})


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationFailed("原密码不正确", detail={"old_password": "原密码不正确"})
    password_check(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    with transaction.atomic():
        user.save(update_fields=["password", "must_change_password"])
        # Other browser sessions end by themselves (their auth hash no longer matches); app tokens must be
        # revoked explicitly, or a stolen phone would stay signed in after the password was changed.
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record("account.password_change", actor=user, obj=user,
                     detail={"tokens_revoked": revoked})


def token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    token, raw = ApiToken.issue(user, name=name)
    audit.record("auth.token_issue", actor=user, obj=user, detail={"token": token.prefix})
    return token, raw


def token_revoke(*, user: User, token_uuid: Any) -> ApiToken:
    """Revoke one of the user's own tokens. Other users' tokens are not found."""
    token = ApiToken.objects.filter(user=user, uuid=token_uuid).first()
    if token is None:
        raise NotFound("未找到该令牌")
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise Conflict("该令牌已吊销")
    token.refresh_from_db()
    audit.record("auth.token_revoke", actor=user, obj=user, detail={"token": token.prefix})
    return token


def _require_admin_at(actor: User, union: Any) -> None:
    if scope_of(actor).role_at(union.path) != Role.ADMIN:
        raise Forbidden("只有该工会或上级工会的管理员可以管理工作人员")


def staff_assign(*, actor: User, union: Any, phone: str, name: str, role: str, title: str = "",
                 initial_password: str = "") -> StaffAssignment:
    """Give a person a role at ``union``. Creates the account when the phone is new.

    Preconditions: ``union`` came through access_union for ``actor``; the actor is an admin there.
    """
    _require_admin_at(actor, union)
    if role not in Role.values:
        raise ValidationFailed("请选择角色")
    phone = _validated_phone(phone)
    with transaction.atomic():
        user = User.objects.by_phone(phone).select_for_update().first()
        if user is None:
            if not (name or "").strip():
                raise ValidationFailed("新账号需要填写姓名", detail={"name": "请填写姓名"})
            user = User(phone=phone, name=clean_person_name(name))
            user._becoming_staff = True  # type: ignore[attr-defined] - staff password rules apply
            password_check(initial_password, user)
            user.set_password(initial_password)
            user.save()
        elif not scope_of(user).is_staff and not user.must_change_password:
            # A worker's password was chosen under the member rule: the next sign-in checks it against the
            # staff rule and asks for a new one if it falls short (password_review).
            User.objects.filter(pk=user.pk).update(must_change_password=True)
        if StaffAssignment.objects.filter(user=user, union=union).exists():
            raise Conflict("此人在该工会已有任职，请直接修改角色")
        assignment = StaffAssignment.objects.create(user=user, union=union, role=role, title=title[:50],
                                                    created_by=actor)
        audit.record("staff.assign", actor=actor, obj=assignment, union=union,
                     detail={"role": role, "user": str(user.uuid)})
    return assignment


def staff_change_role(*, actor: User, assignment: StaffAssignment, role: str) -> StaffAssignment:
    _require_admin_at(actor, assignment.union)
    if role not in Role.values:
        raise ValidationFailed("请选择角色")
    if assignment.user_id == actor.pk:
        raise Forbidden("不能修改自己的角色")
    old = assignment.role
    if old == role:
        return assignment
    return transition(assignment, field="role", to=role, from_=[old], code="conflict", audit="staff.role_change",
                      actor=actor, union=assignment.union,
                      detail={"from": old, "to": role, "user": str(assignment.user.uuid)})


def staff_unassign(*, actor: User, assignment: StaffAssignment) -> None:
    _require_admin_at(actor, assignment.union)
    if assignment.user_id == actor.pk:
        raise Forbidden("不能撤销自己的任职")
    with transaction.atomic():
        deleted, _ = StaffAssignment.objects.filter(pk=assignment.pk).delete()
        if not deleted:
            raise Conflict()
        audit.record("staff.unassign", actor=actor, union=assignment.union,
                     label="", detail={"role": assignment.role, "user": str(assignment.user.uuid),
                                       "assignment": str(assignment.uuid)})
