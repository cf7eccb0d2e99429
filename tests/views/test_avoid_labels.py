"""An ``avoid`` output is never labelled like an endorsement: in no view does it carry its priority
('preferred Avoid 8 Gy × 1'), its priority's symbol or class, or an order suggestion."""

from __future__ import annotations

import re

import hand_built
from html_check import parse

from cds.output import Evaluation
from cds.rules_engine.catalogue import catalogue_json
from cds.rules_engine.loader import default_ruleset
from cds.service.reports import minimal_report
from cds.spark_runner import _recommendation_rows
from cds.views.html import render_catalogue, render_page, render_report
from cds.views.markdown import render_evaluation as markdown
from cds.views.report_model import AVOID_SYMBOL, PRIORITY_SYMBOL, recommendation_view

AVOID = hand_built.avoid_single()  # priority "preferred" in the contract, as the rules emit it


def only_avoid() -> Evaluation:
    return hand_built.evaluation(lesions=(hand_built.lesion(),), recommendations=(AVOID,))


def test_the_avoid_item_is_preferred_in_the_contract_so_the_views_must_not_say_so() -> None:
    assert AVOID.code == "avoid" and AVOID.priority == "preferred"


def test_html_report_section_is_classed_and_tagged_avoid_not_by_priority() -> None:
    root, problems = parse(render_report(hand_built.evaluation()))
    assert problems == []
    section = root.find("section", data_code="avoid")
    assert section is not None
    assert section.attrs.get("data-priority") == "avoid"
    assert "preferred" not in (section.attrs.get("class") or "").split()
    assert section.find("h4").text.startswith("✘ Avoid")


def test_report_model_gives_an_avoid_item_the_avoid_symbol() -> None:
    assert recommendation_view(AVOID).symbol == AVOID_SYMBOL
    assert recommendation_view(AVOID).symbol != PRIORITY_SYMBOL["preferred"]
    assert recommendation_view(hand_built.pain_rt()).symbol == PRIORITY_SYMBOL["preferred"]


def test_html_index_row_labels_avoid_items_avoid() -> None:
    _, row = render_page(hand_built.evaluation())
    labels = {(r.code, r.priority) for r in row.evaluation.recommendations}
    assert ("avoid", "avoid") in labels and ("avoid", "preferred") not in labels


def test_markdown_avoid_row_is_headed_avoid() -> None:
    out = markdown(only_avoid())
    assert "| avoid | **Avoid 8 Gy × 1 at L3" in out and not re.search(r"preferred \| \*\*Avoid", out)


def test_service_minimal_report_labels_avoid_items_as_do_not_use() -> None:
    html = minimal_report(only_avoid())
    assert "AVOID (do not use)" in html and "— preferred" not in html


def test_spark_recommendation_rows_priority_column_reads_avoid() -> None:
    rows = _recommendation_rows({"patient": "pt-hand", "evaluation": hand_built.evaluation().to_dict()})
    by_code = {row[4]: row[6] for row in rows if row[4]}
    assert by_code["avoid"] == "avoid"
    assert by_code["surgical-referral"] == "urgent" and by_code["ebrt-8gy-1fx"] == "preferred"


def test_rule_catalogue_never_gives_an_avoid_rule_a_priority() -> None:
    ruleset = default_ruleset()
    rules = catalogue_json(ruleset)["rules"]
    avoid_ids = [rule["id"] for rule in rules if rule["code"] == "avoid"]
    other_id = next(rule["id"] for rule in rules if rule["code"] != "avoid")
    assert avoid_ids
    root, _ = parse(render_catalogue(ruleset))

    def recommends(rule_id: str) -> str:
        article = root.find("article", data_rule_id=rule_id)
        assert article is not None, rule_id
        return next(p.text for p in article.find_all("p") if p.text.startswith("Recommends:"))

    for rule_id in avoid_ids:
        assert "priority" not in recommends(rule_id) and "avoid — what not to do" in recommends(rule_id), rule_id
    assert "priority" in recommends(other_id)
