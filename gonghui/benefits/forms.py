"""Forms of the console and H5 pages: parsing only (money in 元 → 分, 折 → percent, the rule fields →
the rule document). Validation of the business rules is the services' job."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from gonghui.core.photos import PhotoUpload
from gonghui.members.models import EmploymentForm, GigOccupation, HardshipLevel, ModelWorkerLevel

from .models import CampaignKind, CouponType, PartnerCategory

YUAN = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


def cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).quantize(Decimal("1")))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RuleFieldsMixin(forms.Form):
    """The eligibility rule editor's fields (规则编辑器), turned into the rule document by ``rule()``."""

    rule_unions = forms.MultipleChoiceField(label="工会范围", required=False,
                                            help_text="不选则为发放工会及其全部下级工会")
    employment_form = forms.ChoiceField(label="就业形态", required=False,
                                        choices=[("", "不限")] + EmploymentForm.choices)
    gig_occupations = forms.MultipleChoiceField(label="新就业形态职业", required=False, choices=GigOccupation.choices,
                                                widget=forms.CheckboxSelectMultiple)
    hardship_levels = forms.MultipleChoiceField(label="困难职工", required=False, choices=HardshipLevel.choices,
                                                widget=forms.CheckboxSelectMultiple)
    women_only = forms.BooleanField(label="仅限女职工", required=False)
    model_worker_levels = forms.MultipleChoiceField(label="劳模", required=False, choices=ModelWorkerLevel.choices,
                                                    widget=forms.CheckboxSelectMultiple)
    age_min = forms.IntegerField(label="最小年龄", required=False, min_value=16, max_value=100)
    age_max = forms.IntegerField(label="最大年龄", required=False, min_value=16, max_value=100)
    joined_before = forms.DateField(label="在此日期以前入会", required=False, widget=DateInput())

    def set_union_choices(self, unions: Any) -> None:
        self.fields["rule_unions"].choices = [(str(u.uuid), ("　" * max(u.depth - 1, 0)) + u.name) for u in unions]

    def rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule: dict[str, Any] = {
            "unions": data.get("rule_unions") or [], "employment_form": data.get("employment_form") or "",
            "gig_occupations": data.get("gig_occupations") or [], "hardship_levels": data.get("hardship_levels") or [],
            "women_only": bool(data.get("women_only")), "model_worker_levels": data.get("model_worker_levels") or [],
            "age_min": data.get("age_min"), "age_max": data.get("age_max"), "joined_before": data.get("joined_before"),
        }
        return {k: v for k, v in rule.items() if v not in (None, "", [], False)}

    @staticmethod
    def initial_from(rule: dict[str, Any]) -> dict[str, Any]:
        return {"rule_unions": rule.get("unions", []), "employment_form": rule.get("employment_form", ""),
                "gig_occupations": rule.get("gig_occupations", []), "hardship_levels": rule.get("hardship_levels", []),
                "women_only": rule.get("women_only", False),
                "model_worker_levels": rule.get("model_worker_levels", []), "age_min": rule.get("age_min"),
                "age_max": rule.get("age_max"), "joined_before": rule.get("joined_before")}


class PartnerForm(forms.Form):
    union = forms.UUIDField(label="签约工会", required=False)
    name = forms.CharField(label="名称", max_length=100)
    category = forms.ChoiceField(label="类别", choices=PartnerCategory.choices)
    address = forms.CharField(label="地址", max_length=200)
    longitude = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180,
                                 help_text="如 101.778，可在地图软件中查得")
    latitude = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90, help_text="如 36.617")
    discount = forms.CharField(label="会员优惠", max_length=200, help_text="如：凭会员卡或工会券消费享8.8折")
    hotline = forms.CharField(label="服务电话", max_length=30, required=False)
    description = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contract_start = forms.DateField(label="合作开始", widget=DateInput())
    contract_end = forms.DateField(label="合作截止", widget=DateInput())
    photo = PhotoUpload(label="门店图片")
    photo_remove = forms.BooleanField(label="删除现有图片", required=False)

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("union", None)
        return data


class PhoneForm(forms.Form):
    phone = forms.CharField(label="核销人员手机号", max_length=20, error_messages={"required": "请填写手机号"})


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


