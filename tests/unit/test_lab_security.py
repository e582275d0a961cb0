"""`make lab` on a shared machine: JupyterLab keeps its login token, so another local account cannot use it.

Starts the real command (`python -m tools lab --no-browser` on a free port), reads the tokenised
address it prints, and checks that the API refuses a request without the token (no terminal, no
file listing) and accepts one with it.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from helpers.paths import ROOT

pytestmark = pytest.mark.timeout(180)
TOKEN_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab[^\s]*\?token=([0-9a-f]+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, method: str = "GET") -> int:
    req = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def lab(tmp_path):
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), WORKBOOK_BUILD_DIR=str(tmp_path / "build"))
    env.pop("JUPYTER_TOKEN", None)
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "tools", "lab", "--port", str(port), "--no-browser",
                                    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            match = TOKEN_URL.search(log.read_text(errors="replace"))
            if match:
                yield f"http://127.0.0.1:{port}", match.group(2), log
                return
            if process.poll() is not None:
                pytest.fail(f"`python -m tools lab` exited early:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        pytest.fail(f"no tokenised address printed within 120 s:\n{log.read_text()[-2000:]}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_requests_without_the_token_are_refused(lab):
    url, token, log = lab
    assert len(token) >= 32, "Jupyter's generated token"
    for _ in range(60):  # the address is printed just before the server answers
        if request(f"{url}/api/status?token={token}") == 200:
            break
        time.sleep(0.5)
    assert request(f"{url}/api/contents") == 403
    assert request(f"{url}/api/terminals", "POST") == 403, "another account must not start a shell"
    assert request(f"{url}/api/kernels", "POST") == 403
    assert request(f"{url}/api/contents?token={token}") == 200
    assert "Starting JupyterLab on" in log.read_text() and "token" in log.read_text()
