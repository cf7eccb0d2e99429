"""The clinician review report, built from a small cucumber JSON and its exercised-rules side file."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.review.report import EXERCISED_FILE, ReviewReportError, build_review_report, load_report
from cds.rules_engine.catalogue import catalogue_json
from cds.rules_engine.loader import default_ruleset

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def _step(name: str, status: str = "passed", error: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"status": status, "duration": 1000}
    if error is not None:
        result["error_message"] = error
    return {"keyword": "Given", "name": name, "line": 3, "match": {"location": ""}, "result": result}


def _element(test_id: str, name: str, line: int, steps: list[dict[str, Any]], tags: tuple[str, ...] = ()
             ) -> dict[str, Any]:
    return {"keyword": "Scenario", "id": test_id, "name": name, "line": line, "description": "",
            "tags": [{"name": t, "line": line - 1} for t in tags], "type": "scenario", "steps": steps}


CORD = {
    "keyword": "Feature", "uri": "features/cord_compression.feature", "id": "features/cord_compression.feature",
    "name": "Metastatic epidural spinal cord compression (MESCC)", "line": 1, "language": "en", "tags": [],
    "description": "Clinical intent: the neurological emergency comes first (NOMS).\n"
                   "Sources: patchell2005, laufer2013",
    "elements": [
        _element("test_patchell", "A Patchell candidate is referred | urgently", 10, [_step("a patient")]),
        _element("test_paraplegia[49]", "Paraplegia for 49 hours <rules out> surgery", 20,
                 [_step("a patient"), _step("the lesion at T8 gets …", "failed",
                                            "Traceback …\nE   AssertionError: T8: expected surgical referral")],
                 tags=("boundary",)),
    ],
}
PAIN = {
    "keyword": "Feature", "uri": "features/uncomplicated_pain.feature", "id": "features/uncomplicated_pain.feature",
    "name": "Uncomplicated painful bone metastasis", "line": 1, "language": "en", "tags": [],
    "description": "A painful bone metastasis gets 8 Gy × 1.\nSources: vandervelden2022, rich2018",
    "elements": [_element("test_multi", "Multi-fraction courses are the alternative", 12, [_step("a patient")],
                          tags=("needs-clinical-review",))],
}


def _record(feature: dict[str, Any], name: str, scenario: str, line: int, outcome: str = "passed",
            **exercised: list[str]) -> dict[str, Any]:
    return {"nodeid": f"features/x.py::{name}", "name": name, "feature": feature["uri"],
            "feature_name": feature["name"], "scenario": scenario, "line": line, "example": {}, "tags": [],
            "outcome": outcome, "exercised": {"fired": [], "asserted": [], "assessments": [], "criteria": [],
                                              "data_gaps": [], **exercised}}


def _side_file(sha256: str) -> dict[str, Any]:
    known_issue = _record(CORD, "test_unknown_histology", "An unknown histology leaves candidacy undetermined", 30,
                          outcome="skipped")
    known_issue.update(tags=["known-issue"], exercised=None,
                       skip_reason="known issue: histology 'unknown' reads as not-met")
    return {
        "generated_at": "2026-11-20T10:00:00Z",
        "ruleset": {"name": "bone-mets-rt", "version": "2026.11.1", "sha256": sha256},
        "scenarios": [
            _record(CORD, "test_patchell", "A Patchell candidate is referred | urgently", 10,
                    fired=["mescc.surgical-candidate", "escc.avoid-ablative-before-decompression"],
                    asserted=["mescc.surgical-candidate"], assessments=["mescc-surgery"],
                    criteria=["mescc-surgery/not-paraplegic-over-48h"]),
            _record(CORD, "test_paraplegia[49]", "Paraplegia for 49 hours <rules out> surgery", 20, outcome="failed",
                    fired=["mescc.rt-favourable-prognosis", "caveat.dexamethasone-mescc"]),
            known_issue,
            _record(PAIN, "test_multi", "Multi-fraction courses are the alternative", 12,
                    fired=["pain.single-fraction", "pain.multi-fraction"], asserted=["pain.multi-fraction"]),
        ],
    }


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    (tmp_path / "cucumber.json").write_text(json.dumps([CORD, PAIN]), encoding="utf-8")
    (tmp_path / EXERCISED_FILE).write_text(json.dumps(_side_file(default_ruleset().sha256)), encoding="utf-8")
    return tmp_path


@pytest.fixture
def outputs(run_dir: Path) -> tuple[str, str]:
    paths = build_review_report(run_dir / "cucumber.json", run_dir / "out")
    assert [p.name for p in paths] == ["review.html", "review.md"]
    return paths[0].read_text(encoding="utf-8"), paths[1].read_text(encoding="utf-8")


class _Page(HTMLParser):
    """Checks that tags nest and close, and collects headings, table headers and links."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.th_scopes: list[str | None] = []
        self.hrefs: list[str] = []
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)
        values = dict(attrs)
        if tag == "th":
            self.th_scopes.append(values.get("scope"))
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


