"""Demo surveys, through the services: a 20-question 新就业形态劳动者需求调查 with sections and skip logic,
sent to the gig workers of 李骑手's district (骑手 13900000011, who has not answered yet: he finds it under
我的问卷) and answered by a few hundred of them; and a public, anonymous 爱心驿站服务满意度 survey with
its QR code, answered on phones at the station. The generator (gonghui.seed.demo) calls ``build``."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.accounts.selectors import nearest_writers
from gonghui.members.models import Member
from gonghui.unions.models import Union, UnionLevel

from . import services
from .models import Audience, QuestionKind, Response, Survey

RIDER_PHONE = "13900000011"
NEED_TITLE = "2026年新就业形态劳动者需求调查"
STATION_TITLE = "爱心驿站服务满意度评价"
ANSWERS = 320
STATION_ANSWERS = 90

K = QuestionKind
# (section, kind, title, options, required, rule: (question number, option label) or None, shuffle)
NEED_QUESTIONS: list[tuple[str, str, str, list[str], bool, tuple[int, str] | None, bool]] = [
    ("基本情况", K.SINGLE, "您从事的职业", ["外卖送餐员", "快递员", "网约车司机", "货车司机", "其他"], True, None,
     False),
    ("基本情况", K.SHORT_TEXT, "请填写您的职业", [], True, (1, "其他"), False),
    ("基本情况", K.SINGLE, "您从事这一行多久了", ["不到1年", "1–3年", "3–5年", "5年以上"], True, None, False),
    ("基本情况", K.NUMBER, "您每天平均工作几小时", [], True, None, False),
    ("基本情况", K.SINGLE, "您每月平均收入", ["3000元以下", "3000–5000元", "5000–8000元", "8000元以上"], True,
     None, False),
    ("工作与权益", K.SINGLE, "您是否签订了劳动合同或协议",
     ["签订了劳动合同", "签订了合作或服务协议", "没有签订", "不清楚"], True, None, False),
    ("工作与权益", K.MULTIPLE, "您参加了哪些社会保险", ["养老保险", "医疗保险", "职业伤害保障", "都没有"], True,
     None, False),
    ("工作与权益", K.MULTIPLE, "工作中您遇到过哪些困难",
     ["休息无场所", "吃饭喝水难", "如厕难", "充电难", "权益受侵害", "其他"], True, None, False),
    ("工作与权益", K.SINGLE, "权益受侵害时您是怎么处理的",
     ["找平台客服", "找工会或拨打12351", "找劳动监察", "没有处理"], True, (8, "权益受侵害"), False),
    ("工作与权益", K.SHORT_TEXT, "您遇到的其他困难", [], False, (8, "其他"), False),
    ("服务需求", K.MULTIPLE, "您最希望工会提供哪些服务",
     ["爱心驿站休息点", "法律援助", "技能培训", "子女暑托班", "健康体检", "交友联谊", "文体活动"], True, None, True),
    ("服务需求", K.SINGLE, "您知道身边的爱心驿站吗", ["知道并去过", "知道但没去过", "不知道"], True, None, False),
    ("服务需求", K.SCALE5, "您对爱心驿站服务的满意度", [], True, (12, "知道并去过"), False),
    ("服务需求", K.MULTIPLE, "您希望参加哪类技能培训",
     ["驾驶与车辆维修", "电商直播", "学历提升", "职业资格证书"], True, (11, "技能培训"), False),
    ("服务需求", K.SINGLE, "您方便参加活动的时间", ["工作日白天", "工作日晚上", "周末", "都不方便"], True, None, False),
    ("服务需求", K.SINGLE, "您愿意成为工会志愿者吗", ["愿意", "看情况", "不愿意"], True, None, False),
    ("评价与建议", K.SCALE10, "您对工会服务的总体满意度", [], True, None, False),
    ("评价与建议", K.NPS, "您向工友推荐工会服务的可能性有多大", [], True, None, False),
    ("评价与建议", K.DATE, "您最近一次参加工会活动的日期", [], False, None, False),
    ("评价与建议", K.LONG_TEXT, "您对工会工作的意见和建议", [], False, None, False),
]
OTHER_JOBS = ["环卫工人", "代驾司机", "家政服务员", "网络主播", "保安"]
OTHER_TROUBLES = ["电动车被盗", "雨天路滑", "小区不让进", "差评申诉难", "车辆维修贵"]
SUGGESTIONS = ["希望多建几个充电桩", "驿站晚上也能开放", "增加休息点，夏天送清凉", "多组织技能培训",
               "法律援助再方便一些",
               "希望多建几个充电桩，驿站晚上也能开放", "子女暑托班名额多一些", "健康体检", "多组织交友联谊活动",
               "希望有免费的法律咨询", "充电桩", "送清凉活动很好"]
STATION_SUGGESTIONS = ["希望夜间开放", "多放几把椅子", "充电插座不够", "很好，谢谢工会", "增加微波炉"]
STATION_QUESTIONS: list[tuple[str, str, list[str], bool]] = [
    (K.SINGLE, "您的工作是", ["快递员", "外卖送餐员", "网约车司机", "环卫工人", "其他户外劳动者"], True),
    (K.MULTIPLE, "您在驿站使用了哪些服务", ["休息", "饮水", "手机充电", "加热饭菜", "如厕", "应急药品"], True),
    (K.SCALE5, "您对驿站服务的满意度", [], True),
    (K.NPS, "您向工友推荐这个驿站的可能性有多大", [], True),
    (K.LONG_TEXT, "您对驿站还有什么建议", [], False),
]


def _district_of(member: Member) -> Union:
    union = member.union
    ancestors = {u.pk: u for u in Union.objects.filter(pk__in=union.ancestor_ids)}
    for pk in reversed(union.ancestor_ids):
        if ancestors[pk].level == UnionLevel.DISTRICT:
            return ancestors[pk]
    return union


def _build_need(actor: Any, district: Union) -> Survey:
    survey = services.survey_create(
        actor=actor, union=district, title=NEED_TITLE, employment_form="gig",
        description="为了解快递员、外卖送餐员、网约车司机等新就业形态劳动者的工作状况和服务需求，"
                    "区总工会开展本次调查。约需5分钟，结果仅用于改进工会服务。")
    sections: dict[str, Any] = {}
    made: list[Any] = []
    for section, kind, title, options, required, rule, shuffle in NEED_QUESTIONS:
        if section not in sections:
            sections[section] = services.section_add(actor=actor, survey=survey, title=section)
        show_if = made[rule[0] - 1].options.get(label=rule[1]).uuid if rule else None
        made.append(services.question_save(actor=actor, survey=survey, kind=kind, title=title, options=options,
                                           required=required, shuffle=shuffle, show_if=show_if,
                                           section=sections[section].uuid))
    services.survey_publish(actor=actor, survey=survey)
    return survey


def _answer_need(rng: random.Random, survey: Survey) -> dict[str, list[str]]:
    """One gig worker's answers: skewed choices, rule-dependent questions only where shown."""
    qs = list(survey.live.questions.prefetch_related("options"))
    opts = [{o.label: str(o.uuid) for o in q.options.all()} for q in qs]
    out: dict[str, list[str]] = {}

    def pick(n: int, labels: list[str], weights: list[float] | None = None) -> str:
        label = rng.choices(labels, weights=weights)[0]
        out[str(qs[n - 1].uuid)] = [opts[n - 1][label]]
        return label

    def many(n: int, labels: list[str], p: list[float]) -> list[str]:
        chosen = [label for label, share in zip(labels, p, strict=True) if rng.random() < share] or [labels[0]]
        out[str(qs[n - 1].uuid)] = [opts[n - 1][label] for label in chosen]
        return chosen

    def put(n: int, value: str) -> None:
        out[str(qs[n - 1].uuid)] = [value]

    job = pick(1, list(opts[0]), [45, 25, 15, 8, 7])
    if job == "其他":
        put(2, rng.choice(OTHER_JOBS))
    pick(3, list(opts[2]), [20, 40, 25, 15])
    put(4, str(rng.choice([8, 9, 10, 10, 11, 12, 12, 13, 14])))
    pick(5, list(opts[4]), [10, 45, 35, 10])
    pick(6, list(opts[5]), [15, 45, 30, 10])
    many(7, list(opts[6]), [0.5, 0.6, 0.45, 0.2])
    troubles = many(8, list(opts[7]), [0.55, 0.4, 0.35, 0.45, 0.15, 0.08])
    if "权益受侵害" in troubles:
        pick(9, list(opts[8]), [40, 25, 15, 20])
    if "其他" in troubles:
        put(10, rng.choice(OTHER_TROUBLES))
    wants = many(11, list(opts[10]), [0.7, 0.45, 0.4, 0.25, 0.35, 0.15, 0.2])
    known = pick(12, list(opts[11]), [45, 30, 25])
    if known == "知道并去过":
        put(13, str(rng.choices([3, 4, 5], weights=[15, 40, 45])[0]))
    if "技能培训" in wants:
        many(14, list(opts[13]), [0.4, 0.45, 0.3, 0.5])
    pick(15, list(opts[14]), [15, 40, 35, 10])
    pick(16, list(opts[15]), [35, 45, 20])
    put(17, str(rng.choices(range(5, 11), weights=[3, 5, 12, 25, 30, 25])[0]))
    put(18, str(rng.choices(range(0, 11), weights=[1, 1, 1, 2, 2, 4, 6, 12, 20, 25, 26])[0]))
    if rng.random() < 0.4:
        put(19, (timezone.localdate() - timedelta(days=rng.randint(3, 300))).isoformat())
    if rng.random() < 0.45:
        put(20, rng.choice(SUGGESTIONS))
    return out


