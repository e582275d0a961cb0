"""Benchmark helpers.nn: an MLP against scikit-learn; Conv2D, pooling, RNN and LSTM against PyTorch.

``make bench`` runs this from the repository root with every BLAS pinned to one thread. The
measurements run twice, each in a fresh Python process: under the workbook's numeric profile
(``helpers.numeric_profile``: OpenBLAS's Haswell kernel, numpy's AVX-512 loops off; the speed
notebooks, tests and the lab see) and natively (the profile's variables removed). The targets are judged
under the profile; the native numbers are a second column. PyTorch (optional, CPU build) is pinned
to one thread too; without it the PyTorch rows say "not installed" and their targets are not met.

Each timing is the smallest CPU time of several repeats (everything timed runs on one thread), with
helpers.nn and PyTorch timed alternately so that a busy machine slows both alike; the seeds-in-parallel
row is wall time, as parallel work must be. Writes ``build/bench.json`` and ``build/bench.md``
(``$WORKBOOK_BUILD_DIR`` if set)::

    .venv/bin/python tools/bench.py              # both runs, report
    .venv/bin/python tools/bench.py --measure    # one run in this process's environment, JSON to stdout
    .venv/bin/python tools/bench.py --readme     # copy build/bench.md into the README's bench block
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: What sets the numeric profile; the native run removes these (helpers.numeric_profile sets them).
PROFILE_VARIABLES = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")

# the MLP comparison: same sizes, optimiser, learning rate, batch size and epochs in both
HIDDEN, LR, BATCH, EPOCHS, MLP_REPEATS = 128, 1e-3, 32, 30, 3
# convolutions (N, C_in, C_out, size, kernel, padding, stride): the first is the original bench shape
CONV_SHAPES = {
    "bench: 16x16, 8->16": (256, 8, 16, 16, 3, 1, 1),
    "A3 Q1 VGG block on digits: 8x8, 16->16": (64, 16, 16, 8, 3, 1, 1),
    "A3 Q1 AlexNet stem: 8x8, 1->24, 5x5 stride 2": (64, 1, 24, 8, 5, 2, 2),
    "A2 Q3 CNN stage 2 on faces: 12x12, 8->16": (32, 8, 16, 12, 3, 1, 1),
}
POOL_SHAPES = {"MaxPool2D 3x3 stride 1 (A3 Q1 Inception branch)": ((64, 8, 8, 8), 3, 1, 1),
               "MaxPool2D 2x2 stride 2": ((256, 16, 16, 16), 2, 2, 0)}
# recurrent layers (N, T, D, H), all steps' outputs used, full BPTT
RECURRENT_SHAPES = {"A2 Q3 rows of a face": (32, 24, 24, 48), "A4 Q3 log-mel frames": (32, 59, 24, 32),
                    "larger": (64, 50, 40, 64)}
REPEATS = 15
TARGETS = {"mlp_time_ratio": 1.5, "mlp_accuracy_gap_points": 1.0, "conv_fraction_of_matmul": 0.20,
           "conv_vs_torch": 0.70, "recurrent_vs_torch": 0.50}


def best_times(*fns, repeats: int = REPEATS) -> list[float]:
    """Smallest CPU time of each function over ``repeats`` rounds, the functions timed in turn.

    Everything timed runs on one thread, so its CPU time is its wall time on an idle core; unlike the
    wall time it does not count the moments other processes hold the core.
    """
    for fn in fns:
        fn()  # warm-up
    best = [np.inf] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            start = time.process_time()
            fn()
            best[k] = min(best[k], time.process_time() - start)
    return best


def load_torch():
    """PyTorch pinned to one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


# ---------------------------------------------------------------- this process's machine
def environment() -> dict:
    from threadpoolctl import threadpool_info

    from helpers import numeric_profile
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    verdict = numeric_profile.check()
    checks = {c.name: c for c in verdict.checks}
    computes_inside = all(checks[name].ok for name in ("numpy dispatch", "BLAS kernel") if name in checks)
    torch = load_torch()
    return {"cpu": cpu_name(), "logical_cpus": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "blas": [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}), "
                     f"{p.get('num_threads')} thread(s)" for p in blas],
            "numpy_dispatch": checks["numpy dispatch"].detail if "numpy dispatch" in checks else "n/a",
            "numeric_profile": bool(computes_inside and "BLAS kernel" in checks), "profile_verdict": verdict.summary(),
            "python": platform.python_version(), "numpy": np.__version__,
            "sklearn": __import__("sklearn").__version__,
            "torch": getattr(torch, "__version__", None), "load_average": os.getloadavg()}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ---------------------------------------------------------------- MLP on digits
