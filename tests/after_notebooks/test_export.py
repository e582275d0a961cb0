"""The exports (`make pdf`, `make html`, `make submit`) built from the stored notebooks.

Everything is built once per session, by the command the Makefile runs, into temporary folders,
from a snapshot of notebooks/ taken at the start (so a colleague refreshing a notebook meanwhile
changes neither the input nor the expected counts). Three exports run side by side:

- ``tagged``: `submit` (submission PDF, HTML, archive) of every assignment from the snapshot, each
  notebook with the submission tags its authors gave it: the page budget is measured there;
- ``indic``: `submit pdf html` of the smallest assignment from the untagged snapshot (the
  defaults), both documents, for a student whose name is written in Kannada and Devanagari;
- ``synthetic``: `submit pdf html` of a one-question course whose notebook holds what tends to
  overflow a page, and figures stored the way ``helpers.plotting`` stores them (strict print checks).

The snapshot's files are hashed before and after to show that exporting writes nothing into the
notebook folder. Skipped, with the reason, on a machine without Chromium/Chrome or without notebooks.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from helpers.course import load_course
from helpers.notebooks import notebook_paths, read_notebook
from helpers.paths import COURSE_FILE, NOTEBOOK_DIR, ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))
from tools.export.browser import INSTALL_HINT, find_browser  # noqa: E402

pytestmark = [pytest.mark.export, pytest.mark.timeout(600)]

COURSE = load_course(COURSE_FILE)
NOTEBOOKS = notebook_paths()
ASSIGNMENTS = list(dict.fromkeys(q.assignment for q in COURSE.questions))
EXPORT_TIMEOUT_S = 420
#: A student whose name is written in Kannada and in Devanagari.
INDIC_NAME = "ಅನನ್ಯಾ ಶರ್ಮಾ (अनन्या शर्मा)"
INDIC_USN = "1AB21CS042"
#: Page budget of the submission per question (A4 pages).
MEAN_PAGES, MAX_PAGES = 8.0, 12


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative path -> digest)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def start_export(args: list[str], build: Path, notebooks: Path, course_file: Path = COURSE_FILE) -> subprocess.Popen:
    """Start ``python -m tools.export ARGS`` as `make` runs it, reading ``notebooks``, writing under ``build``."""
    env = dict(os.environ, WORKBOOK_BUILD_DIR=str(build), WORKBOOK_COURSE_FILE=str(course_file), OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "tools.export", *args, "--notebooks", str(notebooks)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_export(process: subprocess.Popen) -> str:
    """Wait for an export started by :func:`start_export`; fail with its output if it failed."""
    try:
        output, _ = process.communicate(timeout=EXPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"export {' '.join(process.args[3:])} took over {EXPORT_TIMEOUT_S} s:\n{output}")
    if process.returncode != 0:
        pytest.fail(f"export {' '.join(process.args[3:])} failed ({process.returncode}):\n{output}")
    return output


def indic_course_file(folder: Path) -> Path:
    """A copy of course.toml whose student is :data:`INDIC_NAME` (:data:`INDIC_USN`)."""
    text = COURSE_FILE.read_text(encoding="utf-8")
    for old, new in ((f'name = "{COURSE.student_name}"', f'name = "{INDIC_NAME}"'),
                     (f'usn = "{COURSE.student_usn}"', f'usn = "{INDIC_USN}"')):
        assert old in text, f"cannot find {old!r} in {COURSE_FILE}"
        text = text.replace(old, new, 1)
    path = folder / "course.toml"
    path.write_text(text, encoding="utf-8")
    return path


def smallest_assignment() -> int:
    return min(ASSIGNMENTS, key=lambda n: len(COURSE.assignment_questions(n)))


@dataclass(frozen=True)
class Run:
    """One export: its build folder, the notebooks it read, the student on the cover, and its log."""

    folder: Path
    notebooks: Path
    student: tuple[str, str]
    assignments: tuple[int, ...]
    kinds: tuple[str, ...]
    log: str

    def document(self, number: int, kind: str, fmt: str) -> Path:
        return self.folder / "export" / f"assignment_{number}_{kind}.{fmt}"

    def documents(self, fmt: str) -> list[tuple[int, str, Path]]:
        return [(n, kind, self.document(n, kind, fmt)) for n in self.assignments for kind in self.kinds]


@dataclass
class Exports:
    """The session's exports and the digests of the notebook folder they read."""

    tagged: Run
    indic: Run
    synthetic: Run
    digests_before: dict[str, dict[str, str]]
    digests_after: dict[str, dict[str, str]]

    def runs(self) -> tuple[Run, Run]:
        return self.tagged, self.indic


