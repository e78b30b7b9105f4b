"""The sub-domain routers of /api/v1/members/, each with its OpenAPI tag. worker.py and staff.py add
their operations to them; operations on one path share one router (one URL pattern per path)."""

from ninja import Router

registry = Router(tags=["会员库"])
joining = Router(tags=["入会"])
transfer = Router(tags=["会籍转移"])
card = Router(tags=["电子会员卡"])
roster = Router(tags=["花名册导入"])
rights = Router(tags=["个人信息权利"])
claiming = Router(tags=["实名认证"])
