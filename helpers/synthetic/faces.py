"""Synthetic, labelled face images and expression clips (seeded, documented), and perturbations.

No face data set ships with the workbook (and real ones such as FER-2013 or CK+ come with
licences and privacy questions), so this module *draws* small grey cartoon faces with numpy.
They are far cleaner and simpler than photographs: one frontal pose, no hair, glasses, skin
texture or background clutter, and expressions that are exact geometric changes of a few
parts. Accuracies measured on them do not carry over to real faces; what carries over is the
comparison of how different network types cope with the *same* nuisances (position, scale,
identity, lighting, noise) and with perturbations at test time.

How a face is drawn (:func:`make_faces`)
---------------------------------------
Coordinates are in *face units*: origin at the face centre, ``x`` to the right, ``y`` down,
one unit = the face's half-width ``s`` in pixels, ``s = 0.33 * size * scale``.

- **Face**: a filled ellipse with half-axes 1 and ``aspect`` (about 1.2), brightness ``skin``, on a
  dark background (0.1), with a darker outline.
- **Eyes**: filled ellipses at ``(+-eye_x, eye_y)``, half-width ``eye_w``, half-height
  ``eye_w * openness``.
- **Brows**: thick line segments above the eyes from ``|x| = 0.12`` (inner end) to ``0.62`` (outer
  end) at height ``brow_y - raise``; the inner end sits ``slope / 2`` higher and the outer end
  ``slope / 2`` lower (``slope > 0``: inner ends up, as in sadness; ``< 0``: a frown).
- **Mouth**: a parabolic centre line ``y_c(x) = mouth_y - bend * ((x / w)^2 - 1/3)`` for
  ``|x| < w`` (``bend > 0``: corners up, a smile), with lips of half-thickness 0.07 on either side
  of an opening of half-height ``open * sqrt(1 - (x / w)^2)``; ``w = mouth_w * width``.

Every edge is anti-aliased over one pixel. An expression sets five numbers; with intensity
``a`` in [0, 1] each is ``neutral + a * (target - neutral)``:

=========  =====  ======  =========  ===========  ===========
class      bend   open    width      openness     raise, slope
=========  =====  ======  =========  ===========  ===========
neutral    0      0       1          0.55         0, 0
happy      0.30   0.05    1.2        0.35         0.03, 0
sad        -0.25  0       0.9        0.45         0.05, 0.15
surprised  0      0.22    0.65       1.0          0.2, 0.05
angry      -0.12  0       0.8        0.35         -0.08, -0.18
=========  =====  ======  =========  ===========  ===========

Nuisance variation (all drawn from the generator passed in):

- **identity** traits of the person, scaled by ``identity``: face aspect, eye position and size,
  brow height and thickness, mouth position and width, skin brightness, and a *resting face*:
  offsets of the mouth bend (sd 0.06), brow slope (sd 0.05) and eye openness (sd 0.08) that are
  present even in the neutral expression;
- **position** jitter: the centre moves by up to ``jitter`` pixels in x and y (sub-pixel);
- **scale**: ``scale`` drawn uniformly from the given range;
- **lighting**: a gain in ``[1 - lighting/2, 1 + lighting/2]`` and a linear brightness ramp in a
  random direction whose total change across the image is up to ``lighting``;
- **noise**: additive Gaussian pixel noise with standard deviation ``noise``.

Clips (:func:`make_clips`) keep one person, pose and lighting over ``frames`` frames; the face
is neutral until the ``onset`` frame, then the intensity rises linearly to its apex over
``ramp`` frames and stays there; the head drifts by a small random walk (``motion`` pixels per
frame) and every frame gets fresh noise.

Perturbations for robustness tests: :func:`shift` (whole pixels, edge or constant fill),
:func:`add_noise` (Gaussian) and :func:`occlude` (one square patch per image at a random place).
Labels are balanced (class counts differ by at most one). Random numbers come only from the
``numpy.random.Generator`` passed in: the same generator state gives the same data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_float, check_int, check_memory, check_rng

#: The expression classes, in label order.
EXPRESSIONS: tuple[str, ...] = ("neutral", "happy", "sad", "surprised", "angry")

# target of each expression parameter per class (rows in EXPRESSIONS order)
_TARGETS = {
    "bend": np.array([0.0, 0.30, -0.25, 0.0, -0.12]),
    "open": np.array([0.0, 0.05, 0.0, 0.22, 0.0]),
    "width": np.array([1.0, 1.2, 0.9, 0.65, 0.8]),
    "openness": np.array([0.55, 0.35, 0.45, 1.0, 0.35]),
    "raise": np.array([0.0, 0.03, 0.05, 0.2, -0.08]),
    "slope": np.array([0.0, 0.0, 0.15, 0.05, -0.18]),
}

#: Memory model of the generators, in units of one float64 image: the result and the noise added to it
#: (2 per image), the broadcast arrays of one chunk of ``_CHUNK`` images while drawing (about 11 per image,
#: measured), and the per-image parameters.
_IMAGES_ALIVE, _CHUNK_IMAGES_ALIVE, _PARAM_BYTES = 2, 12, 256

BACKGROUND = 0.1   # background brightness before lighting
INK = 0.1          # brightness of eyes, brows and lips before lighting
_CHUNK = 1000      # images rendered at once (bounds the memory of the broadcast arrays)


@dataclass(frozen=True)
class Faces:
    """Labelled still faces.

    Attributes
    ----------
    images : ndarray of float64, shape (n, size, size)
        Grey values, about 0 (dark) to 1 (bright); noise and lighting can leave [0, 1].
    labels : ndarray of int64, shape (n,)
        Expression index into ``class_names``.
    intensity : ndarray of float64, shape (n,)
        Expression intensity ``a`` in [0, 1] of each face.
    class_names : tuple of str
        ``EXPRESSIONS``.
    """

    images: np.ndarray
    labels: np.ndarray
    intensity: np.ndarray
    class_names: tuple[str, ...] = EXPRESSIONS

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"Faces({len(self)} images of {self.images.shape[1]}x{self.images.shape[2]}, {len(self.class_names)} classes)"


@dataclass(frozen=True)
class Clips:
    """Labelled clips in which an expression develops from neutral.

    Attributes
    ----------
    frames : ndarray of float64, shape (n, T, size, size)
    labels : ndarray of int64, shape (n,)
    onset : ndarray of int64, shape (n,)
        First frame that differs from the neutral face (1 <= onset <= T - ramp).
    intensity : ndarray of float64, shape (n, T)
        Expression intensity in every frame (0 before the onset, the apex value from
        ``onset + ramp - 1`` on).
    class_names : tuple of str
    """

    frames: np.ndarray
    labels: np.ndarray
    onset: np.ndarray
    intensity: np.ndarray
    class_names: tuple[str, ...] = EXPRESSIONS

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        n, t, h, w = self.frames.shape
        return f"Clips({n} clips of {t} frames of {h}x{w}, {len(self.class_names)} classes)"


# ----------------------------------------------------------------------------- validation


def _check_range(value, name: str, owner: str, lo: float, hi: float) -> tuple[float, float]:
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    if ok:
        try:
            a, b = (check_float(v, name, owner, low=lo, high=hi) for v in value)
        except (TypeError, ValueError):
            ok = False
        else:
            ok = a <= b
    if not ok:
        raise ValueError(f"{owner}: {name} must be a pair (low, high) in [{lo:g}, {hi:g}] with low <= high; "
                         f"got {value!r}")
    return a, b


def _check_image_memory(owner: str, m: int, size: int, what: str, lower: str) -> None:
    """Refuse ``m`` images of ``size`` x ``size`` pixels beyond the memory limit (helpers.validation)."""
    per_image = 8 * size * size
    nbytes = per_image * (_IMAGES_ALIVE * m + _CHUNK_IMAGES_ALIVE * min(m, _CHUNK)) + _PARAM_BYTES * m
    check_memory(nbytes, owner, what, lower)


def _check_images(images, owner: str) -> np.ndarray:
    images = np.asarray(images, dtype=float)
    if images.ndim < 2:
        raise ValueError(f"{owner}: images must have shape (..., height, width); got {images.shape}")
    return images


# ----------------------------------------------------------------------------- drawing
def _soft(d: np.ndarray, pixel: np.ndarray) -> np.ndarray:
    """Coverage of a shape at signed distance ``d`` (negative inside), anti-aliased over one pixel."""
    return np.clip(0.5 - d / pixel, 0.0, 1.0)


def _draw(size: int, p: dict[str, np.ndarray]) -> np.ndarray:
    """Render m faces; every entry of ``p`` has shape (m,). Returns (m, size, size)."""
    col = lambda k: p[k][:, None, None]                                             # noqa: E731
    grid = np.arange(size, dtype=float)
    s = col("s")
    x = (grid[None, None, :] - col("cx")) / s                                        # face units
    y = (grid[None, :, None] - col("cy")) / s
    pixel = 1.0 / s                                                                  # one pixel in face units

    # face: filled ellipse with a darker outline
    q = np.sqrt(x ** 2 + (y / col("aspect")) ** 2)
    face = _soft(q - 1.0, pixel)
    outline = _soft(np.abs(q - 1.0) - 0.05, pixel)
    img = BACKGROUND + (col("skin") - BACKGROUND) * face
    img = img * (1 - 0.6 * outline) + 0.6 * outline * INK

    # eyes: ellipses at (+-eye_x, eye_y)
    ew = col("eye_w")
    eh = ew * col("openness")
    ax = np.abs(x)
    r = np.sqrt(((ax - col("eye_x")) / ew) ** 2 + ((y - col("eye_y")) / eh) ** 2)
    ink = _soft((r - 1.0) * eh, pixel)

    # brows: segments from |x| = 0.12 to 0.62, inner end raised by slope / 2
    u = (ax - 0.12) / 0.5
    brow_centre = col("brow_y") - col("raise") - col("slope") * (0.5 - u)
    along = np.maximum(np.abs(u - 0.5) - 0.5, 0.0) * 0.5                             # beyond the ends
    brow = _soft(np.maximum(np.abs(y - brow_centre) - col("brow_t"), along), pixel)
    ink = np.maximum(ink, brow)

    # mouth: parabolic centre line, lips of half-thickness 0.07 around an opening
    w = col("mouth_w") * col("width")
    t = np.clip(x / w, -1.0, 1.0)
    centre = col("mouth_y") - col("bend") * (t ** 2 - 1.0 / 3.0)
    gap = col("open") * np.sqrt(1.0 - t ** 2)
    mouth = _soft(np.maximum(np.abs(y - centre) - gap - 0.07, np.abs(x) - w), pixel)
    ink = np.maximum(ink, mouth)

    img = img * (1 - ink) + INK * ink

    # lighting: gain and a linear ramp across the image
    ramp = (np.cos(col("light_dir")) * (grid[None, None, :] / (size - 1) - 0.5)
            + np.sin(col("light_dir")) * (grid[None, :, None] / (size - 1) - 0.5))
    return col("gain") * img + col("light_ramp") * ramp


def _identities(m: int, rng: np.random.Generator, identity: float) -> dict[str, np.ndarray]:
    """Per-person traits (shape (m,) each), spread scaled by ``identity``."""
    z = lambda sd: identity * sd * rng.standard_normal(m)                           # noqa: E731
    return {
        "aspect": 1.2 + z(0.06),
        "eye_x": 0.40 + z(0.03),
        "eye_y": -0.18 + z(0.03),
        "eye_w": 0.17 + z(0.015),
        "brow_y": -0.45 + z(0.03),
        "brow_t": 0.06 + np.abs(z(0.015)),
        "mouth_y": 0.55 + z(0.03),
        "mouth_w": 0.42 + z(0.03),
        "skin": 0.75 + z(0.06),
        "rest_bend": z(0.06),
        "rest_slope": z(0.05),
        "rest_openness": z(0.08),
    }


def _expression(labels: np.ndarray, a: np.ndarray, traits: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The five expression numbers for labels (m,) at intensities a (m,), on top of the resting face."""
    out = {k: v[0] + a * (v[labels] - v[0]) for k, v in _TARGETS.items()}
    out["bend"] = out["bend"] + traits["rest_bend"]
    out["slope"] = out["slope"] + traits["rest_slope"]
    out["openness"] = np.maximum(out["openness"] + traits["rest_openness"], 0.15)
    return out


