"""Forms of the appeals pages: parsing only; the rules live in the services.

Every action validates its form through core.actions.act: what does not parse (a bad UUID, an
unknown choice, a text over its length) is a message and never reaches a service.
"""

from __future__ import annotations

from django import forms

from .models import Kind, Rating, Stage, Tier, Topic

TEXTAREA = forms.Textarea(attrs={"rows": 5, "maxlength": 2000})


class SubmitForm(forms.Form):
    """The worker's request on the H5. Files come from request.FILES.getlist("files")."""

    kind = forms.ChoiceField(label="诉求类型", choices=Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "请选择诉求类型"})
    topic = forms.ChoiceField(label="问题类别", choices=[("", "请选择（可不选）"), *Topic.choices], required=False)
    title = forms.CharField(label="标题", max_length=60, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "一句话概括（可不填）"}))
    content = forms.CharField(
        label="诉求内容", widget=TEXTAREA, max_length=2000,
        error_messages={"required": "请填写诉求内容",
                        "max_length": "诉求内容不能超过%(limit_value)d个字（现在%(show_value)d个字）"},
        help_text="请写明时间、地点、单位和经过；不要填写身份证号码等敏感信息")
    location = forms.CharField(label="地点", max_length=200, required=False,
                               widget=forms.TextInput(attrs={"placeholder": "如：XX路XX号XX车间（隐患必填）"}))
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    place = forms.UUIDField(label="事发地（区县）", required=False)
    anonymous = forms.BooleanField(label="匿名提交（仅意见建议）", required=False)
    public = forms.BooleanField(label="公开到留言板（姓名隐去）", required=False)
    collective = forms.BooleanField(label="群体诉求（涉及多人）", required=False)
    headcount = forms.IntegerField(label="涉及人数", required=False, min_value=2, max_value=100000)


class CallForm(forms.Form):
    """The hotline operator's record of a call (来电登记)."""

    phone = forms.CharField(label="来电号码", max_length=20, error_messages={"required": "请填写来电号码"})
    caller_name = forms.CharField(label="来电人姓名", max_length=50, required=False)
    kind = forms.ChoiceField(label="诉求类型", choices=Kind.choices)
    topic = forms.ChoiceField(label="问题类别", choices=[("", "请选择"), *Topic.choices], required=False)
    title = forms.CharField(label="标题", max_length=60, required=False)
    content = forms.CharField(label="来电内容", widget=TEXTAREA, error_messages={"required": "请记录来电内容"})
    place = forms.UUIDField(label="事发地（区县）", required=False)
    location = forms.CharField(label="地点", max_length=200, required=False)
    collective = forms.BooleanField(label="群体诉求", required=False)
    headcount = forms.IntegerField(label="涉及人数", required=False, min_value=2, max_value=100000)


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, required=False)


class FollowUpForm(forms.Form):
    note = forms.CharField(label="回访记录", max_length=500, required=False)
    rating = forms.ChoiceField(label="回访满意度", choices=[("", "不记录"), *Rating.choices], required=False)


class AcceptForm(forms.Form):
    tier = forms.ChoiceField(label="办理时限", choices=Tier.choices, required=False)
    topic = forms.ChoiceField(label="问题类别", choices=[("", "不变"), *Topic.choices], required=False)
    note = forms.CharField(label="说明", max_length=500, required=False)


class ClassifyForm(forms.Form):
    tier = forms.ChoiceField(label="办理时限", choices=Tier.choices, required=False)
    topic = forms.ChoiceField(label="问题类别", choices=[("", "不变"), *Topic.choices], required=False)


class AssignForm(forms.Form):
    union = forms.UUIDField(label="交办单位", required=False)
    handler = forms.UUIDField(label="经办人", required=False)
    note = forms.CharField(label="交办意见", max_length=500, required=False)


class BulkAssignForm(forms.Form):
    """批量交办: the ticket keys come from request.POST.getlist("tickets")."""

    union = forms.UUIDField(label="交办单位", required=False)
    handler = forms.UUIDField(label="经办人", required=False)
    note = forms.CharField(label="交办意见", max_length=500, required=False)


class TransferForm(forms.Form):
    union = forms.UUIDField(label="转办单位", error_messages={"required": "请先搜索并选择转办单位",
                                                              "invalid": "请先搜索并选择转办单位"})
    reason = forms.CharField(label="转办原因", max_length=500, required=False)


class CloseForm(forms.Form):
    reply = forms.CharField(label="答复内容", widget=TEXTAREA, required=False)


class ClaimantForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)


class AttachForm(forms.Form):
    """Staff's files: request.FILES.getlist("files"); the stage defaults to 办理材料."""

    stage = forms.ChoiceField(label="材料类别", choices=[("", "办理材料"), (Stage.REPLY, "办理材料"),
                                                         (Stage.MEDIATION, "调解文书")], required=False)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label="满意度", choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": "请选择满意度"})
    comment = forms.CharField(label="评价意见", max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class MediationOpenForm(forms.Form):
    applicant = forms.CharField(label="申请人", max_length=100, required=False)
    respondent = forms.CharField(label="被申请人（单位）", max_length=200, required=False)
    claim = forms.CharField(label="请求事项", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    claim_amount = forms.DecimalField(label="请求金额（元）", required=False, max_digits=12, decimal_places=2,
                                      min_value=0)


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(label="调解时间", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                  error_messages={"required": "请填写调解时间", "invalid": "时间格式不正确"})
    place = forms.CharField(label="地点", max_length=100, required=False)
    attendees = forms.CharField(label="参加人员", max_length=300, required=False)
    notes = forms.CharField(label="调解记录", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ConcludeForm(forms.Form):
    result = forms.ChoiceField(label="调解结果", choices=[("succeeded", "调解成功"), ("failed", "调解不成")],
                               error_messages={"required": "请选择调解结果", "invalid_choice": "请选择调解结果"})
    outcome = forms.CharField(label="结果说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    agreed_amount = forms.DecimalField(label="协议金额（元）", required=False, max_digits=12, decimal_places=2,
                                       min_value=0)
    arbitration_body = forms.CharField(label="移送仲裁机构", max_length=100, required=False)
