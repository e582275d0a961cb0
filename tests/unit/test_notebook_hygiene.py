"""Static checks of every stored notebook: how it was run, what it stores, how it is laid out."""
from __future__ import annotations

import re

import pytest

from helpers.course import load_course
from helpers.notebooks import cell_source as source
from helpers.notebooks import notebook_paths, output_texts, read_notebook

COURSE = load_course()
QUESTIONS = list(COURSE.questions)
NOTEBOOKS = notebook_paths()

MAX_BYTES = 2 * 1024 * 1024
PRIVATE_PATH = re.compile(r"(/root/|/home/[^/\s]+/|/Users/[^/\s]+/|/tmp/|/work/|[A-Z]:\\\\Users)")
SECTIONS = ["Question", "Idea and derivation", "Implementation", "Experiments", "Explorer", "Answer", "References"]
IDS = [p.stem for p in NOTEBOOKS]


def test_every_question_has_its_notebook_and_no_notebook_is_orphaned():
    expected = {q.notebook for q in QUESTIONS if not q.pending}
    pending = {q.notebook for q in QUESTIONS if q.pending}
    present = {p.stem for p in NOTEBOOKS}
    assert not expected - present, f"course.toml lists notebooks that do not exist: {sorted(expected - present)}"
    assert not present - expected - pending, f"notebooks not listed in course.toml: {sorted(present - expected)}"
    assert not pending & present, (f"{sorted(pending & present)} exist(s): remove `pending = true` from its "
                                   "question in course.toml")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_run_once_top_to_bottom_in_a_fresh_kernel(path):
    nb = read_notebook(path)
    counts = [c.get("execution_count") for c in nb["cells"]
              if c["cell_type"] == "code" and source(c).strip()]
    assert counts, "the notebook has no code"
    assert None not in counts, (f"{counts.count(None)} code cell(s) were never executed (nbval would skip "
                                "them silently); run `make refresh NB=...`")
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts[:10]}... are not 1..n: re-run it top to bottom with `make refresh NB=...`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stores_no_error_no_stderr_no_private_path_no_student_data(path):
    nb = read_notebook(path)
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {i} stores an error: {out.get('ename')}"
            assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), (
                f"cell {i} stores stderr output (a warning?): {''.join(out.get('text', ''))[:200]!r}")
        for text in output_texts(cell):
            m = PRIVATE_PATH.search(text)
            assert m is None, f"cell {i} output shows a machine-specific path {m.group(0)!r}"
            for secret in (COURSE.student_name, COURSE.student_usn):
                assert secret not in text, f"cell {i} output shows the student's {secret!r} (exports only)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_size_limit(path):
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{size // 1024} KiB; keep stored outputs small (dpi 80, fewer figures/rows)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_header_sections_and_results(path):
    nb = read_notebook(path)
    question = COURSE.question(path.stem)
    first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    assert f'header("{path.stem}")' in source(first_code), (
        f'the first code cell must render the header: from helpers.course import header; header("{path.stem}")')
    assert any(question.title in t for t in output_texts(first_code)), "the header output lacks the question title"
    headings = [line[3:].strip() for c in nb["cells"] if c["cell_type"] == "markdown"
                for line in source(c).splitlines() if line.startswith("## ")]
    positions = []
    for name in SECTIONS:
        found = [i for i, h in enumerate(headings) if re.sub(r"^\d+\.?\s*", "", h).startswith(name)]
        assert found, f"no '## {name}' section (sections in order: {', '.join(SECTIONS)})"
        positions.append(found[0])
    assert positions == sorted(positions), f"sections out of order; expected {SECTIONS}, found {headings}"
    code = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    assert f'Results("{path.stem}")' in code, f'record the key answers with Results("{path.stem}")'
    assert ".show()" in code, "the Answer section must show (and save) the results table"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_kernelspec_is_the_generic_python3(path):
    nb = read_notebook(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stores_no_progress_bar_and_makes_bars_through_helpers(path):
    """Bars show while working; stored outputs hold none (they carry times and change every run)."""
    nb = read_notebook(path)
    code = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")
    assert "from tqdm" not in code and "import tqdm" not in code, (
        "make progress bars with `from helpers.progress import progress_bar` (tqdm's own notebook bar ignores "
        "TQDM_DISABLE, so it would be stored)")
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    bars = [m for m, v in state.items() if v.get("model_name") == "FloatProgressModel"]
    assert not bars, f"{len(bars)} progress bar(s) stored: refresh with `make refresh NB=notebooks/{path.name}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chooses_its_key_figures_for_the_submission(path):
    """One to three cells tagged ``key-figure``, each drawing a figure (README, "Exporting")."""
    cells = read_notebook(path)["cells"]
    key = [c for c in cells if "key-figure" in c.get("metadata", {}).get("tags", [])]
    assert 1 <= len(key) <= 3, f"{len(key)} cells tagged key-figure; tag the 1 to 3 figures a grader should see"
    for cell in key:
        assert any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])), (
            f"a cell tagged key-figure draws no figure: {source(cell)[:60]!r}")
