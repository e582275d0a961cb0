"""Gradient checks and reference implementations for the feed-forward layers."""

import numpy as np
import pytest

from helpers import nn

TOL = 1e-6


def assert_gradients(layer, x, seed=99):
    errors = nn.check_layer_gradients(layer, x, np.random.default_rng(seed))
    assert max(errors.values()) < TOL, errors
    return errors


def images(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------- gradient checks
def test_linear_gradients():
    rng = np.random.default_rng(0)
    x = np.linspace(-1, 1, 15).reshape(3, 5) + 0.01
    errors = assert_gradients(nn.Linear(5, 4, rng=rng), x)
    assert set(errors) == {"x", "W", "b"}


def test_linear_over_time_steps_gradients():
    rng = np.random.default_rng(1)
    assert_gradients(nn.Linear(3, 2, rng=rng), images((2, 4, 3)))


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.LeakyReLU(0.1), nn.Tanh(), nn.Sigmoid(), nn.Flatten()],
                         ids=lambda m: type(m).__name__)
def test_activation_gradients(layer):
    # no input near 0: ReLU's kink would spoil the central difference
    x = images((2, 3, 4))
    x[np.abs(x) < 1e-3] = 0.5
    assert_gradients(layer, x)


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3),
    dict(kernel_size=3, padding=1),
    dict(kernel_size=3, stride=2),
    dict(kernel_size=3, dilation=2),
    dict(kernel_size=3, stride=2, padding=2, dilation=2),
    dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 0)),
    dict(kernel_size=1, stride=2),
    dict(kernel_size=5, padding="same"),
    dict(kernel_size=3, padding="same", dilation=3),
], ids=str)
def test_conv2d_gradients(kwargs):
    conv = nn.Conv2D(2, 3, rng=np.random.default_rng(0), **kwargs)
    assert_gradients(conv, images((2, 2, 7, 6)))


def test_conv2d_without_bias_gradients():
    conv = nn.Conv2D(2, 3, 3, rng=np.random.default_rng(0), bias=False)
    assert set(assert_gradients(conv, images((2, 2, 5, 5)))) == {"x", "W"}


@pytest.mark.parametrize("layer", [
    nn.MaxPool2D(2), nn.MaxPool2D(3, stride=2, padding=1), nn.MaxPool2D((2, 3), stride=1),
    nn.AvgPool2D(2), nn.AvgPool2D(3, stride=1, padding=1), nn.GlobalAvgPool2D()], ids=repr)
def test_pooling_gradients(layer):
    assert_gradients(layer, images((2, 3, 6, 7)))


