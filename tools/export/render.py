"""Stored notebooks to HTML with nbconvert (nothing is executed) and the workbook's template."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nbconvert import HTMLExporter
from traitlets.config import Config

from .static import HIDE_INPUT_TAG, NOTE_CLASS, read_static

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "workbook"

#: MathJax 2 shipped by the ``jupyter-server-mathjax`` package (see requirements.txt).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"

_BODY = re.compile(r"<!-- workbook:body:start -->(.*)<!-- workbook:body:end -->", re.S)
_HEAD = re.compile(r"<head>(.*)</head>", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)

#: Layout shared by the HTML files and the PDF (print rules only matter for the PDF).
CSS = f"""
.jp-InputArea, .jp-InputArea-editor {{ overflow: visible; }}
.jp-InputArea-editor pre, .jp-OutputArea-output pre {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.jp-OutputArea-output img {{ max-width: 100%; height: auto; }}
.{NOTE_CLASS} {{ font-style: italic; color: #444; border-left: 3px solid #9ab; padding: 2px 8px;
                 margin: 4px 0; font-size: 90%; }}
.wb-nav {{ font-family: sans-serif; font-size: 90%; padding: 6px 16px; border-bottom: 1px solid #ddd; }}
.wb-nav a {{ text-decoration: none; }}
@page {{ size: A4; margin: 14mm 14mm 16mm 14mm; }}
@media print {{
  .jp-OutputArea-output img, .jp-RenderedImage {{ break-inside: avoid; }}
  .jp-RenderedHTMLCommon table {{ break-inside: auto; }}
  h1, h2, h3 {{ break-after: avoid; }}
  .wb-question {{ break-before: page; }}
  .wb-nav {{ display: none; }}
}}
"""


class MathJaxMissing(RuntimeError):
    """The local MathJax (package jupyter-server-mathjax) is not installed."""


def local_mathjax_url() -> str:
    """``file://`` URL of the local MathJax 2 with the workbook's configuration.

    Raises
    ------
    MathJaxMissing
        When ``jupyter-server-mathjax`` is not installed.
    """
    try:
        import jupyter_server_mathjax
    except ImportError as exc:
        raise MathJaxMissing("the local MathJax is missing, so maths in the PDF stays LaTeX source; "
                             "install it with `.venv/bin/python -m pip install -r requirements.txt`") from exc
    script = Path(jupyter_server_mathjax.__file__).resolve().parent / "static" / "MathJax.js"
    if not script.is_file():
        raise MathJaxMissing(f"{script} is missing; reinstall jupyter-server-mathjax")
    return f"{script.as_uri()}?config={MATHJAX_CONFIG}"


@dataclass(frozen=True)
class RenderOptions:
    """How to render: code shown or hidden, and for a standalone page or for printing."""

    hide_code: bool = False
    for_print: bool = False
    mathjax_local: str = ""
    nav: str = ""


def exporter(options: RenderOptions) -> HTMLExporter:
    """An nbconvert HTML exporter with the workbook template (no execution: stored outputs only)."""
    tags = Config({"TagRemovePreprocessor": {
        "enabled": True,
        "remove_input_tags": {HIDE_INPUT_TAG, "remove-input", "hide-input"},
        "remove_all_outputs_tags": {"remove-output"},
        "remove_cell_tags": {"remove-cell"},
    }})
    return HTMLExporter(
        config=tags, extra_template_basedirs=[str(TEMPLATE_DIR)], template_name=TEMPLATE_NAME,
        exclude_input=options.hide_code, exclude_input_prompt=options.for_print or options.hide_code,
        exclude_output_prompt=options.for_print or options.hide_code, embed_images=True,
    )


def render_notebook(path: Path, options: RenderOptions = RenderOptions()) -> str:
    """A complete HTML page for the notebook at ``path``, from its stored outputs."""
    nb = read_static(path)
    resources = {
        "metadata": {"name": path.stem, "path": str(path.parent)},
        "workbook": {"mathjax_local": options.mathjax_local, "print": options.for_print,
                     "css": CSS, "nav": options.nav},
    }
    body, _ = exporter(options).from_notebook_node(nb, resources=resources)
    return body


def split_page(page: str) -> tuple[str, str]:
    """(inside of ``<head>``, notebook body) of a page made by :func:`render_notebook`."""
    head, body = _HEAD.search(page), _BODY.search(page)
    if head is None or body is None:
        raise ValueError("the rendered page lacks the workbook template's markers; "
                         "is tools/export/templates/workbook/index.html.j2 intact?")
    return head.group(1), body.group(1)


def with_title(head: str, title: str) -> str:
    """``head`` with its ``<title>`` replaced."""
    from html import escape

    return _TITLE.sub(f"<title>{escape(title)}</title>", head, count=1)
