"""The numeric profile: the conditions under which a fresh run reproduces the stored outputs bit for bit.

Floating-point results depend on more than the code: OpenBLAS chooses a matrix-multiply kernel for
the CPU it finds (SkylakeX on a machine with AVX-512, Haswell on one with AVX2), and numpy
dispatches its own loops to AVX-512 or AVX2. Either choice changes the last bits of a product, and
a trained network amplifies them (an accuracy can move by a few test images). The workbook
therefore fixes both choices:

* ``OPENBLAS_CORETYPE=Haswell``: the AVX2 kernel, which every x86-64 CPU with AVX2 can run;
* ``NPY_DISABLE_CPU_FEATURES``: numpy's AVX-512 targets (``X86_V4``, ``AVX512_ICL``, ``AVX512_SPR``)
  switched off, so numpy uses its AVX2 (``X86_V3``) loops;
* one BLAS thread per process, and the exact package versions of ``requirements.txt``.

:func:`profile_environment` gives the variables the commands (``python -m tools test|refresh|lab``)
set for their child processes. An ``OPENBLAS_CORETYPE`` that the environment already sets is never
changed: such a machine is outside the profile. :func:`check` looks at the running process and says
whether it is inside the profile and why (``make doctor`` prints it). Inside, ``make test`` compares
stored outputs strictly; outside, it runs every notebook and compares the recorded answers within
their stated tolerances (README, "Reproducible outputs").

Run ``python -m helpers.numeric_profile`` for the verdict as text, ``--json`` for a machine-readable one.
"""
from __future__ import annotations

import json
import os
import platform
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .paths import ROOT

#: OpenBLAS kernel of the profile.
BLAS_CORETYPE = "Haswell"
#: numpy's dispatch targets above AVX2 (numpy 2.4: ``__cpu_dispatch__`` lists X86_V3 and these).
NUMPY_AVX512_TARGETS = ("X86_V4", "AVX512_ICL", "AVX512_SPR")
#: CPU features the profile's code paths need.
REQUIRED_CPU_FEATURES = ("AVX2", "FMA3")
#: Python versions the lock covers.
PYTHON_RANGE = ((3, 11), (3, 13))
#: Environment of every command: one BLAS/OpenMP thread, stable names and dates in outputs.
FIXED_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "IPYKERNEL_CELL_NAME": "<IPY-INPUT>",
    "SOURCE_DATE_EPOCH": "0",
    "PYTHONHASHSEED": "0",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}


def is_x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def numpy_avx512_targets_on_this_cpu() -> list[str]:
    """The AVX-512 dispatch targets this CPU supports (read in a process where none is disabled)."""
    from numpy._core import _multiarray_umath as umath

    return [t for t in NUMPY_AVX512_TARGETS if umath.__cpu_features__.get(t)]


def profile_environment(environ: dict[str, str] | None = None, avx512_targets: list[str] | None = None) -> dict[str, str]:
    """The variables to add to ``environ`` for a child process inside the profile.

    ``avx512_targets`` are the targets to switch off (default: those this CPU supports, so numpy
    never warns about a feature the machine lacks). A variable the environment already sets is
    left as it is; :func:`check` then reports whether the machine is still inside the profile.
    """
    environ = dict(os.environ if environ is None else environ)
    extra = dict(FIXED_ENVIRONMENT)
    if is_x86_64():
        if "OPENBLAS_CORETYPE" not in environ:
            extra["OPENBLAS_CORETYPE"] = BLAS_CORETYPE
        if "NPY_DISABLE_CPU_FEATURES" not in environ and "NPY_ENABLE_CPU_FEATURES" not in environ:
            targets = numpy_avx512_targets_on_this_cpu() if avx512_targets is None else avx512_targets
            if targets:
                extra["NPY_DISABLE_CPU_FEATURES"] = " ".join(targets)
    return extra


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Verdict:
    inside: bool
    checks: list[Check] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """What puts the machine outside the profile (empty inside)."""
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.ok]

    def summary(self) -> str:
        if self.inside:
            return "inside the numeric profile: stored outputs are compared strictly"
        return "outside the numeric profile (" + "; ".join(self.reasons) + ")"

    def report(self) -> str:
        lines = [f"  [{'ok' if c.ok else '--'}] {c.name}: {c.detail}" for c in self.checks]
        return "\n".join([self.summary(), *lines])