def digits_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def mlp_helpers(data, seed: int) -> tuple[float, float]:
    from helpers import nn
    X_tr, X_te, y_tr, y_te = data
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(64, HIDDEN, rng=rng), nn.ReLU(), nn.Linear(HIDDEN, 10, rng=rng, init="glorot"))
    start = time.process_time()
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=LR), X_tr, y_tr, epochs=EPOCHS,
           batch_size=BATCH, rng=rng, progress=False)
    seconds = time.process_time() - start
    return seconds, float(np.mean(nn.predict_labels(model, X_te) == y_te))


def mlp_sklearn(data, seed: int) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    X_tr, X_te, y_tr, y_te = data
    clf = MLPClassifier((HIDDEN,), activation="relu", solver="adam", learning_rate_init=LR, batch_size=BATCH,
                        max_iter=EPOCHS, n_iter_no_change=EPOCHS + 1, tol=0.0, alpha=0.0, shuffle=True,
                        random_state=seed)
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached on purpose
        clf.fit(X_tr, y_tr)
    seconds = time.process_time() - start
    return seconds, float(clf.score(X_te, y_te))


def run_mlp() -> dict:
    data = digits_split()
    results = {}
    for name, run in {"helpers.nn": mlp_helpers, "scikit-learn MLPClassifier": mlp_sklearn}.items():
        run(data, 0)  # warm-up
        times, accs = zip(*(run(data, seed) for seed in range(MLP_REPEATS)))
        results[name] = {"seconds": min(times), "accuracy": float(np.mean(accs))}
    return results


# ---------------------------------------------------------------- layers against PyTorch
def conv_case(shape, torch) -> dict:
    """Conv2D forward+backward (float32) and, if installed, torch's conv2d on the same arrays."""
    from helpers import nn
    n, c_in, c_out, size, kernel, padding, stride = shape
    rng = np.random.default_rng(0)
    conv = nn.Conv2D(c_in, c_out, kernel, rng=rng, padding=padding, stride=stride)
    x = rng.standard_normal((n, c_in, size, size)).astype(np.float32)
    dout = rng.standard_normal(conv(x).shape).astype(np.float32)
    flops = 3 * 2 * conv.macs(x.shape[1:]) * n  # forward, and dW and dx in backward, each 2 FLOPs per MAC

    def ours():
        conv.forward(x)
        conv.backward(dout)
    fns = [ours]
    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        tw = torch.tensor(conv.params["W"], requires_grad=True)
        tb = torch.tensor(conv.params["b"], requires_grad=True)
        td = torch.tensor(dout)
        fns.append(lambda: torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=padding).backward(td))
    return timed_pair(fns, flops)


def pool_case(spec, torch) -> dict:
    from helpers import nn
    shape, kernel, stride, padding = spec
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    pool = nn.MaxPool2D(kernel, stride=stride, padding=padding)
    dout = np.ones(pool(x).shape, dtype=np.float32)

    def ours():
        pool.forward(x)
        pool.backward(dout)
    fns = [ours]
    if torch is not None:
        tx, td = torch.tensor(x, requires_grad=True), torch.tensor(dout)
        fns.append(lambda: torch.nn.functional.max_pool2d(tx, kernel, stride, padding).backward(td))
    return timed_pair(fns, None)


def recurrent_case(kind: str, shape, torch) -> dict:
    """RNN or LSTM over whole sequences, every step's output used, full BPTT; float32."""
    from helpers import nn
    n, steps, d, h = shape
    rng = np.random.default_rng(0)
    layer = getattr(nn, kind)(d, h, rng=rng)
    x = rng.standard_normal((n, steps, d)).astype(np.float32)
    dout = rng.standard_normal((n, steps, h)).astype(np.float32)

    def ours():
        layer.forward(x)
        layer.backward(dout)
    fns = [ours]
    if torch is not None:
        torch_layer = getattr(torch.nn, kind)(d, h, batch_first=True)
        tx, td = torch.tensor(x, requires_grad=True), torch.tensor(dout)
        fns.append(lambda: torch_layer(tx)[0].backward(td))
    return timed_pair(fns, None)


