"""One plot style for the whole workbook and the plots several notebooks share.

Call :func:`use_style` once at the top of a notebook. Every function draws on a matplotlib
``Axes`` it is given (or makes a figure and returns it), so notebooks can compose them.

Figures are stored as PNG drawn at :data:`PRINT_DPI` (so they print sharply at their natural
size) with a 256-colour palette (so a notebook stays about as small as at screen resolution).
Each stored figure's metadata says how JupyterLab should size it on screen (the size at
``figure.dpi``) and, under ``"workbook"``, its resolution and the smallest font size drawn in it,
which the export uses to check that the figure stays legible in print. A figure too wide for its
text to stay legible when scaled to the page (a row of panels 13 inches wide, say) is also stored
redrawn at the page width, its text at full size; the export prints that rendition.
"""
from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .validation import check_int

#: Colour cycle (colour-blind friendly, Okabe-Ito).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "figure.autolayout": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "image.cmap": "viridis",
    "svg.hashsalt": "workbook",
}


#: Resolution of stored figures: at least 150 dpi when printed at their natural size or smaller.
PRINT_DPI = 160
#: Colours kept in a stored figure (a palette PNG is about a third of the size of a full-colour one).
PALETTE_COLOURS = 256
#: Width of a printed A4 page's content (210 mm less two 14 mm margins), in inches.
PAGE_WIDTH_IN = (210 - 2 * 14) / 25.4
#: A figure whose smallest text would print under this size when scaled to the page width is also
#: stored redrawn at the page width (its "print rendition"), so the export can print it legibly.
PRINT_FONT_PT = 7.0


def use_style() -> None:
    """Apply the workbook style; in Jupyter, store figures as print-resolution PNG (see the module docstring)."""
    mpl.rcParams.update(STYLE)
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            # load the inline backend now: loading it later (at the first figure) would register
            # Jupyter's own PNG formatter over this one
            plt.switch_backend(mpl.get_backend())
            ip.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
            ip.display_formatter.formatters["image/png"].for_type(plt.Figure, figure_png)
    except ImportError:  # pragma: no cover - IPython is always installed with the workbook
        pass


def figure_png(fig: plt.Figure) -> tuple[bytes, dict[str, Any]] | None:
    """The figure as a palette PNG at :data:`PRINT_DPI`, with its display and print metadata.

    Returns None for an empty figure (no axes, no lines), as Jupyter's own formatter does.
    The metadata's ``width``/``height`` keep the on-screen size that ``figure.dpi`` gives;
    ``workbook`` holds ``dpi`` and ``smallest_font_pt`` (the smallest text drawn, in points at
    the figure's natural size; None when it draws no text), and for a figure too wide to print
    legibly, ``print``: the figure redrawn at the page width (see :func:`print_rendition`).
    """
    if not fig.axes and not fig.lines:
        return None
    data, (width, height), smallest = palette_png(fig)
    screen = fig.dpi / PRINT_DPI
    workbook: dict[str, Any] = {"dpi": PRINT_DPI, "smallest_font_pt": smallest}
    width_in = width / PRINT_DPI
    if smallest and width_in > PAGE_WIDTH_IN and smallest * PAGE_WIDTH_IN / width_in < PRINT_FONT_PT:
        rendition = print_rendition(fig, width_in)
        if rendition is not None:
            workbook["print"] = rendition
    return data, {"width": round(width * screen), "height": round(height * screen), "workbook": workbook}