@pytest.mark.parametrize("layer, shape", [(nn.BatchNorm1D(4), (6, 4)), (nn.BatchNorm2D(3), (4, 3, 3, 2))],
                         ids=["dense", "conv"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batchnorm_gradients(layer, shape, training):
    layer.params["gamma"][:] = np.linspace(0.5, 1.5, layer.num_features)
    layer.params["beta"][:] = np.linspace(-0.2, 0.3, layer.num_features)
    layer.buffers["running_mean"][:] = 0.1
    layer.buffers["running_var"][:] = 1.7
    layer.train(training)
    assert_gradients(layer, 2 + 3 * images(shape))


def test_dropout_gradients_replay_the_mask():
    assert_gradients(nn.Dropout(0.4, rng=np.random.default_rng(3)), images((4, 5)))


def test_residual_identity_gradients():
    rng = np.random.default_rng(0)
    body = nn.Sequential(nn.Conv2D(3, 3, 3, rng=rng, padding=1, bias=False), nn.BatchNorm2D(3), nn.ReLU(),
                         nn.Conv2D(3, 3, 3, rng=rng, padding=1))
    assert_gradients(nn.Residual(body), images((2, 3, 5, 5)))


def test_residual_projection_gradients():
    rng = np.random.default_rng(0)
    block = nn.Residual(nn.Sequential(nn.Conv2D(2, 4, 3, rng=rng, stride=2, padding=1), nn.Tanh()),
                        shortcut=nn.Conv2D(2, 4, 1, rng=rng, stride=2))
    errors = assert_gradients(block, images((2, 2, 6, 6)))
    assert {"body.0.W", "shortcut.W"} <= set(errors)


def test_concat_gradients():
    rng = np.random.default_rng(0)
    block = nn.Concat([
        nn.Conv2D(3, 2, 1, rng=rng),
        nn.Sequential(nn.Conv2D(3, 2, 1, rng=rng), nn.Conv2D(2, 3, 3, rng=rng, padding=1)),
        nn.Conv2D(3, 1, 5, rng=rng, padding=2),
        nn.Sequential(nn.MaxPool2D(3, stride=1, padding=1), nn.Conv2D(3, 2, 1, rng=rng)),
    ])
    assert block(images((1, 3, 5, 5))).shape == (1, 8, 5, 5)
    assert_gradients(block, images((2, 3, 5, 5)))


def test_small_cnn_gradients():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2D(1, 3, 3, rng=rng, padding=1, bias=False), nn.BatchNorm2D(3), nn.ReLU(),
                          nn.MaxPool2D(2), nn.Flatten(), nn.Dropout(0.2, rng=rng),
                          nn.Linear(12, 4, rng=rng), nn.Sigmoid())
    assert_gradients(model, images((3, 1, 4, 4)))


# ---------------------------------------------------------------- references
def naive_conv(x, W, b, stride, padding, dilation):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(n):
        for o in range(f):
            for r in range(ho):
                for s in range(wo):
                    total = b[o]
                    for ch in range(c):
                        for u in range(kh):
                            for v in range(kw):
                                total += W[o, ch, u, v] * xp[i, ch, r * sh + u * dh, s * sw + v * dw]
                    out[i, o, r, s] = total
    return out


def naive_pool(x, kernel, stride, padding, reduce, fill):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    ho = (h + 2 * padding - kernel) // stride + 1
    wo = (w + 2 * padding - kernel) // stride + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(n):
        for ch in range(c):
            for r in range(ho):
                for s in range(wo):
                    out[i, ch, r, s] = reduce(xp[i, ch, r * stride:r * stride + kernel, s * stride:s * stride + kernel])
    return out


@pytest.mark.parametrize("stride, padding, dilation",
                         [(1, 0, 1), (2, 1, 1), (1, 2, 2), (2, 0, 2), ((1, 2), (0, 1), (2, 1))])
def test_conv2d_matches_naive_loops(stride, padding, dilation):
    rng = np.random.default_rng(0)
    conv = nn.Conv2D(3, 4, (3, 2), rng=rng, stride=stride, padding=padding, dilation=dilation, dtype=np.float64)
    conv.params["b"][:] = np.linspace(-1, 1, 4)
    x = images((2, 3, 7, 8))
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    expected = naive_conv(x, conv.params["W"], conv.params["b"], pair(stride), pair(padding), pair(dilation))
    np.testing.assert_allclose(conv(x), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0)])
def test_pooling_matches_naive_loops(kernel, stride, padding):
    x = images((2, 3, 7, 6))
    np.testing.assert_allclose(nn.MaxPool2D(kernel, stride, padding)(x),
                               naive_pool(x, kernel, stride, padding, np.max, -np.inf))
    np.testing.assert_allclose(nn.AvgPool2D(kernel, stride, padding)(x),
                               naive_pool(x, kernel, stride, padding, np.mean, 0.0))
    np.testing.assert_allclose(nn.GlobalAvgPool2D()(x), x.mean(axis=(2, 3)))


# ---------------------------------------------------------------- behaviour
def test_dropout_keeps_the_expected_activation_and_eval_is_identity():
    x = np.ones((2000, 50), dtype=np.float32)
    drop = nn.Dropout(0.3, rng=np.random.default_rng(0))
    out = drop(x)
    assert out.dtype == np.float32
    assert abs(out.mean() - 1.0) < 0.02
    assert abs((out == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / 0.7], rtol=1e-6)
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x), x)
    np.testing.assert_array_equal(drop.backward(x), x)


