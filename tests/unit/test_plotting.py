import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plotting  # noqa: E402


def test_style_applies():
    plotting.use_style()
    assert matplotlib.rcParams["figure.dpi"] == 80


def test_decision_regions_shade_by_the_predictor():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    fig, ax = plt.subplots()
    plotting.plot_decision_regions(ax, lambda P: (P[:, 0] > 0.5).astype(int), X, np.array([0, 1]))
    assert len(ax.collections) >= 3  # contour + two scatters
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\(n_samples, 2\)"):
        plotting.plot_decision_regions(ax, lambda P: P, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"^plot_decision_regions: resolution must be an integer >= 10; got 5$"):
        plotting.plot_decision_regions(ax, lambda P: P[:, 0] > 0, X, np.array([0, 1]), resolution=5)


def test_curves_history_confusion_and_grid():
    fig, axes = plt.subplots(1, 3)
    plotting.plot_validation_curve(axes[0], [1, 2, 3], np.ones((3, 4)), np.zeros((3, 4)), xlabel="k")
    plotting.plot_history(axes[1], {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2]})
    plotting.plot_confusion_matrix(axes[2], np.array([[5, 1], [0, 4]]), class_names=["a", "b"])
    assert len(axes[1].lines) == 2
    assert [t.get_text() for t in axes[2].texts] == ["5", "1", "0", "4"]
    with pytest.raises(ValueError, match="one row per parameter"):
        plotting.plot_validation_curve(axes[0], [1, 2], np.ones(3), np.ones(3), xlabel="k")
    with pytest.raises(ValueError, match="none of the keys"):
        plotting.plot_history(axes[1], {"acc": [1]})
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix(axes[2], np.ones((2, 3)))
    plt.close(fig)
    grid = plotting.image_grid(np.zeros((5, 4, 4)), titles=list("abcde"), ncols=3)
    assert len(grid.axes) == 6
    plt.close(grid)
    with pytest.raises(ValueError, match="height, width"):
        plotting.image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"^image_grid: ncols must be an integer >= 1; got 0$"):
        plotting.image_grid(np.zeros((5, 4, 4)), ncols=0)


def test_stored_figures_are_print_resolution_palette_pngs_with_their_smallest_font():
    import io

    from PIL import Image

    plotting.use_style()
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    ax.plot([0, 1], [0, 1], label="line")
    ax.legend(fontsize=7.5)
    ax.set_title("title", fontsize=12)
    data, metadata = plotting.figure_png(fig)
    plt.close(fig)
    image = Image.open(io.BytesIO(data))
    assert image.mode == "P", "stored figures use a palette to stay small"
    assert round(image.info["dpi"][0]) == plotting.PRINT_DPI
    assert metadata["workbook"] == {"dpi": plotting.PRINT_DPI, "smallest_font_pt": 7.5}
    screen = matplotlib.rcParams["figure.dpi"] / plotting.PRINT_DPI
    assert metadata["width"] == round(image.width * screen) and metadata["height"] == round(image.height * screen)
    assert image.width > 3.0 * plotting.PRINT_DPI, "a 4-inch figure (tight box) is over 3 inches wide at print dpi"
    empty = plt.figure()
    assert plotting.figure_png(empty) is None
    plt.close(empty)


def test_a_kernel_stores_figures_through_the_workbook_formatter():
    """In Jupyter, use_style's PNG formatter must survive the inline backend's own registration."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nfrom helpers.plotting import use_style\n"
                                          "use_style()"),
                nbformat.v4.new_code_cell("plt.plot([1, 2])\nplt.title('t', fontsize=8)")]
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    figures = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    assert len(figures) == 1
    assert figures[0].metadata["image/png"]["workbook"] == {"dpi": plotting.PRINT_DPI, "smallest_font_pt": 8.0}


def test_a_figure_too_wide_for_the_page_is_also_stored_redrawn_at_the_page_width():
    import base64
    import io

    from PIL import Image

    plotting.use_style()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.5))
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="line")
        ax.legend(fontsize=8)
    data, metadata = plotting.figure_png(fig)
    assert tuple(fig.get_size_inches()) == (13, 3.5), "the figure itself must keep its size"
    plt.close(fig)
    rendition = metadata["workbook"]["print"]
    image = Image.open(io.BytesIO(base64.b64decode(rendition["png"])))
    assert image.width / plotting.PRINT_DPI <= plotting.PAGE_WIDTH_IN + 0.01
    assert image.width / plotting.PRINT_DPI > plotting.PAGE_WIDTH_IN - 0.3, "redrawn at (about) the page width"
    assert rendition["smallest_font_pt"] == 8.0, "the text keeps its size"
    narrow, _ = plt.subplots(figsize=(6.4, 4.0))
    narrow.axes[0].plot([0, 1])
    assert "print" not in plotting.figure_png(narrow)[1]["workbook"], "a figure that fits needs no rendition"
    plt.close(narrow)


def test_no_print_rendition_when_the_labels_cannot_fit_the_page_width():
    plotting.use_style()
    fig, axes = plt.subplots(1, 8, figsize=(16, 3.0))
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_title("a long title that cannot fit", fontsize=10)
        ax.set_ylabel("a long axis label", fontsize=10)
    _, metadata = plotting.figure_png(fig)
    plt.close(fig)
    assert "print" not in metadata["workbook"], "a rendition with overlapping labels must not be stored"
    assert metadata["workbook"]["smallest_font_pt"] == 10.0


def test_twin_axes_share_a_panel_and_do_not_collide():
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot([0, 1], [0, 1])
    ax.twinx().plot([0, 1], [1, 0])
    fig.canvas.draw()
    assert not plotting.labels_collide(fig)
    plt.close(fig)
