"""The workbook's Python environment: where it is, how it is made, what its processes inherit.

Standard library only: this module runs under whatever Python starts ``python -m tools`` and
creates ``.venv/`` from the lock file (``requirements.txt``) before anything else is imported.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.txt"
PROJECT = ROOT / "pyproject.toml"
STAMP_NAME = ".installed"
SUPPORTED = ((3, 11), (3, 13))


class EnvironmentProblem(SystemExit):
    """A problem with the Python environment that the user must fix; the message says how."""

    def __init__(self, message: str):
        super().__init__(f"error: {message}")


def venv_python(venv: Path = VENV) -> Path:
    """The interpreter inside a virtual environment, on Windows and elsewhere."""
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def check_supported(version: tuple[int, int] = sys.version_info[:2], executable: str = sys.executable) -> None:
    lo, hi = SUPPORTED
    if not lo <= tuple(version) <= hi:
        raise EnvironmentProblem(
            f"the workbook needs Python {lo[0]}.{lo[1]} to {hi[0]}.{hi[1]} (3.10 reached its end of life in "
            f"October 2026); `{executable}` is {version[0]}.{version[1]}. Start the command with a supported "
            "Python, e.g. `make PYTHON=python3.12 test` or `py -3.12 -m tools test` on Windows.")


def lock_digest() -> str:
    """What the installed environment must match: the lock file and the project file."""
    digest = hashlib.sha256()
    for path in (LOCK, PROJECT):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(cmd: list[str], **kwargs) -> None:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, **kwargs)
    if result.returncode:
        raise EnvironmentProblem(f"`{' '.join(str(c) for c in cmd)}` failed (exit {result.returncode}); "
                                 "see its output above")


def ensure_environment() -> Path:
    """The interpreter to run the workbook with: ``$WORKBOOK_PYTHON``, or ``.venv/`` made up to date.

    ``WORKBOOK_PYTHON`` names an interpreter whose environment the user manages (a conda environment,
    say); nothing is installed into it. Otherwise ``.venv/`` is created when missing and the locked
    packages are installed whenever ``requirements.txt`` or ``pyproject.toml`` changed.
    """
    chosen = os.environ.get("WORKBOOK_PYTHON", "").strip()
    if chosen:
        found = shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
        if not found:
            raise EnvironmentProblem(f"WORKBOOK_PYTHON={chosen} is not an interpreter on this machine; "
                                     "give its full path or unset WORKBOOK_PYTHON to use .venv/")
        return Path(found)
    python = venv_python()
    if _up_to_date(python):
        return python
    check_supported()
    with _install_lock():
        if _up_to_date(python):  # another command installed it while this one waited
            return python
        if not python.is_file():
            _run([sys.executable, "-m", "venv", VENV])
        _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        _run([python, "-m", "pip", "install", "--quiet", "-r", LOCK])
        _run([python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ROOT])
        (VENV / STAMP_NAME).write_text(lock_digest() + "\n")
    return python


def _up_to_date(python: Path) -> bool:
    stamp = VENV / STAMP_NAME
    return python.is_file() and stamp.is_file() and stamp.read_text().strip() == lock_digest()


@contextlib.contextmanager
def _install_lock():
    """One installer at a time (two commands started together would both install into .venv/)."""
    path = ROOT / ".venv.lock"
    with open(path, "a+b") as handle:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after 10 s; keep waiting
                    continue
        else:
            import fcntl

            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                print("waiting for another command that is installing .venv/ ...", flush=True)
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


def child_environment(python: Path) -> dict[str, str]:
    """``os.environ`` plus the numeric profile's variables, as the workbook's processes get them."""
    result = subprocess.run([str(python), "-m", "helpers.numeric_profile", "--environment"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode:
        raise EnvironmentProblem(f"could not read the numeric profile with {python}:\n{result.stderr.strip()}")
    env = dict(os.environ)
    env.update(json.loads(result.stdout))
    return env


def profile_verdict(python: Path, env: dict[str, str]) -> dict:
    """``{"inside": bool, "summary": str, "checks": [...]}`` for processes started with ``env``."""
    result = subprocess.run([str(python), "-m", "helpers.numeric_profile", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        raise EnvironmentProblem(f"the numeric-profile check failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout)
