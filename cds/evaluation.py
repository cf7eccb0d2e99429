"""Evaluate a clinical state against the ruleset: eligibility, recommendations, data gaps.

Per lesion: (1) the eligibility criteria run and are aggregated into verdicts; (2) the
recommendation rules run in phases, reading the facts and those verdicts; (3) fired rules
become recommendations with regimens, BED, rationale and citations; (4) criteria and rules
left *unknown* name the facts they miss as data gaps. The safety check runs last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from cds import safety
from cds.basis import basis_of, facts_read, silences_used
from cds.eligibility import aggregate, criterion_result
from cds.lesion_facts import LesionFacts, lesion_facts
from cds.output import (
    Assumption,
    Citation,
    CriterionResult,
    DataGap,
    Eligibility,
    Evaluation,
    FactUsed,
    Lesion,
    PatientSummary,
    Recommendation,
    RegimenOut,
    RulesetInfo,
    WarningOut,
)
from cds.output import Link as LinkOut
from cds.rationale import render, template_context
from cds.rule_facts import PATIENT_FACTS, fact_extra, fact_label, gap_key, recommended_fact, verdict_fact
from cds.rules_engine import conditions as cond
from cds.rules_engine.loader import Assessment, Rule, Ruleset, default_ruleset
from cds.rules_engine.runner import Runner, make_runner
from cds.rules_engine.schema import REASONS, Regimen
from cds.scores.bed import bed10, dose_per_fraction, is_nominal, round_bed
from cds.state import LesionState, PatientState, SilenceRead

PRIORITY_ORDER = {"urgent": 0, "preferred": 1, "alternative": 2}


_CITATIONS: dict[tuple[int, tuple[str, ...]], tuple[Ruleset, tuple[Citation, ...]]] = {}


def citations_for(ruleset: Ruleset, keys: Iterable[str]) -> tuple[Citation, ...]:
    unique = tuple(dict.fromkeys(keys))
    cached = _CITATIONS.get((id(ruleset), unique))
    if cached is not None and cached[0] is ruleset:  # the ruleset is kept with them: its id is not reused
        return cached[1]
    out = []
    for key in unique:
        entry = ruleset.citations[key]
        out.append(Citation(key=key, label=entry.label, url=entry.link(), verification=entry.verification))
    if len(_CITATIONS) >= 1024:
        _CITATIONS.clear()
    _CITATIONS[(id(ruleset), unique)] = (ruleset, tuple(out))
    return tuple(out)


def regimen_out(regimen: Regimen) -> RegimenOut:
    return RegimenOut(
        dose_gy=regimen.dose_gy,
        fractions=regimen.fractions,
        bed10=round_bed(bed10(regimen.dose_gy, regimen.fractions)),
        role=regimen.role,
        dose_per_fraction_gy=round(dose_per_fraction(regimen.dose_gy, regimen.fractions), 2),
        bed10_nominal=is_nominal(regimen.dose_gy, regimen.fractions) or None,
        label=regimen.label,
        elective_dose_gy=regimen.elective_dose_gy,
        elective_bed10=(round_bed(bed10(regimen.elective_dose_gy, regimen.fractions))
                        if regimen.elective_dose_gy else None),
    )


def facts_used(node: cond.Node, facts: LesionFacts) -> tuple[FactUsed, ...]:
    out = []
    for name in facts_read(node):
        value = facts.value(name)
        if value is None:
            continue
        prov = facts.provenance.get(name)
        out.append(FactUsed(
            name=name, label=fact_label(name),
            value=list(value) if isinstance(value, tuple) else value,
            origin=prov.origin if prov else None,
            sources=prov.sources if prov else (),
            method=prov.method if prov else None,
        ))
    return tuple(out)


class _Gaps:
    """Data gaps merged by (fact, lesion); patient-level facts are reported once. A fact that was
    documented but is older than its currency window is a *stale* gap: re-assess it."""

    def __init__(self, state: PatientState | None = None, ruleset: Ruleset | None = None) -> None:
        self._catalogue = ruleset.facts if ruleset is not None else {}
        self._not_recognised = _not_recognised(state) if state is not None else {}
        """gap key → what the record holds in a code the mapper does not know (e.g. the coded primary)."""
        self._needed: dict[tuple[str, str | None], dict[str, None]] = defaultdict(dict)
        self._sites: dict[str, str] = {}
        self._labels: dict[str, tuple[str, str | None]] = {}
        self._stale: dict[tuple[str, str | None], str] = {}
        for item in state.stale if state is not None else ():
            key = (item.fact, item.lesion)
            last = item.last_documented.isoformat()
            self._stale[key] = max(self._stale.get(key, last), last)

    def add(self, rule_fact: str, lesion: LesionState, needed_for: str) -> None:
        if rule_fact.startswith(("eligibility_", "recommended_", "all_lesions_")):
            return  # results of other assessments: their own criteria name what is missing
        patient_level = rule_fact in PATIENT_FACTS
        key = (gap_key(rule_fact), None if patient_level else lesion.id)
        self._needed[key][needed_for] = None
        self._sites[lesion.id] = lesion.site
        if key[0] not in self._labels:
            self._labels[key[0]] = (fact_label(rule_fact), fact_extra(rule_fact).get("how"))

    def result(self) -> tuple[DataGap, ...]:
        gaps = []
        for (fact, lesion_id), needed in sorted(self._needed.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])):
            label, how = self._labels[fact]
            where = f" for {self._sites[lesion_id]}" if lesion_id and self._sites.get(lesion_id) not in (
                None, "unspecified") else (" for the lesion with no documented site" if lesion_id else "")
            held = self._not_recognised.get(fact)
            last = self._stale.get((fact, lesion_id)) or self._stale.get((fact, None))
            if held is not None:  # documented, in a code the lists lack: recognise it, do not re-document it
                gaps.append(DataGap(fact=fact, lesion=lesion_id, needed_for=tuple(needed), status="not-recognised",
                                    message=f"{held[:1].upper()}{held[1:]}: add the code to the code lists",
                                    how_to_document="fhir_mappings/valuesets/README.md"))
            elif last is not None:
                entry = self._catalogue.get(fact)
                gaps.append(DataGap(
                    fact=fact, lesion=lesion_id, needed_for=tuple(needed), status="stale", last_documented=last,
                    message=f"Re-assess {entry.label if entry else label}{where} (last documented {last})",
                    how_to_document=how))
            else:
                gaps.append(DataGap(
                    fact=fact, lesion=lesion_id, needed_for=tuple(needed),
                    message=f"Document {label}{where}",
                    how_to_document=how,
                ))
        return tuple(gaps)


class _Assumptions:
    """Every silence read as absence that decided something, listed once with what it was needed for."""

    def __init__(self, ruleset: Ruleset) -> None:
        self._ruleset = ruleset
        self._items: dict[tuple[str, str | None, str], tuple[SilenceRead, dict[str, None]]] = {}

    def add(self, reads: Iterable[SilenceRead], lesion: LesionState, needed_for: str) -> None:
        for read in reads:
            entry = self._ruleset.facts.get(read.fact)
            patient_level = entry is not None and entry.silence is not None and entry.silence.stage == "state"
            key = (read.fact, None if patient_level else lesion.id, read.confirm)
            self._items.setdefault(key, (read, {}))[1][needed_for] = None

    def result(self) -> tuple[Assumption, ...]:
        return tuple(
            Assumption(fact=fact, lesion=lesion_id, confirm=confirm, searched=read.searched,
                       needed_for=tuple(needed))
            for (fact, lesion_id, confirm), (read, needed) in sorted(
                self._items.items(), key=lambda kv: (kv[0][1] or "", kv[0][0], kv[0][2])))


@dataclass
class _LesionStage:
    """One lesion after its criteria: its facts, the verdicts and the silences each verdict rests on."""

    lesion: LesionState
    facts: LesionFacts
    context: dict[str, object]
    eligibility: dict[str, Eligibility]
    verdicts: dict[str, str]
    verdict_reads: dict[str, tuple[SilenceRead, ...]]


def _assess(assessment: Assessment, truths: dict[str, bool | None], facts: LesionFacts,
            context: dict[str, object], ruleset: Ruleset) -> tuple[Eligibility, tuple[SilenceRead, ...]]:
    """One assessment's verdict from its criteria's truth values, and the silences it rests on."""
    results = []
    reads: list[tuple[SilenceRead, ...]] = []
    for criterion in assessment.criteria:
        truth = truths[criterion.key]
        missing = cond.missing_facts(criterion.condition, facts.values) if truth is None else ()
        used = silences_used(criterion.condition, facts, truth)
        reads.append(used)
        results.append(criterion_result(criterion, truth, missing, context,
                                        basis_of(criterion.condition, facts, truth, used)))
    status = aggregate(results)
    # What the verdict rests on: every silence of an eligible verdict, the deciding ones of an
    # ineligible verdict; an undetermined verdict decides nothing yet.
    decisive = [r for result, r in zip(results, reads, strict=True)
                if status == "eligible" or (status == "ineligible" and result.status == "not-met")]
    eligibility = Eligibility(
        status=status, criteria=tuple(results), title=assessment.spec.title,
        citations=citations_for(ruleset, assessment.spec.citations),
        links=tuple(LinkOut(label=link.label, url=link.url) for link in assessment.spec.links),
    )
    return eligibility, tuple(dict.fromkeys(read for r in decisive for read in r))


def _gap_missing(gaps: _Gaps, eligibility: Eligibility, lesion: LesionState, name: str) -> None:
    if eligibility.status == "undetermined":  # once a criterion is not met, the unknown ones cannot matter
        for result in eligibility.criteria:
            for fact_name in result.missing:
                gaps.add(fact_name, lesion, name)


def _lesion_criteria(state: PatientState, lesion: LesionState, ruleset: Ruleset, runner: Runner,
                     gaps: _Gaps, assumptions: _Assumptions) -> _LesionStage:
    facts = lesion_facts(state, lesion, catalogue=ruleset.facts)
    context = template_context(state, lesion, facts)
    truths = runner.lesion_criteria(facts.values)
    stage = _LesionStage(lesion, facts, context, {}, {}, {})
    for assessment in ruleset.assessments:
        if assessment.patient_level:
            continue
        eligibility, reads = _assess(assessment, truths, facts, context, ruleset)
        _gap_missing(gaps, eligibility, lesion, assessment.name)
        assumptions.add(reads, lesion, assessment.name)
        stage.eligibility[assessment.name] = eligibility
        stage.verdicts[assessment.fact] = eligibility.status
        stage.verdict_reads[assessment.fact] = reads
    return stage


def _all_suitable(stages: list[_LesionStage], fact: str) -> bool | None:
    verdicts = [stage.verdicts.get(fact) for stage in stages]
    if any(v == "ineligible" for v in verdicts):
        return False
    if verdicts and all(v == "eligible" for v in verdicts):
        return True
    return None


def _patient_criteria(stages: list[_LesionStage], ruleset: Ruleset, runner: Runner, gaps: _Gaps,
                      assumptions: _Assumptions) -> dict[str, Eligibility]:
    """Patient-level assessments, decided once on the patient's facts and every lesion's verdicts;
    their verdict (and what it rests on) is then known to every lesion's rules."""
    patient_level = [a for a in ruleset.assessments if a.patient_level]
    if not patient_level or not stages:
        return {}
    suitable = _all_suitable(stages, verdict_fact("sbrt"))
    first = stages[0]
    extra = {"all_lesions_sbrt_suitable": suitable} if suitable is not None else {}
    facts = first.facts.with_results(extra)
    context = {**first.context, **extra}
    truths = runner.patient_criteria(facts.values)
    out: dict[str, Eligibility] = {}
    for assessment in patient_level:
        eligibility, reads = _assess(assessment, truths, facts, context, ruleset)
        # Patient-level facts only: the gaps and assumptions are the patient's, reported once.
        _gap_missing(gaps, eligibility, first.lesion, assessment.name)
        assumptions.add(reads, first.lesion, assessment.name)
        out[assessment.name] = eligibility
        for stage in stages:
            stage.verdicts[assessment.fact] = eligibility.status
            stage.verdict_reads[assessment.fact] = reads
            stage.context[assessment.fact] = eligibility.status
    return out


