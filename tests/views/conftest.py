"""Fixtures for the HTML view tests: every example patient evaluated once, as of 2026-11-20."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from html_check import AS_OF, EXAMPLES

from cds.output import Evaluation
from cds.pipeline import as_of_datetime, evaluate_source
from cds.rules_engine.loader import Ruleset, default_ruleset

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="session")
def example_evaluations() -> dict[str, Evaluation]:
    """Example file stem → its evaluation (each example holds one patient)."""
    result: dict[str, Evaluation] = {}
    for path in EXAMPLES:
        outcome = evaluate_source(str(path), as_of_datetime(AS_OF))
        assert outcome.error is None, outcome.error
        assert len(outcome.evaluations) == 1, path.name
        result[path.stem] = outcome.evaluations[0]
    return result


@pytest.fixture(scope="session")
def ruleset() -> Ruleset:
    return default_ruleset()


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserContext]:
    """One headless Chromium for the whole session (each test opens its own pages in it)."""
    from cds.views.browser import chromium

    with chromium(width=1280, height=900) as context:
        yield context
