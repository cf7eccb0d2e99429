"""Regenerate the README's screenshots in docs/screenshots/ (headless Debian Chromium).

    python scripts/screenshots.py            # the report (example 12, example 01), the terminal at 80
                                             # columns, the printed first page, a phone, CDS Hooks cards
    python scripts/screenshots.py --full     # whole report pages instead

Example 12 is shown from the top (urgent banner, patient summary, skeleton map); example 01 by
its lesion panel (SINS and Bilsky breakdown, the urgent referral with its regimen, citations and
eligibility).

The examples are evaluated as of 2026-11-20, the examples' reference date, so the pictures do
not change from one day to the next.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

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
        for name, shoot in EXTRA_SHOTS.items():
            target = args.out / name
            shoot(browser, Path(tmp), target)
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    return 0


def _evaluation(example: str) -> Any:
    outcome = evaluate_source(str(ROOT / "examples" / "patients" / example), as_of_datetime(AS_OF))
    if outcome.error or not outcome.evaluations:
        raise SystemExit(f"{example}: {outcome.error or 'no patient'}")
    return outcome.evaluations[0]


def terminal_80(browser: Any, tmp: Path, target: Path) -> None:
    """`cds evaluate` of example 12 as an 80-column terminal shows it (rich's own SVG export)."""
    from rich.console import Console

    from cds.views.text import render_evaluation

    console = Console(record=True, width=80, force_terminal=True, color_system="truecolor", file=io.StringIO())
    render_evaluation(_evaluation("12-multiple-lesions-different-treatments.json"), console)
    svg = tmp / "terminal.svg"
    svg.write_text(console.export_svg(title="cds evaluate examples/patients/12-… (80 columns)"), encoding="utf-8")
    html = tmp / "terminal.html"
    html.write_text(f'<!doctype html><body style="margin:0;background:#fff"><img src="{svg.name}" width="1000">',
                    encoding="utf-8")
    page = browser.new_page()
    page.set_viewport_size({"width": 1000, "height": 800})
    page.goto(html.as_uri())
    height = page.evaluate("document.images[0].getBoundingClientRect().height")
    page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": 1000, "height": min(height, 1100)},
                    full_page=True)
    page.close()


def _report_page(browser: Any, tmp: Path, example: str, width: int, height: int, media: str | None = None) -> Any:
    """A page showing an example's report at a viewport size (and, for print, the print stylesheet)."""
    html = tmp / f"{Path(example).stem}-{width}.html"
    html.write_text(render_report(_evaluation(example)), encoding="utf-8")
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    if media:
        page.emulate_media(media=media)
    page.goto(html.as_uri())
    return page


def printed_first_page(browser: Any, tmp: Path, target: Path) -> None:
    """Example 01's report with the print stylesheet, cut to the first A4 page (794 × 1123 px at 96 dpi)."""
    page = _report_page(browser, tmp, "01-mescc-surgical-candidate.json", 794, 1123, media="print")
    page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": 794, "height": 1123})
    page.close()


def phone(browser: Any, tmp: Path, target: Path) -> None:
    """Example 12's report on a 390-pixel-wide phone (no horizontal scrolling)."""
    page = _report_page(browser, tmp, "12-multiple-lesions-different-treatments.json", 390, 844)
    page.screenshot(path=str(target))
    page.close()


CARD_PAGE = """<!doctype html><meta charset="utf-8"><title>patient-view cards</title>
<style>body{{font:14px/1.4 system-ui,sans-serif;background:#eef1f5;margin:0;padding:16px}}
h1{{font-size:15px;color:#444}} .card{{background:#fff;border-left:6px solid #888;border-radius:4px;
padding:10px 14px;margin:0 0 12px;max-width:760px;box-shadow:0 1px 2px #0002}}
.critical{{border-color:#c62828}} .warning{{border-color:#ef8f00}} .info{{border-color:#1565c0}}
.summary{{font-weight:600;font-size:15px}} .src{{color:#666;font-size:12px}} a{{color:#1565c0}}
.links a,.sugg{{display:inline-block;margin:6px 8px 0 0}} .sugg{{border:1px solid #1565c0;border-radius:3px;
padding:2px 8px;color:#1565c0}}</style>
<h1>CDS Hooks patient-view — cards as a client shows them (summary, detail in Markdown, suggestions, links)</h1>
{cards}"""


def cards(browser: Any, tmp: Path, target: Path) -> None:
    """Example 01's patient-view cards, rendered the way a CDS Hooks client lays a card out."""
    from html import escape

    from markdown_it import MarkdownIt

    from cds.service.cards import CardSettings, patient_view_cards

    evaluation = _evaluation("01-mescc-surgical-candidate.json")
    settings = CardSettings(base_url="http://127.0.0.1:8080", report_url="http://127.0.0.1:8080/reports/…",
                            ruleset_version=evaluation.ruleset.version)
    md = MarkdownIt()
    parts = []
    for built in patient_view_cards(evaluation, settings):
        card = built.card
        suggestions = "".join(f'<span class="sugg">{escape(s.get("label", ""))}</span>'
                              for s in card.get("suggestions", []))
        links = "".join(f'<a href="#">{escape(link.get("label", ""))}</a>' for link in card.get("links", []))
        parts.append(f'<div class="card {escape(card.get("indicator", "info"))}">'
                     f'<div class="summary">{escape(card["summary"])}</div>'
                     f'<div class="src">{escape(card.get("source", {}).get("label", ""))}</div>'
                     f'{md.render(card.get("detail", ""))}<div>{suggestions}</div>'
                     f'<div class="links">{links}</div></div>')
    html = tmp / "cards.html"
    html.write_text(CARD_PAGE.format(cards="".join(parts)), encoding="utf-8")
    page = browser.new_page()
    page.set_viewport_size({"width": 820, "height": 900})
    page.goto(html.as_uri())
    page.screenshot(path=str(target), full_page=True)
    page.close()


EXTRA_SHOTS = {
    "terminal-80-columns.png": terminal_80,
    "report-printed-page-1.png": printed_first_page,
    "report-phone-390px.png": phone,
    "cds-hooks-cards.png": cards,
}


if __name__ == "__main__":
    raise SystemExit(main())
