"""Forms of the members pages: joining (H5 flow and console queue), the registry's staff pages,
personal-information rights, transfers. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.core.forms import ReasonField

from .models import (
    Education,
    EmploymentForm,
    GigOccupation,
    Household,
    RightsRequestKind,
    RightsRequestStatus,
    TransferStatus,
)
from .services.registry import REVEALABLE

# --- Joining (H5 flow and console queue) ----------------------------------------------------------


def _blank(choices: Any, label: str) -> list[tuple[str, str]]:
    return [("", f"请选择{label}"), *choices]


class JoinRegisterForm(forms.Form):
    phone = forms.CharField(label="手机号", max_length=30, widget=forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "11位手机号"}))
    code = forms.CharField(label="短信验证码", max_length=10, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6位数字"}))
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = forms.CharField(label="设置登录密码", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="至少8位，不能是常见密码")


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label="我已阅读并同意《个人信息处理告知书》，单独同意工会处理我的身份证号码等敏感个人信息",
        error_messages={"required": "请勾选同意后继续；如不同意，可到工会线下办理入会"})


class DetailsForm(forms.Form):
    name = forms.CharField(label="真实姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label="身份证号码", max_length=30, widget=forms.TextInput(
        attrs={"autocomplete": "off", "placeholder": "18位居民身份证号码", "autocapitalize": "characters"}))
    phone = forms.CharField(label="手机号码", max_length=30, widget=forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel"}))
    education = forms.ChoiceField(label="学历", choices=_blank(Education.choices, "学历"), required=False)
    household = forms.ChoiceField(label="户籍类型", choices=_blank(Household.choices, "户籍类型"), required=False)
    employment_form = forms.ChoiceField(label="就业形态", choices=EmploymentForm.choices,
                                        initial=EmploymentForm.REGULAR)
    gig_occupation = forms.ChoiceField(label="新就业形态职业", choices=_blank(GigOccupation.choices, "职业"),
                                       required=False, help_text="快递员、外卖送餐员、网约车司机等请选择")
    employer_name = forms.CharField(label="工作单位或所在平台（选填）", max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"placeholder": "如：某某公司、某某外卖平台"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("employment_form") == EmploymentForm.GIG and not data.get("gig_occupation"):
            self.add_error("gig_occupation", "请选择您的职业")
        if data.get("employment_form") == EmploymentForm.REGULAR:
            data["gig_occupation"] = ""
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label="不通过原因", max_length=300, error_messages={"required": "请填写不通过的原因"})


class DriveForm(forms.Form):
    name = forms.CharField(label="活动名称", max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "如：2026年快递行业集中入会月"}))
    union = forms.UUIDField(label="发起工会")
    starts_on = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结束日期（选填）", required=False, widget=forms.DateInput(attrs={"type": "date"}))


# --- The registry's staff pages: reveal, unmasked export, roster upload -----------------------------


class RevealForm(forms.Form):
    field = forms.ChoiceField(label="查看", choices=list(REVEALABLE.items()))
    reason = ReasonField(label="查看原因", required_message="请填写查看原因")


class ExportReasonForm(forms.Form):
    reason = ReasonField(label="导出原因", required_message="导出完整信息须填写原因")


class RosterUploadForm(forms.Form):
    union = forms.UUIDField(label="导入到工会", error_messages={"required": "请选择导入到哪个工会",
                                                                  "invalid": "请选择导入到哪个工会"})
    file = forms.FileField(label="花名册文件（.xlsx、.xls 或 CSV）", error_messages={
        "required": "请选择要上传的 Excel 或 CSV 文件", "empty": "上传的文件是空的，请选择填写好的 Excel 或 CSV 文件"})


# --- Personal-information rights ------------------------------------------------------------------


class RightsRequestForm(forms.Form):
    kind = forms.ChoiceField(label="请求类型", choices=RightsRequestKind.choices)
    details = forms.CharField(label="说明", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class HandleForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=[(RightsRequestStatus.DONE, "办结"),
                                                          (RightsRequestStatus.REJECTED, "不予办理")])
    response = forms.CharField(label="处理意见", max_length=300, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="不予办理时必须说明理由，会员可以看到")
    # For corrections: only the fields filled in are changed.
    name = forms.CharField(label="更正后的姓名", max_length=50, required=False)
    phone = forms.CharField(label="更正后的手机号码", max_length=20, required=False)
    education = forms.ChoiceField(label="更正后的学历", choices=[("", "不变"), *Education.choices], required=False)
    household = forms.ChoiceField(label="更正后的户籍类型", choices=[("", "不变"), *Household.choices], required=False)


class RightsFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "全部"), *RightsRequestStatus.choices], required=False)
    kind = forms.ChoiceField(choices=[("", "全部类型"), *RightsRequestKind.choices], required=False)


# --- Transfers (会籍转移) ----------------------------------------------------------------------------


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


class ClaimForm(forms.Form):
    """实名认证绑定: who the worker says they are, and the code texted to the account's phone."""

    name = forms.CharField(label="真实姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label="身份证号码", max_length=30, widget=forms.TextInput(
        attrs={"autocomplete": "off", "placeholder": "18位居民身份证号码", "autocapitalize": "characters"}))
    code = forms.CharField(label="短信验证码", max_length=10, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6位数字"}))


class ClaimCorrectionForm(forms.Form):
    """After a mismatch: ask the union to correct its record."""

    name = forms.CharField(label="真实姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label="身份证号码", max_length=30, widget=forms.TextInput(
        attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    details = forms.CharField(label="补充说明（选填）", max_length=300, required=False, widget=forms.Textarea(
        attrs={"rows": 3, "placeholder": "如：所在单位、入会时间，登记的姓名或手机号哪里不对"}))
