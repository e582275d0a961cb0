"""helpers.nn refuses bad input before any work: non-finite data, a foreign optimiser, a non-finite learning
rate, BatchNorm on one value per channel, backward before forward or with the wrong gradient shape."""

import re

import numpy as np
import pytest

from helpers import nn

RNG = np.random.default_rng(0)


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    return X, (X[:, 0] > 0).astype(int)


def mlp(seed=0):
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(4, 8, rng=rng), nn.ReLU(), nn.Linear(8, 2, rng=rng))


def weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def unchanged(model, before):
    return all(np.array_equal(before[k], v) for k, v in model.state_dict().items())


# ---------------------------------------------------------------- non-finite inputs
@pytest.mark.parametrize("where, message", [
    ("X", r"^fit: X has 1 non-finite value\(s\) \(the first, nan, at index \(5, 2\)\); remove or impute"),
    ("y", r"^fit: y has 1 non-finite value\(s\) \(the first, inf, at index 3\)"),
    ("X_val", r"^fit: validation_data X has 1 non-finite value\(s\) \(the first, nan, at index \(5, 2\)\)"),
])
def test_fit_refuses_non_finite_data_before_training_naming_the_array(where, message):
    X, y = data()
    y = y.astype(float)
    Xv = X.copy()
    if where == "X":
        X = X.copy()
        X[5, 2] = np.nan
    elif where == "y":
        y[3] = np.inf
    else:
        Xv[5, 2] = np.nan
    model = mlp()
    before = weights(model)
    with pytest.raises(ValueError, match=message):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1), X, y, epochs=2,
               rng=np.random.default_rng(0), validation_data=(Xv, y), progress=False)
    assert unchanged(model, before)


def test_a_nan_in_the_inputs_is_not_blamed_on_the_learning_rate():
    X, y = data()
    X[7, 0] = np.nan
    model = mlp()
    with pytest.raises(ValueError) as info:
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1), X, y, epochs=2,
               rng=np.random.default_rng(0), progress=False)
    assert not isinstance(info.value, nn.TrainingDivergedError)
    assert "learning rate" not in str(info.value) and "X has 1 non-finite" in str(info.value)


@pytest.mark.parametrize("call, message", [
    (lambda m, X, y: nn.evaluate(m, nn.SoftmaxCrossEntropy(), X, y), r"^evaluate: X has 64 non-finite value\(s\)"),
    (lambda m, X, y: nn.predict(m, X), r"^predict: X has 64 non-finite value\(s\)"),
    (lambda m, X, y: nn.predict_proba(m, X), r"^predict: X has 64 non-finite value\(s\)"),
    (lambda m, X, y: nn.predict_labels(m, X), r"^predict: X has 64 non-finite value\(s\)"),
])
def test_evaluate_and_predict_refuse_non_finite_inputs(call, message):
    X, y = data()
    X[:, 1] = np.nan
    with pytest.raises(ValueError, match=message):
        call(mlp(), X, y)


# ---------------------------------------------------------------- the optimiser
def test_fit_refuses_an_optimiser_built_on_another_model():
    X, y = data()
    model, other = mlp(0), mlp(1)
    before = weights(model)
    with pytest.raises(ValueError, match=r"^fit: the optimizer updates 4 parameter\(s\) that are not this model's "
                                         r"\(e.g. Linear.W\), so its steps would not train the model; build the "
                                         r"optimizer on this model's parameters, e.g. SGD\(model, lr=...\)$"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(other, lr=0.1), X, y, epochs=2,
               rng=np.random.default_rng(0), progress=False)
    assert unchanged(model, before)
    with pytest.raises(ValueError, match="the optimizer updates no parameters"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.Adam([], lr=0.1), X, y, epochs=1, rng=RNG, progress=False)


def test_an_optimiser_over_part_of_the_model_is_accepted():
    X, y = data()
    model = mlp()
    first = model[0].params["W"].copy()
    last_layer_only = [(model[2], name) for name in model[2].params]
    nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(last_layer_only, lr=0.1), X, y, epochs=2,
           rng=np.random.default_rng(0), progress=False)
    np.testing.assert_array_equal(model[0].params["W"], first)      # frozen
    assert not np.array_equal(model[2].params["W"], mlp()[2].params["W"])


@pytest.mark.parametrize("make", [lambda m: nn.SGD(m, lr=0.1, momentum=0.9), lambda m: nn.Adam(m, lr=0.1)])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.1])
def test_a_learning_rate_changed_to_a_bad_value_is_refused_at_the_step(make, bad):
    X, y = data()
    model = mlp()
    opt = make(model)
    loss = nn.SoftmaxCrossEntropy()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    opt.lr = bad
    before = weights(model)
    name = type(opt).__name__
    with pytest.raises(ValueError, match=rf"^{name}.step: lr must be a finite number >= 0; got {bad}; the learning "
                                         r"rate was changed after the optimiser was built"):
        opt.step()
    assert unchanged(model, before) and opt.iterations == 0


