"""Command line: ``python -m tools.export {pdf,html,submit} [...]`` (see ``--help``); :func:`main` for callers."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpers.course import CourseFileError, load_course
from helpers.paths import COURSE_FILE, NOTEBOOK_DIR, build_dir

from .browser import BrowserNotFoundError
from .build import FORMATS, KINDS, Request, export
from .checks import ExportRefused
from .mathjax import MathJaxMissing

COMMANDS = {
    "pdf": "both documents of each assignment as PDF: <out>/export/assignment_<n>_{submission,workbook}.pdf",
    "html": "both documents as self-contained HTML: <out>/export/assignment_<n>_{submission,workbook}.html",
    "submit": "the submission as PDF and HTML, packed per assignment into "
              "<out>/submit/<USN>_<code>_assignment_<n>.zip: the file to upload",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.export",
        description="Export the workbook for submission from the notebooks' STORED outputs (nothing is executed; "
                    "nothing under notebooks/ is written). Needs Chromium, Chrome or Edge.",
        epilog="\n".join(f"{name}: {text}" for name, text in COMMANDS.items()))
    parser.add_argument("commands", nargs="+", choices=list(COMMANDS), metavar="{pdf,html,submit}",
                        help="what to make (several may be given)")
    parser.add_argument("--assignment", type=int, action="append", metavar="N",
                        help="assignment N only (repeatable; default: every assignment)")
    parser.add_argument("--document", choices=KINDS, help="one document only (default: both; submit: the submission)")
    parser.add_argument("--course", type=Path, default=COURSE_FILE,
                        help="course file (default: $WORKBOOK_COURSE_FILE or course.toml)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR, help="folder of notebooks (default: notebooks/)")
    parser.add_argument("--out", type=Path, default=None,
                        help="build folder (default: $WORKBOOK_BUILD_DIR or build/)")
    return parser.parse_args(argv)


def request_from(args: argparse.Namespace) -> Request:
    """The export request the options describe."""
    commands = set(args.commands)
    formats = tuple(f for f in FORMATS if f in commands or "submit" in commands)
    if args.document:
        kinds: tuple[str, ...] = (args.document,)
    else:
        kinds = ("submission",) if commands == {"submit"} else KINDS
    if "submit" in commands and "submission" not in kinds:
        raise ExportRefusedArgs("submit packs the submission: drop --document workbook or ask for pdf/html")
    if not args.notebooks.is_dir():
        raise ExportRefusedArgs(f"the notebook folder {args.notebooks} does not exist; give the folder with --notebooks")
    return Request(course=load_course(args.course), course_file=args.course, notebook_dir=args.notebooks,
                   out_dir=args.out or build_dir(),
                   assignments=tuple(args.assignment) if args.assignment else None,
                   kinds=kinds, formats=formats, archive="submit" in commands)


class ExportRefusedArgs(ValueError):
    """The options contradict each other or name something that does not exist."""


def main(argv: list[str] | None = None) -> int:
    """Run the export; return the exit code (0 written, 1 could not print, 2 refused or bad input)."""
    args = parse_args(argv)
    try:
        export(request_from(args))
    except (CourseFileError, ExportRefused, ExportRefusedArgs) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 2
    except (BrowserNotFoundError, MathJaxMissing, RuntimeError, OSError) as exc:
        print(f"export: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
