"""Forms of the 职课堂 pages: they parse; the services validate the rules."""

from __future__ import annotations

from django import forms

from gonghui.core.photos import PhotoUpload

from .models import CourseKind, LessonKind, QuestionKind


class CourseForm(forms.Form):
    title = forms.CharField(label="课程名称", max_length=100)
    kind = forms.ChoiceField(label="课程形式", choices=CourseKind.choices)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_value=999, decimal_places=1, initial=1)
    summary = forms.CharField(label="课程简介", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    exam_questions = forms.IntegerField(label="每次抽题数", min_value=1, max_value=200, initial=10)
    exam_minutes = forms.IntegerField(label="考试时长（分钟）", min_value=1, max_value=600, initial=30)
    pass_mark = forms.IntegerField(label="合格分数（百分制）", min_value=1, max_value=100, initial=60)
    attempt_limit = forms.IntegerField(label="考试次数上限", min_value=0, max_value=99, initial=3,
                                       help_text="0 表示不限次数")
    photo = PhotoUpload(label="课程封面")
    photo_remove = forms.BooleanField(label="删除现有封面", required=False)


class NewCourseForm(CourseForm):
    union = forms.UUIDField(label="开课工会")


class LessonForm(forms.Form):
    title = forms.CharField(label="课时名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=LessonKind.choices, widget=forms.RadioSelect)
    position = forms.IntegerField(label="序号", min_value=1, max_value=999, required=False,
                                  help_text="不填则排在最后")
    duration = forms.IntegerField(label="时长（秒）", min_value=0, max_value=86400, required=False,
                                  help_text="视频的时长，看到九成即算学完")
    body = forms.CharField(label="正文", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label="文件", required=False, help_text="视频：MP4 或 WebM；文档：PDF；不超过200MB",
                           widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm,application/pdf"}))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices)
    text = forms.CharField(label="题干", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(label="选项（每行一个）", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}), help_text="单选、多选题填写；判断题不填")
    answer = forms.CharField(label="答案", max_length=300,
                             help_text="选择题填字母（如 B 或 ACD）；判断题填 正确/错误；"
                                       "填空题填答案，多个可接受的答案用 | 分隔")
    explanation = forms.CharField(label="解析", required=False, max_length=300)
    active = forms.BooleanField(label="启用", required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label="试题表格", help_text="Excel（.xlsx/.xls）或 CSV，表头：题型、题干、选项、答案、解析")


class NoteForm(forms.Form):
    note = forms.CharField(label="评审意见", required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=300)


class ProgressForm(forms.Form):
    position = forms.IntegerField(min_value=0, max_value=86400, required=False)
    done = forms.BooleanField(required=False)
