"""What goes into an assignment's two documents, decided by the notebook's sections and cell tags.

**The submission** (what a grader marks) prints, per question: the question (from the course
file), the notebook's Answer section, its key figures (numbered), then the supporting work: the
other sections in notebook order, code cells showing their outputs only, except the code that is
itself part of the answer. **The full workbook** prints every cell with its code and outputs.

Tags for the submission (cell metadata ``tags``; JupyterLab: the property inspector, gear icon):

``answer-code``
    A code cell whose source is part of the answer (the from-scratch algorithm the question is
    about, e.g. the backpropagation code): its source is shown in the submission. Every other
    code cell is plumbing there: source hidden, outputs kept.
``key-figure``
    A code cell whose figure(s) the grader should see next to the Answer: they are printed, as
    Figure 1, 2, ..., right after the Answer, and the supporting work prints a one-line reference
    in their place.
``submission-skip``
    A cell left out of the submission (it stays in the full workbook): a long log, a second view
    of a result already shown, a check the Answer does not rely on.

An untagged notebook gets the defaults: the key figures are the figures of its Answer and
Experiments sections, and all code is hidden. nbconvert's ``remove-input``, ``remove-output`` and
``remove-cell`` tags apply to both documents. Sections are the notebook's level-2 Markdown
headings (``## Answer`` ...); the header cell is left out (the documents print their own title
block from the course file).
"""
from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from .static import HIDE_INPUT_TAG, RESULTS_KEY, is_header_cell

ANSWER_CODE = "answer-code"
KEY_FIGURE = "key-figure"
SUBMISSION_SKIP = "submission-skip"
SUBMISSION_TAGS = (ANSWER_CODE, KEY_FIGURE, SUBMISSION_SKIP)

ANSWER_SECTION = "Answer"
#: Sections whose figures are the key figures of a notebook that tags none.
DEFAULT_KEY_FIGURE_SECTIONS = ("Answer", "Experiments")
PNG = "image/png"
FIGURE_REF_CLASS = "wb-figure-ref"

_SECTION = re.compile(r"^##\s+(?P<title>[^#].*?)\s*#*\s*$")
_HEADING = re.compile(r"^#{3,6}\s+(?P<title>.+?)\s*#*\s*$")
#: A value of the results table longer than this many characters is shortened in the submission.
RESULT_VALUE_CHARS = 120
_VALUE_CELL = re.compile(r"(<td style='text-align:right'>)(.*?)(</td>)", re.S)


@dataclass
class Section:
    """A level-2 section of a notebook: its title ("" before the first heading) and its cells."""

    title: str
    cells: list[NotebookNode] = field(default_factory=list)


@dataclass(frozen=True)
class KeyFigure:
    """A figure printed after the Answer: its number, the stored output and a caption."""

    number: int
    output: NotebookNode
    caption: str


@dataclass
class Submission:
    """The parts of one question in the submission (each a list of export-ready cells)."""

    answer: list[NotebookNode]
    figures: list[KeyFigure]
    supporting: list[NotebookNode]


def tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def section_title(cell: dict) -> str | None:
    """The title when ``cell`` is Markdown opening a level-2 section (``## Title``), else None."""
    if cell.get("cell_type") != "markdown":
        return None
    first = next((line for line in _source(cell).splitlines() if line.strip()), "")
    match = _SECTION.match(first.strip())
    return match["title"] if match else None


def split_sections(cells: list[NotebookNode]) -> list[Section]:
    """The cells grouped by level-2 heading, in order; the heading cell opens its section."""
    sections = [Section("")]
    for cell in cells:
        title = section_title(cell)
        if title is not None:
            sections.append(Section(title))
        sections[-1].cells.append(cell)
    return [s for s in sections if s.cells]


def workbook_cells(nb: NotebookNode) -> list[NotebookNode]:
    """Every cell of the (export-ready) notebook but the header, code shown."""
    return [cell for cell in nb.cells if not is_header_cell(cell)]