def test_batchnorm_normalises_in_training_and_uses_running_statistics_in_eval():
    bn = nn.BatchNorm2D(2, momentum=0.5)
    x = 3 + 2 * images((8, 2, 4, 4))
    out = bn(x)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-3)
    np.testing.assert_allclose(bn.buffers["running_mean"], 0.5 * x.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(bn.buffers["running_var"], 0.5 + 0.5 * x.var(axis=(0, 2, 3)), rtol=1e-5)
    bn.eval()
    expected = (x - bn.buffers["running_mean"].reshape(1, 2, 1, 1)) / np.sqrt(
        bn.buffers["running_var"].reshape(1, 2, 1, 1) + bn.eps)
    np.testing.assert_allclose(bn(x), expected, rtol=1e-4, atol=1e-5)


def test_train_and_eval_switch_every_nested_layer():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Residual(nn.Sequential(nn.Dropout(0.5, rng=rng))), nn.BatchNorm1D(3))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_float32_by_default_and_float64_on_request():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2D(1, 2, 3, rng=rng), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3, rng=rng))
    x = images((2, 1, 4, 4))
    assert all(p.dtype == np.float32 for _, p in model.named_parameters())
    assert model(x).dtype == np.float32
    model.astype(np.float64)
    assert all(p.dtype == np.float64 for _, p in model.named_parameters())
    assert model(x).dtype == np.float64
    layer = nn.Linear(3, 2, rng=rng, dtype=np.float64)
    assert layer.params["W"].dtype == np.float64


def test_initialisation_scales():
    rng = np.random.default_rng(0)
    he = nn.Linear(400, 300, rng=rng).params["W"]
    assert abs(he.std() - np.sqrt(2 / 400)) < 0.003
    glorot = nn.Linear(400, 300, rng=rng, init="glorot").params["W"]
    limit = np.sqrt(6 / 700)
    assert glorot.max() <= limit and glorot.min() >= -limit
    assert abs(glorot.std() - limit / np.sqrt(3)) < 0.003
    conv = nn.Conv2D(8, 16, 3, rng=rng).params["W"]
    assert abs(conv.std() - np.sqrt(2 / 72)) < 0.01


def test_same_seed_gives_same_weights_and_no_global_state_is_used():
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a = nn.Conv2D(2, 3, 3, rng=np.random.default_rng(5))
    b = nn.Conv2D(2, 3, 3, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_state_dict_round_trip():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.BatchNorm1D(4))
    state = model.state_dict()
    assert set(state) == {"0.W", "0.b", "1.gamma", "1.beta", "1.running_mean", "1.running_var"}
    model[0].params["W"] += 1
    model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].params["W"], state["0.W"])


def test_repr_shows_the_structure():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2D(1, 4, 3, rng=rng, padding=1), nn.ReLU(), nn.Flatten())
    text = repr(model)
    assert "Conv2D(1 -> 4, kernel_size=(3, 3), padding=(1, 1))" in text
    assert "(1): ReLU()" in text


# ---------------------------------------------------------------- column layouts and chunks
@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3, padding=1),
    dict(kernel_size=3, padding=2, dilation=2),
    dict(kernel_size=1, padding=2),                 # padding wider than the kernel: the gaps must grow
    dict(kernel_size=(1, 3), padding=(3, 0)),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=(1, 2), padding=(0, 1), dilation=(2, 1)),
], ids=str)
def test_conv2d_in_chunks_of_one_image_matches_naive_loops_and_gradients(monkeypatch, kwargs):
    import helpers.nn.conv as conv_module
    monkeypatch.setattr(conv_module, "CHUNK_BYTES", 1)  # one image per chunk: every chunk boundary is crossed
    conv = nn.Conv2D(2, 3, rng=np.random.default_rng(0), dtype=np.float64, **kwargs)
    conv.params["b"][:] = [0.5, -1.0, 2.0]
    x = images((3, 2, 6, 5))
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    expected = naive_conv(x, conv.params["W"], conv.params["b"], pair(kwargs.get("stride", 1)),
                          pair(kwargs.get("padding", 0)), pair(kwargs.get("dilation", 1)))
    np.testing.assert_allclose(conv(x), expected, rtol=1e-10, atol=1e-12)
    assert_gradients(conv, x)


