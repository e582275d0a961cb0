"""Stored figures on paper: their natural size, the size they print at, and whether that is legible.

A stored PNG says its resolution (``helpers.plotting`` writes it into the figure's metadata and the
PNG's ``pHYs`` chunk; matplotlib writes ``pHYs`` too), so its natural size in inches is known. The
documents print a figure at its natural size, scaled down to the printable width when it is wider;
a figure too wide for its text to stay legible that way is printed from its print rendition (the
figure redrawn at the page width, which ``helpers.plotting`` stores with it).
When the figure records its smallest text (``helpers.plotting`` does), it is printed smaller still,
until that text reaches :data:`PREFERRED_FONT_PT` (:data:`KEY_FIGURE_FONT_PT` for key figures;
not below :data:`SMALLEST_SCALE` of its natural size): pages hold more and the text stays legible. Printed, a figure must keep at least
:data:`MIN_DPI` dots per inch and its smallest text at least :data:`MIN_FONT_PT`.
"""
from __future__ import annotations

import base64
import binascii
import html
import struct
from dataclasses import dataclass
from typing import Any

#: A4 less two 14 mm margins: the width a page's content is laid out at.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM, MARGIN_MM = 210.0, 297.0, 14.0
PRINTABLE_WIDTH_IN = (PAGE_WIDTH_MM - 2 * MARGIN_MM) / 25.4
#: Legibility of a printed figure.
MIN_DPI = 150.0
MIN_FONT_PT = 6.5
#: How far a figure that records its smallest text is shrunk for print (see the module docstring):
#: until that text prints at PREFERRED_FONT_PT (KEY_FIGURE_FONT_PT for the submission's key
#: figures, which print larger), but not below SMALLEST_SCALE of its natural size.
PREFERRED_FONT_PT = 6.8
KEY_FIGURE_FONT_PT = 7.5
SMALLEST_SCALE = 0.6
#: Resolution assumed for a PNG that states none (a browser shows one pixel per CSS pixel).
CSS_DPI = 96.0
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class FigureSize:
    """A stored figure's pixels, resolution and smallest font (points at natural size; None if unknown)."""

    width_px: int
    height_px: int
    dpi: float
    smallest_font_pt: float | None = None
    preferred_font_pt: float = PREFERRED_FONT_PT

    @property
    def natural_width_in(self) -> float:
        return self.width_px / self.dpi

    @property
    def print_scale(self) -> float:
        """Printed size over natural size (see the module docstring)."""
        fit = min(1.0, PRINTABLE_WIDTH_IN / self.natural_width_in) if self.width_px else 1.0
        if not self.smallest_font_pt:
            return fit
        return min(fit, max(SMALLEST_SCALE, self.preferred_font_pt / self.smallest_font_pt))

    @property
    def printed_width_in(self) -> float:
        return self.natural_width_in * self.print_scale

    @property
    def printed_dpi(self) -> float:
        return self.width_px / self.printed_width_in

    @property
    def printed_font_pt(self) -> float | None:
        """The smallest text's size on paper."""
        if self.smallest_font_pt is None:
            return None
        return self.smallest_font_pt * self.printed_width_in / self.natural_width_in


def png_dimensions(data: bytes) -> tuple[int, int, float | None]:
    """(width, height, dots per inch or None) read from a PNG's IHDR and pHYs chunks."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    pos, dpi = 8, None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"pHYs" and length == 9:
            per_x, _per_y, unit = struct.unpack(">IIB", data[pos + 8:pos + 17])
            dpi = round(per_x * 0.0254, 1) if unit == 1 and per_x > 0 else None  # pHYs stores whole dots per metre
            break
        if kind in (b"IDAT", b"IEND"):
            break
        pos += 12 + length
    return width, height, dpi


def figure_size(output: dict[str, Any], preferred_font_pt: float = PREFERRED_FONT_PT) -> FigureSize:
    """The size of the PNG a stored ``image/png`` output prints (see :func:`png_base64`)."""
    encoded = png_base64(output)
    try:
        width, height, png_dpi = png_dimensions(base64.b64decode(encoded[:4096]))
    except (binascii.Error, ValueError, struct.error):
        width, height, png_dpi = 0, 0, None
    meta = _print_metadata(output)
    rendition = meta.get("print") or {}
    dpi = float(meta.get("dpi") or png_dpi or CSS_DPI)
    font = rendition.get("smallest_font_pt", meta.get("smallest_font_pt"))
    return FigureSize(width, height, dpi, float(font) if font is not None else None, preferred_font_pt)


def _print_metadata(output: dict[str, Any]) -> dict[str, Any]:
    return output.get("metadata", {}).get("image/png", {}).get("workbook", {}) or {}


def png_base64(output: dict[str, Any]) -> str:
    """The PNG to print, as one base64 string: the figure's print rendition when it has one
    (``helpers.plotting`` stores one for a figure too wide for the page), else its image."""
    encoded = (_print_metadata(output).get("print") or {}).get("png") or output["data"]["image/png"]
    encoded = "".join(encoded) if isinstance(encoded, list) else encoded
    return "".join(encoded.split())


def legibility_problems(size: FigureSize) -> dict[str, str]:
    """What makes the printed figure hard to read: ``{"dpi": ..., "text": ...}`` (empty when it prints well)."""
    problems = {}
    if size.width_px and size.printed_dpi < MIN_DPI - 0.5:
        problems["dpi"] = f"{size.printed_dpi:.0f} dpi"
    font = size.printed_font_pt
    if font is not None and font < MIN_FONT_PT - 0.05:
        wide = f", {size.natural_width_in:.1f} in wide" if size.natural_width_in > PRINTABLE_WIDTH_IN else ""
        problems["text"] = f"{size.smallest_font_pt:g} pt text prints at {font:.1f} pt{wide}"
    return problems


def image_html(output: dict[str, Any], extra_class: str = "", preferred_font_pt: float = PREFERRED_FONT_PT) -> str:
    """The ``<img>`` for a stored PNG, sized for print (see the module docstring).

    ``data-*`` attributes carry what the print-quality checks measure.
    """
    size = figure_size(output, preferred_font_pt)
    encoded = png_base64(output)
    font = "" if size.smallest_font_pt is None else f' data-smallest-font-pt="{size.smallest_font_pt:g}"'
    cell = output.get("metadata", {}).get("workbook_cell")
    font += "" if cell is None else f' data-cell="{int(cell)}"'
    return (f'<div class="jp-RenderedImage jp-OutputArea-output {html.escape(extra_class)}">'
            f'<img class="wb-figure" alt="figure" src="data:image/png;base64,{encoded}" '
            f'style="width: {size.printed_width_in:.3f}in" data-width-px="{size.width_px}" '
            f'data-dpi="{size.dpi:g}"{font}></div>')
