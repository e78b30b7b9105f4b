"""The demo's pictures: every listed offering, published activity and serving partner gets a photo.

The pictures are drawn with Pillow at demo time (``lib.images.illustration``: a soft coloured
background and a large white shape, no text, so no font is needed) and go through the same photo kit
as a staff upload (``lib.images.process`` → ``core.photos.photo_store``). Nothing is downloaded.
Each (colour, shape) is drawn and encoded once; every row then gets its own copy of the files, as an
upload would, so replacing one row's picture never touches another's.
"""

from __future__ import annotations

import random

from gonghui.activities.models import Activity, ActivityStatus
from gonghui.benefits.models import Partner
from gonghui.core.photos import photo_store
from gonghui.lib import images
from gonghui.market.models import Offering, OfferingStatus

SHAPES = ("circle", "square", "diamond", "triangle", "heart", "star", "cross")

# the colour of each domain/kind/category, and the shapes that suit it
OFFERING_LOOKS = {
    "education": ("#165dff", ("square", "triangle")), "tech": ("#0e7d73", ("diamond", "square")),
    "health": ("#cb2634", ("cross", "heart")), "legal": ("#722ed1", ("square", "diamond")),
    "jobs": ("#b35600", ("star", "square")), "lecture": ("#c8102e", ("triangle", "circle")),
    "visit": ("#007a52", ("circle", "diamond")),
}
ACTIVITY_LOOKS = {
    "culture": ("#c8102e", ("star", "circle")), "warmth": ("#b35600", ("heart",)),
    "training": ("#165dff", ("square", "triangle")), "matchmaking": ("#d4387a", ("heart", "circle")),
    "volunteer": ("#007a52", ("heart", "star")), "other": ("#646a73", ("circle", "diamond")),
}
PARTNER_LOOKS = {
    "medical": ("#cb2634", ("cross",)), "daily": ("#0e7d73", ("square", "circle")),
    "education": ("#165dff", ("square", "triangle")), "catering": ("#b35600", ("circle", "heart")),
    "leisure": ("#007a52", ("star", "diamond")), "general": ("#722ed1", ("diamond", "circle")),
}


class _Palette:
    def __init__(self) -> None:
        self.done: dict[tuple[str, str], images.Processed] = {}

    def picture(self, colour: str, shape: str) -> images.Processed:
        key = (colour, shape)
        if key not in self.done:
            self.done[key] = images.process(images.illustration(colour=colour, shape=shape))
        return self.done[key]


def _give(rows: list, looks: dict[str, tuple[str, tuple[str, ...]]], attr: str, rng: random.Random,
          palette: _Palette) -> int:
    model = type(rows[0]) if rows else None
    for row in rows:
        colour, shapes = looks.get(getattr(row, attr), ("#646a73", SHAPES))
        photo = photo_store(palette.picture(colour, rng.choice(shapes)),
                            folder=f"{row._meta.app_label}-{row._meta.model_name}")
        model._default_manager.filter(pk=row.pk).update(photo=photo)
    return len(rows)


def build(rng: random.Random) -> list[str]:
    """Photos for the showcase rows that have none; returns the demo's summary line."""
    palette = _Palette()
    offerings = list(Offering.objects.filter(status=OfferingStatus.LISTED, photo__isnull=True).only("pk", "domain"))
    activities = list(Activity.objects.filter(status__in=[ActivityStatus.PUBLISHED, ActivityStatus.CONCLUDED],
                                              photo__isnull=True).only("pk", "kind"))
    partners = list(Partner.objects.serving().filter(photo__isnull=True).only("pk", "category"))
    made = (_give(offerings, OFFERING_LOOKS, "domain", rng, palette)
            + _give(activities, ACTIVITY_LOOKS, "kind", rng, palette)
            + _give(partners, PARTNER_LOOKS, "category", rng, palette))
    return [f"图片：为 {len(offerings)} 个服务项目、{len(activities)} 个活动、{len(partners)} 家合作商户"
            f"生成示意图（{len(palette.done)} 种图样，{made} 张）"]
