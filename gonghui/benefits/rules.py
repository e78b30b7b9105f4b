"""The eligibility rule: a small JSON document staff compose in the console, validated here and
compiled to one filter over ``Member.objects.current()``.

One function, ``rule_queryset``, is used for the preview count, the claim check, 免申即享 issuance
and the lottery pool, so the four can never disagree. The owning union's subtree always bounds it:
a rule can only narrow who is eligible, never reach outside the union that pays.

Document (every key optional; an empty document means "every current member of the union's subtree")::

    {"unions": ["<uuid>", …],            # only members of these unions' subtrees
     "employment_form": "gig",          # "regular" (单位职工) or "gig" (新就业形态)
     "gig_occupations": ["courier"],    # implies employment_form "gig"
     "hardship_levels": ["serious"],    # 困难职工 of these levels
     "women_only": true,                # 女职工
     "model_worker_levels": ["national", "provincial"],
     "age_min": 18, "age_max": 35,      # age on the issue date; members without a birth date don't match
     "joined_before": "2025-01-01"}     # joined the union before this day
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from gonghui.core.errors import ValidationFailed
from gonghui.members.models import (
    EmploymentForm,
    Gender,
    GigOccupation,
    HardshipLevel,
    Member,
    MemberQuerySet,
    ModelWorkerLevel,
)
from gonghui.unions.models import Union

FIELDS = ("unions", "employment_form", "gig_occupations", "hardship_levels", "women_only", "model_worker_levels",
          "age_min", "age_max", "joined_before")
MAX_UNIONS = 50


@dataclass(frozen=True)
class Rule:
    unions: tuple[str, ...] = ()
    employment_form: str = ""
    gig_occupations: tuple[str, ...] = ()
    hardship_levels: tuple[str, ...] = ()
    women_only: bool = False
    model_worker_levels: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    joined_before: date | None = None

    def as_json(self) -> dict[str, Any]:
        """The canonical document: only what is set, lists sorted."""
        data: dict[str, Any] = {}
        if self.unions:
            data["unions"] = sorted(self.unions)
        if self.employment_form:
            data["employment_form"] = self.employment_form
        for name in ("gig_occupations", "hardship_levels", "model_worker_levels"):
            if getattr(self, name):
                data[name] = sorted(getattr(self, name))
        if self.women_only:
            data["women_only"] = True
        if self.age_min is not None:
            data["age_min"] = self.age_min
        if self.age_max is not None:
            data["age_max"] = self.age_max
        if self.joined_before is not None:
            data["joined_before"] = self.joined_before.isoformat()
        return data


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, detail={field: message})


def _choices(data: Mapping[str, Any], field: str, allowed: type, label: str) -> tuple[str, ...]:
    value = data.get(field) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise _fail(field, f"{label}格式不正确")
    bad = [v for v in value if v not in allowed.values]
    if bad:
        raise _fail(field, f"{label}中有无法识别的选项：{'、'.join(str(b) for b in bad[:3])}")
    return tuple(dict.fromkeys(value))


def _age(data: Mapping[str, Any], field: str, label: str) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        age = int(value)
    except (TypeError, ValueError):
        raise _fail(field, f"{label}应为整数") from None
    if not 16 <= age <= 100:
        raise _fail(field, f"{label}应在16到100岁之间")
    return age


def parse_rule(data: Mapping[str, Any] | None) -> Rule:
    """Validate a rule document. Raises ValidationFailed with a Chinese message for the first problem."""
    data = dict(data or {})
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise _fail(unknown[0], f"无法识别的条件：{'、'.join(unknown)}")
    unions = data.get("unions") or []
    if isinstance(unions, str):
        unions = [unions]
    if not isinstance(unions, list | tuple) or len(unions) > MAX_UNIONS:
        raise _fail("unions", f"工会范围最多选择{MAX_UNIONS}个")
    import uuid as uuid_module

    try:
        union_keys = tuple(dict.fromkeys(str(uuid_module.UUID(str(u))) for u in unions))
    except ValueError:
        raise _fail("unions", "工会范围格式不正确") from None
    form = data.get("employment_form") or ""
    if form not in ("", *EmploymentForm.values):
        raise _fail("employment_form", "就业形态只能是单位职工或新就业形态劳动者")
    occupations = _choices(data, "gig_occupations", GigOccupation, "新就业形态职业")
    if occupations:
        if form == EmploymentForm.REGULAR:
            raise _fail("gig_occupations", "选择了新就业形态职业时，就业形态应为新就业形态劳动者")
        form = EmploymentForm.GIG
    women = data.get("women_only", False)
    if women in ("", None):
        women = False
    if isinstance(women, str):
        women = women.lower() in ("1", "true", "on", "yes")
    if not isinstance(women, bool):
        raise _fail("women_only", "是否仅限女职工格式不正确")
    age_min, age_max = _age(data, "age_min", "最小年龄"), _age(data, "age_max", "最大年龄")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise _fail("age_max", "最大年龄不能小于最小年龄")
    joined = data.get("joined_before")
    if joined in (None, ""):
        joined_before = None
    elif isinstance(joined, date):
        joined_before = joined
    else:
        try:
            joined_before = date.fromisoformat(str(joined))
        except ValueError:
            raise _fail("joined_before", "入会日期格式应为 YYYY-MM-DD") from None
    return Rule(
        unions=union_keys, employment_form=form, gig_occupations=occupations,
        hardship_levels=_choices(data, "hardship_levels", HardshipLevel, "困难职工类别"), women_only=women,
        model_worker_levels=_choices(data, "model_worker_levels", ModelWorkerLevel, "劳模级别"),
        age_min=age_min, age_max=age_max, joined_before=joined_before,
    )


def rule_unions(rule: Rule, *, within: Union) -> list[Union]:
    """The unions a rule names, each checked to lie in ``within``'s subtree."""
    if not rule.unions:
        return []
    # Only unions inside ``within``'s subtree count as found: a union elsewhere in the tree and one
    # that does not exist get the same answer, which names neither (no existence oracle).
    found = list(Union.objects.filter(uuid__in=rule.unions, path__startswith=within.path).order_by("path"))
    if len(found) != len(rule.unions):
        raise _fail("unions", f"工会范围只能是{within.name}及其下级工会，所选工会中有未找到或不在其中的")
    return found


