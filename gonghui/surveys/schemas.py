"""API shapes: XxxIn / XxxOut."""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from datetime import datetime
from uuid import UUID

from ninja import Field, Schema


class SurveyIn(Schema):
    union: UUID = Field(..., description="发起工会")
    title: str = Field(..., max_length=300)
    description: str = Field("", max_length=5000)
    anonymous: bool = False
    audience: str = Field("members", description="members / public / staff")
    employment_form: str = Field("", description="仅限就业形态：空（不限）/ gig / regular")


class QuestionIn(Schema):
    kind: str = Field(..., description="single/multiple/scale5/scale10/nps/short_text/long_text/number/date")
    title: str = Field(..., max_length=1000)
    help_text: str = Field("", max_length=1000)
    required: bool = True
    shuffle: bool = False
    options: list[str] = Field(default_factory=list, max_length=60)
    show_if: UUID | None = Field(None, description="显示条件：前面某道选择题的选项")
    section: UUID | None = Field(None, description="所属分节")


class OptionOut(Schema):
    uuid: UUID
    label: str


class QuestionOut(Schema):
    uuid: UUID
    order: int
    kind: str
    title: str
    help_text: str
    required: bool
    shuffle: bool
    show_if: UUID | None = Field(None, alias="show_if_option.uuid")
    options: list[OptionOut]


class SurveyOut(Schema):
    uuid: UUID
    union_name: str = Field(alias="union.name")
    title: str
    description: str
    status: str
    anonymous: bool
    audience: str
    employment_form: str
    response_count: int
    published_at: datetime | None


class SurveyDetailOut(SurveyOut):
    live_questions: list[QuestionOut]
    draft_questions: list[QuestionOut] | None

    @staticmethod
    def resolve_live_questions(obj) -> list:
        return list(obj.live.questions.select_related("show_if_option").prefetch_related("options")) if obj.live else []

    @staticmethod
    def resolve_draft_questions(obj) -> list | None:
        if obj.draft is None:
            return None
        return list(obj.draft.questions.select_related("show_if_option").prefetch_related("options"))


class AnswersIn(Schema):
    answers: dict[str, list[str]] = Field(..., description="题目 uuid → 所选选项 uuid 或填写的内容")


class ResponseOut(Schema):
    uuid: UUID
    submitted_at: datetime


class OptionResultOut(Schema):
    label: str
    count: int
    percent: float | None


class QuestionResultOut(Schema):
    uuid: UUID
    order: int
    title: str
    kind: str
    answered: int
    mean: float | None
    options: list[OptionResultOut]


class ResultsOut(Schema):
    responses: int
    audience: int | None = Field(None, description="面向会员的问卷：应答人数（在会会员）")
    response_rate: float | None = Field(None, description="会员填写率（%）")
    questions: list[QuestionResultOut]


class SurveySectionIn(Schema):
    title: str = Field(..., max_length=300)


class SurveySectionOut(Schema):
    uuid: UUID
    title: str
    order: int


class SurveyMoveIn(Schema):
    up: bool = Field(..., description="true 上移，false 下移")


class CrossCellOut(Schema):
    count: int
    percent: float | None


class CrossRowOut(Schema):
    label: str
    cells: list[CrossCellOut]


class CrossQuestionOut(Schema):
    order: int
    title: str
    totals: list[int]
    rows: list[CrossRowOut]


class CrosstabOut(Schema):
    by: str
    groups: list[str] = Field(..., description="列：各组（下级工会、就业形态、性别或年龄段）")
    questions: list[CrossQuestionOut]


class SurveyWordOut(Schema):
    word: str
    count: int


class TextAnswersOut(Schema):
    order: int
    title: str
    answered: int
    words: list[SurveyWordOut]
    recent: list[str]

    @staticmethod
    def resolve_words(obj) -> list:
        return [{"word": w, "count": n} for w, n in obj["words"]]


class SurveyCollectedOut(Schema):
    uuid: UUID
    submitted_at: datetime
    collected_by_me: int = Field(..., description="本人为该问卷采集的答卷数")