@pytest.fixture(scope="session")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    """The exports of the module docstring, side by side."""
    if not NOTEBOOKS:
        pytest.skip("no notebook in notebooks/ yet: nothing to export")
    if find_browser() is None:
        pytest.skip(f"no Chromium/Chrome found: {INSTALL_HINT}")
    work = tmp_path_factory.mktemp("export")
    snapshot = work / "snapshot" / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, snapshot, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    before = {"snapshot": tree_digest(snapshot)}
    small = smallest_assignment()
    course_file, synthetic = synthetic_workspace(work / "synthetic")
    started = (start_export(["submit"], work / "tagged-build", snapshot),
               start_export(["submit", "pdf", "html", "--assignment", str(small)], work / "indic-build", snapshot,
                            indic_course_file(work)),
               start_export(["submit", "pdf", "html"], work / "synthetic-build", synthetic, course_file))
    logs = [finish_export(process) for process in started]
    after = {"snapshot": tree_digest(snapshot)}
    return Exports(
        Run(work / "tagged-build", snapshot, (COURSE.student_name, COURSE.student_usn), tuple(ASSIGNMENTS),
            ("submission",), logs[0]),
        Run(work / "indic-build", snapshot, (INDIC_NAME, INDIC_USN), (small,), ("submission", "workbook"), logs[1]),
        Run(work / "synthetic-build", synthetic, (COURSE.student_name, COURSE.student_usn), (1,),
            ("submission", "workbook"), logs[2]),
        before, after)


def pdf_pages(path: Path) -> list[str]:
    """Each page's text, Unicode-normalised, whitespace collapsed."""
    from pypdf import PdfReader

    return [" ".join(unicodedata.normalize("NFKC", page.extract_text() or "").split())
            for page in PdfReader(path).pages]


def bookmarks(path: Path) -> list[tuple[str, int, list]]:
    """The PDF's outline as (title, page from 1, children)."""
    from tools.export.printer import outline

    return outline(path.read_bytes())


def test_exporting_writes_nothing_into_the_notebook_folders(exports: Exports) -> None:
    for name in ("snapshot",):
        before, after = exports.digests_before[name], exports.digests_after[name]
        changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not changed, f"exporting changed or added files in the {name} notebook folder: {changed}"


def test_each_assignment_gets_its_documents_and_one_archive(exports: Exports) -> None:
    for run in exports.runs():
        usn = run.student[1]
        for number, kind, _ in run.documents("pdf"):
            for fmt in ("pdf", "html"):
                assert run.document(number, kind, fmt).is_file(), f"{run.document(number, kind, fmt).name}:\n{run.log}"
            archive = run.folder / "submit" / f"{usn}_{COURSE.code}_assignment_{number}.zip"
            assert archive.is_file(), f"no archive for assignment {number}:\n{run.log}"
            stem = f"{usn}_{COURSE.code}_assignment_{number}_submission"
            with zipfile.ZipFile(archive) as packed:
                assert packed.namelist() == [f"{stem}.pdf", f"{stem}.html"]
                assert packed.read(f"{stem}.pdf") == run.document(number, "submission", "pdf").read_bytes()
    assert not list((exports.tagged.folder / "export").glob("*_workbook.*")), "submit alone makes the submission only"


