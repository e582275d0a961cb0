"""A student's view: JupyterLab in a real headless Chromium, an explorer's slider moved by keyboard.

Starts JupyterLab with the workbook's command line and its login token on a temporary COPY of
notebooks/ (tests/browser_lab.py: nothing under notebooks/ is written), opens an Assignment 1
notebook that has an explorer, runs all cells, presses PageUp on the explorer's first slider (noUiSlider's keyboard support:
several steps in one change, so one redraw) and checks that the slider's value changed and the
figure below the controls was redrawn (its image data changed). It then saves the notebook, as a
student would before exporting, and checks that the saved figure carries the moved value, so the
export prints the values the figure was drawn with. A screenshot of the explorer goes to
``build/browser/slider.png``.

Skipped, with the reason, when Playwright or a Chromium-family browser is missing, or when no
Assignment 1 notebook with an explorer exists yet.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.course import load_course
from helpers.notebooks import cell_source, read_notebook
from helpers.paths import NOTEBOOK_DIR, build_dir
from tests.browser_lab import KERNEL_IDLE, NOTEBOOK_OPEN, Lab, chromium_or_skip, launch_flags, running_lab

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

RUN_ALL_TIMEOUT_S = 120
REDRAW_TIMEOUT_S = 30
PREFERRED = "a1_q1_mle_quality_control"


def explorer_notebook(folder: Path = NOTEBOOK_DIR) -> Path | None:
    """The Assignment 1 notebook to drive: A1 Q1 if it has an explorer, else the first A1 one that has."""
    names = [q.notebook for q in load_course().assignment_questions(1)]
    names.sort(key=lambda n: n != PREFERRED)
    for name in names:
        path = folder / f"{name}.ipynb"
        if path.is_file() and any("explorer(" in cell_source(c) for c in read_notebook(path)["cells"]
                                  if c["cell_type"] == "code"):
            return path
    return None


@pytest.fixture
def chromium() -> Path:
    return chromium_or_skip()


@pytest.fixture
def lab_on_copy(tmp_path: Path, chromium: Path) -> Iterator[tuple[Lab, Path]]:
    """JupyterLab on a temporary copy of notebooks/, and the copied notebook to drive."""
    notebook = explorer_notebook()
    if notebook is None:
        pytest.skip("no Assignment 1 notebook with an explorer in notebooks/ yet")
    with running_lab(NOTEBOOK_DIR, tmp_path) as lab:
        yield lab, lab.root / notebook.name


RUN_ALL = """async () => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    const ok = await app.commands.execute('notebook:run-all-cells');
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return {ok: ok !== false, kernel: kernel ? kernel.name : null};
}"""




def settled_src(page, figure, quiet_ms: int = 1000, timeout_s: float = REDRAW_TIMEOUT_S) -> str:
    """The figure's ``src`` once it has not changed for ``quiet_ms``."""
    last = figure.get_attribute("src") or ""
    stable_since = time.monotonic()
    deadline = stable_since + timeout_s
    while time.monotonic() < deadline and time.monotonic() - stable_since < quiet_ms / 1000:
        page.wait_for_timeout(200)
        now = figure.get_attribute("src") or ""
        if now != last:
            last, stable_since = now, time.monotonic()
    return last


