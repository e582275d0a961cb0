"""The export's building blocks that need neither a browser nor the stored notebooks."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.paths import ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.export.__main__ import main  # noqa: E402
from tools.export.browser import BrowserNotFoundError, find_browser  # noqa: E402
from tools.export.render import RenderOptions, render_notebook  # noqa: E402
from tools.export.static import HIDE_INPUT_TAG, WIDGET_STATE, WIDGET_VIEW, static_copy  # noqa: E402


def _model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
            "state": state}


def _view(model_id: str, fallback: str) -> dict:
    return nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0}, "text/plain": fallback})


def notebook(with_state: bool = True) -> nbformat.NotebookNode:
    """A notebook with a header cell, a tqdm bar and an explorer, as `make refresh` stores them."""
    nb = nbformat.v4.new_notebook()
    header = nbformat.v4.new_code_cell('from helpers.course import header\nheader("a1_q1_mle_quality_control")')
    header.outputs = [nbformat.v4.new_output("execute_result", data={"text/markdown": "# A1 Q1. Title"},
                                             execution_count=1)]
    loop = nbformat.v4.new_code_cell("for i in tqdm(range(50)): pass")
    loop.outputs = [_view("bar", "  0%|          | 0/50 [00:00<?, ?it/s]")]
    ex = nbformat.v4.new_code_cell("ex = explorer(make_figure, x1=(0.0, 5.0, 0.1, 2.3), bins=[2, 3, 4])")
    ex.outputs = [_view("box", "VBox(children=(FloatSlider(value=2.3, description='x1'…"),
                  nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]
    nb.cells = [header, loop, ex]
    if with_state:
        nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
            "bar": _model("HBoxModel", children=["IPY_MODEL_left", "IPY_MODEL_prog", "IPY_MODEL_right"]),
            "left": _model("HTMLModel", value="100%"),
            "prog": _model("FloatProgressModel", value=50.0, max=50.0),
            "right": _model("HTMLModel", value="\u200750/50\u2007[00:00&lt;00:00,\u200712.0it/s]"),
            "box": _model("VBoxModel", children=["IPY_MODEL_x1", "IPY_MODEL_bins"]),
            "x1": _model("FloatSliderModel", value=2.3, description="x1"),
            "bins": _model("DropdownModel", index=1, _options_labels=["2", "3", "4"], description="bins"),
        }}}
    return nb


def test_widget_views_become_their_stored_state_and_the_original_is_untouched():
    nb = notebook()
    static = static_copy(nb)
    assert "widgets" not in static.metadata and "widgets" in nb.metadata
    assert WIDGET_VIEW in nb.cells[1].outputs[0]["data"]
    assert static.cells[1].outputs[0]["data"]["text/plain"] == "100%|██████████| 50/50"
    note = static.cells[2].outputs[0]["data"]
    assert "x1 = 2.3 · bins = 3" in note["text/plain"] and "x1 = 2.3" in note["text/html"]
    assert "image/png" in static.cells[2].outputs[1]["data"], "the explorer's default figure must stay"
    assert HIDE_INPUT_TAG in static.cells[0].metadata["tags"], "the header cell's source should be left out"
    assert HIDE_INPUT_TAG not in static.cells[1].metadata.get("tags", [])


def test_without_state_progress_bars_are_dropped_and_controls_become_a_note():
    static = static_copy(notebook(with_state=False))
    assert static.cells[1].outputs == [], "a 0% progress bar would mislead the reader"
    assert "Interactive controls" in static.cells[2].outputs[0]["data"]["text/plain"]
    assert len(static.cells[2].outputs) == 2


def test_rendered_page_is_static_and_offline_friendly(tmp_path: Path):
    path = tmp_path / "a1_q1_mle_quality_control.ipynb"
    nbformat.write(notebook(), str(path))
    before = path.read_bytes()
    page = render_notebook(path, RenderOptions(nav='<nav class="wb-nav">nav</nav>'))
    assert path.read_bytes() == before, "rendering must not write the notebook"
    assert WIDGET_VIEW not in page and "unpkg.com" not in page and "require.min.js" not in page
    assert 'src="data:image/png;base64,iVBORw0KGgo=' in page
    assert "header(&quot;a1_q1" not in page and 'header("a1_q1' not in page
    assert "x1 = 2.3 · bins = 3" in page and "<!-- workbook:body:start -->" in page
    hidden = render_notebook(path, RenderOptions(hide_code=True))
    assert "tqdm" not in hidden and "100%|" in hidden


def test_find_browser_honours_workbook_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setenv("WORKBOOK_CHROMIUM", str(fake))
    if os.name != "nt":
        with pytest.raises(BrowserNotFoundError, match="not an executable"):
            find_browser()
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
        assert find_browser() == fake


def test_command_line_rejects_bad_input_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture):
    assert main(["pdf", "--assignment", "99", "--notebooks", str(tmp_path)]) == 2
    assert "assignment(s) [99] are not in the course file" in capsys.readouterr().err
    assert main(["html", "--course", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["html", "--notebooks", str(tmp_path), "--out", str(tmp_path / "build")]) == 2
    assert "no notebooks" in capsys.readouterr().err
