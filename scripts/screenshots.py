"""Regenerate the README's report screenshots in docs/screenshots/ (headless Debian Chromium).

    python scripts/screenshots.py            # example 12 (several lesions) and example 01 (MESCC)
    python scripts/screenshots.py --full     # whole pages instead

Example 12 is shown from the top (urgent banner, patient summary, skeleton map); example 01 by
its lesion panel (SINS and Bilsky breakdown, the urgent referral with its regimen, citations and
eligibility).

The examples are evaluated as of 2026-11-20, the examples' reference date, so the pictures do
not change from one day to the next.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cds.pipeline import as_of_datetime, evaluate_source  # noqa: E402
from cds.views.browser import chromium, chromium_problem  # noqa: E402
from cds.views.html import render_report  # noqa: E402

AS_OF = date(2026, 11, 20)
# file name -> (example, what to capture: the top of the page or the first lesion panel)
SHOTS = {
    "ex12-multiple-lesions.png": ("12-multiple-lesions-different-treatments.json", "top"),
    "ex01-mescc.png": ("01-mescc-surgical-candidate.json", "lesion"),
}
MAX_HEIGHT = 2200  # keeps the committed PNGs small enough to read on GitHub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full", action="store_true", help="capture the whole page")
    args = parser.parse_args(argv)
    problem = chromium_problem()
    if problem:
        print(f"cannot take screenshots: {problem}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, chromium(width=1280, height=MAX_HEIGHT) as browser:
        page = browser.new_page()
        for name, (example, part) in SHOTS.items():
            outcome = evaluate_source(str(ROOT / "examples" / "patients" / example), as_of_datetime(AS_OF))
            if outcome.error or not outcome.evaluations:
                print(f"{example}: {outcome.error or 'no patient'}", file=sys.stderr)
                return 1
            html = Path(tmp) / (Path(example).stem + ".html")
            html.write_text(render_report(outcome.evaluations[0]), encoding="utf-8")
            page.goto(html.as_uri())
            target = args.out / name
            if args.full or part == "top":
                page.screenshot(path=str(target), full_page=args.full)
            else:
                box = page.locator("article.lesion").first.bounding_box()
                assert box is not None
                clip = {"x": box["x"] - 12, "y": box["y"] - 12, "width": box["width"] + 24,
                        "height": min(box["height"] + 24, MAX_HEIGHT)}
                page.screenshot(path=str(target), full_page=True, clip=clip)
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
