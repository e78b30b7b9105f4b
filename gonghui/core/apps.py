from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from .modules import ConsoleSection, Tile, register_console_section, register_tile
        from .scope import AUDIT_ROLES, scope_of

        def can_audit(user: object) -> bool:
            scope = scope_of(user)
            return scope.is_superuser or bool(scope.paths(AUDIT_ROLES))

        register_console_section(ConsoleSection("audit", "审计日志", "core:audit", "⚑", order=90, visible=can_audit))
        register_tile(Tile("inbox", "消息", "core:inbox", "mail", color="#0f7b55", order=80))