def check_rule(rule: Rule, *, union: Union) -> Rule:
    """A parsed rule that also fits the owning union (its unions lie in the union's subtree)."""
    rule_unions(rule, within=union)
    return rule


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def rule_q(rule: Rule, *, union: Union, on: date) -> Q:
    """The filter a rule stands for, as of ``on`` (ages), bounded by ``union``'s subtree."""
    condition = Q(union__path__startswith=union.path)
    if rule.unions:
        paths = list(Union.objects.filter(uuid__in=rule.unions, path__startswith=union.path)
                     .values_list("path", flat=True))
        any_of = Q(pk__in=[])
        for path in paths:
            any_of |= Q(union__path__startswith=path)
        condition &= any_of
    if rule.employment_form:
        condition &= Q(employment_form=rule.employment_form)
    if rule.gig_occupations:
        condition &= Q(gig_occupation__in=rule.gig_occupations)
    if rule.hardship_levels:
        condition &= Q(hardship_level__in=rule.hardship_levels)
    if rule.women_only:
        condition &= Q(gender=Gender.FEMALE)
    if rule.model_worker_levels:
        condition &= Q(model_worker_level__in=rule.model_worker_levels)
    if rule.age_min is not None:
        condition &= Q(birth_date__lte=_years_before(on, rule.age_min))
    if rule.age_max is not None:
        # younger than age_max + 1 on ``on``: born after that many years before
        condition &= Q(birth_date__gt=_years_before(on, rule.age_max + 1))
    if rule.joined_before is not None:
        condition &= Q(join_date__lt=rule.joined_before)
    return condition


def rule_queryset(rule: Rule | Mapping[str, Any], *, union: Union, on: date | None = None) -> MemberQuerySet:
    """Current members who satisfy ``rule`` on ``on`` (default today) inside ``union``'s subtree."""
    from django.utils import timezone

    if not isinstance(rule, Rule):
        rule = parse_rule(rule)
    return Member.objects.current().filter(rule_q(rule, union=union, on=on or timezone.localdate()))


def rule_summary(rule: Rule | Mapping[str, Any], *, union: Union) -> str:
    """The rule in one Chinese sentence, for staff and for the member asking "why did I get this?"."""
    if not isinstance(rule, Rule):
        rule = parse_rule(rule)
    parts: list[str] = []
    names = [u.name for u in Union.objects.filter(uuid__in=rule.unions).order_by("path")] if rule.unions else []
    parts.append(f"{'、'.join(names) if names else union.name}及其下级工会的会员")
    if rule.gig_occupations:
        labels = "、".join(GigOccupation(o).label for o in rule.gig_occupations)
        parts.append(f"新就业形态劳动者（{labels}）")
    elif rule.employment_form:
        parts.append(EmploymentForm(rule.employment_form).label)
    if rule.hardship_levels:
        parts.append("困难职工（" + "、".join(HardshipLevel(h).label for h in rule.hardship_levels) + "）")
    if rule.women_only:
        parts.append("女职工")
    if rule.model_worker_levels:
        parts.append("劳模（" + "、".join(ModelWorkerLevel(m).label for m in rule.model_worker_levels) + "）")
    if rule.age_min is not None and rule.age_max is not None:
        parts.append(f"年龄{rule.age_min}至{rule.age_max}周岁")
    elif rule.age_min is not None:
        parts.append(f"年龄{rule.age_min}周岁及以上")
    elif rule.age_max is not None:
        parts.append(f"年龄{rule.age_max}周岁及以下")
    if rule.joined_before is not None:
        parts.append(f"{rule.joined_before.year}年{rule.joined_before.month}月{rule.joined_before.day}日以前入会")
    return "；".join(parts)
