"""The Answer contract's static limits (WORKBOOK.md): what a grader reads first stays short.

For every stored notebook: the Answer section opens with hand-written Markdown of at most 250 words
(a formula counts as one word, an escaped ``\\$`` is a dollar sign; the results table is not
counted), its code cells have at most 20
lines, no code cell anywhere has more than 40, and no output shows a wall-clock time.
"""
from __future__ import annotations

import re

import pytest

from helpers.notebooks import cell_source, notebook_paths, output_texts, read_notebook, section_cells

ANSWER_WORDS, ANSWER_CODE_LINES, CELL_LINES = 250, 20, 40
FORMULA = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
WORD = re.compile(r"[A-Za-z0-9][\w'.,±%-]*")
WALL_CLOCK = re.compile(r"\d+(\.\d+)?\s?(s|ms|min) wall|\d+(\.\d+)?\s?seconds\b|\b(took|elapsed|wall time)\b[^\n]{0,20}\d")
NOTEBOOKS = notebook_paths()
IDS = [p.stem for p in NOTEBOOKS]


def count_words(markdown: str) -> int:
    """Words of Markdown prose: an escaped dollar (``k\\$``) is text, a formula counts as one word."""
    return len(WORD.findall(FORMULA.sub(" formula ", markdown.replace("\\$", " "))))


def answer_prose(cells: list[dict]) -> str:
    """The Answer's Markdown: its Markdown cells (heading line dropped) and Markdown that code displays."""
    parts = []
    for cell in cells:
        if cell["cell_type"] == "markdown":
            parts.append("\n".join(line for line in cell_source(cell).splitlines() if not line.startswith("## ")))
        for out in cell.get("outputs", []):
            markdown = out.get("data", {}).get("text/markdown")
            if markdown:
                parts.append("".join(markdown) if isinstance(markdown, list) else markdown)
    return "\n".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_answer_opens_with_hand_written_markdown_of_at_most_250_words(path):
    cells = section_cells(read_notebook(path), "Answer")
    assert cells, "no ## Answer section"
    body = [c for c in cells[1:] if cell_source(c).strip()] if len(cells) > 1 else []
    heading_only = cells[0]["cell_type"] == "markdown" and len(cell_source(cells[0]).strip().splitlines()) == 1
    first = body[0] if heading_only and body else cells[0]
    assert first["cell_type"] == "markdown", "the Answer opens with Markdown written by hand, not with code"
    words = count_words(answer_prose(cells))
    assert 0 < words <= ANSWER_WORDS, f"the Answer has {words} words (limit {ANSWER_WORDS})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_cells_stay_short(path):
    nb = read_notebook(path)
    answer_ids = {id(c) for c in section_cells(nb, "Answer")}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        lines = len(cell_source(cell).splitlines())
        limit = ANSWER_CODE_LINES if id(cell) in answer_ids else CELL_LINES
        assert lines <= limit, f"cell {i} has {lines} lines of code (limit {limit}{' in the Answer' if limit == 20 else ''})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_output_shows_a_wall_clock_time(path):
    for i, cell in enumerate(read_notebook(path)["cells"]):
        for text in output_texts(cell):
            match = WALL_CLOCK.search(text)
            assert match is None, f"cell {i} shows a wall-clock time ({match.group(0)!r}); show cost as parameters, MACs or updates"