def _build_station(actor: Any, district: Union) -> Survey:
    survey = services.survey_create(actor=actor, union=district, title=STATION_TITLE, anonymous=True,
                                    audience=Audience.PUBLIC,
                                    description="感谢您使用爱心驿站！扫码匿名评价，帮助我们把驿站办得更好。")
    for kind, title, options, required in STATION_QUESTIONS:
        services.question_save(actor=actor, survey=survey, kind=kind, title=title, options=options,
                               required=required)
    services.survey_publish(actor=actor, survey=survey)
    return survey


def _answer_station(rng: random.Random, survey: Survey) -> dict[str, list[str]]:
    qs = list(survey.live.questions.prefetch_related("options"))
    out = {str(qs[0].uuid): [str(rng.choices(list(qs[0].options.all()), weights=[30, 35, 15, 12, 8])[0].uuid)]}
    used = [o for o, p in zip(qs[1].options.all(), [0.8, 0.7, 0.5, 0.3, 0.4, 0.1], strict=True) if rng.random() < p]
    out[str(qs[1].uuid)] = [str(o.uuid) for o in used or list(qs[1].options.all())[:1]]
    out[str(qs[2].uuid)] = [str(rng.choices([2, 3, 4, 5], weights=[3, 12, 40, 45])[0])]
    out[str(qs[3].uuid)] = [str(rng.choices(range(0, 11), weights=[1, 0, 1, 1, 1, 3, 4, 10, 20, 27, 32])[0])]
    if rng.random() < 0.3:
        out[str(qs[4].uuid)] = [rng.choice(STATION_SUGGESTIONS)]
    return out


