"""`cds rules check`: every problem as a sentence, then a one-line summary when clean."""

from __future__ import annotations

from pathlib import Path

from cds.rules_engine.compiler import MAX_GROUPS, count_expressions, count_groups
from cds.rules_engine.durable_engine import EngineError
from cds.rules_engine.loader import RulesetError, load_ruleset
from cds.rules_engine.runner import compile_ruleset, durable_runner
from cds.rules_engine.schema import REASONS

MAX_EXPRESSIONS = 60  # durable_rules fails above ~63 comparisons on one fact


def check_rules(rules_dir: Path | str | None = None) -> tuple[list[str], str]:
    try:
        ruleset = load_ruleset(rules_dir)
    except RulesetError as exc:
        return [p.sentence() for p in exc.problems], ""
    problems: list[str] = []
    for phase, (_, rulesets) in compile_ruleset(ruleset).items():
        for chunk in rulesets:
            for name, rule in chunk.items():
                groups = count_groups(rule["all"][0]["m"])
                if groups > MAX_GROUPS:
                    problems.append(f"{name} ({phase}): its condition compiles to {groups} all/any groups; "
                                    f"durable_rules accepts at most {MAX_GROUPS} — simplify or split the rule")
                size = count_expressions(rule["all"][0]["m"])
                if size > MAX_EXPRESSIONS:
                    problems.append(f"{name} ({phase}): {size} comparisons after expansion; durable_rules "
                                    f"fails above ~63 — split the condition or simplify a definition")
    if not problems:
        try:
            durable_runner(ruleset)
        except EngineError as exc:
            problems.append(str(exc))
    if problems:
        return problems, ""
    codes = {rule.spec.recommend.code for rule in ruleset.rules}
    missing_codes = sorted(set(REASONS) - codes)
    review = [r.id for r in ruleset.rules if r.spec.evidence_status == "needs-clinical-review"]
    criteria = sum(len(a.criteria) for a in ruleset.assessments)
    summary = (
        f"ruleset {ruleset.manifest.name} {ruleset.version} (sha256 {ruleset.sha256[:12]}): "
        f"{len(ruleset.rules)} rules, {len(ruleset.assessments)} eligibility assessments ({criteria} criteria), "
        f"{len(ruleset.caveats)} caveats, {len(ruleset.citations)} citations; "
        f"{len(review)} rule(s) need clinical review. Clean."
    )
    if missing_codes:
        summary += f" No rule yet recommends: {', '.join(missing_codes)}."
    return [], summary
