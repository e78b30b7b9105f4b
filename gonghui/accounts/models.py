"""Users (phone + password), staff assignments and API tokens.

The phone number is personal information: it is stored encrypted, and found by its blind index,
which is also the login identifier (USERNAME_FIELD).
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from gonghui.core.fields import BlindIndexField, EncryptedTextField, lookup_index, user_ref
from gonghui.core.models import BranchRow, PublicId
from gonghui.core.scope import BranchQuerySet, Grant, Role, Scope
from gonghui.lib.masking import mask_phone
from gonghui.lib.phone import normalize_phone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def by_phone(self, phone: str) -> models.QuerySet[User]:
        index = lookup_index(self.model, "phone_index", phone)
        return self.filter(phone_index=index) if index else self.none()

    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(phone=normalize_phone(phone), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str | None = None, password: str | None = None, **extra: Any) -> User:
        # Django's createsuperuser passes the USERNAME_FIELD (phone_index) as typed: treat it as the phone.
        phone = phone or extra.pop("phone_index", None)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(phone_index=username)


class User(PublicId, AbstractBaseUser):
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("手机号码")
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_phone, unique=True)
    is_active = models.BooleanField("有效", default=True)
    is_superuser = models.BooleanField("系统超级管理员", default=False)
    # Set when a worker's account is appointed staff (its password was chosen under the member rule) or a
    # staff password fails the staff rule at sign-in: the next sign-in goes to the password page first.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone_index"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return f"{self.name}（{mask_phone(self.phone)}）"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    # Django admin is for superusers only; union staff work in the console.
    @property
    def is_staff(self) -> bool:
        return self.is_superuser

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_active and self.is_superuser

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.is_superuser

    @cached_property
    def scope(self) -> Scope:
        """The unions this user may act in; computed once per request (one query)."""
        grants = tuple(
            Grant(union_id=union_id, path=path, role=Role(role), union_name=name, union_uuid=union_uuid)
            for union_id, path, role, name, union_uuid in self.assignments.filter(union__is_active=True)
            .order_by("id").values_list("union_id", "union__path", "role", "union__name", "union__uuid")
        )
        return Scope(grants=grants, is_superuser=self.is_superuser)

    def load_phone_and_scope(self) -> None:
        """Load the deferred phone and compute ``scope`` (when neither is there yet) in one query: the user
        row LEFT JOINed to its assignments, the grants being the rows of active unions, by assignment id —
        what ``scope`` selects. For ``/me``, which shows both, after a token lookup that deferred the phone."""
        if "scope" in self.__dict__ or "phone" not in self.get_deferred_fields():
            return
        rows = list(type(self).objects.filter(pk=self.pk).order_by("assignments__id").values_list(
            "phone", "assignments__union_id", "assignments__union__path", "assignments__role",
            "assignments__union__name", "assignments__union__uuid", "assignments__union__is_active"))
        if not rows:
            return
        self.phone = rows[0][0]
        grants = tuple(
            Grant(union_id=union_id, path=path, role=Role(role), union_name=name, union_uuid=union_uuid)
            for _, union_id, path, role, name, union_uuid, active in rows if union_id is not None and active)
        self.__dict__["scope"] = Scope(grants=grants, is_superuser=self.is_superuser)

    @property
    def is_union_staff(self) -> bool:
        return self.scope.is_staff


class AssignmentQuerySet(BranchQuerySet):
    branch_path = "union__path"
    # Staff management is an administrator's job; the assignment list is visible to admins only.
    visible_roles = frozenset({Role.ADMIN})


class StaffAssignment(BranchRow, PublicId):
    """A staff user's role at a union; it covers the union's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    union = models.ForeignKey("unions.Union", on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    title = models.CharField("职务", max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = user_ref()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "union"], name="assignment_one_role_per_union")]
        indexes = [models.Index(fields=["union", "role"], name="assignment_union_role_idx")]
        verbose_name = verbose_name_plural = "工会干部任职"

    def __str__(self) -> str:
        return f"{self.user.name} @ {self.union.name} ({self.get_role_display()})"


#: What ``members.access.own_member`` loads with the member (joined) and leaves unloaded (its encrypted
#: columns); the token lookup joins the same, so that the member it brings along is the one
#: ``own_member`` would have loaded.
OWN_MEMBER_RELATED = ("union", "employer")
OWN_MEMBER_DEFERRED = ("id_number", "phone")


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def authenticate(self, raw: str) -> User | None:
        """The active user behind a raw bearer token, or None. Touches last_used_at at most once a minute."""
        if not raw or len(raw) > 200:
            return None
        # One indexed lookup (key_hash is unique) with the user joined, and the user's own membership
        # record with it (a LEFT JOIN on the unique user_id: most API callers are members, and their
        # endpoints start with ``own_member``, which takes it from here instead of a query of its own).
        # The encrypted columns are deferred: authenticating decrypts nothing (an endpoint that shows the
        # phone loads it then).
        token = next(iter(
            self.live().select_related("user", *(f"user__member__{name}" for name in OWN_MEMBER_RELATED))
            .defer("user__phone", *(f"user__member__{name}" for name in OWN_MEMBER_DEFERRED))
            .filter(key_hash=_hash_token(raw)).order_by()[:1]), None)
        if token is None or not token.user.is_active:
            return None
        token.user._gonghui_member_joined = True
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class ApiToken(PublicId):
    """A bearer token for the app and mini-program carriers. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("设备/用途", max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, user: User, name: str = "") -> tuple[ApiToken, str]:
        raw = "gh_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name[:60], key_hash=_hash_token(raw), prefix=raw[:8],
            expires_at=timezone.now() + settings.API_TOKEN_TTL,
        )
        return token, raw


class PhoneCodeQuerySet(models.QuerySet):
    def live(self) -> PhoneCodeQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class PhoneCode(models.Model):
    """An SMS verification code. Only the phone's blind index and the code's hash are stored."""

    phone_index = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=20, default="register")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = PhoneCodeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["phone_index", "purpose", "created_at"], name="phonecode_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class SecondFactor(models.Model):
    """A staff user's TOTP authenticator (RFC 6238). The shared secret is stored encrypted.

    ``last_step`` is the last accepted time step: a code is accepted once (replay protection), by a
    guarded update. ``failures``/``locked_until`` throttle guessing per account.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    secret = EncryptedTextField("密钥")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField("绑定时间", null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "身份验证器"

    def __str__(self) -> str:
        return f"{self.user.name}（{'已绑定' if self.confirmed_at else '待确认'}）"


class RecoveryCode(models.Model):
    """A one-time recovery code. Only its keyed hash (HMAC) is stored; it is shown once, at enrolment."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]
        verbose_name = verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"{self.user.name} {'已使用' if self.used_at else '未使用'}"
