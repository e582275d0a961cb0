"""Shared by every test folder: the repository's ``tools`` package is importable (it is not installed)."""
from __future__ import annotations

import sys

from helpers.paths import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
