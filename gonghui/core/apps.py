from .modules import ConsoleSection, ModuleConfig, Tile, reads_audit_log


class CoreConfig(ModuleConfig):
    name = "gonghui.core"
    verbose_name = "平台核心"
    console_sections = [ConsoleSection("audit", "审计日志", "core:audit", "⚑", order=90, visible=reads_audit_log)]
    tiles = [Tile("inbox", "消息", "core:inbox", "mail", color="#0f7b55", order=80)]
