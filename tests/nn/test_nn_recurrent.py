"""RNN and LSTM: gradient checks over several steps, truncated BPTT, per-step gradients, stacking."""

import copy

import numpy as np
import pytest

from helpers import nn

TOL = 1e-6
N, T, D, H = 2, 6, 3, 4


def sequences(seed=0, steps=T):
    return np.random.default_rng(seed).standard_normal((N, steps, D))


def make(kind, **kwargs):
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM}[kind]
    return cls(D, H, rng=np.random.default_rng(1), dtype=np.float64, **kwargs)


def state(layer, x_prefix):
    """Hidden (and cell) state after running ``x_prefix``; zeros for an empty prefix."""
    if x_prefix.shape[1] == 0:
        zeros = np.zeros((N, H))
        return {"h0": zeros, "c0": zeros} if isinstance(layer, nn.LSTM) else {"h0": zeros}
    layer.forward(x_prefix)
    if isinstance(layer, nn.LSTM):
        return {"h0": layer.last_hidden, "c0": layer.last_cell}
    return {"h0": layer.last_hidden}


def truncated_reference(layer, x, dout, k, return_sequences):
    """Truncated BPTT from its definition: the output at step t sends gradient back
    through steps t-k+1..t only, i.e. full BPTT on that window with the state
    entering the window held constant. Sum over all outputs t."""
    full = copy.deepcopy(layer)
    full.return_sequences, full.bptt_truncate = False, None
    grads = {name: np.zeros_like(p) for name, p in layer.params.items()}
    dx = np.zeros_like(x)
    outputs = range(T) if return_sequences else [T - 1]
    for t in outputs:
        s = max(0, t - k + 1)
        init = state(full, x[:, :s])
        full.forward(x[:, s:t + 1], **init)
        dx[:, s:t + 1] += full.backward(dout[:, t] if return_sequences else dout)
        for name in grads:
            grads[name] += full.grads[name]
    return dx, grads


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@pytest.mark.parametrize("return_sequences", [True, False], ids=["all_steps", "last_step"])
def test_full_bptt_gradients(kind, return_sequences):
    layer = make(kind, return_sequences=return_sequences)
    errors = nn.check_layer_gradients(layer, sequences(), np.random.default_rng(7))
    assert set(errors) == {"x", "Wx", "Wh", "b"}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@pytest.mark.parametrize("return_sequences", [True, False], ids=["all_steps", "last_step"])
@pytest.mark.parametrize("k", [1, 2, 4])
def test_truncated_bptt_equals_its_definition(kind, return_sequences, k):
    layer = make(kind, return_sequences=return_sequences, bptt_truncate=k)
    x = sequences()
    out = layer.forward(x)
    dout = np.random.default_rng(7).standard_normal(out.shape)
    dx = layer.backward(dout)
    dx_ref, grads_ref = truncated_reference(layer, x, dout, k, return_sequences)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-9, atol=1e-12)
    for name, g in grads_ref.items():
        np.testing.assert_allclose(layer.grads[name], g, rtol=1e-9, atol=1e-12)
    if not return_sequences:  # earlier inputs get no gradient at all
        assert np.all(dx[:, :T - k] == 0)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_truncation_changes_the_gradient_only_when_shorter_than_the_sequence(kind):
    x = sequences()
    dout = np.random.default_rng(7).standard_normal((N, T, H))
    results = {}
    for k in (None, 2, T, T + 3):
        layer = make(kind, bptt_truncate=k)
        layer.forward(x)
        results[k] = (layer.backward(dout), layer.grads["Wh"])
    for k in (T, T + 3):
        np.testing.assert_allclose(results[k][0], results[None][0], rtol=1e-12)
        np.testing.assert_allclose(results[k][1], results[None][1], rtol=1e-12)
    assert not np.allclose(results[2][1], results[None][1])


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_hidden_state_gradients_per_step(kind):
    layer = make(kind, return_sequences=False)
    x = sequences()
    layer.forward(x)
    dout = np.random.default_rng(7).standard_normal((N, H))
    layer.backward(dout)
    assert layer.dh_per_step.shape == (N, T, H)
    np.testing.assert_allclose(layer.dh_per_step[:, -1], dout)
    # dL/dh_t numerically: restart the layer from h_t (and c_t) and perturb that state
    for t in (0, 2, 4):
        probe = copy.deepcopy(layer)
        init = state(probe, x[:, :t + 1])
        h = init["h0"].copy()
        rest = x[:, t + 1:]

        def f(h_):
            return float(np.sum(probe.forward(rest, **{**init, "h0": h_}) * dout))
        np.testing.assert_allclose(layer.dh_per_step[:, t], nn.numerical_gradient(f, h), rtol=1e-6, atol=1e-9)


def test_gradient_with_respect_to_the_initial_state():
    layer = make("rnn", return_sequences=True)
    x = sequences()
    h0 = np.linspace(-0.5, 0.5, N * H).reshape(N, H)
    dout = np.random.default_rng(7).standard_normal((N, T, H))
    layer.forward(x, h0=h0)
    layer.backward(dout)

    def f(h):
        return float(np.sum(layer.forward(x, h0=h) * dout))
    np.testing.assert_allclose(layer.dh0, nn.numerical_gradient(f, h0.copy()), rtol=1e-6, atol=1e-9)


