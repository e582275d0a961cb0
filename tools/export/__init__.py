"""Exports for submission: per assignment, the submission a grader marks and the full workbook.

    python -m tools.export submit                  # what to upload: <out>/submit/<USN>_<code>_assignment_<n>.zip
    python -m tools.export pdf html                # <out>/export/assignment_<n>_{submission,workbook}.{pdf,html}
    python -m tools.export pdf --assignment 2 --document submission

Exports read the notebooks' stored outputs (``make refresh`` stores them); nothing is executed
and nothing under ``notebooks/`` is written. Output goes under ``--out``, ``$WORKBOOK_BUILD_DIR``
or ``build/``; the cover comes from ``--course``, ``$WORKBOOK_COURSE_FILE`` or ``course.toml``.

**The two documents.** The submission prints, per question, the question, the Answer section, the
key figures, then the supporting work (the other sections, code hidden except the code that is
itself the answer); the full workbook prints every cell with its code. Both start with a cover
(student, USN, course, assignment, due date) and contents with page numbers; the PDF has a
bookmark per question and section and is tagged; the HTML is one self-contained page (figures
and typeset maths inside, no script).

**Tags for the submission** (cell metadata; see :mod:`tools.export.compose`):
``answer-code`` (code shown), ``key-figure`` (figures printed after the Answer),
``submission-skip`` (left out of the submission). Untagged notebooks: key figures are the
figures of the Answer and Experiments sections, and all code is hidden.

**Refusals.** Before writing anything the export checks the course file and every notebook it
needs (:mod:`tools.export.checks`) and refuses, listing each problem with its fix: a notebook
without a course entry or an entry without a notebook, a duplicate id or assignment number, a
stored error, an unexecuted cell, an explorer figure without its slider values. A refused or
failed export writes nothing and removes what earlier exports left for those assignments.

Modules: ``checks`` (refusals), ``static`` (widget outputs made static), ``compose`` (what goes
into each document), ``figures`` (figures on paper), ``render`` (nbconvert), ``cover`` (cover,
contents, title blocks), ``document`` (one HTML page per document), ``mathjax`` (the local
MathJax), ``browser`` (finding Chromium), ``printer`` (typesetting and printing), ``build`` (the
run), ``__main__`` (the command line: :func:`tools.export.__main__.main`).
"""
