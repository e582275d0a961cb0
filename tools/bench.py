"""Benchmark helpers.nn: an MLP against scikit-learn, and Conv2D against the matmul ceiling.

Run from the repository root (``make bench`` pins the BLAS threads)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python tools/bench.py

Prints a Markdown table and saves it to ``build/bench.md`` and ``build/bench.json``;
all figures come from this one run. If ``torch`` is importable, the same MLP and
convolution are timed in it as a reference column.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from helpers import nn

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# the MLP comparison: same sizes, optimiser, learning rate, batch size and epochs in both
HIDDEN, LR, BATCH, EPOCHS, REPEATS = 128, 1e-3, 32, 30, 3
# the convolution: a digits-sized batch (8x8 digits upsampled to 16x16)
CONV = dict(n=256, c_in=8, c_out=16, size=16, kernel=3, padding=1)
CONV_REPEATS = 10
TARGET_TIME_RATIO, TARGET_ACC_POINTS, TARGET_CONV_FRACTION = 1.5, 1.0, 0.20


def best_time(fn, repeats: int) -> float:
    """Smallest wall time of ``repeats`` calls (after one warm-up call)."""
    fn()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
        info = [f"{p.get('internal_api', '?')} {p.get('version', '')}, {p['num_threads']} thread(s)"
                for p in threadpool_info() if p.get("user_api") == "blas"]
        return "; ".join(info) or "unknown"
    except ImportError:
        return "unknown (threadpoolctl not installed)"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def digits_split():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


# ---------------------------------------------------------------- MLP
def mlp_helpers(data, seed: int) -> tuple[float, float]:
    X_tr, X_te, y_tr, y_te = data
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(64, HIDDEN, rng=rng), nn.ReLU(), nn.Linear(HIDDEN, 10, rng=rng, init="glorot"))
    start = time.perf_counter()
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=LR), X_tr, y_tr, epochs=EPOCHS,
           batch_size=BATCH, rng=rng, progress=False)
    seconds = time.perf_counter() - start
    return seconds, float(np.mean(nn.predict_labels(model, X_te) == y_te))


def mlp_sklearn(data, seed: int) -> tuple[float, float]:
    X_tr, X_te, y_tr, y_te = data
    clf = MLPClassifier((HIDDEN,), activation="relu", solver="adam", learning_rate_init=LR, batch_size=BATCH,
                        max_iter=EPOCHS, n_iter_no_change=EPOCHS + 1, tol=0.0, alpha=0.0, shuffle=True,
                        random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached on purpose
        clf.fit(X_tr, y_tr)
    seconds = time.perf_counter() - start
    return seconds, float(clf.score(X_te, y_te))


def mlp_torch(torch, data, seed: int) -> tuple[float, float]:
    X_tr, X_te, y_tr, y_te = data
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    X = torch.tensor(X_tr, dtype=torch.float32)
    y = torch.tensor(y_tr)
    gen = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        order = torch.from_numpy(gen.permutation(len(X)))
        for i in range(0, len(X), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss_fn(model(X[idx]), y[idx]).backward()
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        pred = model(torch.tensor(X_te, dtype=torch.float32)).argmax(1).numpy()
    return seconds, float(np.mean(pred == y_te))


def run_mlp(torch) -> dict:
    data = digits_split()
    results = {}
    runners = {"helpers.nn": mlp_helpers, "scikit-learn MLPClassifier": mlp_sklearn}
    if torch is not None:
        runners["torch"] = lambda d, s: mlp_torch(torch, d, s)
    for name, run in runners.items():
        run(data, 0)  # warm-up
        times, accs = zip(*(run(data, seed) for seed in range(REPEATS)))
        results[name] = {"seconds": min(times), "accuracy": float(np.mean(accs)), "accuracies": list(accs)}
    results["helpers.nn"]["dtype"] = "float32"
    results["scikit-learn MLPClassifier"]["dtype"] = "float64"
    if "torch" in results:
        results["torch"]["dtype"] = "float32"
    return {"config": {"layers": [64, HIDDEN, 10], "activation": "relu", "optimizer": "Adam", "lr": LR,
                       "batch_size": BATCH, "epochs": EPOCHS, "repeats": REPEATS,
                       "n_train": len(data[0]), "n_test": len(data[1])},
            "results": results}


# ---------------------------------------------------------------- Conv2D
def run_conv(torch) -> dict:
    c = CONV
    rng = np.random.default_rng(0)
    conv = nn.Conv2D(c["c_in"], c["c_out"], c["kernel"], rng=rng, padding=c["padding"])
    x = rng.standard_normal((c["n"], c["c_in"], c["size"], c["size"])).astype(np.float32)
    dout = rng.standard_normal((c["n"], c["c_out"], c["size"], c["size"])).astype(np.float32)
    macs = conv.macs(x.shape[1:]) * c["n"]
    fwd_flops = 2 * macs
    total_flops = 3 * fwd_flops  # backward: dW and dx, each about one forward

    def step():
        conv.forward(x)
        conv.backward(dout)
    results = {"helpers.nn": {"forward_s": best_time(lambda: conv.forward(x), CONV_REPEATS),
                              "forward_backward_s": best_time(step, CONV_REPEATS)}}
    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        tw = torch.tensor(conv.params["W"], requires_grad=True)
        tb = torch.tensor(conv.params["b"], requires_grad=True)
        tdout = torch.tensor(dout)

        def t_fwd():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, tb, padding=c["padding"])

        def t_step():
            torch.nn.functional.conv2d(tx, tw, tb, padding=c["padding"]).backward(tdout)
        results["torch"] = {"forward_s": best_time(t_fwd, CONV_REPEATS),
                            "forward_backward_s": best_time(t_step, CONV_REPEATS)}
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    b = rng.standard_normal((1024, 1024)).astype(np.float32)
    matmul_gflops = 2 * 1024 ** 3 / best_time(lambda: a @ b, 5) / 1e9
    for r in results.values():
        r["forward_gflops"] = fwd_flops / r["forward_s"] / 1e9
        r["gflops"] = total_flops / r["forward_backward_s"] / 1e9
        r["fraction_of_matmul"] = r["gflops"] / matmul_gflops
    return {"config": {**c, "dtype": "float32", "macs": int(macs), "forward_flops": int(fwd_flops),
                       "forward_backward_flops": int(total_flops)},
            "matmul_gflops": matmul_gflops, "results": results}


# ---------------------------------------------------------------- report
def report(env: dict, mlp: dict, conv: dict, torch_note: str) -> tuple[str, dict]:
    m, r = mlp["config"], mlp["results"]
    ours, sk = r["helpers.nn"], r["scikit-learn MLPClassifier"]
    ratio = ours["seconds"] / sk["seconds"]
    acc_gap = 100 * abs(ours["accuracy"] - sk["accuracy"])
    conv_fraction = conv["results"]["helpers.nn"]["fraction_of_matmul"]
    targets = {
        "mlp_time_ratio": {"value": ratio, "target": f"<= {TARGET_TIME_RATIO}", "met": ratio <= TARGET_TIME_RATIO},
        "mlp_accuracy_gap_points": {"value": acc_gap, "target": f"<= {TARGET_ACC_POINTS}",
                                    "met": acc_gap <= TARGET_ACC_POINTS},
        "conv_fraction_of_matmul": {"value": conv_fraction, "target": f">= {TARGET_CONV_FRACTION}",
                                    "met": conv_fraction >= TARGET_CONV_FRACTION},
    }
    ok = lambda t: "met" if t["met"] else "NOT met"  # noqa: E731
    c = conv["config"]
    lines = [
        "# helpers.nn benchmark",
        "",
        f"numpy {env['numpy']}, scikit-learn {env['sklearn']}, Python {env['python']}; "
        f"BLAS: {env['blas']}; OMP/OPENBLAS/MKL_NUM_THREADS = {env['threads_env']}; CPU: {env['cpu']}",
        "",
        f"## MLP on digits: {'-'.join(map(str, m['layers']))} ReLU, Adam lr={m['lr']:g}, batch {m['batch_size']}, "
        f"{m['epochs']} epochs, {m['n_train']} train / {m['n_test']} test samples (standardised)",
        "",
        f"Wall time: best of {m['repeats']} runs (seeds 0-{m['repeats'] - 1}); accuracy: mean of those runs.",
        "",
        "| implementation | dtype | wall time (s) | test accuracy |",
        "|---|---|---:|---:|",
    ]
    for name, res in r.items():
        lines.append(f"| {name} | {res['dtype']} | {res['seconds']:.3f} | {100 * res['accuracy']:.1f}% |")
    if "torch" not in r:
        lines.append(f"| torch | {torch_note} | | |")
    lines += [
        "",
        f"## Conv2D forward + backward: N={c['n']}, {c['c_in']} -> {c['c_out']} channels, "
        f"{c['size']}x{c['size']}, {c['kernel']}x{c['kernel']} kernel, padding {c['padding']}, float32",
        "",
        f"FLOPs: forward 2 x {c['macs']:,} MACs = {c['forward_flops'] / 1e6:.0f} M; backward (dW and dx) twice that.",
        "",
        "| implementation | forward (ms) | forward GFLOP/s | forward+backward (ms) | GFLOP/s | fraction of matmul |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, res in conv["results"].items():
        lines.append(f"| {name} | {1e3 * res['forward_s']:.2f} | {res['forward_gflops']:.1f} | "
                     f"{1e3 * res['forward_backward_s']:.2f} | {res['gflops']:.1f} | "
                     f"{100 * res['fraction_of_matmul']:.0f}% |")
    if "torch" not in conv["results"]:
        lines.append(f"| torch | {torch_note} | | | | |")
    lines += [
        f"| numpy float32 matmul 1024x1024 @ 1024x1024 (ceiling) | | | | {conv['matmul_gflops']:.1f} | 100% |",
        "",
        "## Targets",
        "",
        f"- helpers.nn / scikit-learn MLP time: {ratio:.2f} (target <= {TARGET_TIME_RATIO}): "
        f"{ok(targets['mlp_time_ratio'])}",
        f"- test accuracy difference: {acc_gap:.1f} points (target <= {TARGET_ACC_POINTS:g}): "
        f"{ok(targets['mlp_accuracy_gap_points'])}",
        f"- Conv2D forward+backward: {100 * conv_fraction:.0f}% of the matmul GFLOP/s "
        f"(target >= {100 * TARGET_CONV_FRACTION:.0f}%): {ok(targets['conv_fraction_of_matmul'])}",
        "",
    ]
    return "\n".join(lines), targets


def main() -> int:
    try:
        import torch
        threads = os.environ.get("OMP_NUM_THREADS")
        if threads and threads.isdigit():
            torch.set_num_threads(int(threads))
        torch_note = f"torch {torch.__version__}"
    except ImportError:
        torch, torch_note = None, "skipped: torch is not installed"
    env = {"numpy": np.__version__, "sklearn": sklearn.__version__, "python": platform.python_version(),
           "blas": blas_threads(), "cpu": cpu_name(), "torch": torch_note,
           "threads_env": "/".join(os.environ.get(v, "unset") for v in
                                   ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))}
    mlp = run_mlp(torch)
    conv = run_conv(torch)
    text, targets = report(env, mlp, conv, torch_note)
    print(text)
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "bench.md").write_text(text)
    (BUILD / "bench.json").write_text(json.dumps({"environment": env, "mlp": mlp, "conv2d": conv,
                                                  "targets": targets}, indent=2) + "\n")
    print(f"saved {BUILD / 'bench.md'} and {BUILD / 'bench.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
