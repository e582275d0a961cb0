import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.widgets import explorer  # noqa: E402


def draw(power, label="x"):
    fig, ax = plt.subplots()
    ax.plot(np.linspace(0, 1, 20) ** power)
    ax.set_title(label)
    return fig


def test_explorer_draws_the_default_then_redraws_when_a_control_moves():
    ex = explorer(draw, power=(0.5, 3.0, 0.5, 1.0), label=["x", "y"])
    assert ex.values == {"power": 1.0, "label": "x"}
    assert ex.renders == 1
    first = ex.last_digest
    ex.set(power=2.5)
    assert ex.renders == 2 and ex.last_digest != first
    ex.set(power=1.0)
    assert ex.last_digest == first, "the same values must draw the same figure"
    assert not plt.get_fignums(), "the explorer must close its figures"


def test_integer_slider_and_default_in_the_middle():
    ex = explorer(lambda k: draw(k), k=(1, 9, 2))
    assert type(ex.controls["k"]).__name__ == "IntSlider" and ex.values == {"k": 5}


@pytest.mark.parametrize("spec, message", [
    ((3.0, 1.0, 0.1), "min < max"), ((0.0, 1.0, -0.1), "step must be positive"),
    ((0.0, 1.0, 0.1, 5.0), "outside"), ("nonsense", "cannot build a control"), ([], "cannot build")])
def test_bad_parameter_specs_are_explained(spec, message):
    with pytest.raises(ValueError, match=message):
        explorer(draw, power=spec)


def test_make_figure_must_return_a_figure_and_names_must_exist():
    with pytest.raises(TypeError, match="Figure"):
        explorer(lambda a: None, a=(0, 2, 1))
    ex = explorer(draw, power=(0.5, 3.0, 0.5, 1.0))
    with pytest.raises(ValueError, match="unknown parameter"):
        ex.set(colour=1)


def test_each_displayed_figure_carries_the_values_it_was_drawn_with(monkeypatch):
    import IPython.display

    shown = []

    class Handle:
        def update(self, obj, metadata=None):
            shown.append(metadata)

    def fake_display(obj, display_id=None, metadata=None, **kwargs):
        if display_id:
            shown.append(metadata)
            return Handle()
        return None

    monkeypatch.setattr(IPython.display, "display", fake_display)
    ex = explorer(draw, power=(0.5, 3.0, 0.5, 1.0), label=["x", "y"])
    ex.set(power=2.5, label="y")
    assert shown[0] == {"workbook": {"explorer": {"power": 1.0, "label": "x"}}}
    assert shown[-1] == {"workbook": {"explorer": {"power": 2.5, "label": "y"}}}