def question_pages(path: Path) -> dict[str, int]:
    """Pages per question of a PDF (from its bookmarks: a question runs to the next one)."""
    from pypdf import PdfReader

    marks = bookmarks(path)[1:]
    starts = [page for _, page, _ in marks] + [len(PdfReader(path).pages) + 1]
    return {title.split(".")[0]: starts[i + 1] - starts[i] for i, (title, _, _) in enumerate(marks)}


def test_the_submission_keeps_to_its_page_budget(exports: Exports) -> None:
    pages = {q: n for number, _, path in exports.tagged.documents("pdf") for q, n in question_pages(path).items()}
    table = ", ".join(f"{q}: {n}" for q, n in pages.items())
    assert len(pages) == len(COURSE.questions), f"a question is missing from the submissions: {table}"
    assert max(pages.values()) <= MAX_PAGES, f"a question takes over {MAX_PAGES} pages ({table})"
    assert statistics.mean(pages.values()) <= MEAN_PAGES, (
        f"questions average {statistics.mean(pages.values()):.1f} pages, over {MEAN_PAGES} ({table}); leave "
        "second views out of the submission with the submission-skip tag (README, Exporting)")


def expected_sections(kind: str, path: Path) -> list[str]:
    """The level-2 bookmarks a question's section must have in each document."""
    if kind == "submission":
        return ["Answer", "Supporting work"]
    sections = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "markdown"
                and "".join(c["source"]).lstrip().startswith("## ")]
    return ["".join(c["source"]).lstrip()[3:].split("\n")[0].strip() for c in sections]


def test_pdfs_have_bookmarks_tags_and_a_paged_contents(exports: Exports) -> None:
    from pypdf import PdfReader

    for run in exports.runs():
        for number, kind, path in run.documents("pdf"):
            root = PdfReader(path).trailer["/Root"]
            assert root.get("/MarkInfo", {}).get("/Marked") and "/StructTreeRoot" in root, f"{path.name} is not tagged"
            marks = bookmarks(path)
            questions = COURSE.assignment_questions(number)
            # exact titles: a space where a heading wraps on the page must stay in its bookmark
            assert [t for t, _, _ in marks[1:]] == [f"{q.label}. {q.title}" for q in questions], f"{path.name}: {marks}"
            contents = " ".join(pdf_pages(path)[:marks[1][1] - 1])  # the pages before the first question
            for q, (title, page, children) in zip(questions, marks[1:]):
                titles = [c[0] for c in children]
                for section in expected_sections(kind, run.notebooks / f"{q.notebook}.ipynb"):
                    assert section in titles, f"{path.name}: no bookmark {section!r} under {q.label} ({titles})"
                assert re.search(re.escape(q.title.split()[-1]) + r"\s*" + str(page) + r"\b", contents), (
                    f"{path.name}: the contents do not give page {page} for {q.label}:\n{contents}")


def footer_free(text: str) -> str:
    """A page's text without the footer (student, course, assignment, 'page N of M')."""
    text = re.sub(r"page \d+ of \d+", "", text)
    return re.sub(r"\S+ \(\S+\) · \S+ · assignment \d+ · (submission|workbook)", "", text).strip()


def images_on(page) -> int:
    """Image XObjects a PDF page draws (inside form XObjects too)."""
    def count(resources) -> int:
        total = 0
        for ref in ((resources or {}).get("/XObject") or {}).values():
            obj = ref.get_object()
            total += 1 if obj.get("/Subtype") == "/Image" else count(obj.get("/Resources")) if obj.get("/Subtype") == "/Form" else 0
        return total

    return count(page.get("/Resources"))


