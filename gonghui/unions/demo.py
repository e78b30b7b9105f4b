"""Demo data of the union tree that the generator does not draw: the named employers the demo logins
and the tour rely on (``ANCHORS``, first among the demo province's employers, which
``gonghui/seed/qinghai.py`` builds with the union tree and grids), the province's brand matrix, and
the field work through the services — each employer's liaison visiting it and raising the problems
found. Accounts are the accounts app's job (gonghui/accounts/demo.py); this module only takes the
users it is handed.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from . import services
from .models import Brand, Employer, EmployerSize, Grid, Problem, ProblemStatus, Union, UnionKind, Visit

if TYPE_CHECKING:
    from gonghui.seed.qinghai import DemoTree

DEFAULT_SEED = 2026
DEFAULT_EMPLOYERS = 560

# Hand-written employers that the demo logins and the tour rely on; the rest is drawn at random.
ANCHORS: tuple[dict[str, Any], ...] = (
    {"name": "西宁高原明珠乳业有限公司", "district": "城东区", "street": "东关大街街道", "industry": "C",
     "size": EmployerSize.MEDIUM, "employees": 468, "established": True},
    {"name": "青海昆仑物流有限公司", "district": "城东区", "street": "八一路街道", "industry": "G",
     "size": EmployerSize.LARGE, "employees": 1260, "established": True},
    {"name": "城东区顺达快递服务部", "district": "城东区", "street": "东关大街街道", "industry": "G",
     "size": EmployerSize.MICRO, "employees": 12, "established": False, "gig": "express", "individual": True},
    {"name": "西宁迅达外卖配送服务有限公司", "district": "城中区", "street": "南滩街道", "industry": "H",
     "size": EmployerSize.SMALL, "employees": 86, "established": False, "gig": "delivery"},
    {"name": "青海畅行网约车服务有限公司", "district": "城西区", "street": "胜利路街道", "industry": "G",
     "size": EmployerSize.MEDIUM, "employees": 340, "established": False, "gig": "ride"},
)

ANCHOR_GRASSROOTS = "西宁高原明珠乳业有限公司工会"

# --- Brand matrix: 7 modules, 39 sub-brands -----------------------------------------------------------

BRAND_MATRIX: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("思想引领", "用党的创新理论凝心铸魂，讲好劳动者故事",
     ("工字号理论宣讲团", "新时代职工大讲堂", "劳模工匠进企业", "职工书屋", "高原工匠故事汇", "网上工会学校")),
    ("建功立业", "围绕中心、服务大局，组织职工建功新时代",
     ("劳动和技能竞赛", "劳模和工匠人才创新工作室", "职工技术创新成果", "高原工匠培育计划", "合理化建议",
      "工人先锋号")),
    ("维权服务", "依法维护职工合法权益，构建和谐劳动关系",
     ("12351职工服务热线", "工会法律援助", "劳动争议调解", "集体协商要约行动", "安康杯竞赛", "女职工权益保护")),
    ("普惠服务", "让会员实实在在感受到工会温暖",
     ("会员普惠卡", "金秋助学", "两节送温暖", "夏送清凉", "职工医疗互助保障", "困难职工帮扶")),
    ("文化生活", "丰富职工精神文化生活",
     ("职工文化艺术节", "职工运动会", "职工疗休养", "单身职工联谊", "职工合唱团")),
    ("新就业形态", "把快递员、外卖送餐员、网约车司机、货车司机等凝聚到工会中来",
     ("暖新驿站", "骑手入会集中行动", "货车司机之家", "新就业形态劳动者关爱基金", "网约车司机服务站")),
    ("数字工会", "以数字化改革提升工会服务效能",
     ("智慧工会平台", "会员实名制数据库", "工会数据驾驶舱", "掌上工会", "工会云集市")),
)

VISIT_NOTES = (
    "走访企业负责人，了解生产经营和职工队伍情况，宣传《工会法》和入会政策，企业表示支持职工入会。",
    "召开职工座谈会{n}人参加，收集职工在工资待遇、劳动保护方面的意见建议。",
    "检查企业工会规范化建设台账，指导完善会员名册和经费收支管理。",
    "与企业人事部门沟通劳动合同签订情况，一线职工签订率约{p}%。",
    "走访一线岗位，发放《职工维权手册》{n}份，现场解答职工咨询。",
    "了解新就业形态劳动者用工情况，动员快递员、骑手等加入工会，现场登记入会意向{n}人。",
    "慰问生产一线职工，送去防暑降温物品，了解职工休息和就餐条件。",
    "指导企业开展工资集体协商准备工作，约定下月召开职工代表大会。",
    "回访上次走访发现的问题，企业已落实整改，职工反映良好。",
    "宣传普惠服务和12351职工服务热线，帮助{n}名职工完成会员实名认证。",
)

PROBLEMS: tuple[tuple[str, str], ...] = (
    ("企业尚未建立工会组织", "职工入会意愿较强，企业负责人对建会有顾虑，需上级工会协调指导。"),
    ("部分一线职工未签订劳动合同", "生产旺季临时招用人员较多，合同签订不及时。"),
    ("夏季高温津贴发放不到位", "户外作业人员反映高温津贴未按规定标准发放。"),
    ("外卖骑手缺少休息场所", "商圈周边缺少可供骑手休息、饮水、充电的驿站。"),
    ("职工食堂就餐环境较差", "食堂面积小、座位不足，职工就餐需排队较长时间。"),
    ("加班费计算标准不清", "职工对节假日加班工资计算方式有疑问。"),
    ("社会保险缴费基数偏低", "部分职工反映社保缴费基数低于实际工资。"),
    ("困难职工帮扶需求", "一名职工家属重病，家庭生活困难，申请帮扶。"),
    ("女职工特殊保护设施不完善", "企业尚未设立母婴室，女职工哺乳期休息安排不明确。"),
    ("工会经费拨缴不及时", "企业连续两个季度未按规定拨缴工会经费。"),
    ("快递员派件超时被罚款", "快递员反映考核规则不合理，超时罚款过重。"),
    ("职工技能培训机会少", "青年职工希望参加技能提升培训和职业技能等级认定。"),
    ("冬季取暖设施不足", "车间供暖不足，职工反映冬季作业环境寒冷。"),
    ("货车司机停车休息难", "物流园区周边缺少货车司机停车休息和就餐的场所。"),
)

def build_brand_matrix(*, actor: Any, union: Union) -> int:
    """The 7 modules and 39 sub-brands of the province's brand matrix; returns the number of brands."""
    count = 0
    for module_name, description, subs in BRAND_MATRIX:
        module = services.brand_create(actor=actor, union=union, name=module_name, description=description)
        count += 1
        for sub in subs:
            services.brand_create(actor=actor, union=union, name=sub, parent=module)
            count += 1
    return count


