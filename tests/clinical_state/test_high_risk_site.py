"""Gillespie high-risk sites: any criterion met suffices; unknown only when nothing is met."""

from __future__ import annotations

from cds.high_risk_site import is_high_risk_site
from cds.state import LesionState, documented


def test_hip_is_high_risk() -> None:
    neck = LesionState(id="c", site="left femoral neck", region="long-bone", bone="left femoral neck")
    assert is_high_risk_site(neck) is True


def test_junctional_spine_is_high_risk() -> None:
    assert is_high_risk_site(LesionState(id="c", site="L5–S1", region="spine", levels=("L5", "S1"))) is True


def test_small_rib_lesion_is_not_high_risk_when_every_criterion_is_known() -> None:
    rib = LesionState(id="c", site="right rib", region="rib", bone="right rib", size_cm=documented(1.5, "O/s"))
    assert is_high_risk_site(rib) is False


def test_unknown_size_leaves_a_rib_lesion_unknown() -> None:
    assert is_high_risk_site(LesionState(id="c", site="right rib", region="rib", bone="right rib")) is None


def test_mid_thoracic_lesion_needs_posterior_elements_and_size() -> None:
    t7 = LesionState(id="c", site="T7", region="spine", levels=("T7",), size_cm=documented(1.0, "O/s"))
    assert is_high_risk_site(t7) is None
    known = t7.model_copy(update={"posterior_elements": documented(False, "O/p")})
    assert is_high_risk_site(known) is False
    assert is_high_risk_site(t7.model_copy(update={"posterior_elements": documented(True, "O/p")})) is True
