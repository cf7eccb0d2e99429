"""Headless Chromium for the page tests and the screenshot script (Debian's ``chromium`` package).

Playwright is a test dependency, imported only when a browser is wanted; the browser is the
system one (``/usr/bin/chromium``), never a downloaded build, so the tests run offline.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")
INSTALL_HINT = ("install Debian's Chromium with `apt-get install -y chromium` and Playwright with "
                "`pip install playwright` (do not run `playwright install`: the system browser is used)")


def chromium_problem() -> str | None:
    """Why a headless Chromium cannot be driven here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"Playwright is not installed; {INSTALL_HINT}"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found; {INSTALL_HINT}"
    return None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[BrowserContext]:
    """A fresh headless Chromium context (own user-data dir), closed and cleaned up afterwards."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="cds-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=list(ARGS),
                viewport={"width": width, "height": height}, offline=True,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
