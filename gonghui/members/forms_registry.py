"""Forms of the registry's staff pages: reveal, unmasked export, roster upload."""

from __future__ import annotations

from django import forms

from .services.registry import REVEALABLE


class RevealForm(forms.Form):
    field = forms.ChoiceField(label="查看", choices=list(REVEALABLE.items()))
    reason = forms.CharField(label="查看原因", max_length=200, error_messages={"required": "请填写查看原因"})

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("请填写查看原因")
        return reason


class ExportReasonForm(forms.Form):
    reason = forms.CharField(label="导出原因", max_length=200, error_messages={"required": "导出完整信息须填写原因"})

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("导出完整信息须填写原因")
        return reason


class RosterUploadForm(forms.Form):
    union = forms.UUIDField(label="导入到工会", error_messages={"required": "请选择导入到哪个工会",
                                                                  "invalid": "请选择导入到哪个工会"})
    file = forms.FileField(label="花名册文件（.xlsx）", error_messages={"required": "请选择要上传的 Excel 文件"})
