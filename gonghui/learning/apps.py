from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, Tile, works_with_data


class LearningConfig(ModuleConfig):
    name = "gonghui.learning"
    verbose_name = "职课堂"
    console_sections = [ConsoleSection("learning", "职课堂", "learning:console_list", "✎", order=55,
                                       visible=works_with_data)]
    tiles = [Tile("learning", "职课堂", "learning:catalogue", "school", color="#7a4b00", order=25)]
    me_links = [MeLink("learning", "我的课程", "learning:mine", "学习进度、考试和结业证书", order=15)]
