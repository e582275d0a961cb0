"""The workbook's commands, the same on Linux, macOS and Windows: ``python -m tools <command>``.

The Makefile calls these; without ``make`` (Windows), run them directly, e.g. ``py -3.12 -m tools test``.
Every command first makes sure ``.venv/`` holds the locked packages (``requirements.txt``), then
runs its work there with the numeric profile's environment (``helpers/numeric_profile.py``).
"""
from __future__ import annotations

import sys

from tools.commands import main

if __name__ == "__main__":
    sys.exit(main())
