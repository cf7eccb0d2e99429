"""The flat fact record the rules read: typed, unknown = absent, ranges, provenance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from cds.derived_facts import derive
from cds.lesion_facts import lesion_facts
from cds.state import LesionState, PatientState, derived, documented

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def facts_for(lesion: LesionState, **kwargs: object) -> object:
    state = derive(PatientState(patient_id="p", as_of=AS_OF, lesions=(lesion,), **kwargs))  # type: ignore[arg-type]
    return lesion_facts(state, state.lesions[0])


def test_unknown_facts_are_absent_never_none_or_false() -> None:
    facts = facts_for(LesionState(id="c"))
    assert all(value is not None for value in facts.values.values())  # type: ignore[attr-defined]
    assert "ecog" not in facts.values and "region" not in facts.values  # type: ignore[attr-defined]


def test_ranges_are_stored_as_bounds_and_read_back() -> None:
    lesion = LesionState(id="c", site="T8", region="spine", levels=("T8",),
                         sins_components={"pain": documented("pain-free", "O/s")})
    facts = facts_for(lesion, metastatic_lesion_count=derived(7, "lower bound", inputs={"lower_bound": True}))
    values = facts.values  # type: ignore[attr-defined]
    assert values["sins_min"] < values["sins_max"] and "sins_band" not in values
    assert values["metastatic_lesion_count_min"] == 7 and "metastatic_lesion_count_max" not in values
    assert facts.value("sins") == (values["sins_min"], values["sins_max"])  # type: ignore[attr-defined]


def test_provenance_follows_each_fact() -> None:
    facts = facts_for(LesionState(id="c"), kps=documented(60, "Observation/kps"))
    prov = facts.provenance  # type: ignore[attr-defined]
    assert prov["ecog"].origin == "derived" and prov["ecog"].sources == ("Observation/kps",)
    assert facts.values["ecog_derived"] is True and facts.values["kps_60_or_less"] is True  # type: ignore[attr-defined]


def test_escc_is_not_applicable_outside_the_spine() -> None:
    rib = LesionState(id="c", site="right rib", region="rib", bone="right rib")
    assert facts_for(rib).values["escc_high_grade"] is False  # type: ignore[attr-defined]


def test_floats_have_one_precision_for_engine_and_oracle() -> None:
    facts = facts_for(LesionState(id="c", size_cm=documented(3.14159265, "O/s")))
    assert facts.values["size_cm"] == 3.142  # type: ignore[attr-defined]


def test_values_are_strictly_typed() -> None:
    state = PatientState(patient_id="p", as_of=AS_OF, lesions=(LesionState(id="c"),))
    with pytest.raises(ValidationError):
        lesion_facts(state, state.lesions[0], {"eligibility_sbrt": "maybe"})
