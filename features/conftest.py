"""The BDD suite's plumbing: step library, Gherkin tags as markers, known issues, and the
record of which rules each scenario exercised (for the clinician review report).

Tags: pytest-bdd turns ``@needs-clinical-review`` into a marker; dashes become underscores here
so the tag matches the registered ``needs_clinical_review`` marker (``pytest -m
needs_clinical_review`` selects those scenarios). ``@known-issue`` scenarios describe a defect
in the engine, mapper or builder; they are skipped with the reason written under the scenario
title (the first line of its description). ``CDS_BDD_RUN_KNOWN_ISSUES=1`` runs them anyway.

Exercised rules: every scenario's rules (those behind its recommendations, the ones its Then
steps checked, and the eligibility criteria it asserted) and its outcome are written at the end
of the session to ``bdd-exercised.json`` — next to the cucumber JSON when ``--cucumberjson`` is
given, else ``reports/`` — or to the path of ``--bdd-exercised`` / ``$CDS_BDD_EXERCISED``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry
from steps.context import ScenarioContext
from steps.evaluation import *  # noqa: F403  (step definitions are fixtures: import them all)
from steps.lesions import *  # noqa: F403
from steps.outcomes import *  # noqa: F403
from steps.patient import *  # noqa: F403
from steps.record import *  # noqa: F403

from cds.rules_engine.loader import default_ruleset

EXERCISED_FILE = "bdd-exercised.json"
_CONTEXT = pytest.StashKey[ScenarioContext]()
_RECORD_KEY = "bdd_scenario"
_records: dict[str, dict[str, Any]] = {}


def pytest_configure(config: pytest.Config) -> None:
    """pytest-bdd does not create the folder of --cucumberjson; do it so `reports/` need not exist."""
    cucumber = getattr(config.option, "cucumber_json_path", None)
    if cucumber and not hasattr(config, "workerinput"):
        Path(os.path.expandvars(os.path.expanduser(cucumber))).resolve().parent.mkdir(parents=True, exist_ok=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("bdd").addoption(
        "--bdd-exercised", dest="bdd_exercised", metavar="path", default=None,
        help=f"where to write the rules each BDD scenario exercised (default: {EXERCISED_FILE} next to "
             "--cucumberjson, else reports/; env CDS_BDD_EXERCISED)")


@pytest.fixture
def bdd(request: pytest.FixtureRequest) -> Iterator[ScenarioContext]:
    """The scenario's patient, evaluation and exercised rules.

    After the scenario: one that checks a rule, caveat or criterion marked needs-clinical-review
    must carry the @needs-clinical-review tag, so the review report cannot under-report it.
    """
    context = ScenarioContext()
    request.node.stash[_CONTEXT] = context
    yield context
    checked = {*context.exercised.asserted, *context.exercised.criteria}
    untagged = sorted(checked & needs_review_ids())
    if untagged and request.node.get_closest_marker("needs_clinical_review") is None:
        pytest.fail(f"this scenario checks {', '.join(untagged)} (evidence status needs-clinical-review): "
                    "tag it @needs-clinical-review")


@cache
def needs_review_ids() -> frozenset[str]:
    """Rules, caveats and '<assessment>/<criterion>' ids whose evidence status is needs-clinical-review."""
    ruleset = default_ruleset()
    ids = {r.id for r in ruleset.rules if r.spec.evidence_status == "needs-clinical-review"}
    ids |= {c.id for c in ruleset.caveats if c.spec.evidence_status == "needs-clinical-review"}
    ids |= {f"{a.name}/{c.spec.id}" for a in ruleset.assessments for c in a.criteria
            if c.spec.evidence_status == "needs-clinical-review"}
    return frozenset(ids)


# ---- tags ------------------------------------------------------------------------------------------


def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> bool:
    getattr(pytest.mark, tag.replace("-", "_"))(function)
    return True


def _template(item: pytest.Item) -> Any:
    return scenario_wrapper_template_registry.get(getattr(item, "obj", None))  # type: ignore[arg-type]


def known_issue_reason(item: pytest.Item) -> str:
    template = _template(item)
    description = (template.description or "").strip() if template is not None else ""
    return description.splitlines()[0].strip() if description else "see the scenario in its feature file"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("CDS_BDD_RUN_KNOWN_ISSUES"):  # the owner checks a fix: run them, expect them to pass
        return
    for item in items:
        if item.get_closest_marker("known_issue") is not None:
            item.add_marker(pytest.mark.skip(reason=f"known issue: {known_issue_reason(item)}"))


# ---- what each scenario exercised ------------------------------------------------------------------


def _scenario_record(item: pytest.Item, template: Any) -> dict[str, Any]:
    example = getattr(item, "callspec", None)
    params = example.params.get("_pytest_bdd_example", {}) if example is not None else {}
    rendered = template.render(params) if params else template
    context = item.stash.get(_CONTEXT, None)
    return {
        "nodeid": item.nodeid,
        "name": item.name,
        "feature": template.feature.rel_filename,
        "feature_name": template.feature.name,
        "feature_description": template.feature.description,
        "scenario": rendered.name,
        "line": template.line_number,
        "example": dict(params),
        "tags": sorted(template.tags | template.feature.tags),
        "exercised": context.exercised.as_json() if context is not None else None,
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    template = _template(item)
    if template is not None:
        outcome.get_result().user_properties.append((_RECORD_KEY, _scenario_record(item, template)))


def _phase_outcome(report: pytest.TestReport) -> tuple[str, str | None]:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        return "skipped", str(reason).removeprefix("Skipped: ")
    return ("failed", None) if report.failed else ("passed", None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for key, value in report.user_properties:
        if key != _RECORD_KEY:
            continue
        record = _records.setdefault(report.nodeid, {**value, "outcome": "passed"})
        if value.get("exercised"):
            record["exercised"] = value["exercised"]
        outcome, reason = _phase_outcome(report)
        if outcome == "failed" or (outcome == "skipped" and record["outcome"] == "passed"):
            record["outcome"] = outcome
            if reason:
                record["skip_reason"] = reason
        if outcome == "failed" and report.when == "call":
            record["error"] = str(report.longrepr)[-2000:]


def exercised_path(config: pytest.Config) -> Path:
    explicit = config.getoption("bdd_exercised", default=None) or os.environ.get("CDS_BDD_EXERCISED")
    if explicit:
        return Path(explicit)
    cucumber = getattr(config.option, "cucumber_json_path", None)
    if cucumber:
        return Path(os.path.expandvars(os.path.expanduser(cucumber))).resolve().parent / EXERCISED_FILE
    return config.rootpath / "reports" / EXERCISED_FILE


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput") or not _records:
        return
    ruleset = default_ruleset()
    path = exercised_path(session.config)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "ruleset": {"name": ruleset.manifest.name, "version": ruleset.version, "sha256": ruleset.sha256},
        "scenarios": sorted(_records.values(), key=lambda r: (r["feature"], r["line"], r["nodeid"])),
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
