"""Re-run notebooks top to bottom in a fresh kernel and store their outputs IN PLACE.

This is the only command that writes into notebooks/ (``make refresh`` or
``make refresh NB=notebooks/a1_q1_mle_quality_control.ipynb``). Run it after editing a
notebook, check the diff, and commit. It uses the same environment as ``make test``
(the Makefile exports it), so the stored outputs are what the tests expect.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


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


def refresh(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True)
    client.execute()
    elapsed = time.perf_counter() - start
    if not nb.metadata.get("widgets"):
        nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata.get("language_info", {}).pop("version", None)
    nbformat.write(nb, path)
    return elapsed


def main() -> None:
    for path in notebooks(sys.argv[1:]):
        print(f"refreshing {path} ...", flush=True)
        print(f"  stored outputs ({refresh(path):.1f} s)", flush=True)


if __name__ == "__main__":
    main()
