"""Forms of the survey pages: they parse; the services validate the rules (audience and anonymity,
options, skip rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from gonghui.members.models import EmploymentForm

from .models import Audience, QuestionKind


class SurveyForm(forms.Form):
    title = forms.CharField(label="问卷标题", max_length=100, error_messages={"required": "请填写问卷标题"})
    description = forms.CharField(label="问卷说明", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="显示在问卷开头，例如调查目的、填写时间、隐私说明")
    audience = forms.ChoiceField(label="填写对象", choices=Audience.choices, widget=forms.RadioSelect,
                                 initial=Audience.MEMBERS)
    employment_form = forms.ChoiceField(label="仅限就业形态", required=False,
                                        choices=[("", "不限"), *EmploymentForm.choices],
                                        help_text="只对面向会员的问卷有效，如只发给新就业形态劳动者")
    anonymous = forms.BooleanField(label="匿名问卷（答卷不保存与会员的任何关联）", required=False,
                                   help_text="公开链接的问卷必须匿名")


class NewSurveyForm(SurveyForm):
    union = forms.UUIDField(label="发起工会",
                            error_messages={"required": "请选择发起工会", "invalid": "请选择发起工会"})

    field_order = ["union", "title", "description", "audience", "employment_form", "anonymous"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices, initial=QuestionKind.SINGLE)
    title = forms.CharField(label="题目", max_length=300, error_messages={"required": "请填写题目"})
    help_text = forms.CharField(label="题目说明", max_length=300, required=False)
    options = forms.CharField(label="选项（每行一个）", required=False, max_length=12000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="仅单选、多选题需要，至少两个选项")
    required = forms.BooleanField(label="必答", required=False, initial=True)
    shuffle = forms.BooleanField(label="选项随机排序", required=False)
    show_if = forms.CharField(label="显示条件", required=False, max_length=40)
    section = forms.CharField(label="所属分节", required=False, max_length=40)

    def option_labels(self) -> list[str]:
        return [line for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]


class SectionForm(forms.Form):
    title = forms.CharField(label="分节标题", max_length=100, error_messages={"required": "请填写分节标题"})


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "上移"), ("down", "下移")])


def answers_from_post(data: Any, keys: list[str]) -> dict[str, list[str]]:
    """The answer fields of a posted survey form (``q_<question uuid>``, several values for a
    multiple-choice question) in the services' shape {question uuid: [values]}."""
    return {key: data.getlist(f"q_{key}") for key in keys if f"q_{key}" in data}
