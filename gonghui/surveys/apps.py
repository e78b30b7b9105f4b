from gonghui.core.modules import ConsoleSection, MeLink, ModuleConfig, Tile, works_with_data


class SurveysConfig(ModuleConfig):
    name = "gonghui.surveys"
    verbose_name = "问卷"
    console_sections = [ConsoleSection("surveys", "问卷测评", "surveys:console_list", "问", order=60,
                                       visible=works_with_data)]
    tiles = [Tile("surveys", "问卷调查", "surveys:mine", "clipboard-list", color="#7c3aed", order=40)]
    me_links = [MeLink("surveys", "我的问卷", "surveys:mine", "工会发给我的问卷和需求调查", order=30)]
