"""Losses against direct formulas and numerical gradients; optimisers against closed-form steps."""

import math

import numpy as np
import pytest

from helpers import nn

LOGITS = np.linspace(-2, 3, 12).reshape(4, 3) * np.array([1.0, -0.5, 0.7])
LABELS = np.array([0, 2, 1, 2])


def loss_gradient_error(loss, outputs, targets):
    outputs = outputs.astype(np.float64).copy()
    loss.forward(outputs, targets)
    analytic = loss.backward()
    numeric = nn.numerical_gradient(lambda o: loss.forward(o, targets), outputs)
    return nn.relative_error(analytic, numeric)


@pytest.mark.parametrize("loss, outputs, targets", [
    (nn.SoftmaxCrossEntropy(), LOGITS, LABELS),
    (nn.BinaryCrossEntropy(), np.linspace(-3, 2, 6), np.array([0, 1, 1, 0, 1, 0])),
    (nn.BinaryCrossEntropy(), np.linspace(-3, 2, 6).reshape(6, 1), np.array([0, 1, 1, 0, 1, 0])),
    (nn.MeanSquaredError(), LOGITS, np.linspace(0, 1, 12).reshape(4, 3)),
], ids=["softmax_ce", "bce", "bce_column", "mse"])
def test_loss_gradients(loss, outputs, targets):
    assert loss_gradient_error(loss, outputs, targets) < 1e-6


def test_softmax_cross_entropy_matches_the_direct_formula():
    p = np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[np.arange(4), LABELS]))
    loss = nn.SoftmaxCrossEntropy()
    assert loss(LOGITS, LABELS) == pytest.approx(expected, rel=1e-12)
    onehot = np.eye(3)[LABELS]
    np.testing.assert_allclose(loss.backward(), (p - onehot) / 4, rtol=1e-12)


def test_losses_are_stable_for_huge_logits():
    ce = nn.SoftmaxCrossEntropy()
    assert ce(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0])) == pytest.approx(500.0)
    assert np.all(np.isfinite(ce.backward()))
    bce = nn.BinaryCrossEntropy()
    assert bce(np.array([800.0, -800.0]), np.array([0, 1])) == pytest.approx(800.0)
    np.testing.assert_allclose(bce.backward(), [0.5, -0.5])


def test_binary_cross_entropy_matches_the_direct_formula():
    z = np.linspace(-2, 2, 5)
    y = np.array([0, 1, 0, 1, 1])
    s = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s))
    assert nn.BinaryCrossEntropy()(z, y) == pytest.approx(expected, rel=1e-12)


def test_mean_squared_error_value():
    assert nn.MeanSquaredError()(np.array([[1.0], [3.0]]), np.array([0.0, 1.0])) == pytest.approx(2.5)


def test_loss_input_checks():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\]"):
        nn.SoftmaxCrossEntropy()(LOGITS, np.array([0, 1, 3, 1]))
    with pytest.raises(ValueError, match=r"expected targets of shape \(4,\)"):
        nn.SoftmaxCrossEntropy()(LOGITS, np.zeros((4, 3), dtype=int))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\]"):
        nn.BinaryCrossEntropy()(np.zeros(3), np.array([0, 2, 1]))
    with pytest.raises(ValueError, match="must match"):
        nn.MeanSquaredError()(np.zeros((3, 2)), np.zeros(3))


# ---------------------------------------------------------------- optimisers
class Params(nn.Module):
    """One parameter vector with a preset gradient."""

    def __init__(self, value, grad):
        super().__init__()
        self.params["w"] = np.array(value, dtype=np.float64)
        self.grads["w"] = np.array(grad, dtype=np.float64)


W0, G = [1.0, -2.0, 0.5], [0.1, 0.3, -0.2]


def test_sgd_step():
    m = Params([W0, W0], [G, G])
    nn.SGD(m, lr=0.1).step()
    np.testing.assert_allclose(m.params["w"], np.array([W0, W0]) - 0.1 * np.array([G, G]))


