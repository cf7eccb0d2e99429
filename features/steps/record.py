"""Steps about what the record says: how much of it the EHR sent, how old its facts are, death,
and the Then steps for what the engine read from a silence ("confirm before acting").
"""

from __future__ import annotations

import re
from datetime import timedelta

from pytest_bdd import given, parsers, then

from steps.context import ScenarioContext
from steps.outcomes import SITE, _criterion, describe
from steps.vocabulary import wanted

_TYPES = re.compile(r"[A-Z][A-Za-z]+")


# ---- how much of the record the input covers ---------------------------------------------------------


@given("the record is a partial extract: what it does not hold is unknown")
def _partial(bdd: ScenarioContext) -> None:
    bdd.spec().coverage = frozenset()


@given(parsers.re(r"the EHR sent only its (?P<types>.+?) resources"))
def _sent_only(bdd: ScenarioContext, types: str) -> None:
    bdd.spec().coverage = frozenset(_TYPES.findall(types))


# ---- dated facts and death -----------------------------------------------------------------------


@given(parsers.re(r"an ECOG of (?P<score>\d) recorded (?P<days>\d+) days ago"))
def _ecog_dated(bdd: ScenarioContext, score: str, days: str) -> None:
    bdd.spec().set("ecog", lambda b: b.ecog(int(score), when=timedelta(days=int(days))))


@given(parsers.re(rf"a pain score of (?P<score>\d+)/10 at {SITE} recorded (?P<days>\d+) days ago"))
def _pain_dated(bdd: ScenarioContext, score: str, site: str, days: str) -> None:
    bdd.spec().at(site, "pain", lambda b, les: b.pain(les, int(score), when=timedelta(days=int(days))))


@given(parsers.re(r"the patient died on (?P<day>\d{4}-\d{2}-\d{2})"))
def _died_on(bdd: ScenarioContext, day: str) -> None:
    bdd.spec().set("deceased", lambda b: b.patient.update({"deceasedDateTime": day}))


@given("the record says the patient has died, without a date")
def _died(bdd: ScenarioContext) -> None:
    bdd.spec().set("deceased", lambda b: b.patient.update({"deceasedBoolean": True}))


# ---- what was read from a silence ------------------------------------------------------------------


@then(parsers.re(rf"the (?P<phrase>SIB-IMRT|SBRT|decompressive surgery) criterion \"(?P<criterion>[\w-]+)\" is "
                 rf"met because it is not recorded at {SITE}"))
def _met_not_recorded(bdd: ScenarioContext, phrase: str, criterion: str, site: str) -> None:
    result = _criterion(bdd, phrase, site, criterion)
    assert result.status == "met" and result.basis == "not-recorded", (
        f"{criterion} is {result.status} ({result.basis}): {result.detail}")


@then(parsers.re(rf"the (?P<phrase>SIB-IMRT|SBRT|decompressive surgery) criterion \"(?P<criterion>[\w-]+)\" is "
                 rf"(?P<status>met|not-met) as documented at {SITE}"))
def _documented(bdd: ScenarioContext, phrase: str, criterion: str, status: str, site: str) -> None:
    result = _criterion(bdd, phrase, site, criterion)
    assert result.status == status and result.basis in ("documented", "derived"), (
        f"{criterion} is {result.status} ({result.basis}): {result.detail}")


@then(parsers.re(r"the evaluation asks to confirm \"(?P<text>.+)\""))
def _asks_to_confirm(bdd: ScenarioContext, text: str) -> None:
    listed = [a.confirm for a in bdd.result().assumptions]
    assert any(text.lower() in c.lower() for c in listed), f"not asked to confirm {text!r}: {listed}"


@then(parsers.re(r"the evaluation does not ask to confirm \"(?P<text>.+)\""))
def _does_not_ask(bdd: ScenarioContext, text: str) -> None:
    listed = [a.confirm for a in bdd.result().assumptions]
    assert not any(text.lower() in c.lower() for c in listed), f"asked to confirm {text!r}: {listed}"


@then("the evaluation asks to confirm nothing")
def _asks_nothing(bdd: ScenarioContext) -> None:
    listed = [a.confirm for a in bdd.result().assumptions]
    assert not listed, f"asked to confirm: {listed}"


@then(parsers.re(rf"the lesion at {SITE} gets (?:an? )?(?P<what>.+?) asking to confirm \"(?P<text>.+)\""))
def _gets_with_confirm(bdd: ScenarioContext, site: str, what: str, text: str) -> None:
    want = wanted(what)
    recs = bdd.recommendations(site)
    found = [r for r in recs if want.matches(r.code, r.reason)]
    assert found, f"{site}: expected {want.phrase}; got {describe(recs)}"
    assert any(text.lower() in c.lower() for r in found for c in r.confirm), (
        f"{site}: {want.phrase} asks to confirm {[c for r in found for c in r.confirm]}, not {text!r}")
    bdd.assert_recommendation(found[0])


# ---- stale facts and death --------------------------------------------------------------------------


@then(parsers.re(r"\"(?P<fact>[\w-]+)\" is a stale data gap(?: for (?P<site>.+?))? saying \"(?P<text>.+)\""))
def _stale_gap(bdd: ScenarioContext, fact: str, site: str | None, text: str) -> None:
    result = bdd.result()
    lesion = bdd.lesion_id(site) if site else None
    gaps = [g for g in result.data_gaps if g.fact == fact and (site is None or g.lesion == lesion)]
    listing = "; ".join(f"{g.fact} {g.status}: {g.message}" for g in result.data_gaps) or "none"
    assert gaps, f"{fact} is not a data gap; gaps: {listing}"
    assert any(g.status == "stale" and text in g.message for g in gaps), f"{fact}: {listing}"
    bdd.exercised.data_gaps[fact] = None


@then("the patient gets no treatment recommendation")
def _no_treatment(bdd: ScenarioContext) -> None:
    recs = bdd.result().recommendations
    assert not recs, f"expected no recommendation; got {describe(recs)}"


@then(parsers.re(r"every verdict at (?P<site>.+?) is \"ineligible\" because the patient died"))
def _verdicts_deceased(bdd: ScenarioContext, site: str) -> None:
    lesion = bdd.result().lesion(bdd.lesion_id(site))
    for name, verdict in lesion.eligibility.items():
        assert verdict.status == "ineligible", f"{name} is {verdict.status}"
        assert [c.id for c in verdict.criteria] == ["patient-alive"], f"{name}: {verdict.criteria}"


@then(parsers.re(r"the patient's age is (?P<age>\d+)"))
def _age_is(bdd: ScenarioContext, age: str) -> None:
    assert bdd.result().patient.age == int(age), f"age {bdd.result().patient.age}, not {age}"