def test_no_blank_pages_and_every_page_names_the_student(exports: Exports) -> None:
    from pypdf import PdfReader

    for run in exports.runs():
        for _, _, path in run.documents("pdf"):
            reader, texts = PdfReader(path), pdf_pages(path)
            for index, (page, text) in enumerate(zip(reader.pages, texts), start=1):
                assert run.student[1] in text and f"page {index} of {len(texts)}" in text, \
                    f"{path.name} p.{index}: footer missing: {text[-200:]}"
                assert footer_free(text) or images_on(page), f"{path.name} p.{index} is blank"


def test_covers_say_who_hands_in_what(exports: Exports) -> None:
    for run in exports.runs():
        for number, kind, path in run.documents("pdf"):
            cover = pdf_pages(path)[0]
            for fact in (run.student[1], COURSE.code, f"Assignment {number}", COURSE.assignment_questions(number)[0].due,
                         {"submission": "submission", "workbook": "full workbook"}[kind]):
                assert fact in cover, f"{path.name}: the cover lacks {fact!r}:\n{cover}"
            if run is exports.tagged:
                assert COURSE.student_name in cover, f"{path.name}: the cover lacks the student's name"


def test_html_documents_stand_alone_with_typeset_maths(exports: Exports) -> None:
    for run in exports.runs():
        for number, kind, path in run.documents("html"):
            html = path.read_text(encoding="utf-8")
            assert "<script src" not in html and "file://" not in html, f"{path.name} loads local files"
            assert not re.search(r"""(src|href)=["']https?://""", html), f"{path.name} loads from the web"
            assert 'class="MathJax"' in html and "Math Processing Error" not in html, f"{path.name}: maths"
            assert "@font-face" in html and "data:font/woff;base64," in html, "the maths fonts must be inside"
            assert not re.search(r"(In|Out)(&nbsp;|\s)?\[\d*\]:", html), f"{path.name}: a stray prompt"
            for fact in (*run.student, f"Assignment {number}"):
                assert fact in html, f"{path.name}: the HTML cover lacks {fact!r}"


def test_the_workbook_has_every_stored_figure_and_its_code(exports: Exports) -> None:
    for number in exports.indic.assignments:
        html = exports.indic.document(number, "workbook", "html").read_text(encoding="utf-8")
        stored = sum("image/png" in out.get("data", {}) for q in COURSE.assignment_questions(number)
                     for cell in read_notebook(exports.indic.notebooks / f"{q.notebook}.ipynb")["cells"]
                     for out in cell.get("outputs", []))
        shown = len(re.findall(r'<img[^>]*class="wb-figure"', html))
        assert shown == stored, f"workbook {number}: {shown} figures shown, {stored} stored"
        assert "application/vnd.jupyter.widget-view+json" not in html and "unpkg.com" not in html
        assert 'class="kn">import</span>' in html, f"workbook {number}: the code is missing"


def page_text(html: str) -> str:
    """The visible text of an HTML page (tags removed, entities decoded, whitespace collapsed)."""
    import html as html_module

    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", body)).split())


def code_lines(path: Path) -> tuple[list[str], list[str]]:
    """First lines (30+ characters) of the answer-code cells and of the other code cells of a notebook,
    leaving out lines that also occur in its Markdown or outputs."""
    from helpers.notebooks import cell_source, output_texts

    cells = read_notebook(path)["cells"]
    elsewhere = " ".join(" ".join(cell_source(c).split()) for c in cells if c["cell_type"] == "markdown")
    elsewhere += " ".join(" ".join(t.split()) for c in cells for t in output_texts(c))
    shown, hidden = [], []
    for cell in cells[1:]:
        if cell["cell_type"] != "code":
            continue
        line = " ".join(cell_source(cell).split("\n")[0].split())
        if len(line) >= 30 and line not in elsewhere:
            (shown if "answer-code" in cell.get("metadata", {}).get("tags", []) else hidden).append(line)
    return shown, hidden


