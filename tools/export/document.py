"""One assignment's document as a single HTML page: cover with contents, then each question.

The page loads the local MathJax (``jupyter-server-mathjax``) to typeset the maths; the printer
(:mod:`tools.export.printer`) then prints it and saves the typeset page without scripts.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from nbconvert import HTMLExporter
from nbformat import NotebookNode

from helpers.course import Course, Question

from .compose import Submission, submission, workbook_cells
from .cover import NAME_FONTS, ContentsEntry, cover_html, question_anchor, title_block
from .figures import KEY_FIGURE_FONT_PT, MARGIN_MM, PAGE_WIDTH_MM, image_html
from .render import exporter, render_cells
from .static import RESULTS_CLASS, static_copy

#: MathJax 2 as ``jupyter-server-mathjax`` ships it: its combined TeX configuration, HTML-CSS output
#: with the STIX web fonts (the printer inlines the fonts used into the saved HTML).
MATHJAX_COMBINED_CONFIG = "TeX-AMS-MML_HTMLorMML-full"
MATHJAX_CONFIG = r"""
MathJax.Hub.Config({
  TeX: { equationNumbers: { autoNumber: "none" } },
  tex2jax: { inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]],
             processEscapes: true, processEnvironments: true },
  "HTML-CSS": { availableFonts: [], webFont: "STIX-Web", imageFont: null, linebreaks: { automatic: false } },
  displayAlign: "center", messageStyle: "none", showMathMenu: false, showProcessingMessages: false
});
MathJax.Hub.Register.StartupHook("End", function () { window.workbookMathDone = true; });
"""

#: Layout of both documents, on screen (the HTML) and on paper (the PDF).
DOCUMENT_CSS = f"""
:root {{
  --jp-content-font-size1: 9pt; --jp-code-font-size: 7.5pt; --jp-code-line-height: 1.25;
  --jp-content-line-height: 1.3;
  --jp-content-font-family: {NAME_FONTS}; --jp-ui-font-family: {NAME_FONTS};
  --jp-cell-padding: 2px; --jp-notebook-padding: 0; --jp-cell-collapser-width: 0px;
}}
body {{ margin: 0; background: #fff; }}
main.wb-document {{ font-family: {NAME_FONTS}; color: #111; }}
.jp-Collapser {{ display: none; }}
.jp-InputArea-editor pre, .jp-OutputArea-output pre {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.jp-OutputArea-output {{ overflow: visible; }}
.jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon ul, .jp-RenderedHTMLCommon ol {{ margin-top: 0; margin-bottom: 0.45em; }}
.jp-RenderedHTMLCommon h2, .jp-RenderedHTMLCommon h3, .jp-RenderedHTMLCommon h4 {{ margin-top: 0.8em; margin-bottom: 0.35em; }}
.jp-RenderedHTMLCommon table {{ font-size: 7.5pt; margin: 0 0 0.4em 0; table-layout: auto; }}
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th {{ padding: 1px 5px; }}
.jp-OutputArea-output pre {{ margin: 0; }}
.wb-fitted td, .wb-fitted th {{ white-space: normal; overflow-wrap: normal; word-break: normal; }}
.{RESULTS_CLASS} {{ table-layout: fixed; width: 100%; }}
.{RESULTS_CLASS} th:first-child, .{RESULTS_CLASS} td:first-child {{ width: 45%; }}
.{RESULTS_CLASS} td {{ overflow-wrap: anywhere; vertical-align: top; }}
img.wb-figure {{ max-width: 100%; height: auto; display: block; }}
.anchor-link {{ display: none; }}
.wb-widget-note {{ font-style: italic; color: #444; border-left: 3px solid #9ab; padding: 1px 8px; font-size: 90%; }}
.wb-figure-ref {{ font-style: italic; color: #444; margin: 2px 0; }}
.wb-cover {{ padding: 8mm 4mm 0 4mm; }}
.wb-cover .wb-course {{ font-size: 13pt; color: #333; margin: 0 0 2mm 0; }}
.wb-cover h1 {{ font-size: 22pt; margin: 0 0 8mm 0; }}
.wb-facts {{ border-collapse: collapse; font-size: 11pt; margin-bottom: 8mm; }}
.wb-facts th {{ text-align: left; padding: 1.5mm 8mm 1.5mm 0; color: #444; font-weight: normal; vertical-align: top; }}
.wb-facts td {{ padding: 1.5mm 0; font-weight: bold; }}
.wb-contents h2 {{ font-size: 13pt; margin: 0 0 3mm 0; }}
.wb-contents ol {{ font-size: 10.5pt; line-height: 1.5; padding-left: 6mm; margin: 0; }}
.wb-contents ol.wb-toc-sub {{ font-size: 9.5pt; list-style: none; padding-left: 4mm; color: #333; }}
.wb-contents a {{ color: #114; text-decoration: none; display: flex; }}
.wb-toc-title {{ flex: 1 1 auto; }}
.wb-page {{ flex: 0 0 3em; text-align: right; }}
.wb-title h1 {{ font-size: 16pt; margin: 0 0 2mm 0; }}
/* a space where a heading wraps stays in its text, so the PDF outline keeps it between the two words */
h1, h2, h3, h4 {{ white-space: pre-wrap; }}
.wb-meta {{ color: #444; font-size: 9pt; margin: 0 0 2mm 0; }}
.wb-question-text {{ margin: 2mm 0 4mm 0; }}
h2.wb-part {{ font-size: 13pt; border-bottom: 1px solid #bbb; padding-bottom: 1mm; margin-top: 5mm; }}
.wb-supporting-note {{ color: #444; font-size: 9pt; }}
figure.wb-key-figure {{ margin: 3mm 0; }}
figure.wb-key-figure figcaption {{ font-size: 9pt; color: #333; margin-top: 1mm; }}
@page {{ size: A4; margin: {MARGIN_MM}mm {MARGIN_MM}mm 16mm {MARGIN_MM}mm; }}
@media print {{
  .wb-question {{ break-before: page; }}
  .jp-OutputArea-child {{ break-inside: auto; }}
  /* JupyterLab lays an input area out as a one-cell table, which Chromium does not split across
     pages: a long Markdown cell then jumped whole to the next page and left a gap */
  .jp-InputArea, .jp-InputArea > * {{ display: block; width: auto; }}
  h1, h2, h3, h4, h5 {{ break-after: avoid; }}
  img, figure, .jp-RenderedImage, tr, .MathJax_Display {{ break-inside: avoid; }}
  .wb-contents a {{ color: #111; }}
}}
@media screen {{
  main.wb-document {{ max-width: {PAGE_WIDTH_MM - 2 * MARGIN_MM}mm; margin: 0 auto; padding: 6mm 4mm; }}
  .wb-page {{ display: none; }}
  .wb-question {{ border-top: 3px solid #9ab; margin-top: 10mm; padding-top: 4mm; }}
}}
"""

_ID = re.compile(r'(\sid=")([^"]+)(")')
_HREF = re.compile(r'(\shref="#)([^"]+)(")')
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">¶</a>')
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
_H1 = re.compile(r"<(/?)h1\b")
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class QuestionNotebook:
    """A question and its notebook, read and checked."""

    question: Question
    path: Path
    notebook: NotebookNode


@dataclass
class Document:
    """An assignment's document as HTML, its contents, and its title (the PDF's title too)."""

    html: str
    contents: list[ContentsEntry]
    title: str


def scoped(fragment: str, prefix: str) -> str:
    """``fragment`` with its ids and in-page links prefixed (several notebooks share one page) and
    the headings' ¶ links removed."""
    fragment = _ANCHOR_LINK.sub("", fragment)
    fragment = _ID.sub(lambda m: f"{m[1]}{prefix}-{m[2]}{m[3]}", fragment)
    return _HREF.sub(lambda m: f"{m[1]}{prefix}-{m[2]}{m[3]}", fragment)


def demoted(fragment: str, levels: int) -> str:
    """Every heading moved down by ``levels`` (at most to h6)."""
    def shift(m: re.Match) -> str:
        return f"<{m[1]}h{min(6, int(m[2]) + levels)}"

    return _HEADING_TAG.sub(shift, fragment)


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def submission_section(course: Course, item: QuestionNotebook, html_exporter: HTMLExporter) -> tuple[str, ContentsEntry]:
    """A question's section of the submission and its contents entry."""
    anchor = question_anchor(item.question)
    parts: Submission = submission(static_copy(item.notebook))
    metadata = item.notebook.metadata
    _, answer = render_cells(parts.answer, metadata, html_exporter)
    _, supporting = render_cells(parts.supporting, metadata, html_exporter)
    entry = ContentsEntry(f"{item.question.label}. {item.question.title}", anchor,
                          [ContentsEntry("Answer", f"{anchor}-answer")])
    body = [title_block(course, item.question, objectives=False),
            f'<h2 class="wb-part" id="{anchor}-answer">Answer</h2>', scoped(demoted(answer, 1), anchor)]
    if parts.figures:
        entry.children.append(ContentsEntry("Key figures", f"{anchor}-figures"))
        body.append(f'<h2 class="wb-part" id="{anchor}-figures">Key figures</h2>')
        body += [f'<figure class="wb-key-figure">{image_html(f.output, preferred_font_pt=KEY_FIGURE_FONT_PT)}'
                 f'<figcaption><strong>Figure {f.number}.</strong> '
                 f"{html.escape(f.caption)}</figcaption></figure>" for f in parts.figures]
    entry.children.append(ContentsEntry("Supporting work", f"{anchor}-supporting"))
    body += [f'<h2 class="wb-part" id="{anchor}-supporting">Supporting work</h2>',
             '<p class="wb-supporting-note">The notebook\'s sections as stored: outputs of every cell, '
             "code shown only where it is part of the answer (the full workbook has all of it).</p>",
             scoped(demoted(supporting, 1), anchor)]
    return f'<section class="wb-question" id="{anchor}">\n' + "\n".join(body) + "\n</section>", entry


def workbook_section(course: Course, item: QuestionNotebook, html_exporter: HTMLExporter) -> tuple[str, ContentsEntry]:
    """A question's section of the full workbook (every cell, code shown) and its contents entry."""
    anchor = question_anchor(item.question)
    _, body = render_cells(workbook_cells(static_copy(item.notebook)), item.notebook.metadata, html_exporter)
    body = scoped(_H1.sub(r"<\1h2", body), anchor)  # the question's title is the only level-1 heading
    entry = ContentsEntry(f"{item.question.label}. {item.question.title}", anchor,
                          [ContentsEntry(plain_text(title), ident) for ident, title in _H2.findall(body)])
    section = f"{title_block(course, item.question, objectives=True)}\n{body}"
    return f'<section class="wb-question" id="{anchor}">\n{section}\n</section>', entry


def assignment_document(course: Course, number: int, kind: str, items: list[QuestionNotebook],
                        mathjax_url: str) -> Document:
    """The HTML page of one document (``kind``: "submission" or "workbook") of assignment ``number``."""
    html_exporter = exporter()
    make = submission_section if kind == "submission" else workbook_section
    sections, contents = [], []
    for item in items:
        section, entry = make(course, item, html_exporter)
        sections.append(section)
        contents.append(entry)
    head, _ = render_cells([], items[0].notebook.metadata, html_exporter)
    title = f"{course.code} assignment {number} {kind} · {course.student_name} ({course.student_usn})"
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n" + head + f"\n<title>{html.escape(title)}</title>\n"
            f"<style>{DOCUMENT_CSS}</style>\n"
            f'<script type="text/x-mathjax-config" id="wb-mathjax-config">{MATHJAX_CONFIG}</script>\n'
            f'<script id="wb-mathjax" src="{html.escape(mathjax_url)}?config={MATHJAX_COMBINED_CONFIG}"></script>\n'
            "</head>\n"
            '<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">\n'
            f'<main class="wb-document wb-{kind}">\n{cover_html(course, number, kind, contents)}\n'
            + "\n".join(sections) + "\n</main>\n</body>\n</html>\n")
    return Document(page, contents, title)
