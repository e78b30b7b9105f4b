"""Forms of the joining pages (H5 flow and console queue). They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Education, EmploymentForm, GigOccupation, Household


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