def timed_pair(fns, flops) -> dict:
    seconds = best_times(*fns)
    result = {"helpers_s": seconds[0], "torch_s": seconds[1] if len(seconds) > 1 else None}
    result["ratio"] = None if result["torch_s"] is None else result["torch_s"] / result["helpers_s"]
    if flops:
        result["helpers_gflops"] = flops / seconds[0] / 1e9
    return result


# ---------------------------------------------------------------- seeds on worker processes
def train_lenet_on_digits(rng, epochs: int = 40) -> np.ndarray:
    """One seed of a small LeNet-style CNN on the digits (an A3 Q1-sized job); returns its test logits."""
    from sklearn.datasets import load_digits
    from helpers import nn
    X, y = load_digits(return_X_y=True)
    X = ((X - 8.0) / 8.0).reshape(-1, 1, 8, 8).astype(np.float32)
    model = nn.Sequential(nn.Conv2D(1, 6, 5, padding=2, rng=rng), nn.Tanh(), nn.AvgPool2D(2),
                          nn.Conv2D(6, 16, 3, padding=1, rng=rng), nn.Tanh(), nn.AvgPool2D(2), nn.Flatten(),
                          nn.Linear(64, 10, rng=rng, init="glorot"))
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=3e-3), X[:1400], y[:1400], epochs=epochs,
           batch_size=64, rng=rng, progress=False)
    return nn.predict(model, X[1400:])


def run_seed_speedup(n_seeds: int = 5, rounds: int = 2) -> dict:
    """``run_seeds`` on 1 worker (in this process) and on 2 workers: best wall time of ``rounds`` each,
    taken in turn after a warm-up run, and whether the results agree bit for bit."""
    from helpers.seeds import available_workers, run_seeds
    train_lenet_on_digits(np.random.default_rng(0), epochs=1)  # imports and data loaded before any timing
    seconds, results = {1: np.inf, 2: np.inf}, {}
    for _ in range(rounds):
        for workers in (1, 2):
            start = time.perf_counter()
            results[workers] = run_seeds(train_lenet_on_digits, n_seeds, seed=0, workers=workers, progress=False)
            seconds[workers] = min(seconds[workers], time.perf_counter() - start)
    same = all(a.tobytes() == b.tobytes() for a, b in zip(results[1], results[2]))
    return {"n_seeds": n_seeds, "seconds_1_worker": seconds[1], "seconds_2_workers": seconds[2],
            "speedup": seconds[1] / seconds[2], "identical": same, "usable_cpus": available_workers()}


def measure(with_seeds: bool) -> dict:
    """Every measurement in this process's environment."""
    torch = load_torch()
    env = environment()
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    matmul_gflops = 2 * 1024 ** 3 / best_times(lambda: a @ a, repeats=5)[0] / 1e9
    return {"environment": env, "matmul_gflops": matmul_gflops, "mlp": run_mlp(),
            "conv": {name: conv_case(shape, torch) for name, shape in CONV_SHAPES.items()},
            "pool": {name: pool_case(spec, torch) for name, spec in POOL_SHAPES.items()},
            "recurrent": {f"{kind} {name}": recurrent_case(kind, shape, torch)
                          for kind in ("RNN", "LSTM") for name, shape in RECURRENT_SHAPES.items()},
            "seeds": run_seed_speedup() if with_seeds else None, "load_average_after": os.getloadavg()}


# ---------------------------------------------------------------- targets and report
def pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def judge(name: str, target: str, profile_value, native_value, ok, fmt=pct) -> dict:
    """One target: judged on the value under the profile; a missing value (no PyTorch) is not met."""
    met = profile_value is not None and bool(ok(profile_value))
    return {"target": name, "goal": target, "profile": profile_value, "native": native_value, "met": met,
            "text": f"| {name} | {target} | {fmt(profile_value)} | {fmt(native_value)} | "
                    f"{'met' if met else 'NOT met'} |"}


