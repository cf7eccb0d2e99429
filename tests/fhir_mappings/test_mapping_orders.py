"""Draft radiotherapy orders (CDS Hooks draftOrders): regimen from extension, quantity, or text."""

from __future__ import annotations

from typing import Any

import pytest
from fhir_mapping_helpers import L2, SNOMED, T8, T9, UCUM, bundle, cc, ref

from fhir_mappings.orders import parse_draft_orders, parse_regimen_text

PLANNED = ("http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/"
           "codexrt-radiotherapy-dose-planned-to-volume")


def order(oid: str, *, code: str = "1287742003", sites: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "ServiceRequest", "id": oid, "status": "draft", "intent": "order",
                           "subject": ref("Patient/p1"), "code": cc(SNOMED, code), **extra}
    if sites:
        out["bodySite"] = [cc(SNOMED, *sites)]
    return out


def planned(cgy: float, fractions: int) -> dict[str, Any]:
    return {"url": PLANNED, "extension": [
        {"url": "totalDose", "valueQuantity": {"value": cgy, "system": UCUM, "code": "cGy"}},
        {"url": "fractions", "valueUnsignedInt": fractions}]}


def test_regimen_from_codex_extension_preferred() -> None:
    (parsed,) = parse_draft_orders(bundle(order("o1", sites=[T8, T9], extension=[planned(2000, 5)],
                                                note=[{"text": "8 Gy x 1"}])))
    assert (parsed.dose_gy, parsed.fractions, parsed.regimen_source) == (20.0, 5, "extension")
    assert (parsed.site, parsed.levels, parsed.reference, parsed.id) == ("T8–T9", ("T8", "T9"),
                                                                          "ServiceRequest/o1", "o1")


def test_regimen_from_quantity_and_timing() -> None:
    quantity = order("q", sites=[L2], quantityQuantity={"value": 30, "system": UCUM, "code": "Gy"},
                     occurrenceTiming={"repeat": {"count": 10}})
    (parsed,) = parse_draft_orders(bundle(quantity))
    assert (parsed.dose_gy, parsed.fractions, parsed.regimen_source) == (30.0, 10, "quantity")


@pytest.mark.parametrize(("text", "dose", "fractions"), [
    ("8 Gy x 1", 8.0, 1),
    ("20 Gy in 5 fractions", 20.0, 5),
    ("24Gy/2fx", 24.0, 2),
    ("30 Gy/10", 30.0, 10),
    ("5 x 4 Gy", 20.0, 5),
    ("800 cGy single fraction", 8.0, 1),
    ("4 Gy × 5", 20.0, 5),
])
def test_regimen_from_text(text: str, dose: float, fractions: int) -> None:
    assert parse_regimen_text(text)[:2] == (dose, fractions)
    (parsed,) = parse_draft_orders(bundle(order("t", sites=[T8], note=[{"text": f"Palliative RT {text}"}])))
    assert (parsed.dose_gy, parsed.fractions, parsed.regimen_source) == (dose, fractions, "text")
    assert any("parsed from text" in w for w in parsed.warnings)


def test_regimen_from_order_detail_text() -> None:
    (parsed,) = parse_draft_orders(bundle(order("t", orderDetail=[{"text": "20 Gy in 5 fractions"}])))
    assert (parsed.dose_gy, parsed.fractions, parsed.regimen_source) == (20.0, 5, "text")
    assert any("no bodySite" in w for w in parsed.warnings)


def test_no_regimen_at_all() -> None:
    (parsed,) = parse_draft_orders(bundle(order("t", sites=[T8])))
    assert parsed.dose_gy is None and parsed.regimen_source is None
    assert any("regimen incomplete" in w for w in parsed.warnings)


@pytest.mark.parametrize(("kwargs", "technique"), [
    ({"code": "395096001"}, "sbrt"),
    ({"note": [{"text": "SABR 24 Gy/2fx"}]}, "sbrt"),
    ({"note": [{"text": "stereotactic 27 Gy in 3 fractions"}]}, "sbrt"),
    ({"note": [{"text": "IMRT with SIB 30 Gy/10"}]}, "sib-imrt"),
    ({"note": [{"text": "simultaneous integrated boost"}]}, "sib-imrt"),
    ({"note": [{"text": "conventional 8 Gy x 1"}]}, "conventional"),
    ({"note": [{"text": "8 Gy x 1"}]}, None),
])
def test_technique(kwargs: dict[str, Any], technique: str | None) -> None:
    (parsed,) = parse_draft_orders(bundle(order("t", sites=[T8], **kwargs)))
    assert parsed.technique == technique


def test_only_radiotherapy_requests_and_the_sandbox_malformed_request() -> None:
    sandbox = {"resourceType": "ServiceRequest", "id": "sandbox", "status": "draft", "intent": "order",
               "subject": ref("Patient/p1"), "code": {"coding": [{}]}, "reasonCode": []}
    lab = order("lab", code="26604007")
    medication = {"resourceType": "MedicationRequest", "id": "m", "status": "draft", "intent": "order",
                  "subject": ref("Patient/p1"), "medicationCodeableConcept": {"text": "x"}}
    rt = order("rt", sites=[T8], note=[{"text": "8 Gy x 1"}])
    orders = parse_draft_orders(bundle(sandbox, lab, medication, rt))
    assert [o.id for o in orders] == ["rt"]


def test_selections_filter() -> None:
    orders = parse_draft_orders(bundle(order("a", sites=[T8]), order("b", sites=[L2])),
                                selections=["ServiceRequest/b"])
    assert [o.id for o in orders] == ["b"]


def test_single_service_request_and_invalid_one() -> None:
    bad = order("bad", sites=[T8], note=[{"text": "8 Gy x 1"}], quantityQuantity={"value": "lots"})
    (parsed,) = parse_draft_orders(bad)
    assert parsed.dose_gy == 8.0 and any("quantityQuantity" in w for w in parsed.warnings)
    assert parse_draft_orders({"resourceType": "Bundle", "type": "collection"}) == []
