"""Exports for submission: HTML pages per notebook and one PDF per assignment.

    python -m tools.export html             # build/html/<notebook>.html, assignment_<n>.html, index.html
    python -m tools.export pdf              # build/pdf/assignment_<n>.pdf (needs Chromium/Chrome/Edge)
    python -m tools.export pdf --hide-code  # outputs only
    python -m tools.export html pdf --assignment 1 --course my_course.toml

Exports read the notebooks' stored outputs (``make refresh`` stores them); nothing is executed
and nothing under ``notebooks/`` is written. Output goes under ``$WORKBOOK_BUILD_DIR`` or
``build/``; the cover comes from ``$WORKBOOK_COURSE_FILE`` or ``course.toml``.

Modules: ``static`` (widget outputs made static), ``render`` (nbconvert and the template),
``cover`` (cover, contents, index pages), ``browser`` (finding Chromium, printing PDFs),
``build`` (the two exports), ``__main__`` (the command line).
"""
from .browser import INSTALL_HINT, BrowserNotFoundError, find_browser
from .build import ExportError, export_html, export_pdf

__all__ = ["INSTALL_HINT", "BrowserNotFoundError", "ExportError", "export_html", "export_pdf", "find_browser"]
