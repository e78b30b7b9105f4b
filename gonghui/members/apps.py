from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, Tile, works_with_data


class MembersConfig(ModuleConfig):
    name = "gonghui.members"
    verbose_name = "会员"
    console_sections = [
        ConsoleSection("members", "会员", "members:list", "☺", order=30, visible=works_with_data),
        ConsoleSection("applications", "入会审核", "members:applications", "✚", order=31, visible=works_with_data),
        ConsoleSection("drives", "集中入会", "members:drives", "⚐", order=32, visible=works_with_data),
        ConsoleSection("transfers", "会籍转移", "members:transfers", "⇄", order=33, visible=works_with_data),
        ConsoleSection("card_check", "会员卡核验", "members:card_check", "▣", order=34, visible=works_with_data),
        ConsoleSection("rights", "个人信息请求", "members:rights", "⚖", order=35, visible=works_with_data),
    ]
    tiles = [
        Tile("join", "入会", "members:join", "user-plus", color="#c8102e", order=1),
        Tile("card", "会员卡", "members:card", "id-badge-2", color="#a16207", order=2),
        Tile("transfer", "转会", "members:transfer_mine", "arrows-exchange", color="#722ed1", order=3),
    ]
    me_links = [
        MeLink("card", "电子会员卡", "members:card", "出示二维码，享受会员服务", order=1),
        MeLink("claim", "实名认证", "members:claim", "已由工会登记？绑定会员信息", order=2),
        MeLink("join", "我的入会申请", "members:join_status", order=2),
        MeLink("transfer", "会籍转移", "members:transfer_mine", "换工作了？申请转会", order=3),
        MeLink("my_data", "我的个人信息", "members:my_data", "查看、下载、更正或删除", order=4),
    ]
    stats = "stats.SOURCE"
