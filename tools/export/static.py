"""A stored notebook made ready for a static export (no kernel, no widget manager).

Widget views cannot be drawn without a kernel or the widget manager's scripts, which exports
do not load. Each stored widget-view output is therefore replaced by what it showed:

- an explorer's controls become one line with the values its figure was drawn with: taken from
  the figure's own metadata (``helpers.widgets`` stores them with every figure it displays, so
  a figure redrawn after a slider moved carries the moved values), else from the widget state
  the notebook stored (``make refresh`` stores it);
- a tqdm progress bar becomes its final text line (``100%|██████████| 50/50``);
- any other widget becomes the list of its controls' values, or is dropped when it has none.

Without stored state, progress bars are dropped (their stored text fallback is the bar at 0%,
which would mislead a reader). An explorer whose values are known neither way is reported by
:func:`explorers_without_values`, and the export refuses it. The widget state itself is removed
from the copy's metadata; each figure output notes the index of its cell (for print warnings).
Cells whose source was collapsed in JupyterLab keep it hidden. The notebook on disk is never changed.
"""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from helpers.results import METADATA_KEY as RESULTS_KEY
from helpers.widgets import CONTROLS_LINE_START

#: Class given to a notebook's results table (``results.show()``): printed with a fixed label column.
RESULTS_CLASS = "wb-results"
_RESULTS_TABLE = re.compile(r"<table>")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: Models whose ``value`` a reader may want to see.
_CONTROL_MODELS = re.compile(r"(Slider|Dropdown|Checkbox|Text|Select|ToggleButtons|RadioButtons|"
                             r"BoundedFloat|BoundedInt|FloatText|IntText|ToggleButton|Combobox)")
_PROGRESS_MODELS = ("FloatProgressModel", "IntProgressModel")
_TQDM_TEXT = re.compile(r"\d+%\|")
_CONTROL_REPR = re.compile(r"\b(VBox|HBox|Box|\w*Slider|Dropdown|Checkbox|ToggleButtons)\(|^"
                           + re.escape(CONTROLS_LINE_START))
_TIMING = re.compile(r"\s*\[[^\]]*\]\s*$")

NOTE_CLASS = "wb-widget-note"
#: Output metadata key (in the export's copy) holding the index of the cell a figure comes from.
CELL_KEY = "workbook_cell"
#: Tag given (in the export's copy) to cells whose source the documents leave out.
HIDE_INPUT_TAG = "workbook-hide-input"
#: The header cell every notebook starts with (the documents print their own title block instead).
HEADER_CALL = re.compile(r"^\s*from helpers\.course import header\s+header\([^)]*\)\s*$")


def read_static(path: Path) -> NotebookNode:
    """Read ``path`` and return an export-ready copy (see the module docstring)."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several types for broken files
        raise ValueError(f"{path}: cannot read the notebook ({exc}); "
                         "restore it from git or re-save it in JupyterLab") from exc
    return static_copy(nb)


def static_copy(nb: NotebookNode) -> NotebookNode:
    """A deep copy of ``nb`` with widget views replaced and widget state removed."""
    nb = copy.deepcopy(nb)
    states = widget_states(nb)
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {})[CELL_KEY] = index
            if RESULTS_KEY in output.get("metadata", {}) and "text/html" in output.get("data", {}):
                output["data"]["text/html"] = _RESULTS_TABLE.sub(f'<table class="{RESULTS_CLASS}">',
                                                                   _text(output["data"]["text/html"]), count=1)
        if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False):
            cell.setdefault("metadata", {}).setdefault("tags", []).append(HIDE_INPUT_TAG)
        drawn_with = explorer_values(cell)
        outputs = []
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                replacement = widget_output(output, states, drawn_with)
                if replacement is not None:
                    outputs.append(replacement)
            else:
                outputs.append(output)
        cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    return nb


def is_header_cell(cell: dict[str, Any]) -> bool:
    """True for the ``header("<id>")`` cell a notebook starts with."""
    return cell.get("cell_type") == "code" and HEADER_CALL.match("".join(cell.get("source", ""))) is not None


def explorer_values(cell: dict[str, Any]) -> dict[str, Any] | None:
    """The slider values stored with the cell's explorer figure (``helpers.widgets``), or None."""
    for output in cell.get("outputs", []):
        values = output.get("metadata", {}).get("workbook", {}).get("explorer")
        if isinstance(values, dict):
            return values
    return None


