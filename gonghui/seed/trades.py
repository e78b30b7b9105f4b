"""What employers are like, at every size: the brand words of company names, the trades of each
industry section (GB/T 4754-2017) and their weights, sole proprietors' shops, the gig trades, and
the shares of company sizes, their headcounts and how many of each size have a union of their own.

The demo province (``qinghai.py``) and the benchmark's tree and employers (``tree.py``,
``employers.py``) draw from these same tables.
"""

from __future__ import annotations

from gonghui.unions.models import EmployerSize

BRAND_WORDS = (
    "高原明珠", "昆仑", "三江源", "雪域", "青藏", "祁连", "湟水", "河湟", "夏都", "鑫源", "瑞丰", "宏达", "顺达",
    "天佑", "隆盛", "聚鑫", "博远", "新宇", "汇通", "宏图", "鼎盛", "恒信", "安达", "兴旺", "嘉禾", "华美", "康源",
    "青稞香", "柴达木", "丹噶尔", "日月山", "金岸", "金穗", "丰泽", "泰和", "永安", "同创", "众鑫", "鸿运", "远航",
    "锦程", "腾达", "立信", "海纳", "德润", "金河", "卓越", "志诚", "福泽", "新丝路", "唐蕃", "西海", "雪莲",
    "格桑花", "彩虹", "花儿", "东川", "甘河", "南山", "北川", "云杉", "松柏", "银河", "天润", "瑞祥", "佳美",
)

# GB/T 4754-2017 section → (weight among employers, trade words)
TRADES: dict[str, tuple[int, tuple[str, ...]]] = {
    "C": (24, ("乳业", "食品", "牦牛肉食品", "青稞酒业", "藏毯", "枸杞科技", "机械制造", "铝业", "光伏科技",
               "锂电材料", "新型建材", "服饰", "生物科技", "沙棘饮品", "药业", "化工", "包装制品", "印刷",
               "水泥制品", "家具制造")),
    "F": (15, ("商贸", "超市", "百货", "医药连锁", "农产品批发", "建材销售", "汽车销售服务", "电子商务",
               "粮油贸易", "日用品贸易")),
    "G": (10, ("物流", "运输", "仓储", "货运代理", "客运", "供应链管理", "冷链物流")),
    "H": (10, ("餐饮管理", "酒店管理", "清真餐饮", "饭庄", "宾馆", "牛肉面餐饮", "火锅餐饮")),
    "E": (10, ("建筑工程", "路桥工程", "建筑安装工程", "装饰工程", "市政工程", "水利水电工程")),
    "I": (6, ("网络科技", "信息技术", "软件开发", "数据服务", "智能科技")),
    "L": (6, ("人力资源服务", "劳务派遣", "商务咨询", "广告传媒", "保安服务")),
    "O": (5, ("家政服务", "汽车维修服务", "洗涤服务", "美容美发")),
    "K": (4, ("房地产开发", "物业服务")),
    "M": (3, ("工程检测", "勘察设计", "环境检测")),
    "B": (2, ("矿业", "盐湖化工")),
    "D": (2, ("新能源", "燃气", "供热", "水务")),
    "A": (2, ("牧业", "农牧开发", "种植")),
    "N": (2, ("环境卫生服务", "园林绿化")),
    "P": (2, ("教育科技", "职业技能培训")),
    "Q": (2, ("口腔门诊部", "医院管理", "康复护理")),
    "R": (2, ("文化传媒", "文化旅游发展", "体育发展")),
    "J": (1, ("小额贷款", "融资担保")),
}

# Sole proprietors (个体工商户, category "2" of the credit code): (section, shop word)
SHOPS: tuple[tuple[str, str], ...] = (
    ("F", "商店"), ("F", "便利店"), ("F", "经营部"), ("H", "餐馆"), ("H", "面馆"), ("O", "汽车修理部"),
    ("O", "理发店"), ("F", "建材经营部"),
)

# 新就业形态 employers: kind → (section, name pattern trade words, individual business word)
GIG: dict[str, tuple[str, tuple[str, ...], str]] = {
    "express": ("G", ("快递服务", "速递", "快运"), "快递服务部"),
    "delivery": ("H", ("配送服务", "外卖配送"), "外卖配送站"),
    "ride": ("G", ("网约车服务", "出行科技", "汽车租赁"), ""),
    "truck": ("G", ("货运", "物流运输"), ""),
}

SIZE_WEIGHTS = {
    EmployerSize.MICRO: 30, EmployerSize.SMALL: 45, EmployerSize.MEDIUM: 20, EmployerSize.LARGE: 5,
}
HEADCOUNT = {
    EmployerSize.MICRO: (3, 19), EmployerSize.SMALL: (20, 299), EmployerSize.MEDIUM: (300, 999),
    EmployerSize.LARGE: (1000, 5200),
}
# The chance that an employer of this size has its own union (about 60% overall).
ESTABLISHED = {
    EmployerSize.MICRO: 0.4, EmployerSize.SMALL: 0.7, EmployerSize.MEDIUM: 0.9, EmployerSize.LARGE: 1.0,
}