def print_rendition(fig: plt.Figure, width_in: float) -> dict[str, Any] | None:
    """The figure redrawn at the printed page's width, its text at full size (the figure is restored).

    Returns ``{"png": base64 palette PNG at PRINT_DPI, "smallest_font_pt": ...}``, or None when the
    layout cannot fit the labels at that width (labels would overlap; the export then scales the
    figure itself down and says if its text gets too small). The panels get narrower, and lower by
    the square root of that factor (so they keep some of their shape without taking the page's
    height); the layout engine (``figure.autolayout``) re-fits the labels.
    """
    original = fig.get_size_inches().copy()
    height = original[1] * min(1.0, PAGE_WIDTH_IN / width_in) ** 0.5
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            drawn = width_in
            for _ in range(3):  # the tight box does not shrink exactly with the figure: correct twice
                fig.set_size_inches(fig.get_size_inches()[0] - (drawn - PAGE_WIDTH_IN) - 0.02, height)
                data, (width, _), smallest = palette_png(fig)
                drawn = width / PRINT_DPI
                if drawn <= PAGE_WIDTH_IN:
                    break
            collide = labels_collide(fig)
    finally:
        fig.set_size_inches(original)
    if collide or drawn > PAGE_WIDTH_IN + 0.05 or any("layout" in str(w.message).lower() for w in caught):
        return None
    return {"png": base64.b64encode(data).decode("ascii"), "smallest_font_pt": smallest}


def labels_collide(fig: plt.Figure, tolerance_px: float = 2.0) -> bool:
    """True when two panels' boxes, labels and titles included, overlap (as drawn last); the two
    axes of a ``twinx``/``twiny`` pair share a panel."""
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    boxes = [(np.round(ax.get_position().bounds, 3).tolist(), ax.get_tightbbox(renderer)) for ax in axes]
    for i, (place_a, a) in enumerate(boxes):
        for place_b, b in boxes[i + 1:]:
            if a is None or b is None or place_a == place_b:
                continue
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > tolerance_px and height > tolerance_px:
                return True
    return False


def palette_png(fig: plt.Figure) -> tuple[bytes, tuple[int, int], float | None]:
    """The figure as a palette PNG at :data:`PRINT_DPI`, its size in pixels, and its smallest text (points)."""
    from PIL import Image

    full_colour, font_sizes = _draw_png(fig, PRINT_DPI)
    image = Image.open(io.BytesIO(full_colour))
    palette = image.convert("RGB").quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
    return out.getvalue(), image.size, min(font_sizes) if font_sizes else None


def _draw_png(fig: plt.Figure, dpi: float) -> tuple[bytes, list[float]]:
    """PNG bytes of ``fig`` (tight bounding box, as Jupyter draws it) and the size of every text drawn."""
    from matplotlib.backends.backend_agg import RendererAgg

    sizes: list[float] = []
    original = RendererAgg.draw_text

    def recording(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            sizes.append(float(prop.get_size_in_points()))
        return original(self, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    RendererAgg.draw_text = recording
    try:
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, bbox_inches="tight",
                    facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    finally:
        RendererAgg.draw_text = original
    return out.getvalue(), sizes


def _check_2d(X: np.ndarray, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n_samples, 2) to be drawn in the plane; got {X.shape}")
    return X


def plot_decision_regions(ax: plt.Axes, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                          y: np.ndarray, *, class_names: Sequence[str] | None = None,
                          resolution: int = 200, margin: float = 0.5,
                          xlim: tuple[float, float] | None = None,
                          ylim: tuple[float, float] | None = None,
                          feature_names: Sequence[str] = ("x1", "x2")) -> plt.Axes:
    """Shade the plane by ``predict`` and scatter the labelled points.

    Parameters
    ----------
    predict : callable mapping an array of shape (m, 2) to labels of shape (m,)
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,) of integer labels 0..K-1
    """
    X = _check_2d(X)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"y must have one label per row of X; got {len(y)} labels for {len(X)} rows")
    resolution = check_int(resolution, "resolution", "plot_decision_regions", low=10)
    x_lo, x_hi = xlim or (X[:, 0].min() - margin, X[:, 0].max() + margin)
    y_lo, y_hi = ylim or (X[:, 1].min() - margin, X[:, 1].max() + margin)
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))
    labels = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(labels)])).astype(int)
    cmap = mpl.colors.ListedColormap([PALETTE[k % len(PALETTE)] for k in range(classes.max() + 1)])
    ax.contourf(gx, gy, labels, levels=np.arange(classes.max() + 2) - 0.5, cmap=cmap, alpha=0.18)
    for k in np.unique(y).astype(int):
        name = class_names[k] if class_names is not None else f"class {k}"
        ax.scatter(*X[y == k].T, color=PALETTE[k % len(PALETTE)], edgecolor="k", s=40, label=name)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    return ax


