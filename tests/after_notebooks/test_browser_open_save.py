"""A student opens each notebook in JupyterLab and saves it without an edit: no byte changes.

The stored notebooks are written in the form JupyterLab writes (tools/refresh.py), so `git status`
stays clean after a student merely opens and saves. Also checked on opening, before anything runs:
each explorer shows its controls (from the stored widget state) and its stored figure, never an
error or a raw ``VBox(children=...)`` representation.

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

WIDGET_TEXTS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).map(o => o.textContent)"""


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
            for path in notebook_paths():
                page.goto(lab.page_url(path.name), wait_until="domcontentloaded", timeout=60_000)
                page.wait_for_function(NOTEBOOK_OPEN, timeout=60_000)
                page.wait_for_function(KERNEL_IDLE, timeout=60_000, polling=500)
                controls = page.locator(".widget-slider, .widget-dropdown, .widget-checkbox")
                if has_explorer(path):
                    controls.first.wait_for(state="attached", timeout=30_000)
                texts = page.evaluate(WIDGET_TEXTS)
                saved = page.evaluate(SAVE_AND_CLOSE)
                seen[path.name] = {"controls": controls.count(), "texts": texts, **saved,
                                   "bytes": (lab.root / path.name).read_bytes()}
        finally:
            chromium.close()
    return seen


@pytest.mark.parametrize("path", notebook_paths(), ids=[p.stem for p in notebook_paths()])
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


@pytest.mark.parametrize("path", [p for p in notebook_paths() if has_explorer(p)],
                         ids=[p.stem for p in notebook_paths() if has_explorer(p)])
def test_explorer_shows_controls_before_anything_runs(opened_and_saved, path):
    seen = opened_and_saved[path.name]
    assert seen["controls"] > 0, "the explorer's controls are not drawn from the stored widget state"
    shown = "\n".join(seen["texts"])
    assert "Error displaying widget" not in shown
    assert "VBox(children" not in shown
