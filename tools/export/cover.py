"""The cover page (who hands in what), the contents with page-number slots, and each question's title block.

Everything here comes from the course file. The student's name may be in any script: the cover's
fonts cover Latin, Devanagari and Kannada (Noto; see the README for the packages).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from helpers.course import Course, Question

#: Fonts for names and text in Latin, Devanagari and Kannada script.
NAME_FONTS = ('"Noto Sans", "DejaVu Sans", "Noto Sans Devanagari", "Noto Sans Kannada", '
              '"Nirmala UI", "Tunga", "Mangal", Arial, sans-serif')

#: The two documents: file-name part, title on the cover, and what the reader gets.
KINDS: dict[str, tuple[str, str]] = {
    "submission": ("Submission", "per question: the question, the answer, the key figures, then the "
                                 "supporting work (outputs of the code; code shown where it is the answer)"),
    "workbook": ("Full workbook", "every cell of every notebook, with its code and outputs"),
}


@dataclass
class ContentsEntry:
    """A line of the contents: title, anchor, and the entries below it."""

    title: str
    anchor: str
    children: list[ContentsEntry] = field(default_factory=list)


def assignment_info(course: Course, number: int) -> dict[str, Any]:
    """The ``[[assignments]]`` table of assignment ``number``."""
    for table in course.assignments:
        if int(table.get("number", -1)) == number:
            return table
    raise KeyError(f"assignment {number} is not in the course file "
                   f"(numbers: {[a.get('number') for a in course.assignments]})")


def cover_facts(course: Course, number: int, kind: str) -> list[tuple[str, str]]:
    """The cover's rows: student, course, assignment, document."""
    info = assignment_info(course, number)
    return [
        ("Student", course.student_name), ("USN", course.student_usn),
        ("Course", f"{course.name} ({course.code})"), ("Faculty", course.faculty),
        ("Semester", f"{course.semester} semester, {course.academic_year}"),
        ("Assignment", f"{number} ({info.get('co', '')})".replace(" ()", "")),
        ("Due date", str(info.get("due", ""))),
        ("Document", f"{KINDS[kind][0]}: {KINDS[kind][1]}"),
    ]


def cover_html(course: Course, number: int, kind: str, contents: list[ContentsEntry]) -> str:
    """The cover page: the facts, then the contents (page numbers filled in after the first printing)."""
    rows = "\n".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>'
                     for k, v in cover_facts(course, number, kind))
    return (f'<section class="wb-cover" id="cover">\n'
            f'<p class="wb-course">{escape(course.name)} ({escape(course.code)})</p>\n'
            f"<h1>Assignment {number}: {escape(KINDS[kind][0].lower())}</h1>\n"
            f'<table class="wb-facts">\n{rows}\n</table>\n{contents_html(contents)}\n</section>')


def contents_html(entries: list[ContentsEntry]) -> str:
    """The contents, two levels, each line with an empty ``.wb-page`` slot for its page number."""
    def line(entry: ContentsEntry) -> str:
        return (f'<a href="#{escape(entry.anchor)}"><span class="wb-toc-title">{escape(entry.title)}</span>'
                f'<span class="wb-page" data-anchor="{escape(entry.anchor)}"></span></a>')

    items = []
    for entry in entries:
        children = "".join(f"<li>{line(c)}</li>" for c in entry.children)
        items.append(f"<li>{line(entry)}" + (f'<ol class="wb-toc-sub">{children}</ol>' if children else "") + "</li>")
    return '<nav class="wb-contents">\n<h2>Contents</h2>\n<ol>\n' + "\n".join(items) + "\n</ol>\n</nav>"


def question_anchor(question: Question) -> str:
    return f"q-{question.notebook}"


def title_block(course: Course, question: Question, *, objectives: bool) -> str:
    """The question's heading, its facts and the question as the sheet asks it."""
    facts = (f"{escape(course.code)} · Assignment {question.assignment}, question {question.number} · "
             f"{escape(question.co)} · Bloom level {escape(question.bloom)} · due {escape(question.due)}")
    block = (f'<h1 id="{question_anchor(question)}-title">{escape(question.label)}. {escape(question.title)}</h1>\n'
             f'<p class="wb-meta">{facts}</p>\n'
             f'<blockquote class="wb-question-text"><p><strong>Question.</strong> {escape(question.text)}</p>'
             "</blockquote>")
    if objectives and question.objectives:
        items = "".join(f"<li>{escape(o)}</li>" for o in question.objectives)
        block += f'\n<p class="wb-meta"><strong>Learning objectives</strong></p><ul class="wb-objectives">{items}</ul>'
    return f'<header class="wb-title jp-RenderedHTMLCommon">\n{block}\n</header>'
