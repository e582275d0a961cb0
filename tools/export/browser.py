"""Find a Chromium-family browser on this machine (the exports typeset and print with it).

:func:`find_browser` looks, in order, at ``$WORKBOOK_CHROMIUM``, the usual command names on
``PATH``, the usual install folders on macOS and Windows, and browsers that
``python -m playwright install chromium`` downloaded. Nothing is downloaded at run time.
"""
from __future__ import annotations

import glob
import os
import shutil
import sys
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


class BrowserNotFoundError(RuntimeError):
    """No Chromium-family browser could be found."""


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


