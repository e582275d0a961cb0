"""Find a Chromium-family browser on this machine and print HTML pages to PDF with it.

The PDF export needs a headless Chromium, Chrome or Edge. :func:`find_browser` looks, in order,
at ``$WORKBOOK_CHROMIUM``, the usual command names on ``PATH``, the usual install folders on
macOS and Windows, and browsers that ``python -m playwright install chromium`` downloaded.
Nothing is downloaded at run time.

Printing goes through Playwright (already a dependency) so the page's MathJax can finish before
the page is printed; without Playwright the browser's own ``--print-to-pdf`` is used.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: One line telling how to get a browser, for error messages and skipped tests.
INSTALL_HINT = ("install one with `sudo apt-get install chromium` (Debian/Ubuntu), "
                "`brew install --cask chromium` (macOS), `winget install Google.Chrome` (Windows; "
                "Microsoft Edge also works), or `.venv/bin/python -m playwright install chromium`; "
                "or set WORKBOOK_CHROMIUM to a Chromium/Chrome/Edge executable")

_COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
             "microsoft-edge", "microsoft-edge-stable", "msedge")
_MAC_APPS = ("/Applications/Chromium.app/Contents/MacOS/Chromium",
             "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
             "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge")
_WINDOWS_APPS = (r"Google\Chrome\Application\chrome.exe", r"Chromium\Application\chrome.exe",
                 r"Microsoft\Edge\Application\msedge.exe")
_PLAYWRIGHT_BINARIES = ("chromium-*/chrome-linux*/chrome", "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
                        "chromium-*/chrome-win*/chrome.exe",
                        "chromium_headless_shell-*/chrome-*/chrome-headless-shell",
                        "chromium_headless_shell-*/chrome-*/chrome-headless-shell.exe")

#: Flags for a quiet, offline, throw-away headless browser.
BROWSER_FLAGS = ["--disable-gpu", "--no-first-run", "--no-default-browser-check",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--disable-default-apps", "--mute-audio"]


#: A4 (210 mm) less 2 x 14 mm margins, in CSS pixels (96 per inch): the width pages are laid out at.
PRINT_VIEWPORT = {"width": round((210 - 28) / 25.4 * 96), "height": round((297 - 30) / 25.4 * 96)}


class BrowserNotFoundError(RuntimeError):
    """No Chromium-family browser could be found."""


@dataclass(frozen=True)
class PrintJob:
    """One HTML page to print: source page, target PDF, and the text of the page footer."""

    html: Path
    pdf: Path
    footer: str = ""


def is_root() -> bool:
    """True when running as root (Chromium then needs ``--no-sandbox``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def launch_flags() -> list[str]:
    """The flags every launch uses (``--no-sandbox`` added only for root)."""
    return BROWSER_FLAGS + (["--no-sandbox"] if is_root() else [])


def _candidates() -> list[Path]:
    found: list[Path] = []
    if os.environ.get("WORKBOOK_CHROMIUM"):
        found.append(Path(os.environ["WORKBOOK_CHROMIUM"]))
    found += [Path(p) for p in map(shutil.which, _COMMANDS) if p]
    if sys.platform == "darwin":
        found += [Path(p) for p in _MAC_APPS]
    if os.name == "nt":
        for root in filter(None, (os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"))):
            found += [Path(root) / app for app in _WINDOWS_APPS]
    caches = [os.environ.get("PLAYWRIGHT_BROWSERS_PATH", ""), str(Path.home() / ".cache" / "ms-playwright"),
              str(Path.home() / "Library" / "Caches" / "ms-playwright"),
              str(Path(os.environ.get("LOCALAPPDATA", str(Path.home()))) / "ms-playwright")]
    for cache in filter(None, caches):
        for pattern in _PLAYWRIGHT_BINARIES:
            found += [Path(p) for p in sorted(glob.glob(os.path.join(cache, pattern)), reverse=True)]
    return found


def find_browser() -> Path | None:
    """The first Chromium/Chrome/Edge executable found, or None."""
    override = os.environ.get("WORKBOOK_CHROMIUM")
    if override and not (Path(override).is_file() and os.access(override, os.X_OK)):
        raise BrowserNotFoundError(f"WORKBOOK_CHROMIUM={override!r} is not an executable file; "
                                   "point it at a Chromium/Chrome/Edge executable or unset it")
    for path in _candidates():
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def require_browser() -> Path:
    """Like :func:`find_browser`, but raise :class:`BrowserNotFoundError` with install advice."""
    path = find_browser()
    if path is None:
        raise BrowserNotFoundError(f"no Chromium/Chrome found to print the PDF: {INSTALL_HINT}")
    return path


def print_pdfs(jobs: list[PrintJob], browser: Path, *, math_timeout_s: float = 90.0) -> list[str]:
    """Print every job's HTML page to its PDF (A4); return warnings (e.g. maths not typeset).

    Uses Playwright when importable (waits for MathJax, adds page-number footers), else the
    browser's ``--print-to-pdf``.
    """
    if importlib.util.find_spec("playwright") is None:
        return [w for job in jobs for w in _print_with_cli(job, browser)]
    return _print_with_playwright(jobs, browser, math_timeout_s)


def _footer_template(text: str) -> str:
    from html import escape

    return ('<div style="font-size:7.5pt; color:#555; width:100%; padding:0 14mm; '
            'display:flex; justify-content:space-between; font-family:sans-serif;">'
            f'<span>{escape(text)}</span>'
            '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def _print_with_playwright(jobs: list[PrintJob], browser: Path, math_timeout_s: float) -> list[str]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    warnings: list[str] = []
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=str(browser), args=launch_flags())
        except PlaywrightError as exc:
            raise RuntimeError(f"could not start {browser} headless ({str(exc).splitlines()[0]}); "
                               f"check that it runs (`{browser} --version`) or {INSTALL_HINT}") from exc
        try:
            # lay out (and let MathJax break lines) at the printed width, in print media
            page = chromium.new_page(viewport=PRINT_VIEWPORT)
            page.emulate_media(media="print")
            for job in jobs:
                page.goto(job.html.resolve().as_uri(), wait_until="load", timeout=120_000)
                try:
                    page.wait_for_function("window.workbookMathDone === true", timeout=math_timeout_s * 1000)
                except PlaywrightTimeout:
                    warnings.append(f"{job.pdf.name}: MathJax did not finish within {math_timeout_s:.0f} s; "
                                    "some maths may show as LaTeX source")
                job.pdf.parent.mkdir(parents=True, exist_ok=True)
                page.pdf(path=str(job.pdf), format="A4", print_background=True, prefer_css_page_size=True,
                         display_header_footer=bool(job.footer), header_template="<span></span>",
                         footer_template=_footer_template(job.footer),
                         margin={"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
        finally:
            chromium.close()
    return warnings


def _print_with_cli(job: PrintJob, browser: Path, timeout_s: float = 180.0) -> list[str]:
    job.pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbook-chromium-") as profile:
        cmd = [str(browser), "--headless", *launch_flags(), f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               "--virtual-time-budget=30000", f"--print-to-pdf={job.pdf.resolve()}",
               f"--window-size={PRINT_VIEWPORT['width']},{PRINT_VIEWPORT['height']}",
               job.html.resolve().as_uri()]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"{browser} did not finish printing {job.pdf.name} within {timeout_s:.0f} s") from exc
    if not job.pdf.is_file():
        raise RuntimeError(f"{browser} did not write {job.pdf} (exit code {run.returncode}): "
                           f"{run.stderr.strip()[-500:]}")
    return []
