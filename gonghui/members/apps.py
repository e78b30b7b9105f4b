from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = "会员"

    def ready(self) -> None:
        from gonghui.core.modules import register_stats

        from .stats import SOURCE as stats_source

        register_stats(stats_source)
        from gonghui.core.modules import (
            ConsoleSection,
            MeLink,
            Tile,
            register_console_section,
            register_me_link,
            register_tile,
        )
        from gonghui.core.scope import DATA_ROLES, scope_of

        def works_with_data(user: object) -> bool:
            scope = scope_of(user)
            return scope.is_superuser or bool(scope.paths(DATA_ROLES))

        for section in (
            ConsoleSection("members", "会员", "members:list", "☺", order=30, visible=works_with_data),
            ConsoleSection("applications", "入会审核", "members:applications", "✚", order=31, visible=works_with_data),
            ConsoleSection("drives", "集中入会", "members:drives", "⚐", order=32, visible=works_with_data),
            ConsoleSection("transfers", "会籍转移", "members:transfers", "⇄", order=33, visible=works_with_data),
            ConsoleSection("card_check", "会员卡核验", "members:card_check", "▣", order=34, visible=works_with_data),
            ConsoleSection("rights", "个人信息请求", "members:rights", "⚖", order=35, visible=works_with_data),
        ):
            register_console_section(section)
        register_tile(Tile("join", "入会", "members:join", "入", color="#c8102e", order=1))
        register_tile(Tile("card", "会员卡", "members:card", "卡", color="#d4a017", order=2))
        register_tile(Tile("transfer", "转会", "members:transfer_mine", "转", color="#722ed1", order=3))
        register_me_link(MeLink("card", "电子会员卡", "members:card", "出示二维码，享受会员服务", order=1))
        register_me_link(MeLink("join", "我的入会申请", "members:join_status", order=2))
        register_me_link(MeLink("transfer", "会籍转移", "members:transfer_mine", "换工作了？申请转会", order=3))
        register_me_link(MeLink("my_data", "我的个人信息", "members:my_data", "查看、下载、更正或删除", order=4))
