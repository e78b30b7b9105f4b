"""Forms of the activities pages: they parse; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.photos import PhotoUpload

from .models import ActivityKind

_DT_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=_DT_FORMAT)


def _when(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=required, widget=LocalDateTimeInput(),
                               input_formats=[_DT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"], help_text=help_text)


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=100)
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    brand = forms.UUIDField(label="品牌", required=False)
    place = forms.CharField(label="活动地点", max_length=200)
    starts_at = _when("开始时间")
    ends_at = _when("结束时间")
    signup_opens_at = _when("报名开始", required=False, help_text="不填则发布后即可报名")
    signup_closes_at = _when("报名截止", required=False, help_text="不填则截止到活动开始")
    quota = forms.IntegerField(label="名额", min_value=1, max_value=100_000)
    description = forms.CharField(label="活动介绍", required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    gig_only = forms.BooleanField(label="仅限新就业形态劳动者", required=False)
    women_only = forms.BooleanField(label="仅限女职工", required=False)
    model_workers_only = forms.BooleanField(label="仅限劳模工匠", required=False)
    min_age = forms.IntegerField(label="最小年龄（周岁）", required=False, min_value=14, max_value=100)
    max_age = forms.IntegerField(label="最大年龄（周岁）", required=False, min_value=14, max_value=100)
    photo = PhotoUpload(label="活动封面")
    photo_remove = forms.BooleanField(label="删除现有封面", required=False)


class NewActivityForm(ActivityForm):
    union = forms.UUIDField(label="主办工会")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False)


class CancelActivityForm(forms.Form):
    reason = forms.CharField(label="取消原因", max_length=300, error_messages={"required": "请填写取消原因"})


class ConcludeForm(forms.Form):
    summary = forms.CharField(label="活动总结", max_length=5000, widget=forms.Textarea,
                              error_messages={"required": "请填写活动总结"})


class ScanForm(forms.Form):
    token = forms.CharField(label="会员卡二维码", max_length=300)


class PhotoForm(forms.Form):
    photo = forms.FileField(label="照片", error_messages={key: "请选择要上传的照片"
                                                        for key in ("required", "invalid", "missing", "empty")})
    caption = forms.CharField(label="照片说明", max_length=100, required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label="评分", coerce=int, choices=[(n, f"{n}星") for n in range(1, 6)],
                                   error_messages={"required": "请选择1到5星", "invalid_choice": "请选择1到5星"})
    comment = forms.CharField(label="评价", max_length=300, required=False)


class ExportForm(forms.Form):
    reason = forms.CharField(label="导出用途", max_length=200, error_messages={"required": "导出完整信息请填写用途"})
