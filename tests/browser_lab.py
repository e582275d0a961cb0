"""JupyterLab in a real headless Chromium, for the browser tests (a student's view).

JupyterLab starts through the workbook's own command line (``tools.commands.lab_command``: localhost
only, with a login token) on a temporary COPY of notebooks/, so nothing under notebooks/ is written
and results go to a temporary build folder. The browser logs in with the token.
"""
from __future__ import annotations

import os
import secrets
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

from helpers.paths import ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.commands import lab_command  # noqa: E402
from tools.export.browser import INSTALL_HINT, find_browser, launch_flags  # noqa: E402

LAB_START_TIMEOUT_S = 90

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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its URL, login token, process, log file and served folder."""

    url: str
    token: str
    process: subprocess.Popen
    log: Path
    root: Path

    def log_tail(self, chars: int = 3000) -> str:
        """The end of JupyterLab's log, for failure messages."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.is_file() else "(no log)"

    def page_url(self, notebook: str) -> str:
        """The address that opens ``notebook`` and logs the browser in with the token."""
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"


def lab_environment(state_dir: Path, token: str) -> dict[str, str]:
    """The Lab process's environment: the profile's, a known token, temporary build and runtime folders."""
    from helpers.numeric_profile import profile_environment

    env = dict(os.environ)
    env.update(profile_environment())
    env.update({"JUPYTER_TOKEN": token, "WORKBOOK_BUILD_DIR": str(state_dir / "build"),
                "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime")})
    return env


def wait_until_up(lab: Lab, timeout_s: float = LAB_START_TIMEOUT_S) -> None:
    """Poll ``/api/status`` (with the token) until JupyterLab answers; fail with its log if it dies."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2) as response:
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


def chromium_or_skip() -> Path:
    """The system's Chromium-family browser (skip, saying why, when it or Playwright is missing)."""
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: run `make env`")
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
    port, token = free_port(), secrets.token_hex(24)
    extra = ["--no-browser", "--expose-app-in-browser", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--ServerApp.default_url=/lab", f"--LabApp.workspaces_dir={state / 'workspaces'}",
             f"--LabApp.user_settings_dir={state / 'settings'}"]
    log = work / "lab.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(lab_command(Path(sys.executable), port, root=root, extra=extra), cwd=root,
                                   env=lab_environment(state, token), stdout=log_file, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, process, log, root)
    try:
        wait_until_up(lab)
        yield lab
    finally:
        stop(process)