def build_field_work(rng: random.Random, tree: DemoTree, *, actor: Any) -> dict[str, int]:
    """Brand matrix (by ``actor``), then visits by each employer's liaison and the problems they found.

    Preconditions: the liaisons are set on ``tree.employers`` (accounts demo).
    """
    brands = build_brand_matrix(actor=actor, union=tree.province)
    today = timezone.localdate()
    visits = problems = 0
    advance = (ProblemStatus.COORDINATING, ProblemStatus.SOLVED)
    for employer in tree.employers:
        if employer.liaison is None or rng.random() >= 0.35:
            continue
        dates = sorted(today - timedelta(days=rng.randint(1, 180)) for _ in range(rng.randint(1, 3)))
        for visited_on in dates:
            notes = rng.choice(VISIT_NOTES).format(n=rng.randint(3, 40), p=rng.randint(70, 98))
            services.visit_record(actor=employer.liaison, employer=employer, visited_on=visited_on, notes=notes)
            visits += 1
        if rng.random() < 0.4:
            title, description = rng.choice(PROBLEMS)
            problem = services.problem_raise(actor=employer.liaison, employer=employer, title=title,
                                             description=description)
            # Every third one stays raised, every third is being coordinated, the rest are solved.
            for step in advance[: problems % 3]:
                note = "已协调企业和相关部门" if step == ProblemStatus.COORDINATING else "问题已解决，职工满意"
                services.problem_advance(actor=employer.liaison, problem=problem, to_status=step, note=note)
            problems += 1
    return {"brands": brands, "visits": visits, "problems": problems}


def counts() -> dict[str, Any]:
    """What the database holds, for the command's summary."""
    employers = Employer.objects.all()
    return {
        "unions": Union.objects.count(),
        "unions_by_kind": {kind.label: Union.objects.filter(kind=kind).count() for kind in UnionKind},
        "employers": employers.count(),
        "established": employers.filter(union_established=True).count(),
        "industries": employers.exclude(industry="").values("industry").distinct().count(),
        "grids": Grid.objects.count(),
        "visits": Visit.objects.count(),
        "problems_by_status": {status.label: Problem.objects.filter(status=status).count()
                               for status in ProblemStatus},
        "brand_modules": Brand.objects.filter(parent__isnull=True).count(),
        "sub_brands": Brand.objects.filter(parent__isnull=False).count(),
    }
