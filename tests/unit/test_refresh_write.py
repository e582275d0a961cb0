"""tools/refresh.py stores a notebook atomically: a write that fails part-way keeps the previous notebook."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import nbformat
import pytest

from helpers.paths import ROOT


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_refresh_whose_write_fails_keeps_the_previous_notebook(tmp_path):
    """The notebook's new outputs (400 kB) exceed a file-size limit (as `ulimit -f`, or a full disk)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('x' * 400_000)")]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from tools.refresh import refresh
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300 * 1024, 300 * 1024))
        try:
            refresh(Path({str(path)!r}))
        except OSError as exc:
            print("failed:", exc.errno)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert "failed:" in out.stdout, out.stdout + out.stderr
    assert path.read_bytes() == before
    json.loads(before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probe.ipynb"]     # no temporary file left


def test_a_refresh_stores_the_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    path = tmp_path / "small.ipynb"
    nbformat.write(nb, path)
    sys.path.insert(0, str(ROOT))
    from tools.refresh import refresh

    refresh(path)
    stored = nbformat.read(path, as_version=4)
    assert stored.cells[0].outputs[0]["text"] == "42\n"
    assert path.read_text(encoding="utf-8").endswith("}\n")
