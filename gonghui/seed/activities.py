"""活动: activities hosted by unions of every level, their sign-ups, waitlists, check-ins and ratings,
as the activity services leave them.

Activities follow the demo's templates (文体, 送温暖, 技能培训, 联谊, 志愿服务 …) with their audience
rules (gig workers, women, model workers, ages). Most lie in the past — concluded with a summary,
some ended without one, a few called off — the rest are coming: open for sign-up, not open yet,
drafts. Sign-ups are replayed in time order: a place while there is one (已报名), else the waitlist
(候补); a member who cancels before the start frees the place for the head of the waitlist
(递补). After the start most confirmed members check in (签到); the rest are no-shows. A cancelled
activity cancelled every live sign-up.

``Activity.taken`` is the places held (confirmed and checked in), never above the quota; a member
has at most one sign-up per activity; participants (the cockpit's 活动参与) are the check-ins.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from gonghui.activities.demo import COMMENTS, SCORES, SUMMARIES, TEMPLATES, Template
from gonghui.activities.models import (
    Activity,
    ActivityEvent,
    ActivityStatus,
    CheckinMethod,
    Rating,
    Signup,
    SignupEvent,
    SignupStatus,
)
from gonghui.unions.models import UnionLevel

from .base import LEISURE_WEEK, Clock, Progress, SeedError, Weighted, Writer, apportion, insert, stream, with_ids
from .pool import CURRENT, GIG, MODEL, WOMAN, MemberPool
from .tree import Node, Tree

SIGNUPS_PER_ACTIVITY = 40
CHUNK = 20_000
# Who hosts (per union): the federations most, each grassroots union now and then.
HOSTS = {UnionLevel.PROVINCE: 40.0, UnionLevel.CITY: 10.0, UnionLevel.DISTRICT: 4.0, UnionLevel.STREET: 1.0,
         UnionLevel.GRASSROOTS: 0.08}
METHODS = Weighted.of({CheckinMethod.CODE: 6, CheckinMethod.CARD: 3, CheckinMethod.MANUAL: 1})
RATED = 0.4  # of the check-ins, rated after the end
CANCELLED_BECAUSE = ("因场馆检修，活动取消，改期另行通知", "因天气原因，活动取消", "报名人数不足，活动取消")


@dataclass
class _Activity:
    node: Node | None  # None: an activity the generator did not plan (the demo's)
    template: Template | None
    row: dict[str, Any]
    eligible: list[int]
    decided: bool = False  # the status is given: not left unsummed by chance
    cap: int = 0
    count: int = 0  # sign-ups it gets
    signups: list[dict[str, Any]] = field(default_factory=list)
    signup_history: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    ratings: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)


class _Activities:
    def __init__(self, tree: Tree, pool: MemberPool, *, seed: int, clock: Clock) -> None:
        self.tree, self.pool, self.clock = tree, pool, clock
        self.rng = stream(seed, "activities")
        hosts = [n for n in tree.nodes if pool.size(n, 0)] or [tree.nodes[0]]
        self.hosts = Weighted(hosts, [HOSTS.get(n.level, 1.0) for n in hosts])
        self.lists: dict[tuple[int, int], list[int]] = {}
        self.replayer = _Replay(self.rng, clock, pool.pk)

    def audience(self, node: Node, template: Template, starts: datetime) -> list[int]:
        """Current members of ``node``'s subtree whom the template's rules admit on the day it starts."""
        rules = template.rules
        need = (CURRENT | (GIG if rules.get("gig_only") else 0) | (WOMAN if rules.get("women_only") else 0)
                | (MODEL if rules.get("model_workers_only") else 0))
        key = (node.pk, need)
        if key not in self.lists:
            self.lists[key] = self.pool.fitting(node, need)
        found = self.lists[key]
        low, high = rules.get("min_age"), rules.get("max_age")
        if low is None and high is None:
            return found
        day = starts.date()
        return [i for i in found if (low or 0) <= (self.pool.age(i, day) or -1) <= (high or 200)]

    # --- Planning ---------------------------------------------------------------------------------------------

    def plan(self, signups: int) -> list[_Activity]:
        rng = self.rng
        made = [self.activity(self.hosts.pick(rng)) for _ in range(max(1, round(signups / SIGNUPS_PER_ACTIVITY)))]
        while sum(a.cap for a in made) < signups:  # too few members for that many: bigger ones at the top
            extra = self.activity(self.tree.nodes[0], big=True)
            if not extra.cap and not any(a.cap for a in made[-20:]):
                raise SeedError("会员太少，生成不了这么多活动报名：请增加 --members 或减少 --signups")
            made.append(extra)
        weights = [a.cap * rng.uniform(0.3, 1.0) for a in made]
        for activity, count in zip(made, apportion(signups, weights, [a.cap for a in made]), strict=True):
            activity.count = count
        return made

    def activity(self, node: Node, *, big: bool = False) -> _Activity:
        rng, clock = self.rng, self.clock
        template = rng.choice(TEMPLATES)
        past = big or rng.random() < 0.9
        day = clock.first + timedelta(days=clock.day_sampler(LEISURE_WEEK).index(rng)) if past \
            else clock.today + timedelta(days=rng.randint(1, 45))
        starts = clock.midnight(day) + timedelta(hours=rng.choice((9, 10, 14, 15, 19)), minutes=rng.choice((0, 30)))
        ends = starts + timedelta(hours=template.hours)
        opens = starts - timedelta(days=rng.randint(7, 20))
        eligible = self.audience(node, template, starts)
        low, high = template.quota
        quota = max(1, min(rng.randint(low, high) * (10 if big else 1), len(eligible) or 1))
        status = self.status(starts, ends, opens)
        created = opens - timedelta(days=2)
        if opens >= clock.now:  # sign-up not open yet: made (and published) lately
            created = clock.now - timedelta(seconds=rng.randrange(86400, 10 * 86400))
        row = {
            "union_id": node.pk, "brand_id": None, "kind": template.kind, "title": template.title,
            "description": template.description, "place": template.place.format(where=_where(node.name)),
            "starts_at": starts, "ends_at": ends, "signup_opens_at": opens,
            "signup_closes_at": starts - timedelta(hours=rng.choice((2, 12, 24))), "quota": quota, "taken": 0,
            "gig_only": False, "women_only": False, "model_workers_only": False, "min_age": None, "max_age": None,
            **template.rules, "status": status, "summary": "", "cancel_reason": "", "created_by_id": None,
            "created_at": created, "updated_at": created, "concluded_at": None,
            "published_at": None if status == ActivityStatus.DRAFT else min(opens, created + timedelta(hours=6)),
        }
        activity = _Activity(node, template, row, eligible)
        open_for = status != ActivityStatus.DRAFT and opens < clock.now
        activity.cap = min(len(eligible), round(quota * 1.3)) if open_for else 0
        return activity

    def status(self, starts: datetime, ends: datetime, opens: datetime) -> str:
        roll = self.rng.random()
        if ends < self.clock.now:
            return ActivityStatus.CANCELLED if roll < 0.05 else ActivityStatus.CONCLUDED
        if opens >= self.clock.now:
            return ActivityStatus.DRAFT if roll < 0.3 else ActivityStatus.PUBLISHED
        return ActivityStatus.CANCELLED if roll < 0.05 else ActivityStatus.PUBLISHED

class _Replay:
    """Sign-ups replayed in time order (places, waitlist, cancellations, promotions, check-ins,
    ratings, the ending), and the writing: the one sign-up path of the generator and the demo.
    ``pk`` maps an activity's ``eligible`` entries to member keys."""

    def __init__(self, rng: Any, clock: Clock, pk: Sequence[int] | _Same, *, rated: float = RATED) -> None:
        self.rng, self.clock, self.pk, self.rated = rng, clock, pk, rated

    # --- Sign-ups ----------------------------------------------------------------------------------------------

    def replay(self, a: _Activity) -> None:
        """The sign-ups in time order, with cancellations, promotions and check-ins; then the activity's ending."""
        rng, clock, row = self.rng, self.clock, a.row
        cancelled_at = None
        end = min(row["signup_closes_at"], clock.now)
        if row["status"] == ActivityStatus.CANCELLED:
            start = row["published_at"] or row["created_at"]
            cancelled_at = clock.between(rng, start + (end - start) / 2, end)
            end = cancelled_at
        times = sorted(clock.between(rng, row["signup_opens_at"], end) for _ in range(a.count))
        queue: list[tuple[datetime, int, int]] = []
        for n, (i, at) in enumerate(zip(rng.sample(a.eligible, a.count), times, strict=True)):
            a.signups.append({"member_id": self.pk[i], "status": "", "created_at": at, "confirmed_at": None,
                              "promoted": False, "cancelled_at": None, "cancel_reason": "", "checked_in_at": None,
                              "checkin_method": "", "checked_in_by_id": None, "reminded_at": None})
            heapq.heappush(queue, (at, 0, n))
            leave = clock.after(rng, at, 1, 72)
            if rng.random() < 0.08 and leave < min(row["starts_at"], end):
                heapq.heappush(queue, (leave, 1, n))
        waiting: list[int] = []
        while queue:
            at, cancel, n = heapq.heappop(queue)
            (self.leave if cancel else self.join)(a, n, at, waiting)
        if cancelled_at is not None:
            self.call_off(a, cancelled_at)
        elif a.signups:
            self.attend(a)
        elif row["status"] == ActivityStatus.CONCLUDED and not a.decided:
            row["status"] = ActivityStatus.PUBLISHED  # nobody signed up: nothing to sum up
        if a.decided and row["status"] == ActivityStatus.CONCLUDED and row["concluded_at"] is None:
            self.conclude(a)  # summed up all the same, as it was given

    def join(self, a: _Activity, n: int, at: datetime, waiting: list[int]) -> None:
        signup = a.signups[n]
        if a.row["taken"] < a.row["quota"]:
            signup |= {"status": SignupStatus.CONFIRMED, "confirmed_at": at}
            a.row["taken"] += 1
        else:
            signup["status"] = SignupStatus.WAITLISTED
            waiting.append(n)
        a.signup_history.append((signup, {"from_status": "", "to_status": signup["status"], "note": "",
                                          "created_at": at}))

    def leave(self, a: _Activity, n: int, at: datetime, waiting: list[int]) -> None:
        """本人取消: a confirmed member frees the place, and the head of the waitlist gets it."""
        signup = a.signups[n]
        before = signup["status"]
        signup |= {"status": SignupStatus.CANCELLED, "cancelled_at": at, "cancel_reason": "本人取消"}
        a.signup_history.append((signup, {"from_status": before, "to_status": SignupStatus.CANCELLED,
                                          "note": "本人取消", "created_at": at}))
        if before == SignupStatus.WAITLISTED:
            waiting.remove(n)
            return
        a.row["taken"] -= 1
        if waiting:
            head = a.signups[waiting.pop(0)]
            head |= {"status": SignupStatus.CONFIRMED, "confirmed_at": at, "promoted": True}
            a.row["taken"] += 1
            a.signup_history.append((head, {"from_status": SignupStatus.WAITLISTED,
                                            "to_status": SignupStatus.CONFIRMED, "note": "候补递补",
                                            "created_at": at}))

    def call_off(self, a: _Activity, at: datetime) -> None:
        """The activity called off: every live sign-up cancelled with the reason, no place held."""
        reason = self.rng.choice(CANCELLED_BECAUSE)
        row = a.row
        row.update(cancel_reason=reason, taken=0, updated_at=at)
        note = f"活动取消：{reason}"
        for signup in a.signups:
            if signup["status"] != SignupStatus.CANCELLED:
                a.signup_history.append((signup, {"from_status": signup["status"],
                                                  "to_status": SignupStatus.CANCELLED, "note": note,
                                                  "created_at": at}))
                signup |= {"status": SignupStatus.CANCELLED, "cancelled_at": at, "cancel_reason": note}

    def attend(self, a: _Activity) -> None:
        """Check-ins from an hour before the start; ratings after the end; the summary."""
        rng, clock, row = self.rng, self.clock, a.row
        if row["starts_at"] >= clock.now:
            return
        came = rng.uniform(0.7, 0.95)
        for signup in a.signups:
            at = row["starts_at"] + timedelta(minutes=rng.randint(-40, 25))
            if signup["status"] != SignupStatus.CONFIRMED or rng.random() >= came or at >= clock.now:
                continue
            method = METHODS.pick(rng)
            signup |= {"status": SignupStatus.CHECKED_IN, "checked_in_at": at, "checkin_method": method}
            a.signup_history.append((signup, {"from_status": SignupStatus.CONFIRMED,
                                              "to_status": SignupStatus.CHECKED_IN,
                                              "note": CheckinMethod(method).label, "created_at": at}))
            rated = clock.after(rng, row["ends_at"], 1, 72)
            if rng.random() < self.rated and rated < clock.now:
                a.ratings.append((signup, {"score": rng.choice(SCORES), "comment": rng.choice(COMMENTS),
                                           "created_at": rated}))
        self.conclude(a)

    def conclude(self, a: _Activity) -> None:
        """已总结 a few days after the end (some are left without a summary: still 已发布)."""
        rng, row = self.rng, a.row
        if row["status"] != ActivityStatus.CONCLUDED:
            return
        at = self.clock.after(rng, row["ends_at"], 2, 96)
        if a.decided:  # its status is given (the demo's): summed up, a little before now if need be
            at = min(at, self.clock.between(rng, row["ends_at"], self.clock.now))
        elif at >= self.clock.now or rng.random() < 0.1:
            row["status"] = ActivityStatus.PUBLISHED
            return
        came = sum(1 for s in a.signups if s["status"] == SignupStatus.CHECKED_IN)
        scores = [r["score"] for _, r in a.ratings]
        average = f"{sum(scores) / len(scores):.1f}" if scores else "4.6"
        row.update(summary=rng.choice(SUMMARIES).format(n=came, score=average), concluded_at=at, updated_at=at)

    # --- Writing -------------------------------------------------------------------------------------------------

    def history(self, a: _Activity) -> list[dict[str, Any]]:
        row = a.row
        steps = [("create", "", ActivityStatus.DRAFT, "", row["created_at"])]
        if row["published_at"] is not None:
            steps.append(("publish", ActivityStatus.DRAFT, ActivityStatus.PUBLISHED, "", row["published_at"]))
        if row["status"] == ActivityStatus.CONCLUDED:
            steps.append(("conclude", ActivityStatus.PUBLISHED, ActivityStatus.CONCLUDED, "", row["concluded_at"]))
        if row["status"] == ActivityStatus.CANCELLED:
            steps.append(("cancel", ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED, row["cancel_reason"],
                          row["updated_at"]))
        return [{"activity_id": row["id"], "action": action, "from_status": before, "to_status": after,
                 "actor_id": None, "note": note, "created_at": at} for action, before, after, note, at in steps]

    def write(self, group: list[_Activity]) -> int:
        rows = [a.row for a in group]
        with_ids(Activity, rows)
        insert(Activity, rows)
        insert(ActivityEvent, [step for a in group for step in self.history(a)])
        signups = [s for a in group for s in a.signups]
        for a in group:
            for signup in a.signups:
                signup["activity_id"] = a.row["id"]
        with_ids(Signup, signups)
        insert(Signup, signups)
        insert(SignupEvent, [{**e, "signup_id": s["id"], "actor_id": None} for a in group for s, e in a.signup_history])
        insert(Rating, [{**r, "signup_id": s["id"], "activity_id": a.row["id"]} for a in group for s, r in a.ratings])
        return len(signups)



