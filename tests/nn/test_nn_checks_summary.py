"""Invalid hyperparameters and input shapes; summary counts; the gradient-check utility."""

import numpy as np
import pytest

from helpers import nn

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2D(3, 4, 3, rng=RNG, stride=-1), "Conv2D: stride must be an integer >= 1; got -1"),
    (lambda: nn.Conv2D(3, 4, 3, rng=RNG, stride=0), "Conv2D: stride must be an integer >= 1; got 0"),
    (lambda: nn.Conv2D(3, 4, 0, rng=RNG), "Conv2D: kernel_size must be an integer >= 1; got 0"),
    (lambda: nn.Conv2D(3, 4, 3, rng=RNG, padding=-1), "Conv2D: padding must be an integer >= 0; got -1"),
    (lambda: nn.Conv2D(3, 4, 3, rng=RNG, dilation=0), "Conv2D: dilation must be an integer >= 1; got 0"),
    (lambda: nn.Conv2D(3, 4, 4, rng=RNG, padding="same"), "padding='same' needs stride 1 and an odd"),
    (lambda: nn.Conv2D(3, 4, 3, rng=RNG, init="lecun"), "Conv2D: init must be one of 'he', 'glorot'"),
    (lambda: nn.Conv2D(3, 4, 3, rng=RNG, dtype=np.int32), "Conv2D: dtype must be float32 or float64"),
    (lambda: nn.Linear(0, 4, rng=RNG), "Linear: in_features must be an integer >= 1; got 0"),
    (lambda: nn.Dropout(1.0, rng=RNG), r"Dropout: p must be a finite number in \[0, 1\); got 1.0"),
    (lambda: nn.Dropout(-0.1, rng=RNG), r"Dropout: p must be a finite number in \[0, 1\); got -0.1"),
    (lambda: nn.LeakyReLU(-0.2), r"LeakyReLU: negative_slope must be a finite number in \[0, 1\)"),
    (lambda: nn.BatchNorm1D(4, momentum=1.0), r"BatchNorm1D: momentum must be a finite number in \[0, 1\); got 1.0"),
    (lambda: nn.BatchNorm2D(4, eps=0), r"BatchNorm2D: eps must be a finite number > 0; got 0"),
    (lambda: nn.MaxPool2D(2, padding=2), r"MaxPool2D: padding must be in \[0, kernel_size // 2\] = \[0, 1\], got 2"),
    (lambda: nn.AvgPool2D(2, stride=0), "AvgPool2D: stride must be an integer >= 1; got 0"),
    (lambda: nn.RNN(3, 0, rng=RNG), "RNN: hidden_size must be an integer >= 1; got 0"),
    (lambda: nn.Concat([]), "Concat: branches must contain at least one module"),
    (lambda: nn.Concat([nn.ReLU()], axis=0), r"^Concat: axis \(axis 0 is the batch\) must be an integer >= 1; got 0$"),
])
def test_invalid_hyperparameters_raise_value_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Linear(3, 4, rng=None), "Linear: rng must be a numpy.random.Generator"),
    (lambda: nn.Dropout(0.5, rng=np.random.RandomState(0)), "Dropout: rng must be a numpy.random.Generator"),
    (lambda: nn.Conv2D(3, 4, 2.5, rng=RNG), r"Conv2D: kernel_size must be an integer >= 1; got 2.5 \(float\)"),
    (lambda: nn.Sequential(nn.ReLU(), "relu"), "Sequential: every layer must be a helpers.nn Module"),
    (lambda: nn.Concat([nn.ReLU()], axis=1.0),
     r"^Concat: axis \(axis 0 is the batch\) must be an integer >= 1; got 1.0 \(float\)$"),
])
def test_wrong_types_raise_type_errors(make, message):
    with pytest.raises(TypeError, match=message):
        make()


