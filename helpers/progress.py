"""Progress bars: shown while a student works in JupyterLab, never stored in a notebook.

``progress_bar`` is tqdm's bar (``tqdm.auto``: a widget in JupyterLab, text in a terminal) with one
rule added: when ``TQDM_DISABLE`` is set (``make test`` and ``make refresh`` set it) no bar is drawn.
tqdm's notebook bar ignores that variable (it always passes ``disable`` itself), so every bar of
the workbook, in helpers and notebooks alike, is made here::

    from helpers.progress import progress_bar

    for name, seed in progress_bar(jobs, desc="7 networks x 5 seeds"):
        ...
"""
from __future__ import annotations

import os
from typing import Any


def bars_off() -> bool:
    """True when ``TQDM_DISABLE`` is set to anything but ``""``, ``0`` or ``false``."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false")


def progress_bar(iterable: Any = None, *, desc: str | None = None, total: int | None = None, unit: str = "it",
                 leave: bool = False, enabled: bool = True, **kwargs: Any):
    """A tqdm bar over ``iterable`` (or a manual one with ``total``), removed when done (``leave=False``).

    ``enabled=False`` or ``TQDM_DISABLE`` draws nothing; other keyword arguments go to tqdm.
    """
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc, total=total, unit=unit, leave=leave, disable=not enabled or bars_off(), **kwargs)