def _lesion_rules(stage: _LesionStage, ruleset: Ruleset, runner: Runner, gaps: _Gaps,
                  assumptions: _Assumptions) -> tuple[Lesion, list[Recommendation]]:
    lesion, base_facts, context = stage.lesion, stage.facts, stage.context
    verdict_reads = stage.verdict_reads
    extra: dict[str, object] = dict(stage.verdicts)
    context.update(stage.verdicts)
    facts = base_facts
    recommendations: list[Recommendation] = []
    for phase in ruleset.phases:
        if phase > 1:  # later phases know what earlier ones recommended
            extra.update({recommended_fact(code): any(r.code == code for r in recommendations) for code in REASONS})
        facts = base_facts.with_results(extra)
        truths = runner.rules(phase, facts.values)
        for rule in ruleset.rules_in_phase(phase):
            truth = truths[rule.id]
            if truth is True:
                demoted = rule.demote is not None and truths[rule.demote_key] is True
                reads = [*silences_used(rule.condition, facts, True)]
                for name in facts_read(rule.condition):
                    if name in verdict_reads and facts.values.get(name) == "eligible":
                        reads.extend(verdict_reads[name])
                reads = list(dict.fromkeys(reads))
                assumptions.add(reads, lesion, rule.spec.recommend.code)
                recommendations.append(_recommendation(rule, lesion, facts, context, ruleset, demoted,
                                                       tuple(r.confirm for r in reads)))
            elif truth is None and rule.spec.report_gaps:
                for name in cond.missing_facts(rule.condition, facts.values):
                    gaps.add(name, lesion, rule.spec.recommend.code)

    recommendations = _urgent_at_compression(lesion, merge_duplicates(recommendations))
    caveat_truths = runner.caveats(facts.values)
    for caveat in ruleset.caveats:
        if caveat_truths[caveat.id] is not True:
            continue
        text = render(caveat.spec.text, context)
        for i, rec in enumerate(recommendations):
            if rec.code in caveat.spec.applies_to:
                recommendations[i] = rec.model_copy(update={
                    "rationale": f"{rec.rationale} {text}",
                    "rules": (*rec.rules, caveat.id),
                    "citations": _unique_citations((*rec.citations, *citations_for(ruleset, caveat.spec.citations))),
                })

    out_lesion = Lesion(id=lesion.id, site=lesion.site, region=lesion.region, levels=lesion.levels,
                        bone=lesion.bone, eligibility=stage.eligibility)
    return out_lesion, recommendations


