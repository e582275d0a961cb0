"""helpers.files: a failed write leaves the previous file intact and no temporary file behind."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from helpers.files import atomic_path, atomic_write_bytes, atomic_write_text


def test_write_replaces_content_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "sub" / "a.json"
    atomic_write_text(target, "old\n")
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_exception_while_writing_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="printer failed"):
        with atomic_path(target) as tmp:
            assert tmp.suffix == ".tmp" and tmp.name.endswith(".pdf.tmp")
            tmp.write_bytes(b"partial")
            raise RuntimeError("printer failed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]


def test_writer_that_writes_nothing_is_an_error_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.zip"
    target.write_bytes(b"old")
    with pytest.raises(FileNotFoundError, match="nothing was written"):
        with atomic_path(target) as tmp:
            tmp.unlink()
    assert target.read_bytes() == b"old"


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_full_keeps_the_old_file(tmp_path):
    """A file-size limit (as `ulimit -f`) makes the write fail part-way, like a full disk."""
    target = tmp_path / "nb.ipynb"
    target.write_text("old notebook")
    script = textwrap.dedent(f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from helpers.files import atomic_write_text
        try:
            atomic_write_text({str(target)!r}, "x" * 100_000)
        except OSError as exc:
            print("failed:", exc.errno)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.startswith("failed:"), out
    assert target.read_text() == "old notebook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"]


def test_type_errors_name_the_other_function(tmp_path):
    with pytest.raises(TypeError, match="atomic_write_text"):
        atomic_write_bytes(tmp_path / "x", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="atomic_write_bytes"):
        atomic_write_text(tmp_path / "x", b"bytes")  # type: ignore[arg-type]
