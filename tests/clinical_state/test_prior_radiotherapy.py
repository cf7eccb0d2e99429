"""Previous radiotherapy at a lesion's site and the cord dose it leaves room for."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cds.prior_radiotherapy import course_overlaps, prior_rt_at_site
from cds.state import LesionState, RadiotherapyCourse, documented

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
T8 = LesionState(id="Condition/t8", site="T8", region="spine", levels=("T8",))
HIP = LesionState(id="Condition/hip", site="right acetabulum", region="pelvis", bone="right acetabulum")


def course(**kwargs: object) -> RadiotherapyCourse:
    return RadiotherapyCourse(id="Procedure/rt", sources=("Procedure/rt",), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("rt", "lesion", "expected"), [
    (course(levels=("T7", "T8"), site="T7–T8"), T8, True),
    (course(levels=("T10",), site="T10"), T8, False),
    (course(site="lumbar spine"), LesionState(id="c", site="L3", region="spine", levels=("L3",)), True),
    (course(bones=("right acetabulum",), site="right acetabulum"), HIP, True),
    (course(bones=("acetabulum",), site="acetabulum"), HIP, True),  # side not recorded: may overlap
    (course(bones=("left acetabulum",), site="left acetabulum"), HIP, False),
    (course(), T8, None),  # the site of the course is not recorded
    (course(levels=("T8",), site="T8"), LesionState(id="c"), None),  # the lesion's site is not recorded
])
def test_overlap(rt: RadiotherapyCourse, lesion: LesionState, expected: bool | None) -> None:
    assert course_overlaps(rt, lesion) is expected


def test_known_dose_gives_cord_bed2_and_interval() -> None:
    rt = course(levels=("T8",), site="T8", total_dose_gy=20.0, fractions=5, performed=date(2025, 3, 1))
    prior = prior_rt_at_site(T8, [rt], AS_OF, None)
    assert prior is not None and prior.at_site.value is True and prior.at_site.origin == "derived"
    assert prior.cord_bed2 == 60.0 and prior.cord_eqd2 == 30.0
    assert prior.interval_months == pytest.approx(20.6, abs=0.1)


def test_unknown_dose_is_not_assumed() -> None:
    prior = prior_rt_at_site(T8, [course(levels=("T8",), site="T8")], AS_OF, None)
    assert prior is not None and prior.dose_known is False and prior.cord_bed2 is None


def test_sbrt_prescription_does_not_give_the_cord_dose() -> None:
    rt = course(levels=("T8",), site="T8", total_dose_gy=24.0, fractions=2, stereotactic=True)
    prior = prior_rt_at_site(T8, [rt], AS_OF, None)
    assert prior is not None and prior.dose_known and prior.cord_bed2 is None


def test_absence_needs_documentation() -> None:
    assert prior_rt_at_site(T8, [], AS_OF, None) is None
    none_documented = documented(False, "Observation/no-rt")
    prior = prior_rt_at_site(T8, [], AS_OF, none_documented)
    assert prior is not None and prior.at_site.value is False and prior.at_site.origin == "derived"
    # a course elsewhere whose site is unknown keeps the answer unknown
    assert prior_rt_at_site(T8, [course()], AS_OF, None) is None
