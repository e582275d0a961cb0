"""Stop early, with a clear message, when the Python that would build .venv/ is unsupported."""
import sys

if not ((3, 10) <= sys.version_info[:2] <= (3, 13)):
    sys.exit(f"The workbook needs Python 3.10 to 3.13; `{sys.executable}` is {sys.version.split()[0]}. "
             "Run `make PYTHON=python3.12 test` (or lab) with a supported interpreter.")