def _check_platform() -> list[Check]:
    system, machine = platform.system(), platform.machine()
    version = sys.version_info[:2]
    lo, hi = PYTHON_RANGE
    return [
        Check("operating system", system == "Linux", f"{system} (the profile is Linux)"),
        Check("architecture", is_x86_64(), f"{machine} (the profile is x86-64)"),
        Check("Python", lo <= version <= hi, f"{platform.python_version()} (supported: "
              f"{lo[0]}.{lo[1]} to {hi[0]}.{hi[1]})"),
    ]


def _check_numpy() -> list[Check]:
    from numpy._core import _multiarray_umath as umath

    features = umath.__cpu_features__
    missing = [f for f in REQUIRED_CPU_FEATURES if not features.get(f)]
    enabled = [t for t in umath.__cpu_dispatch__ if features.get(t)]
    wide = [t for t in enabled if t in NUMPY_AVX512_TARGETS]
    return [
        Check("CPU features", not missing, "AVX2 and FMA present" if not missing else f"missing {', '.join(missing)}"),
        Check("numpy dispatch", not wide and "X86_V3" in enabled,
              f"uses {', '.join(enabled) or 'baseline only'}"
              + (f"; AVX-512 targets on (set NPY_DISABLE_CPU_FEATURES=\"{' '.join(wide)}\")" if wide else "")),
    ]


def _check_blas() -> list[Check]:
    import numpy  # noqa: F401  (loads numpy's OpenBLAS)
    import scipy.linalg  # noqa: F401  (loads scipy's OpenBLAS)
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    kernels = sorted({f"{i['internal_api']}:{i.get('architecture', '?')}" for i in blas})
    good = bool(blas) and all(i["internal_api"] == "openblas" and i.get("architecture") == BLAS_CORETYPE for i in blas)
    threads = sorted({i["num_threads"] for i in blas})
    set_by_user = os.environ.get("OPENBLAS_CORETYPE")
    detail = f"{', '.join(kernels) or 'none found'}"
    if not good and set_by_user and set_by_user != BLAS_CORETYPE:
        detail += f" (OPENBLAS_CORETYPE={set_by_user} is set in the environment; the workbook leaves it alone)"
    return [
        Check("BLAS kernel", good, detail),
        Check("BLAS threads", threads == [1], f"{threads} per library (the profile pins 1)"),
    ]


def locked_versions(lock: Path = ROOT / "requirements.txt") -> dict[str, str]:
    """``{normalised name: version}`` of the lock lines whose markers apply to this interpreter."""
    from packaging.markers import Marker

    pins: dict[str, str] = {}
    for raw in lock.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, _, version = requirement.strip().partition("==")
        pins[canonical_name(name)] = version.strip()
    return pins


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _check_versions() -> list[Check]:
    from importlib import metadata

    lock = ROOT / "requirements.txt"
    if not lock.is_file():
        return [Check("package versions", False, "requirements.txt not found")]
    wrong = []
    for name, version in locked_versions(lock).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} missing")
            continue
        if installed != version:
            wrong.append(f"{name} {installed} (lock: {version})")
    detail = "as in requirements.txt" if not wrong else ", ".join(wrong[:6]) + (" ..." if len(wrong) > 6 else "")
    if wrong:
        detail += "; run `make env` (or `python -m tools env`) to install the locked versions"
    return [Check("package versions", not wrong, detail)]


def check() -> Verdict:
    """Whether this process computes inside the profile, with one line per condition."""
    checks = _check_platform()
    if checks[1].ok:
        checks += _check_numpy() + _check_blas()
    checks += _check_versions()
    return Verdict(all(c.ok for c in checks), checks)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--environment"]:
        print(json.dumps(profile_environment()))
        return 0
    verdict = check()
    if args == ["--json"]:
        print(json.dumps({"inside": verdict.inside, "summary": verdict.summary(),
                          "checks": [asdict(c) for c in verdict.checks]}))
    else:
        print(verdict.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