def _poses(m: int, rng: np.random.Generator, size: int, jitter: float, scale: tuple[float, float],
           lighting: float) -> dict[str, np.ndarray]:
    centre = (size - 1) / 2
    return {
        "cx": centre + rng.uniform(-jitter, jitter, m),
        "cy": centre + rng.uniform(-jitter, jitter, m),
        "s": 0.33 * size * rng.uniform(scale[0], scale[1], m),
        "gain": rng.uniform(1 - lighting / 2, 1 + lighting / 2, m),
        "light_dir": rng.uniform(0, 2 * np.pi, m),
        "light_ramp": rng.uniform(0, lighting, m),
    }


def _render(size: int, params: dict[str, np.ndarray]) -> np.ndarray:
    m = len(params["s"])
    out = np.empty((m, size, size))
    for start in range(0, m, _CHUNK):
        part = {k: v[start:start + _CHUNK] for k, v in params.items()}
        out[start:start + _CHUNK] = _draw(size, part)
    return out


def _balanced_labels(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n) % len(EXPRESSIONS)).astype(np.int64)


def _check_common(owner, size, intensity, jitter, scale, identity, noise, lighting):
    size = check_int(size, "size", owner, low=12, high=64)
    intensity = _check_range(intensity, "intensity", owner, 0.0, 1.0)
    jitter = check_float(jitter, "jitter", owner, low=0.0, high=size / 4)
    scale = _check_range(scale, "scale", owner, 0.5, 1.5)
    identity = check_float(identity, "identity", owner, low=0.0, high=3.0)
    noise = check_float(noise, "noise", owner, low=0.0, high=1.0)
    lighting = check_float(lighting, "lighting", owner, low=0.0, high=1.0)
    return size, intensity, jitter, scale, identity, noise, lighting


