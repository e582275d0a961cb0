"""Cover page, contents list and index pages, all from the course file (``course.toml``)."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from helpers.course import Course, Question

COVER_CSS = """
.wb-cover { font-family: "DejaVu Sans", Arial, sans-serif; padding: 30mm 10mm 0 10mm; color: #111; }
.wb-cover .wb-course { font-size: 15pt; color: #333; margin: 0 0 4mm 0; }
.wb-cover h1 { font-size: 26pt; margin: 0 0 14mm 0; }
.wb-cover table { border-collapse: collapse; font-size: 12pt; margin-bottom: 12mm; }
.wb-cover th { text-align: left; padding: 2.5mm 10mm 2.5mm 0; color: #444; font-weight: normal; }
.wb-cover td { padding: 2.5mm 0; font-weight: bold; }
.wb-cover h2, .wb-contents h2 { font-size: 14pt; margin: 0 0 4mm 0; }
.wb-cover ol, .wb-contents ol { font-size: 12pt; line-height: 1.6; padding-left: 6mm; }
.wb-contents { font-family: "DejaVu Sans", Arial, sans-serif; padding: 10mm; break-before: page; }
.wb-contents a { color: #114; text-decoration: none; }
.wb-missing { font-style: italic; color: #844; }
.wb-index { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }
.wb-index table { border-collapse: collapse; }
.wb-index th { text-align: left; padding: 0.3em 1.5em 0.3em 0; color: #444; font-weight: normal; }
"""


@dataclass(frozen=True)
class Entry:
    """One question of an assignment and whether its notebook exists."""

    question: Question
    present: bool

    @property
    def anchor(self) -> str:
        """HTML id of the question's section in the combined document."""
        return f"q-{self.question.notebook}"


def assignment_info(course: Course, number: int) -> dict[str, Any]:
    """The ``[[assignments]]`` table of assignment ``number``."""
    for table in course.assignments:
        if int(table.get("number", -1)) == number:
            return table
    raise KeyError(f"assignment {number} is not in the course file "
                   f"(numbers: {[a.get('number') for a in course.assignments]})")


def _facts(course: Course, number: int) -> list[tuple[str, str]]:
    info = assignment_info(course, number)
    return [
        ("Student", course.student_name), ("USN", course.student_usn),
        ("Course", course.name), ("Subject code", course.code),
        ("Faculty", course.faculty), ("Semester", course.semester),
        ("Academic year", course.academic_year),
        ("Assignment", f"{number} ({info.get('co', '')})".replace(" ()", "")),
        ("Due date", str(info.get("due", ""))),
    ]


def _facts_table(facts: list[tuple[str, str]]) -> str:
    rows = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    return f"<table>\n{rows}\n</table>"


def cover_html(course: Course, number: int, entries: list[Entry]) -> str:
    """The cover page of assignment ``number``: who hands in what, and the questions."""
    items = "\n".join(f"<li>{escape(e.question.label)}. {escape(e.question.title)}</li>" for e in entries)
    return (f'<section class="wb-cover">\n'
            f'<p class="wb-course">{escape(course.name)} ({escape(course.code)})</p>\n'
            f"<h1>Assignment {number}</h1>\n"
            f"{_facts_table(_facts(course, number))}\n"
            f"<h2>Questions</h2>\n<ol>\n{items}\n</ol>\n</section>")


def contents_html(entries: list[Entry]) -> str:
    """The contents list, linking to each question's section."""
    items = []
    for e in entries:
        note = "" if e.present else ' <span class="wb-missing">(no notebook yet)</span>'
        items.append(f'<li><a href="#{e.anchor}">{escape(e.question.label)}. {escape(e.question.title)}</a>{note}</li>')
    return '<section class="wb-contents">\n<h2>Contents</h2>\n<ol>\n' + "\n".join(items) + "\n</ol>\n</section>"


def missing_html(entry: Entry, notebook_dir_name: str = "notebooks") -> str:
    """The section standing in for a question that has no notebook."""
    q = entry.question
    return ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown">\n'
            f"<h1>{escape(q.label)}. {escape(q.title)}</h1>\n"
            f'<p class="wb-missing">No notebook answers this question yet: '
            f"{escape(notebook_dir_name)}/{escape(q.notebook)}.ipynb does not exist.</p>\n"
            f"<blockquote><p><strong>Question.</strong> {escape(q.text)}</p></blockquote>\n</div>")


def assignment_index_html(course: Course, number: int, entries: list[Entry]) -> str:
    """``build/html/assignment_<n>.html``: the cover facts and links to each question's page."""
    items = []
    for e in entries:
        label = f"{escape(e.question.label)}. {escape(e.question.title)}"
        items.append(f'<li><a href="{escape(e.question.notebook)}.html">{label}</a></li>' if e.present
                     else f'<li>{label} <span class="wb-missing">(no notebook yet)</span></li>')
    body = (f'<p><a href="index.html">All assignments</a></p>\n'
            f"<h1>{escape(course.name)} ({escape(course.code)}): assignment {number}</h1>\n"
            f"{_facts_table(_facts(course, number))}\n<h2>Questions</h2>\n<ol>\n" + "\n".join(items) + "\n</ol>")
    return page(f"Assignment {number} · {course.name}", body)


def workbook_index_html(course: Course, numbers: list[int], others: list[str]) -> str:
    """``build/html/index.html``: one link per assignment (and notebooks not in the course file)."""
    items = "\n".join(f'<li><a href="assignment_{n}.html">Assignment {n}</a> (due '
                      f'{escape(str(assignment_info(course, n).get("due", "")))})</li>' for n in numbers)
    extra = ""
    if others:
        links = "\n".join(f'<li><a href="{escape(s)}.html">{escape(s)}</a></li>' for s in others)
        extra = f"<h2>Other notebooks</h2>\n<ul>\n{links}\n</ul>"
    body = (f"<h1>{escape(course.name)} ({escape(course.code)})</h1>\n"
            f"<p>{escape(course.student_name)} · {escape(course.student_usn)} · {escape(course.semester)} "
            f"semester · {escape(course.academic_year)} · {escape(course.faculty)}</p>\n"
            f"<ol>\n{items}\n</ol>\n{extra}")
    return page(course.name, body)


def page(title: str, body: str) -> str:
    """A small standalone HTML page with the cover style."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{COVER_CSS}</style>\n</head>\n"
            f'<body>\n<main class="wb-index">\n{body}\n</main>\n</body>\n</html>\n')
