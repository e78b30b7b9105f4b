"""The deterministic synthetic data generator behind ``python -m gonghui seed`` and every benchmark.

    from gonghui.seed import seed
    summary = seed(unions=15_000, employers=30_000, members=1_000_000, orders=1_000_000, tickets=1_000_000)
    summary.root, summary.districts, summary.grassroots, summary.counts, summary.timings

One module per domain, each building on the ones before it:

    tree        the union tree: province → cities → districts → streets/towns/parks → grassroots
    employers   employers on file (valid credit codes), and the workplaces members are drawn into
    people      the people: valid ID numbers and unique phones without a lookup (``person_rows`` too)
    members     members through roster's ``insert_members``, with history and open transfers
    pool        the members read back compactly, for the service modules to draw from
    market      云集市 providers, offerings, batches, orders, their history and reviews
    appeals     12351 tickets with their timelines, mediations and the case-number counters
    benefits    partners, coupon campaigns, coupons, issue runs and redemptions
    activities  activities with sign-ups, waitlists, check-ins and ratings (and the activity templates)
    base        seeded streams, weighted draws, the clock, batched writing; run: the entry point
    trades      the tables employers are drawn from (company names, industries, sizes, headcounts)
    catalogue   the 云集市 tables (partners, specialties, offerings, reviews) and the demo's catalogue

The demo (``gonghui demo``) is the same generator at demo size on a hand-drawn province:
``qinghai`` (Qinghai's union tree, grids and employers), ``province`` (its members), and
``demo`` (each service module's bulk rows, with the apps' ``demo.py`` adding the named logins and
showcase records through the services).

Rows are what the modules' own services would leave: statuses with exactly the timestamps their
transitions set, counters equal to the rows they count, the database's unique and check
constraints kept. History spans about 24 months before ``today`` (its midnight is the data's "now"),
busier towards the end and on working days. Writing is set-based: rows are drawn in Python and
inserted in large batches (COPY on PostgreSQL), one transaction per batch, so that a run that stops
half-way leaves whole batches; on PostgreSQL the next batch is drawn while the last is written.

Determinism: the same sizes, ``seed`` and ``today`` give the same data — names, ID numbers, phones,
credit codes, statuses, dates, case numbers — on SQLite and PostgreSQL alike. Primary keys, UUIDs
and the secrets (join codes, card tokens, check-in codes, coupon codes) are not part of it: keys
come from the database, and the others are drawn from the OS's random source as the models do,
because a coupon code or card token derived from a published seed could be guessed.
"""

from .base import SeedError
from .people import people, person, person_rows
from .run import Summary, seed
from .tree import ROOT_NAME

__all__ = ["ROOT_NAME", "SeedError", "Summary", "people", "person", "person_rows", "seed"]
