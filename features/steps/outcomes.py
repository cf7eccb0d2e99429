"""Then steps: recommendations, regimens and BED, citations, eligibility verdicts, data gaps,
warnings and the clinical state (derived values with their inputs).

Failures name what the engine did instead, so a failing scenario explains itself in the report.
"""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then

from cds.output import Recommendation
from cds.scores.bed import bed10, is_nominal, round_bed
from cds.scores.bilsky import bilsky_group
from steps.context import ScenarioContext
from steps.vocabulary import ASSESSMENTS, lookup, wanted

SITE = r"(?P<site>.+?)"
PRIORITY = r"urgent|preferred|alternative"


def describe(recs: tuple[Recommendation, ...]) -> str:
    if not recs:
        return "no recommendation"
    return "; ".join(f"{r.code} ({r.reason}, {r.priority}; {', '.join(r.rules)})" for r in recs)


# ---- recommendations -------------------------------------------------------------------------------


@then(parsers.re(rf"the lesion at {SITE} gets (?!no )(?!.* asking to confirm )(?:an? )?(?:(?P<before>{PRIORITY}) )?"
                 rf"(?P<what>.+?)(?: \((?P<after>{PRIORITY})\))?"))
def _gets(bdd: ScenarioContext, site: str, before: str | None, what: str, after: str | None) -> None:
    want = wanted(what)
    priority = before or after
    recs = bdd.recommendations(site)
    found = [r for r in recs if want.matches(r.code, r.reason)]
    assert found, f"{site}: expected {want.phrase}; got {describe(recs)}"
    if priority:
        exact = [r for r in found if r.priority == priority]
        assert exact, f"{site}: {want.phrase} is {', '.join(r.priority for r in found)}, not {priority}"
        found = exact
    bdd.assert_recommendation(found[0])


@then(parsers.re(rf"the lesion at {SITE} does not get (?:an? )?(?P<what>.+)"))
def _does_not_get(bdd: ScenarioContext, site: str, what: str) -> None:
    want = wanted(what)
    recs = bdd.recommendations(site)
    wrong = [r for r in recs if want.matches(r.code, r.reason)]
    assert not wrong, f"{site}: {want.phrase} was recommended: {describe(tuple(wrong))}"


@then(parsers.re(rf"the lesion at {SITE} gets no radiotherapy or surgery recommendation"))
def _gets_nothing(bdd: ScenarioContext, site: str) -> None:
    recs = [r for r in bdd.recommendations(site) if r.code != "avoid"]
    assert not recs, f"{site}: expected no treatment recommendation; got {describe(tuple(recs))}"


@then(parsers.re(rf"the lesion at {SITE} is warned to avoid \"(?P<text>.+)\""))
def _avoid(bdd: ScenarioContext, site: str, text: str) -> None:
    recs = bdd.recommendations(site)
    found = [r for r in recs if r.code == "avoid" and text.lower() in r.reason.lower()]
    assert found, f"{site}: no 'avoid' naming {text!r}; got {describe(recs)}"
    bdd.assert_recommendation(found[0])


@then(parsers.re(rf"the lesion at {SITE} is not warned to avoid \"(?P<text>.+)\""))
def _no_avoid(bdd: ScenarioContext, site: str, text: str) -> None:
    recs = bdd.recommendations(site)
    found = [r for r in recs if r.code == "avoid" and text.lower() in r.reason.lower()]
    assert not found, f"{site}: unexpected 'avoid': {describe(tuple(found))}"


@then(parsers.re(r"the recommendation offers (?P<dose>\d+(?:\.\d+)?) Gy in (?P<fractions>\d+) fractions?"
                 r"(?: as (?P<role>[\w-]+))?(?: with a BED10 of (?P<bed>\d+(?:\.\d+)?) Gy)?"
                 r"(?: and (?P<elective>\d+(?:\.\d+)?) Gy to the whole compartment)?"))
