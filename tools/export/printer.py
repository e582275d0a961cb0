"""Typeset, fit, print and save one document with a headless Chromium driven by Playwright.

For each document the printer

1. opens the page at the printable width in print media (so everything is measured as it
   prints) and waits until MathJax has typeset every formula;
2. fits what is still wider than the printable width: a displayed formula that would have to
   shrink below :data:`LINEBREAK_BELOW` is typeset again with line breaks (MathJax breaks no line
   by default: breaking the maths in table cells squeezes them); a table first lets its cells
   wrap; then a table, formula or code block that still does not fit is scaled down (CSS ``zoom``);
3. saves the typeset page without scripts, the MathJax fonts it uses inlined (the
   self-contained HTML document);
4. prints the PDF (A4, footer with the student and page numbers, outline, tagged), reads the
   page of every question and section from the PDF's outline, writes those numbers into the
   contents and prints again.
"""
from __future__ import annotations

import base64
import io
import math
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from .browser import INSTALL_HINT, launch_flags
from .cover import NAME_FONTS, ContentsEntry
from .figures import MARGIN_MM, PAGE_HEIGHT_MM, PRINTABLE_WIDTH_IN

#: The page's content box in CSS pixels (96 per inch): what the document is laid out at.
PRINT_VIEWPORT = {"width": math.floor(PRINTABLE_WIDTH_IN * 96),
                  "height": math.floor((PAGE_HEIGHT_MM - MARGIN_MM - 16) / 25.4 * 96)}
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4", "print_background": True, "prefer_css_page_size": True, "display_header_footer": True,
    "header_template": "<span></span>", "outline": True, "tagged": True,
    "margin": {"top": f"{MARGIN_MM}mm", "bottom": "16mm", "left": f"{MARGIN_MM}mm", "right": f"{MARGIN_MM}mm"},
}

_FILE_URL = re.compile(r"""url\(\s*['"]?(?P<url>file://[^'")?]+)(\?[^'")]*)?['"]?\s*\)""")

#: A displayed formula that would print smaller than this (scaled to fit) gets line breaks instead.
LINEBREAK_BELOW = 0.7

LINEBREAK_SCRIPT = """async (limit) => {
  const parents = new Set();
  for (const d of document.querySelectorAll('.MathJax_Display')) {
    if (d.clientWidth > 0 && d.scrollWidth * limit > d.clientWidth) parents.add(d.parentElement);
  }
  if (!parents.size) return 0;
  MathJax.OutputJax['HTML-CSS'].config.linebreaks.automatic = true;
  await new Promise(done => {
    for (const p of parents) MathJax.Hub.Queue(['Rerender', MathJax.Hub, p]);
    MathJax.Hub.Queue(done);
  });
  return parents.size;
}"""

FIT_SCRIPT = """() => {
  const fitted = [];
  const where = el => { const q = el.closest('section[id]'); return (q ? q.id : 'page') + ' ' + el.tagName.toLowerCase(); };
  const room = el => { const p = el.parentElement, cs = getComputedStyle(p);
                       return p.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); };
  const width = el => Math.max(el.scrollWidth, el.getBoundingClientRect().width);
  for (const el of document.querySelectorAll('table, .MathJax_Display, pre, .jp-RenderedSVG')) {
    if (width(el) <= room(el) + 0.5) continue;
    if (el.tagName === 'TABLE') el.classList.add('wb-fitted');
    if (width(el) <= room(el) + 0.5) { fitted.push({where: where(el), zoom: 1}); continue; }
    const zoom = room(el) / width(el);
    el.style.zoom = zoom;
    fitted.push({where: where(el), zoom: zoom});
  }
  return fitted;
}"""

OVERFLOW_SCRIPT = """() => {
  const limit = document.querySelector('main').getBoundingClientRect().right + 1;
  const wide = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_ELEMENT, {
    acceptNode: n => (n.namespaceURI === 'http://www.w3.org/2000/svg' && n.tagName.toLowerCase() !== 'svg')
                     || n.classList.contains('MJX_Assistive_MathML')  // clipped to nothing, for screen readers
                     ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > limit) {
      const q = el.closest('section[id]');
      const text = Array.from((el.textContent || '').replace(/\\s+/g, ' ').trim()).slice(0, 60).join('');
      wide.push((q ? q.id : 'page') + ': ' + el.tagName.toLowerCase() + ' ' + Math.round(r.right - limit + 1)
                + ' px too wide' + (text ? ' ("' + text + '")' : ''));
    }
  }
  return wide.slice(0, 20);
}"""

SNAPSHOT_SCRIPT = """() => {
  const page = document.documentElement.cloneNode(true);
  page.querySelectorAll('script[src], #wb-mathjax-config, #MathJax_Message, #MathJax_Font_Test')
      .forEach(e => e.remove());
  return '<!DOCTYPE html>\\n' + page.outerHTML + '\\n';
}"""

FILL_SCRIPT = """(pages) => {
  for (const slot of document.querySelectorAll('.wb-page[data-anchor]')) {
    slot.textContent = pages[slot.dataset.anchor] ? String(pages[slot.dataset.anchor]) : '';
  }
}"""


