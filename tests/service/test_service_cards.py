"""Cards are a view of the Evaluation: indicator rules, summary length, Markdown detail, source,
suggestions with complete draft orders, coded override reasons, report links — and the structural
SHALLs of CDS Hooks for every card the service can produce (all examples, patient-view and order checks)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
from service_helpers import AS_OF_DT, assert_no_empty, full_prefetch

from cds.output import (
    Citation,
    DataGap,
    Evaluation,
    Lesion,
    PatientSummary,
    Recommendation,
    RegimenOut,
    RulesetInfo,
)
from cds.service.cards import (
    OVERRIDE_REASON_SYSTEM,
    BuiltCard,
    CardSettings,
    clip,
    indicator_for,
    lesion_card,
    patient_view_cards,
    prune,
)
from cds.service.evaluator import Evaluator
from cds.service.orders import order_cards
from cds.synthetic.builder import PatientBuilder
from cds.synthetic.examples import EXAMPLES
from fhir_mappings.orders import parse_draft_orders

SETTINGS = CardSettings(base_url="https://cds.example.org", report_url="https://cds.example.org/reports/abc?x=1",
                        ruleset_version="test")


@cache
def evaluations() -> dict[str, tuple[PatientBuilder, Any]]:
    evaluator = Evaluator(0, AS_OF_DT)
    out = {}
    for ex in EXAMPLES:
        builder = ex.build(AS_OF_DT.date())
        out[ex.file] = (builder, evaluator.evaluate(full_prefetch(builder), builder.patient_id))
    return out


def all_cards() -> list[BuiltCard]:
    """Every card kind: patient-view cards of all examples and order-check cards for orders of
    8 Gy × 1, 16 Gy × 1 SBRT, 20 Gy / 5 and 35/20 Gy SIB-IMRT at each lesion."""
    cards: list[BuiltCard] = []
    for builder, result in evaluations().values():
        cards += patient_view_cards(result.evaluation, SETTINGS, result.body_sites)
        drafts = []
        for n, lesion in enumerate(result.evaluation.lesions):
            if lesion.site == "unspecified":
                continue
            site = lesion.levels or lesion.site
            drafts += [builder.draft_service_request(site, dose_gy=8, fractions=1, id=f"o{n}a"),
                       builder.draft_service_request(site, dose_gy=16, fractions=1, technique="sbrt", id=f"o{n}b"),
                       builder.draft_service_request(site, dose_gy=20, fractions=5, id=f"o{n}c"),
                       builder.draft_service_request(site, dose_gy=35, fractions=5, technique="sib-imrt",
                                                     elective_dose_gy=20, id=f"o{n}d")]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": d} for d in drafts]}
        resources = {f"ServiceRequest/{d['id']}": d for d in drafts}
        cards += order_cards(result.evaluation, parse_draft_orders(bundle), resources, SETTINGS)
    return cards


def test_every_card_is_well_formed__req_3_80_83_85_87_88_89_90_105_107_111_115_220() -> None:
    cards = all_cards()
    assert len(cards) > 60
    uuids = [c.card["uuid"] for c in cards]
    assert len(set(uuids)) == len(uuids) and all(isinstance(u, str) for u in uuids)
    for built in cards:
        card = built.card
        assert_no_empty(card)
        assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert isinstance(card["detail"], str) and card["detail"]  # Markdown
        if built.codes:  # a card with a recommendation cites its evidence
            assert "\n" in card["detail"] and re.search(r"\[[^\]]+\]\(https?://[^)\s]+\)", card["detail"])
        source = card["source"]
        assert isinstance(source["label"], str) and "ruleset" in source["label"]
        assert urlsplit(source["url"]).scheme == "https" and urlsplit(source["url"]).netloc
        assert "icon" not in source or urlsplit(source["icon"]).scheme in ("http", "https")
        topic = source["topic"]
        assert isinstance(topic["system"], str) and isinstance(topic["code"], str)


def test_suggestions_are_well_formed__req_92_93_95_96_117_119_121_124_125_127_128_130_131_132_133_134_135() -> None:
    cards = [c.card for c in all_cards() if "suggestions" in c.card]
    assert cards
    kinds = set()
    for card in cards:
        assert card["selectionBehavior"] == "at-most-one"
        assert isinstance(card["suggestions"], list)
        assert sum(1 for s in card["suggestions"] if s["isRecommended"]) <= 1
        for suggestion in card["suggestions"]:
            assert isinstance(suggestion["label"], str) and isinstance(suggestion["uuid"], str)
            assert isinstance(suggestion["isRecommended"], bool)
            # one action per suggestion: choosing it does exactly that (AND semantics trivially hold)
            assert isinstance(suggestion["actions"], list) and len(suggestion["actions"]) == 1
            for action in suggestion["actions"]:
                assert action["type"] in ("create", "update")  # the service never suggests a delete
                assert "resourceId" not in action
                assert isinstance(action["description"], str)
                resource = action["resource"]
                assert resource["resourceType"] == "ServiceRequest" and resource["status"] == "draft"
                kinds.add(action["type"])
                if action["type"] == "update":
                    assert resource["id"]  # the whole resource, with its identity, not a patch
    assert kinds == {"create", "update"}


def test_override_reasons_are_codings_with_display__req_98_100_136_216_217_218_219() -> None:
    for built in all_cards():
        reasons = built.card["overrideReasons"]
        assert isinstance(reasons, list) and reasons
        for coding in reasons:
            assert coding["system"] == OVERRIDE_REASON_SYSTEM
            assert isinstance(coding["code"], str) and isinstance(coding["display"], str) and coding["display"]


def test_links_are_absolute_report_links__req_103_138_139_141_142_144_147() -> None:
    for built in all_cards():
        links = built.card["links"]
        assert isinstance(links, list)
        for link in links:
            assert isinstance(link["label"], str) and link["type"] in ("absolute", "smart")
            assert urlsplit(link["url"]).scheme in ("http", "https")
            assert link["type"] == "absolute" and "appContext" not in link  # no SMART links are sent


def test_no_cds_hooks_extension_elements__req_214() -> None:
    # The only 'extension' elements are FHIR extensions inside suggested ServiceRequests.
    from service_helpers import walk

    for built in all_cards():
        for path, _ in walk(built.card):
            if path.endswith(".extension"):
                assert ".resource." in path


def test_indicator_rules() -> None:
    results = evaluations()
    ev01 = results["01-mescc-surgical-candidate.json"][1].evaluation
    lesion = ev01.lesions[0]
    assert indicator_for(ev01, lesion.id, ev01.recommendations_for(lesion.id)) == "critical"
    ev13 = results["13-myeloma-mescc-radiosensitive.json"][1].evaluation  # cord compression, no referral
    assert indicator_for(ev13, ev13.lesions[0].id, ev13.recommendations_for(ev13.lesions[0].id)) == "critical"
    ev09 = results["09-renal-radioresistant-spine.json"][1].evaluation
    l2 = next(les for les in ev09.lesions if les.site == "L2")
    assert any(r.code == "avoid" for r in ev09.recommendations_for(l2.id))
    assert indicator_for(ev09, l2.id, ev09.recommendations_for(l2.id)) == "warning"
    ev04 = results["04-uncomplicated-painful-lesion.json"][1].evaluation
    assert indicator_for(ev04, ev04.lesions[0].id, ev04.recommendations_for(ev04.lesions[0].id)) == "info"


def test_detail_is_short_recommendation_why_confirm_and_top_citation() -> None:
    result = evaluations()["05-oligometastatic-breast-sib-imrt.json"][1]
    cards = patient_view_cards(result.evaluation, SETTINGS, result.body_sites)
    detail = cards[0].card["detail"]
    # SC24's randomised evidence outranks Marazzi's retrospective series: SBRT first, SIB-IMRT the other option
    assert detail.startswith("**SBRT 24 Gy in 2 fractions to L3") and "- Why: " in detail and "BED10 52.8 Gy" in detail
    assert "pubmed.ncbi.nlm.nih.gov/34126044" in detail  # SC24, the top citation
    assert "✘ Avoid 16–18 Gy × 1 SBRT" in detail  # what not to do, never headed by its priority
    # eligibility tables and the report link stay out of the detail (the link is the card's link, once)
    assert "#### Eligibility" not in detail and "Full evaluation report" not in detail
    for built in all_cards():
        if built.card["source"]["topic"]["code"] != "order-check":
            assert len(built.card["detail"]) <= 1000, built.card["summary"]
            assert SETTINGS.report_url not in built.card["detail"]
            assert [link["url"] for link in built.card["links"]] == [SETTINGS.report_url]
    missing = evaluations()["10-most-data-missing.json"][1]
    cards = patient_view_cards(missing.evaluation, SETTINGS, missing.body_sites)
    assert cards[0].card["summary"].startswith("Site not documented: no recommendation yet")
    assert all(not c.card["summary"].startswith("unspecified") for c in cards)
    assert cards[-1].lesion is None and cards[-1].card["summary"].startswith("Missing patient data")


def with_new_fields(evaluation: Evaluation) -> Evaluation:
    """Example 01 with the contract's newer fields filled in by hand: urgent timing, what to confirm,
    a stale patient-level gap."""
    recs = tuple(r.model_copy(update={"timing": "within 24 h", "confirm": ("no radiotherapy to T8 elsewhere",)})
                 if r.priority == "urgent" else r for r in evaluation.recommendations)
    gap = DataGap(fact="performance-status", needed_for=("sbrt",), message="Document ECOG performance status",
                  status="stale", last_documented="2023-02-01")
    return evaluation.model_copy(update={"recommendations": recs, "data_gaps": (*evaluation.data_gaps, gap)})


def test_new_contract_fields_in_cards() -> None:
    evaluation = with_new_fields(evaluations()["01-mescc-surgical-candidate.json"][1].evaluation)
    cards = patient_view_cards(evaluation, SETTINGS)
    urgent = cards[0].card
    assert urgent["indicator"] == "critical" and urgent["summary"].endswith("— within 24 h")
    assert "· urgent · **within 24 h**" in urgent["detail"]
    (confirm,) = [line for line in urgent["detail"].splitlines() if line.startswith("- **Confirm before acting:**")]
    assert "no radiotherapy to T8 elsewhere" in confirm
    avoid_lines = [line for line in urgent["detail"].splitlines() if line.startswith("- ✘")]
    assert avoid_lines and all("preferred" not in line.lower() for line in avoid_lines)
    assert "re-assess (last documented 2023-02-01)" in cards[-1].card["detail"]


def test_deceased_patient_gets_one_information_card_and_no_treatment() -> None:
    evaluation = evaluations()["04-uncomplicated-painful-lesion.json"][1].evaluation
    dead = evaluation.model_copy(update={"patient": PatientSummary(id=evaluation.patient.id, deceased=True,
                                                                   deceased_date="2026-10-01")})
    # even were a recommendation left in the evaluation, no card offers it
    assert dead.recommendations
    (card,) = patient_view_cards(dead, SETTINGS)
    assert card.card["indicator"] == "info" and "suggestions" not in card.card and not card.codes
    assert card.card["summary"].startswith("Recorded as deceased on 2026-10-01")


def test_suggested_orders_round_trip_through_the_order_reader() -> None:
    """A suggested draft order, read back by the mapper, has the regimen, technique and site it names."""
    for builder, result in evaluations().values():
        for built in patient_view_cards(result.evaluation, SETTINGS, result.body_sites):
            for suggestion in built.card.get("suggestions", []):
                resource = suggestion["actions"][0]["resource"]
                assert resource["subject"] == {"reference": f"Patient/{builder.patient_id}"}
                assert resource["reasonReference"][0]["reference"] == built.lesion
                (order,) = parse_draft_orders(resource)
                dose, fractions = built.suggestions[suggestion["uuid"]]["regimen"]
                assert (order.dose_gy, order.fractions, order.regimen_source) == (dose, fractions, "extension")
                code = built.suggestions[suggestion["uuid"]]["code"]
                assert order.technique == {"sbrt": "sbrt", "sib-imrt": "sib-imrt"}.get(code, order.technique)
                assert order.site is not None
                lesion = result.evaluation.lesion(built.lesion)
                assert set(order.levels) == set(lesion.levels)


def test_preferred_suggestion_is_recommended() -> None:
    result = evaluations()["04-uncomplicated-painful-lesion.json"][1]
    (card, *_) = patient_view_cards(result.evaluation, SETTINGS, result.body_sites)
    recommended = [s for s in card.card["suggestions"] if s["isRecommended"]]
    assert len(recommended) == 1 and "8 Gy in 1 fraction" in recommended[0]["label"]


Priority = Literal["urgent", "preferred", "alternative"]


def _avoid(lesion: str, priority: Priority) -> Recommendation:
    return Recommendation(
        code="avoid", reason="8 Gy × 1 for cord compression with expected survival over 6 months", lesion=lesion,
        priority=priority, summary="Avoid 8 Gy × 1 at L3: expected survival over 6 months",
        rationale="A single fraction only for very limited life expectancy.",
        regimens=(RegimenOut(dose_gy=8, fractions=1, bed10=14.4, role="avoid"),),
        rules=("mescc.avoid-single-fraction",), citations=(Citation(key="rades2016", label="Rades 2016"),),
        evidence_status="reviewed")


def _lesion_only_avoid(priority: Priority) -> tuple[Evaluation, Lesion]:
    lesion = Lesion(id="Condition/l3", site="L3", region="spine", levels=("L3",), eligibility={})
    evaluation = Evaluation(
        patient=PatientSummary(id="pt"), evaluated_at="2026-11-20T00:00:00Z",
        ruleset=RulesetInfo(version="test", sha256="0" * 64), state={}, lesions=(lesion,),
        recommendations=(_avoid(lesion.id, priority),), data_gaps=(), warnings=())
    return evaluation, lesion


@pytest.mark.parametrize("priority", ["urgent", "preferred", "alternative"])
def test_an_avoid_item_is_never_labelled_with_its_priority_nor_offered_as_an_order(priority: Priority) -> None:
    evaluation, lesion = _lesion_only_avoid(priority)
    built = lesion_card(evaluation, lesion, SETTINGS, {})
    card = built.card
    assert "suggestions" not in card  # nothing to order from what not to do
    assert card["indicator"] == "warning"
    assert priority not in card["summary"].lower() and priority not in card["detail"].lower()
    assert "✘ Avoid 8 Gy × 1 at L3" in card["detail"]
    assert card["detail"].startswith("No radiotherapy or surgery is recommended for this lesion now")


def test_an_avoid_item_beside_a_recommendation_stays_out_of_the_also_lines() -> None:
    evaluation = evaluations()["09-renal-radioresistant-spine.json"][1].evaluation
    l2 = next(les for les in evaluation.lesions if les.site == "L2")
    detail = lesion_card(evaluation, l2, SETTINGS, {}).card["detail"]
    avoid = [r for r in evaluation.recommendations_for(l2.id) if r.code == "avoid"]
    assert avoid
    for line in detail.splitlines():
        if any(r.summary[:40] in line for r in avoid):
            assert line.startswith("- ✘ ") and not re.search(r"urgent|preferred|alternative", line), line


@pytest.mark.parametrize("text", ["short", "x" * 139, "word " * 60, "é" * 300])
def test_clip_keeps_summaries_under_140(text: str) -> None:
    out = clip(text)
    assert len(out) < 140 and out


def test_prune_removes_empty_values__req_3() -> None:
    assert prune({"a": None, "b": "", "c": [], "d": {}, "e": [None, {"f": ""}], "g": 0, "h": False}) == {
        "g": 0, "h": False}


def test_cards_come_from_the_evaluation_only() -> None:
    """Rebuilding the Evaluation from its JSON (the stored contract) gives the same cards."""
    result = evaluations()["12-multiple-lesions-different-treatments.json"][1]
    again = Evaluation.model_validate(result.evaluation.to_dict())

    def strip(cards: list[BuiltCard]) -> list[Any]:
        return [(c.card["summary"], c.card["indicator"], c.card["detail"], c.rule_ids) for c in cards]

    assert strip(patient_view_cards(result.evaluation, SETTINGS)) == strip(patient_view_cards(again, SETTINGS))