def _offers(bdd: ScenarioContext, dose: str, fractions: str, role: str | None, bed: str | None,
            elective: str | None) -> None:
    rec = bdd.recommendation()
    regimens = [g for g in rec.regimens if g.dose_gy == float(dose) and g.fractions == int(fractions)]
    offered = ", ".join(f"{g.dose_gy:g} Gy/{g.fractions} ({g.role})" for g in rec.regimens) or "no regimen"
    assert regimens, f"{rec.code}: {dose} Gy in {fractions} not offered; offered {offered}"
    regimen = regimens[0]
    if role:
        assert regimen.role == role, f"{dose} Gy/{fractions} has role {regimen.role}, not {role}"
    if bed:
        assert regimen.bed10 == float(bed), f"{dose} Gy/{fractions}: BED10 {regimen.bed10}, not {bed}"
    if elective:
        assert regimen.elective_dose_gy == float(elective), f"elective dose {regimen.elective_dose_gy}, not {elective}"


@then(parsers.re(r"the recommendation cites \"(?P<source>.+)\""))
def _cites(bdd: ScenarioContext, source: str) -> None:
    rec = bdd.recommendation()
    assert any(c.key == source or c.label.startswith(source) for c in rec.citations), (
        f"{rec.code} cites {', '.join(c.label for c in rec.citations)}, not {source!r}")


@then(parsers.re(r"the recommendation's rationale mentions \"(?P<text>.+)\""))
def _rationale(bdd: ScenarioContext, text: str) -> None:
    rec = bdd.recommendation()
    assert text.lower() in rec.rationale.lower(), f"{rec.code} rationale does not mention {text!r}: {rec.rationale}"


@then(parsers.re(r"the recommendation is (?P<status>reviewed evidence|marked as needing clinical review)"))
def _evidence(bdd: ScenarioContext, status: str) -> None:
    rec = bdd.recommendation()
    expected = "reviewed" if status == "reviewed evidence" else "needs-clinical-review"
    assert rec.evidence_status == expected, f"{rec.code}: evidence status {rec.evidence_status}"


@then(parsers.re(r"the recommendation rests on (?:rule|caveat) \"(?P<rule>.+)\""))
def _rests_on(bdd: ScenarioContext, rule: str) -> None:
    rec = bdd.recommendation()
    assert rule in rec.rules, f"{rec.code} rests on {', '.join(rec.rules)}, not {rule}"


@then(parsers.re(r"the recommendation uses the (?P<origin>documented|derived) fact \"(?P<name>\w+)\""))
def _uses_fact(bdd: ScenarioContext, origin: str, name: str) -> None:
    rec = bdd.recommendation()
    facts = {f.name: f for f in rec.facts}
    assert name in facts, f"{rec.code} uses {', '.join(facts)}, not {name}"
    assert facts[name].origin == origin, f"{name} is {facts[name].origin}, not {origin}"


# ---- eligibility -----------------------------------------------------------------------------------


def _assessment(bdd: ScenarioContext, phrase: str, site: str) -> Any:
    name = lookup(ASSESSMENTS, phrase, "eligibility assessment")
    lesion = bdd.result().lesion(bdd.lesion_id(site))
    bdd.exercised.assessments[name] = None
    return name, lesion.eligibility[name]


def _criterion(bdd: ScenarioContext, phrase: str, site: str, criterion: str) -> Any:
    name, verdict = _assessment(bdd, phrase, site)
    for result in verdict.criteria:
        if result.id == criterion:
            bdd.exercised.criteria[f"{name}/{criterion}"] = None
            return result
    raise AssertionError(f"{name} has no criterion {criterion!r}: {', '.join(c.id for c in verdict.criteria)}")


@then(parsers.re(rf"(?P<phrase>SIB-IMRT|SBRT|decompressive surgery) is \"(?P<status>eligible|ineligible|undetermined)\""
                 rf" at {SITE}(?: because \"(?P<criterion>[\w-]+)\" is \"(?P<cstatus>met|not-met|unknown)\")?"))
def _verdict(bdd: ScenarioContext, phrase: str, status: str, site: str, criterion: str | None,
             cstatus: str | None) -> None:
    name, verdict = _assessment(bdd, phrase, site)
    summary = "; ".join(f"{c.id} {c.status}" for c in verdict.criteria)
    assert verdict.status == status, f"{name} at {site} is {verdict.status}, not {status} ({summary})"
    if criterion:
        result = _criterion(bdd, phrase, site, criterion)
        assert result.status == cstatus, f"{name}/{criterion} is {result.status}, not {cstatus} ({result.detail})"