class CampaignForm(RuleFieldsMixin):
    union = forms.UUIDField(label="发放工会", required=False)
    name = forms.CharField(label="活动名称", max_length=60)
    description = forms.CharField(label="活动说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="发放方式", choices=CampaignKind.choices, widget=forms.RadioSelect,
                             initial=CampaignKind.AUTO)
    coupon_type = forms.ChoiceField(label="券种", choices=CouponType.choices, widget=forms.RadioSelect,
                                    initial=CouponType.AMOUNT)
    face_yuan = forms.DecimalField(label="面额（元）", required=False, **YUAN)
    discount_zhe = forms.DecimalField(label="折扣（折）", required=False, max_digits=3, decimal_places=1,
                                      min_value=Decimal("0.1"), max_value=Decimal("9.9"), help_text="如 8.5 表示八五折")
    max_discount_yuan = forms.DecimalField(label="最高优惠（元）", required=False, **YUAN)
    min_spend_yuan = forms.DecimalField(label="使用门槛（满多少元可用）", required=False, **YUAN,
                                        help_text="不填为无门槛")
    budget_count = forms.IntegerField(label="预算张数", min_value=1)
    budget_yuan = forms.DecimalField(label="预算金额（元）", **YUAN)
    per_member_limit = forms.IntegerField(label="每人限领（张）", min_value=1, max_value=20, initial=1)
    starts_on = forms.DateField(label="开始日期", widget=DateInput())
    ends_on = forms.DateField(label="截止日期", widget=DateInput())
    partners = forms.MultipleChoiceField(label="适用商户", required=False, widget=forms.CheckboxSelectMultiple)

    def set_partner_choices(self, partners: Any) -> None:
        self.fields["partners"].choices = [(str(p.uuid), f"{p.name}（{p.get_category_display()}）") for p in partners]

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        zhe = d.get("discount_zhe")
        return {
            "name": d["name"], "description": d.get("description", ""), "kind": d["kind"],
            "coupon_type": d["coupon_type"], "face_cents": cents(d.get("face_yuan")),
            "pay_percent": int(zhe * 10) if zhe is not None else None,
            "max_discount_cents": cents(d.get("max_discount_yuan")),
            "min_spend_cents": cents(d.get("min_spend_yuan")) or 0, "budget_count": d["budget_count"],
            "budget_cents": cents(d["budget_yuan"]), "per_member_limit": d.get("per_member_limit") or 1,
            "starts_on": d["starts_on"], "ends_on": d["ends_on"], "rule": self.rule(),
        }

    @staticmethod
    def initial_for(campaign: Any) -> dict[str, Any]:
        def to_yuan(value: int | None) -> Decimal | None:
            return None if value is None else Decimal(value) / 100

        return {
            "name": campaign.name, "description": campaign.description, "kind": campaign.kind,
            "coupon_type": campaign.coupon_type, "face_yuan": to_yuan(campaign.face_cents),
            "discount_zhe": Decimal(campaign.pay_percent) / 10 if campaign.pay_percent else None,
            "max_discount_yuan": to_yuan(campaign.max_discount_cents),
            "min_spend_yuan": to_yuan(campaign.min_spend_cents) if campaign.min_spend_cents else None,
            "budget_count": campaign.budget_count, "budget_yuan": to_yuan(campaign.budget_cents),
            "per_member_limit": campaign.per_member_limit, "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on, "partners": [str(p.uuid) for p in campaign.partners.all()],
            **RuleFieldsMixin.initial_from(campaign.rule),
        }


class PreviewForm(RuleFieldsMixin):
    union = forms.UUIDField(label="发放工会", required=False)


class LotteryForm(RuleFieldsMixin):
    union = forms.UUIDField(label="主办工会", required=False)
    name = forms.CharField(label="抽奖名称", max_length=60)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


def prizes_from(post: Any) -> list[tuple[str, int]]:
    """The prize rows of the lottery form (parallel prize_name / prize_count inputs)."""
    names, counts = post.getlist("prize_name"), post.getlist("prize_count")
    rows = []
    for name, count in zip(names, counts, strict=False):
        try:
            number = int(count) if str(count).strip() else 0
        except ValueError:
            number = -1
        rows.append((name, number))
    return rows


class RedeemForm(forms.Form):
    code = forms.CharField(label="券码", max_length=60)
    bill_yuan = forms.DecimalField(label="消费金额（元）", required=False, max_digits=10, decimal_places=2,
                                   min_value=Decimal("0.01"))

    def bill_cents(self) -> int | None:
        return cents(self.cleaned_data.get("bill_yuan"))


class ReconciliationForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    campaign = forms.UUIDField(required=False)
    partner = forms.UUIDField(required=False)
