from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from gonghui.core.modules import ConsoleSection, Tile, register_module
        from gonghui.core.scope import Role, scope_of

        from . import signals  # noqa: F401 - connects the login audit receivers

        def is_admin(user: object) -> bool:
            scope = scope_of(user)
            return scope.is_superuser or bool(scope.paths({Role.ADMIN}))

        register_module(sections=[ConsoleSection("staff", "工作人员", "accounts:staff", "☰", order=80,
                                                 visible=is_admin)],
                        tiles=[Tile("me", "我的", "accounts:me", "user", color="#b45309", order=90)])