@then(parsers.re(rf"the (?P<phrase>SIB-IMRT|SBRT|decompressive surgery) criterion \"(?P<criterion>[\w-]+)\" is "
                 rf"\"(?P<cstatus>met|not-met|unknown)\" at {SITE}"))
def _criterion_status(bdd: ScenarioContext, phrase: str, criterion: str, cstatus: str, site: str) -> None:
    result = _criterion(bdd, phrase, site, criterion)
    assert result.status == cstatus, f"{criterion} is {result.status}, not {cstatus} ({result.detail})"


@then(parsers.re(rf"the (?P<phrase>SIB-IMRT|SBRT|decompressive surgery) criterion \"(?P<criterion>[\w-]+)\" at "
                 rf"{SITE} says \"(?P<text>.+)\""))
def _criterion_detail(bdd: ScenarioContext, phrase: str, criterion: str, site: str, text: str) -> None:
    result = _criterion(bdd, phrase, site, criterion)
    assert text.lower() in result.detail.lower(), f"{criterion}: {result.detail!r} does not say {text!r}"


@then(parsers.re(r"oligometastatic SABR is \"(?P<status>eligible|ineligible|undetermined)\" for the patient"
                 r"(?: because \"(?P<criterion>[\w-]+)\" is \"(?P<cstatus>met|not-met|unknown)\")?"))
def _patient_verdict(bdd: ScenarioContext, status: str, criterion: str | None, cstatus: str | None) -> None:
    name = ASSESSMENTS["oligometastatic SABR"]
    verdict = bdd.result().patient_eligibility[name]
    bdd.exercised.assessments[name] = None
    summary = "; ".join(f"{c.id} {c.status}" for c in verdict.criteria)
    assert verdict.status == status, f"{name} is {verdict.status}, not {status} ({summary})"
    if criterion:
        found = [c for c in verdict.criteria if c.id == criterion]
        assert found, f"{name} has no criterion {criterion!r}: {summary}"
        bdd.exercised.criteria[f"{name}/{criterion}"] = None
        assert found[0].status == cstatus, f"{name}/{criterion} is {found[0].status}, not {cstatus}"


@then(parsers.re(r"the recommendation is to be given \"(?P<text>.+)\""))
def _timing(bdd: ScenarioContext, text: str) -> None:
    rec = bdd.recommendation()
    assert rec.timing and text.lower() in rec.timing.lower(), f"{rec.code}: timing is {rec.timing!r}, not {text!r}"


@then(parsers.re(rf"every recommendation at {SITE} is urgent"))
def _all_urgent(bdd: ScenarioContext, site: str) -> None:
    recs = bdd.recommendations(site)
    assert recs, f"{site}: no recommendation"
    slow = [f"{r.code} ({r.priority})" for r in recs if r.priority != "urgent"]
    assert not slow, f"{site}: not urgent: {', '.join(slow)}"


@then(parsers.re(rf"no eligibility criterion at {SITE} is silently \"not-met\" for want of data"))
def _unknown_not_false(bdd: ScenarioContext, site: str) -> None:
    lesion = bdd.result().lesion(bdd.lesion_id(site))
    gaps = {(g.fact, g.lesion) for g in bdd.result().data_gaps}
    for name, verdict in lesion.eligibility.items():
        bdd.exercised.assessments[name] = None
        for result in verdict.criteria:
            if result.status == "unknown":
                assert result.missing, f"{name}/{result.id} is unknown but names no missing fact"
            if result.status == "not-met":
                assert not result.missing, f"{name}/{result.id} is not-met although facts are missing"
        if verdict.status == "undetermined":
            assert gaps, f"{name} is undetermined but no data gap is reported"


# ---- data gaps and warnings ------------------------------------------------------------------------


@then(parsers.re(r"\"(?P<fact>[\w-]+)\" is (?P<neg>not )?a data gap(?: for (?P<site>.+?))?"
                 r"(?: needed for \"(?P<needed>[\w-]+)\")?(?: saying \"(?P<message>.+)\")?\s*"))
