"""合作伙伴 and the service circle (服务圈): signing partners, their accounts, finding them nearby.

Distance needs no GIS extension: a bounding box around the member's position narrows the rows in the
database (an indexed range on latitude and longitude), then the haversine distance is computed in
Python for what is left and the nearest are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.notify import notify
from gonghui.core.photos import photo_replace
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_date_range, clean_text
from gonghui.lib import images
from gonghui.unions.models import Union

from ..models import Partner, PartnerCategory, PartnerQuerySet, PartnerStaff, PartnerStatus

if TYPE_CHECKING:
    from gonghui.accounts.models import User

EARTH_RADIUS_KM = 6371.0088
RADII_KM = (1, 3, 5, 10, 30)


def _coordinates(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise ValidationFailed("经度和纬度需同时填写", detail={"latitude": "经度和纬度需同时填写"})
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationFailed("经纬度超出范围", detail={"latitude": "经纬度超出范围"})
    return round(float(latitude), 6), round(float(longitude), 6)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    clean = {
        "name": clean_text(data.get("name"), field="name", label="名称", max_length=100, too_long="名称过长"),
        "address": clean_text(data.get("address"), field="address", label="地址", max_length=200,
                              too_long="地址过长"),
        "discount": clean_text(data.get("discount"), field="discount", label="会员优惠", max_length=200,
                               too_long="会员优惠过长"),
        "hotline": clean_text(data.get("hotline"), field="hotline", label="服务电话", max_length=30, required=False,
                              too_long="服务电话过长"),
        "description": clean_text(data.get("description"), field="description", label="介绍", max_length=2000,
                                  required=False, multiline=True),
    }
    category = data.get("category")
    if category not in PartnerCategory.values:
        raise ValidationFailed("请选择类别", detail={"category": "请选择类别"})
    clean["category"] = category
    clean["latitude"], clean["longitude"] = _coordinates(data.get("latitude"), data.get("longitude"))
    clean["contract_start"], clean["contract_end"] = clean_date_range(
        data.get("contract_start"), data.get("contract_end"), fields=("contract_start", "contract_end"),
        label="合作期限", backwards="合作截止日期不能早于开始日期")
    return clean


def partner_create(*, actor: User, union: Union, photo: images.Processed | None = None, **data: Any) -> Partner:
    """Sign a partner for ``union``. Preconditions: ``union`` came through access_union_for_work."""
    data.pop("photo_remove", None)
    clean = _clean(data)
    with transaction.atomic():
        partner = Partner.objects.create(union=union, created_by=actor if getattr(actor, "pk", None) else None,
                                         **clean)
        photo_replace(partner, "photo", photo)
        audit.record("partner.create", actor=actor, obj=partner)
    return partner


def partner_update(*, actor: User, partner: Partner, photo: images.Processed | None = None,
                   photo_remove: bool = False, **data: Any) -> Partner:
    """Correct a partner's details (and its photo). Preconditions: gated with write=True."""
    clean = _clean(data)
    changed = sorted(k for k, v in clean.items() if getattr(partner, k) != v)
    if photo is not None or (photo_remove and partner.photo is not None):
        changed.append("photo")
    if not changed:
        return partner
    with transaction.atomic():
        for key, value in clean.items():
            setattr(partner, key, value)
        partner.save(update_fields=[*clean, "updated_at"])
        photo_replace(partner, "photo", photo, remove=photo_remove)
        audit.record("partner.update", actor=actor, obj=partner, detail={"changed": changed})
    return partner


def partner_set_status(*, actor: User, partner: Partner, status: str, reason: str = "") -> Partner:
    """Suspend (暂停合作) or resume a partner. A suspended partner redeems nothing and is not listed.

    Preconditions: gated with write=True. Raises Conflict when the partner already has that status.
    """
    if status not in PartnerStatus.values:
        raise ValidationFailed("状态不正确")
    old = PartnerStatus.ACTIVE if status == PartnerStatus.SUSPENDED else PartnerStatus.SUSPENDED
    reason = " ".join((reason or "").split())[:200]
    transition(partner, to=status, from_=[old], stamp=None,
               message=f"该合作伙伴已是「{PartnerStatus(status).label}」状态",
               audit="partner.suspend" if status == PartnerStatus.SUSPENDED else "partner.resume", actor=actor,
               detail={"from": old, "to": status, "reason": reason})
    return partner


def partner_staff_add(*, actor: User, partner: Partner, phone: str) -> PartnerStaff:
    """Let the account registered with ``phone`` redeem coupons for ``partner``.

    Preconditions: gated with write=True. The person registers first (手机号注册); an account works
    for at most one partner.
    """
    from gonghui.accounts.models import User

    user = User.objects.by_phone(phone or "").filter(is_active=True).first()
    if user is None:
        raise ValidationFailed("未找到该手机号注册的账号，请对方先在职工端注册", detail={"phone": "未找到该账号"})
    try:
        with transaction.atomic():
            staff = PartnerStaff.objects.create(partner=partner, user=user,
                                                created_by=actor if getattr(actor, "pk", None) else None)
            audit.record("partner.staff_add", actor=actor, obj=partner,
                         detail={"user": str(user.uuid)})
            notify(user, f"您已成为「{partner.name}」的核销人员",
                   "在职工端「领券」页进入「商户核销」，即可扫码核销工会普惠券、核验会员卡。",
                   url=reverse("benefits:merchant"))
    except IntegrityError:
        raise Conflict("该账号已是合作商户的核销人员（一个账号只能服务一家商户）") from None
    return staff


def partner_staff_remove(*, actor: User, staff: PartnerStaff) -> None:
    """Take away an account's redemption rights at a partner. Preconditions: the partner was gated for write."""
    with transaction.atomic():
        if not PartnerStaff.objects.filter(pk=staff.pk).delete()[0]:
            raise Conflict("该核销人员已被移除")
        audit.record("partner.staff_remove", actor=actor, obj=staff.partner,
                     detail={"user": str(staff.user.uuid)})


# --- Nearby -----------------------------------------------------------------------------------------------


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lng, max lng) of a box that contains the circle."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)), 180.0)
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


@dataclass(frozen=True)
class Nearby:
    partner: Partner
    distance_km: float | None

    @property
    def distance_label(self) -> str:
        if self.distance_km is None:
            return ""
        if self.distance_km < 1:
            return f"{round(self.distance_km * 1000 / 10) * 10:.0f}米"
        return f"{self.distance_km:.1f}公里"


def partners_nearby(qs: PartnerQuerySet, *, lat: float | None, lng: float | None, radius_km: float | None = 5,
                    limit: int = 50) -> list[Nearby]:
    """The ``limit`` nearest partners of ``qs`` within ``radius_km`` (None: any distance) of the point.

    Without a position the partners come by name, with no distance.
    """
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return [Nearby(p, None) for p in qs.order_by("name")[:limit]]
    located = qs.filter(latitude__isnull=False, longitude__isnull=False)
    if radius_km:
        min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_km)
        located = located.filter(latitude__gte=min_lat, latitude__lte=max_lat,
                                 longitude__gte=min_lng, longitude__lte=max_lng)
    found = []
    for partner in located.select_related("union"):
        distance = haversine_km(lat, lng, partner.latitude, partner.longitude)
        if radius_km is None or distance <= radius_km:
            found.append(Nearby(partner, distance))
    found.sort(key=lambda n: (n.distance_km, n.partner.name))
    return found[:limit]