def test_sgd_momentum_and_nesterov_two_steps():
    w, g = np.array(W0), np.array(G)
    for nesterov in (False, True):
        m = Params(W0, G)
        opt = nn.SGD(m, lr=0.1, momentum=0.9, nesterov=nesterov)
        opt.step()
        opt.step()
        v1 = g
        v2 = 0.9 * v1 + g
        if nesterov:
            expected = w - 0.1 * (g + 0.9 * v1) - 0.1 * (g + 0.9 * v2)
        else:
            expected = w - 0.1 * v1 - 0.1 * v2
        np.testing.assert_allclose(m.params["w"], expected, rtol=1e-12)


def test_adam_first_step_moves_each_weight_by_lr():
    m = Params(W0, G)
    nn.Adam(m, lr=0.01).step()
    # bias-corrected m/sqrt(v) = g/|g| at step 1
    np.testing.assert_allclose(m.params["w"], np.array(W0) - 0.01 * np.sign(G), rtol=1e-6)


def test_adam_two_steps_match_the_formula():
    w, g, lr, b1, b2, eps = np.array(W0), np.array(G), 0.01, 0.9, 0.999, 1e-8
    m_param = Params(W0, G)
    opt = nn.Adam(m_param, lr=lr, betas=(b1, b2), eps=eps)
    m = v = 0
    for t in (1, 2):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        opt.step()
    np.testing.assert_allclose(m_param.params["w"], w, rtol=1e-12)


def test_decoupled_weight_decay_skips_biases():
    m = Params([W0, W0], np.zeros((2, 3)))
    m.params["b"] = np.array(W0)
    m.grads["b"] = np.zeros(3)
    nn.Adam(m, lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(m.params["w"], np.array([W0, W0]) * (1 - 0.05))
    np.testing.assert_allclose(m.params["b"], W0)
    m2 = Params([W0], [G])
    nn.SGD(m2, lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(m2.params["w"], np.array([W0]) * 0.95 - 0.1 * np.array([G]))


def test_clip_grad_norm_returns_the_norm_before_clipping():
    m = Params([3.0, 4.0], [3.0, 4.0])
    assert nn.clip_grad_norm(m, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(m.grads["w"], [0.6, 0.8])
    assert nn.clip_grad_norm(m, 10.0) == pytest.approx(1.0)
    np.testing.assert_allclose(m.grads["w"], [0.6, 0.8])


def test_schedules():
    step = nn.StepSchedule(0.1, step_size=3, gamma=0.5)
    assert [step(e) for e in range(7)] == pytest.approx([0.1] * 3 + [0.05] * 3 + [0.025])
    cos = nn.CosineSchedule(0.1, epochs=5, min_lr=0.01)
    values = [cos(e) for e in range(6)]
    assert values[0] == pytest.approx(0.1) and values[4] == pytest.approx(0.01) and values[5] == pytest.approx(0.01)
    assert values[2] == pytest.approx(0.01 + 0.09 * (1 + math.cos(math.pi / 2)) / 2)
    warm = nn.CosineSchedule(0.1, epochs=5, warmup_epochs=1)
    assert warm(0) == pytest.approx(0.05) and warm(1) == pytest.approx(0.1)


@pytest.mark.parametrize("make, message", [
    (lambda m: nn.SGD(m, lr=-1), r"SGD: lr must be a finite number > 0; got -1"),
    (lambda m: nn.SGD(m, lr=0.1, momentum=1.0), r"SGD: momentum must be a finite number in \[0, 1\); got 1.0"),
    (lambda m: nn.SGD(m, lr=0.1, nesterov=True), "nesterov=True needs momentum"),
    (lambda m: nn.Adam(m, betas=(0.9, 1.5)), r"Adam: betas\[1\] must be a finite number in \[0, 1\)"),
    (lambda m: nn.Adam(m, weight_decay=-0.1), r"Adam: weight_decay must be a finite number >= 0"),
    (lambda m: nn.clip_grad_norm(m, 0), r"clip_grad_norm: max_norm must be a finite number > 0"),
    (lambda m: nn.StepSchedule(0.1, 0), "StepSchedule: step_size must be an integer >= 1; got 0"),
    (lambda m: nn.CosineSchedule(0.1, 5, min_lr=0.2), r"min_lr must be a finite number in \[0, 0.1\]"),
])
def test_optimiser_argument_checks(make, message):
    with pytest.raises(ValueError, match=message):
        make(Params(W0, G))
