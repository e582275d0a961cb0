"""``python -m tools <command>``: lab, test, refresh, html, pdf, submit, doctor, bench, env, lock, wheels, clean.

Standard library only (the commands start before ``.venv/`` exists). Each command that computes
runs in ``.venv/`` with the numeric profile's environment, so a stored output, a test run and the
student's JupyterLab compute the same bits on every machine inside the profile.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tools.environment import ROOT, EnvironmentProblem, child_environment, ensure_environment, profile_verdict

NBVAL_OPTIONS = ["--nbval-current-env", "--nbval-sanitize-with", "tests/sanitize.cfg", "--nbval-cell-timeout", "180"]
NBVAL_PLUGIN = ["-p", "tests.nbval_guide"]
DEFAULT_PORT = 8888


def _prepare() -> tuple[Path, dict[str, str]]:
    python = ensure_environment()
    return python, child_environment(python)


def _call(cmd: list, env: dict[str, str]) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, env=env)


# ----------------------------------------------------------------------------------------- test
def _check_mode(verdict: dict, strict: bool) -> str:
    if verdict["inside"]:
        return "strict"
    return "strict" if strict else "portable"


def _announce(mode: str, verdict: dict, forced: bool) -> str:
    if mode == "strict" and verdict["inside"]:
        return "make test: strict mode (inside the numeric profile): stored outputs must match bit for bit"
    if mode == "strict":
        return (f"make test: strict mode forced (STRICT=1) although this machine is {verdict['summary']}: "
                "expect differences in last digits")
    return (f"make test: portable mode: this machine is {verdict['summary']}. Every notebook runs (any error "
            "fails) and every recorded answer is checked against independent computations and against the "
            "stored answers within their stated tolerances; outputs are not compared digit for digit. "
            "`make doctor` says more; `make test STRICT=1` forces the strict comparison.")


def cmd_test(args: argparse.Namespace) -> int:
    python, env = _prepare()
    verdict = profile_verdict(python, env)
    mode = _check_mode(verdict, args.strict)
    env["WORKBOOK_CHECK_MODE"] = mode
    env["TQDM_DISABLE"] = "1"  # progress bars are for the lab; stored outputs hold none
    if args.workers > 1:  # pytest already runs notebooks side by side: one seed worker each
        env.setdefault("WORKBOOK_WORKERS", "1")
    announcement = _announce(mode, verdict, args.strict)
    print(announcement, flush=True)
    nbval = ["--nbval" if mode == "strict" else "--nbval-lax", *NBVAL_OPTIONS]
    after = [p for p in args.paths if Path(p).as_posix().rstrip("/").startswith("tests/after_notebooks")]
    first_paths = [p for p in args.paths if p not in after] if args.paths else ["tests/unit", "tests/nn", "notebooks"]
    if not args.paths:
        after = ["tests/after_notebooks"]
        shutil.rmtree(ROOT / "build" / "results", ignore_errors=True)
    code = 0
    if first_paths:
        code = _call([python, "-m", "pytest", "-n", str(args.workers), "--dist", "loadscope", "--timeout", "600",
                      *NBVAL_PLUGIN, *nbval, *first_paths], env)
    if after:
        code = _call([python, "-m", "pytest", "--timeout", "900", *after], env) or code
    print(("PASSED: " if code == 0 else "FAILED: ") + announcement.split(":")[0] + ": " + mode + " mode "
          + ("(inside the numeric profile)" if verdict["inside"] else "(outside the numeric profile)"), flush=True)
    return code


# -------------------------------------------------------------------------------------- refresh
def cmd_refresh(args: argparse.Namespace) -> int:
    python, env = _prepare()
    verdict = profile_verdict(python, env)
    if not verdict["inside"] and not args.force:
        print(f"refusing to store outputs: this machine is {verdict['summary']}.\nStored outputs must come from "
              "a machine inside the numeric profile, or every other machine's strict test fails. Run "
              "`make doctor` for details; `make refresh FORCE=1` stores them anyway (do not commit the result).",
              file=sys.stderr)
        return 2
    print("make refresh WRITES the outputs of " + " ".join(args.paths or ["notebooks"])
          + " into the notebook files (the only command that does).", flush=True)
    env["TQDM_DISABLE"] = "1"
    return _call([python, "tools/refresh.py", *args.paths], env)


# ------------------------------------------------------------------------------------------ lab
def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def lab_command(python: Path, port: int, root: Path = ROOT, extra: list[str] | None = None,
                default_url: str = "/lab/tree/notebooks") -> list[str]:
    """JupyterLab on 127.0.0.1:``port`` only, with Jupyter's token (its default), opening ``default_url``."""
    cmd = [str(python), "-m", "jupyterlab", f"--port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}", f"--ServerApp.default_url={default_url}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd + list(extra or [])


def cmd_lab(args: argparse.Namespace) -> int:
    if not port_is_free(args.port):
        print(f"error: port {args.port} on 127.0.0.1 is already in use (another JupyterLab?). Stop it, or choose "
              f"another port: `make lab PORT={args.port + 1}` (or `python -m tools lab --port {args.port + 1}`).",
              file=sys.stderr)
        return 2
    python, env = _prepare()
    print(f"Starting JupyterLab on http://127.0.0.1:{args.port}/ with a login token: your browser opens at the "
          "tokenised address; if it does not, copy the address that JupyterLab prints below (it contains "
          "?token=...). Stop it with Ctrl+C.", flush=True)
    return _call(lab_command(python, args.port, extra=args.extra), env)


# ------------------------------------------------------------------------------- small commands
def cmd_doctor(args: argparse.Namespace) -> int:
    python, env = _prepare()
    result = subprocess.run([str(python), "-m", "helpers.numeric_profile"], cwd=ROOT, env=env)
    verdict = profile_verdict(python, env)
    print("so `make test` runs here in " + ("strict mode: stored outputs must match bit for bit" if verdict["inside"]
          else "portable mode: notebooks run, answers are checked within their tolerances (STRICT=1 forces strict)"))
    added = {k: env[k] for k in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES") if k in env}
    print("the commands set: " + (", ".join(f"{k}={v}" for k, v in added.items()) or "nothing for this CPU"))
    print(f"interpreter: {python}")
    return result.returncode


def cmd_export(args: argparse.Namespace) -> int:
    python, env = _prepare()
    return _call([python, "-m", "tools.export", args.command, *args.extra], env)


def cmd_bench(args: argparse.Namespace) -> int:
    python, env = _prepare()
    return _call([python, "tools/bench.py", *args.extra], env)


def cmd_env(args: argparse.Namespace) -> int:
    python = ensure_environment()
    print(f"environment ready: {python}")
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    from tools.lock import lock

    return lock(ensure_environment())


def cmd_wheels(args: argparse.Namespace) -> int:
    from tools.lock import check_wheels

    return check_wheels(ensure_environment())


def cmd_clean(args: argparse.Namespace) -> int:
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    shutil.rmtree(ROOT / ".pytest_cache", ignore_errors=True)
    for pattern in ("__pycache__", ".ipynb_checkpoints"):
        for folder in ROOT.rglob(pattern):
            if ".venv" not in folder.relative_to(ROOT).parts:
                shutil.rmtree(folder, ignore_errors=True)
    print("removed build/ and caches (kept .venv/)")
    return 0


# ----------------------------------------------------------------------------------------- main
COMMANDS = {
    "lab": (cmd_lab, "start JupyterLab on the notebooks (localhost, with a login token)"),
    "test": (cmd_test, "run every test: strict inside the numeric profile, portable outside it"),
    "refresh": (cmd_refresh, "re-run notebooks and STORE their outputs in notebooks/"),
    "html": (cmd_export, "export for submission: HTML (from stored outputs)"),
    "pdf": (cmd_export, "export for submission: PDF (from stored outputs)"),
    "submit": (cmd_export, "one archive per assignment to upload (PDF and HTML)"),
    "doctor": (cmd_doctor, "is this machine inside the numeric profile, and why"),
    "bench": (cmd_bench, "time helpers.nn against scikit-learn and PyTorch (optional)"),
    "env": (cmd_env, "create or update .venv/ from the lock file"),
    "lock": (cmd_lock, "regenerate requirements.txt and environment.yml from requirements.in"),
    "wheels": (cmd_wheels, "check that every locked package has wheels for every supported OS and Python"),
    "clean": (cmd_clean, "remove build/ and caches (keeps .venv/)"),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m tools", description=__doc__.split("\n")[0])
    sub = top.add_subparsers(dest="command", required=True, metavar="command")
    for name, (_, text) in COMMANDS.items():
        sub.add_parser(name, help=text, description=text)
    sub.choices["test"].add_argument("paths", nargs="*", help="test paths (default: everything)")
    sub.choices["test"].add_argument("--strict", action="store_true", help="compare outputs strictly anywhere")
    sub.choices["test"].add_argument("--workers", type=int, default=2, help="parallel pytest workers (default 2)")
    sub.choices["refresh"].add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    sub.choices["refresh"].add_argument("--force", action="store_true", help="store outputs outside the profile")
    sub.choices["lab"].add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
    return top


#: Commands that pass options they do not know on to the program they run.
PASS_THROUGH = {"lab", "html", "pdf", "submit", "bench"}


def main(argv: list[str] | None = None) -> int:
    args, extra = parser().parse_known_args(argv)
    if extra and args.command not in PASS_THROUGH:
        parser().error(f"unrecognized arguments for {args.command}: {' '.join(extra)}")
    args.extra = extra
    try:
        return COMMANDS[args.command][0](args)
    except EnvironmentProblem as problem:
        print(problem.code, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
