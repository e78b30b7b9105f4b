"""The module registry behind the two shells.

Each app declares its H5 tiles, console sections, 我的 links and cockpit feed on its ``ModuleConfig``
(apps.py), which registers them when the app is ready; the shells show only what is registered, so a
module that is not built does not appear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import AppConfig
from django.urls import URLPattern, URLResolver, include, path
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from ninja import Router

    from .scope import Role


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


@dataclass(frozen=True)
class ScanRoute:
    """Where a scanned e-member-card QR code sends a signed-in user of one kind (a merchant's cashier …).

    The card QR encodes one public URL; the members app sends staff to the member and everyone else to a
    harmless page, unless a module's route ``applies`` to the user: then ``url(token)`` is where they land.
    """

    key: str
    applies: Callable[[Any], bool]
    url: Callable[[str], str]
    order: int = 100


def holds_role(user: Any, roles: Iterable[Role]) -> bool:
    """A superuser, or staff holding one of ``roles`` at some union: what a ``ConsoleSection.visible`` asks."""
    from .scope import scope_of

    scope = scope_of(user)
    return scope.is_superuser or bool(scope.paths(roles))


def works_with_data(user: Any) -> bool:
    """The usual ``ConsoleSection.visible``: staff who may read business data somewhere (not auditors only)."""
    from .scope import DATA_ROLES

    return holds_role(user, DATA_ROLES)


def reads_audit_log(user: Any) -> bool:
    """``ConsoleSection.visible`` of the audit log: administrators and auditors."""
    from .scope import AUDIT_ROLES

    return holds_role(user, AUDIT_ROLES)


def administers_staff(user: Any) -> bool:
    """``ConsoleSection.visible`` of staff management: administrators somewhere."""
    from .scope import Role

    return holds_role(user, {Role.ADMIN})


_tiles: dict[str, Tile] = {}
_me_links: dict[str, MeLink] = {}
_sections: dict[str, ConsoleSection] = {}
_scan_routes: dict[str, ScanRoute] = {}


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


def scan_routes() -> list[ScanRoute]:
    return sorted(_scan_routes.values(), key=lambda r: (r.order, r.key))


# --- Statistics sources (the cockpit's feed) -----------------------------------------------------------------------
# A module that contributes figures to the cockpit registers a StatSource in AppConfig.ready(). The functions
# are the module's own selectors: set-based queries over its own tables that return figures for each union
# *itself* (not its subtree); the cockpit rolls them up the tree, stores them and never reads the module's
# tables. Rows are plain tuples so a source needs nothing from the cockpit.

SnapshotRow = tuple[int, str, str, int]  # (union id, metric, dimension or "", value): the figure as it is now
DailyRow = tuple[int, date, str, str, int]  # (union id, local day, metric, dimension or "", count that day)


@dataclass(frozen=True)
class StatSource:
    """What one module counts.

    ``metrics`` maps metric keys (``"<module>.<name>"``) to their Chinese labels; ``dimensions``
    optionally maps a metric key to the labels of its dimension values (gig workers by occupation …).
    ``snapshot()`` returns current figures; ``daily(first, last)`` the counts of each local day in
    ``first..last``; ``touched(since)`` the earlier days whose counts may have changed since that
    moment (a transferred member's join day …) — days in the recent window are refreshed anyway.
    """

    key: str
    metrics: dict[str, str]
    snapshot: Callable[[], Iterable[SnapshotRow]] | None = None
    daily: Callable[[date, date], Iterable[DailyRow]] | None = None
    touched: Callable[[datetime], Iterable[date]] | None = None
    dimensions: dict[str, dict[str, str]] = field(default_factory=dict)


_stat_sources: dict[str, StatSource] = {}


def register_stats(source: StatSource) -> None:
    _stat_sources[source.key] = source


def stat_sources() -> list[StatSource]:
    return [_stat_sources[key] for key in sorted(_stat_sources)]


def register_module(*, sections: Iterable[ConsoleSection] = (), tiles: Iterable[Tile] = (),
                    me_links: Iterable[MeLink] = (), stats: StatSource | None = None,
                    scan_routes: Iterable[ScanRoute] = ()) -> None:
    """Everything one module shows in the two shells and feeds the cockpit, from its AppConfig.ready()."""
    for section in sections:
        register_console_section(section)
    for tile in tiles:
        register_tile(tile)
    for link in me_links:
        register_me_link(link)
    if stats is not None:
        register_stats(stats)
    for route in scan_routes:
        _scan_routes[route.key] = route


class ModuleConfig(AppConfig):
    """The AppConfig of a module that shows itself in the two shells or feeds the cockpit.

    A module declares what it shows as class attributes and ``ready()`` registers them (``register_module``);
    the app's label is the last part of ``name``, as Django derives it. ``stats`` names the module's
    ``StatSource`` relative to the app (``"stats.SOURCE"``): it is imported in ``ready()``, as it reads the
    models. A module with more to do when ready (signal receivers) overrides ``ready()`` and calls
    ``super().ready()``.
    """

    console_sections: ClassVar[Sequence[ConsoleSection]] = ()
    tiles: ClassVar[Sequence[Tile]] = ()
    me_links: ClassVar[Sequence[MeLink]] = ()
    scan_routes: ClassVar[Sequence[ScanRoute]] = ()
    stats: ClassVar[str] = ""

    # Django takes as an app's config the one AppConfig subclass in its apps.py not marked ``default = False``;
    # this base is imported into every apps.py, so it is marked, and each module's own subclass is the default.
    default = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default = True

    def ready(self) -> None:
        register_module(sections=self.console_sections, tiles=self.tiles, me_links=self.me_links,
                        stats=import_string(f"{self.name}.{self.stats}") if self.stats else None,
                        scan_routes=self.scan_routes)


def module_urls(app: str, *, h5: Sequence[URLPattern] = (),
                console: Sequence[URLPattern] = ()) -> list[URLPattern | URLResolver]:
    """A module's pages where DESIGN.md puts them: ``h5`` under ``/<app>/``, ``console`` under ``/console/<app>/``.

    Each list's routes are relative to its prefix (``path("<uuid:key>/", …)``) and keep their order (static
    routes before the ``<uuid>`` ones); the names stay the module's own (``reverse("<app>:<name>")``). A page
    outside the two prefixes (accounts' ``/me/``) is a plain ``path()`` beside them in urls.py.
    """
    patterns: list[URLPattern | URLResolver] = []
    if h5:
        patterns.append(path(f"{app}/", include(list(h5))))
    if console:
        patterns.append(path(f"console/{app}/", include(list(console))))
    return patterns


def module_router(tag: str, *parts: Router, operation_id_prefix: str = "") -> Router:
    """A module's one Router (mounted at ``/api/v1/<app>/``): its audience routers ``parts`` in this order,
    which is the order of their paths in the OpenAPI document, under the module's tag.

    ``operation_id_prefix``: an operation without an explicit ``operation_id`` gets
    ``<prefix>_<function name>``, the id ninja gave it when the module's API was one file
    (``gonghui_activities_api``), so that clients generated from the schema keep their method names.
    """
    from ninja import Router

    router = Router(tags=[tag])
    for part in parts:
        if operation_id_prefix:
            for path_view in part.path_operations.values():
                for operation in path_view.operations:
                    operation.operation_id = (operation.operation_id
                                              or f"{operation_id_prefix}_{operation.view_func.__name__}")
        router.add_router("", part)
    return router
