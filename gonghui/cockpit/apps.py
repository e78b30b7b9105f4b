from gonghui.core.modules import ConsoleSection, ModuleConfig, works_with_data


class CockpitConfig(ModuleConfig):
    name = "gonghui.cockpit"
    verbose_name = "驾驶舱"
    # works_with_data is who may see the cockpit (selectors.can_view asks the same of the scope)
    console_sections = [ConsoleSection("cockpit", "数据驾驶舱", "cockpit:console", "◔", order=5,
                                       visible=works_with_data)]
