"""Flatten the clinical state into the record the rules read for one lesion (cds.rule_facts).

Each value keeps a pointer to where it came from, so that a recommendation can name the
patient facts it rests on together with their FHIR sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import TypeAdapter

from cds.anatomy import base_bone
from cds.rule_facts import RANGE_FACTS, RuleFacts, not_recorded_marker
from cds.rules_engine.schema import FactEntry
from cds.scores import bilsky
from cds.scores.survival import model_median_range
from cds.silences import rule_silences
from cds.state import Fact, LesionState, PatientState, ScoreEstimate, SilenceRead

_RESULT_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    name: TypeAdapter(field.annotation) for name, field in RuleFacts.model_fields.items()
    if name.startswith(("eligibility_", "recommended_")) or name == "all_lesions_sbrt_suitable"
}


@dataclass(frozen=True)
class Provenance:
    origin: str
    sources: tuple[str, ...] = ()
    method: str | None = None
    assumes: tuple[SilenceRead, ...] = ()


@dataclass(frozen=True)
class LesionFacts:
    values: dict[str, Any]
    """The flat record (unknown facts absent; a not-recorded fact whose silence may be read has
    its marker, see ``cds.silences``)."""
    provenance: dict[str, Provenance]
    silences: dict[str, SilenceRead] = field(default_factory=dict)
    """Rule fact → the silence to read, for each fact not recorded whose silence may be read."""

    def with_results(self, results: dict[str, Any]) -> LesionFacts:
        """These facts plus the results of earlier phases (verdicts, what was recommended)."""
        for name, value in results.items():
            _RESULT_ADAPTERS[name].validate_python(value, strict=True)
        provenance = Provenance("derived", (), "result of earlier rules")
        return LesionFacts({**self.values, **results}, {**self.provenance, **dict.fromkeys(results, provenance)},
                           self.silences)

    @cached_property
    def assuming(self) -> frozenset[str]:
        """The facts whose value rests on a silence read as absence."""
        return frozenset(name for name, prov in self.provenance.items() if prov.assumes)

    def value(self, name: str) -> Any:
        """A rule-level value; for a range fact, the exact value or the (lo, hi) pair."""
        if name in RANGE_FACTS:
            lo, hi = (self.values.get(k) for k in RANGE_FACTS[name])
            if lo is None:
                return None
            return lo if lo == hi else (lo, hi)
        return self.values.get(name)


def _put(values: dict[str, Any], prov: dict[str, Provenance], name: str, fact: Fact[Any] | None,
         transform: Any = None) -> None:
    if fact is None:
        return
    value = transform(fact.value) if transform else fact.value
    if value is None:
        return
    values[name] = value
    prov[name] = Provenance(fact.origin, fact.sources, fact.method, fact.assumes)


def _put_score(values: dict[str, Any], prov: dict[str, Provenance], name: str,
               estimate: ScoreEstimate | None, band_name: str) -> None:
    if estimate is None:
        return
    lo_name, hi_name = RANGE_FACTS[name]
    values[lo_name], values[hi_name] = estimate.minimum, estimate.maximum
    method = None
    if estimate.total is None:
        method = f"{estimate.name} {estimate.minimum}–{estimate.maximum}"
        if estimate.missing:
            method += f" ({', '.join(estimate.missing)} not documented)"
    if estimate.note:
        method = "; ".join(filter(None, (method, estimate.note)))
    prov[name] = Provenance(estimate.origin, estimate.sources, method)
    if estimate.band is not None:
        values[band_name] = estimate.band
        prov[band_name] = prov[name]


def _put_count(values: dict[str, Any], prov: dict[str, Provenance], name: str, fact: Fact[int] | None) -> None:
    if fact is None:
        return
    lo_name, hi_name = RANGE_FACTS[name]
    values[lo_name] = fact.value
    if not (fact.inputs and fact.inputs.get("lower_bound")):
        values[hi_name] = fact.value
    prov[name] = Provenance(fact.origin, fact.sources, fact.method, fact.assumes)


def _put_survival_range(values: dict[str, Any], prov: dict[str, Provenance], state: PatientState) -> None:
    """Expected survival as ablative decisions read it: the clinician's estimate, or else the span of
    every prognostic model's possible group medians (TEACHH and Chow, each over its score range). Knowing
    less only widens the span, so it can never make an ablative criterion met; one that rests on the
    models asks to confirm the estimate."""
    lo_name, hi_name = RANGE_FACTS["expected_survival_range"]
    documented = state.expected_survival_months
    if documented is not None and documented.origin == "documented":
        values[lo_name] = values[hi_name] = float(documented.value)
        prov["expected_survival_range"] = Provenance(documented.origin, documented.sources, documented.method)
        return
    spans = [(e.model, *model_median_range(e.model, e.score.minimum, e.score.maximum))
             for e in state.survival_estimates if e.model in ("teachh", "chow")]
    if not spans:
        return
    low, high = min(s[1] for s in spans), max(s[2] for s in spans)
    values[lo_name], values[hi_name] = low, high
    models = "; ".join(f"{'TEACHH' if m == 'teachh' else 'Chow'} {lo:g}–{hi:g}" if lo != hi else
                       f"{'TEACHH' if m == 'teachh' else 'Chow'} {lo:g}" for m, lo, hi in spans)
    confirm = SilenceRead(fact="expected-survival", searched=("Observation",), confirm=(
        f"the expected survival: no clinician's estimate is documented; the prognostic models give "
        f"{low:g}–{high:g} months ({models})" if low != high else
        f"the expected survival: no clinician's estimate is documented; the prognostic models give {low:g} months"))
    # the models' inputs that were themselves read from a silence (no admission, bone-only disease …)
    inputs = (state.expected_survival_months, state.hospitalised_last_3_months, state.hepatic_metastases,
              state.visceral_metastases, state.bone_only_disease)
    assumed = tuple(dict.fromkeys(read for fact in inputs if fact is not None for read in fact.assumes))
    prov["expected_survival_range"] = Provenance("derived", (), f"span of the prognostic models' medians: {models}",
                                                 (confirm, *assumed))


def lesion_facts(state: PatientState, lesion: LesionState, verdicts: dict[str, Any] | None = None,
                 catalogue: Mapping[str, FactEntry] | None = None) -> LesionFacts:
    """The rule record of one lesion. ``catalogue`` (rules/facts.yaml by default) says which
    silences may be read: each gets its marker."""
    values: dict[str, Any] = {}
    prov: dict[str, Provenance] = {}
    put = lambda name, fact, transform=None: _put(values, prov, name, fact, transform)  # noqa: E731

    put("age", state.age)
    put("sex", state.sex)
    # "unknown" histology is a code saying the primary is not known: to the rules it is unknown.
    put("histology", state.histology, lambda h: None if h == "unknown" else h)
    put("radiosensitivity", state.radiosensitivity)
    put("histologically_confirmed", state.histologically_confirmed)
    put("ecog", state.ecog)
    if state.ecog is not None:
        values["ecog_derived"] = state.ecog.derived
    put("kps", state.kps)
    if state.kps is not None:
        put("kps_60_or_less", state.kps, lambda kps: kps <= 60)
    elif state.ecog is not None:
        put("kps_60_or_less", state.ecog, lambda ecog: ecog >= 2)
    put("expected_survival_months", state.expected_survival_months)
    put("survival_band", state.survival_band)
    if state.expected_survival_months is not None:
        values["survival_documented"] = not state.expected_survival_months.derived
    _put_survival_range(values, prov, state)
    for estimate in state.survival_estimates:
        if estimate.model == "rades" and estimate.group is not None:
            values["rades_group"] = estimate.group
            prov["rades_group"] = Provenance(estimate.score.origin, estimate.score.sources,
                                             f"Rades score {estimate.score.minimum}"
                                             + ("" if estimate.score.minimum == estimate.score.maximum
                                                else f"–{estimate.score.maximum}") + f": {estimate.group}")
    _put_count(values, prov, "bone_lesion_count", state.bone_lesion_count)
    _put_count(values, prov, "metastatic_lesion_count", state.metastatic_lesion_count)
    put("bone_lesions_needing_rt", state.bone_lesions_needing_rt)
    put("oligometastatic", state.oligometastatic)
    put("polymetastatic", state.polymetastatic)
    put("visceral_metastases", state.visceral_metastases)
    put("bone_only_disease", state.bone_only_disease)
    put("disease_status", state.disease_status)
    put("active_systemic_therapy", state.active_systemic_therapy)
    put("restaging_imaging_age_days", state.restaging_imaging_age_days)
    put("medically_operable", state.medically_operable)
    put("primary_controlled", state.primary_controlled)
    neuro = state.neurology
    put("neurological_deficit", neuro.neurological_deficit)
    put("ambulatory", neuro.ambulatory)
    put("paraplegic", neuro.paraplegic)
    put("paraplegia_hours", neuro.paraplegia_hours)
    put("motor_deficit_days", neuro.motor_deficit_days)
    put("omd_class", state.omd_class)

    if lesion.region != "unspecified":
        values["region"] = lesion.region
        prov["region"] = Provenance("documented", lesion.sources)
        if lesion.bone:
            values["bone"] = base_bone(lesion.bone)
            prov["bone"] = prov["region"]
        if lesion.levels:
            values["level_count"] = len(lesion.levels)
            prov["level_count"] = prov["region"]
    _put_score(values, prov, "sins", lesion.sins, "sins_band")
    _put_score(values, prov, "mirels", lesion.mirels, "mirels_band")
    put("bilsky_grade", lesion.bilsky_grade)
    put("escc_high_grade", lesion.bilsky_grade, bilsky.is_high_grade)
    if lesion.bilsky_grade is None and lesion.region not in ("spine", "unspecified"):
        values["escc_high_grade"] = False  # epidural compression is a spinal finding
        prov["escc_high_grade"] = Provenance("derived", lesion.sources, f"not a spinal lesion ({lesion.site})")
    put("cord_compression", lesion.cord_compression)
    put("cauda_equina_only", lesion.cauda_equina_only)
    put("compression_areas", lesion.compression_areas)
    put("pathological_fracture", lesion.pathological_fracture)
    put("impending_fracture", lesion.impending_fracture)
    put("lesion_type", lesion.lesion_type)
    put("size_cm", lesion.size_cm)
    put("cortical_involvement", lesion.cortical_involvement)
    put("pain_score", lesion.pain_score)
    put("painful", lesion.painful)
    put("posterior_elements", lesion.posterior_elements)
    put("extraosseous_extension", lesion.extraosseous_extension)
    put("neuropathic_pain", lesion.neuropathic_pain)
    put("surgeon_judged_stable", lesion.surgeon_judged_stable)
    put("surgery_declined", lesion.surgery_declined)
    put("contiguous_compartments", lesion.contiguous_compartments)
    put("planned_surgery", lesion.planned_surgery)
    put("postoperative", lesion.postoperative)
    put("high_risk_site", lesion.high_risk_site)
    put("near_cord", lesion.near_cord)
    prior = lesion.prior_rt
    if prior is not None:
        put("prior_rt_at_site", prior.at_site)
        if prior.at_site.value:
            source = Provenance(prior.at_site.origin, prior.at_site.sources, prior.at_site.method)
            extra = {
                "prior_rt_dose_known": prior.dose_known,
                "prior_rt_interval_months": prior.interval_months,
                "prior_rt_interval_days": prior.interval_days,
                "prior_rt_adjacent_only": prior.adjacent_only,
                "prior_rt_stereotactic": prior.stereotactic,
                "prior_cord_bed2": prior.cord_bed2,
                "prior_cord_eqd2": prior.cord_eqd2,
                "cord_bed2_headroom": None if prior.cord_bed2 is None else round(135.5 - prior.cord_bed2, 1),
                "cord_eqd2_headroom": None if prior.cord_eqd2 is None else round(70.0 - prior.cord_eqd2, 1),
            }
            for name, value in extra.items():
                if value is not None:
                    values[name] = value
                    prov[name] = source
    for name, value in values.items():
        if isinstance(value, float):  # one precision for the engine and the oracle alike
            values[name] = round(value, 3)
    # Only typed, validated values reach the engine (it coerces "8" >= 7 and 1 == true).
    RuleFacts.model_validate(values, strict=True)
    if catalogue is None:
        from cds.rules_engine.loader import default_ruleset

        catalogue = default_ruleset().facts
    silences = rule_silences(state, lesion, values, catalogue)
    for name in silences:
        values[not_recorded_marker(name)] = True
    facts = LesionFacts(values, prov, silences)
    return facts.with_results(verdicts) if verdicts else facts
