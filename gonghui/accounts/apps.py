from gonghui.core.modules import ConsoleSection, ModuleConfig, Tile, administers_staff


class AccountsConfig(ModuleConfig):
    name = "gonghui.accounts"
    verbose_name = "账号与权限"
    console_sections = [ConsoleSection("staff", "工作人员", "accounts:staff", "☰", order=80,
                                       visible=administers_staff)]
    tiles = [Tile("me", "我的", "accounts:me", "user", color="#b45309", order=90)]

    def ready(self) -> None:
        super().ready()
        from . import signals  # noqa: F401 - connects the login audit receivers
