"""The submission exports (`make html`, `make pdf`) built from the stored notebooks.

Everything is built once per session into a temporary build folder (``WORKBOOK_BUILD_DIR``),
by the same command the Makefile runs, from a snapshot of notebooks/ taken at the start (so a
colleague refreshing a notebook meanwhile changes neither the input nor the expected counts);
the snapshot's files are hashed before and after to show that exporting writes nothing into
the notebook folder. The PDF checks are skipped, with the reason, on a machine
without Chromium/Chrome; the HTML checks run everywhere. With no notebook in notebooks/ yet,
everything here is skipped.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.course import Course, load_course
from helpers.notebooks import cell_source, notebook_paths, read_notebook
from helpers.paths import COURSE_FILE, NOTEBOOK_DIR, ROOT

if str(ROOT) not in sys.path:  # `tools` is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from tools.export.browser import INSTALL_HINT, find_browser  # noqa: E402

pytestmark = [pytest.mark.export, pytest.mark.timeout(300)]

COURSE = load_course(COURSE_FILE)
NOTEBOOKS = notebook_paths()
PRESENT = {p.stem for p in NOTEBOOKS}
ASSIGNMENTS = [n for n in dict.fromkeys(q.assignment for q in COURSE.questions)
               if any(q.notebook in PRESENT for q in COURSE.assignment_questions(n))]
NO_NOTEBOOKS = "no notebook in notebooks/ yet: nothing to export"
PNG = "image/png"


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative path -> digest)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


EXPORT_TIMEOUT_S = 240
EDITED_NAME = "Zed Q. Tester-Renamed"


def start_export(args: list[str], build: Path, notebooks: Path, course_file: Path | None = None) -> subprocess.Popen:
    """Start ``python -m tools.export ARGS`` as `make` runs it, reading ``notebooks``, writing under ``build``."""
    env = dict(os.environ, WORKBOOK_BUILD_DIR=str(build), OMP_NUM_THREADS="1")
    env.pop("WORKBOOK_COURSE_FILE", None)
    if course_file is not None:
        env["WORKBOOK_COURSE_FILE"] = str(course_file)
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


def edited_course_file(folder: Path) -> Path:
    """A copy of course.toml in ``folder`` with the student's name changed to EDITED_NAME."""
    text = COURSE_FILE.read_text(encoding="utf-8")
    old = f'name = "{COURSE.student_name}"'
    assert old in text, f"cannot find {old!r} in {COURSE_FILE}"
    edited = folder / "course.toml"
    edited.write_text(text.replace(old, f'name = "{EDITED_NAME}"', 1), encoding="utf-8")
    return edited


def quickest_assignment() -> int:
    """The assignment with the fewest notebooks (the cheapest extra PDF)."""
    return min(ASSIGNMENTS, key=lambda n: sum(q.notebook in PRESENT for q in COURSE.assignment_questions(n)))


@functools.lru_cache(maxsize=None)
def pdf_text(path: Path) -> list[str]:
    """Each page's text, Unicode-normalised (ligatures split) with whitespace collapsed."""
    from pypdf import PdfReader

    return [" ".join(unicodedata.normalize("NFKC", page.extract_text() or "").split())
            for page in PdfReader(path).pages]


def image_count(path: Path) -> int:
    """Image XObjects drawn on the PDF's pages (inside form XObjects too)."""
    from pypdf import PdfReader

    def count(resources) -> int:
        xobjects = (resources or {}).get("/XObject") or {}
        total = 0
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                total += 1
            elif obj.get("/Subtype") == "/Form":
                total += count(obj.get("/Resources"))
        return total

    return sum(count(page.get("/Resources")) for page in PdfReader(path).pages)


def stored_pngs(path: Path) -> int:
    """How many image/png outputs the notebook stores."""
    return sum(PNG in out.get("data", {}) for cell in read_notebook(path)["cells"]
               for out in cell.get("outputs", []))


@dataclass
class Build:
    """The session's export: where it went, whether PDFs were made, notebooks/ before and after."""

    folder: Path
    notebooks: Path
    pdf: bool
    notebooks_before: dict[str, str]
    notebooks_after: dict[str, str]
    log: str
    #: PDF of :func:`quickest_assignment` with code hidden, from a course file naming EDITED_NAME
    edited_pdf: Path | None = None
    edited_course: Path | None = None


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`make html`, and when a browser exists `make pdf` plus `make pdf HIDE_CODE=1` for one
    assignment from an edited copy of course.toml; the two exports run side by side."""
    if not NOTEBOOKS:
        pytest.skip(NO_NOTEBOOKS)
    folder = tmp_path_factory.mktemp("export-build")
    notebooks = tmp_path_factory.mktemp("export-input") / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with_pdf = find_browser() is not None and bool(ASSIGNMENTS)
    before = tree_digest(notebooks)
    main = start_export(["html", "pdf"] if with_pdf else ["html"], folder, notebooks)
    edited = edited_pdf = None
    if with_pdf:
        edited_dir = tmp_path_factory.mktemp("export-edited")
        edited = edited_course_file(edited_dir)
        number = quickest_assignment()
        extra = start_export(["pdf", "--hide-code", "--assignment", str(number)], edited_dir / "build",
                             notebooks, course_file=edited)
        edited_pdf = edited_dir / "build" / "pdf" / f"assignment_{number}.pdf"
    log = finish_export(main)
    if with_pdf:
        log += finish_export(extra)
    return Build(folder, notebooks, with_pdf, before, tree_digest(notebooks), log, edited_pdf, edited)


@pytest.fixture(scope="session")
def pdf_build(build: Build) -> Build:
    """The session's build, skipping when no PDF could be made here."""
    if not build.pdf:
        if not ASSIGNMENTS:
            pytest.skip("no notebook of any assignment in notebooks/ yet: no PDF to check")
        pytest.skip(f"no Chromium/Chrome found: {INSTALL_HINT}")
    return build


