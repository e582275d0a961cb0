"""Model summary: per-layer output shape, parameter count and multiply-adds."""

from __future__ import annotations

import html

from .core import Module


def count_params(model: Module) -> int:
    """Number of trainable parameters (array entries) in ``model``."""
    return int(sum(p.size for _, p in model.named_parameters()))


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


class Summary:
    """Table returned by :func:`summary`; ``print(s)`` or show it in a notebook.

    Attributes
    ----------
    rows : list of dict
        Keys ``name`` (dotted path in the model), ``layer``, ``output_shape``
        (one sample, no batch axis), ``params``, ``macs``.
    input_shape : tuple
    total_params, total_macs : int
    output_shape : tuple
    """

    def __init__(self, rows: list[dict], input_shape: tuple[int, ...], output_shape: tuple[int, ...]) -> None:
        self.rows = rows
        self.input_shape = tuple(input_shape)
        self.output_shape = tuple(output_shape)
        self.total_params = int(sum(r["params"] for r in rows))
        self.total_macs = int(sum(r["macs"] for r in rows))

    def _table(self) -> tuple[list[str], list[list[str]], list[str]]:
        head = ["name", "layer", "output shape", "params", "MACs"]
        body = [[r["name"], r["layer"], _fmt_shape(r["output_shape"]), f"{r['params']:,}", f"{r['macs']:,}"]
                for r in self.rows]
        foot = ["total", f"input {_fmt_shape(self.input_shape)}", _fmt_shape(self.output_shape),
                f"{self.total_params:,}", f"{self.total_macs:,}"]
        return head, body, foot

    def __str__(self) -> str:
        head, body, foot = self._table()
        widths = [max(len(row[i]) for row in [head, *body, foot]) for i in range(len(head))]
        right = {3, 4}

        def line(row):
            return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip()
        rule = "-" * len(line(head))
        return "\n".join([line(head), rule, *map(line, body), rule, line(foot)])

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        head, body, foot = self._table()

        def row(cells, tag):
            return "<tr>" + "".join(
                f"<{tag} style='text-align:{'right' if i >= 3 else 'left'}'>{html.escape(c)}</{tag}>"
                for i, c in enumerate(cells)) + "</tr>"
        return ("<table><thead>" + row(head, "th") + "</thead><tbody>"
                + "".join(row(r, "td") for r in body) + "</tbody><tfoot>"
                + row(foot, "th") + "</tfoot></table>")

    def to_dict(self) -> dict:
        return {"input_shape": list(self.input_shape), "output_shape": list(self.output_shape),
                "total_params": self.total_params, "total_macs": self.total_macs,
                "rows": [{**r, "output_shape": list(r["output_shape"])} for r in self.rows]}


def _walk(model: Module, shape: tuple[int, ...] | None, name: str, field: tuple, jump: tuple, rows: list | None):
    """The one walk over a model, in forward order: summary rows (when ``shape`` is given) and the
    receptive field. Returns ``(output shape, field, jump)``.

    A leaf layer adds its row (output shape, parameters, MACs) and composes its window, if any: a
    window of extent ``e`` and stride ``s`` grows the field by ``(e - 1) * jump`` and multiplies the
    jump by ``s``. A container says how its parts compose (:meth:`_Container.structure`): in series
    they are walked one after the other; in parallel each reads the input, the widest field wins and
    a row for the merge step (add or concatenate) follows.
    """
    structure = getattr(model, "structure", None)
    if structure is None:
        out = model.output_shape(shape) if shape is not None else None
        if rows is not None:
            rows.append({"name": name, "layer": model.short_repr(), "output_shape": out,
                         "params": sum(p.size for p in model.params.values()), "macs": model.macs(shape)})
        step = model.receptive_step()
        if step is not None:
            extent, stride = step
            field = tuple(f + (e - 1) * j for f, e, j in zip(field, extent, jump))
            jump = tuple(j * s for j, s in zip(jump, stride))
        return out, field, jump
    how, parts, merge = structure()
    if how == "series":
        for part_name, part in parts:
            shape, field, jump = _walk(part, shape, f"{name}.{part_name}" if name else part_name, field, jump, rows)
        return shape, field, jump
    paths = [_walk(part, shape, f"{name}.{part_name}" if name else part_name, field, jump, rows)[1:]
             for part_name, part in parts if part is not None]
    if any(part is None for _, part in parts):  # an identity path keeps the field as it is
        paths.append((field, jump))
    out = model.output_shape(shape) if shape is not None else None
    if rows is not None:
        rows.append({"name": name, "layer": merge, "output_shape": out, "params": 0, "macs": 0})
    field, jump = max(paths, key=lambda p: p[0][0] * p[0][1])
    return out, field, jump


def summary(model: Module, input_shape: tuple[int, ...]) -> Summary:
    """Per-layer table of a model for inputs of one sample's shape.

    Parameters
    ----------
    model : Module
    input_shape : tuple of int
        One sample's shape without the batch axis: ``(64,)`` for dense inputs,
        ``(C, H, W)`` for images, ``(T, D)`` for sequences.

    Returns
    -------
    Summary
        Rows for every leaf layer (containers add a row for their ``add`` or
        ``Concat``), with output shape, parameters and multiply-accumulates
        (MACs) per sample. MACs count the products in Linear, Conv2D and the
        recurrent layers; element-wise layers, pooling and BatchNorm count 0.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be a helpers.nn Module, got {type(model).__name__}")
    if isinstance(input_shape, int):
        input_shape = (input_shape,)
    input_shape = tuple(int(s) for s in input_shape)
    if any(s < 1 for s in input_shape):
        raise ValueError(f"summary: input_shape must be positive sizes without the batch axis, got {input_shape}")
    rows: list[dict] = []
    output_shape, _, _ = _walk(model, input_shape, "", (1, 1), (1, 1), rows)
    for r in rows:
        r["name"] = r["name"] or type(model).__name__
    return Summary(rows, input_shape, output_shape)


def receptive_field(model: Module) -> tuple[int, int]:
    """Receptive field (height, width) in input pixels of one output position of the
    last spatial layer (Conv2D or pooling) in ``model``.

    Uses the same walk as :func:`summary`: a layer with (dilated) kernel extent ``k`` and
    stride ``s`` grows the field by ``(k - 1) * jump`` and multiplies the jump (distance in
    input pixels between neighbouring outputs) by ``s``. Residual and Concat blocks take their
    widest path. GlobalAvgPool2D, Flatten and Linear then mix all positions; they are not counted.

    Examples: two 3x3 convolutions -> (5, 5); 3x3 conv, 2x2 pool, 3x3 conv -> (8, 8).
    """
    if not isinstance(model, Module):
        raise TypeError(f"receptive_field: model must be a helpers.nn Module, got {type(model).__name__}")
    return _walk(model, None, "", (1, 1), (1, 1), None)[1]