def _urgent_at_compression(lesion: LesionState, recommendations: list[Recommendation]) -> list[Recommendation]:
    """Cord and cauda equina compression are neurological emergencies: every output at such a lesion
    is urgent (a caution such as 'not within 4 weeks' as much as a referral), in the rules' order."""
    compressed = any(f is not None and f.value is True for f in (lesion.cord_compression, lesion.cauda_equina_only))
    if not compressed:
        return recommendations
    return [rec if rec.priority == "urgent" else rec.model_copy(update={"priority": "urgent"})
            for rec in recommendations]


def _unique_citations(citations: Iterable[Citation]) -> tuple[Citation, ...]:
    return tuple({c.key: c for c in citations}.values())


def merge_duplicates(recommendations: list[Recommendation]) -> list[Recommendation]:
    """One recommendation per (code, reason) at a lesion; several rules may support it."""
    merged: dict[tuple[str, str], Recommendation] = {}
    for rec in sorted(recommendations, key=lambda r: PRIORITY_ORDER[r.priority]):
        key = (rec.code, rec.reason)
        first = merged.get(key)
        if first is None:
            merged[key] = rec
            continue
        regimens = {(r.dose_gy, r.fractions, r.role): r for r in (*first.regimens, *rec.regimens)}
        facts = {f.name: f for f in (*first.facts, *rec.facts)}
        merged[key] = first.model_copy(update={
            "rationale": first.rationale if rec.rationale in first.rationale else f"{first.rationale} {rec.rationale}",
            "regimens": tuple(regimens.values()),
            "rules": (*first.rules, *rec.rules),
            "citations": _unique_citations((*first.citations, *rec.citations)),
            "facts": tuple(facts.values()),
            "evidence_status": ("needs-clinical-review" if "needs-clinical-review" in
                                (first.evidence_status, rec.evidence_status) else first.evidence_status),
            "links": tuple({link.url: link for link in (*first.links, *rec.links)}.values()),
            "confirm": tuple(dict.fromkeys((*first.confirm, *rec.confirm))),
        })
    order = {id(rec): i for i, rec in enumerate(recommendations)}
    return sorted(merged.values(), key=lambda r: order.get(id(r), 0))