def _head_drift(n: int, frames: int, motion: float, rng: np.random.Generator) -> np.ndarray:
    """The head's random walk from the first frame, in pixels: shape (n, frames, 2) for (x, y)."""
    steps = motion * rng.standard_normal((n, frames, 2))
    steps[:, 0] = 0.0
    return np.cumsum(steps, axis=1)


def _clip_params(labels, a, traits, poses, drift) -> dict[str, np.ndarray]:
    """Drawing parameters of every frame (n * T rows): the clip's person and pose, the frame's
    expression intensity ``a`` (n, T) and the head's drift."""
    frames = a.shape[1]
    rep = lambda v: np.repeat(v, frames)                                                        # noqa: E731
    traits_f = {k: rep(v) for k, v in traits.items()}
    params = {**traits_f, **_expression(rep(labels), a.ravel(), traits_f), **{k: rep(v) for k, v in poses.items()}}
    params["cx"] = params["cx"] + drift[:, :, 0].ravel()
    params["cy"] = params["cy"] + drift[:, :, 1].ravel()
    return params


# ----------------------------------------------------------------------------- public generators
def make_faces(n: int, rng: np.random.Generator, *, size: int = 24, intensity: tuple[float, float] = (0.5, 1.0),
               jitter: float = 2.0, scale: tuple[float, float] = (0.85, 1.1), identity: float = 1.0,
               noise: float = 0.05, lighting: float = 0.3) -> Faces:
    """Draw ``n`` labelled faces, each a different random person, pose and lighting.

    Parameters
    ----------
    n : int in [1, 200000]
        Number of images; the labels are balanced (class counts differ by at most one).
    rng : numpy.random.Generator
        The only source of randomness.
    size : int in [12, 64], default 24
        Height and width of the images in pixels.
    intensity : (low, high) with 0 <= low <= high <= 1, default (0.5, 1.0)
        Expression intensity ``a``, drawn uniformly (0: neutral face, 1: full expression).
    jitter : float in [0, size / 4], default 2
        Maximum shift of the face centre from the image centre, in pixels, in x and in y.
    scale : (low, high) with 0.5 <= low <= high <= 1.5, default (0.85, 1.1)
        Face size factor, drawn uniformly (1: face half-width 0.33 * size pixels).
    identity : float in [0, 3], default 1
        Spread of the person traits (0: everybody has the same face and resting expression).
    noise : float in [0, 1], default 0.05
        Standard deviation of additive Gaussian pixel noise.
    lighting : float in [0, 1], default 0.3
        Strength of the random gain and brightness ramp.

    Returns
    -------
    Faces
        ``images`` of shape (n, size, size), ``labels`` and ``intensity`` of shape (n,).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or outside its range; the message names it and the range.
    MemoryLimitError
        The images would need more memory than the limit (see :mod:`helpers.validation`).
    """
    check_rng(rng, "make_faces")
    n = check_int(n, "n", "make_faces", low=1, high=200_000)
    size, intensity, jitter, scale, identity, noise, lighting = _check_common(
        "make_faces", size, intensity, jitter, scale, identity, noise, lighting)
    _check_image_memory("make_faces", n, size, f"{n} images of {size}x{size} pixels", "n or size")
    labels = _balanced_labels(n, rng)
    a = rng.uniform(intensity[0], intensity[1], n)
    traits = _identities(n, rng, identity)
    params = {**traits, **_expression(labels, a, traits), **_poses(n, rng, size, jitter, scale, lighting)}
    images = _render(size, params) + noise * rng.standard_normal((n, size, size))
    return Faces(images=images, labels=labels, intensity=a)


