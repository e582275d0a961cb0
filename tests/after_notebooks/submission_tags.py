"""The submission tags proposed for each notebook, applied to temporary copies to measure page budgets.

Each entry is (cell index, the start of the cell's first source line, tag). The start of the line
guards against a notebook that was rewritten since: a notebook whose cells no longer match is
copied untagged, and :func:`tagged_copies` says so. A notebook that already tags any cell is
copied as it is (its authors' tags win). The notebooks in notebooks/ are never written.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat

from helpers.paths import ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.export.compose import SUBMISSION_TAGS  # noqa: E402

PROPOSED: dict[str, list[tuple[int, str, str]]] = {
    "a1_q1_mle_quality_control": [
        (7, 'def mle_class_prior(y, n_cla', 'answer-code'),
        (19, 'gnb = MODELS["gaussian_nb"][', 'key-figure'),
        (21, 'XLIM, YLIM = (1.5, 4.2), (2.', 'key-figure'),
        (26, '## Explorer', 'submission-skip'),
        (27, 'CATEGORICAL = {k: Categorica', 'submission-skip'),
    ],
    "a1_q2_fit_windsor_housing": [
        (16, 'i_under = int(np.argmin(np.a', 'key-figure'),
        (23, 'sizes_frac = np.linspace(0.1', 'key-figure'),
        (27, 'subset = np.sort(rng.choice(', 'submission-skip'),
    ],
    "a1_q3_backpropagation": [
        (7, 'def init_params(d, m, K, act', 'answer-code'),
        (9, 'def init_deep(sizes, activat', 'answer-code'),
        (19, 'params = init_params(d, 16, ', 'key-figure'),
        (26, 'epochs_axis = np.arange(1, E', 'key-figure'),
        (32, '## Explorer', 'submission-skip'),
        (33, 'EXPLORER_EPOCHS = 25', 'submission-skip'),
    ],
    "a2_q1_breast_cancer_application": [
        (23, 'fig, axes = plt.subplots(1, ', 'key-figure'),
        (27, 'COST_RATIO = 10', 'key-figure'),
        (31, 'fig, axes = plt.subplots(1, ', 'key-figure'),
        (35, 'HIDDEN_CHOICES = {"64-32": (', 'submission-skip'),
        (36, '## Explorer', 'submission-skip'),
        (37, 'def make_figure(cost_ratio, ', 'submission-skip'),
    ],
    "a2_q2_dqn_driving": [
        (13, 'def huber_td_loss(Q, actions', 'answer-code'),
        (15, 'def dqn_update(q, q_target, ', 'answer-code'),
        (25, 'def moving_average(x, w=10):', 'key-figure'),
        (29, 'road_env = LaneKeepingEnv()', 'key-figure'),
        (32, '## Explorer', 'submission-skip'),
        (33, 'EXPLORER_DECAYS = [1000, 300', 'submission-skip'),
        (34, 'def make_figure(epsilon_deca', 'submission-skip'),
    ],
    "a2_q3_facial_expressions": [
        (18, 'fig, axes = plt.subplots(1, ', 'key-figure'),
        (20, 'SHIFTS = list(range(0, 7))', 'key-figure'),
        (30, 'fixed = np.flatnonzero((clip', 'submission-skip'),
        (31, '## Explorer', 'submission-skip'),
        (32, 'SHOW = np.array([np.flatnonz', 'submission-skip'),
    ],
    "a2_q4_rbm_recommender": [
        (5, 'class RBM:', 'answer-code'),
        (21, 'EPOCHS = 30', 'key-figure'),
        (27, 'cat_weights = np.stack([rbm_', 'key-figure'),
        (31, 'def exact_conditional(rbm, o', 'submission-skip'),
        (32, '## Explorer', 'submission-skip'),
        (33, '_shops = {}', 'submission-skip'),
    ],
    "a2_q5_hopfield_capacity": [
        (21, 'def logistic_midpoint(alphas', 'key-figure'),
        (26, 'inv_sqrt_N = 1 / np.sqrt(N_V', 'key-figure'),
        (30, '## Explorer', 'submission-skip'),
        (31, 'def make_figure(N=256, P=20,', 'submission-skip'),
    ],
    "a3_q1_cnn_architectures": [
        (25, 'epochs = np.arange(1, EPOCHS', 'key-figure'),
        (27, 'preds = np.array([r["test_pr', 'key-figure'),
        (29, '## Explorer', 'submission-skip'),
        (30, 'def make_figure(architecture', 'submission-skip'),
    ],
    "a3_q2_regularisation": [
        (13, 'LAMS = np.round(10.0 ** np.l', 'key-figure'),
        (29, 'ep = np.arange(1, EPOCHS + 1', 'key-figure'),
        (31, 'fig = small_multiples("accur', 'submission-skip'),
        (36, '## Explorer', 'submission-skip'),
        (37, '@lru_cache(maxsize=None)', 'submission-skip'),
    ],
    "a4_q1_recurrent_recursive": [
        (18, 'H_MAIN = 32', 'key-figure'),
        (31, 'depths = np.arange(1, MAX_DE', 'key-figure'),
        (35, '## Explorer', 'submission-skip'),
        (36, 'def layout(node, x0=0):', 'submission-skip'),
    ],
    "a4_q2_bptt_sunspots": [
        (5, 'def rnn_forward(X, params, h', 'answer-code'),
        (18, 'T_LAG, H_LAG = 100, 32', 'key-figure'),
        (29, 'trunc_val = {k: float(np.mea', 'key-figure'),
        (30, '## Explorer', 'submission-skip'),
        (31, 'def make_figure(rho, k, loss', 'submission-skip'),
    ],
    "a4_q3_lstm_music_genres": [
        (5, 'display(Markdown("```python', 'submission-skip'),
        (12, 'N_FFT, HOP, N_MELS, FMIN = 5', 'key-figure'),
        (20, 'p_lstm = nn.predict_labels(l', 'key-figure'),
        (26, '## Explorer', 'submission-skip'),
        (27, 'def features_of(x):', 'submission-skip'),
    ],
}


def _first_line(cell: dict) -> str:
    return "".join(cell.get("source", "")).split("\n")[0]


def tagged_copies(source: Path, target: Path) -> dict[str, str]:
    """Copy every notebook of ``source`` into ``target`` with the proposed tags; returns what was done per notebook."""
    target.mkdir(parents=True, exist_ok=True)
    done = {}
    for path in sorted(source.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        proposal = PROPOSED.get(path.stem, [])
        if any(tag in cell.get("metadata", {}).get("tags", []) for cell in nb.cells for tag in SUBMISSION_TAGS):
            done[path.stem] = "already tagged by its authors: copied as it is"
        elif proposal and all(i < len(nb.cells) and _first_line(nb.cells[i]).startswith(start)
                              for i, start, _ in proposal):
            for index, _, tag in proposal:
                nb.cells[index].setdefault("metadata", {}).setdefault("tags", []).append(tag)
            done[path.stem] = f"tagged {len(proposal)} cells"
        else:
            done[path.stem] = "rewritten since the proposal (cells moved): copied untagged"
        if done[path.stem].startswith("tagged"):
            nbformat.write(nb, str(target / path.name))
        else:
            shutil.copyfile(path, target / path.name)
    return done