SAVE = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    await window.jupyterapp.commands.execute('docmanager:save');
    return !panel.context.model.dirty;
}"""


@dataclass
class SliderRun:
    """What the browser saw: the slider's value and the figure's image before and after; whether it saved."""

    value_before: str
    value_after: str
    src_before: str
    src_after: str
    label: str = ""
    readout: str = ""
    saved: bool = False


def slider_moves_figure(lab: Lab, notebook: Path, screenshot: Path, browser: Path) -> SliderRun:
    """Open ``notebook`` in Lab, run all cells, move the explorer's first slider by keyboard."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(browser), args=launch_flags())
        try:
            page = chromium.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(lab.page_url(notebook.name), wait_until="domcontentloaded", timeout=60_000)
            page.wait_for_function(NOTEBOOK_OPEN, timeout=60_000)
            result = page.evaluate(RUN_ALL)
            assert result["kernel"], f"{notebook.name} got no kernel in JupyterLab:\n{lab.log_tail()}"
            assert result["ok"], f"running all cells of {notebook.name} in JupyterLab failed (an error in a cell?)"
            page.wait_for_function(KERNEL_IDLE, timeout=RUN_ALL_TIMEOUT_S * 1000, polling=500)

            cell = page.locator(".jp-CodeCell").filter(has=page.locator(".widget-slider")).first
            try:
                cell.wait_for(state="attached", timeout=30_000)
            except Exception:
                pytest.fail(f"no slider was drawn in {notebook.name} after running it (ipywidgets not rendered?)")
            cell.scroll_into_view_if_needed()
            handle = cell.locator(".widget-slider .noUi-handle").first
            # the explorer's figure: the first image in the outputs after the one holding the controls
            figure = cell.locator(".jp-OutputArea-child:has(.widget-slider) ~ .jp-OutputArea-child img").first
            figure.wait_for(state="visible", timeout=30_000)
            src_before = figure.get_attribute("src") or ""
            value_before = handle.get_attribute("aria-valuenow") or ""
            at_max = value_before == handle.get_attribute("aria-valuemax")
            handle.focus()
            page.keyboard.press("PageDown" if at_max else "PageUp")  # one event: several steps, one redraw
            src_after = src_before
            deadline = time.monotonic() + REDRAW_TIMEOUT_S
            while src_after == src_before and time.monotonic() < deadline:  # Lab may replace the <img>
                page.wait_for_timeout(250)
                src_after = figure.get_attribute("src") or ""
            if src_after != src_before:  # each key press redraws once: let the last redraw land
                page.wait_for_function(KERNEL_IDLE, timeout=REDRAW_TIMEOUT_S * 1000, polling=250)
                src_after = settled_src(page, figure)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            cell.screenshot(path=str(screenshot))
            value_after = handle.get_attribute("aria-valuenow") or ""
            slider = cell.locator(".widget-slider").first
            label = slider.locator(".widget-label").first.inner_text().strip()
            readout = slider.locator(".widget-readout").first.inner_text().strip()
            return SliderRun(value_before, value_after, src_before, src_after, label, readout,
                             saved=bool(page.evaluate(SAVE)))
        finally:
            chromium.close()


def test_browser_slider_redraws_the_explorer_figure(lab_on_copy: tuple[Lab, Path], chromium: Path) -> None:
    lab, notebook = lab_on_copy
    screenshot = build_dir() / "browser" / "slider.png"
    run = slider_moves_figure(lab, notebook, screenshot, chromium)
    assert run.src_before.startswith("data:image/png"), "the explorer's default figure is not a PNG image"
    assert run.value_after != run.value_before, (
        f"the slider did not move with the keyboard (value stayed {run.value_before})")
    assert run.src_after.startswith("data:image/png") and run.src_after != run.src_before, (
        f"the slider moved ({run.value_before} -> {run.value_after}) but the explorer's figure was not redrawn")
    assert screenshot.is_file(), f"no screenshot at {screenshot}"
    assert run.saved, "JupyterLab did not save the notebook"
    check_saved_figure_carries_the_moved_value(notebook, run.label, float(run.readout))


def check_saved_figure_carries_the_moved_value(notebook: Path, name: str, moved: float) -> None:
    """The saved explorer figure holds the slider values it was drawn with, and the export prints them."""
    import nbformat

    from tools.export.checks import notebook_problems
    from tools.export.static import explorer_values, static_copy

    nb = nbformat.read(str(notebook), as_version=4)
    index, values = next(((i, explorer_values(c)) for i, c in enumerate(nb.cells) if explorer_values(c)), (None, None))
    assert values, f"no figure in the saved {notebook.name} carries its explorer values"
    assert float(values.get(name, "nan")) == pytest.approx(moved), (
        f"the saved figure was drawn with {values}; the slider {name} shows {moved}")
    assert not notebook_problems(notebook, nb), notebook_problems(notebook, nb)
    note = next(o for o in static_copy(nb).cells[index].outputs if "Figure drawn with" in o["data"].get("text/plain", ""))
    assert f"{name} = {values[name]:g}" in note["data"]["text/plain"], note["data"]["text/plain"]
