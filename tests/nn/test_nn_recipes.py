"""train_network and choose_on_grid: the shared training recipe and the choice of a setting on a grid."""
import pickle

import numpy as np
import pytest

from helpers import nn
from helpers.seeds import run_seeds


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return np.array([[-1.0, 1.0, 0.0], [1.0, -1.0, 0.5]])[y] + 0.8 * rng.standard_normal((n, 3)), y


def mlp(rng, hidden=8):
    return nn.Sequential(nn.Linear(3, hidden, rng=rng), nn.ReLU(), nn.Linear(hidden, 2, rng=rng, init="glorot"))


def test_train_network_is_fit_with_adam_and_returns_outputs_of_the_trained_model():
    X, y = blobs()
    Xv, yv = blobs(60, seed=1)
    model = mlp(np.random.default_rng(0))
    run = nn.train_network(model, nn.SoftmaxCrossEntropy(), X, y, rng=np.random.default_rng(1), lr=0.01, epochs=12,
                           validation_data=(Xv, yv), outputs_for={"val": Xv})
    twin = mlp(np.random.default_rng(0))                       # the same run written out with fit
    history = nn.fit(twin, nn.SoftmaxCrossEntropy(), nn.Adam(twin, lr=0.01), X, y, epochs=12,
                     rng=np.random.default_rng(1), validation_data=(Xv, yv), progress=False)
    assert run.history["val_loss"] == history.val_loss and run.epochs == 12 and not run.stopped_early
    assert run.weights_epoch == 11 and run.best_epoch == int(np.argmin(history.val_loss))
    np.testing.assert_array_equal(run.outputs["val"], nn.predict(twin, Xv))
    np.testing.assert_array_equal(run.outputs["val"], nn.predict(model, Xv))
    assert pickle.loads(pickle.dumps(run)).history == run.history   # can come back from run_seeds' workers


def test_train_network_with_patience_restores_the_best_epoch():
    X, y = blobs(40)
    Xv, yv = blobs(200, seed=2)
    model = mlp(np.random.default_rng(0), hidden=64)
    run = nn.train_network(model, nn.SoftmaxCrossEntropy(), X, y, rng=np.random.default_rng(0), lr=0.05,
                           epochs=300, validation_data=(Xv, yv), patience=5, outputs_for={"val": Xv})
    assert run.stopped_early and run.epochs < 300
    assert run.weights_epoch == run.best_epoch == int(np.argmin(run.history["val_loss"]))
    restored = nn.evaluate(model, nn.SoftmaxCrossEntropy(), Xv, yv)["loss"]
    assert restored == pytest.approx(run.history["val_loss"][run.best_epoch], rel=1e-6)


def test_train_network_passes_weight_decay_and_options_to_the_optimizer_class():
    seen = {}

    class Recorded(nn.Adam):
        def __init__(self, params, *, lr, weight_decay, note):
            super().__init__(params, lr=lr, weight_decay=weight_decay)
            seen.update(lr=lr, weight_decay=weight_decay, note=note)

    X, y = blobs(30)
    nn.train_network(mlp(np.random.default_rng(0)), nn.SoftmaxCrossEntropy(), X, y, rng=np.random.default_rng(0),
                     lr=0.02, epochs=1, validation_data=(X, y), weight_decay=0.5, optimizer=Recorded,
                     optimizer_options={"note": "x"})
    assert seen == {"lr": 0.02, "weight_decay": 0.5, "note": "x"}


def _train_once(rng, lr):
    X, y = blobs(40)
    return nn.train_network(mlp(rng), nn.SoftmaxCrossEntropy(), X, y, rng=rng, lr=lr, epochs=3, validation_data=(X, y))


def test_train_network_runs_inside_run_seeds_and_matches_a_sequential_run():
    parallel = run_seeds(_train_once, 2, seed=3, grid=[{"lr": 0.01}, {"lr": 0.05}], workers=2, progress=False)
    here = run_seeds(_train_once, 2, seed=3, grid=[{"lr": 0.01}, {"lr": 0.05}], sequential=True, progress=False)
    assert [[r.history for r in g] for g in parallel] == [[r.history for r in g] for g in here]


@pytest.mark.parametrize("bad, message", [
    (dict(lr=0.0), "lr"), (dict(epochs=0), "epochs"), (dict(patience=0), "patience"),
    (dict(weight_decay=-1.0), "weight_decay"), (dict(validation_data=None), "validation_data"),
    (dict(outputs_for=["x"]), "outputs_for"), (dict(optimizer=3), "optimizer"),
])
def test_train_network_refuses_bad_arguments_before_training(bad, message):
    X, y = blobs(20)
    kwargs = dict(rng=np.random.default_rng(0), lr=0.01, epochs=2, validation_data=(X, y)) | bad
    with pytest.raises((TypeError, ValueError), match=message):
        nn.train_network(mlp(np.random.default_rng(0)), nn.SoftmaxCrossEntropy(), X, y, **kwargs)


def test_choose_on_grid_takes_the_best_mean_and_flags_an_edge():
    scores = np.array([[0.80, 0.82], [0.90, 0.86], [0.85, 0.85]])
    choice = nn.choose_on_grid([0.1, 1.0, 10.0], scores)
    assert (choice.index, choice.value, choice.at_edge) == (1, 1.0, None)
    assert choice.mean == pytest.approx(0.88) and choice.sd == pytest.approx(np.std([0.90, 0.86], ddof=1))
    low = nn.choose_on_grid([0.1, 1.0, 10.0], scores, higher_is_better=False)
    assert (low.value, low.at_edge) == (0.1, "low")
    assert nn.choose_on_grid([1, 2, 3], scores[::-1] + [[0.2], [0], [0]]).at_edge == "low"
    assert nn.choose_on_grid([1, 2, 3], [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]).at_edge == "high"
    assert nn.choose_on_grid([1, 2], [[0.1, 0.1], [0.2, 0.2]]).at_edge is None     # two settings: no inside
    assert nn.choose_on_grid([1, 2, 3], [[0.5, 0.5], [0.5, 0.5], [0.4, 0.4]]).index == 0   # ties: the first


@pytest.mark.parametrize("values, scores", [([1, 2], [[0.1, 0.2, 0.3]]), ([1], [[0.1]]), ([1], [[np.nan, 0.1]])])
def test_choose_on_grid_refuses_bad_scores(values, scores):
    with pytest.raises(ValueError, match="choose_on_grid"):
        nn.choose_on_grid(values, scores)