# ---- HTML ----------------------------------------------------------------------------------------


def test_html_is_well_formed_accessible_and_self_contained(outputs: tuple[str, str]) -> None:
    html, _ = outputs
    page = _parse(html)
    assert not page.problems and not page.stack, page.problems[:5]
    assert '<html lang="en">' in html and "<title>" in html and "<main" in html
    assert [h for h in page.headings if h[0] == "h1"] == [("h1", "Clinician review of the decision rules")]
    assert page.th_scopes and all(scope in ("col", "row") for scope in page.th_scopes)
    assert html.count("<caption>") >= 5
    # nothing to fetch: no scripts, stylesheets, fonts or images from elsewhere
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert "<style>" in html and "@media print" in html
    assert all(href.startswith(("#", "https://")) for href in page.hrefs)


def test_summary_counts_results_in_words_not_only_colour(outputs: tuple[str, str]) -> None:
    html, md = outputs
    assert "4 in 2 features" in html
    for text in ("✔ Passed</span> 2", "✘ Failed</span> 1", "⊘ Skipped</span> 1"):
        assert text in html
    assert "✔ Passed 2 · ✘ Failed 1 · ⊘ Skipped 1" in md
    assert default_ruleset().sha256 in html and default_ruleset().sha256 in md
    assert "2026-11-20T10:00:00Z" in html  # the BDD run's date


def test_every_feature_with_intent_sources_and_every_scenario_with_result_and_tags(outputs: tuple[str, str]) -> None:
    html, md = outputs
    for text in (CORD["name"], PAIN["name"], "The neurological emergency comes first (NOMS).",
                 "A painful bone metastasis gets 8 Gy × 1."):
        assert text in html and text in md
    assert '<a href="https://doi.org/10.1016/S0140-6736(05)66954-1">Patchell 2005, Lancet</a>' in html
    assert "[Patchell 2005, Lancet](https://doi.org/10.1016/S0140-6736(05)66954-1)" in md
    assert "Rich 2018, Radiother Oncol</a> <span class=\"ver\">(○ not re-checked)" in html
    # the failed scenario: its step and assertion; the known issue: skipped with its reason
    assert "Paraplegia for 49 hours &lt;rules out&gt; surgery" in html  # escaped
    assert "AssertionError: T8: expected surgical referral" in html and "AssertionError: T8" in md
    assert "An unknown histology leaves candidacy undetermined" in html
    assert "histology &#39;unknown&#39; reads as not-met" in html or "histology 'unknown' reads as not-met" in html
    assert '<span class="tag">boundary</span>' in html and '<span class="tag">known-issue</span>' in html
    assert "`needs-clinical-review`" in md


def test_rules_per_scenario_with_citations_and_review_status(outputs: tuple[str, str]) -> None:
    html, md = outputs
    row = html[html.index("A Patchell candidate is referred | urgently"):]
    row = row[:row.index("</tr>")]
    assert "Checked" in row and "Also fired" in row
    assert "<code>mescc.surgical-candidate</code>" in row and "✔ reviewed" in row
    assert "<code>mescc-surgery/not-paraplegic-over-48h</code>" in row
    assert "<code>escc.avoid-ablative-before-decompression</code>" in row
    assert 'href="https://doi.org/10.1016/S0140-6736(05)66954-1"' in row
    pain = html[html.index("Multi-fraction courses are the alternative<div"):]
    pain = pain[:pain.index("</tr>")]
    assert "<code>pain.multi-fraction</code>" in pain and "⚠ needs clinical review" in pain
    md_row = next(line for line in md.splitlines() if line.startswith("| 1 | A Patchell candidate"))
    assert "A Patchell candidate is referred \\| urgently" in md_row  # the pipe cannot break the table
    assert "**Checked:**<br>`mescc.surgical-candidate` ✔ reviewed" in md_row


