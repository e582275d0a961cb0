"""Re-run notebooks top to bottom in a fresh kernel and store their outputs IN PLACE.

This is the only command that writes into notebooks/ (``make refresh`` or
``make refresh NB=notebooks/a1_q1_mle_quality_control.ipynb``). Run it after editing a
notebook, check the diff, and commit. ``python -m tools refresh`` starts it with the numeric
profile's environment, so the stored outputs are what ``make test`` computes on every machine
inside the profile.

The file is stored in the form JupyterLab itself writes, so that opening it in JupyterLab and
saving it without an edit changes no byte, and two refreshes in a row store the same bytes:

* no execution timestamps in cell metadata, no progress bars (``TQDM_DISABLE=1``);
* widget model ids numbered from the notebook's name, not random;
* numbers in JSON as a browser writes them back (``80.0`` becomes ``80``);
* ``language_info`` as the kernel reports it, the generic ``python3`` kernelspec.

The write is atomic: a failure (a full disk, an error while running) leaves the old file intact.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from helpers.files import atomic_write_text

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebooks(args: list[str]) -> list[Path]:
    paths: list[Path] = []
    for arg in args or ["notebooks"]:
        p = Path(arg)
        if p.is_dir():
            paths += sorted(q for q in p.glob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        elif p.suffix == ".ipynb" and p.is_file():
            paths.append(p)
        else:
            sys.exit(f"{arg}: not a notebook or a folder of notebooks; give e.g. NB=notebooks/a1_q1_mle_quality_control.ipynb")
    return paths


def browser_numbers(value: Any) -> Any:
    """``value`` as it comes back from a browser's JSON round trip: integral floats become ints."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    if isinstance(value, dict):
        return type(value)((k, browser_numbers(v)) for k, v in value.items())
    if isinstance(value, list):
        return [browser_numbers(v) for v in value]
    return value


def _replace_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in ids.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return type(value)((ids.get(k, k), _replace_ids(v, ids)) for k, v in value.items())
    if isinstance(value, list):
        return [_replace_ids(v, ids) for v in value]
    return value


def stable_widget_ids(nb: nbformat.NotebookNode, name: str) -> None:
    """Replace the kernel's random widget model ids by ids derived from the notebook name and order."""
    found: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            model = out.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")
            if model and model not in found:
                found.append(model)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    found += [m for m in state if m not in found]
    ids = {old: hashlib.sha256(f"{name}:{i}".encode()).hexdigest()[:32] for i, old in enumerate(found)}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _replace_ids(cell.outputs, ids)
    if state:
        nb.metadata.widgets = _replace_ids(nb.metadata.widgets, ids)


def execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True, record_timing=False)
    client.execute()
    return nb


def stored_form(nb: nbformat.NotebookNode, name: str) -> str:
    """The notebook's text as JupyterLab would save it (see the module docstring)."""
    if not nb.metadata.get("widgets"):
        nb.metadata.pop("widgets", None)
    stable_widget_ids(nb, name)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb = nbformat.from_dict(browser_numbers(nb))
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def refresh(path: Path) -> float:
    start = time.perf_counter()
    nb = execute(path)
    elapsed = time.perf_counter() - start
    atomic_write_text(path, stored_form(nb, path.stem))
    return elapsed


def main() -> None:
    os.environ.setdefault("TQDM_DISABLE", "1")
    for path in notebooks(sys.argv[1:]):
        print(f"refreshing {path} ...", flush=True)
        print(f"  stored outputs ({refresh(path):.1f} s)", flush=True)


if __name__ == "__main__":
    main()