def _recommendation(rule: Rule, lesion: LesionState, facts: LesionFacts, context: dict[str, object],
                    ruleset: Ruleset, demoted: bool = False, confirm: tuple[str, ...] = ()) -> Recommendation:
    spec = rule.spec.recommend
    rationale = render(spec.rationale, context)
    if demoted and spec.demote_note:
        rationale += " " + render(spec.demote_note, context)
    # Demotion orders the options; an urgent recommendation (cord compression) stays urgent.
    priority = spec.priority if spec.priority == "urgent" or not demoted else "alternative"
    return Recommendation(
        code=spec.code,
        reason=spec.reason,
        lesion=lesion.id,
        priority=priority,
        timing=render(spec.timing, context) if spec.timing else None,
        summary=render(spec.summary, context),
        rationale=rationale,
        regimens=tuple(regimen_out(r) for r in spec.regimens),
        rules=(rule.id,),
        citations=citations_for(ruleset, rule.spec.citations),
        evidence_status=rule.spec.evidence_status,
        title=rule.spec.title,
        facts=facts_used(rule.condition, facts),
        links=tuple(LinkOut(label=link.label, url=link.url) for link in spec.links),
        confirm=tuple(dict.fromkeys(confirm)),
    )


NOT_RECOGNISED = "coded primary not recognised"


