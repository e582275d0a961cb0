"""Atomic file writes: every file the workbook writes goes through here.

A write first goes to a temporary file in the target's folder, is flushed to disk, and only then
replaces the target with ``os.replace`` (atomic on POSIX and Windows). A failure part-way (disk
full, a size limit, an exception while producing the content) leaves the previous file intact and
removes the temporary file.

``atomic_write_text(path, text)`` and ``atomic_write_bytes(path, data)`` cover content held in
memory; ``atomic_path(path)`` is for a writer that wants a file name (Chromium's PDF printer, a
zip archive)::

    with atomic_path(pdf_path) as tmp:
        page.pdf(path=str(tmp))
    # pdf_path now holds the new file; on an exception it still holds the old one
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on error it is removed.

    The folder of ``path`` is created when missing. ``suffix`` defaults to ``path``'s own, so a
    writer that looks at the extension (``.pdf``, ``.zip``) sees the right one.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    ending = (target.suffix if suffix is None else suffix) + ".tmp"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=ending, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"nothing was written to the temporary file for {target}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            with contextlib.suppress(OSError):
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the path."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes; got {type(data).__name__} (use atomic_write_text for str)")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8, ``\\n`` line ends on every OS); returns the path."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__} (use atomic_write_bytes for bytes)")
    return atomic_write_bytes(path, text.encode(encoding))
