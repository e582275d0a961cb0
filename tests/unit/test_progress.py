"""helpers.progress: bars while working, none when TQDM_DISABLE is set (tests and refreshes)."""
from __future__ import annotations

import io

import pytest

from helpers.progress import bars_off, progress_bar


@pytest.mark.parametrize("value, off", [("1", True), ("true", True), ("", False), ("0", False), ("false", False)])
def test_tqdm_disable_switches_bars_off(monkeypatch, value, off):
    monkeypatch.setenv("TQDM_DISABLE", value)
    assert bars_off() is off


def test_no_bar_is_drawn_when_switched_off(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    out = io.StringIO()
    assert list(progress_bar(range(3), desc="runs", file=out)) == [0, 1, 2]
    assert out.getvalue() == ""


def test_a_bar_is_drawn_otherwise_and_enabled_false_hides_it(monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    out = io.StringIO()
    assert sum(progress_bar(range(4), desc="runs", file=out)) == 6
    assert "runs" in out.getvalue()
    quiet = io.StringIO()
    with progress_bar(total=2, desc="manual", file=quiet, enabled=False) as bar:
        bar.update(2)
    assert quiet.getvalue() == ""
