"""Run one experiment over several seeds, on all CPU cores, with independent random streams.

The evidence standard asks for at least five seeds per model. ``run_seeds`` runs a function once per
seed in worker processes (one per core) and returns the results in seed order, bit for bit the same
as running the seeds one after the other in this process::

    import numpy as np
    from helpers import nn
    from helpers.seeds import run_seeds

    def train_once(rng, lr):
        # one training run; rng is this seed's own numpy Generator (weights, batch order, dropout)
        model = nn.Sequential(nn.Linear(64, 32, rng=rng), nn.ReLU(), nn.Linear(32, 10, rng=rng, init="glorot"))
        history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=lr), X_train, y_train,
                         epochs=20, rng=rng, validation_data=(X_val, y_val))
        return {"val_accuracy": history.best("val_accuracy"), "test_pred": nn.predict_labels(model, X_test)}

    runs = run_seeds(train_once, n_seeds=5, seed=SEED, kwargs={"lr": 3e-3})       # list of 5 dicts
    grid = run_seeds(train_once, n_seeds=5, seed=SEED, grid=[{"lr": v} for v in (1e-3, 3e-3, 1e-2)])
    grid[1][4]["val_accuracy"]                                                       # lr=3e-3, seed index 4

What it guarantees
------------------
* Seed index ``i`` gets ``np.random.default_rng(np.random.SeedSequence(seed).spawn(n_seeds)[i])``
  (:func:`seed_sequences`): independent streams, never numpy's global state. With a ``grid``, every
  setting gets the same stream for the same seed index, so settings are compared on common random
  numbers (a paired comparison). To rerun one seed alone:
  ``train_once(np.random.default_rng(seed_sequences(SEED, 5)[3]), lr=3e-3)``.
* Each worker runs its BLAS library on one thread (``threadpoolctl``), and so does this process while
  it runs seeds itself, so a result does not depend on how the work was split.
* Results come back in seed order. What the function prints is printed here, in seed order, after
  the runs; its warnings are re-issued here. ``helpers.nn.fit`` shows no progress bar of its own
  inside ``run_seeds`` (:func:`in_seed_run`); one bar counts the finished runs instead (``tqdm.auto``,
  removed when done; a widget in JupyterLab, nothing on stderr).
* A seed that raises stops the run with :class:`SeedRunError`, naming the seed index, its seed
  sequence, the grid setting and the worker's traceback.

Processes and notebooks
-----------------------
On Linux the workers are forked copies of this process, so a function defined in a notebook cell (or a
lambda) works. On macOS and Windows workers are started fresh ("spawn") and must import the function:
define it in a ``.py`` module and import it, or pass ``sequential=True`` to run the seeds here, one
after the other. A function that cannot be sent gets a clear error before any work starts. Workers:
the CPUs this process may use (``WORKBOOK_WORKERS`` overrides), at most one per run; ``workers=1``
or ``sequential=True`` runs everything in this process.
"""
from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import pickle
import pickletools
import sys
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .progress import progress_bar
from .validation import check_int

__all__ = ["run_seeds", "seed_sequences", "available_workers", "in_seed_run", "SeedRunError"]

#: Environment variable that sets the default number of workers (e.g. 1 while tests run notebooks in parallel).
WORKERS_ENV = "WORKBOOK_WORKERS"
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_state = {"in_seed_run": False, "payload": None}
_warning_registries: dict[str, dict] = {}  # per source file, so a re-issued warning shows once, as it would here


class SeedRunError(RuntimeError):
    """One run of :func:`run_seeds` raised (or its result could not be sent back).

    Attributes: ``seed_index``, ``setting`` (the grid entry or None), ``seed_sequence`` and
    ``worker_traceback`` (the traceback text from the process that ran it).
    """

    def __init__(self, message: str, *, seed_index: int, setting: Mapping | None,
                 seed_sequence: np.random.SeedSequence, worker_traceback: str) -> None:
        super().__init__(message)
        self.seed_index, self.setting = seed_index, setting
        self.seed_sequence, self.worker_traceback = seed_sequence, worker_traceback


def in_seed_run() -> bool:
    """True while :func:`run_seeds` runs a function (in a worker or here); ``fit`` then hides its bar."""
    return bool(_state["in_seed_run"])


def seed_sequences(seed: int | np.random.SeedSequence, n_seeds: int) -> list[np.random.SeedSequence]:
    """``np.random.SeedSequence(seed).spawn(n_seeds)``: the independent stream of each seed index.

    ``seed`` is an int or a ``SeedSequence`` (e.g. :func:`experiment_seed`); the caller's sequence is
    not advanced, so running a cell again gives the same streams.
    (Unlike ``default_rng([seed, i])``: ``default_rng([s, 0])`` draws the same numbers as ``default_rng(s)``.)
    """
    n_seeds = check_int(n_seeds, "n_seeds", "run_seeds", low=1, high=100_000)
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key).spawn(n_seeds)
    seed = check_int(seed, "seed", "run_seeds", low=0, high=2**128 - 1)
    return np.random.SeedSequence(seed).spawn(n_seeds)


