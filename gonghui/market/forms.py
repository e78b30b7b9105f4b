"""Forms of the market pages: they parse and check shapes; the rules live in the services."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from gonghui.core.photos import PhotoUpload

from .models import Audience, Domain, Mode, ProviderKind, TitleLevel
from .services.catalogue import SlotData
from .services.files import MAX_EVIDENCE_BYTES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def when_field(label: str, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_FORMATS,
                               widget=LocalDateTimeInput())


class OrderForm(forms.Form):
    batch = forms.UUIDField(label="批次", error_messages={"required": "请选择批次"})
    slot = forms.UUIDField(label="服务时段", required=False)
    note = forms.CharField(label="需求说明", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3,
                                                        "placeholder": "简要说明您的需求，便于服务方准备（选填）"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label="评分", coerce=int, choices=[(i, f"{i}星") for i in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    text = forms.CharField(label="评价", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": "说说服务的感受（选填）"}))


class AssignForm(forms.Form):
    server_name = forms.CharField(label="服务人员", max_length=50)
    scheduled_at = when_field("服务时间")


class BulkAssignForm(AssignForm):
    uuids = forms.TypedMultipleChoiceField(label="订单", coerce=str, required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any posted key is acceptable here; each one goes through the gate in the view.
        self.fields["uuids"].choices = [(v, v) for v in (self.data.getlist("uuids") if self.data else [])]


class DeliverForm(forms.Form):
    note = forms.CharField(label="服务记录", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="服务凭证（照片或PDF，选填）", required=False,
                               widget=forms.FileInput(attrs={"accept": "image/*,application/pdf",
                                                             "data-photo-picker": "",
                                                             "data-photo-max": str(MAX_EVIDENCE_BYTES)}))


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=300, required=False)


class ProviderForm(forms.Form):
    union = forms.UUIDField(label="所属工会")
    kind = forms.ChoiceField(label="类型", choices=ProviderKind.choices)
    name = forms.CharField(label="名称/姓名", max_length=100)
    title_level = forms.ChoiceField(label="称号级别", choices=[("", "—")] + TitleLevel.choices, required=False)
    specialty = forms.CharField(label="专长领域", max_length=100, required=False)
    bio = forms.CharField(label="简介", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photo = PhotoUpload(label="照片")
    photo_remove = forms.BooleanField(label="删除现有照片", required=False)
    account_phone = forms.CharField(label="服务方账号手机号（选填）", max_length=20, required=False,
                                    help_text="绑定后，该账号可在手机端「服务者工作台」管理自己的服务项目和订单")
    unlink = forms.BooleanField(label="解除账号绑定", required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class OfferingForm(forms.Form):
    title = forms.CharField(label="服务名称", max_length=100)
    domain = forms.ChoiceField(label="服务领域", choices=Domain.choices)
    summary = forms.CharField(label="一句话介绍", max_length=200)
    description = forms.CharField(label="服务内容", max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    mode = forms.ChoiceField(label="服务方式", choices=Mode.choices, initial=Mode.ONSITE)
    place = forms.CharField(label="服务地点（线下必填）", max_length=200, required=False)
    audience = forms.ChoiceField(label="服务对象", choices=Audience.choices, initial=Audience.ALL)
    audience_union = forms.UUIDField(label="指定工会（服务对象为指定工会会员时）", required=False)
    brands = forms.TypedMultipleChoiceField(label="品牌", coerce=str, required=False)
    photo = PhotoUpload(label="服务图片")
    photo_remove = forms.BooleanField(label="删除现有图片", required=False)

    def __init__(self, *args: Any, brands: list[tuple[str, str]] | None = None,
                 unions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brands"].choices = brands or []
        self.fields["brands"].widget = forms.CheckboxSelectMultiple(choices=brands or [])
        if unions is not None:
            self.fields["audience_union"] = forms.TypedChoiceField(
                label="指定工会（服务对象为指定工会会员时）", required=False, coerce=str,
                choices=[("", "—")] + unions)


class StaffOfferingForm(OfferingForm):
    provider = forms.UUIDField(label="服务方")


_SLOT_LINE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s+(\d{1,2}:\d{2})\s*[-~至到]\s*(\d{1,2}:\d{2})\s+(\d{1,6})\s*$")


def parse_slots(text: str) -> list[SlotData]:
    """Lines "2026-03-01 09:00-11:00 10" (date, start–end, places) → slots. Raises ValidationError."""
    slots: list[SlotData] = []
    tz = timezone.get_current_timezone()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _SLOT_LINE.match(line.replace("：", ":"))
        if not match:
            raise forms.ValidationError(f"第{number}行格式不正确，应为“2026-03-01 09:00-11:00 10”")
        day, start, end, places = match.groups()
        try:
            starts = datetime.strptime(f"{day} {start}", "%Y-%m-%d %H:%M").replace(tzinfo=tz)
            ends = datetime.strptime(f"{day} {end}", "%Y-%m-%d %H:%M").replace(tzinfo=tz)
        except ValueError:
            raise forms.ValidationError(f"第{number}行的日期或时间不正确") from None
        slots.append(SlotData(starts_at=starts, ends_at=ends, capacity=int(places)))
    return slots


class BatchForm(forms.Form):
    name = forms.CharField(label="批次名称", max_length=60, initial="第1批")
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=100_000, required=False,
                                  help_text="分时段预约时，名额为各时段之和，此处可不填")
    opens_at = when_field("开始预约（不填为立即）")
    closes_at = when_field("截止预约（选填）")
    serves_from = when_field("服务开始（无时段时必填）")
    serves_until = when_field("服务结束（选填）")
    slots = forms.CharField(label="服务时段（选填，每行一个）", required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-03-01 09:00-11:00 10"}),
                            help_text="格式：日期 开始-结束 名额，例如 2026-03-01 09:00-11:00 10")

    def clean_slots(self) -> list[SlotData]:
        return parse_slots(self.cleaned_data.get("slots") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("slots") and "slots" not in self.errors:
            if not data.get("capacity"):
                self.add_error("capacity", "请填写名额，或填写服务时段")
            if not data.get("serves_from") and "serves_from" not in self.errors:
                self.add_error("serves_from", "请填写服务开始时间，或填写服务时段")
        return data


class NeedForm(forms.Form):
    category = forms.UUIDField(label="分类")
    title = forms.CharField(label="我需要", max_length=100,
                            widget=forms.TextInput(attrs={"placeholder": "例如：想学习电工技能，考取电工证"}))
    text = forms.CharField(label="详细说明（选填）", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    offering = forms.UUIDField(label="推荐服务项目", required=False)
    provider = forms.UUIDField(label="推荐服务方", required=False)
    text = forms.CharField(label="回复", max_length=300, required=False)


class CategoryForm(forms.Form):
    union = forms.UUIDField(label="所属工会")
    name = forms.CharField(label="分类名称", max_length=30)
    position = forms.IntegerField(label="排序", min_value=0, max_value=1000, initial=0, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
