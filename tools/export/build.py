"""The two exports: HTML pages per notebook, and one PDF per assignment.

Both read the notebooks' stored outputs only (nothing is executed) and write only under the
output folder (``build/`` by default); nothing under ``notebooks/`` is written.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from helpers.course import Course

from .browser import PrintJob, print_pdfs, require_browser
from .cover import (COVER_CSS, Entry, assignment_index_html, contents_html, cover_html, missing_html,
                    workbook_index_html)
from .render import MathJaxMissing, RenderOptions, local_mathjax_url, render_notebook, split_page, with_title

Report = Callable[[str], None]


class ExportError(RuntimeError):
    """The export cannot be made (nothing to export, unknown assignment, ...)."""


def assignment_numbers(course: Course) -> list[int]:
    """Assignment numbers in course-file order."""
    return list(dict.fromkeys(q.assignment for q in course.questions))


def plan(course: Course, notebook_dir: Path, wanted: list[int] | None = None) -> dict[int, list[Entry]]:
    """Each wanted assignment's questions and whether their notebooks exist.

    Raises
    ------
    ExportError
        When a wanted assignment is not in the course file.
    """
    known = assignment_numbers(course)
    numbers = wanted or known
    unknown = [n for n in numbers if n not in known]
    if unknown:
        raise ExportError(f"assignment(s) {unknown} are not in the course file; choose from {known}")
    return {n: [Entry(q, (notebook_dir / f"{q.notebook}.ipynb").is_file())
                for q in course.assignment_questions(n)] for n in numbers}


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies inside it, else absolute."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def export_html(course: Course, notebook_dir: Path, out_dir: Path, *, hide_code: bool = False,
                report: Report = print) -> list[Path]:
    """Write ``<notebook>.html`` for every stored notebook, ``assignment_<n>.html`` and ``index.html``.

    Returns the notebook pages written.
    """
    notebooks = sorted(notebook_dir.glob("*.ipynb"))
    if not notebooks:
        raise ExportError(f"no notebooks in {_shown(notebook_dir)}: nothing to export")
    out_dir.mkdir(parents=True, exist_ok=True)
    listed = {q.notebook for q in course.questions}
    written = []
    for path in notebooks:
        nav = '<nav class="wb-nav"><a href="index.html">All assignments</a>'
        if path.stem in listed:
            q = course.question(path.stem)
            nav += f' · <a href="assignment_{q.assignment}.html">Assignment {q.assignment}</a>'
        html = render_notebook(path, RenderOptions(hide_code=hide_code, nav=nav + "</nav>"))
        target = out_dir / f"{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
        report(f"wrote {_shown(target)}")
    entries = plan(course, notebook_dir)
    for number, items in entries.items():
        (out_dir / f"assignment_{number}.html").write_text(
            assignment_index_html(course, number, items), encoding="utf-8")
    others = [p.stem for p in notebooks if p.stem not in listed]
    (out_dir / "index.html").write_text(workbook_index_html(course, list(entries), others), encoding="utf-8")
    report(f"wrote {_shown(out_dir / 'index.html')} and one index page per assignment")
    return written


def combined_document(course: Course, number: int, entries: list[Entry], notebook_dir: Path,
                      options: RenderOptions) -> str:
    """One HTML document for assignment ``number``: cover, contents, then each question on a new page."""
    head = ""
    sections = []
    for entry in entries:
        if entry.present:
            page = render_notebook(notebook_dir / f"{entry.question.notebook}.ipynb", options)
            page_head, body = split_page(page)
            head = head or page_head
        else:
            body = missing_html(entry, notebook_dir.name)
        sections.append(f'<section class="wb-question" id="{entry.anchor}">\n{body}\n</section>')
    if not head:
        raise ExportError(f"assignment {number} has no notebook in {_shown(notebook_dir)}")
    head = with_title(head, f"{course.code} assignment {number} · {course.student_name}")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n" + head + f"\n<style>{COVER_CSS}</style>\n</head>\n"
            '<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">\n<main>\n'
            + cover_html(course, number, entries) + "\n" + contents_html(entries) + "\n"
            + "\n".join(sections) + "\n</main>\n</body>\n</html>\n")


def export_pdf(course: Course, notebook_dir: Path, out_dir: Path, *, assignments: list[int] | None = None,
               hide_code: bool = False, report: Report = print) -> list[Path]:
    """Write ``assignment_<n>.pdf`` for each assignment that has at least one notebook.

    Questions without a notebook get a page saying so. Assignments without any notebook are
    skipped with a message (an error when asked for by number). Returns the PDFs written.

    Raises
    ------
    BrowserNotFoundError
        When no Chromium/Chrome/Edge is installed (the message says how to install one).
    ExportError
        When there is nothing to export.
    """
    entries = plan(course, notebook_dir, assignments)
    browser = require_browser()
    todo = {n: items for n, items in entries.items() if any(e.present for e in items)}
    for number, items in entries.items():
        if number not in todo:
            expected = ", ".join(f"{e.question.notebook}.ipynb" for e in items)
            if assignments:
                raise ExportError(f"assignment {number} has no notebook in {_shown(notebook_dir)} yet "
                                  f"(expected {expected})")
            report(f"skipped assignment {number}: no notebook yet (expected {expected})")
    if not todo:
        raise ExportError(f"no notebook of any assignment in {_shown(notebook_dir)}: nothing to export")
    for number, items in todo.items():
        for e in items:
            if not e.present:
                report(f"warning: assignment {number}: {e.question.label} has no notebook "
                       f"({e.question.notebook}.ipynb); its page says so")
    try:
        mathjax = local_mathjax_url()
    except MathJaxMissing as exc:
        report(f"warning: {exc}")
        mathjax = ""
    options = RenderOptions(hide_code=hide_code, for_print=True, mathjax_local=mathjax)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".print-", dir=out_dir) as tmp:
        jobs = []
        for number, items in todo.items():
            source = Path(tmp) / f"assignment_{number}.html"
            source.write_text(combined_document(course, number, items, notebook_dir, options), encoding="utf-8")
            footer = f"{course.student_name} ({course.student_usn}) · {course.code} · assignment {number}"
            jobs.append(PrintJob(source, out_dir / f"assignment_{number}.pdf", footer))
        for warning in print_pdfs(jobs, browser):
            report(f"warning: {warning}")
    for job in jobs:
        report(f"wrote {_shown(job.pdf)} ({_pages(job.pdf)})")
    return [job.pdf for job in jobs]


def _pages(pdf: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return f"{pdf.stat().st_size // 1024} KiB"
    return f"{len(PdfReader(pdf).pages)} pages, {pdf.stat().st_size // 1024} KiB"
