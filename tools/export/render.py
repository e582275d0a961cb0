"""Export-ready cells to HTML with nbconvert (nothing is executed) and the workbook's template.

The template (``templates/workbook``) keeps JupyterLab's look, loads no script (the document
adds MathJax itself), leaves out input and output prompts, draws figures with
:func:`tools.export.figures.image_html` (sized for print), and marks the body so several
notebooks can go into one document.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbformat import NotebookNode
from traitlets.config import Config

from .figures import image_html
from .static import HIDE_INPUT_TAG

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "workbook"

_BODY = re.compile(r"<!-- workbook:body:start -->(.*)<!-- workbook:body:end -->", re.S)
_HEAD = re.compile(r"<head>(.*)</head>", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _math_end(text: str, start: int, delimiter: str) -> int:
    """Index just after the unescaped ``delimiter`` closing the maths opened before ``start`` (or len)."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(delimiter, i):
            return i + len(delimiter)
        else:
            i += 1
    return len(text)


def escaped_dollars_kept(markdown: str) -> str:
    """``markdown`` with each ``\\$`` of its prose doubled, so the HTML keeps it as ``\\$``.

    JupyterLab shows ``\\$`` as a dollar sign, but nbconvert's Markdown turns it into a bare ``$``,
    which MathJax then pairs with the next one and typesets the prose between as maths. Written as
    ``\\\\\\$``, the HTML holds ``\\$``, which MathJax (``processEscapes``) prints as ``$``. Maths
    (``$...$``, ``$$...$$``), code spans and fenced code are left as they are.
    """
    out, prose, fenced = [], [], False
    for line in markdown.splitlines(keepends=True):
        fence = bool(_FENCE.match(line))
        if fence and not fenced:
            out.append(_prose_with_dollars_kept("".join(prose)))
            prose = []
        if fenced or fence:
            out.append(line)
        else:
            prose.append(line)
        fenced = fenced != fence
    out.append(_prose_with_dollars_kept("".join(prose)))
    return "".join(out)


def _prose_with_dollars_kept(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text.startswith("\\$", i):
            out.append("\\\\\\$")
            i += 2
        elif text[i] == "\\":
            out.append(text[i:i + 2])
            i += 2
        elif text[i] == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * run, i + run)
            end = len(text) if end < 0 else end + run
            out.append(text[i:end])
            i = end
        elif text[i] == "$":
            delimiter = "$$" if text.startswith("$$", i) else "$"
            end = _math_end(text, i + len(delimiter), delimiter)
            out.append(text[i:end])
            i = end
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def exporter() -> HTMLExporter:
    """An nbconvert HTML exporter with the workbook template (stored outputs only, no prompts)."""
    tags = Config({"TagRemovePreprocessor": {
        "enabled": True,
        "remove_input_tags": {HIDE_INPUT_TAG, "remove-input", "hide-input"},
        "remove_all_outputs_tags": {"remove-output"},
        "remove_cell_tags": {"remove-cell"},
    }})
    html = HTMLExporter(config=tags, extra_template_basedirs=[str(TEMPLATE_DIR)], template_name=TEMPLATE_NAME,
                        exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True)
    html.register_filter("workbook_image", image_html)
    return html


def render_cells(cells: list[NotebookNode], metadata: dict, html: HTMLExporter | None = None) -> tuple[str, str]:
    """(inside of ``<head>``, body) of the HTML for ``cells`` (``metadata``: the notebook's, for the language)."""
    cells = [nbformat.from_dict({**cell, "source": escaped_dollars_kept(cell.source)})
             if cell.cell_type == "markdown" else cell for cell in cells]
    nb = nbformat.v4.new_notebook(metadata=metadata, cells=cells)
    page, _ = (html or exporter()).from_notebook_node(nb, resources={"metadata": {"name": "notebook"}})
    head, body = _HEAD.search(page), _BODY.search(page)
    if head is None or body is None:
        raise RuntimeError("the rendered page lacks the workbook template's markers; "
                           "is tools/export/templates/workbook/index.html.j2 intact?")
    return _TITLE.sub("", head.group(1), count=1), body.group(1)
