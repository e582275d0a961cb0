"""A student's view: JupyterLab in a real headless Chromium, an explorer's slider moved by keyboard.

Starts JupyterLab on a temporary COPY of notebooks/ (so nothing under notebooks/ is written, and
results go to a temporary build folder), opens an Assignment 1 notebook that has an explorer,
runs all cells, presses PageUp on the explorer's first slider (noUiSlider's keyboard support:
several steps in one change, so one redraw) and checks that the slider's value changed and the
figure below the controls was redrawn (its image data changed). It then saves the notebook, as a
student would before exporting, and checks that the saved figure carries the moved value, so the
export prints the values the figure was drawn with. A screenshot of the explorer goes to
``build/browser/slider.png``.

Skipped, with the reason, when Playwright or a Chromium-family browser is missing, or when no
Assignment 1 notebook with an explorer exists yet.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.course import load_course
from helpers.notebooks import cell_source, read_notebook
from helpers.paths import NOTEBOOK_DIR, ROOT, build_dir

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.export.browser import INSTALL_HINT, find_browser, launch_flags  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

LAB_START_TIMEOUT_S = 90
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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its URL, process and log file."""

    url: str
    process: subprocess.Popen
    log: Path
    root: Path

    def log_tail(self, chars: int = 3000) -> str:
        """The end of JupyterLab's log, for failure messages."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else "(no log)"


def lab_command(root_dir: Path, port: int, state_dir: Path) -> list[str]:
    """The command line of a token-less, local-only JupyterLab that exposes ``window.jupyterapp``."""
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", f"--ServerApp.root_dir={root_dir}",
           "--expose-app-in-browser", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
           f"--LabApp.user_settings_dir={state_dir / 'settings'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def lab_environment(state_dir: Path) -> dict[str, str]:
    """The Lab process's environment: one BLAS thread, temporary build and runtime folders."""
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                "WORKBOOK_BUILD_DIR": str(state_dir / "build"),
                "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime")})
    return env


def wait_until_up(lab: Lab, timeout_s: float = LAB_START_TIMEOUT_S) -> None:
    """Poll ``/api/status`` until JupyterLab answers; fail with its log if it dies or times out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {timeout_s:.0f} s:\n{lab.log_tail()}")


def stop(process: subprocess.Popen) -> None:
    """Stop JupyterLab and its kernels (its own process group), politely first."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)  # kernels left behind, if any
        except (ProcessLookupError, PermissionError):
            pass
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def chromium() -> Path:
    """The system's Chromium-family browser (skip when it or Playwright is missing)."""
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: "
                        "`.venv/bin/python -m pip install -r requirements.txt`")
    browser = find_browser()
    if browser is None:
        pytest.skip(f"no Chromium/Chrome found: {INSTALL_HINT}")
    return browser


@contextmanager
def running_lab(notebook_dir: Path, work: Path) -> Iterator[Lab]:
    """JupyterLab serving a COPY of ``notebook_dir`` (made in ``work``); stopped at the end whatever happens."""
    root = work / "notebooks"
    shutil.copytree(notebook_dir, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    state = work / "lab"
    news = state / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no news toast
    port = free_port()
    log = work / "lab.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(lab_command(root, port, state), cwd=root, env=lab_environment(state),
                                   stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", process, log, root)
    try:
        wait_until_up(lab)
        yield lab
    finally:
        stop(process)


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

NOTEBOOK_OPEN = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    return !!(panel && panel.context && panel.sessionContext && panel.content && panel.content.widgets
              && panel.content.widgets.length > 0);
}"""

KERNEL_IDLE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const busy = Array.from(document.querySelectorAll('.jp-InputPrompt')).some(p => p.textContent.includes('*'));
    return kernel && kernel.status === 'idle' && !busy;
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
            page.goto(f"{lab.url}/lab/tree/{notebook.name}", wait_until="domcontentloaded", timeout=60_000)
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