def make_clips(n: int, rng: np.random.Generator, *, frames: int = 8, ramp: int = 3, size: int = 24,
               intensity: tuple[float, float] = (0.5, 1.0), jitter: float = 2.0,
               scale: tuple[float, float] = (0.85, 1.1), identity: float = 1.0, noise: float = 0.05,
               lighting: float = 0.3, motion: float = 0.3) -> Clips:
    """Draw ``n`` clips in which a person's face goes from neutral to an expression.

    Frame ``t`` has intensity ``apex * clip((t - onset + 1) / ramp, 0, 1)``: neutral before
    ``onset``, rising over ``ramp`` frames, then held at the apex. The onset is drawn uniformly
    from ``1 .. frames - ramp``, so the first frame is always neutral and the apex is always
    reached. Neutral clips change nothing but pose and noise.

    Parameters
    ----------
    n : int in [1, 50000]
        Number of clips (balanced labels).
    rng : numpy.random.Generator
    frames : int in [2, 64], default 8
        Frames per clip, T.
    ramp : int in [1, frames - 1], default 3
        Frames from the onset to the apex.
    size, intensity, jitter, scale, identity, noise, lighting
        As in :func:`make_faces` (``intensity`` is the apex intensity; ``jitter`` places the
        face at the first frame).
    motion : float in [0, 2], default 0.3
        Standard deviation, in pixels, of the head's random-walk step from frame to frame.

    Returns
    -------
    Clips
        ``frames`` of shape (n, T, size, size), ``labels`` and ``onset`` of shape (n,),
        ``intensity`` of shape (n, T).

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or outside its range; the message names it and the range.
    MemoryLimitError
        The images would need more memory than the limit (see :mod:`helpers.validation`).
    """
    check_rng(rng, "make_clips")
    n = check_int(n, "n", "make_clips", low=1, high=50_000)
    frames = check_int(frames, "frames", "make_clips", low=2, high=64)
    ramp = check_int(ramp, "ramp", "make_clips", low=1, high=frames - 1)
    size, intensity, jitter, scale, identity, noise, lighting = _check_common(
        "make_clips", size, intensity, jitter, scale, identity, noise, lighting)
    motion = check_float(motion, "motion", "make_clips", low=0.0, high=2.0)
    _check_image_memory("make_clips", n * frames, size, f"{n} clips of {frames} frames of {size}x{size} pixels",
                        "n, frames or size")
    labels = _balanced_labels(n, rng)
    apex = rng.uniform(intensity[0], intensity[1], n)
    onset = rng.integers(1, frames - ramp + 1, n)
    traits = _identities(n, rng, identity)
    poses = _poses(n, rng, size, jitter, scale, lighting)
    t = np.arange(frames)
    a = apex[:, None] * np.clip((t[None, :] - onset[:, None] + 1) / ramp, 0.0, 1.0)          # (n, T)
    params = _clip_params(labels, a, traits, poses, _head_drift(n, frames, motion, rng))
    images = _render(size, params) + noise * rng.standard_normal((n * frames, size, size))
    return Clips(frames=images.reshape(n, frames, size, size), labels=labels, onset=onset.astype(np.int64),
                 intensity=a)