def submission(nb: NotebookNode) -> Submission:
    """The question's parts in the submission (see the module docstring); ``nb`` is not changed."""
    sections = split_sections([copy.deepcopy(c) for c in nb.cells if not is_header_cell(c)
                               and SUBMISSION_SKIP not in tags(c)])
    figures = _take_key_figures(sections)
    answer: list[NotebookNode] = []
    supporting: list[NotebookNode] = []
    for section in sections:
        if section.title == ANSWER_SECTION:
            answer += _without_heading_line(section.cells)
        else:
            supporting += section.cells
    return Submission(_plumbing_hidden(_long_values_shortened(answer)), figures, _plumbing_hidden(supporting))


def shortened_value(text: str, limit: int = RESULT_VALUE_CHARS) -> str:
    """``text`` (a results-table value) cut after a separator before ``limit`` characters, marked as cut."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(sep, 0, limit) for sep in (", ", "; ", " | ", " "))
    return text[:cut if cut > limit // 2 else limit].rstrip(",;| ") + " … (in full in the workbook)"


def _long_values_shortened(cells: list[NotebookNode]) -> list[NotebookNode]:
    """The results table's long values (lists over seeds, grids) shortened: the Answer quotes what counts."""
    def shorten(match: re.Match) -> str:
        return match.group(1) + html.escape(shortened_value(html.unescape(match.group(2)))) + match.group(3)

    for cell in cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if RESULTS_KEY in output.get("metadata", {}) and "text/html" in data:
                text = data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"])
                data["text/html"] = _VALUE_CELL.sub(shorten, text)
    return cells


def _take_key_figures(sections: list[Section]) -> list[KeyFigure]:
    """Move the key figures out of their cells (a reference stays behind) and return them, numbered."""
    tagged = any(KEY_FIGURE in tags(c) for s in sections for c in s.cells)
    figures: list[KeyFigure] = []
    for section in sections:
        context = section.title
        for cell in section.cells:
            if cell.get("cell_type") == "markdown":
                context = _last_heading(cell) or context
                continue
            chosen = KEY_FIGURE in tags(cell) if tagged else section.title in DEFAULT_KEY_FIGURE_SECTIONS
            if not chosen:
                continue
            outputs = []
            for output in cell.get("outputs", []):
                if PNG in output.get("data", {}):
                    figures.append(KeyFigure(len(figures) + 1, output, context))
                    outputs.append(_figure_reference(figures[-1]))
                else:
                    outputs.append(output)
            cell.outputs = outputs
    return figures


def _last_heading(cell: dict) -> str | None:
    found = None
    for line in _source(cell).splitlines():
        match = _SECTION.match(line.strip()) or _HEADING.match(line.strip())
        if match:
            found = match["title"]
    return found


def _figure_reference(figure: KeyFigure) -> NotebookNode:
    text = f"Figure {figure.number} ({figure.caption}) is printed after the Answer."
    return nbformat.v4.new_output("display_data", data={
        "text/plain": text,
        "text/html": f'<p class="{FIGURE_REF_CLASS}">Figure {figure.number} ({html.escape(figure.caption)}) '
                     f'is printed after the Answer.</p>'})


def _without_heading_line(cells: list[NotebookNode]) -> list[NotebookNode]:
    """The section's cells with its ``## ...`` heading line removed (the document prints its own)."""
    if not cells or section_title(cells[0]) is None:
        return cells
    lines = _source(cells[0]).splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    rest = "\n".join(lines[first + 1:]).strip()
    if not rest:
        return cells[1:]
    cells[0].source = rest
    return cells


def _plumbing_hidden(cells: list[NotebookNode]) -> list[NotebookNode]:
    """Code cells keep their source only when tagged ``answer-code``; cells left empty are dropped."""
    kept = []
    for cell in cells:
        if cell.get("cell_type") == "code" and ANSWER_CODE not in tags(cell):
            if not cell.get("outputs"):
                continue
            cell.setdefault("metadata", {}).setdefault("tags", []).append(HIDE_INPUT_TAG)
        kept.append(cell)
    return kept
