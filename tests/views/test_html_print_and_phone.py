"""The report printed (A4, Chromium's print-to-PDF) and on a phone (390 px wide), in headless Chromium.

Printed, a one-lesion report fits on three pages and page 1 holds the recommendation (the urgent
banner and the lesions at a glance); on a phone no table and nothing else is wider than the screen.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import hand_built
import pytest
from html_check import EXAMPLES

from cds.output import Evaluation
from cds.views.browser import chromium_problem
from cds.views.html import render_report

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

PROBLEM = chromium_problem()
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(PROBLEM is not None, reason=f"headless Chromium unavailable: {PROBLEM}")]

STEMS = [p.stem for p in EXAMPLES]
PHONE = {"width": 390, "height": 844}
MM = 96 / 25.4  # CSS pixels per millimetre
# A4 less the @page margins of style.css (10 mm top, 11 mm sides, 12 mm bottom)
PRINT_WIDTH = round((210 - 22) * MM)
PRINT_HEIGHT = round((297 - 22) * MM)


def load(browser: BrowserContext, evaluation: Evaluation, tmp_path: Path, name: str) -> Page:
    path = tmp_path / f"{name}.html"
    path.write_text(render_report(evaluation), encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return page


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF Chromium wrote (its page objects are not compressed into object streams)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_pdf_page_count_reads_chromium_pdfs(browser: BrowserContext, tmp_path: Path) -> None:
    page = browser.new_page()
    try:
        page.set_content("<p>one</p><p style='break-before: page'>two</p><p style='break-before: page'>3</p>")
        assert pdf_pages(page.pdf(format="A4")) == 3
    finally:
        page.close()


def phone_overflow(page: Page) -> list[str]:
    """What is wider than a 390 px screen, with every collapsed section open (their tables must fit too)."""
    page.set_viewport_size(PHONE)
    page.emulate_media(media="screen")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    found: list[str] = page.evaluate("""Array.from(document.querySelectorAll('table'))
        .filter(t => t.getBoundingClientRect().right > window.innerWidth + 0.5 || t.scrollWidth > t.clientWidth + 1)
        .map(t => 'table.' + t.className + ': ' + (t.caption ? t.caption.textContent.slice(0, 60) : ''))""")
    width = page.evaluate("document.documentElement.scrollWidth")
    return found + ([f"page {width} px wide"] if width > PHONE["width"] else [])


def print_layout(page: Page) -> None:
    page.set_viewport_size({"width": PRINT_WIDTH, "height": PRINT_HEIGHT})
    page.emulate_media(media="print")


def bottom_of(page: Page, selector: str) -> float:
    return page.evaluate(f"document.querySelector({selector!r}).getBoundingClientRect().bottom + window.scrollY")


@pytest.mark.parametrize("stem", STEMS)
def test_report_fits_a_phone_and_prints_the_recommendation_on_page_1(
        stem: str, browser: BrowserContext, example_evaluations: dict[str, Evaluation], tmp_path: Path) -> None:
    evaluation = example_evaluations[stem]
    page = load(browser, evaluation, tmp_path, stem)
    try:
        assert phone_overflow(page) == []
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        print_layout(page)
        # the lesions at a glance (each lesion's top recommendation) and the urgent banner end on page 1
        assert bottom_of(page, "#glance") < PRINT_HEIGHT
        if any(r.priority == "urgent" for r in evaluation.recommendations):
            assert bottom_of(page, "#urgent") < PRINT_HEIGHT
        # details stay on screen: the provenance tables and the criteria that are simply met
        assert not page.locator("details.where").first.is_visible()
        met = page.locator("table.eligibility tr.met")
        assert met.count() == 0 or not met.first.is_visible()
        if len(evaluation.lesions) == 1:
            pages = pdf_pages(page.pdf(format="A4"))
            assert pages <= 3, f"{stem}: a one-lesion report prints on {pages} pages"
    finally:
        page.close()


def test_deceased_patient_has_one_line_and_no_recommendations(browser: BrowserContext, tmp_path: Path) -> None:
    page = load(browser, hand_built.evaluation(deceased=True), tmp_path, "deceased")
    try:
        assert phone_overflow(page) == []
        print_layout(page)
        assert page.locator("#deceased").inner_text().startswith("Recorded as deceased on 2026-10-01")
        assert page.locator("section.rec").count() == 0 and page.locator("#glance").count() == 0
        assert pdf_pages(page.pdf(format="A4")) <= 3
    finally:
        page.close()
