"""The course file (``course.toml``) and the header every notebook starts with.

The header shows the question, its course outcome and Bloom level, the assignment's due date,
the learning objectives and the expected run time. It never shows the student's name or USN:
those appear only on exported cover pages, so the student can edit them without changing any
notebook output.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import COURSE_FILE

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class CourseFileError(ValueError):
    """The course file is missing, is not valid TOML, or lacks a required entry."""


@dataclass(frozen=True)
class Question:
    """One assignment question and the notebook that answers it."""

    assignment: int
    number: int
    notebook: str
    title: str
    co: str
    bloom: str
    text: str
    objectives: tuple[str, ...]
    runtime: str
    due: str
    #: True while the question's notebook is still being written (``pending = true`` in course.toml)
    pending: bool = False

    @property
    def label(self) -> str:
        """Short label such as ``"A1 Q3"``."""
        return f"A{self.assignment} Q{self.number}"


@dataclass(frozen=True)
class Course:
    """Everything ``course.toml`` says: course, student and assignments."""

    name: str
    code: str
    credits: int
    semester: str
    academic_year: str
    faculty: str
    student_name: str
    student_usn: str
    assignments: tuple[dict[str, Any], ...]
    questions: tuple[Question, ...]

    def question(self, notebook: str) -> Question:
        """The question answered by ``notebook`` (file name without ``.ipynb``)."""
        notebook = Path(notebook).stem
        for q in self.questions:
            if q.notebook == notebook:
                return q
        known = ", ".join(q.notebook for q in self.questions)
        raise KeyError(
            f"no question in the course file is answered by notebook {notebook!r}; "
            f"add it under [[assignments.questions]] in course.toml (known notebooks: {known})"
        )

    def assignment_questions(self, assignment: int) -> list[Question]:
        """The questions of one assignment, in order."""
        found = [q for q in self.questions if q.assignment == assignment]
        if not found:
            raise KeyError(f"assignment {assignment} is not in the course file (numbers: "
                           f"{sorted({q.assignment for q in self.questions})})")
        return found


def _require(table: dict[str, Any], key: str, where: str, path: Path) -> Any:
    if key not in table:
        raise CourseFileError(f"{path}: {where} has no '{key}' entry; add it (see the comments in course.toml)")
    return table[key]


def load_course(path: str | Path = COURSE_FILE) -> Course:
    """Read and check the course file.

    Raises
    ------
    CourseFileError
        When the file is missing, is not TOML, or an entry is missing.
    """
    path = Path(path)
    if not path.is_file():
        raise CourseFileError(f"course file {path} not found; restore it with `git checkout -- course.toml`")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CourseFileError(f"{path} is not valid TOML ({exc}); fix the line it names") from exc
    course = _require(raw, "course", "the file", path)
    student = _require(raw, "student", "the file", path)
    questions: list[Question] = []
    for a in _require(raw, "assignments", "the file", path):
        number = _require(a, "number", "an [[assignments]] table", path)
        due = _require(a, "due", f"assignment {number}", path)
        for q in _require(a, "questions", f"assignment {number}", path):
            where = f"a question of assignment {number}"
            questions.append(Question(
                assignment=int(number), number=int(_require(q, "number", where, path)),
                notebook=_require(q, "notebook", where, path), title=_require(q, "title", where, path),
                co=_require(q, "co", where, path), bloom=_require(q, "bloom", where, path),
                text=_require(q, "text", where, path),
                objectives=tuple(q.get("objectives", ())), runtime=q.get("runtime", "under a minute"),
                due=due, pending=bool(q.get("pending", False)),
            ))
    return Course(
        name=_require(course, "name", "[course]", path), code=_require(course, "code", "[course]", path),
        credits=int(_require(course, "credits", "[course]", path)),
        semester=_require(course, "semester", "[course]", path),
        academic_year=_require(course, "academic_year", "[course]", path),
        faculty=_require(course, "faculty", "[course]", path),
        student_name=_require(student, "name", "[student]", path),
        student_usn=_require(student, "usn", "[student]", path),
        assignments=tuple(raw["assignments"]), questions=tuple(questions),
    )


def header_markdown(notebook: str, course: Course | None = None) -> str:
    """The header of ``notebook`` as Markdown (no student data)."""
    course = course or load_course()
    q = course.question(notebook)
    objectives = "\n".join(f"- {o}" for o in q.objectives)
    return (
        f"# {q.label}. {q.title}\n\n"
        f"**{course.name} ({course.code})** · Assignment {q.assignment}, question {q.number} · "
        f"{q.co} · Bloom level {q.bloom} · due {q.due}\n\n"
        f"> **Question.** {q.text}\n\n"
        f"**Learning objectives**\n\n{objectives}\n\n"
        f"*Expected run time: {q.runtime} on two CPU cores.*"
    )


def header(notebook: str) -> Any:
    """Display object for a notebook's first cell: ``header("a1_q1_mle_quality_control")``."""
    from IPython.display import Markdown

    return Markdown(header_markdown(notebook))
