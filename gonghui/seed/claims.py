"""The demo's 实名认证绑定: documented sample identities that can claim their records, and a realistic
share of the generated members already bound to an account.

``SAMPLES`` are roster-imported members (no account) with fixed names, ID numbers and phones, listed in
the README's demo section and docs/guide/会员.md: register on the H5 with the phone, open 我的 → 实名认证
and enter the name and ID number. (Every demo member has a phone on file, as the generators expect; the
rule for a record without one is in the service's tests.) The demo's SMS backend writes
codes to the server log.

Then ``LINKED_SHARE`` of the current members who have a phone get an account of their own (as if they
had joined online or claimed earlier), so 已认证/未认证 look like a platform in use. The accounts are
written in bulk with unusable passwords (no hashing: they cannot sign in, they only hold the link).
"""

from __future__ import annotations

from dataclasses import dataclass

from gonghui.accounts.models import User
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services.registry import member_create
from gonghui.unions.models import Employer, UnionKind

from .base import stream

LINKED_SHARE = 0.38  # of the current members with a phone on file


@dataclass(frozen=True)
class Sample:
    name: str
    id_number: str
    phone: str  # the phone on file: the account must have this phone
    hardship_level: str = ""  # 困难职工: the demo's 困难职工暖心消费券 (免申即享) is waiting for her


SAMPLES = (
    Sample("周建国", "630102198805126113", "13700001001"),
    Sample("吴桂芳", "630102197903036125", "13700001002", hardship_level="general"),
    Sample("郑海燕", "630102199208186227", "13700001003"),
    Sample("冯志强", "630102198501265130", "13700001004"),
    Sample("陈晓红", "63010219900909424X", "13700001005"),
)
REGION = "630102"  # the samples' ID numbers were issued here, where their employer is registered


def _employer() -> Employer | None:
    """The samples' employer: the demo's first unionized employer registered in REGION (the demo's
    invariant: an ID number's region is the employer's registration region)."""
    found = (Employer.objects.filter(union_established=True, union__kind=UnionKind.GRASSROOTS, union__is_active=True)
             .select_related("union").order_by("pk"))
    return next((e for e in found.iterator() if e.uscc[2:8] == REGION), None)


def build_claims(seed: int) -> list[str]:
    """Add the samples and bind a share of the generated members. Preconditions: inside the demo's
    transaction, after the members and the service modules were built (the samples then start with
    no orders, tickets or coupons of their own)."""
    employer = _employer()
    if employer is None:
        return []
    for sample in SAMPLES:
        member_create(actor=None, union=employer.union, name=sample.name, id_number=sample.id_number,
                      phone=sample.phone, employer=employer, reason="花名册导入（演示：可实名认证绑定）",
                      **({"hardship_level": sample.hardship_level} if sample.hardship_level else {}))
    issued = _periodic_issue()
    rng = stream(seed, "demo", "claims")
    reserved = {s.phone for s in SAMPLES if s.phone}
    taken = set(User.objects.values_list("phone_index", flat=True))
    rows = list(Member.objects.filter(status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING],
                                      user__isnull=True, phone_index__isnull=False)
                .order_by("pk").values_list("pk", "name", "phone", "phone_index"))
    users: dict[str, User] = {}  # by phone index: two members sharing a phone get one account, the first
    links: list[tuple[int, str]] = []
    for pk, name, phone, index in rng.sample(rows, round(len(rows) * LINKED_SHARE)):
        if index in taken or index in users or phone in reserved:
            continue
        user = User(phone=phone, name=name)
        user.set_unusable_password()
        users[index] = user
        links.append((pk, index))
    User.objects.bulk_create(list(users.values()), batch_size=2000)
    ids = dict(User.objects.filter(phone_index__in=list(users)).values_list("phone_index", "pk"))
    Member.objects.bulk_update([Member(pk=pk, user_id=ids[index]) for pk, index in links], ["user"],
                               batch_size=2000)
    return [f"实名认证：{len(SAMPLES)} 名演示会员可绑定（见 docs/guide/会员.md），{len(links)} 名会员已绑定账号；"
            f"定期补发给新入库会员 {issued} 张免申即享券"]


def _periodic_issue() -> int:
    """What the scheduler's 定期补发 (benefits-issue-pending) does next: the active 免申即享 campaigns
    issue to the members who became eligible since, the samples among them, so a sample who claims
    the record finds the coupon waiting, as a roster-imported member would."""
    from gonghui.benefits.models import Campaign, CampaignKind, CampaignStatus, IssueTrigger
    from gonghui.benefits.services.campaigns import campaign_issue

    issued = 0
    for campaign in Campaign.objects.filter(kind=CampaignKind.AUTO, status=CampaignStatus.ACTIVE).order_by("pk"):
        run = campaign_issue(campaign=campaign, trigger=IssueTrigger.PERIODIC)
        issued += run.issued if run is not None else 0
    return issued
