"""build_mlp and build_lstm (helpers.nn.models), and the per-class scores of helpers.nn.metrics."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import precision_recall_fscore_support

from helpers import nn

N, T, D, K = 4, 5, 3, 2


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("hidden, widths", [(7, [7]), ((6, 4), [6, 4]), ((), [])])
def test_build_mlp_layers_shapes_and_counts(hidden, widths):
    model = nn.build_mlp(D, hidden, K, rng=rng(), dtype=np.float64)
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == list(zip([D, *widths], [*widths, K]))
    assert sum(isinstance(layer, nn.ReLU) for layer in model) == len(widths)
    assert linears[-1].init == "glorot" and all(l.init == "he" for l in linears[:-1])
    sizes = [D, *widths, K]
    assert nn.count_params(model) == sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert model(rng(1).standard_normal((N, D))).shape == (N, K)
    errors = nn.check_layer_gradients(model, rng(2).standard_normal((N, D)), rng(3))
    assert max(errors.values()) < 1e-6


@pytest.mark.parametrize("pool", ["mean", "max"])
def test_build_mlp_pooled_over_time_ignores_the_order_of_the_steps(pool):
    model = nn.build_mlp(D, 6, K, rng=rng(), pool=pool, dtype=np.float64)
    assert isinstance(model[-2], nn.PoolOverTime) and model[-2].mode == pool
    x = rng(1).standard_normal((N, T, D))
    out = model(x)
    assert out.shape == (N, K)
    np.testing.assert_allclose(model(x[:, ::-1]), out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(model(x[:, rng(2).permutation(T)]), out, rtol=0, atol=1e-12)
    errors = nn.check_layer_gradients(model, x, rng(3))
    assert max(errors.values()) < 1e-6


@pytest.mark.parametrize("readout", ["last", "mean", "max"])
def test_build_lstm_readouts(readout):
    model = nn.build_lstm(D, 4, K, rng=rng(), readout=readout, dtype=np.float64)
    lstm = model[0]
    assert isinstance(lstm, nn.LSTM) and (lstm.input_size, lstm.hidden_size) == (D, 4)
    assert lstm.return_sequences == (readout != "last")
    assert nn.count_params(model) == 4 * 4 * (D + 4 + 1) + (4 + 1) * K
    x = rng(1).standard_normal((N, T, D))
    out = model(x)
    assert out.shape == (N, K)
    hs = nn.LSTM(D, 4, rng=rng(), return_sequences=True, dtype=np.float64)(x)   # the same initial weights
    reduce = {"last": lambda h: h[:, -1], "mean": lambda h: h.mean(axis=1), "max": lambda h: h.max(axis=1)}[readout]
    head = model[-1]
    np.testing.assert_allclose(out, reduce(hs) @ head.params["W"] + head.params["b"], rtol=0, atol=1e-12)
    errors = nn.check_layer_gradients(model, x, rng(3))
    assert max(errors.values()) < 1e-6


def test_builders_use_the_dtype_and_refuse_bad_arguments():
    assert nn.build_mlp(D, 3, K, rng=rng()).param_dtype is np.float32
    assert nn.build_lstm(D, 3, K, rng=rng(), dtype="float64").param_dtype is np.float64
    with pytest.raises(ValueError, match="build_mlp: pool must be one of 'mean', 'max'"):
        nn.build_mlp(D, 3, K, rng=rng(), pool="sum")
    with pytest.raises(TypeError, match="build_mlp: hidden must be an integer"):
        nn.build_mlp(D, "8", K, rng=rng())
    with pytest.raises(ValueError, match=r"build_mlp: hidden\[1\]"):
        nn.build_mlp(D, (4, 0), K, rng=rng())
    with pytest.raises(ValueError, match="build_lstm: readout must be one of 'last', 'mean', 'max'"):
        nn.build_lstm(D, 3, K, rng=rng(), readout="first")
    with pytest.raises(TypeError, match="build_lstm: rng must be a numpy.random.Generator"):
        nn.build_lstm(D, 3, K, rng=0)
    with pytest.raises(ValueError, match="build_lstm: n_in"):
        nn.build_lstm(0, 3, K, rng=rng())


@pytest.mark.parametrize("seed", range(4))
def test_class_scores_agree_with_scikit_learn(seed):
    r = rng(seed)
    k = 5
    y_true = r.integers(0, k, 60)
    y_pred = np.where(r.random(60) < 0.6, y_true, r.integers(0, k, 60))
    if seed == 3:
        y_pred[y_pred == 2] = 1                        # class 2 never predicted: precision 0 by convention
    s = nn.class_scores(y_true, y_pred, k)
    np.testing.assert_array_equal(s.confusion, sk_confusion(y_true, y_pred, labels=range(k)))
    p, rc, f, n = precision_recall_fscore_support(y_true, y_pred, labels=range(k), zero_division=0)
    for ours, theirs in ((s.precision, p), (s.recall, rc), (s.f1, f)):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(s.support, n)
    assert s.accuracy == pytest.approx(np.mean(y_true == y_pred), abs=1e-15)
    assert s.macro_f1 == pytest.approx(f.mean(), abs=1e-12)


def test_confusion_matrix_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, n_classes - 1\] = \[0, 2\]"):
        nn.confusion_matrix(np.array([0, 1]), np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="integer class labels"):
        nn.class_scores(np.array([0.0, 1.0]), np.array([0, 1]), 2)
    with pytest.raises(ValueError, match="same samples"):
        nn.confusion_matrix(np.array([0, 1]), np.array([0]), 2)
