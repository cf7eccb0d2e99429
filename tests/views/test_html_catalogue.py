"""The rules catalogue page, the BDD side-file loader and the service's index page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from html_check import external_urls, headings, parse

from cds.rules_engine.loader import Ruleset
from cds.views.html import area_title, load_exercised, render_catalogue, render_index


def test_catalogue_lists_every_rule_by_area(ruleset: Ruleset) -> None:
    first = ruleset.rules[0].id
    html = render_catalogue(ruleset, {first: ["Cord compression — operable patient", "Another"]})
    root, problems = parse(html)
    assert problems == []
    articles = {a.attrs["data-rule-id"]: a for a in root.find_all("article", predicate=lambda n: "data-rule-id"
                                                                  in n.attrs)}
    assert set(articles) == {rule.id for rule in ruleset.rules}
    h2 = [text for level, text in headings(root) if level == 2]
    for area in {rule.area for rule in ruleset.rules}:
        assert area_title(area) in h2
    for title in ("Eligibility assessments", "Caveats", "Citations"):
        assert title in h2
    for rule in ruleset.rules:
        article = articles[rule.id]
        assert rule.spec.title in article.find("h3").text
        assert article.find("pre").text  # the rendered condition
        assert rule.spec.recommend.code in article.text
        assert f"version {rule.spec.version}" in article.text
        links = [a for a in article.find_all("a") if "citation" in a.classes]
        assert len(links) == len([k for k in rule.spec.citations if ruleset.citations[k].link()])
        if rule.spec.evidence_status == "needs-clinical-review":
            assert "needs clinical review" in article.text
        if rule.id == first:
            assert [li.text for li in article.find("ul", predicate=lambda n: "scenarios" in n.classes)
                    .find_all("li")] == ["Cord compression — operable patient", "Another"]
        else:
            assert "not exercised by any scenario" in article.text
    assert f"1 of {len(ruleset.rules)} rules are exercised" in root.find("header").text
    for node, attr, value in external_urls(root):
        assert node.tag == "a" and attr == "href" and "citation" in node.classes, value


def test_catalogue_shows_assessments_caveats_and_citation_registry(ruleset: Ruleset) -> None:
    root, _ = parse(render_catalogue(ruleset))
    for assessment in ruleset.assessments:
        article = root.find("article", id=f"assessment-{assessment.name}")
        assert article is not None
        assert {c.spec.id for c in assessment.criteria} <= {code.text for code in article.find_all("code")}
    for caveat in ruleset.caveats:
        assert root.find("article", id=f"caveat-{caveat.id}") is not None
    registry = root.find("section", id="citations")
    for key, citation in ruleset.citations.items():
        row = registry.find("tr", id=f"cite-{key}")
        assert row is not None and (citation.verification or "unknown") in row.text


def test_catalogue_without_bdd_data_says_so(ruleset: Ruleset) -> None:
    root, _ = parse(render_catalogue(ruleset, None))
    assert "BDD coverage was not recorded" in root.find("header").text
    assert "not exercised by any scenario" not in root.text
    root, _ = parse(render_catalogue(ruleset, {}))
    assert "0 of" in root.find("header").text
    assert root.text.count("not exercised by any scenario") == len(ruleset.rules)


def test_catalogue_escapes_scenario_names(ruleset: Ruleset) -> None:
    html = render_catalogue(ruleset, {ruleset.rules[0].id: ["<script>alert(1)</script>"]})
    assert "<script" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(("content", "expected"), [
    ({"mescc.surgical-candidate": ["B scenario", "A scenario"]},
     {"mescc.surgical-candidate": ["A scenario", "B scenario"]}),
    ({"rules": {"r1": ["s1"]}, "generated": "2026-11-20"}, {"r1": ["s1"]}),
    ({"scenarios": [{"name": "s1", "feature": "F", "rules": ["r1", "r2"]}, {"name": "s2", "rules": ["r1"]}]},
     {"r1": ["F — s1", "s2"], "r2": ["F — s1"]}),
    ([{"rule": "r1", "scenario": "s1"}, {"rule_id": "r1", "scenarios": ["s2", "s1"]}], {"r1": ["s1", "s2"]}),
    ({"r1": "just one"}, {"r1": ["just one"]}),
    ({"r1": [{"feature": "F", "name": "s"}]}, {"r1": ["F — s"]}),
    ({"r1": 3, "r2": None}, {}),
    ([1, "x", None], {}),
])
def test_load_exercised_shapes(tmp_path: Path, content: object, expected: dict[str, list[str]]) -> None:
    path = tmp_path / "bdd-exercised.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    assert load_exercised(path) == expected


def test_load_exercised_reads_the_bdd_runs_record(tmp_path: Path) -> None:
    # the shape features/conftest.py writes
    record = {"generated_at": "2026-11-20T00:00:00Z", "ruleset": {"version": "2026.11.1"}, "scenarios": [
        {"feature": "features/cord_compression.feature", "feature_name": "Cord compression",
         "scenario": "Operable patient", "outcome": "passed",
         "exercised": {"fired": ["mescc.surgical-candidate", "caveat.x"], "asserted": ["mescc.surgical-candidate"],
                       "assessments": ["mescc-surgery"], "criteria": [], "data_gaps": []}},
        {"feature_name": "Cord compression", "scenario": "Short survival", "outcome": "failed",
         "exercised": {"fired": ["mescc.rt-very-short-survival"], "asserted": []}},
        {"feature_name": "SINS", "scenario": "Level scoring", "outcome": "passed", "exercised": None},
    ]}
    path = tmp_path / "bdd-exercised.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    assert load_exercised(path) == {
        "mescc.surgical-candidate": ["Cord compression — Operable patient"],
        "caveat.x": ["Cord compression — Operable patient"],
        "mescc.rt-very-short-survival": ["Cord compression — Short survival [failed]"],
    }


def test_load_exercised_missing_or_broken(tmp_path: Path) -> None:
    assert load_exercised(tmp_path / "nope.json") == {}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert load_exercised(broken) == {}


def test_index_page(ruleset: Ruleset) -> None:
    html = render_index(version="1.2.3", ruleset=ruleset,
                        health={"database": "ok", "rules": "ok", "redis": "<b>down</b>"},
                        links={"CDS Hooks discovery": "/cds-services", "Rules catalogue": "/rules",
                               "Bad": "javascript:alert(1)"})
    root, problems = parse(html)
    assert problems == []
    assert [t for level, t in headings(root) if level == 1] == ["Bone metastases radiotherapy decision support"]
    assert "1.2.3" in root.find("header").text and ruleset.sha256 in root.text
    health = root.find("table", predicate=lambda n: "health" in n.classes)
    rows = {tr.attrs["data-component"]: tr.text for tr in health.find_all("tr") if "data-component" in tr.attrs}
    assert "✔ ok" in rows["database"] and "✘ <b>down</b>" in rows["redis"]
    assert "not healthy" in root.text
    hrefs = [a.attrs["href"] for a in root.find_all("a") if not a.attrs["href"].startswith("#")]
    assert hrefs == ["/cds-services", "/rules"]  # a javascript: link is shown as text, never as a link
    assert "&lt;b&gt;down&lt;/b&gt;" in html
