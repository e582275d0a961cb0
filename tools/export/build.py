"""The export run: check everything, build every document in memory, then write the files.

Nothing is written until every document is built: a refusal or a failure leaves no partial file,
and it removes the files an earlier run made for the same assignments (they no longer match the
notebooks and could be handed in by mistake). Every file goes through ``helpers.files``.
"""
from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers.course import Course
from helpers.files import atomic_write_bytes, atomic_write_text

from .browser import require_browser
from .checks import (ExportRefused, Problem, course_problems, folder_problems, notebook_problems, read_notebook,
                     shown, student_notes)
from .document import QuestionNotebook, assignment_document
from .figures import MIN_DPI, MIN_FONT_PT, figure_size, legibility_problems
from .mathjax import local_mathjax_url
from .printer import Printer

Report = Callable[[str], None]
KINDS = ("submission", "workbook")
FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class Request:
    """What to export: the assignments (None: all), documents, formats, and whether to pack archives."""

    course: Course
    course_file: Path
    notebook_dir: Path
    out_dir: Path
    assignments: tuple[int, ...] | None = None
    kinds: tuple[str, ...] = KINDS
    formats: tuple[str, ...] = FORMATS
    archive: bool = False


@dataclass
class Outputs:
    """The files of one run (path -> content), built before anything is written."""

    files: dict[Path, bytes] = field(default_factory=dict)
    pages: dict[Path, int] = field(default_factory=dict)


def document_path(out_dir: Path, number: int, kind: str, fmt: str) -> Path:
    """``<out>/export/assignment_<n>_<kind>.<fmt>``."""
    return out_dir / "export" / f"assignment_{number}_{kind}.{fmt}"


def archive_path(out_dir: Path, course: Course, number: int) -> Path:
    """``<out>/submit/<USN>_<code>_assignment_<n>.zip``: the file a student uploads."""
    return out_dir / "submit" / f"{course.student_usn}_{course.code}_assignment_{number}.zip"


def earlier_files(out_dir: Path, number: int, notebooks: list[str], *, all_kinds: bool) -> list[Path]:
    """Files earlier exports left for assignment ``number`` (whose notebooks are ``notebooks``):
    archives (any USN) and the files of the older layout (build/pdf, build/html), and with
    ``all_kinds`` also this layout's documents."""
    found = sorted((out_dir / "submit").glob(f"*_assignment_{number}.zip"))
    found += [out_dir / "pdf" / f"assignment_{number}.pdf", out_dir / "html" / f"assignment_{number}.html"]
    found += [out_dir / "html" / f"{name}.html" for name in notebooks]
    if all_kinds:
        found += [document_path(out_dir, number, kind, fmt) for kind in KINDS for fmt in FORMATS]
    return [p for p in found if p.is_file()]


def remove_earlier(request: Request, numbers: list[int], report: Report, *, keep: set[Path] | None = None) -> None:
    """Delete what earlier exports left for ``numbers``: everything after a failure (``keep`` None),
    else only archives and older layouts' files not in ``keep``, saying so."""
    for number in numbers:
        notebooks = [q.notebook for q in request.course.questions if q.assignment == number]
        for path in earlier_files(request.out_dir, number, notebooks, all_kinds=keep is None):
            if keep is None or path not in keep:
                path.unlink()
                report(f"removed {shown(path)} (left by an earlier export; it may not match the notebooks)")


def selected_assignments(request: Request) -> list[int]:
    """The assignment numbers to export, in course-file order."""
    known = list(dict.fromkeys(q.assignment for q in request.course.questions))
    if request.assignments is None:
        return known
    unknown = [n for n in request.assignments if n not in known]
    if unknown:
        raise ExportRefused([Problem(shown(request.course_file), f"assignment(s) {unknown} are not in the course file",
                                     f"choose from {known}")])
    return list(dict.fromkeys(request.assignments))


def checked_notebooks(request: Request, numbers: list[int]) -> dict[int, list[QuestionNotebook]]:
    """Every selected question's notebook, read; raises :class:`ExportRefused` listing every problem."""
    course = request.course
    problems = course_problems(course, request.course_file) + folder_problems(course, request.notebook_dir, numbers)
    found: dict[int, list[QuestionNotebook]] = {n: [] for n in numbers}
    for q in (q for q in course.questions if q.assignment in numbers):
        path = request.notebook_dir / f"{q.notebook}.ipynb"
        if not path.is_file():
            continue
        nb, unreadable = read_notebook(path)
        problems += unreadable if nb is None else notebook_problems(path, nb)
        if nb is not None:
            found[q.assignment].append(QuestionNotebook(q, path, nb))
    if problems:
        raise ExportRefused(problems)
    return found


def legibility_notes(items: list[QuestionNotebook]) -> list[str]:
    """Warnings for notebooks whose stored figures will not print legibly, naming the cells."""
    headline = {"dpi": f"print below {MIN_DPI:.0f} dpi", "text": f"print text under {MIN_FONT_PT:g} pt"}
    notes = []
    for item in items:
        found: dict[str, list[str]] = {"dpi": [], "text": []}
        for index, cell in enumerate(item.notebook.cells):
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    for kind, detail in legibility_problems(figure_size(output)).items():
                        found[kind].append(f"cell {index}: {detail}")
        for kind, cells in found.items():
            if cells:
                notes.append(f"warning: {shown(item.path)}: {len(cells)} figure(s) {headline[kind]} "
                             f"({'; '.join(cells)}); see the README, \"Figures in print\"")
    return notes


def build_documents(request: Request, found: dict[int, list[QuestionNotebook]], tools: tuple[Path, str],
                    report: Report) -> Outputs:
    """Every requested document of every selected assignment, printed and held in memory.

    ``tools``: the browser and the MathJax URL.
    """
    course, outputs = request.course, Outputs()
    browser, mathjax_url = tools
    with Printer(browser) as printer, tempfile.TemporaryDirectory(prefix="workbook-export-") as tmp:
        for number, items in found.items():
            for kind in request.kinds:
                document = assignment_document(course, number, kind, items, mathjax_url)
                source = Path(tmp) / f"assignment_{number}_{kind}.html"
                atomic_write_text(source, document.html)
                footer = f"{course.student_name} ({course.student_usn}) · {course.code} · assignment {number} · {kind}"
                printed = printer.print_document(source, footer, document.contents)
                for what in printed.overflow:
                    report(f"warning: assignment {number} {kind}: {what} (wider than the page)")
                scaled = [f for f in printed.fitted if f["zoom"] < 1]
                if scaled:
                    smallest = min(scaled, key=lambda f: f["zoom"])
                    report(f"note: assignment {number} {kind}: {len(scaled)} wide table(s), formula(s) or code "
                           f"scaled to the page width (smallest: {smallest['zoom']:.0%}, {smallest['where']})")
                if "pdf" in request.formats:
                    path = document_path(request.out_dir, number, kind, "pdf")
                    outputs.files[path], outputs.pages[path] = printed.pdf, printed.pages
                if "html" in request.formats:
                    outputs.files[document_path(request.out_dir, number, kind, "html")] = printed.html.encode("utf-8")
            if request.archive:
                path = archive_path(request.out_dir, course, number)
                outputs.files[path] = submission_archive(request, number, outputs)
    return outputs


def submission_archive(request: Request, number: int, outputs: Outputs) -> bytes:
    """The zip a student uploads: the submission PDF and HTML, named with the USN and the assignment."""
    buffer = io.BytesIO()
    stem = f"{request.course.student_usn}_{request.course.code}_assignment_{number}_submission"
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for fmt in FORMATS:
            data = outputs.files[document_path(request.out_dir, number, "submission", fmt)]
            info = zipfile.ZipInfo(f"{stem}.{fmt}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def export(request: Request, report: Report = print) -> list[Path]:
    """Check, build and write (see the module docstring); returns the files written.

    Raises
    ------
    ExportRefused
        When anything is wrong with the course file or the notebooks (nothing is written).
    BrowserNotFoundError, MathJaxMissing, RuntimeError
        When the tools to print are missing or printing fails (nothing is written).
    """
    numbers: list[int] = []
    try:
        numbers = selected_assignments(request)
        found = checked_notebooks(request, numbers)
        tools = (require_browser(), local_mathjax_url())
        for note in student_notes(request.course) + legibility_notes([i for v in found.values() for i in v]):
            report(note)
        outputs = build_documents(request, found, tools, report)
    except BaseException:
        remove_earlier(request, numbers, report)
        raise
    remove_earlier(request, numbers, report, keep=set(outputs.files))
    for path, data in outputs.files.items():
        atomic_write_bytes(path, data)
        pages = f"{outputs.pages[path]} pages, " if path in outputs.pages else ""
        report(f"wrote {shown(path)} ({pages}{len(data) // 1024} KiB)")
    return list(outputs.files)
