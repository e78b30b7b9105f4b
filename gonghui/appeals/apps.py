from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, Tile, works_with_data


class AppealsConfig(ModuleConfig):
    name = "gonghui.appeals"
    verbose_name = "12351诉求"
    console_sections = [ConsoleSection("appeals", "12351诉求", "appeals:queue", "☏", order=40, visible=works_with_data)]
    tiles = [Tile("12351", "12351", "appeals:home", "message-report", color="#d42a2a", order=5)]
    me_links = [MeLink("appeals", "我的诉求", "appeals:mine", "12351诉求的办理进度和评价", order=5)]
    stats = "stats.SOURCE"
