from django import forms

from .models import EmployerSize, Industry, UnionKind, UnionLevel


class UnionForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=UnionKind.choices)
    region_code = forms.CharField(label="行政区划代码", max_length=12, required=False)
    address = forms.CharField(label="地址", max_length=300, required=False)


class ChildUnionForm(UnionForm):
    level = forms.TypedChoiceField(label="层级", choices=UnionLevel.choices, coerce=int)


class MoveForm(forms.Form):
    new_parent = forms.UUIDField(label="新的上级工会")


class EmployerForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)
    union = forms.UUIDField(label="所属工会")
    industry = forms.ChoiceField(label="行业门类", choices=[("", "—")] + Industry.choices, required=False)
    size = forms.ChoiceField(label="规模", choices=[("", "—")] + EmployerSize.choices, required=False)
    employee_count = forms.IntegerField(label="职工人数", min_value=0, max_value=10_000_000, required=False)
    address = forms.CharField(label="地址", max_length=300, required=False)
    union_established = forms.BooleanField(label="已单独建会", required=False)


class EmployerEditForm(forms.Form):
    name = forms.CharField(label="单位名称", max_length=200)
    industry = forms.ChoiceField(label="行业门类", choices=[("", "—")] + Industry.choices, required=False)
    size = forms.ChoiceField(label="规模", choices=[("", "—")] + EmployerSize.choices, required=False)
    employee_count = forms.IntegerField(label="职工人数", min_value=0, max_value=10_000_000, required=False)
    address = forms.CharField(label="地址", max_length=300, required=False)
    union_established = forms.BooleanField(label="已单独建会", required=False)
    grid = forms.UUIDField(label="网格", required=False)
    liaison = forms.UUIDField(label="联络员", required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label="走访记录", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ProblemForm(forms.Form):
    title = forms.CharField(label="问题", max_length=200)
    description = forms.CharField(label="说明", max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class AdvanceForm(forms.Form):
    to_status = forms.CharField(max_length=20)
    note = forms.CharField(max_length=300, required=False)


class NameForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    description = forms.CharField(label="简介", max_length=300, required=False)
    parent = forms.UUIDField(required=False)
