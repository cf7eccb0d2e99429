"""The orchestration never raises on clinical content: a failing step becomes a warning."""

from __future__ import annotations

from typing import Any

import pytest
from fhir_mapping_helpers import LOINC, T8, bone_met, has_warning, observation, state_of

from cds.state import documented
from fhir_mappings import mapper


def test_a_failing_step_is_reported_and_the_rest_is_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: Any) -> dict[str, Any]:
        raise KeyError("boom")

    monkeypatch.setattr(mapper, "map_receptors", broken)
    state = state_of(bone_met("met1", T8), observation("e", LOINC, "89247-1", valueInteger=2))
    assert state.ecog is not None and len(state.lesions) == 1
    assert has_warning(state, "internal mapping error in receptors", "KeyError")


def test_a_value_the_state_rejects_costs_only_that_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapper, "map_patient_facts", lambda ctx: {"disease_status": documented("sideways")})
    state = state_of(observation("e", LOINC, "89247-1", valueInteger=2))
    assert state.disease_status is None and state.ecog is not None
    assert has_warning(state, "disease_status could not be stored")


def test_naive_as_of_is_utc_and_state_has_sources() -> None:
    from datetime import datetime

    state = state_of(bone_met("met1", T8), as_of=datetime(2025, 1, 1))
    assert state.as_of.tzinfo is not None
    assert "Condition/met1" in state.sources and "Patient/p1" in state.sources