def _spread(survey: Survey, rng: random.Random, days: int) -> None:
    """Spread the answers over the last ``days`` days (they were all written just now)."""
    now = timezone.now()
    for pk in Response.objects.filter(survey=survey).values_list("pk", flat=True):
        moment = now - timedelta(days=rng.random() * days, minutes=rng.randint(0, 600))
        Response.objects.filter(pk=pk).update(submitted_at=moment)


def build(rng: random.Random) -> list[str]:
    rider_user = User.objects.by_phone(RIDER_PHONE).first()
    rider = Member.objects.filter(user=rider_user).select_related("union").first() if rider_user else None
    if rider is None:
        rider = Member.objects.current().gig().select_related("union").order_by("pk").first()
    if rider is None:
        return ["问卷：没有新就业形态劳动者会员，未生成演示问卷"]
    district = _district_of(rider)
    writers = nearest_writers(district)
    if not writers:
        return ["问卷：该区没有工作人员，未生成演示问卷"]
    actor = writers[0]
    need = _build_need(actor, district)
    workers = list(Member.objects.current().gig().filter(union__path__startswith=district.path)
                   .exclude(pk=rider.pk).select_related("union").order_by("pk")[:2000])
    for member in rng.sample(workers, min(ANSWERS, len(workers))):
        services.response_submit(survey=need, member=member, answers=_answer_need(rng, need))
    _spread(need, rng, 20)
    station = _build_station(actor, district)
    for _ in range(STATION_ANSWERS):
        services.response_submit(survey=station, answers=_answer_station(rng, station),
                                 device_hash=services.device_hash(secrets.token_urlsafe(16), station))
    _spread(station, rng, 30)
    need.refresh_from_db()
    station.refresh_from_db()
    return [f"问卷：「{need.title}」发给{district.name}的新就业形态劳动者，已收回{need.response_count}份"
            f"（骑手 {RIDER_PHONE} 尚未填写）；公开问卷「{station.title}」已收回{station.response_count}份，"
            f"二维码见工作台“问卷测评”"]
