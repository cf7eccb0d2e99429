"""Per-criterion eligibility results and their aggregation into a verdict (ACTIN-style).

A single not-met criterion makes the lesion ineligible; otherwise any unknown criterion makes it
undetermined; only when every criterion is met is it eligible. An unknown criterion names the
facts it misses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cds.output import CriterionResult, Verdict
from cds.rationale import render
from cds.rule_facts import fact_label
from cds.rules_engine.conditions import Truth
from cds.rules_engine.loader import Criterion


def criterion_result(criterion: Criterion, truth: Truth, missing: Sequence[str],
                     context: dict[str, Any], basis: str | None = None) -> CriterionResult:
    spec = criterion.spec
    if truth is True:
        status, detail = "met", render(spec.detail.met, context)
    elif truth is False:
        status, detail = "not-met", render(spec.detail.not_met, context)
    else:
        status = "unknown"
        named = ", ".join(fact_label(name) for name in missing) or "a required fact"
        detail = render(spec.detail.unknown, context) if spec.detail.unknown else f"{named} not documented"
        if spec.detail.unknown and missing:
            detail += f" (not documented: {named})"
    if basis == "not-recorded":
        detail += " (not recorded: confirm)"
    # Built without validation: every value comes from the validated criterion spec or is one of
    # the literals above (a criterion result per criterion per lesion: the commonest output model).
    return CriterionResult.model_construct(
        id=spec.id, status=status, detail=detail, kind=spec.kind, title=spec.title,
        evidence_status=spec.evidence_status, missing=tuple(missing), basis=basis,
    )


def aggregate(results: Sequence[CriterionResult]) -> Verdict:
    statuses = {r.status for r in results}
    if "not-met" in statuses:
        return "ineligible"
    if "unknown" in statuses:
        return "undetermined"
    return "eligible"