def targets(profile: dict, native: dict) -> list[dict]:
    def mlp(run):
        r = run["mlp"]
        ours, sk = r["helpers.nn"], r["scikit-learn MLPClassifier"]
        return ours["seconds"] / sk["seconds"], 100 * abs(ours["accuracy"] - sk["accuracy"])
    (p_ratio, p_gap), (n_ratio, n_gap) = mlp(profile), mlp(native)
    first = next(iter(CONV_SHAPES))
    rows = [judge("MLP time, helpers.nn / scikit-learn", f"<= {TARGETS['mlp_time_ratio']}", p_ratio, n_ratio,
                  lambda v: v <= TARGETS["mlp_time_ratio"], fmt=lambda v: f"{v:.2f}"),
            judge("MLP test accuracy gap (points)", f"<= {TARGETS['mlp_accuracy_gap_points']:g}", p_gap, n_gap,
                  lambda v: v <= TARGETS["mlp_accuracy_gap_points"], fmt=lambda v: f"{v:.1f}"),
            judge(f"Conv2D ({first}): GFLOP/s / matmul GFLOP/s", f">= {pct(TARGETS['conv_fraction_of_matmul'])}",
                  profile["conv"][first]["helpers_gflops"] / profile["matmul_gflops"],
                  native["conv"][first]["helpers_gflops"] / native["matmul_gflops"],
                  lambda v: v >= TARGETS["conv_fraction_of_matmul"])]
    for group, goal in (("conv", "conv_vs_torch"), ("recurrent", "recurrent_vs_torch")):
        for name in profile[group]:
            label = f"Conv2D {name}" if group == "conv" else name
            rows.append(judge(f"{label}: speed / PyTorch", f">= {pct(TARGETS[goal])}", profile[group][name]["ratio"],
                              native[group][name]["ratio"], lambda v, g=goal: v >= TARGETS[g]))
    return rows


def machine_lines(profile: dict, native: dict) -> list[str]:
    e, n = profile["environment"], native["environment"]
    torch = f"PyTorch {e['torch']} (CPU, 1 thread)" if e["torch"] else "PyTorch not installed"
    state = ("active in the profile run (OpenBLAS kernel Haswell; numpy dispatch: " + e["numpy_dispatch"] + ")"
             if e["numeric_profile"] else "NOT active in the profile run (" + e["profile_verdict"] + ")")
    return [f"- Machine: {e['cpu']}, {e['logical_cpus']} logical CPUs ({e['usable_cpus']} usable); load average "
            f"{e['load_average'][0]:.1f} at the start, {native['load_average_after'][0]:.1f} at the end "
            "(times are CPU times, best of 15, helpers.nn and PyTorch in turn: other work on the machine "
            "slows both alike, through the shared cache)",
            f"- Python {e['python']}, numpy {e['numpy']}, scikit-learn {e['sklearn']}, {torch}",
            f"- BLAS: {'; '.join(e['blas'])} under the profile; {'; '.join(n['blas'])} natively",
            f"- Numeric profile: {state}; natively numpy dispatch {n['numpy_dispatch'].split(';')[0]}. "
            "PyTorch brings its own kernels, which the profile does not change",
            f"- float32 matmul 1024x1024x1024: {profile['matmul_gflops']:.0f} GFLOP/s under the profile, "
            f"{native['matmul_gflops']:.0f} natively"]


def layer_table(title: str, profile: dict, native: dict, group: str, note: str) -> list[str]:
    lines = [f"#### {title}", "", note, "",
             "| shape | helpers.nn (ms) | PyTorch (ms) | speed / PyTorch | natively: helpers.nn (ms) | natively: speed / PyTorch |",
             "|---|---:|---:|---:|---:|---:|"]
    ms = lambda v: "n/a" if v is None else f"{1e3 * v:.2f}"  # noqa: E731
    for name, p in profile[group].items():
        q = native[group][name]
        lines.append(f"| {name} | {ms(p['helpers_s'])} | {ms(p['torch_s'])} | {pct(p['ratio'])} | "
                     f"{ms(q['helpers_s'])} | {pct(q['ratio'])} |")
    return lines + [""]


