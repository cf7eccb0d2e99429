"""Loading and checking the rules: every problem is a readable sentence; bad rules never load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cds.rules_engine.checks import check_rules
from cds.rules_engine.loader import RulesetError, default_rules_dir, load_ruleset

RULE = """\
area: test
title: Test
description: A test area.
rules:
  - id: test.rule
    title: A test rule
    version: 1
    description: Only for tests.
    evidence_status: reviewed
    citations: {citations}
    when: {when}
    recommend:
      code: ebrt-8gy-1fx
      reason: uncomplicated-pain
      priority: preferred
      summary: "{summary}"
      rationale: "Because."
"""


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target


def problems_with(rules_dir: Path, **fields: str) -> list[str]:
    values = {"citations": "[alcorn2024]", "when": "painful == true", "summary": "8 Gy to {{ site }}"} | fields
    (rules_dir / "zz-test.yaml").write_text(RULE.format(**values), encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules_dir)
    return [p.sentence() for p in info.value.problems]


def test_the_repository_rules_are_clean() -> None:
    problems, summary = check_rules()
    assert problems == []
    assert "Clean." in summary


def test_ruleset_hash_changes_with_any_rule_file(rules_copy: Path) -> None:
    before = load_ruleset(rules_copy).sha256
    path = rules_copy / "sbrt.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert load_ruleset(rules_copy).sha256 != before
    assert len(before) == 64


@pytest.mark.parametrize(("fields", "fragment"), [
    ({"citations": "[]"}, "citations"),
    ({"citations": "[nobody2099]"}, "cites 'nobody2099', which is not in citations.yaml"),
    ({"when": "ecgo <= 2"}, "'ecgo' is not a fact the rules can read"),
    ({"when": "bilsky_grade == 2"}, "is not a possible value of 'bilsky_grade'"),
    ({"when": "region == spinal"}, "is not a possible value of 'region'"),
    ({"when": "histology < 3"}, "which is not a number"),
    ({"when": "painful == maybe"}, "is not a possible value of 'painful'"),
    ({"when": "no_such_definition"}, "unknown definition 'no_such_definition'"),
    ({"summary": "8 Gy to {{ sight }}"}, "template names 'sight'"),
    ({"summary": "8 Gy to {{ site"}, "template error"),
])
def test_rule_problems_are_sentences(rules_copy: Path, fields: dict[str, str], fragment: str) -> None:
    problems = problems_with(rules_copy, **fields)
    assert any(fragment in p for p in problems), problems
    assert all(p.startswith("zz-test.yaml") for p in problems if "zz-test" in p)


def test_wrong_reason_for_a_code_is_reported(rules_copy: Path) -> None:
    text = RULE.format(citations="[alcorn2024]", when="painful == true", summary="x").replace(
        "reason: uncomplicated-pain", "reason: oligometastatic-breast")
    (rules_copy / "zz-test.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules_copy)
    assert any("reason 'oligometastatic-breast' is not one of" in p.sentence() for p in info.value.problems)


def test_invalid_yaml_names_the_line(rules_copy: Path) -> None:
    (rules_copy / "zz-test.yaml").write_text("area: [unclosed\n", encoding="utf-8")
    problems, _ = check_rules(rules_copy)
    assert any(p.startswith("zz-test.yaml: line") and "not valid YAML" in p for p in problems)


def test_reading_recommended_facts_needs_a_later_phase(rules_copy: Path) -> None:
    problems = problems_with(rules_copy, when="recommended_sbrt == true")
    assert any("only known from phase 2 on" in p for p in problems)


def test_duplicate_rule_ids_are_reported(rules_copy: Path) -> None:
    text = (rules_copy / "sib-imrt.yaml").read_text(encoding="utf-8")
    (rules_copy / "zz-copy.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules_copy)
    assert any("has the same id as a rule in sib-imrt.yaml" in p.sentence() for p in info.value.problems)


def test_a_change_naming_an_unknown_rule_or_uncited_source_does_not_load(rules_copy: Path) -> None:
    changes = rules_copy / "changes.yaml"
    text = changes.read_text(encoding="utf-8").replace("ids: [reirradiation.too-early,",
                                                       "ids: [reirradiation.too-soon,", 1)
    changes.write_text(text.replace("sources: [chow2014, alcorn2024]", "sources: [chow2099]", 1), encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules_copy)
    sentences = " ".join(p.sentence() for p in info.value.problems)
    assert "'reirradiation.too-soon', which is not a rule" in sentences
    assert "cites 'chow2099', which is not in citations.yaml" in sentences


def test_the_current_version_lists_its_changes_with_sources() -> None:
    ruleset = load_ruleset()
    assert ruleset.changes is not None and ruleset.changes.version == ruleset.version
    assert all(change.sources for change in ruleset.changes.changes)


def test_a_shared_criterion_is_one_reading_in_every_assessment_and_cannot_be_redefined(rules_copy: Path) -> None:
    ruleset = load_ruleset(rules_copy)
    sbrt, sib = ruleset.assessment("sbrt"), ruleset.assessment("sib-imrt")
    for name in ("no-neurological-deficit", "no-cord-compression", "stable-spine", "no-fracture",
                 "no-surgery-scheduled", "ecog-0-2"):
        (a,) = [c for c in sbrt.criteria if c.spec.id == name]
        (b,) = [c for c in sib.criteria if c.spec.id == name]
        assert a.condition == b.condition and a.spec == b.spec, name
    path = rules_copy / "eligibility" / "sib-imrt.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - use: ecog-0-2\n", """  - id: ecog-0-2
    kind: inclusion
    title: ECOG 0-3
    requires: ecog <= 3
    detail: {met: "x", not_met: "y"}
""", 1), encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules_copy)
    assert "is defined in criteria.yaml: write '- use: ecog-0-2'" in " ".join(p.sentence() for p in info.value.problems)
