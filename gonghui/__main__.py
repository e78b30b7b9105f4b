"""``python -m gonghui <command>`` (or the ``gonghui`` script): Django's manage.py."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.management import execute_from_command_line

    from gonghui.core.context import Channel, audit_context

    with audit_context(channel=Channel.COMMAND):  # what a command does is audited as a command's
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
