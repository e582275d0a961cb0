"""helpers.numeric_profile: which variables the commands set, and the verdict's reasons."""
from __future__ import annotations

import platform

import pytest

from helpers import numeric_profile as profile


@pytest.fixture
def on_x86(monkeypatch):
    monkeypatch.setattr(profile, "is_x86_64", lambda: True)


def test_profile_selects_haswell_and_disables_only_the_avx512_targets_the_cpu_has(on_x86):
    env = profile.profile_environment({}, avx512_targets=["X86_V4", "AVX512_ICL"])
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert env["NPY_DISABLE_CPU_FEATURES"] == "X86_V4 AVX512_ICL"
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    # an AVX2-only CPU: nothing to disable, so numpy has nothing to warn about
    assert "NPY_DISABLE_CPU_FEATURES" not in profile.profile_environment({}, avx512_targets=[])


def test_a_coretype_set_by_the_environment_is_never_overridden(on_x86):
    env = profile.profile_environment({"OPENBLAS_CORETYPE": "SkylakeX"}, avx512_targets=["X86_V4"])
    assert "OPENBLAS_CORETYPE" not in env
    env = profile.profile_environment({"NPY_DISABLE_CPU_FEATURES": "AVX512_SPR"}, avx512_targets=["X86_V4"])
    assert "NPY_DISABLE_CPU_FEATURES" not in env


def test_other_architectures_get_only_the_fixed_variables(monkeypatch):
    monkeypatch.setattr(profile, "is_x86_64", lambda: False)
    env = profile.profile_environment({}, avx512_targets=["X86_V4"])
    assert "OPENBLAS_CORETYPE" not in env and "NPY_DISABLE_CPU_FEATURES" not in env
    assert env == profile.FIXED_ENVIRONMENT


def test_lock_markers_are_evaluated_for_this_interpreter(tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text("numpy==2.4.6\n    # via scipy\nappnope==1.0.0 ; sys_platform == 'darwin'\n"
                    "pywinpty==3.1.2 ; os_name == 'nt'\nTyping_Extensions==4.16.0\n")
    pins = profile.locked_versions(lock)
    assert pins["numpy"] == "2.4.6" and pins["typing-extensions"] == "4.16.0"
    assert ("appnope" in pins) == (platform.system() == "Darwin")
    assert "pywinpty" not in pins or platform.system() == "Windows"


def test_verdict_lists_every_failed_condition_with_its_fix():
    verdict = profile.Verdict(False, [profile.Check("BLAS kernel", False, "openblas:SkylakeX"),
                                      profile.Check("Python", True, "3.11.7")])
    assert verdict.reasons == ["BLAS kernel: openblas:SkylakeX"]
    assert verdict.summary().startswith("outside the numeric profile (BLAS kernel")
    assert "[--] BLAS kernel" in verdict.report() and "[ok] Python" in verdict.report()


def test_this_process_runs_under_the_profile_when_started_by_the_commands():
    """`python -m tools test` starts pytest inside the profile on a machine that can be in it."""
    verdict = profile.check()
    names = [c.name for c in verdict.checks]
    assert names[:3] == ["operating system", "architecture", "Python"]
    assert "package versions" in names
    if verdict.inside:
        assert all(c.ok for c in verdict.checks)
    else:
        assert verdict.reasons, "outside the profile, the verdict names why"