def _data_gap(bdd: ScenarioContext, fact: str, neg: str | None, site: str | None, needed: str | None,
              message: str | None) -> None:
    result = bdd.result()
    lesion = bdd.lesion_id(site) if site else None
    gaps = [g for g in result.data_gaps if g.fact == fact and (site is None or g.lesion == lesion)]
    listing = "; ".join(f"{g.fact} ({g.lesion or 'patient'})" for g in result.data_gaps) or "none"
    if neg:
        assert not gaps, f"{fact} is a data gap: {gaps[0].message}"
        return
    assert gaps, f"{fact} is not a data gap{' for ' + site if site else ''}; gaps: {listing}"
    bdd.exercised.data_gaps[fact] = None
    if needed:
        assert any(needed in g.needed_for for g in gaps), f"{fact} is needed for {gaps[0].needed_for}, not {needed}"
    if message:
        assert any(message in g.message for g in gaps), f"{fact}: {gaps[0].message!r} does not say {message!r}"


@then(parsers.re(r"the output warns \"(?P<text>.+)\""))
def _warns(bdd: ScenarioContext, text: str) -> None:
    messages = [w.message for w in bdd.result().warnings]
    assert any(text.lower() in m.lower() for m in messages), f"no warning mentions {text!r}: {messages}"


# ---- the clinical state ----------------------------------------------------------------------------


def _state(bdd: ScenarioContext) -> dict[str, Any]:
    bdd.result()
    assert bdd.output is not None
    return bdd.output["state"]  # type: ignore[no-any-return]


@then(parsers.re(r"the state shows ECOG (?P<ecog>\d) derived from KPS (?P<kps>\d+)"))
def _ecog_derived(bdd: ScenarioContext, ecog: str, kps: str) -> None:
    fact = _state(bdd).get("ecog")
    assert fact is not None, "ECOG is not in the state"
    assert fact["value"] == int(ecog), f"ECOG {fact['value']}, not {ecog}"
    assert fact["origin"] == "derived", f"ECOG is documented, not derived: {fact}"
    assert fact.get("inputs") == {"kps": int(kps)}, f"ECOG is not derived from KPS {kps}: {fact}"


@then(parsers.re(r"the state shows ECOG (?P<ecog>\d) as documented"))
def _ecog_documented(bdd: ScenarioContext, ecog: str) -> None:
    fact = _state(bdd).get("ecog")
    assert fact is not None and fact["value"] == int(ecog) and fact["origin"] == "documented", f"ECOG: {fact}"


@then(parsers.re(r"the expected survival is (?:about )?(?P<value>\d+(?:\.\d+)?) months, (?P<origin>documented|derived)"
                 r"(?: from (?P<model>TEACHH|Chow) group (?P<group>[ABC]))?"))
def _survival(bdd: ScenarioContext, value: str, origin: str, model: str | None, group: str | None) -> None:
    fact = _state(bdd).get("expected_survival_months")
    assert fact is not None, "no expected survival in the state"
    assert abs(fact["value"] - float(value)) < 0.05, f"expected survival {fact['value']} months, not {value}"
    assert fact["origin"] == origin, f"expected survival is {fact['origin']}: {fact.get('method')}"
    if model:
        method = fact.get("method", "")
        assert f"{model} group {group}" in method, f"derived by {method!r}, not {model} group {group}"
        assert fact.get("inputs", {}).get("model") == model.lower(), f"inputs: {fact.get('inputs')}"


@then(parsers.re(r"the expected survival band is \"(?P<band>short|intermediate|long)\""))
def _band(bdd: ScenarioContext, band: str) -> None:
    fact = _state(bdd).get("survival_band")
    assert fact is not None and fact["value"] == band, f"survival band: {fact}"


@then("the expected survival is not determined")
def _survival_unknown(bdd: ScenarioContext) -> None:
    state = _state(bdd)
    assert "expected_survival_months" not in state, f"expected survival: {state['expected_survival_months']}"
    assert "survival_band" not in state, f"survival band: {state['survival_band']}"


def _estimate(bdd: ScenarioContext, model: str) -> dict[str, Any]:
    for estimate in _state(bdd).get("survival_estimates", []):
        if estimate["model"] == model.lower():
            return estimate  # type: ignore[no-any-return]
    raise AssertionError(f"no {model} estimate in the state")