def _not_recognised(state: PatientState) -> dict[str, str]:
    """Facts the record holds in a code the mapper does not know (the mapper says so in ``Fact.method``)."""
    method = state.histology.method if state.histology is not None else None
    if method and method.startswith(NOT_RECOGNISED):
        return {gap_key("histology"): method}
    return {}


def evaluate_state(state: PatientState, ruleset: Ruleset | None = None, engine: str = "durable") -> Evaluation:
    """Evaluate a derived clinical state (see cds.derived_facts.derive)."""
    ruleset = ruleset or default_ruleset()
    runner = make_runner(ruleset, engine)
    if state.is_deceased:
        return _deceased(state, ruleset, runner.name)
    gaps = _Gaps(state, ruleset)
    assumptions = _Assumptions(ruleset)
    stages = [_lesion_criteria(state, lesion, ruleset, runner, gaps, assumptions) for lesion in state.lesions]
    patient_eligibility = _patient_criteria(stages, ruleset, runner, gaps, assumptions)
    lesions: list[Lesion] = []
    recommendations: list[Recommendation] = []
    for stage in stages:
        out_lesion, recs = _lesion_rules(stage, ruleset, runner, gaps, assumptions)
        lesions.append(out_lesion)
        recommendations.extend(recs)

    warnings = [WarningOut(resource=w.resource, message=w.message) for w in state.warnings]
    if not state.lesions:
        warnings.append(WarningOut(message="no bone metastasis found in the record; nothing to evaluate"))
    recommendations, lesions, safety_warnings = safety.enforce(state, lesions, recommendations)
    warnings.extend(safety_warnings)
    with_recommendation = {rec.lesion for rec in recommendations if rec.code != "avoid"}
    for lesion in state.lesions:
        if lesion.id not in with_recommendation:
            where = f"at {lesion.site}" if lesion.region != "unspecified" else "with no documented site"
            warnings.append(WarningOut(resource=lesion.id, message=(
                f"no treatment recommendation for the lesion {where}: the record does not hold what the "
                "rules need (see the data gaps and each assessment's unknown criteria); decide clinically")))
    lesion_order = {lesion.id: i for i, lesion in enumerate(lesions)}
    recommendations.sort(key=lambda r: (lesion_order.get(r.lesion, 0), r.code == "avoid",
                                        PRIORITY_ORDER[r.priority], r.rules))

    # A recommendation withheld by the safety check leaves its silences unneeded; the rest stay.
    return Evaluation(
        patient=_patient(state),
        evaluated_at=state.as_of.isoformat().replace("+00:00", "Z"),
        ruleset=RulesetInfo(version=ruleset.version, sha256=ruleset.sha256, engine=runner.name),
        state=state.model_dump(mode="json", exclude_none=True),
        lesions=tuple(lesions),
        recommendations=tuple(recommendations),
        data_gaps=gaps.result(),
        warnings=tuple(warnings),
        assumptions=assumptions.result(),
        patient_eligibility=patient_eligibility,
    )


