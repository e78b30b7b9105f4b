"""The module registry behind the two shells.

Each app registers its H5 tiles and console sections in AppConfig.ready(); the shells show only
what is registered, so a module that is not built does not appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tile:
    """A square on the worker H5 home grid."""

    key: str
    label: str
    url_name: str
    icon: str  # one or two characters shown in the coloured badge
    color: str = "#c8102e"
    order: int = 100
    requires_login: bool = False


@dataclass(frozen=True)
class ConsoleSection:
    """A sidebar entry of the staff console; ``visible`` decides per user (roles)."""

    key: str
    label: str
    url_name: str
    icon: str
    order: int = 100
    visible: Callable[[Any], bool] = field(default=lambda user: True)


@dataclass(frozen=True)
class MeLink:
    """A row on the worker's 「我的」 page."""

    key: str
    label: str
    url_name: str
    hint: str = ""
    order: int = 100


_tiles: dict[str, Tile] = {}
_me_links: dict[str, MeLink] = {}
_sections: dict[str, ConsoleSection] = {}


def register_tile(tile: Tile) -> None:
    _tiles[tile.key] = tile


def register_console_section(section: ConsoleSection) -> None:
    _sections[section.key] = section


def tiles() -> list[Tile]:
    return sorted(_tiles.values(), key=lambda t: (t.order, t.key))


def console_sections(user: Any) -> list[ConsoleSection]:
    return [s for s in sorted(_sections.values(), key=lambda s: (s.order, s.key)) if s.visible(user)]


def register_me_link(link: MeLink) -> None:
    _me_links[link.key] = link


def me_links() -> list[MeLink]:
    return sorted(_me_links.values(), key=lambda m: (m.order, m.key))
