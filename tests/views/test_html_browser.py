"""The pages in a real headless Chromium (Debian's ``chromium`` package, driven by Playwright).

Every example patient's report, the rules catalogue, the service index and the CLI's index page
are opened offline; the tests fail on any console error, page error or request that leaves the
page, check that the map marks each lesion at the right vertebra or bone, and save full-page
screenshots under ``artifacts/screenshots/``. Without Chromium or Playwright they are skipped
with a message saying how to install them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from html_check import EXAMPLES, ROOT

from cds.anatomy import laterality
from cds.output import Evaluation
from cds.rules_engine.loader import Ruleset
from cds.views.browser import chromium_problem
from cds.views.html import load_exercised, render_catalogue, render_index, render_report, write_pages

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

PROBLEM = chromium_problem()
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(PROBLEM is not None, reason=f"headless Chromium unavailable: {PROBLEM}")]

ARTIFACTS = ROOT / "artifacts" / "screenshots"
STEMS = [p.stem for p in EXAMPLES]


@dataclass
class Log:
    """What the page reported: console errors, uncaught exceptions and requests that left the page."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        outside = [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]
        return self.errors + [f"request to {u}" for u in outside]


def open_page(browser: BrowserContext, path: Path) -> tuple[Page, Log]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    log = Log()
    page.on("console", lambda m: log.errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" or "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: log.errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda r: log.errors.append(f"request failed: {r.url}"))
    page.on("request", lambda r: log.requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, log


def center(box: dict[str, float] | None) -> tuple[float, float]:
    assert box is not None, "element not rendered"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def check_accessibility(page: Page) -> None:
    """One h1, no skipped heading levels, every image and map mark has an accessible name."""
    levels = page.evaluate("Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1])")
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    unnamed = page.evaluate("""Array.from(document.querySelectorAll('img, svg, [role=img], a'))
        .filter(e => !(e.getAttribute('alt') || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')
                       || e.getAttribute('aria-hidden') === 'true' || (e.textContent || '').trim()))
        .map(e => e.outerHTML.slice(0, 120))""")
    assert unnamed == []
    for label in page.evaluate("Array.from(document.querySelectorAll('svg a.mark')).map(a => a.ariaLabel)"):
        # exposed to assistive technology as a link with that name
        assert page.get_by_role("link", name=label, exact=True).count() >= 1, label


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    return path


@pytest.mark.parametrize("stem", STEMS)
def test_report_in_chromium(stem: str, browser: BrowserContext, example_evaluations: dict[str, Evaluation],
                            tmp_path: Path) -> None:
    evaluation = example_evaluations[stem]
    path = tmp_path / f"{stem}.html"
    path.write_text(render_report(evaluation), encoding="utf-8")
    page, log = open_page(browser, path)
    try:
        assert page.locator("h1").inner_text() == f"Patient {evaluation.patient.id}"
        assert page.locator("svg#skeleton-map").is_visible()
        check_accessibility(page)
        spine_x, _ = center(page.locator('[data-level-shape="T1"] rect').bounding_box())
        for lesion in evaluation.lesions:
            mark = page.locator(f'svg#skeleton-map a.mark[data-lesion-id="{lesion.id}"]')
            assert mark.count() == 1, lesion.id
            if lesion.levels:
                # each level's mark lies exactly over that vertebra of the drawn column
                for level in lesion.levels:
                    marked = center(mark.locator(f'rect[data-level="{level}"]').bounding_box())
                    drawn = center(page.locator(f'[data-level-shape="{level}"] rect').bounding_box())
                    assert abs(marked[0] - drawn[0]) < 1 and abs(marked[1] - drawn[1]) < 1, (level, marked, drawn)
            elif lesion.site != "unspecified":
                xs = [center(b.bounding_box())[0] for b in mark.locator("circle.badge").all()]
                side = laterality(lesion.bone or lesion.site)
                # radiological convention: the patient's right is on the viewer's left
                if side == "right":
                    assert xs and all(x < spine_x for x in xs)
                elif side == "left":
                    assert xs and all(x > spine_x for x in xs)
                else:
                    assert len(xs) == 2 and min(xs) < spine_x < max(xs)
            else:
                assert mark.get_attribute("data-unplaced") == "site not documented"
                assert "site not documented" in page.locator(".map-list").first.inner_text()
            # a mark is a working link to its lesion panel
            mark.locator("circle.badge").first.click()
            href = mark.get_attribute("href")
            assert page.evaluate("location.hash") == href
            assert page.locator(f"article{href}").is_visible()
        screenshot(page, f"report-{stem}")
        # printing leaves the provenance tables to the screen, and says so
        page.emulate_media(media="print")
        assert not page.locator("details.where").first.is_visible()
        assert "Printed without the provenance tables" in page.locator("footer.page").inner_text()
        assert log.problems == []
    finally:
        page.close()


def test_report_details_are_collapsed_on_screen(browser: BrowserContext, example_evaluations: dict[str, Evaluation],
                                                tmp_path: Path) -> None:
    path = tmp_path / "ex12.html"
    path.write_text(render_report(example_evaluations["12-multiple-lesions-different-treatments"]), encoding="utf-8")
    page, log = open_page(browser, path)
    try:
        where = page.locator("details.where").first
        assert not where.locator("table").is_visible()
        where.locator("summary").click()
        assert where.locator("table").is_visible()
        assert log.problems == []
    finally:
        page.close()


def test_catalogue_in_chromium(browser: BrowserContext, ruleset: Ruleset, tmp_path: Path) -> None:
    exercised = load_exercised(ROOT / "reports" / "bdd-exercised.json")
    path = tmp_path / "catalogue.html"
    path.write_text(render_catalogue(ruleset, exercised), encoding="utf-8")
    page, log = open_page(browser, path)
    try:
        assert page.locator("h1").inner_text() == "Rules catalogue"
        assert page.locator("article[data-rule-id]").count() == len(ruleset.rules)
        for rule in ruleset.rules:
            assert page.locator(f'article[data-rule-id="{rule.id}"] h3').is_visible()
        check_accessibility(page)
        screenshot(page, "catalogue", full_page=False)  # ~27,000 px tall: a full-page capture takes 10-60 s
        assert log.problems == []
    finally:
        page.close()


def test_index_in_chromium(browser: BrowserContext, ruleset: Ruleset, tmp_path: Path) -> None:
    path = tmp_path / "index.html"
    path.write_text(render_index(version="0.1.0", ruleset=ruleset, health={"database": "ok", "rules": "ok"},
                                 links={"CDS Hooks discovery": "/cds-services", "Rules catalogue": "/rules"}),
                    encoding="utf-8")
    page, log = open_page(browser, path)
    try:
        assert "decision support" in page.locator("h1").inner_text()
        assert page.locator("table.health tr[data-component]").count() == 2
        assert page.get_by_text("All components healthy").is_visible()
        check_accessibility(page)
        screenshot(page, "service-index")
        assert log.problems == []
    finally:
        page.close()


def test_cli_pages_link_to_each_report(browser: BrowserContext, example_evaluations: dict[str, Evaluation],
                                       tmp_path: Path) -> None:
    written = write_pages(list(example_evaluations.values()), tmp_path / "out")
    page, log = open_page(browser, written[-1])
    try:
        links = page.locator("table.patients a")
        assert links.count() == len(example_evaluations)
        check_accessibility(page)
        screenshot(page, "cli-index")
        links.nth(0).click()
        page.wait_for_load_state("load")
        first = next(iter(example_evaluations.values()))
        assert page.locator("h1").inner_text() == f"Patient {first.patient.id}"
        assert log.problems == []
    finally:
        page.close()


def test_marks_have_visible_symbols_not_just_colour(browser: BrowserContext,
                                                    example_evaluations: dict[str, Evaluation],
                                                    tmp_path: Path) -> None:
    path = tmp_path / "ex06.html"
    path.write_text(render_report(example_evaluations["06-breast-prior-rt-at-site"]), encoding="utf-8")
    page, log = open_page(browser, path)
    try:
        marks: list[dict[str, Any]] = page.evaluate("""Array.from(document.querySelectorAll('svg a.mark')).map(a => ({
            urgency: a.dataset.urgency, rt: a.dataset.priorRt,
            texts: Array.from(a.querySelectorAll('text')).filter(t => t.getBBox().width > 0)
                          .map(t => t.textContent)}))""")
        assert marks
        for mark in marks:
            assert {"critical": "!", "warning": "▲", "other": "●"}[mark["urgency"]] in mark["texts"]
            assert ("RT" in mark["texts"]) == (mark["rt"] == "true")
        assert any(m["rt"] == "true" for m in marks)
        assert re.search(r"previously irradiated", page.locator(".map-list").first.inner_text())
        assert log.problems == []
    finally:
        page.close()