def test_a_schedule_that_returns_nan_is_refused_at_the_epoch():
    X, y = data()
    model = mlp()
    with pytest.raises(ValueError, match=r"^fit: schedule\(epoch\) must be a finite number >= 0; got nan"):
        nn.fit(model, nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.1), X, y, epochs=2, rng=RNG, progress=False,
               schedule=lambda epoch: float("nan"))


# ---------------------------------------------------------------- BatchNorm
@pytest.mark.parametrize("layer, x", [
    (nn.BatchNorm1D(3), np.ones((1, 3))),
    (nn.BatchNorm2D(3), np.ones((1, 3, 1, 1))),
])
def test_batchnorm_refuses_one_value_per_channel_in_training(layer, x):
    running = layer.buffers["running_mean"].copy()
    name = type(layer).__name__
    expected = f"{name}: expected more than 1 value per channel when training, got input shape {x.shape}"
    with pytest.raises(ValueError, match="^" + re.escape(expected)):
        layer.forward(x)
    np.testing.assert_array_equal(layer.buffers["running_mean"], running)   # statistics untouched
    layer.eval()
    assert layer.forward(x).shape == x.shape                                   # evaluation mode is fine


def test_batchnorm2d_on_one_image_with_several_positions_is_allowed():
    out = nn.BatchNorm2D(2).forward(np.arange(8.0).reshape(1, 2, 2, 2))
    assert out.shape == (1, 2, 2, 2) and np.abs(out).max() > 0.5


# ---------------------------------------------------------------- backward
@pytest.mark.parametrize("layer", [
    nn.Linear(4, 2, rng=RNG), nn.ReLU(), nn.BatchNorm1D(4), nn.Conv2D(1, 2, 3, rng=RNG), nn.MaxPool2D(2),
    nn.RNN(3, 4, rng=RNG), nn.LSTM(3, 4, rng=RNG), nn.Dropout(0.5, rng=RNG), nn.Flatten(),
    nn.Sequential(nn.Linear(4, 2, rng=RNG)), nn.Residual(nn.ReLU()), nn.Concat([nn.ReLU(), nn.Tanh()]),
])
def test_backward_before_forward_names_the_layer(layer):
    name = type(layer).__name__
    with pytest.raises(RuntimeError, match=rf"^{name}: backward\(dout\) was called before forward\(x\); run forward"):
        layer.backward(np.ones((2, 2)))


@pytest.mark.parametrize("layer, x, dout_shape", [
    (nn.Linear(4, 2, rng=RNG), np.ones((3, 4)), (3, 5)),
    (nn.Linear(4, 2, rng=RNG), np.ones((3, 4)), (3,)),
    (nn.Conv2D(1, 2, 3, rng=RNG), np.ones((2, 1, 5, 5)), (2, 2, 5, 5)),
    (nn.LSTM(3, 4, rng=RNG), np.ones((2, 5, 3)), (2, 4)),
    (nn.BatchNorm2D(2), np.ones((2, 2, 3, 3)), (2, 2, 9)),
    (nn.Sequential(nn.Linear(4, 8, rng=RNG), nn.ReLU(), nn.Linear(8, 2, rng=RNG)), np.ones((3, 4)), (3, 7)),
])
def test_a_wrong_dout_shape_names_the_layer_and_both_shapes(layer, x, dout_shape):
    out = layer.forward(x)
    name = type(layer).__name__
    expected = f"{name}: backward got dout of shape {dout_shape}, but the last forward returned shape {out.shape}"
    with pytest.raises(ValueError, match="^" + re.escape(expected)):
        layer.backward(np.ones(dout_shape))


def test_a_subclass_that_calls_super_is_checked_once_against_its_own_output():
    class Doubled(nn.Linear):
        """Linear with its output repeated twice along the features: (N, 2 * out_features)."""

        def forward(self, x):
            out = super().forward(x)
            return np.concatenate([out, out], axis=1)

        def backward(self, dout):
            half = dout.shape[1] // 2
            return super().backward(dout[:, :half] + dout[:, half:])

    layer = Doubled(4, 3, rng=np.random.default_rng(0), dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((5, 4))
    assert layer.forward(x).shape == (5, 6)
    assert layer.backward(np.ones((5, 6))).shape == (5, 4)                 # the inner Linear check does not fire
    with pytest.raises(ValueError, match=r"^Doubled: backward got dout of shape \(5, 3\)"):
        layer.backward(np.ones((5, 3)))
    errors = nn.check_layer_gradients(layer, x, np.random.default_rng(2))
    assert max(errors.values()) < 1e-6


def test_a_module_whose_forward_returns_a_tuple_skips_only_the_shape_check():
    class Pair(nn.Module):
        def forward(self, x):
            self._x = x
            return x, 2 * x

        def backward(self, dout):
            return dout

    p = Pair()
    with pytest.raises(RuntimeError, match="before forward"):
        p.backward(np.ones(2))
    p.forward(np.ones(3))
    np.testing.assert_array_equal(p.backward(np.ones(3)), np.ones(3))
