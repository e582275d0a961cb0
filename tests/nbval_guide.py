"""pytest plugin: nbval failures that say what differs and what to do next.

nbval reports every failing cell as "Notebook cell execution failed", numbers cells by their
position among code cells, and labels the two sides "reference" and "test". This plugin rewrites
the report of a failing notebook cell:

* the cell as JupyterLab shows it: its execution count ``[n]`` and its position in the notebook;
* the first lines of its source;
* whether it raised an error or ran fine and produced different outputs;
* for each differing output, a diff labelled ``stored (in the notebook)`` and ``new (this run)``;
* the next command: ``make refresh NB=...`` when the change is intended, ``make doctor`` when it
  is not.

Loaded by ``python -m tools test`` with ``-p tests.nbval_guide``.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

SOURCE_LINES = 4
COMPARED_SKIP = {"metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
                 "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg"}


def _texts(outputs: list, sanitize) -> dict[str, list[str]]:
    """Compared outputs flattened to ``{kind: [texts]}``, as nbval compares them (sanitised)."""
    found: dict[str, list[str]] = {}
    for out in outputs:
        if out.get("output_type") == "stream":
            found.setdefault(f"stream {out.get('name')}", []).append(sanitize(out.get("text", "")))
            continue
        for mime, value in out.get("data", {}).items():
            if mime not in COMPARED_SKIP:
                text = value if isinstance(value, str) else "".join(value) if isinstance(value, list) else repr(value)
                found.setdefault(mime, []).append(sanitize(text))
    return found


def _diff(stored: dict[str, list[str]], new: dict[str, list[str]]) -> list[str]:
    lines: list[str] = []
    for kind in sorted(set(stored) | set(new)):
        old_text, new_text = "\n".join(stored.get(kind, [])), "\n".join(new.get(kind, []))
        if old_text == new_text:
            continue
        lines.append(f"  {kind} differs:")
        diff = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), "stored (in the notebook)",
                                    "new (this run)", n=1, lineterm="")
        lines += ["    " + line for line in list(diff)[:40]]
    return lines


def _cell_position(item) -> str:
    cells = item.parent.nb.cells
    index = next((i for i, c in enumerate(cells) if c is item.cell), None)
    count = item.cell.get("execution_count")
    shown = f"[{count}]" if count is not None else "[ ] (never run in the stored notebook)"
    where = f"cell {index + 1} of {len(cells)}" if index is not None else f"code cell {item.cell_num + 1}"
    return f"{shown}, {where}"


def guided_report(item, excinfo) -> str:
    path = Path(str(item.parent.fspath))
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    source = item.cell.source.splitlines()
    head = "\n".join("    " + line for line in source[:SOURCE_LINES]) + ("\n    ..." if len(source) > SOURCE_LINES else "")
    message = str(excinfo.value)
    lines = [f"{shown}, cell {_cell_position(item)}:", head, ""]
    if "outputs differ" in message:
        sanitize = item.sanitize
        lines.append("The cell ran without error, but its outputs differ from the stored ones:")
        lines += _diff(_texts(item.cell.outputs, sanitize), _texts(item.test_outputs or [], sanitize)) or [
            "  (the number or kind of outputs differs)"]
        lines += ["", "Next: if the change is intended (you edited the notebook or a helper it uses), store the new "
                  f"outputs with `make refresh NB={shown}`, check `git diff`, commit.",
                  "If it is not: `make doctor` says whether this machine computes inside the numeric profile "
                  "(outside it, `make test` without STRICT=1 checks the answers within their tolerances)."]
    else:
        lines.append(f"The cell did not finish: {message.splitlines()[0] if message else excinfo.typename}")
        inner = getattr(excinfo.value, "inner_traceback", None)
        if inner:
            lines += ["", str(inner).strip()[-3000:]]
        lines += ["", f"Next: fix the error (run the notebook in JupyterLab: `make lab`), then `make refresh NB={shown}`."]
    return "\n".join(lines)


def pytest_configure(config):
    if not (config.getoption("nbval", False) or config.getoption("nbval_lax", False)):
        return
    from nbval.plugin import IPyNbCell, NbCellError

    original = IPyNbCell.repr_failure

    def repr_failure(self, excinfo, *args, **kwargs):
        if isinstance(excinfo.value, NbCellError) and os.environ.get("WORKBOOK_RAW_NBVAL") != "1":
            return guided_report(self, excinfo)
        return original(self, excinfo, *args, **kwargs)

    IPyNbCell.repr_failure = repr_failure