def plot_validation_curve(ax: plt.Axes, param_values: Sequence[float], train_scores: np.ndarray,
                          val_scores: np.ndarray, *, xlabel: str, ylabel: str = "error",
                          log_x: bool = False, chosen: float | None = None) -> plt.Axes:
    """Train and validation score against one complexity parameter.

    ``train_scores`` and ``val_scores`` have shape (n_values,) or (n_values, n_folds); with folds
    the mean is drawn and the spread (one standard deviation) is shaded.
    """
    x = np.asarray(param_values, dtype=float)
    for scores, label, colour in ((train_scores, "train", PALETTE[0]), (val_scores, "validation", PALETTE[1])):
        s = np.asarray(scores, dtype=float)
        if s.shape[0] != len(x):
            raise ValueError(f"{label} scores must have one row per parameter value ({len(x)}); got {s.shape}")
        mean = s.mean(axis=1) if s.ndim == 2 else s
        ax.plot(x, mean, "o-", color=colour, label=label, ms=4)
        if s.ndim == 2:
            ax.fill_between(x, mean - s.std(axis=1), mean + s.std(axis=1), color=colour, alpha=0.2)
    if chosen is not None:
        ax.axvline(chosen, color="0.3", ls="--", lw=1, label="chosen")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax


def plot_learning_curve(ax: plt.Axes, train_sizes: Sequence[int], train_scores: np.ndarray,
                        val_scores: np.ndarray, *, ylabel: str = "error", title: str | None = None) -> plt.Axes:
    """Train and validation score against the number of training examples (shapes as above)."""
    plot_validation_curve(ax, train_sizes, train_scores, val_scores, xlabel="training examples", ylabel=ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_history(ax: plt.Axes, history: Mapping[str, Sequence[float]] | object, *,
                 keys: Sequence[str] = ("loss", "val_loss"), title: str | None = None,
                 log_y: bool = False) -> plt.Axes:
    """Per-epoch curves from a training history (a mapping or an object with those attributes)."""
    drawn = 0
    for key in keys:
        values = history.get(key) if isinstance(history, Mapping) else getattr(history, key, None)
        if values is None or len(values) == 0:
            continue
        ax.plot(np.arange(1, len(values) + 1), values, label=key.replace("_", " "))
        drawn += 1
    if drawn == 0:
        raise ValueError(f"history has none of the keys {list(keys)}")
    ax.set_xlabel("epoch")
    if log_y:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_confusion_matrix(ax: plt.Axes, cm: np.ndarray, *, class_names: Sequence[str] | None = None,
                          normalize: bool = False, title: str | None = None) -> plt.Axes:
    """Confusion matrix (rows: true class, columns: predicted class) with counts in the cells."""
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square matrix; got shape {cm.shape}")
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    ax.imshow(shown, cmap="Blues", vmin=0)
    ax.grid(False)
    k = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"class_names must have {k} entries; got {len(names)}")
    ax.set_xticks(range(k), names, rotation=45 if max(len(n) for n in names) > 3 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = shown.max() / 2 if shown.max() > 0 else 1
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else f"{int(cm[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > threshold else "black")
    if title:
        ax.set_title(title)
    return ax


def image_grid(images: np.ndarray, *, titles: Sequence[str] | None = None, ncols: int = 8,
               cmap: str = "gray_r", size: float = 1.1, suptitle: str | None = None) -> plt.Figure:
    """A grid of small grey images; returns the figure.

    Parameters
    ----------
    images : ndarray, shape (n, height, width)
    titles : n strings or None
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width); got {images.shape}")
    ncols = check_int(ncols, "ncols", "image_grid", low=1)
    n = len(images)
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles must have one entry per image ({n}); got {len(titles)}")
    ncols = min(ncols, max(n, 1))
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.3 if titles else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig
