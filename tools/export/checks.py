"""The checks an export runs before it writes anything, and the refusal they lead to.

Every problem names the file (and cell) at fault and says how to fix it. The export collects all
problems first and refuses with the whole list, so one run tells the student everything to fix.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from helpers.course import Course

from .static import explorers_without_values

#: The student ``course.toml`` ships with: an export for this student is almost certainly a mistake.
EXAMPLE_STUDENT_NAME = "R. Atuliya"
EXAMPLE_STUDENT_USN = "21BTRCL131"

#: A USN goes into file names (the archive to upload), so it is kept to letters, digits and dashes.
USN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")


@dataclass(frozen=True)
class Problem:
    """One reason to refuse: where it is, what is wrong, and how to fix it."""

    where: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}. Fix: {self.fix}"


class ExportRefused(Exception):
    """The export found problems before writing anything; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the export refused, nothing was written ({len(self.problems)} problem"
                         f"{'s' if len(self.problems) != 1 else ''}):\n{lines}")


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies inside it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def course_problems(course: Course, course_file: Path) -> list[Problem]:
    """Duplicate assignment numbers, notebook ids or question numbers, and a USN unfit for file names."""
    where = shown(course_file)
    problems = []
    numbers = Counter(int(a.get("number", -1)) for a in course.assignments)
    for number, count in sorted(numbers.items()):
        if count > 1:
            problems.append(Problem(where, f"assignment number {number} is used by {count} [[assignments]] tables",
                                    "give each assignment its own number"))
    for notebook, count in sorted(Counter(q.notebook for q in course.questions).items()):
        if count > 1:
            problems.append(Problem(where, f"notebook id {notebook!r} answers {count} questions",
                                    "give each question its own notebook id (a<assignment>_q<question>_<topic>)"))
    for (assignment, number), count in sorted(Counter((q.assignment, q.number) for q in course.questions).items()):
        if count > 1:
            problems.append(Problem(where, f"assignment {assignment} has {count} questions numbered {number}",
                                    "number the questions of an assignment 1, 2, 3, ..."))
    if not USN_PATTERN.match(course.student_usn):
        problems.append(Problem(where, f"the USN {course.student_usn!r} is not letters, digits and dashes",
                                "write your USN as printed on your ID card under [student], e.g. usn = \"1AB21CS001\""))
    return problems


def folder_problems(course: Course, notebook_dir: Path, numbers: list[int]) -> list[Problem]:
    """Notebooks without a course entry, and course entries (of the assignments ``numbers``) without a notebook."""
    listed = {q.notebook for q in course.questions}
    problems = []
    for path in sorted(notebook_dir.glob("*.ipynb")):
        if path.stem not in listed:
            problems.append(Problem(shown(path), "this notebook has no entry in the course file",
                                    "add it under its assignment in course.toml (README: \"Adding a question\") "
                                    "or move it out of the notebook folder"))
    for q in course.questions:
        path = notebook_dir / f"{q.notebook}.ipynb"
        if q.assignment in numbers and not path.is_file():
            state = " (marked pending in course.toml)" if q.pending else ""
            problems.append(Problem(shown(path), f"{q.label} has no notebook{state}",
                                    f"restore it (`git checkout -- {shown(path)}`) or finish it; "
                                    f"other assignments export with --assignment N"))
    return problems


def read_notebook(path: Path) -> tuple[NotebookNode | None, list[Problem]]:
    """The notebook at ``path``, or None and the problem that stops it being read."""
    try:
        return nbformat.read(str(path), as_version=4), []
    except Exception as exc:  # nbformat raises several types for broken files
        return None, [Problem(shown(path), f"cannot be read as a notebook ({str(exc).splitlines()[0]})",
                              f"restore it with `git checkout -- {shown(path)}` or re-save it in JupyterLab")]


def notebook_problems(path: Path, nb: NotebookNode) -> list[Problem]:
    """Error outputs, unexecuted code cells and explorer figures whose slider values were not saved."""
    where = shown(path)
    refresh = f"`make refresh NB={where}` (or Kernel > Restart Kernel and Run All Cells, then save)"
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            first = errors[0]
            problems.append(Problem(f"{where}, cell {index}",
                                    f"stores an error ({first.get('ename', 'Error')}: {first.get('evalue', '')})",
                                    f"fix the cell, then {refresh}"))
        elif "".join(cell.get("source", "")).strip() and cell.get("execution_count") is None:
            problems.append(Problem(f"{where}, cell {index}", "was never run (no stored output)", refresh))
    for index in explorers_without_values(nb):
        problems.append(Problem(f"{where}, cell {index}",
                                "shows an explorer figure without the slider values it was drawn with",
                                f"{refresh}; in JupyterLab, Settings > Save Widget State Automatically also keeps them"))
    return problems


def student_notes(course: Course) -> list[str]:
    """What the export tells the student about the cover: whose name it prints, and a warning if it is the example."""
    notes = [f"cover: {course.student_name} ({course.student_usn})"]
    if course.student_name == EXAMPLE_STUDENT_NAME or course.student_usn == EXAMPLE_STUDENT_USN:
        notes.append(f"warning: the cover shows the course file's example student ({EXAMPLE_STUDENT_NAME}, "
                     f"{EXAMPLE_STUDENT_USN}); put your own name and USN under [student] in course.toml")
    return notes
