"""Where the workbook's folders are, independent of the current working directory."""
from __future__ import annotations

import os
from pathlib import Path

#: The project's top folder: the one holding ``course.toml``, ``data/`` and ``notebooks/``.
ROOT: Path = Path(__file__).resolve().parent.parent
DATA_DIR: Path = ROOT / "data"
NOTEBOOK_DIR: Path = ROOT / "notebooks"
#: The course file: ``$WORKBOOK_COURSE_FILE`` when set (e.g. an edited copy in a test), else ``course.toml``.
COURSE_FILE: Path = Path(os.environ.get("WORKBOOK_COURSE_FILE", ROOT / "course.toml"))


def build_dir() -> Path:
    """The folder for generated files (results, exports): ``$WORKBOOK_BUILD_DIR`` or ``build/``."""
    return Path(os.environ.get("WORKBOOK_BUILD_DIR", ROOT / "build"))
