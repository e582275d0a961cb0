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
    """The folder for generated files (results, exports): ``build/`` in the project folder by default.

    ``$WORKBOOK_BUILD_DIR`` moves it: ``~`` is expanded and a relative path is taken from the project
    folder (not from the current working directory, which is ``notebooks/`` inside a notebook); an
    empty value means the default.
    """
    raw = os.environ.get("WORKBOOK_BUILD_DIR", "").strip()
    if not raw:
        return ROOT / "build"
    path = Path(raw).expanduser()
    return path if path.is_absolute() else ROOT / path