# ----------------------------------------------------------------------------- perturbations
def shift(images: np.ndarray, dx: int, dy: int, *, fill: str | float = "edge") -> np.ndarray:
    """Move images by whole pixels (``dx`` to the right, ``dy`` down); returns a new array.

    Parameters
    ----------
    images : ndarray, shape (..., H, W)
    dx : int with |dx| < W
    dy : int with |dy| < H
    fill : "edge" or float, default "edge"
        What enters at the border: the nearest edge pixel repeated, or a constant.

    Returns
    -------
    ndarray of float64, shape (..., H, W)
    """
    images = _check_images(images, "shift")
    h, w = images.shape[-2:]
    dx = check_int(dx, "dx", "shift", low=-(w - 1), high=w - 1)
    dy = check_int(dy, "dy", "shift", low=-(h - 1), high=h - 1)
    pad = [(0, 0)] * (images.ndim - 2) + [(max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0))]
    if isinstance(fill, str):
        if fill != "edge":
            raise ValueError(f"shift: fill must be 'edge' or a number; got {fill!r}")
        padded = np.pad(images, pad, mode="edge")
    else:
        fill = check_float(fill, "fill", "shift", low=-1e6, high=1e6)
        padded = np.pad(images, pad, mode="constant", constant_values=fill)
    top, left = max(-dy, 0), max(-dx, 0)
    return padded[..., top:top + h, left:left + w].copy()