def report(profile: dict, native: dict) -> tuple[str, list[dict]]:
    rows = targets(profile, native)
    p, q = profile["mlp"], native["mlp"]
    lines = ["### helpers.nn against scikit-learn and PyTorch", "", *machine_lines(profile, native), "",
             "Speed / PyTorch is PyTorch's time divided by helpers.nn's (100% = as fast). Targets are judged "
             "under the numeric profile; the native column is for comparison only.", "",
             "| target | goal | under the profile | natively | |", "|---|---|---:|---:|---|",
             *(r["text"] for r in rows), "",
             *layer_table("Conv2D forward + backward (float32)", profile, native, "conv",
                          "N images, C_in -> C_out channels, 3x3 kernels with padding 1 unless stated."),
             *layer_table("RNN and LSTM forward + backward (float32, full BPTT, every step's output used)",
                          profile, native, "recurrent", "Shapes (N, T, D, H): A2 Q3 (32, 24, 24, 48), "
                          "A4 Q3 (32, 59, 24, 32), larger (64, 50, 40, 64)."),
             *layer_table("Pooling forward + backward (float32, no target)", profile, native, "pool",
                          "(N, C, H, W) = (64, 8, 8, 8) with padding 1; (256, 16, 16, 16)."),
             f"#### MLP on digits (64-{HIDDEN}-10 ReLU, Adam lr={LR:g}, batch {BATCH}, {EPOCHS} epochs; "
             f"best time of {MLP_REPEATS} seeds, mean accuracy)", "",
             "| implementation | time (s), profile | test accuracy | time (s), natively |", "|---|---:|---:|---:|"]
    for name in p:
        lines.append(f"| {name} | {p[name]['seconds']:.2f} | {100 * p[name]['accuracy']:.1f}% | "
                     f"{q[name]['seconds']:.2f} |")
    return "\n".join(lines + [""] + seed_lines(profile["seeds"])) + "\n", rows


def seed_lines(seeds: dict) -> list[str]:
    same = "bit-identical results" if seeds["identical"] else "DIFFERENT results (a bug)"
    n = seeds["n_seeds"]
    ideal = n / -(-n // 2)  # equal runs on two workers: ceil(n / 2) rounds
    return ["#### Seeds in parallel (`helpers.seeds.run_seeds`, under the profile)", "",
            f"{n} seeds of a LeNet-style CNN on the digits (best wall time of two runs each, after a warm-up): "
            f"{seeds['seconds_1_worker']:.1f} s on one worker, "
            f"{seeds['seconds_2_workers']:.1f} s on two ({seeds['speedup']:.2f}x faster; at most {ideal:.2f}x on an "
            f"idle machine, as {n} equal runs take {-(-n // 2)} rounds on two workers; {seeds['usable_cpus']} CPUs "
            f"usable), {same}. Wall times: other work on the machine takes its share of both cores.", ""]


def profile_variables(native_env: dict) -> dict:
    """The profile's variables, asked of a process started without them (numpy can only list the
    AVX-512 targets it may switch off where none is switched off yet)."""
    done = subprocess.run([sys.executable, "-m", "helpers.numeric_profile", "--environment"], env=native_env,
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def run_measurement(profile: bool, *flags: str) -> dict:
    """``measure()`` in a fresh Python process (the BLAS kernel is chosen when numpy loads)."""
    env = {k: v for k, v in os.environ.items() if k not in PROFILE_VARIABLES}
    extra = profile_variables(env)
    env.update(extra if profile else {k: v for k, v in extra.items() if k not in PROFILE_VARIABLES})
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", *flags], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench: the measurement process failed:\n{done.stderr}")
    return json.loads(done.stdout)


def update_readme(table: str) -> None:
    """Put ``table`` between the README's ``<!-- bench:start -->`` and ``<!-- bench:end -->`` lines."""
    from helpers.files import atomic_write_text
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->\n", "<!-- bench:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"bench: {readme} has no {start.strip()} ... {end} block to fill")
    head, rest = text.split(start, 1)
    atomic_write_text(readme, head + start + table.rstrip("\n") + "\n" + end + rest.split(end, 1)[1])


def main(argv: list[str]) -> int:
    if argv in (["--measure"], ["--measure", "--seeds"]):
        print(json.dumps(measure(with_seeds="--seeds" in argv)))
        return 0
    if argv == ["--readme"]:
        from helpers.paths import build_dir
        update_readme((build_dir() / "bench.md").read_text(encoding="utf-8"))
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    from helpers.files import atomic_write_text
    from helpers.paths import build_dir
    print("bench: measuring under the numeric profile ...", file=sys.stderr)
    profile = run_measurement(True, "--seeds")
    print("bench: measuring natively ...", file=sys.stderr)
    native = run_measurement(False)
    text, rows = report(profile, native)
    print(text)
    out = build_dir()
    atomic_write_text(out / "bench.md", text)
    atomic_write_text(out / "bench.json", json.dumps({"profile": profile, "native": native, "targets":
                                                      [{k: v for k, v in r.items() if k != "text"} for r in rows]},
                                                     indent=2) + "\n")
    print(f"bench: wrote {out / 'bench.md'} and {out / 'bench.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
