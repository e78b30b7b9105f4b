"""Forms of the personal-information rights pages."""

from __future__ import annotations

from django import forms

from .models import Education, Household, RightsRequestKind, RightsRequestStatus


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
