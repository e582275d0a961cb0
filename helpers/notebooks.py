"""The workbook's notebook files: where they are and what they store (used by tests and exports)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .paths import NOTEBOOK_DIR


def notebook_paths(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The stored notebooks, sorted (so by assignment, then question)."""
    return sorted(p for p in Path(folder).glob("*.ipynb"))


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook file as a plain dict (no validation, nothing written)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string."""
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def output_texts(cell: dict[str, Any]) -> list[str]:
    """Every text an output of ``cell`` carries (streams, text/plain, HTML, Markdown, errors)."""
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append("".join(out["text"]) if isinstance(out["text"], list) else out["text"])
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/") or mime.endswith("json"):
                texts.append("".join(value) if isinstance(value, list) else json.dumps(value))
        if out.get("output_type") == "error":
            texts.append(f"{out.get('ename')}: {out.get('evalue')}")
    return texts


def section_cells(nb: dict[str, Any], heading: str) -> list[dict[str, Any]]:
    """The cells of the ``## <heading>`` section (up to the next ``## `` heading), heading cell included."""
    cells, inside = [], False
    for cell in nb["cells"]:
        source = cell_source(cell)
        starts = [line for line in source.splitlines() if line.startswith("## ")] if cell["cell_type"] == "markdown" else []
        if starts:
            inside = any(line[3:].strip().lower().startswith(heading.lower()) for line in starts)
        if inside:
            cells.append(cell)
    return cells


def answer_markdown(path: Path) -> str:
    """The Answer section's Markdown prose (what a grader reads first), heading line removed."""
    parts = []
    for cell in section_cells(read_notebook(path), "Answer"):
        if cell["cell_type"] == "markdown":
            parts.append("\n".join(line for line in cell_source(cell).splitlines() if not line.startswith("## ")))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def stored_results(path: Path) -> dict[str, Any] | None:
    """The payload ``results.show()`` stored in a notebook (values, labels, tolerances), or None."""
    from .results import METADATA_KEY

    found = None
    for cell in read_notebook(path)["cells"]:
        for out in cell.get("outputs", []):
            if METADATA_KEY in out.get("metadata", {}):
                found = out["metadata"][METADATA_KEY]
    return found