def test_the_submission_hides_plumbing_and_shows_answer_code(exports: Exports) -> None:
    checked = 0
    for number, _, path in exports.tagged.documents("html"):
        text = page_text(path.read_text(encoding="utf-8"))
        for q in COURSE.assignment_questions(number):
            shown, hidden = code_lines(exports.tagged.notebooks / f"{q.notebook}.ipynb")
            for line in shown:
                assert line in text, f"{q.label}: the answer code {line!r} is missing from the submission"
            for line in hidden:
                assert line not in text, f"{q.label}: the plumbing code {line!r} is shown in the submission"
            checked += len(shown) + len(hidden)
    assert checked > 0, "no code line was checked"


def to_unicode_map(font) -> tuple[dict[bytes, str], int]:
    """A font's ToUnicode CMap as {code bytes: text}, and its code length in bytes."""
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    found: dict[bytes, str] = {}
    hexes = re.compile(r"<([0-9A-Fa-f]+)>")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = hexes.findall(block)
        for code, text in zip(pairs[::2], pairs[1::2]):
            found[bytes.fromhex(code)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for start, end, first in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            base = int(first, 16)
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                found[code.to_bytes(width, "big")] = chr(base + offset)
    return found, width


def text_with_actual_text(page) -> str:
    """A page's text as a reader gets it: glyphs decoded through their fonts' ToUnicode maps, and
    marked-content spans with /ActualText (Chromium writes them for Indic conjuncts) replaced by it.
    pypdf's own extract_text ignores /ActualText, so conjuncts would come out as NUL characters."""
    from pypdf.generic import ContentStream

    fonts = {name: to_unicode_map(ref.get_object()) for name, ref in page["/Resources"]["/Font"].items()}
    out, stack, font = [], [], None
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            font = fonts.get(operands[0])
        elif operator in (b"BDC", b"BMC"):
            actual = operands[1].get("/ActualText") if operator == b"BDC" and hasattr(operands[1], "get") else None
            stack.append(actual is not None)
            if actual is not None and not any(stack[:-1]):
                out.append(str(actual))
        elif operator == b"EMC" and stack:
            stack.pop()
        elif operator in (b"Tj", b"TJ") and not any(stack) and font is not None:
            strings = operands[0] if operator == b"TJ" else [operands[0]]
            mapping, width = font
            for raw in (s.get_original_bytes() if hasattr(s, "get_original_bytes") else bytes(s)
                        for s in strings if isinstance(s, (bytes, str))):
                out.extend(mapping.get(raw[i:i + width], "") for i in range(0, len(raw), width))
    return "".join(out)


def test_a_name_in_kannada_and_devanagari_prints_with_embedded_fonts(exports: Exports) -> None:
    from pypdf import PdfReader

    number = smallest_assignment()
    pdf = exports.indic.document(number, "submission", "pdf")
    assert f"cover: {INDIC_NAME} ({INDIC_USN})" in exports.indic.log
    reader = PdfReader(pdf)
    cover = text_with_actual_text(reader.pages[0])
    assert INDIC_NAME.replace(" ", "") in cover.replace(" ", ""), f"the name does not extract from the cover: {cover[:300]!r}"
    assert INDIC_NAME in (reader.metadata.title or ""), "the PDF's title names the student"
    embedded = set()
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
        if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            embedded.add(str(font["/BaseFont"]).split("+")[-1])
    assert any("Kannada" in f for f in embedded) and any("Devanagari" in f for f in embedded), (
        f"Kannada and Devanagari fonts must be embedded; embedded: {sorted(embedded)}; install Noto fonts "
        "(README: 'Exporting for submission')")
    assert INDIC_NAME in exports.indic.document(number, "submission", "html").read_text(encoding="utf-8")


#: Measures the page as printed: elements outside the printable width, and every figure's print size.
MEASURE = """() => {
  const box = document.querySelector('main').getBoundingClientRect();
  const wide = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_ELEMENT, {acceptNode: n =>
      (n.namespaceURI === 'http://www.w3.org/2000/svg' && n.tagName.toLowerCase() !== 'svg')
      || (n.classList && n.classList.contains('MJX_Assistive_MathML')) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const where = el => { const s = el.closest('section[id]'); return (s ? s.id : 'page') + ' ' + el.tagName.toLowerCase()
                        + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : ''); };
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1))
      wide.push(where(el) + ': ' + Math.round(r.left - box.left) + '..' + Math.round(r.right - box.left) + ' px');
    else if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
      wide.push(where(el) + ': content ' + (el.scrollWidth - el.clientWidth) + ' px wider than its box (cut off)');
  }
  const figures = [...document.querySelectorAll('img.wb-figure')].map(img => ({
      section: (img.closest('section[id]') || {id: ''}).id, cell: img.dataset.cell || null,
      px: +img.dataset.widthPx, dpi: +img.dataset.dpi,
      font: img.dataset.smallestFontPt ? +img.dataset.smallestFontPt : null,
      printedIn: img.getBoundingClientRect().width / 96}));
  return {wide: wide.slice(0, 30), figures: figures};
}"""


def measure_in_print(html_files: list[Path]) -> dict[Path, dict]:
    """Lay every page out as printed (print media, printable width) and :data:`MEASURE` it."""
    from playwright.sync_api import sync_playwright

    from tools.export.browser import launch_flags
    from tools.export.printer import PRINT_VIEWPORT

    found = {}
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(find_browser()), args=launch_flags())
        try:
            page = chromium.new_page(viewport=PRINT_VIEWPORT)
            page.emulate_media(media="print")
            for path in html_files:
                page.goto(path.as_uri(), wait_until="load", timeout=120_000)
                found[path] = page.evaluate(MEASURE)
        finally:
            chromium.close()
    return found