def _patient(state: PatientState) -> PatientSummary:
    return PatientSummary(
        id=state.patient_id,
        age=state.age.value if state.age else None,
        sex=state.sex.value if state.sex else None,
        deceased=state.deceased.value if state.deceased else None,
        deceased_date=state.deceased_date.value.isoformat() if state.deceased_date else None,
    )


def _deceased(state: PatientState, ruleset: Ruleset, engine: str) -> Evaluation:
    """A deceased patient gets no treatment recommendation: every verdict says why, nothing else."""
    when = f" on {state.deceased_date.value.isoformat()}" if state.deceased_date else ""
    line = f"The patient died{when}: no treatment recommendation."
    criterion = CriterionResult(id="patient-alive", status="not-met", detail=f"the patient died{when}",
                                kind="safety", title="The patient is alive", basis="documented")
    lesions = tuple(
        Lesion(id=lesion.id, site=lesion.site, region=lesion.region, levels=lesion.levels, bone=lesion.bone,
               eligibility={a.name: Eligibility(status="ineligible", criteria=(criterion,), title=a.spec.title)
                            for a in ruleset.assessments})
        for lesion in state.lesions)
    warnings = (WarningOut(resource=state.deceased.sources[0] if state.deceased and state.deceased.sources
                           else None, message=line),
                *(WarningOut(resource=w.resource, message=w.message) for w in state.warnings))
    return Evaluation(
        patient=_patient(state),
        evaluated_at=state.as_of.isoformat().replace("+00:00", "Z"),
        ruleset=RulesetInfo(version=ruleset.version, sha256=ruleset.sha256, engine=engine),
        state=state.model_dump(mode="json", exclude_none=True),
        lesions=lesions, recommendations=(), data_gaps=(), warnings=warnings,
    )