def test_vanishing_gradient_is_visible_per_step():
    layer = nn.RNN(D, H, rng=np.random.default_rng(0), return_sequences=False, dtype=np.float64)
    layer.params["Wh"] *= 0.3  # contracting recurrence
    layer.forward(sequences(steps=20))
    layer.backward(np.ones((N, H)))
    norms = np.linalg.norm(layer.dh_per_step, axis=(0, 2))
    assert norms[0] < 1e-6 * norms[-1]


def test_stacked_recurrent_layers_in_a_sequential():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.LSTM(D, 5, rng=rng), nn.RNN(5, 4, rng=rng), nn.LSTM(4, 3, rng=rng, return_sequences=False),
                          nn.Linear(3, 2, rng=rng, init="glorot"))
    x = sequences()
    assert model(x).shape == (N, 2)
    errors = nn.check_layer_gradients(model, x, np.random.default_rng(7))
    assert max(errors.values()) < TOL, errors
    assert nn.summary(model, (T, D)).output_shape == (2,)


def test_per_step_linear_head_for_sequence_outputs():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.RNN(D, 4, rng=rng), nn.Linear(4, 1, rng=rng, init="glorot"))
    assert model(sequences()).shape == (N, T, 1)
    errors = nn.check_layer_gradients(model, sequences(), np.random.default_rng(7))
    assert max(errors.values()) < TOL, errors


def test_lstm_initialisation():
    lstm = nn.LSTM(3, 5, rng=np.random.default_rng(0))
    assert lstm.params["Wx"].shape == (3, 20) and lstm.params["Wh"].shape == (5, 20)
    np.testing.assert_array_equal(lstm.params["b"][5:10], 1.0)
    np.testing.assert_array_equal(lstm.params["b"][:5], 0.0)
    block = lstm.params["Wh"][:, :5].astype(np.float64)
    np.testing.assert_allclose(block @ block.T, np.eye(5), atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_recurrent_input_checks(kind):
    layer = make(kind)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, T, 3\)"):
        layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="expected 3 input features"):
        layer.forward(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match=r"h0 must have shape \(N, hidden_size\)"):
        layer.forward(np.zeros((2, 4, 3)), h0=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="bptt_truncate must be an integer >= 1; got 0"):
        make(kind, bptt_truncate=0)


# ---------------------------------------------------------------- pooling over time
class PoolWithLengths(nn.Module):
    """PoolOverTime with fixed lengths, so the generic gradient check can drive it."""

    def __init__(self, mode, lengths):
        super().__init__()
        self.pool, self.lengths = nn.PoolOverTime(mode), lengths

    def forward(self, x):
        return self.pool.forward(x, lengths=self.lengths)

    def backward(self, dout):
        return self.pool.backward(dout)


@pytest.mark.parametrize("mode", ["mean", "max"])
@pytest.mark.parametrize("lengths", [None, np.array([6, 3])], ids=["full", "masked"])
def test_pool_over_time_gradients(mode, lengths):
    layer = nn.PoolOverTime(mode) if lengths is None else PoolWithLengths(mode, lengths)
    errors = nn.check_layer_gradients(layer, sequences(), np.random.default_rng(7))
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("mode, reduce", [("mean", np.mean), ("max", np.max)])
def test_pool_over_time_matches_loops_over_each_sequence(mode, reduce):
    x = sequences()
    lengths = np.array([2, 5])
    pool = nn.PoolOverTime(mode)
    np.testing.assert_allclose(pool(x), reduce(x, axis=1))
    out = pool.forward(x, lengths=lengths)
    for n, length in enumerate(lengths):
        np.testing.assert_allclose(out[n], reduce(x[n, :length], axis=0))
    dx = pool.backward(np.ones((N, D)))
    assert np.all(dx[0, 2:] == 0) and np.all(dx[1, 5:] == 0)  # padded steps get no gradient


def test_lstm_with_pooling_over_time_trains_as_a_sequence_classifier():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.LSTM(D, H, rng=rng), nn.PoolOverTime("max"), nn.Linear(H, 2, rng=rng, init="glorot"))
    assert model(sequences()).shape == (N, 2)
    assert nn.summary(model, (T, D)).output_shape == (2,)
    errors = nn.check_layer_gradients(model, sequences(), np.random.default_rng(7))
    assert max(errors.values()) < TOL, errors


def test_pool_over_time_input_checks():
    with pytest.raises(ValueError, match="mode must be one of 'mean', 'max'"):
        nn.PoolOverTime("sum")
    with pytest.raises(ValueError, match=r"expected input of shape \(N, T, H\)"):
        nn.PoolOverTime()(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"lengths must be 2 integers in \[1, T=6\]"):
        nn.PoolOverTime().forward(sequences(), lengths=np.array([0, 6]))
    with pytest.raises(ValueError, match="lengths must be 2 integers"):
        nn.PoolOverTime().forward(sequences(), lengths=np.array([1.5, 6]))