def experiment_seed(seed: int, experiment: int) -> np.random.SeedSequence:
    """The root of experiment number ``experiment`` of a notebook whose one seed is ``seed``.

    ``SeedSequence(seed).spawn(k + 1)[k]``, written so that it does not depend on what was spawned
    before: each experiment of a notebook (a learning-rate grid, the final runs, an ablation) gets
    its own independent streams from the notebook's single seed, e.g.
    ``run_seeds(train_once, 5, seed=experiment_seed(SEED, 2))``.
    """
    seed = check_int(seed, "seed", "experiment_seed", low=0, high=2**128 - 1)
    experiment = check_int(experiment, "experiment", "experiment_seed", low=0, high=2**32 - 1)
    return np.random.SeedSequence(seed, spawn_key=(experiment,))


def available_workers() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count), or ``$WORKBOOK_WORKERS``."""
    if os.environ.get(WORKERS_ENV):
        text = os.environ[WORKERS_ENV]
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{WORKERS_ENV} must be a positive integer; got {text!r}")
        return int(text)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class _Plan:
    fn: Callable
    args: tuple
    kwargs: dict
    grid: list[dict] | None
    children: list[np.random.SeedSequence]
    seed: int | np.random.SeedSequence

    @property
    def tasks(self) -> list[tuple[int, int]]:
        """(grid index, seed index) pairs, grid-major; grid index 0 without a grid."""
        return [(g, i) for g in range(len(self.grid or [None])) for i in range(len(self.children))]


def _function_name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _check_arguments(fn, n_seeds, seed, args, kwargs, grid) -> _Plan:
    if not callable(fn):
        raise TypeError(f"run_seeds: fn must be a function fn(rng, ...); got {type(fn).__name__}")
    children = seed_sequences(seed, n_seeds)
    if not isinstance(args, tuple):
        raise TypeError(f"run_seeds: args must be a tuple of extra positional arguments; got {type(args).__name__}")
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(kwargs, Mapping) or not all(isinstance(k, str) for k in kwargs):
        raise TypeError("run_seeds: kwargs must be a dict of keyword arguments (names as strings)")
    if grid is not None:
        if isinstance(grid, (str, bytes, Mapping)) or not isinstance(grid, Sequence) or len(grid) == 0:
            raise TypeError("run_seeds: grid must be a non-empty list of dicts of keyword arguments, "
                            "e.g. [{'lr': 1e-3}, {'lr': 1e-2}]")
        for k, setting in enumerate(grid):
            if not isinstance(setting, Mapping) or not all(isinstance(name, str) for name in setting):
                raise TypeError(f"run_seeds: grid[{k}] must be a dict of keyword arguments; got {setting!r}")
            clash = sorted(set(setting) & set(kwargs))
            if clash:
                raise ValueError(f"run_seeds: grid[{k}] sets {clash}, which kwargs also sets; set each name in one place")
        grid = [dict(s) for s in grid]
    return _Plan(fn, args, dict(kwargs), grid, children, seed)


def _main_references(payload: Any) -> list[str]:
    """Names the payload pickles by reference to ``__main__`` (a notebook's or script's own namespace)."""
    data = pickle.dumps(payload, protocol=2)  # protocol 2 spells out every global as "module name"
    found = []
    for opcode, arg, _ in pickletools.genops(data):
        if opcode.name == "GLOBAL" and str(arg).split(" ")[0] in ("__main__", "__mp_main__"):
            found.append(str(arg).split(" ", 1)[1])
    return found


def _check_sendable(plan: _Plan, method: str) -> None:
    """Under 'spawn' workers unpickle the function: refuse what they could not import, before any work."""
    if method == "fork":
        return
    name = _function_name(plan.fn)
    fix = (f"Define {name} (and anything it needs) in a .py module and import it from there, or pass "
           "sequential=True to run the seeds one after the other in this process.")
    try:
        main_names = _main_references((plan.fn, plan.args, plan.kwargs, plan.grid))
    except Exception as exc:
        raise TypeError(f"run_seeds: cannot send {name} to worker processes: it cannot be pickled "
                        f"({type(exc).__name__}: {exc}); on this system workers start fresh ('{method}') "
                        f"and must receive the function and its arguments by pickling. {fix}") from exc
    main = sys.modules.get("__main__")
    if main_names and not getattr(main, "__file__", None):
        raise TypeError(f"run_seeds: cannot send {name} to worker processes: {', '.join(sorted(set(main_names)))} "
                        f"is defined in this notebook (or interactive session), and on this system workers "
                        f"start fresh ('{method}') and can only import functions from modules. {fix}")


def _sendable(plan: _Plan, method: str) -> bool:
    try:
        _check_sendable(plan, method)
    except TypeError:
        return False
    return True


def _start_method(start_method: str | None) -> str:
    if start_method is None:
        return "fork" if sys.platform.startswith("linux") else "spawn"
    if start_method not in multiprocessing.get_all_start_methods():
        raise ValueError(f"run_seeds: start_method must be one of {multiprocessing.get_all_start_methods()} "
                         f"or None; got {start_method!r}")
    return start_method


# ----------------------------------------------------------------------------------- one run
def _call(plan: _Plan, g: int, i: int) -> Any:
    setting = plan.grid[g] if plan.grid is not None else {}
    return plan.fn(np.random.default_rng(plan.children[i]), *plan.args, **plan.kwargs, **setting)


def _describe(plan: _Plan, g: int, i: int) -> str:
    root = plan.seed if isinstance(plan.seed, np.random.SeedSequence) else f"np.random.SeedSequence({plan.seed})"
    where = f"seed index {i} (of {len(plan.children)}; {root}.spawn({len(plan.children)})[{i}])"
    if plan.grid is not None:
        where += f" with grid[{g}] = {plan.grid[g]!r}"
    return where


def _init_worker(plan: _Plan) -> None:
    """Runs once in each worker: keep the plan, one BLAS thread, no writes to the parent's streams."""
    for name in _THREAD_ENV:
        os.environ[name] = "1"
    threadpool_limits(limits=1)
    _state["payload"], _state["in_seed_run"] = plan, True
    sys.stdout = sys.stderr = io.StringIO()  # forked copies of a notebook's streams must not be written