def test_export_writes_nothing_into_the_notebook_folder(build: Build) -> None:
    changed = sorted(k for k in build.notebooks_before.keys() | build.notebooks_after.keys()
                     if build.notebooks_before.get(k) != build.notebooks_after.get(k))
    assert not changed, f"exporting changed or added files in the notebook folder: {changed}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_html_export_has_every_stored_figure(build: Build, path: Path) -> None:
    path = build.notebooks / path.name
    if not path.is_file():
        pytest.skip(f"{path.name} was removed from notebooks/ after collection")
    page = build.folder / "html" / f"{path.stem}.html"
    assert page.is_file(), f"{page.name} was not written:\n{build.log}"
    html = page.read_text(encoding="utf-8")
    images = len(re.findall(r'<img[^>]*src="data:image/png;base64,', html))
    assert images >= stored_pngs(path), f"{page.name}: {images} embedded PNGs < {stored_pngs(path)} stored"
    assert "application/vnd.jupyter.widget-view+json" not in html, "a widget view was left in the HTML"
    assert "unpkg.com" not in html and "require.min.js" not in html, "the HTML loads widget scripts from the web"


def test_html_export_index_pages(build: Build) -> None:
    html_dir = build.folder / "html"
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    for number in dict.fromkeys(q.assignment for q in COURSE.questions):
        page = html_dir / f"assignment_{number}.html"
        assert page.is_file() and f"assignment_{number}.html" in index
        text = page.read_text(encoding="utf-8")
        for q in COURSE.assignment_questions(number):
            if q.notebook in PRESENT:
                assert f'href="{q.notebook}.html"' in text, f"{page.name} does not link {q.notebook}.html"


def _cover_and_titles(pdf: Path, course: Course, number: int) -> list[str]:
    pages = pdf_text(pdf)
    questions = course.assignment_questions(number)
    assert len(pages) >= len(questions) + 1, f"{pdf.name}: {len(pages)} pages for {len(questions)} questions + cover"
    cover = pages[0]
    for label, value in (("name", course.student_name), ("USN", course.student_usn)):
        assert value in cover, f"{pdf.name}: the cover lacks the student's {label} {value!r}: {cover[:300]!r}"
    text = " ".join(pages)
    for q in questions:
        assert " ".join(q.title.split()) in text, f"{pdf.name}: question title {q.title!r} not found"
    return pages


@pytest.mark.parametrize("number", ASSIGNMENTS, ids=[f"assignment_{n}" for n in ASSIGNMENTS])
def test_pdf_export_cover_questions_and_figures(pdf_build: Build, number: int) -> None:
    pdf = pdf_build.folder / "pdf" / f"assignment_{number}.pdf"
    assert pdf.is_file(), f"{pdf.name} was not written:\n{pdf_build.log}"
    pages = _cover_and_titles(pdf, COURSE, number)
    assert COURSE.code in pages[0] and COURSE.faculty in pages[0], "the cover lacks the course code or faculty"
    stored = sum(stored_pngs(pdf_build.notebooks / f"{q.notebook}.ipynb") for q in COURSE.assignment_questions(number)
                 if (pdf_build.notebooks / f"{q.notebook}.ipynb").is_file())
    if stored:
        assert image_count(pdf) > 0, f"{pdf.name}: no embedded image although the notebooks store {stored} figures"


def test_pdf_export_follows_an_edited_course_file_and_hides_code(pdf_build: Build) -> None:
    """A student edits their name in (a copy of) course.toml; `make pdf HIDE_CODE=1` shows it on the cover."""
    number = quickest_assignment()
    course = load_course(pdf_build.edited_course)
    assert course.student_name == EDITED_NAME
    pdf = pdf_build.edited_pdf
    assert pdf is not None and pdf.is_file(), f"the PDF from the edited course file was not written:\n{pdf_build.log}"
    hidden = _cover_and_titles(pdf, course, number)
    assert COURSE.student_name not in hidden[0], "the cover still shows the old name"
    marker = code_line(number, pdf_build.notebooks)
    if marker is None:
        return
    shown = " ".join(pdf_text(pdf_build.folder / "pdf" / f"assignment_{number}.pdf"))
    assert marker in shown, f"the code line {marker!r} is missing from the default PDF"
    assert marker not in " ".join(hidden), f"--hide-code left the code line {marker!r} in the PDF"


def code_line(number: int, notebooks: Path) -> str | None:
    """An import line from a code cell (after the header) of the assignment's first notebook."""
    for q in COURSE.assignment_questions(number):
        if (notebooks / f"{q.notebook}.ipynb").is_file():
            cells = [c for c in read_notebook(notebooks / f"{q.notebook}.ipynb")["cells"] if c["cell_type"] == "code"]
            for cell in cells[1:]:
                for line in cell_source(cell).splitlines():
                    if line.startswith(("import ", "from ")) and len(line) > 12:
                        return " ".join(line.split())
            return None
    return None
