"""The package's own list of modules and the README's layout name every module of helpers/."""
from __future__ import annotations

import pkgutil
import re

import helpers
from helpers.paths import ROOT


def modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(helpers.__path__) if not m.name.startswith("_"))


def test_helpers_init_lists_every_module():
    assert sorted(helpers.__all__) == modules()
    listed = re.findall(r"^(\w+)\s{2,}", helpers.__doc__, re.M)
    assert sorted(listed) == modules(), "helpers/__init__.py's docstring lists each module once"


def test_readme_layout_names_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("helpers/        "):readme.index("tests/          ")]
    missing = [name for name in modules() if not re.search(rf"\b{name}\b", layout)]
    assert not missing, f"README's layout does not name {missing}"
