"""Slider explorers that work in JupyterLab, under nbval and in static exports.

``explorer(make_figure, x1=(0.0, 5.0, 0.1, 2.33), bins=[2, 3, 4])`` builds one control per
parameter, shows the controls, and displays ``make_figure(**defaults)`` as an ordinary figure
output. Moving a control redraws that same output in place (``display_id``), so

- the default figure is stored in the notebook and visible in HTML/PDF exports without a kernel;
- every figure it displays carries the values it was drawn with in its output metadata
  (``{"workbook": {"explorer": {name: value}}}``), so an export of a notebook saved after a
  student moved a slider prints the values that go with the figure;
- nothing is printed from a widget callback (nbval compares outputs and cannot follow them);
- tests can call :meth:`Explorer.set` and look at :attr:`Explorer.renders`.

``make_figure`` must return a matplotlib figure; the explorer closes it after displaying it.

Parameter specifications
------------------------
``(min, max, step)`` or ``(min, max, step, default)``
    a slider: integer slider when all numbers are ints, float slider otherwise
    (default: the middle of the range, rounded to a step).
list or tuple of options (strings or mixed)
    a dropdown; the first option is the default.
``bool``
    a checkbox.
an ipywidgets ``ValueWidget``
    used as it is.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt


def _control(name: str, spec: Any):
    import ipywidgets as w

    style = {"description_width": "initial"}
    layout = w.Layout(width="420px")
    if isinstance(spec, w.ValueWidget):
        return spec
    if isinstance(spec, bool):
        return w.Checkbox(value=spec, description=name, style=style)
    if isinstance(spec, tuple) and len(spec) in (3, 4) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec):
        lo, hi, step = spec[:3]
        if not lo < hi:
            raise ValueError(f"parameter {name!r}: slider needs min < max; got min={lo}, max={hi}")
        if step <= 0:
            raise ValueError(f"parameter {name!r}: slider step must be positive; got {step}")
        default = spec[3] if len(spec) == 4 else lo + round((hi - lo) / 2 / step) * step
        if not lo <= default <= hi:
            raise ValueError(f"parameter {name!r}: default {default} is outside [{lo}, {hi}]")
        if all(isinstance(v, int) for v in spec):
            return w.IntSlider(value=default, min=lo, max=hi, step=step, description=name,
                               continuous_update=False, style=style, layout=layout)
        decimals = max(0, len(f"{step:g}".split(".")[1]) if "." in f"{step:g}" else 0)
        return w.FloatSlider(value=default, min=lo, max=hi, step=step, description=name,
                             readout_format=f".{decimals}f", continuous_update=False,
                             style=style, layout=layout)
    if isinstance(spec, (list, tuple)) and len(spec) > 0:
        return w.Dropdown(options=list(spec), value=spec[0], description=name, style=style)
    raise ValueError(
        f"parameter {name!r}: cannot build a control from {spec!r}; give (min, max, step[, default]), "
        f"a non-empty list of options, a bool, or an ipywidgets control")


#: How the one-line text stand-in of an explorer's controls starts (the exports recognise it by this).
CONTROLS_LINE_START = "Explorer controls:"

class Explorer:
    """Controls plus one figure output that follows them. Build it with :func:`explorer`."""

    def __init__(self, make_figure: Callable[..., plt.Figure], controls: dict[str, Any]):
        self.make_figure = make_figure
        self.controls = controls
        #: how many figures have been drawn, and a digest of the last one's pixels
        self.renders = 0
        self.last_digest = ""
        self._handle = None

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values."""
        return {name: c.value for name, c in self.controls.items()}

    def figure(self, **values: Any) -> plt.Figure:
        """Draw (and close) the figure for ``values``; unknown names raise ValueError."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)}; the explorer has {list(self.controls)}")
        fig = self.make_figure(**{**self.values, **values})
        if not isinstance(fig, plt.Figure):
            raise TypeError(f"make_figure must return a matplotlib Figure; got {type(fig).__name__}")
        plt.close(fig)
        pixels = io.BytesIO()
        fig.savefig(pixels, format="rgba")
        self.renders += 1
        self.last_digest = hashlib.sha1(pixels.getvalue()).hexdigest()[:12]
        return fig

    def describe(self) -> str:
        """One line naming the controls and their values, shown where the controls cannot be drawn."""
        values = ", ".join(f"{name} = {value}" for name, value in self.values.items())
        return f"{CONTROLS_LINE_START} {values} (run the notebook to move them)"

    def show(self) -> None:
        """Display the controls and the default figure.

        The controls' text form (what a viewer without widgets, or a notebook opened before it runs,
        shows) is :meth:`describe`, not the ``VBox(children=...)`` representation.
        """
        import ipywidgets as w
        from IPython.display import display

        bundle = w.VBox(list(self.controls.values()))._repr_mimebundle_()
        bundle["text/plain"] = self.describe()
        display(bundle, raw=True)
        self._handle = display(self.figure(), metadata=self.figure_metadata(), display_id=True)
        for control in self.controls.values():
            control.observe(self._redraw, names="value")

    def _redraw(self, _change: Any = None) -> None:
        fig = self.figure()
        if self._handle is not None:
            self._handle.update(fig, metadata=self.figure_metadata())

    def shown_values(self) -> dict[str, Any]:
        """The controls' values as a reader sees them (a dropdown's label), JSON-ready."""
        shown = {}
        for name, control in self.controls.items():
            label = getattr(control, "label", None)
            value = label if isinstance(label, str) else control.value
            shown[name] = value if isinstance(value, (bool, int, float, str)) else str(value)
        return shown

    def figure_metadata(self) -> dict[str, Any]:
        """Output metadata stored with each displayed figure: the values it was drawn with."""
        return {"workbook": {"explorer": self.shown_values()}}

    def set(self, **values: Any) -> None:
        """Move controls programmatically (as a student would), redrawing once per control."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"unknown parameter {name!r}; the explorer has {list(self.controls)}")
            self.controls[name].value = value

    def __repr__(self) -> str:
        return f"Explorer({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"


def explorer(make_figure: Callable[..., plt.Figure], **params: Any) -> Explorer:
    """Build, display and return a slider explorer (see the module docstring).

    Assign the result (``ex = explorer(...)``) so the cell shows the explorer only once.
    """
    if not callable(make_figure):
        raise TypeError(f"make_figure must be callable; got {type(make_figure).__name__}")
    if not params:
        raise ValueError("give at least one parameter, e.g. explorer(draw, lr=(0.001, 0.1, 0.001))")
    ex = Explorer(make_figure, {name: _control(name, spec) for name, spec in params.items()})
    ex.show()
    return ex

