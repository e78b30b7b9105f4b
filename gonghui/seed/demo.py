"""The demo's service modules on the generator: the bulk of each module's records is drawn and
written by the generator's set-based builders at demo sizes, over the demo province; each module's
own ``demo.py`` then adds what the generator does not make — the named logins' records, the showcase
records and the workflows that must go through the services — and its summary lines.

    build_demo (web/management/commands/demo.py)
        unions, accounts, field work           (each app's demo.py)
        members                                 seed.province.build_members → members demo's workflows
        SERVICES, in order                      each a ``build(rng) -> list[str]``

The generator's randomness comes from its own streams (``base.stream``), seeded from the demo's
seeded ``rng``, so ``gonghui demo --seed N`` still gives the same data for the same N.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.utils import timezone

from gonghui.activities import demo as activities_demo
from gonghui.appeals import demo as appeals_demo
from gonghui.benefits import demo as benefits_demo
from gonghui.market import demo as market_demo
from gonghui.unions.models import Union

from . import appeals
from .base import Clock
from .pool import MemberPool
from .tree import Tree, load_tree

DEMO_GROWTH = 40.0  # the last day is this many times as busy as the first


def _province() -> tuple[Tree, MemberPool] | None:
    """The demo province as the generator sees it (its tree and its members), or None without one."""
    root = Union.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        return None
    tree = load_tree(root)
    return tree, MemberPool(tree)


def _clock(days: int) -> Clock:
    """The demo's history: ``days`` before today, most of it recent (a demo shows full queues), where
    the generator's default spreads two years of a platform being taken up."""
    return Clock(timezone.localdate(), days=days, growth=DEMO_GROWTH)


def _seed(rng: random.Random) -> int:
    return rng.randrange(1 << 31)


def build_appeals(rng: random.Random, *, count: int = appeals_demo.DEFAULT_TICKETS) -> list[str]:
    """``count`` 12351 tickets over the last year (the generator's), then the appeals showcase."""
    found = _province()
    if found is not None and count:
        tree, pool = found
        appeals.build_tickets(tree, pool, tickets=count, seed=_seed(rng), clock=_clock(appeals_demo.DAYS_BACK))
    return appeals_demo.build(rng)


# The service modules' demo builders, in the order the demo command runs them.
SERVICES: tuple[Callable[[random.Random], list[str]], ...] = (
    market_demo.build, build_appeals, benefits_demo.build, activities_demo.build,
)
