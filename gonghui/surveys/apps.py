from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "gonghui.surveys"
    label = "surveys"
    verbose_name = "问卷"

    def ready(self) -> None:
        from gonghui.core.modules import ConsoleSection, MeLink, Tile, register_module, works_with_data

        register_module(
            sections=[ConsoleSection("surveys", "问卷测评", "surveys:console_list", "问", order=60,
                                     visible=works_with_data)],
            tiles=[Tile("surveys", "问卷调查", "surveys:mine", "clipboard-list", color="#7c3aed", order=40)],
            me_links=[MeLink("surveys", "我的问卷", "surveys:mine", "工会发给我的问卷和需求调查", order=30)],
        )