def test_conv2d_accepts_the_strided_views_other_layers_return():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2D(2, 4, 3, rng=rng, padding=1), nn.MaxPool2D(3, stride=1, padding=1),
                          nn.Conv2D(4, 3, 3, rng=rng, padding=1), nn.AvgPool2D(2), nn.Conv2D(3, 2, 1, rng=rng))
    x = images((2, 2, 6, 6))
    reference = copy_in_float64_with_contiguous_inputs(model, x)
    np.testing.assert_allclose(model.astype(np.float64)(x), reference, rtol=1e-12)
    assert_gradients(model, x)


def copy_in_float64_with_contiguous_inputs(model, x):
    out = np.asarray(x, dtype=np.float64)
    for layer in model.astype(np.float64):
        out = np.ascontiguousarray(layer(np.ascontiguousarray(out)))
    return out


def test_conv2d_matches_torch_in_float32_when_installed():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    conv = nn.Conv2D(3, 5, 3, rng=rng, padding=1, dilation=1)
    x = rng.standard_normal((4, 3, 9, 7)).astype(np.float32)
    out = conv(x)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx = conv.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(conv.params["W"], requires_grad=True)
    tb = torch.tensor(conv.params["b"], requires_grad=True)
    t_out = torch.nn.functional.conv2d(tx, tw, tb, padding=1)
    t_out.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(conv.grads["W"], tw.grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(conv.grads["b"], tb.grad.numpy(), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 1, 1), (3, 2, 1), ((2, 3), (1, 2), (1, 0))])
def test_pooling_backward_matches_naive_loops(kernel, stride, padding):
    x = images((2, 3, 7, 6))
    dout_shape = nn.MaxPool2D(kernel, stride, padding)(x).shape
    dout = images(dout_shape, seed=1)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    d_max, d_avg = np.zeros_like(xp), np.zeros_like(xp)
    for n, c, r, s in np.ndindex(*dout_shape):
        window = xp[n, c, r * sh:r * sh + kh, s * sw:s * sw + kw]
        i, j = np.unravel_index(np.argmax(window), window.shape)
        d_max[n, c, r * sh + i, s * sw + j] += dout[n, c, r, s]
        d_avg[n, c, r * sh:r * sh + kh, s * sw:s * sw + kw] += dout[n, c, r, s] / (kh * kw)
    inner = (slice(None), slice(None), slice(ph, ph + 7), slice(pw, pw + 6))
    for layer, expected in ((nn.MaxPool2D(kernel, stride, padding), d_max), (nn.AvgPool2D(kernel, stride, padding), d_avg)):
        layer(x)
        np.testing.assert_allclose(layer.backward(dout), expected[inner], rtol=1e-12, atol=1e-14)


def test_maxpool_gives_the_gradient_to_the_first_of_equal_maxima():
    x = np.zeros((1, 1, 2, 2))
    pool = nn.MaxPool2D(2)
    pool(x)
    np.testing.assert_array_equal(pool.backward(np.ones((1, 1, 1, 1)))[0, 0], [[1, 0], [0, 0]])


def test_conv2d_layers_sharing_work_arrays_give_the_results_of_layers_run_alone():
    rng = np.random.default_rng(0)
    big, small = nn.Conv2D(3, 4, 3, rng=rng, padding=1), nn.Conv2D(2, 5, 5, rng=rng, padding=2, stride=2)
    xb, xs = images((4, 3, 9, 9)).astype(np.float32), images((2, 2, 6, 6), seed=1).astype(np.float32)
    alone = {}
    for name, layer, x in (("big", big, xb), ("small", small, xs)):
        out = layer(x).copy()
        dx = layer.backward(np.ones_like(out))
        alone[name] = (out, dx.copy(), layer.grads["W"].copy())
    out_b = big(xb).copy()                 # big forward ...
    out_s = small(xs).copy()               # ... small forward and backward in between ...
    dx_s = small.backward(np.ones_like(out_s))
    dx_b = big.backward(np.ones_like(out_b))  # ... then big backward
    for got, (out, dx, dW), layer in (((out_b, dx_b), alone["big"], big), ((out_s, dx_s), alone["small"], small)):
        np.testing.assert_array_equal(got[0], out)
        np.testing.assert_array_equal(got[1], dx)
        np.testing.assert_array_equal(layer.grads["W"], dW)
