"""helpers.synthetic.faces: the seeded synthetic-face generator, the clips and the perturbations."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from helpers.synthetic import faces
from helpers.synthetic.faces import EXPRESSIONS, Clips, Faces, add_noise, make_clips, make_faces, occlude, shift


@pytest.fixture(scope="module")
def still() -> Faces:
    return make_faces(203, np.random.default_rng(0))


@pytest.fixture(scope="module")
def clips() -> Clips:
    return make_clips(41, np.random.default_rng(0), frames=6, ramp=2)


def test_same_seed_same_data_other_seed_other_data(still, clips):
    again = make_faces(203, np.random.default_rng(0))
    np.testing.assert_array_equal(still.images, again.images)
    np.testing.assert_array_equal(still.labels, again.labels)
    np.testing.assert_array_equal(still.intensity, again.intensity)
    assert not np.array_equal(still.images, make_faces(203, np.random.default_rng(1)).images)
    clips_again = make_clips(41, np.random.default_rng(0), frames=6, ramp=2)
    for name in ("frames", "labels", "onset", "intensity"):
        np.testing.assert_array_equal(getattr(clips, name), getattr(clips_again, name), err_msg=name)


def test_shapes_dtypes_and_repr(still, clips):
    assert still.images.shape == (203, 24, 24) and still.images.dtype == np.float64
    assert still.labels.shape == (203,) and still.labels.dtype == np.int64
    assert still.intensity.shape == (203,) and len(still) == 203
    assert still.class_names == EXPRESSIONS == ("neutral", "happy", "sad", "surprised", "angry")
    assert "203 images of 24x24" in repr(still)
    assert clips.frames.shape == (41, 6, 24, 24) and clips.labels.shape == (41,)
    assert clips.onset.shape == (41,) and clips.intensity.shape == (41, 6)
    assert "41 clips of 6 frames" in repr(clips)
    assert make_faces(7, np.random.default_rng(0), size=16).images.shape == (7, 16, 16)


def test_labels_are_balanced(still, clips):
    counts = np.bincount(still.labels, minlength=5)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 203
    counts = np.bincount(clips.labels, minlength=5)
    assert counts.max() - counts.min() <= 1
    assert len(set(still.labels[:20].tolist())) > 1, "labels must be shuffled, not in blocks"


def test_values_and_intensity_ranges(still):
    assert 0.5 <= still.intensity.min() and still.intensity.max() <= 1.0
    assert -0.5 < still.images.min() and still.images.max() < 1.6
    clean = make_faces(50, np.random.default_rng(3), noise=0.0, lighting=0.0)
    assert clean.images.min() >= faces.INK - 1e-12 and clean.images.max() <= 1.0
    # the corners are background, the centre is face (no jitter, no lighting, no noise)
    plain = make_faces(10, np.random.default_rng(3), noise=0.0, lighting=0.0, jitter=0.0)
    np.testing.assert_allclose(plain.images[:, 0, 0], faces.BACKGROUND)
    assert (plain.images[:, 12, 5] > 0.4).all()


def test_expressions_change_the_drawn_parts():
    # one person (identity 0), no nuisance: the classes differ only where the parts move
    kw = dict(identity=0.0, noise=0.0, lighting=0.0, jitter=0.0, scale=(1.0, 1.0), intensity=(1.0, 1.0))
    f = make_faces(5, np.random.default_rng(0), **kw)
    proto = {EXPRESSIONS[k]: f.images[f.labels == k][0] for k in range(5)}
    neutral = proto["neutral"]
    for name in EXPRESSIONS[1:]:
        assert np.abs(proto[name] - neutral).sum() > 3.0, name
    # surprise opens the mouth: more dark pixels in the lower face than neutral
    lower = slice(15, 22)
    assert (proto["surprised"][lower] < 0.4).sum() > (neutral[lower] < 0.4).sum()
    # intensity 0 draws the neutral face for every class
    zero = make_faces(10, np.random.default_rng(1), **{**kw, "intensity": (0.0, 0.0)})
    np.testing.assert_allclose(zero.images, zero.images[0:1].repeat(10, axis=0), atol=1e-12)


def test_clips_develop_from_neutral(clips):
    ramp, frames = 2, 6
    assert clips.onset.min() >= 1 and clips.onset.max() <= frames - ramp
    np.testing.assert_array_equal(clips.intensity[:, 0], 0.0)
    t = np.arange(frames)
    for i in range(len(clips)):
        before = t < clips.onset[i]
        assert (clips.intensity[i, before] == 0).all()
        apex = clips.intensity[i, -1]
        assert 0.5 <= apex <= 1.0
        assert np.all(np.diff(clips.intensity[i]) >= 0)
        assert clips.intensity[i, clips.onset[i] + ramp - 1] == pytest.approx(apex)
    # without noise and motion, frames before the onset are identical; the last frame differs (non-neutral)
    still_clips = make_clips(10, np.random.default_rng(2), frames=5, ramp=2, noise=0.0, motion=0.0)
    for i in range(10):
        np.testing.assert_allclose(still_clips.frames[i, 0], still_clips.frames[i, still_clips.onset[i] - 1])
        changed = np.abs(still_clips.frames[i, -1] - still_clips.frames[i, 0]).sum()
        assert (changed > 1.0) == (still_clips.labels[i] != 0), (i, changed)


def test_shift_moves_pixels_and_fills_the_border():
    img = np.arange(20.0).reshape(4, 5)
    right = shift(img, 2, 0)
    np.testing.assert_array_equal(right[:, 2:], img[:, :3])
    np.testing.assert_array_equal(right[:, :2], img[:, :1].repeat(2, axis=1))      # edge fill
    up = shift(img, 0, -1, fill=-1.0)
    np.testing.assert_array_equal(up[:3], img[1:])
    np.testing.assert_array_equal(up[3], -1.0)
    np.testing.assert_array_equal(shift(img, 0, 0), img)
    batch = np.stack([img, img + 100])
    np.testing.assert_array_equal(shift(batch, -1, 1)[1], shift(img + 100, -1, 1))
    assert shift(img, 1, 0) is not img and img[0, 0] == 0.0


def test_noise_and_occlusion():
    imgs = np.zeros((200, 10, 10))
    noisy = add_noise(imgs, 0.3, np.random.default_rng(0))
    assert noisy.std() == pytest.approx(0.3, rel=0.05) and imgs.max() == 0.0
    np.testing.assert_array_equal(noisy, add_noise(imgs, 0.3, np.random.default_rng(0)))
    covered = occlude(imgs, 4, np.random.default_rng(0), value=1.0)
    assert (covered.sum(axis=(1, 2)) == 16).all()                                  # one 4x4 square each
    rows = np.flatnonzero(covered[0].any(axis=1))
    cols = np.flatnonzero(covered[0].any(axis=0))
    assert len(rows) == 4 and np.all(np.diff(rows) == 1) and len(cols) == 4 and np.all(np.diff(cols) == 1)
    assert not np.array_equal(covered[0], covered[1]) or not np.array_equal(covered[1], covered[2])
    np.testing.assert_array_equal(occlude(imgs, 0, np.random.default_rng(0)), imgs)
    np.testing.assert_array_equal(occlude(imgs, 10, np.random.default_rng(0), value=2.0), 2.0)
    assert occlude(np.zeros((3, 2, 8, 8)), 3, np.random.default_rng(0)).shape == (3, 2, 8, 8)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n=0), ValueError, "n"), (dict(size=8), ValueError, "size"), (dict(size=24.0), TypeError, "size"),
    (dict(intensity=(0.8, 0.2)), ValueError, "intensity"), (dict(intensity=(0.0, 1.5)), ValueError, "intensity"),
    (dict(intensity="high"), ValueError, "intensity"), (dict(jitter=-1.0), ValueError, "jitter"),
    (dict(jitter=7.0), ValueError, "jitter"), (dict(scale=(0.2, 1.0)), ValueError, "scale"),
    (dict(identity=4.0), ValueError, "identity"), (dict(noise=-0.1), ValueError, "noise"),
    (dict(lighting=2.0), ValueError, "lighting"), (dict(noise=float("nan")), ValueError, "noise"),
])
def test_make_faces_rejects_bad_parameters(kwargs, error, name):
    args = {"n": 10, **kwargs}
    with pytest.raises(error, match=rf"^make_faces: {name} must .*\[.*; got "):
        make_faces(args.pop("n"), np.random.default_rng(0), **args)


@pytest.mark.parametrize("kwargs, name", [
    (dict(frames=1), "frames"), (dict(ramp=0), "ramp"), (dict(frames=4, ramp=4), "ramp"), (dict(motion=3.0), "motion"),
    (dict(n=60000), "n"),
])
def test_make_clips_rejects_bad_parameters(kwargs, name):
    args = {"n": 10, **kwargs}
    with pytest.raises(ValueError, match=rf"^make_clips: {name} must .*\[.*; got "):
        make_clips(args.pop("n"), np.random.default_rng(0), **args)


def test_perturbations_reject_bad_parameters():
    imgs = np.zeros((2, 8, 8))
    with pytest.raises(ValueError, match=r"^shift: dx must be an integer in \[-7, 7\]; got 8$"):
        shift(imgs, 8, 0)
    with pytest.raises(TypeError, match=r"^shift: dy must be an integer in \[-7, 7\]; got 1.5 \(float\)$"):
        shift(imgs, 0, 1.5)
    with pytest.raises(ValueError, match="^shift: fill must be 'edge' or a number; got 'wrap'$"):
        shift(imgs, 1, 0, fill="wrap")
    with pytest.raises(ValueError, match=r"^add_noise: sigma must be a finite number in \[0, 10\]; got -0.1$"):
        add_noise(imgs, -0.1, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^occlude: patch must be an integer in \[0, 8\]; got 9$"):
        occlude(imgs, 9, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"^shift: images must have shape \(..., height, width\)"):
        shift(np.zeros(5), 1, 0)
    with pytest.raises(TypeError, match="Generator"):
        make_faces(5, np.random.RandomState(0))
    with pytest.raises(TypeError, match="Generator"):
        occlude(imgs, 2, 0)


def test_randomness_only_from_the_generator_passed_in():
    np.random.seed(0)
    a = make_faces(20, np.random.default_rng(5)).images
    np.random.seed(1)
    b = make_faces(20, np.random.default_rng(5)).images
    np.testing.assert_array_equal(a, b)


def test_public_functions_document_their_parameters_and_shapes():
    for fn in (make_faces, make_clips, shift, add_noise, occlude):
        doc = inspect.getdoc(fn)
        assert doc and "Parameters" in doc, fn.__name__
        for name in inspect.signature(fn).parameters:
            assert name in doc, f"{fn.__name__}: parameter {name!r} is not documented"
        assert "shape" in doc, fn.__name__
    assert "(n, size, size)" in inspect.getdoc(Faces) and "(n, T, size, size)" in inspect.getdoc(Clips)