def test_catalogue_lists_every_rule_criterion_and_caveat_and_the_unexercised_ones(outputs: tuple[str, str]) -> None:
    html, md = outputs
    data = catalogue_json(default_ruleset())
    for rule in data["rules"]:
        assert f"<code>{rule['id']}</code>" in html and f"`{rule['id']}`" in md
    for assessment in data["assessments"]:
        for criterion in assessment["criteria"]:
            assert f"<code>{criterion['id']}</code>" in html
    for caveat in data["caveats"]:
        assert f"<code>{caveat['id']}</code>" in html
    section = html[html.index('id="not-exercised"'):html.index("<h3>Recommendation rules</h3>")]
    exercised = {"mescc.surgical-candidate", "escc.avoid-ablative-before-decompression",
                 "mescc.rt-favourable-prognosis", "pain.single-fraction", "pain.multi-fraction"}
    for rule in data["rules"]:
        assert (f"<code>{rule['id']}</code>" in section) is (rule["id"] not in exercised), rule["id"]
    assert "caveat <code>caveat.breast-omd-ablation</code>" in section
    assert "caveat <code>caveat.dexamethasone-mescc</code>" not in section
    md_section = md[md.index("### Rules no scenario exercises"):md.index("### Recommendation rules")]
    assert "`sbrt.spine-sc24`" in md_section and "`pain.multi-fraction`" not in md_section
    assert "**not exercised by any scenario**" in md


def test_a_sign_off_table_per_feature(outputs: tuple[str, str]) -> None:
    html, md = outputs
    for text in (html, md):
        assert text.count("Sign-off for “") == 2
        assert text.count("☐ approved ☐ changes requested") == 2 * 3
    for header in ("Clinician name", "Role", "Date", "Decision (approved / changes requested)", "Comments"):
        assert f'<th scope="col">{header}</th>' in html
    assert "| Clinician name | Role | Date | Decision (approved / changes requested) | Comments |" in md


def test_awaiting_review_lists_review_items_and_known_issues(outputs: tuple[str, str]) -> None:
    html, md = outputs
    section = html[html.index('id="awaiting-review"'):html.index('id="references"')]
    assert "rule <code>pain.multi-fraction</code>" in section
    assert "criterion <code>sib-imrt/expected-survival-6-months</code>" in section
    assert "Chmura 2022, NRG-BR002" in section and "◐ partly verified" in section
    assert "An unknown histology leaves candidacy undetermined" in section
    assert "- rule `pain.multi-fraction`" in md


# ---- inputs --------------------------------------------------------------------------------------


def test_without_the_side_file_the_report_says_rules_were_not_recorded(run_dir: Path) -> None:
    (run_dir / EXERCISED_FILE).unlink()
    html = build_review_report(run_dir / "cucumber.json", run_dir)[0].read_text(encoding="utf-8")
    assert "not recorded (no <code>bdd-exercised.json</code>" in html
    assert "not exercised by any scenario" not in html  # unknown, not "none"


def test_a_side_file_from_another_run_or_ruleset_is_flagged(run_dir: Path) -> None:
    side = _side_file("0" * 64)
    side["scenarios"] = side["scenarios"][1:]
    (run_dir / EXERCISED_FILE).write_text(json.dumps(side), encoding="utf-8")
    report = load_report(run_dir / "cucumber.json")
    assert report.ruleset_mismatch and report.unrecorded == 1
    html = build_review_report(run_dir / "cucumber.json", run_dir)[0].read_text(encoding="utf-8")
    assert "the BDD run used ruleset <code>" + "0" * 64 in html
    assert "1 scenario of the cucumber JSON is missing from <code>bdd-exercised.json</code>" in html


def test_missing_or_wrong_cucumber_json_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewReportError, match=r"cucumber\.json: no cucumber JSON report here"):
        build_review_report(tmp_path / "cucumber.json", tmp_path)
    (tmp_path / "cucumber.json").write_text('{"features": 1}', encoding="utf-8")
    with pytest.raises(ReviewReportError, match="not a cucumber JSON report"):
        build_review_report(tmp_path / "cucumber.json", tmp_path)


def test_the_cli_writes_both_documents(run_dir: Path) -> None:
    result = CliRunner().invoke(app, ["review-report", "--cucumber-json", str(run_dir / "cucumber.json"),
                                      "--output-dir", str(run_dir / "cli")])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(run_dir / "cli" / "review.html"), str(run_dir / "cli" / "review.md")]