@then(parsers.re(r"the (?P<model>TEACHH|Chow|Rades) score is (?P<low>\d+)(?: to (?P<high>\d+))?"
                 r"(?:, (?:group|band) \"(?P<group>[\w-]+)\")?"))
def _score(bdd: ScenarioContext, model: str, low: str, high: str | None, group: str | None) -> None:
    estimate = _estimate(bdd, model)
    score = estimate["score"]
    assert (score["minimum"], score["maximum"]) == (int(low), int(high or low)), (
        f"{model} {score['minimum']}–{score['maximum']}, missing {score.get('missing')}")
    if group:
        found = estimate.get("group") or score.get("band")
        assert found == group, f"{model} group/band {found}, not {group}"


@then(parsers.re(r"the Chow estimate is a median of about (?P<months>\d+(?:\.\d+)?) months"))
def _chow_median(bdd: ScenarioContext, months: str) -> None:
    estimate = _estimate(bdd, "chow")
    assert estimate.get("median_months") == float(months), f"Chow: {estimate}"


@then(parsers.re(r"the patient is (?P<kind>oligometastatic|polymetastatic)"))
def _burden(bdd: ScenarioContext, kind: str) -> None:
    fact = _state(bdd).get(kind)
    assert fact is not None and fact["value"] is True, f"{kind}: {fact}"


@then(parsers.re(r"the ESTRO/EORTC class is \"(?P<label>.+)\""))
def _omd_class(bdd: ScenarioContext, label: str) -> None:
    fact = _state(bdd).get("omd_class")
    assert fact is not None, "no ESTRO/EORTC class in the state"
    assert fact["value"] == label, f"ESTRO/EORTC class {fact['value']!r}, not {label!r}"
    assert fact["origin"] == "derived" and fact.get("inputs", {}).get("path"), f"the class must show its path: {fact}"


@then("the ESTRO/EORTC class is not determined")
def _omd_unknown(bdd: ScenarioContext) -> None:
    fact = _state(bdd).get("omd_class")
    assert fact is None, f"ESTRO/EORTC class: {fact}"


@then(parsers.re(rf"the SINS at {SITE} is (?P<total>\d+) \((?P<band>stable|indeterminate|unstable)\)"))
def _sins(bdd: ScenarioContext, site: str, total: str, band: str) -> None:
    sins = bdd.lesion_state(site).get("sins")
    assert sins is not None, f"no SINS at {site}"
    assert (sins["minimum"], sins["maximum"]) == (int(total), int(total)), f"SINS {sins['minimum']}–{sins['maximum']}"
    assert sins.get("band") == band, f"SINS band {sins.get('band')}, not {band}"


@then(parsers.re(rf"the SINS at {SITE} ranges from (?P<low>\d+) to (?P<high>\d+), spanning \"(?P<bands>.+)\""))
def _sins_range(bdd: ScenarioContext, site: str, low: str, high: str, bands: str) -> None:
    sins = bdd.lesion_state(site).get("sins")
    assert sins is not None, f"no SINS at {site}"
    assert (sins["minimum"], sins["maximum"]) == (int(low), int(high)), f"SINS {sins['minimum']}–{sins['maximum']}"
    assert " / ".join(sins.get("bands", ())) == bands, f"SINS bands {sins.get('bands')}"
    assert "band" not in sins or len(sins["bands"]) == 1, "a SINS range across bands must not claim one band"


@then(parsers.re(rf"the Mirels score at {SITE} is (?P<total>\d+) \((?P<band>low-risk|borderline|high-risk)\)"))
def _mirels(bdd: ScenarioContext, site: str, total: str, band: str) -> None:
    mirels = bdd.lesion_state(site).get("mirels")
    assert mirels is not None, f"no Mirels score at {site}"
    assert (mirels["minimum"], mirels["maximum"]) == (int(total), int(total)), (
        f"Mirels {mirels['minimum']}–{mirels['maximum']}")
    assert mirels.get("band") == band, f"Mirels band {mirels.get('band')}, not {band}"