def figure_problems(figure: dict) -> list[str]:
    """Why a measured figure is not legible in print (dots per inch, smallest text)."""
    problems = []
    dpi = figure["px"] / figure["printedIn"]
    if dpi < 150 - 0.5:
        problems.append(f"{dpi:.0f} dpi")
    if figure["font"] is not None:
        font = figure["font"] * figure["printedIn"] / (figure["px"] / figure["dpi"])
        if font < 6.5 - 0.05:
            problems.append(f"text at {font:.1f} pt")
    return problems


def warned_cells(log: str) -> set[tuple[str, int]]:
    """(notebook id, cell index) of every figure the export warned about."""
    found = set()
    for notebook, cells in re.findall(r"warning: \S*?(a\d+_q\d+_\w+)\.ipynb: \d+ figure\(s\) print [^(]*\((.*?)\); see", log):
        found |= {(notebook, int(i)) for i in re.findall(r"cell (\d+):", cells)}
    return found


def test_nothing_is_wider_than_the_page_and_every_illegible_figure_is_named(exports: Exports) -> None:
    measured = measure_in_print([path for run in exports.runs() for _, _, path in run.documents("html")])
    warned = warned_cells(exports.tagged.log) | warned_cells(exports.indic.log)
    for path, found in measured.items():
        assert not found["wide"], f"{path.name}: wider than the printable width:\n" + "\n".join(found["wide"])
        assert found["figures"], f"{path.name}: no figure measured"
        for figure in found["figures"]:
            problems = figure_problems(figure)
            notebook = figure["section"].removeprefix("q-")
            if problems:
                assert (notebook, int(figure["cell"])) in warned, (
                    f"{path.name}: {notebook} cell {figure['cell']} prints with {', '.join(problems)} "
                    "and the export did not warn about it")