@pytest.mark.parametrize("layer, x, message", [
    (nn.Conv2D(3, 4, 3, rng=RNG), np.zeros((2, 1, 8, 8)),
     r"Conv2D: expected 3 input channels \(input shape \(N, C, H, W\)\)"),
    (nn.Conv2D(3, 4, 3, rng=RNG), np.zeros((3, 8, 8)),
     r"Conv2D: expected input of shape \(N, C, H, W\), got shape \(3, 8, 8\)"),
    (nn.Conv2D(1, 4, 5, rng=RNG, padding=1), np.zeros((2, 1, 2, 2)), "larger than the padded input 4x4"),
    (nn.Conv2D(1, 4, 3, rng=RNG, dilation=3), np.zeros((2, 1, 6, 6)),
     "spans 7x7 pixels, larger than the padded input 6x6"),
    (nn.MaxPool2D(3), np.zeros((2, 1, 2, 2)), "MaxPool2D: kernel_size .* larger than the padded input 2x2"),
    (nn.Linear(5, 2, rng=RNG), np.zeros((4, 6)), r"Linear: expected input of shape \(N, 5\), got shape \(4, 6\)"),
    (nn.BatchNorm1D(5), np.zeros((4, 6)), "BatchNorm1D: expected 5 features/channels"),
    (nn.BatchNorm2D(3), np.zeros((4, 3)), r"BatchNorm2D: expected input of shape \(N, C, H, W\)"),
    (nn.GlobalAvgPool2D(), np.zeros((4, 3)), r"GlobalAvgPool2D: expected input of shape \(N, C, H, W\)"),
    (nn.Residual(nn.Conv2D(2, 3, 1, rng=RNG)), np.zeros((1, 2, 4, 4)), "pass a projection shortcut"),
    (nn.Concat([nn.Conv2D(1, 2, 3, rng=RNG), nn.Conv2D(1, 2, 1, rng=RNG)]), np.zeros((1, 1, 5, 5)),
     "differ outside axis 1"),
])
def test_wrong_input_shapes_raise_value_errors(layer, x, message):
    with pytest.raises(ValueError, match=message):
        layer.forward(x)


# ---------------------------------------------------------------- summary
def small_cnn():
    rng = np.random.default_rng(0)
    return nn.Sequential(nn.Conv2D(1, 4, 3, rng=rng, padding=1), nn.BatchNorm2D(4), nn.ReLU(), nn.MaxPool2D(2),
                         nn.Flatten(), nn.Linear(64, 10, rng=rng))


def test_summary_counts_match_a_hand_count():
    s = nn.summary(small_cnn(), (1, 8, 8))
    conv_params, bn_params, linear_params = 4 * 1 * 3 * 3 + 4, 2 * 4, 64 * 10 + 10
    assert [r["params"] for r in s.rows] == [conv_params, bn_params, 0, 0, 0, linear_params]
    assert s.total_params == conv_params + bn_params + linear_params == nn.count_params(small_cnn()) == 698
    assert [r["output_shape"] for r in s.rows] == [(4, 8, 8), (4, 8, 8), (4, 8, 8), (4, 4, 4), (64,), (10,)]
    assert s.total_macs == 8 * 8 * 4 * 9 + 64 * 10
    text = str(s)
    assert "Conv2D" in text and "698" in text and "2,944" in text
    html = s._repr_html_()
    assert html.startswith("<table>") and "MaxPool2D" in html
    assert s.to_dict()["total_params"] == 698


