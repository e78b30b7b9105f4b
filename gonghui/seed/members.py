"""Members: the people of people.py put into the workplaces' quotas, through roster's
``insert_members`` (encrypted ID numbers and phones, their blind indexes and card numbers computed
exactly as for imported members), with their membership history.

Six in ten were on the roll when the platform started (registered from the rosters in its first
month, joined years before); the rest joined since, more every month. Most are active; some left
(退会), some transferred out of the province (已转出), a few are in the middle of a transfer (转出中),
each with its open transfer and its timeline, as the transfer service leaves them. Gig workers are
mostly men (riders and drivers), as in the demo.

A run continues the person numbering after the members already in the registry (with a margin for
the people it passes over), so a second run does not repeat an ID number; numbers that are already
in the registry (another generator's, the demo's) are skipped all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from gonghui.lib import crypto
from gonghui.members.demo import TRANSFER_REASONS
from gonghui.members.models import Member, MembershipHistory, MemberStatus, Transfer, TransferEvent, TransferStatus
from gonghui.members.services.roster import insert_members, pinyin_keys

from .base import BATCH, Clock, Progress, Weighted, Writer, chunks, insert, stream, with_ids
from .employers import Workplace, Workplaces
from .people import GIG_JOIN_REASONS, LEAVE_REASONS, REGULAR_JOIN_REASONS, adult_on, person

LEGACY_SHARE = 0.6
WOMEN_IN_GIG = 0.25  # of the women drawn for gig work, this share is kept (about four in five gig workers are men)
STATUSES = Weighted.of({MemberStatus.ACTIVE: 94.7, MemberStatus.LEFT: 2.5, MemberStatus.TRANSFERRED: 2.5,
                        MemberStatus.TRANSFERRING: 0.3})
OUT_REASONS = ("调往外省工作，会籍转出", "随迁外省，转入当地工会")
CHANGES = {MemberStatus.LEFT: "left", MemberStatus.TRANSFERRED: "transfer_out",
           MemberStatus.TRANSFERRING: "transfer_start"}


class _Registry:
    """Draws the members of a batch with their history; ``write`` (on the writer's thread) inserts them."""

    def __init__(self, places: Workplaces, *, root: int, seed: int, clock: Clock) -> None:
        self.clock, self.root = clock, root
        have = Member.objects.count()
        self.index = have + have // 4
        self.rng = stream(seed, "members", self.index)
        self.check = have > 0  # the registry has people already: skip their ID numbers
        targets = [p.union for p in places.regular if p.quota] or [root]
        self.targets = Weighted(targets, [1.0] * len(targets))

    def person(self, place: Workplace) -> dict[str, Any]:
        """The next person, as a member row of ``place`` (with "legacy": on the roll from the start)."""
        rng, clock = self.rng, self.clock
        while True:
            p = person(self.index, rng, gig=place.gig, joined_by=clock.first - timedelta(days=1))
            self.index += 1
            if not place.gig or p["gender"] == "M" or rng.random() < WOMEN_IN_GIG:
                break
        legacy = rng.random() < LEGACY_SHARE
        if legacy:
            created = clock.start + timedelta(seconds=rng.randrange(30 * 86400))
        else:
            created = clock.moment(rng)
            adult = adult_on(p["birth_date"])
            if adult < clock.today:
                created = max(created, clock.midnight(adult) + timedelta(hours=10))
            p["join_date"] = created.date()
        full, initials = pinyin_keys(p["name"])
        return {**p, "legacy": legacy, "name_pinyin": full, "name_initials": initials, "union_id": place.union,
                "employer_id": place.employer, "status": MemberStatus.ACTIVE, "created_at": created,
                "updated_at": created, "card_token_rotated_at": created, "notice_version": "",
                "id_index": crypto.blind_index("id", p["id_number"]),
                "phone_index": crypto.blind_index("phone", p["phone"])}

    def people(self, places: list[Workplace]) -> list[dict[str, Any]]:
        """The batch's members; ID numbers already in the registry are replaced by the next people's."""
        rows = [self.person(place) for place in places]
        while self.check:
            clash = set(Member.objects.filter(id_index__in=[r["id_index"] for r in rows])
                        .values_list("id_index", flat=True))
            if not clash:
                break
            rows = [self.person(place) if r["id_index"] in clash else r for r, place in zip(rows, places, strict=True)]
        return rows

    def batch(self, places: list[Workplace]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Any]]:
        """(members, history, open transfers) of a batch; history and transfers point at their member's row."""
        rows = self.people(places)
        history, moves = [], []
        for row in rows:
            history.append(self.joined(row))
            status, when = self.story(row)
            if status != MemberStatus.ACTIVE:
                history.append(self.changed(row, status, when))
            if status == MemberStatus.TRANSFERRING:
                moves.append(self.transfer(row, when))
        return rows, history, moves

    def story(self, row: dict[str, Any]) -> tuple[str, datetime | None]:
        """The member's status now and when it last changed (written into ``row``)."""
        rng, clock = self.rng, self.clock
        status = STATUSES.pick(rng)
        if status == MemberStatus.ACTIVE:
            return status, None
        recent = clock.now - timedelta(days=30 if status == MemberStatus.TRANSFERRING else clock.days)
        when = clock.between(rng, max(row["created_at"], recent), clock.now)
        row["status"], row["updated_at"] = status, when
        return status, when

    def joined(self, row: dict[str, Any]) -> dict[str, Any]:
        if row["legacy"]:  # (not a column: bulk_insert takes the model's fields only)
            event, reason = "import", "花名册导入：初始会员名册"
        else:
            event = "join"
            reason = self.rng.choice(GIG_JOIN_REASONS if row["gig_occupation"] else REGULAR_JOIN_REASONS)
        return history_row(row, event=event, to_status=MemberStatus.ACTIVE, reason=reason, at=row["created_at"])

    def changed(self, row: dict[str, Any], status: str, when: datetime | None) -> dict[str, Any]:
        reason = {MemberStatus.LEFT: lambda: self.rng.choice(LEAVE_REASONS),
                  MemberStatus.TRANSFERRED: lambda: self.rng.choice(OUT_REASONS),
                  MemberStatus.TRANSFERRING: lambda: "申请会籍转移"}[status]()
        return history_row(row, event=CHANGES[status], from_status=MemberStatus.ACTIVE, to_status=status,
                        reason=reason, at=when, moved=status == MemberStatus.TRANSFERRED)

    def transfer(self, row: dict[str, Any], when: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """An open transfer: waiting for the source union to release, or for the target to accept."""
        rng = self.rng
        target = next((t for t in (self.targets.pick(rng) for _ in range(5)) if t != row["union_id"]), self.root)
        released = rng.random() < 0.5
        by_member = not released or rng.random() < 0.6
        reason = rng.choice(TRANSFER_REASONS)
        moved = min(self.clock.after(rng, when, 0.1, 72), self.clock.now) if released else when
        record = {"member": row, "from_union_id": row["union_id"], "to_union_id": target, "to_employer_id": None,
                  "status": TransferStatus.AWAITING_ACCEPT if released else TransferStatus.AWAITING_RELEASE,
                  "started_by_member": by_member, "reason": reason, "refusal_reason": "", "created_by_id": None,
                  "created_at": when, "updated_at": moved}
        steps = [{"from_status": "", "to_status": TransferStatus.AWAITING_RELEASE,
                  "note": ("会员本人申请：" if by_member else "转出工会发起：") + reason, "created_at": when}]
        if released:
            steps.append({"from_status": TransferStatus.AWAITING_RELEASE, "to_status": TransferStatus.AWAITING_ACCEPT,
                          "note": "同意转出" if by_member else "转出工会发起，同意转出", "created_at": moved})
        return record, steps

    @staticmethod
    def write(rows: list[dict[str, Any]], history: list[dict[str, Any]], moves: list[Any]) -> int:
        return write(rows, history, moves)


def write(rows: list[dict[str, Any]], history: list[dict[str, Any]], moves: Sequence[Any] = ()) -> int:
    """Insert members (values by attname, ID number and phone in plain: the columns encrypt them, the
    blind indexes are computed from them), through roster's ``insert_members`` (keys and card numbers
    as for imported members), with their history rows and open transfers (``(record, steps)``), each
    pointing at its member's row by ``"member"``. The one way generated members reach the database,
    for the generator and the demo alike. Returns the number of members."""
    insert_members(rows)  # gives each row its "id" and card number
    for item in (*history, *(record for record, _ in moves)):
        item["member_id"] = item["member"]["id"]
    insert(MembershipHistory, history)
    records = [record for record, _ in moves]
    with_ids(Transfer, records)
    insert(Transfer, records)
    insert(TransferEvent, [{**step, "transfer_id": record["id"], "actor_id": None}
                           for record, steps in moves for step in steps])
    return len(rows)


def history_row(row: dict[str, Any], *, event: str, to_status: str, reason: str, at: Any, from_status: str = "",
             moved: bool = False) -> dict[str, Any]:
    union = row["union_id"]
    return {"member": row, "from_union_id": union if from_status else None, "to_union_id": None if moved else union,
            "from_status": from_status, "to_status": to_status, "event": event, "reason": reason[:300],
            "actor_id": None, "created_at": at}


def insert_all(places: Workplaces, *, root: int, seed: int, clock: Clock, progress: Progress | None = None) -> int:
    """Every workplace's quota of members, ``BATCH`` members per transaction."""
    registry = _Registry(places, root=root, seed=seed, clock=clock)
    slots = [place for place in places.all() for _ in range(place.quota)]
    with Writer(progress) as writer:
        for chunk in chunks(slots, BATCH):
            rows, history, moves = registry.batch(list(chunk))
            writer.submit(partial(registry.write, rows, history, moves))
    return writer.done
