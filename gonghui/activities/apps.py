from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, Tile, works_with_data


class ActivitiesConfig(ModuleConfig):
    name = "gonghui.activities"
    verbose_name = "活动"
    console_sections = [ConsoleSection("activities", "活动", "activities:console_list", "★", order=50,
                                       visible=works_with_data)]
    tiles = [Tile("activities", "活动", "activities:list", "calendar-event", color="#0e7c86", order=20)]
    me_links = [MeLink("activities", "我的报名", "activities:mine", "报名、候补、签到和评价", order=10)]
    stats = "stats.SOURCE"