def add_noise(images: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``sigma`` (in [0, 10]) to every pixel; returns a new array.

    Parameters
    ----------
    images : ndarray, shape (..., H, W)
    sigma : float in [0, 10]
    rng : numpy.random.Generator
    """
    images = _check_images(images, "add_noise")
    sigma = check_float(sigma, "sigma", "add_noise", low=0.0, high=10.0)
    check_rng(rng, "add_noise")
    return images + sigma * rng.standard_normal(images.shape)


def occlude(images: np.ndarray, patch: int, rng: np.random.Generator, *, value: float = 0.5) -> np.ndarray:
    """Cover one ``patch`` x ``patch`` square per image, placed uniformly at random inside it.

    Parameters
    ----------
    images : ndarray, shape (..., H, W)
        Each (H, W) image gets its own patch position.
    patch : int in [0, min(H, W)]
        Side of the square in pixels (0: no occlusion).
    rng : numpy.random.Generator
    value : float, default 0.5
        Grey value of the patch.

    Returns
    -------
    ndarray of float64, shape (..., H, W)
    """
    images = _check_images(images, "occlude")
    h, w = images.shape[-2:]
    patch = check_int(patch, "patch", "occlude", low=0, high=min(h, w))
    check_rng(rng, "occlude")
    value = check_float(value, "value", "occlude", low=-1e6, high=1e6)
    out = images.copy()
    flat = out.reshape(-1, h, w)
    tops = rng.integers(0, h - patch + 1, len(flat))
    lefts = rng.integers(0, w - patch + 1, len(flat))
    if patch > 0:
        rows = tops[:, None] + np.arange(patch)[None, :]                       # (m, patch)
        cols = lefts[:, None] + np.arange(patch)[None, :]
        flat[np.arange(len(flat))[:, None, None], rows[:, :, None], cols[:, None, :]] = value
    return out