@then(parsers.re(rf"the Bilsky grade at {SITE} is the label \"(?P<grade>.+)\", a (?P<group>low|grey-zone|high) grade"))
def _bilsky_label(bdd: ScenarioContext, site: str, grade: str, group: str) -> None:
    fact = bdd.lesion_state(site).get("bilsky_grade")
    assert fact is not None, f"no Bilsky grade at {site}"
    assert fact["value"] == grade and isinstance(fact["value"], str), f"Bilsky grade {fact['value']!r}, not {grade!r}"
    assert bilsky_group(fact["value"]) == group, f"Bilsky {grade} is {bilsky_group(fact['value'])}, not {group}"


@then(parsers.re(rf"cord compression at {SITE} is (?P<value>present|absent), derived from the Bilsky grade"))
def _compression_derived(bdd: ScenarioContext, site: str, value: str) -> None:
    fact = bdd.lesion_state(site).get("cord_compression")
    assert fact is not None, f"cord compression at {site} is unknown"
    assert fact["value"] is (value == "present"), f"cord compression {fact['value']}"
    assert fact["origin"] == "derived" and "bilsky_grade" in (fact.get("inputs") or {}), f"not derived: {fact}"


@then(parsers.re(rf"the lesion at {SITE} is (?P<neg>not )?a high-risk site"))
def _high_risk(bdd: ScenarioContext, site: str, neg: str | None) -> None:
    fact = bdd.lesion_state(site).get("high_risk_site")
    assert fact is not None, f"whether {site} is a high-risk site is unknown"
    assert fact["value"] is (neg is None), f"high-risk site: {fact['value']} ({fact.get('method')})"


@then(parsers.re(rf"the previous cord BED2 at {SITE} is (?P<bed2>\d+(?:\.\d+)?) Gy, (?P<months>\d+(?:\.\d+)?) "
                 r"months ago"))
def _prior_bed2(bdd: ScenarioContext, site: str, bed2: str, months: str) -> None:
    prior = bdd.lesion_state(site).get("prior_rt")
    assert prior is not None and prior["at_site"]["value"], f"no previous RT at {site}: {prior}"
    assert prior.get("cord_bed2") == float(bed2), f"previous cord BED2 {prior.get('cord_bed2')}, not {bed2}"
    assert prior.get("interval_months") == float(months), f"interval {prior.get('interval_months')} months"


@then(parsers.re(rf"the previous dose at {SITE} is unknown"))
def _prior_dose_unknown(bdd: ScenarioContext, site: str) -> None:
    prior = bdd.lesion_state(site).get("prior_rt")
    assert prior is not None and prior["at_site"]["value"], f"no previous RT at {site}: {prior}"
    assert prior.get("dose_known") is False and "cord_bed2" not in prior, f"the dose was assumed: {prior}"


# ---- biologically effective dose -------------------------------------------------------------------


@given("the linear-quadratic model with an α/β of 10 Gy for tumour")
def _lq_model() -> None:
    """Nothing to build: the BED table is checked on the pure function."""


@then(parsers.re(r"(?P<dose>\d+(?:\.\d+)?) Gy in (?P<fractions>\d+) fractions? has a BED10 of "
                 r"(?P<bed>\d+(?:\.\d+)?) Gy(?P<nominal> \(nominal\))?\s*"))
def _bed10(bdd: ScenarioContext, dose: str, fractions: str, bed: str, nominal: str | None) -> None:
    d, n = float(dose), int(fractions)
    if bdd.evaluation is not None:  # read it off the recommended regimens
        regimens = [g for r in bdd.evaluation.recommendations for g in r.regimens
                    if g.dose_gy == d and g.fractions == n]
        assert regimens, f"no recommendation of this patient offers {dose} Gy in {fractions}"
        assert all(g.bed10 == float(bed) for g in regimens), f"BED10 {[g.bed10 for g in regimens]}, not {bed}"
        assert all(bool(g.bed10_nominal) == bool(nominal) for g in regimens), "nominal label wrong"
    else:
        assert round_bed(bed10(d, n)) == float(bed), f"BED10 {round_bed(bed10(d, n))}, not {bed}"
        assert is_nominal(d, n) == bool(nominal), f"{dose} Gy/{fractions}: nominal is {is_nominal(d, n)}"
