"""Command line: ``python -m tools.export {html,pdf} [...]`` (see ``--help``)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.course import CourseFileError, load_course
from helpers.paths import COURSE_FILE, NOTEBOOK_DIR, build_dir

from .browser import BrowserNotFoundError
from .build import ExportError, export_html, export_pdf


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.export",
        description="Export the workbook for submission from the notebooks' STORED outputs "
                    "(nothing is executed; nothing under notebooks/ is written).")
    parser.add_argument("formats", nargs="+", choices=["html", "pdf"],
                        help="html: one page per notebook plus index pages in <build>/html/; "
                             "pdf: one PDF per assignment in <build>/pdf/ (needs Chromium/Chrome/Edge)")
    parser.add_argument("--hide-code", action="store_true", help="leave code cells out, keep their outputs")
    parser.add_argument("--assignment", type=int, action="append", metavar="N",
                        help="PDF of assignment N only (repeatable; default: every assignment with a notebook)")
    parser.add_argument("--course", type=Path, default=COURSE_FILE,
                        help="course file for the cover (default: $WORKBOOK_COURSE_FILE or course.toml)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR, help="folder of notebooks (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=None,
                        help="build folder (default: $WORKBOOK_BUILD_DIR or build/); files go to <out>/html, <out>/pdf")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the exports; return the exit code (0 ok, 1 export failed, 2 bad input)."""
    args = parse_args(argv)
    out = args.out or build_dir()
    try:
        course = load_course(args.course)
        if not args.notebooks.is_dir():
            raise ExportError(f"notebook folder {args.notebooks} does not exist")
        for fmt in dict.fromkeys(args.formats):
            if fmt == "html":
                export_html(course, args.notebooks, out / "html", hide_code=args.hide_code)
            else:
                export_pdf(course, args.notebooks, out / "pdf", assignments=args.assignment,
                           hide_code=args.hide_code)
    except (CourseFileError, ExportError) as exc:
        print(f"export: error: {exc}", file=sys.stderr)
        return 2
    except (BrowserNotFoundError, RuntimeError) as exc:
        print(f"export: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