def test_summary_of_residual_concat_and_recurrent_models():
    rng = np.random.default_rng(0)
    block = nn.Residual(nn.Conv2D(2, 4, 3, rng=rng, stride=2, padding=1, bias=False),
                        nn.Conv2D(2, 4, 1, rng=rng, stride=2, bias=False))
    inception = nn.Concat([nn.Conv2D(4, 2, 1, rng=rng), nn.Conv2D(4, 3, 3, rng=rng, padding=1)])
    s = nn.summary(nn.Sequential(block, inception), (2, 8, 8))
    assert s.output_shape == (5, 4, 4)
    assert s.total_params == 4 * 2 * 9 + 4 * 2 + (2 * 4 + 2) + (3 * 4 * 9 + 3)
    assert s.total_macs == 16 * (4 * 2 * 9) + 16 * (4 * 2) + 16 * (2 * 4) + 16 * (3 * 4 * 9)
    assert [r["name"] for r in s.rows] == ["0.body", "0.shortcut", "0", "1.0", "1.1", "1"]
    lstm = nn.Sequential(nn.LSTM(3, 5, rng=rng, return_sequences=False), nn.Linear(5, 2, rng=rng))
    s = nn.summary(lstm, (7, 3))
    assert s.total_params == 4 * 5 * (3 + 5) + 4 * 5 + 5 * 2 + 2
    assert s.total_macs == 7 * 4 * 5 * (3 + 5) + 5 * 2
    assert s.rows[0]["output_shape"] == (5,)


def test_summary_rejects_a_wrong_input_shape():
    with pytest.raises(ValueError, match=r"Conv2D: expected sample shape \(1, H, W\)"):
        nn.summary(small_cnn(), (3, 8, 8))


# ---------------------------------------------------------------- gradient-check utility
def test_numerical_gradient_of_a_known_function():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    grad = nn.numerical_gradient(lambda a: float(np.sum(a ** 3)), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(x, np.linspace(-1, 1, 6).reshape(2, 3))  # restored


def test_gradient_check_catches_a_wrong_backward():
    class BadReLU(nn.ReLU):
        def backward(self, dout):
            return dout * (self._out >= 0)  # passes gradient for negative inputs too
    x = np.linspace(-1, 1, 10).reshape(2, 5) + 0.05
    errors = nn.check_layer_gradients(BadReLU(), x, np.random.default_rng(0))
    assert errors["x"] > 1e-2
    assert nn.format_check(errors).startswith("FAILED (relative error ~1e-")
    assert "in x" in nn.format_check(errors)


def test_gradient_check_leaves_the_layer_untouched():
    layer = nn.Linear(3, 2, rng=np.random.default_rng(0))
    before = layer.params["W"].copy()
    nn.check_layer_gradients(layer, np.ones((2, 3)), np.random.default_rng(0))
    assert layer.params["W"].dtype == np.float32
    np.testing.assert_array_equal(layer.params["W"], before)


def test_format_check():
    assert nn.format_check({"x": 3.2e-10, "W": 8e-9}) == "passed (relative error ~1e-9 < 1e-6)"
    assert nn.format_check(2.5e-11, tol=1e-7) == "passed (relative error ~1e-11 < 1e-7)"
    assert nn.format_check({"x": 0.0}) == "passed (relative error 0 < 1e-6)"
    assert nn.format_check({"x": 1e-9, "W": 0.03}) == "FAILED (relative error ~1e-2 >= 1e-6 in W)"
    assert nn.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 4.2)


def test_receptive_field():
    rng = np.random.default_rng(0)
    conv = lambda k, **kw: nn.Conv2D(1, 1, k, rng=rng, **kw)  # noqa: E731
    assert nn.receptive_field(nn.Sequential(conv(3), nn.ReLU(), conv(3))) == (5, 5)
    assert nn.receptive_field(nn.Sequential(conv(3), nn.MaxPool2D(2), conv(3))) == (8, 8)
    assert nn.receptive_field(nn.Sequential(conv(3, dilation=1), conv(3, dilation=2), conv(3, dilation=4))) == (15, 15)
    assert nn.receptive_field(nn.Sequential(conv(3, stride=2), conv((3, 1)))) == (7, 3)
    inception = nn.Concat([conv(1), conv(5, padding=2), nn.MaxPool2D(3, stride=1, padding=1)])
    assert nn.receptive_field(nn.Sequential(conv(3), inception)) == (7, 7)
    assert nn.receptive_field(nn.Residual(nn.Sequential(conv(3), conv(3)))) == (5, 5)
    assert nn.receptive_field(small_cnn()) == (4, 4)
