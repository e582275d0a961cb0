"""tools.commands and tools.refresh: the cross-platform commands and the stored form of a notebook."""
from __future__ import annotations

import json
import socket

import nbformat
import pytest

from tools import commands, lock, refresh
from tools.environment import LOCK, check_supported, EnvironmentProblem


def test_lab_keeps_jupyters_token_and_listens_on_localhost_only(tmp_path):
    cmd = commands.lab_command(tmp_path / "python", 8890, root=tmp_path)
    assert not [a for a in cmd if a.startswith("--") and "token" in a.lower().split("=")[0]], "the token stays on"
    assert "--ServerApp.ip=127.0.0.1" in cmd and "--port=8890" in cmd
    assert "--ServerApp.port_retries=0" in cmd, "a taken port must fail, not silently move to the next one"


def test_lab_on_a_taken_port_fails_at_once_naming_PORT(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not commands.port_is_free(port)
        assert commands.main(["lab", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port}" in err and f"PORT={port + 1}" in err


def test_portable_mode_is_announced_with_its_reason_and_strict_can_be_forced():
    outside = {"inside": False, "summary": "outside the numeric profile (BLAS kernel: openblas:SkylakeX)"}
    inside = {"inside": True, "summary": "inside the numeric profile"}
    assert commands._check_mode(inside, strict=False) == "strict"
    assert commands._check_mode(outside, strict=False) == "portable"
    assert commands._check_mode(outside, strict=True) == "strict"
    text = commands._announce("portable", outside, forced=False)
    assert "portable mode" in text and "SkylakeX" in text and "STRICT=1" in text


def test_unknown_options_are_refused_for_commands_that_pass_nothing_on(capsys):
    with pytest.raises(SystemExit):
        commands.main(["doctor", "--frobnicate"])
    assert "unrecognized arguments for doctor" in capsys.readouterr().err


def test_unsupported_python_is_refused_with_the_fix():
    with pytest.raises(EnvironmentProblem, match=r"3\.11 to 3\.13.*end of life.*PYTHON=python3\.12"):
        check_supported((3, 10), "/usr/bin/python3.10")
    check_supported((3, 12), "python3.12")


def test_browser_numbers_turn_integral_floats_into_ints_only():
    value = {"a": 80.0, "b": [1.5, 2.0, {"c": -3.0}], "d": "80.0", "e": True, "f": 1e300}
    assert refresh.browser_numbers(value) == {"a": 80, "b": [1.5, 2, {"c": -3}], "d": "80.0", "e": True, "f": 1e300}
    assert isinstance(refresh.browser_numbers(2.0), int)


def _notebook_with_widgets(model_ids: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("display_data", data={
        "text/plain": "Explorer controls: x = 1.0",
        "application/vnd.jupyter.widget-view+json": {"model_id": model_ids[0], "version_major": 2, "version_minor": 0}})
    nb.cells = [nbformat.v4.new_code_cell("ex = explorer(...)", outputs=[out], execution_count=1, id="explorer")]
    state = {model_ids[0]: {"state": {"children": [f"IPY_MODEL_{model_ids[1]}"], "value": 80.0}},
             model_ids[1]: {"state": {"value": 0.5}}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state, "version_major": 2}}
    return nb


def test_stored_form_does_not_depend_on_the_kernels_random_widget_ids():
    first = refresh.stored_form(_notebook_with_widgets(["a" * 32, "b" * 32]), "a1_q1_x")
    second = refresh.stored_form(_notebook_with_widgets(["c" * 32, "d" * 32]), "a1_q1_x")
    assert first == second
    stored = json.loads(first)
    state = stored["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (top, child), = [tuple(state)]
    assert state[top]["state"]["children"] == [f"IPY_MODEL_{child}"], "references follow the renamed ids"
    assert state[top]["state"]["value"] == 80 and isinstance(state[top]["state"]["value"], int)
    assert stored["metadata"]["kernelspec"]["name"] == "python3"
    assert first.endswith("}\n")


def test_lock_pins_every_package_exactly_and_conda_gets_the_same_pins():
    text = LOCK.read_text(encoding="utf-8")
    pins = lock.pinned_lines(text)
    assert len(pins) > 50
    assert all("==" in p.split(";")[0] for p in pins), [p for p in pins if "==" not in p]
    conda = (LOCK.parent / "environment.yml").read_text(encoding="utf-8")
    assert conda == lock.conda_environment(text), "environment.yml is stale: run `make lock`"


def test_markers_are_evaluated_for_each_target_platform():
    text = "numpy==2.4.6\npywinpty==3.1.2 ; os_name == 'nt'\nappnope==1.0.0 ; sys_platform == 'darwin'\n" \
           "soupsieve==2.10 ; python_full_version < '3.11.5'\nsoupsieve==4.1.3 ; python_full_version >= '3.11.5'\n"
    by_name = {name: env for name, _, env in lock.PLATFORMS}
    windows = lock.requirements_for(text, by_name["Windows amd64"], "3.11")
    mac = lock.requirements_for(text, by_name["macOS arm64"], "3.12")
    assert windows == ["numpy==2.4.6", "pywinpty==3.1.2", "soupsieve==4.1.3"]
    assert mac == ["numpy==2.4.6", "appnope==1.0.0", "soupsieve==4.1.3"]