def explorers_without_values(nb: NotebookNode) -> list[int]:
    """Indices of code cells whose explorer controls have neither stored widget state nor figure metadata."""
    states = widget_states(nb)
    missing = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or explorer_values(cell) is not None:
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and data[WIDGET_VIEW].get("model_id", "") not in states \
                    and _CONTROL_REPR.search(_text(data.get("text/plain", ""))):
                missing.append(index)
                break
    return missing


def widget_states(nb: NotebookNode) -> dict[str, dict[str, Any]]:
    """Stored widget models by model id (empty when the notebook stored no widget state)."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return {model_id: dict(model) for model_id, model in state.items()}


def widget_output(output: dict[str, Any], states: dict[str, dict[str, Any]],
                  drawn_with: dict[str, Any] | None = None) -> NotebookNode | None:
    """The static output that stands for one widget-view output, or None to drop it.

    ``drawn_with`` holds the values the cell's explorer figure carries (see :func:`explorer_values`).
    """
    model_id = output["data"][WIDGET_VIEW].get("model_id", "")
    fallback = _text(output["data"].get("text/plain", ""))
    progress = progress_line(model_id, states) if model_id in states else None
    if progress is not None:
        return _display(text=progress)
    controls = control_values(model_id, states) if model_id in states else []
    is_controls = bool(controls) or (model_id not in states and _CONTROL_REPR.search(fallback) is not None)
    if drawn_with is not None and is_controls:
        return controls_note([(name, _shown_value(value)) for name, value in drawn_with.items()])
    if controls:
        return controls_note(controls)
    if model_id in states or _TQDM_TEXT.search(fallback) or not is_controls:
        return None
    return _display(
        text="Interactive controls (their values were not stored)",
        html_text=(f'<div class="{NOTE_CLASS}"><strong>Interactive controls</strong>: their values '
                   "were not stored.</div>"))


def controls_note(controls: list[tuple[str, str]]) -> NotebookNode:
    """The line that stands for an explorer's controls: the values its figure was drawn with."""
    shown = " · ".join(f"{name} = {value}" for name, value in controls)
    return _display(
        text=f"Figure drawn with {shown} (sliders in the notebook)",
        html_text=(f'<div class="{NOTE_CLASS}"><strong>Figure drawn with</strong> {html.escape(shown)} '
                   "(sliders in the notebook).</div>"))


def _shown_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def progress_line(model_id: str, states: dict[str, dict[str, Any]]) -> str | None:
    """tqdm's text line for a stored progress-bar widget, or None when it is not one."""
    model = states[model_id]
    children = [_child_id(c) for c in model.get("state", {}).get("children", [])]
    children = [c for c in children if c in states]
    bars = [c for c in children if states[c].get("model_name") in _PROGRESS_MODELS]
    if not bars:
        return None
    bar = states[bars[0]].get("state", {})
    texts = [_plain_html(states[c].get("state", {}).get("value", "")) for c in children
             if states[c].get("model_name") == "HTMLModel"]
    left = texts[0] if texts else ""
    right = _TIMING.sub("", texts[-1]) if len(texts) > 1 else ""
    maximum = float(bar.get("max") or 0)
    filled = round(10 * float(bar.get("value") or 0) / maximum) if maximum > 0 else 0
    line = f"{left}|{'█' * filled}{' ' * (10 - filled)}| {right}".strip()
    return line


def control_values(model_id: str, states: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(description, value) of every control under ``model_id``, in display order."""
    found: list[tuple[str, str]] = []
    model = states.get(model_id, {})
    name = str(model.get("model_name", ""))
    state = model.get("state", {})
    if _CONTROL_MODELS.search(name):
        found.append((str(state.get("description") or name.removesuffix("Model")), _value(name, state)))
    for child in state.get("children", []):
        found += control_values(_child_id(child), states)
    return found


def _value(model_name: str, state: dict[str, Any]) -> str:
    if "_options_labels" in state and state.get("index") is not None:
        labels = state["_options_labels"]
        index = state["index"]
        if isinstance(index, int) and 0 <= index < len(labels):
            return str(labels[index])
    value = state.get("value")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "–".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return str(value)


def _child_id(ref: Any) -> str:
    return str(ref).removeprefix("IPY_MODEL_")


def _plain_html(value: Any) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", str(value)))
    return text.replace("\u2007", " ").strip()


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _display(text: str, html_text: str | None = None) -> NotebookNode:
    data = {"text/plain": text}
    if html_text is not None:
        data["text/html"] = html_text
    return nbformat.v4.new_output("display_data", data=data)