def synthetic_notebook(name: str) -> nbformat.NotebookNode:
    """A notebook with what tends to overflow a page: a long formula, a wide table, a long code
    line, a wide HTML output, a row of three panels 13 inches wide; and a figure that fits. The
    figures are stored the way helpers.plotting stores them."""
    import base64

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers import plotting

    plotting.use_style()
    figures = []
    for width, panels in ((6.4, 1), (13.0, 3)):  # the wide one prints from its print rendition
        fig, axes = plt.subplots(1, panels, figsize=(width, 3.5), squeeze=False)
        for ax in axes.flat:
            ax.plot(range(10), label="a line")
            ax.legend(fontsize=8)
        data, metadata = plotting.figure_png(fig)
        plt.close(fig)
        figures.append(nbformat.v4.new_output("display_data", data={
            "image/png": base64.b64encode(data).decode("ascii"), "text/plain": "<Figure>"},
            metadata={"image/png": metadata}))
    formula = "$$" + " + ".join(f"\\frac{{\\partial L}}{{\\partial w_{{{i}}}}} x_{{{i}}}^{{2}}" for i in range(24)) + "$$"
    table = "| " + " | ".join(f"column {i}" for i in range(16)) + " |\n|" + "---|" * 16 + "\n| " + \
            " | ".join(f"{i * 1234.5678:.4f}" for i in range(16)) + " |"
    wide_html = "<table><tr>" + "".join(f"<td>value_{i}_with_a_long_name</td>" for i in range(14)) + "</tr></table>"
    cells = [nbformat.v4.new_code_cell(f'from helpers.course import header\nheader("{name}")'),
             nbformat.v4.new_markdown_cell("## Answer\n\nThe answer, with a formula:\n\n" + formula + "\n\n" + table),
             nbformat.v4.new_code_cell("results = " + " + ".join(f"weight_{i}" for i in range(40))),
             nbformat.v4.new_code_cell("show()"),
             nbformat.v4.new_markdown_cell("## Experiments\n\n### Two figures"),
             nbformat.v4.new_code_cell("draw()")]
    cells[2].metadata["tags"] = ["answer-code"]
    cells[3].outputs = [nbformat.v4.new_output("display_data", data={"text/html": wide_html, "text/plain": "t"})]
    cells[5].outputs = figures
    for count, cell in enumerate(c for c in cells if c.cell_type == "code"):
        cell.execution_count = count + 1
        if count == 0:
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/markdown": "# t"}, execution_count=1)]
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def synthetic_workspace(work: Path) -> tuple[Path, Path]:
    """A one-question course file and a notebook folder holding :func:`synthetic_notebook`."""
    first = COURSE.assignment_questions(1)[0]
    head, _, _ = COURSE_FILE.read_text(encoding="utf-8").partition("[[assignments]]")
    work.mkdir(parents=True, exist_ok=True)
    course_file = work / "course.toml"
    course_file.write_text(head + f'''[[assignments]]
number = 1
co = "CO1"
due = "01.03.2024"

  [[assignments.questions]]
  number = 1
  notebook = "{first.notebook}"
  title = "Overflow and figures"
  co = "CO1"
  bloom = "L3 (Apply)"
  text = "Print what tends to overflow."
''', encoding="utf-8")
    notebooks = work / "notebooks"
    notebooks.mkdir()
    nbformat.write(synthetic_notebook(first.notebook), str(notebooks / f"{first.notebook}.ipynb"))
    return course_file, notebooks


def test_wide_content_is_fitted_and_figures_print_legibly(exports: Exports) -> None:
    log = exports.synthetic.log
    pages = [path for _, _, path in exports.synthetic.documents("html")]
    for path, found in measure_in_print(pages).items():
        assert not found["wide"], f"{path.name}: wider than the printable width:\n" + "\n".join(found["wide"])
        assert len(found["figures"]) == 2, found["figures"]
        for figure in found["figures"]:
            assert figure["font"] is not None and not figure_problems(figure), (path.name, figure, figure_problems(figure))
    warnings = [line for line in log.splitlines() if line.startswith("warning") and "example student" not in line]
    assert not warnings, log
