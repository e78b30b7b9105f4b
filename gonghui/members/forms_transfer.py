"""Forms of the transfer pages (会籍转移)."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import TransferStatus


class TransferStartForm(forms.Form):
    """The worker's own request: a target picked from the search ("union:<uuid>" or "employer:<uuid>")."""

    target = forms.CharField(label="转入的工会或单位", max_length=60,
                             error_messages={"required": "请先搜索并选择要转入的工会或新单位"})
    reason = forms.CharField(label="转会原因", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写转会原因"},
                             help_text="如：已入职新单位、工作地点变动")

    def clean_target(self) -> tuple[str, str]:
        kind, _, key = self.cleaned_data["target"].partition(":")
        if kind not in ("union", "employer") or not key:
            raise forms.ValidationError("请先搜索并选择要转入的工会或新单位")
        return kind, key


class StaffTransferForm(forms.Form):
    """Staff of the source union start a transfer for a member."""

    target = forms.CharField(label="转入的工会或单位", max_length=60,
                             error_messages={"required": "请先搜索并选择转入的工会或单位"})
    reason = forms.CharField(label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    clean_target = TransferStartForm.clean_target


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=300, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=300, error_messages={"required": "请填写退回原因"})


class CancelForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=300, required=False)


class TransferFilterForm(forms.Form):
    direction = forms.ChoiceField(choices=[("out", "转出"), ("in", "转入")], required=False)
    status = forms.ChoiceField(choices=[("", "全部状态"), ("open", "办理中"), *TransferStatus.choices], required=False)
    q = forms.CharField(max_length=50, required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"direction": data.get("direction") or "out", "status": data.get("status") or "",
                "q": " ".join((data.get("q") or "").split())}
