#!/usr/bin/env python
import os
import sys

# Commands that only read or write the source tree (migration files, message catalogues) and never
# serve, sign or touch a database: they run as development without PARTA_DEBUG, so a fresh checkout
# can make its migrations. Every other command keeps the production rule (a real PARTA_SECRET_KEY).
SOURCE_TREE_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parta.settings")
    if len(sys.argv) > 1 and sys.argv[1] in SOURCE_TREE_COMMANDS:
        os.environ.setdefault("PARTA_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