def _run_in_worker(g: int, i: int) -> tuple:
    """Run one (setting, seed) pair; return ("ok" | "error", value, stdout, stderr, warnings)."""
    plan: _Plan = _state["payload"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings(record=True) as caught:
        try:
            value = ("ok", _call(plan, g, i))
        except Exception as exc:  # reported in the parent with the traceback
            value = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    sent = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
    try:
        pickle.dumps((value, sent))
    except Exception as exc:
        if value[0] == "ok":
            value = ("error", f"its result cannot be sent back to this process ({type(exc).__name__}: {exc}); "
                              "return arrays, numbers, lists or dicts of them", traceback.format_exc())
        sent = [(text, UserWarning, file, line) for text, _, file, line in sent]
    return (*value, out.getvalue(), err.getvalue(), sent)


# ----------------------------------------------------------------------------------- the runner
def run_seeds(fn: Callable, n_seeds: int, *, seed: int | np.random.SeedSequence, args: tuple = (),
              kwargs: Mapping | None = None, grid: Sequence[Mapping] | None = None, workers: int | None = None,
              sequential: bool | str = False,
              progress: bool = True, desc: str | None = None, start_method: str | None = None) -> list:
    """Run ``fn(rng, *args, **kwargs, **setting)`` once per seed index (and grid setting); results in order.

    Parameters
    ----------
    fn : callable ``fn(rng, *args, **kwargs)``
        One run; ``rng`` is a ``numpy.random.Generator`` of that seed's own stream. Its return value
        must be picklable (arrays, numbers, lists, dicts).
    n_seeds : int >= 1
    seed : int >= 0 or numpy.random.SeedSequence
        Root of the streams: seed index ``i`` uses ``SeedSequence(seed).spawn(n_seeds)[i]``; one
        notebook seed serves several experiments through :func:`experiment_seed`.
    args, kwargs : extra arguments passed to every run
    grid : list of dicts or None
        Settings to try (e.g. learning rates), each with every seed index; same stream per seed index.
    workers : int >= 1 or None
        Worker processes; None: :func:`available_workers`, capped by the number of runs.
    sequential : bool or "if-needed", default False
        True: run everything in this process, one run after the other (same results, no worker
        processes). "if-needed": use workers where the function can be sent to them (always on Linux),
        else run here, so a notebook runs unchanged on macOS and Windows. False: workers, and a
        function that cannot be sent is an error.
    progress : bool, default True
        One progress bar over the runs (:mod:`helpers.progress`, removed when done).
    desc : str or None, the bar's label; default ``"<fn name>: n runs"``.
    start_method : "fork", "spawn", "forkserver" or None
        None: "fork" on Linux, "spawn" elsewhere (Python's safe choice on macOS and Windows).

    Returns a list: without ``grid``, ``n_seeds`` results in seed order; with ``grid``, one list per
    setting, each of ``n_seeds`` results.

    Raises
    ------
    SeedRunError
        A run raised; the message names its seed index, seed sequence and setting, with its traceback.
    TypeError
        ``fn`` cannot be sent to worker processes (names the function and how to fix it).
    """
    plan = _check_arguments(fn, n_seeds, seed, args, kwargs, grid)
    tasks = plan.tasks
    workers = _check_modes(sequential, progress, workers, len(tasks))
    method = _start_method(start_method)
    label = desc if desc is not None else f"{_function_name(fn)}: {len(tasks)} runs"
    bar = progress_bar(total=len(tasks), desc=label, unit="run", enabled=progress)
    try:
        if sequential is True or workers == 1 or (sequential == "if-needed" and not _sendable(plan, method)):
            flat = _run_here(plan, tasks, bar)
        else:
            _check_sendable(plan, method)
            flat = _run_in_pool(plan, tasks, workers, method, bar)
    finally:
        bar.close()
    if plan.grid is None:
        return flat
    n = len(plan.children)
    return [flat[k * n:(k + 1) * n] for k in range(len(plan.grid))]


def _check_modes(sequential, progress, workers, n_tasks: int) -> int:
    """Check run_seeds' switches; returns the number of workers to use."""
    if not (isinstance(sequential, (bool, np.bool_)) or sequential == "if-needed") \
            or not isinstance(progress, (bool, np.bool_)):
        raise TypeError("run_seeds: sequential must be True, False or 'if-needed', and progress True or False")
    chosen = available_workers() if workers is None else workers
    return min(check_int(chosen, "workers", "run_seeds", low=1, high=4096), n_tasks)


def _run_here(plan: _Plan, tasks: list[tuple[int, int]], bar) -> list:
    results = []
    previous = _state["in_seed_run"]
    _state["in_seed_run"] = True
    try:
        with threadpool_limits(limits=1):
            for g, i in tasks:
                try:
                    results.append(_call(plan, g, i))
                except Exception as exc:
                    raise SeedRunError(
                        f"run_seeds: {_function_name(plan.fn)} failed for {_describe(plan, g, i)}: "
                        f"{type(exc).__name__}: {exc}", seed_index=i, setting=plan.grid[g] if plan.grid else None,
                        seed_sequence=plan.children[i], worker_traceback=traceback.format_exc()) from exc
                bar.update(1)
    finally:
        _state["in_seed_run"] = previous
    return results


def _stop(executor: ProcessPoolExecutor) -> None:
    """Cancel queued runs and end this runner's own worker processes (after an error or an interrupt)."""
    executor.shutdown(wait=False, cancel_futures=True)
    if hasattr(executor, "terminate_workers"):  # Python 3.14+
        executor.terminate_workers()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()


def _run_in_pool(plan: _Plan, tasks: list[tuple[int, int]], workers: int, method: str, bar) -> list:
    context = multiprocessing.get_context(method)
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(plan,))
    try:
        futures = {executor.submit(_run_in_worker, g, i): k for k, (g, i) in enumerate(tasks)}
        replies: list = [None] * len(tasks)
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                k = futures[future]
                replies[k] = _reply(plan, tasks[k], future)
                if replies[k][0] == "error":
                    _raise_failure(plan, tasks[k], replies[k])
                bar.update(1)
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    for reply in replies:
        _replay_output(reply)
    return [reply[1] for reply in replies]