@dataclass
class Printed:
    """One printed document: the PDF, the typeset HTML, and what the printer had to do or could not."""

    pdf: bytes
    html: str
    pages: int
    fitted: list[dict[str, Any]] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)


def with_fonts_inlined(html: str) -> str:
    """``html`` with every ``url(file://...)`` (MathJax's web fonts) replaced by the file's data
    (by empty data when the file does not exist: the browser could not load it either)."""
    def inline(match: re.Match) -> str:
        path = Path(url2pathname(urlparse(match["url"]).path))
        if not path.is_file():
            return 'url("data:,")'
        kind = {".woff": "font/woff", ".otf": "font/otf", ".ttf": "font/ttf"}.get(path.suffix, "application/octet-stream")
        return f'url("data:{kind};base64,{base64.b64encode(path.read_bytes()).decode("ascii")}")'

    return _FILE_URL.sub(inline, html)


def footer_template(text: str) -> str:
    """Chromium's footer: ``text`` on the left, the page number on the right."""
    return (f'<div style="font-size:7.5pt; color:#555; width:100%; padding:0 {MARGIN_MM}mm; display:flex; '
            f"justify-content:space-between; font-family:{escape(NAME_FONTS)};\">"
            f"<span>{escape(text)}</span>"
            '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def outline(pdf: bytes) -> list[tuple[str, int, list]]:
    """The PDF's bookmarks as (title, page number from 1, children)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))

    def walk(items: list) -> list[tuple[str, int, list]]:
        found: list[tuple[str, int, list]] = []
        for item in items:
            if isinstance(item, list):
                if found:
                    found[-1][2].extend(walk(item))
                continue
            found.append((" ".join(str(item.title).split()), reader.get_destination_page_number(item) + 1, []))
        return found

    return walk(reader.outline)


def contents_pages(bookmarks: list[tuple[str, int, list]], contents: list[ContentsEntry]) -> dict[str, int]:
    """The page of every contents entry, read from the bookmarks (the cover's comes first)."""
    questions = bookmarks[1:]
    titles = [b[0] for b in questions]
    if [_squeezed(t) for t in titles] != [_squeezed(entry.title) for entry in contents]:
        raise RuntimeError(f"the PDF's bookmarks {titles} do not match the questions {[e.title for e in contents]}")
    pages = {}
    for entry, (_, page, children) in zip(contents, questions):
        pages[entry.anchor] = page
        for child in entry.children:
            pages[child.anchor] = next((p for title, p, _ in children if _squeezed(title) == _squeezed(child.title)), 0)
    return pages


def _squeezed(title: str) -> str:
    """A title without whitespace (a bookmark joins the lines of a wrapped heading without a space)."""
    return "".join(title.split())


class Printer:
    """A headless browser that prints documents; use it as a context manager."""

    def __init__(self, browser: Path, math_timeout_s: float = 240.0):
        self.browser = browser
        self.math_timeout_s = math_timeout_s
        self._playwright = None
        self._chromium = None

    def __enter__(self) -> Printer:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._chromium = self._playwright.chromium.launch(executable_path=str(self.browser), args=launch_flags())
        except PlaywrightError as exc:
            self._playwright.stop()
            raise RuntimeError(f"could not start {self.browser} headless ({str(exc).splitlines()[0]}); check that "
                               f"it runs (`{self.browser} --version`) or {INSTALL_HINT}") from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._chromium is not None:
            self._chromium.close()
        if self._playwright is not None:
            self._playwright.stop()

    def print_document(self, source: Path, footer: str, contents: list[ContentsEntry]) -> Printed:
        """Typeset, fit, save and print the page ``source`` (see the module docstring)."""
        page = self._chromium.new_page(viewport=PRINT_VIEWPORT)
        try:
            page.emulate_media(media="print")
            page.goto(source.resolve().as_uri(), wait_until="load", timeout=180_000)
            self._wait_for_maths(page, source)
            page.evaluate(LINEBREAK_SCRIPT, LINEBREAK_BELOW)
            fitted = page.evaluate(FIT_SCRIPT)
            overflow = page.evaluate(OVERFLOW_SCRIPT)
            html = with_fonts_inlined(page.evaluate(SNAPSHOT_SCRIPT))
            options = dict(PDF_OPTIONS, footer_template=footer_template(footer))
            first = page.pdf(**options)
            pages = contents_pages(outline(first), contents)
            page.evaluate(FILL_SCRIPT, {k: v for k, v in pages.items() if v})
            final = page.pdf(**options)
        finally:
            page.close()
        count = _page_count(final)
        if count != _page_count(first):
            raise RuntimeError(f"{source.name}: filling in the contents' page numbers moved the pages "
                               f"({_page_count(first)} -> {count})")
        return Printed(final, html, count, fitted, overflow)

    def _wait_for_maths(self, page: Any, source: Path) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function("window.workbookMathDone === true", timeout=self.math_timeout_s * 1000,
                                   polling=500)
        except PlaywrightTimeout as exc:
            raise RuntimeError(f"{source.name}: MathJax did not finish typesetting within "
                               f"{self.math_timeout_s:.0f} s") from exc


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)
