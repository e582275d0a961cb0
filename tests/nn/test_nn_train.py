"""fit / evaluate / predict: learning, divergence, early stopping, history, silence."""

import numpy as np
import pytest

from helpers import nn


def blobs(n=200, seed=0, noise=0.6):
    """Two separable Gaussian clusters in 4-D, labels 0/1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.array([[-1.5, 1.0, 0.0, 0.5], [1.5, -1.0, 0.5, 0.0]])
    return centres[y] + noise * rng.standard_normal((n, 4)), y


def mlp(seed=0, hidden=16, out=2):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(4, hidden, rng=rng), nn.ReLU(), nn.Linear(hidden, out, rng=rng, init="glorot"))


def test_fit_learns_a_separable_problem_and_records_the_history():
    X, y = blobs()
    Xv, yv = blobs(100, seed=1)
    model = mlp()
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=0.01), X, y, epochs=15, batch_size=16,
                     rng=np.random.default_rng(0), validation_data=(Xv, yv), progress=False)
    assert set(history.keys()) == {"lr", "loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epochs == 15 and len(history.val_accuracy) == 15
    assert history.loss[-1] < 0.3 * history.loss[0]
    assert history.val_accuracy[-1] >= 0.97
    assert history["val_loss"] is history.val_loss
    assert history.best_epoch == int(np.argmin(history.val_loss))
    scores = nn.evaluate(model, nn.SoftmaxCrossEntropy(), Xv, yv)
    assert scores["loss"] == pytest.approx(history.val_loss[-1], rel=1e-5)
    assert scores["accuracy"] == pytest.approx(history.val_accuracy[-1])
    assert model.training  # fit leaves the model in training mode


def test_fit_is_reproducible_with_the_same_seeds():
    X, y = blobs()
    runs = []
    for _ in range(2):
        model = mlp(seed=3)
        runs.append(nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1, momentum=0.9), X, y,
                           epochs=3, rng=np.random.default_rng(5), progress=False).loss)
    assert runs[0] == runs[1]


def test_binary_output_with_bce_and_predictions():
    X, y = blobs()
    model = mlp(out=1)
    nn.fit(model, nn.BinaryCrossEntropy(), nn.Adam(model, lr=0.01), X, y, epochs=10,
           rng=np.random.default_rng(0), progress=False)
    proba = nn.predict_proba(model, X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert np.mean(nn.predict_labels(model, X) == y) >= 0.97
    np.testing.assert_array_equal(nn.predict_labels(model, X), proba.argmax(axis=1))


def test_regression_with_mse_and_a_schedule():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3
    model = nn.Sequential(nn.Linear(4, 1, rng=rng, init="glorot"))
    schedule = nn.StepSchedule(0.1, step_size=5, gamma=0.5)
    history = nn.fit(model, nn.MeanSquaredError(), nn.SGD(model, lr=0.1), X, y[:, None], epochs=20,
                     rng=rng, metrics=("mae",), schedule=schedule, progress=False)
    assert history.lr == pytest.approx([schedule(e) for e in range(20)])
    assert history.mae[-1] < 0.01


def test_fit_raises_a_clear_error_when_training_diverges():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4))
    y = (X @ np.ones(4))[:, None]
    model = nn.Sequential(nn.Linear(4, 8, rng=rng), nn.ReLU(), nn.Linear(8, 1, rng=rng))
    with pytest.raises(nn.TrainingDivergedError, match=r"loss became (nan|inf) in epoch \d+/50 at batch \d+/2") as info:
        nn.fit(model, nn.MeanSquaredError(), nn.SGD(model, lr=1e4), X, y, epochs=50, rng=rng,
               metrics=(), progress=False)
    assert "learning rate (lr=10000) is probably too high" in str(info.value)
    assert "clip_norm" in str(info.value)
    assert info.value.epoch >= 1 and info.value.batch >= 1


def test_gradient_clipping_tames_a_large_learning_rate():
    X, y = blobs()
    model = mlp()
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.5), X, y, epochs=5,
                     rng=np.random.default_rng(0), clip_norm=0.5, progress=False)
    assert np.all(np.isfinite(history.loss))


def test_early_stopping_restores_the_best_weights():
    X, y = blobs(60, noise=2.0)
    Xv, yv = blobs(60, seed=1, noise=2.0)
    model = mlp(hidden=64)
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=0.05), X, y, epochs=200, batch_size=8,
                     rng=np.random.default_rng(0), validation_data=(Xv, yv), early_stopping=5, progress=False)
    assert history.stopped_early
    assert history.epochs == history.best_epoch + 1 + 5
    best = history.val_loss[history.best_epoch]
    assert best == min(history.val_loss) and history.best() == best
    assert nn.evaluate(model, nn.SoftmaxCrossEntropy(), Xv, yv)["loss"] == pytest.approx(best, rel=1e-5)


def test_fit_prints_nothing_but_the_progress_bar(capsys):
    X, y = blobs(40)
    model = mlp()
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model), X, y, epochs=2, rng=np.random.default_rng(0),
           validation_data=(X, y), progress=True)
    assert capsys.readouterr().out == ""


def test_predict_uses_eval_mode_and_restores_the_mode():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(4, 8, rng=rng), nn.Dropout(0.5, rng=rng))
    X, _ = blobs(10)
    a, b = nn.predict(model, X, batch_size=3), nn.predict(model, X)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(a, X.astype(np.float32) @ model[0].params["W"], rtol=1e-5)
    assert model.training


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(epochs=0), ValueError, "fit: epochs must be an integer >= 1; got 0"),
    (dict(batch_size=-4), ValueError, "fit: batch_size must be an integer >= 1; got -4"),
    (dict(rng=0), TypeError, "fit: rng must be a numpy.random.Generator"),
    (dict(clip_norm=-1.0), ValueError, r"fit: clip_norm must be a finite number > 0"),
    (dict(metrics=("f1",)), ValueError, "fit: metrics must be names in"),
    (dict(validation_data=np.zeros(3)), ValueError, r"validation_data must be a pair"),
    (dict(early_stopping=nn.EarlyStopping(monitor="val_accuracy")), ValueError,
     r"early_stopping.monitor must be one of \['loss', 'accuracy'\], got 'val_accuracy'"),
])
def test_fit_argument_checks(kwargs, error, message):
    X, y = blobs(20)
    model = mlp()
    args = dict(epochs=1, rng=np.random.default_rng(0), progress=False) | kwargs
    with pytest.raises(error, match=message):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model), X, y, **args)


def test_early_stopping_checks_its_arguments():
    with pytest.raises(ValueError, match="EarlyStopping: patience must be an integer >= 1; got 0"):
        nn.EarlyStopping(patience=0)
    with pytest.raises(ValueError, match=r"EarlyStopping: min_delta must be a finite number >= 0"):
        nn.EarlyStopping(min_delta=-1.0)


def test_fit_rejects_mismatched_samples():
    X, y = blobs(20)
    model = mlp()
    with pytest.raises(ValueError, match="X has 20 samples but its targets have 19"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model), X, y[:-1], epochs=1, rng=np.random.default_rng(0))


def test_fit_follows_a_cosine_schedule_down_to_a_zero_learning_rate():
    X, y = blobs()
    model = mlp()
    schedule = nn.CosineSchedule(0.01, epochs=5)  # min_lr = 0 is reached at the last epoch
    history = nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam(model, lr=0.01), X, y, epochs=5, batch_size=32,
                     rng=np.random.default_rng(0), schedule=schedule, progress=False)
    assert history.lr == pytest.approx([schedule(e) for e in range(5)])
    assert history.lr[-1] == 0.0
