"""Numbers no quantity can have, and nesting no resource has (issue 11 item 5): the value is not
used, the resource says why, and the rest of the record is evaluated. ``1e20`` in one Observation
used to fail the whole evaluation (the rules engine cannot read exponent notation)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from fhir_mapping_helpers import AS_OF, LOINC, bundle, observation, patient

from cds.evaluation import evaluate_state
from cds.pipeline import clinical_state
from cds.rules_engine.loader import default_ruleset
from fhir_mappings.elements import integer, number
from fhir_mappings.mapper import map_record
from fhir_mappings.reader import read_bytes
from fhir_mappings.resources import MAX_DEPTH, parse_resource


def survival(value: Any) -> dict[str, Any]:
    return observation("s1", LOINC, "75327-7", valueQuantity={"value": value, "unit": "mo", "code": "mo",
                                                                  "system": "http://unitsofmeasure.org"})


@pytest.mark.parametrize("value", [1e20, 1e300, -1e20, 10**30, math.inf, math.nan])
def test_out_of_range_numbers_are_not_read(value: Any) -> None:
    assert number(value) is None and integer(value) is None
    parsed = parse_resource(survival(value))
    assert any("out of range" in w.message and "valueQuantity.value" in w.message for w in parsed.warnings)


def test_ordinary_numbers_are_read() -> None:
    assert number(999_999.5) == 999_999.5 and integer(12.0) == 12 and number(1e-300) == 1e-300
    assert not any("out of range" in w.message for w in parse_resource(survival(6)).warnings)


@pytest.mark.parametrize("literal", ["1e20", "1e300", "1e400", "NaN", "-Infinity", "1" + "0" * 40])
def test_a_file_with_such_a_number_is_evaluated(literal: str) -> None:
    raw = json.dumps(bundle(patient(), survival(6))).replace('"value": 6', f'"value": {literal}')
    (record,) = read_bytes(raw.encode(), "b.json")
    state = clinical_state(record, AS_OF)
    evaluation = evaluate_state(state, default_ruleset())  # no EngineError
    assert state.expected_survival_months is None
    assert any("out of range" in w.message for w in evaluation.warnings)
    assert map_record(record, AS_OF).patient_id


def test_a_field_nested_too_deeply_is_not_used() -> None:
    deep: dict[str, Any] = {"url": "http://x", "valueString": "leaf"}
    for _ in range(MAX_DEPTH * 8):
        deep = {"url": "http://x", "extension": [deep]}
    resource = survival(6) | {"extension": [deep]}
    parsed = parse_resource(resource)  # R4 validation would exceed Python's recursion limit
    assert "extension" not in parsed.data and parsed.data["valueQuantity"]["value"] == 6
    assert any("nested more than" in w.message for w in parsed.warnings)