def _where(name: str) -> str:
    for suffix in ("总工会", "工会联合会", "工会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def build_signups(tree: Tree, pool: MemberPool, *, signups: int, seed: int, clock: Clock,
                  progress: Progress | None = None) -> dict[str, int]:
    """``signups`` sign-ups with the activities they need (about one per 40), ``CHUNK`` per transaction."""
    maker = _Activities(tree, pool, seed=seed, clock=clock)
    activities = maker.plan(signups)
    group: list[_Activity] = []
    with Writer(progress, workers=2) as writer:
        for activity in activities:
            maker.replayer.replay(activity)
            group.append(activity)
            if sum(a.count for a in group) >= CHUNK or activity is activities[-1]:
                writer.submit(partial(maker.replayer.write, group))
                group = []
    return {"activities": len(activities), "signups": writer.done}


class _Same:
    """The identity mapping: ``eligible`` holds member keys already."""

    def __getitem__(self, key: int) -> int:
        return key


def replay_signups(plans: list[dict[str, Any]], *, seed: int, clock: Clock, rated: float = RATED) -> int:
    """Sign-ups of activities planned elsewhere (the demo's), replayed and written as the generator's
    own, with the activities. Each plan: ``row`` (the activity's values by attname, in the status it
    is to have), ``members`` (the member keys it may take, in order), ``count`` (how many sign up)
    and ``fixed``: (member key, status, at) sign-ups written as they are, after the replay (a named
    login's showcase), the quota raised if a place is needed. Returns the number of sign-ups."""
    replayer = _Replay(stream(seed, "activities", "replay"), clock, _Same(), rated=rated)
    group: list[_Activity] = []
    for plan in plans:
        row = {"taken": 0, **plan["row"]}
        row["taken"] = 0
        a = _Activity(None, None, row, list(plan["members"]), decided=True)
        a.count = min(plan["count"], len(a.eligible))
        replayer.replay(a)
        for member, status, at in plan.get("fixed", ()):
            held = status in (SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN)
            if held:
                row["taken"] += 1
                row["quota"] = max(row["quota"], row["taken"])
            signup = {"member_id": member, "status": status, "created_at": at,
                      "confirmed_at": None if status == SignupStatus.WAITLISTED else at, "promoted": False,
                      "cancelled_at": None, "cancel_reason": "", "checked_in_at": None, "checkin_method": "",
                      "checked_in_by_id": None, "reminded_at": None}
            first = SignupStatus.WAITLISTED if status == SignupStatus.WAITLISTED else SignupStatus.CONFIRMED
            a.signup_history.append((signup, {"from_status": "", "to_status": first, "note": "", "created_at": at}))
            if status == SignupStatus.CHECKED_IN:
                came = min(row["starts_at"] + timedelta(minutes=10), clock.now)
                signup |= {"status": SignupStatus.CHECKED_IN, "checked_in_at": came,
                           "checkin_method": CheckinMethod.CODE}
                a.signup_history.append((signup, {"from_status": SignupStatus.CONFIRMED,
                                                  "to_status": SignupStatus.CHECKED_IN,
                                                  "note": CheckinMethod.CODE.label, "created_at": came}))
            a.signups.append(signup)
        group.append(a)
    return replayer.write(group)