def _reply(plan: _Plan, task: tuple[int, int], future) -> tuple:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        g, i = task
        raise SeedRunError(
            f"run_seeds: a worker process died while running {_function_name(plan.fn)} for "
            f"{_describe(plan, g, i)} (out of memory, or killed). Try fewer workers (workers=1) or "
            "sequential=True", seed_index=i, setting=plan.grid[g] if plan.grid else None,
            seed_sequence=plan.children[i], worker_traceback="") from exc


def _raise_failure(plan: _Plan, task: tuple[int, int], reply: tuple) -> None:
    g, i = task
    _, summary, worker_tb, *_ = reply
    _replay_output(reply)
    raise SeedRunError(
        f"run_seeds: {_function_name(plan.fn)} failed for {_describe(plan, g, i)}: {summary}\n\n"
        f"Traceback in the worker process:\n{worker_tb}", seed_index=i,
        setting=plan.grid[g] if plan.grid else None, seed_sequence=plan.children[i], worker_traceback=worker_tb)


def _replay_output(reply: tuple) -> None:
    """Print what a run printed and re-issue its warnings, here (under this process's warning filters)."""
    *_, out, err, sent = reply
    if out:
        sys.stdout.write(out)
    if err:
        sys.stderr.write(err)
    for text, category, filename, lineno in sent:
        warnings.warn_explicit(text, category, filename, lineno,
                               registry=_warning_registries.setdefault(filename, {}))
