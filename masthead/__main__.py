"""The `masthead` command: Django's management commands under the project's name (`masthead demo` loads the demo,
`masthead import-wordpress EXPORT.xml` imports a WordPress site)."""

import os
import sys

ALIASES = {"demo": "load_demo", "import-wordpress": "import_wordpress"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1])
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
