"""A student opens each notebook in JupyterLab and saves it without an edit: no byte changes.

The stored notebooks are written in the form JupyterLab writes (tools/refresh.py), so `git status`
stays clean after a student merely opens and saves. Also checked on opening, before anything runs:
each explorer shows its stored figure and, where its controls cannot be drawn yet, the one line
naming them ("... (run the notebook to move them)"), never an error or a raw ``VBox(children=...)``.

Every stored notebook is checked statically to be in that form (tests/unit/test_stored_form.py);
here JupyterLab itself confirms it on one notebook per assignment (a kernel start and a save each).
JupyterLab runs on a temporary copy of notebooks/ (tests/browser_lab.py); nothing under
notebooks/ is written. Skipped, with the reason, when Playwright or Chromium is missing.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.notebooks import cell_source, notebook_paths, read_notebook
from helpers.paths import NOTEBOOK_DIR
from tests.browser_lab import KERNEL_IDLE, NOTEBOOK_OPEN, chromium_or_skip, launch_flags, running_lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def sample() -> list[Path]:
    """The first notebook of each assignment."""
    first: dict[str, Path] = {}
    for path in notebook_paths():
        first.setdefault(path.stem.split("_")[0], path)
    return list(first.values())


SAMPLE = sample()

SAVE_AND_CLOSE = """async () => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    await app.commands.execute('docmanager:save');
    const dirty = panel.context.model.dirty;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const info = kernel ? (await kernel.info).language_info.version : null;
    await panel.sessionContext.shutdown();
    panel.dispose();
    return {dirty, info};
}"""

LOOK_AT_EXPLORER = """async () => {
    // the cells' models fill in after the panel opens: wait for the explorer cell, scroll to it,
    // wait for its outputs to render, then report what they show
    const sleep = ms => new Promise(r => setTimeout(r, ms));
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const find = () => notebook.widgets.findIndex(c => c.model.type === 'code'
                                                   && c.model.sharedModel.getSource().includes('explorer('));
    let index = find();
    for (let i = 0; index < 0 && i < 300; i++) { await sleep(100); index = find(); }
    if (index < 0) { return {error: 'no explorer cell found'}; }
    await notebook.scrollToItem(index, 'center');
    const cell = notebook.widgets[index];
    for (let i = 0; !cell.node.querySelector('.jp-OutputArea-output') && i < 300; i++) { await sleep(100); }
    await sleep(500);
    const outputs = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output'));
    return {texts: outputs.map(o => o.textContent),
            controls: cell.node.querySelectorAll('.widget-slider, .widget-dropdown, .widget-checkbox').length,
            images: cell.node.querySelectorAll('.jp-OutputArea-output img').length};
}"""


def has_explorer(path: Path) -> bool:
    return any("explorer(" in cell_source(c) for c in read_notebook(path)["cells"] if c["cell_type"] == "code")


@pytest.fixture(scope="module")
def opened_and_saved(tmp_path_factory) -> dict[str, dict]:
    """Open every notebook in JupyterLab, look at its explorer, save it, close it; what was seen per notebook."""
    browser = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    seen: dict[str, dict] = {}
    with running_lab(NOTEBOOK_DIR, tmp_path_factory.mktemp("open_save")) as lab, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(browser), args=launch_flags())
        try:
            page = chromium.new_page(viewport={"width": 1280, "height": 1000})
            for path in SAMPLE:
                page.goto(lab.page_url(path.name), wait_until="domcontentloaded", timeout=60_000)
                page.wait_for_function(NOTEBOOK_OPEN, timeout=60_000)
                page.wait_for_function(KERNEL_IDLE, timeout=60_000, polling=500)
                explorer = page.evaluate(LOOK_AT_EXPLORER) if has_explorer(path) else {}
                saved = page.evaluate(SAVE_AND_CLOSE)
                seen[path.name] = {**explorer, **saved,
                                   "bytes": (lab.root / path.name).read_bytes()}
        finally:
            chromium.close()
    return seen


@pytest.mark.parametrize("path", SAMPLE, ids=[p.stem for p in SAMPLE])
def test_opening_and_saving_changes_no_byte(opened_and_saved, path):
    seen = opened_and_saved[path.name]
    assert not seen["dirty"], "JupyterLab still marks the notebook as modified after saving"
    stored, saved = path.read_bytes(), seen["bytes"]
    if saved != stored:
        import difflib

        diff = difflib.unified_diff(stored.decode().splitlines(), saved.decode().splitlines(), "stored",
                                    "saved by JupyterLab", n=1, lineterm="")
        pytest.fail("JupyterLab's save changed the file (refresh it with `make refresh NB=notebooks/"
                    f"{path.name}` in the stored form):\n" + "\n".join(list(diff)[:30]))


@pytest.mark.parametrize("path", [p for p in SAMPLE if has_explorer(p)],
                         ids=[p.stem for p in SAMPLE if has_explorer(p)])
def test_explorer_shows_its_figure_and_controls_or_their_line_before_anything_runs(opened_and_saved, path):
    seen = opened_and_saved[path.name]
    assert "error" not in seen, seen.get("error")
    shown = "\n".join(seen["texts"])
    assert seen["controls"] > 0 or "(run the notebook to move them)" in shown, (
        "the explorer shows neither its controls nor the line naming them")
    assert seen["images"] > 0, "no stored figure is shown"
    assert "Error displaying widget" not in shown
    assert "VBox(children" not in shown
