"""Previous radiotherapy at a lesion's site, and the spinal-cord dose it leaves room for.

"At the site" means any overlap of vertebral level or bone (contract/fhir-input.md); in the spine a
course to the vertebra next to the lesion counts too (ADJACENT_LEVELS), because fields overlap at
their edges and the cord runs through both: a course to L4 matters for L3. A course
whose site is not recorded may or may not overlap, so it makes the answer unknown unless another
course overlaps for certain. An unknown dose is a data gap for the re-irradiation checks,
never an assumption of none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from cds import anatomy
from cds.scores.bed import bed2, eqd2
from cds.state import Fact, LesionState, PriorRadiotherapyAtSite, RadiotherapyCourse, derived

NIEDER_CUMULATIVE_BED2_GY = 135.5  # Nieder 2006: cumulative cord BED2 ≤ 135.5 Gy, ≥ 6 months apart
SAHGAL_CUMULATIVE_EQD2_GY = 70.0  # Sahgal 2012: cumulative cord EQD2 ≤ ~70 Gy for SBRT re-irradiation

ADJACENT_LEVELS = 1
"""A spinal course this many vertebrae above or below the lesion counts as at the site (the field
edge and the cord dose overlap; conservative: its whole cord dose is counted)."""

Overlap = bool | None


def course_adjacent(course: RadiotherapyCourse, lesion: LesionState) -> bool:
    """A spinal course to a vertebra within ADJACENT_LEVELS of the lesion's levels (not overlapping them)."""
    if lesion.region != "spine" or not lesion.levels or not course.levels:
        return False
    if set(lesion.levels) & set(course.levels):
        return False
    ours = [anatomy.level_index(level) for level in lesion.levels]
    theirs = [anatomy.level_index(level) for level in course.levels]
    return min(abs(a - b) for a in ours for b in theirs) <= ADJACENT_LEVELS


def course_overlaps(course: RadiotherapyCourse, lesion: LesionState) -> Overlap:
    """True / False / None (cannot tell: one of the sites is not recorded)."""
    if lesion.region == "unspecified" or not (course.levels or course.bones or course.site):
        return None
    if lesion.levels and course.levels:
        return bool(set(lesion.levels) & set(course.levels))
    if lesion.bone and course.bones:
        return any(anatomy.bones_overlap(lesion.bone, bone) for bone in course.bones)
    # A course to a spinal region ('lumbar spine') against a lesion with levels, or vice versa.
    course_regions = {anatomy.REGION_LEVELS.get(s, ()) for s in (course.site or "",)}
    for region_levels in course_regions:
        if region_levels and lesion.levels:
            return bool(set(region_levels) & set(lesion.levels))
    if lesion.region == "spine" and not lesion.levels and course.levels:
        region_levels = anatomy.REGION_LEVELS.get(lesion.site, ())
        if region_levels:
            return bool(set(region_levels) & set(course.levels)) or None
        return None
    if lesion.region == "spine" and (course.bones and not course.levels):
        return False
    if lesion.bone and course.levels:
        return False
    return None


def _months_between(earlier: date, later: date) -> float:
    return round((later - earlier).days / 30.4375, 1)


def prior_rt_at_site(
    lesion: LesionState,
    courses: Sequence[RadiotherapyCourse],
    as_of: datetime,
    any_prior_rt: Fact[bool] | None,
) -> PriorRadiotherapyAtSite | None:
    at_levels = [c for c in courses if course_overlaps(c, lesion) is True]
    adjacent = [c for c in courses if c not in at_levels and course_adjacent(c, lesion)]
    overlapping = at_levels + adjacent
    if not overlapping:
        if lesion.prior_rt is not None:  # documented at the lesion (LOCAL prior-radiotherapy)
            return lesion.prior_rt
        if any(course_overlaps(c, lesion) is None for c in courses):
            return None
        if any_prior_rt is not None and any_prior_rt.value is False:
            return PriorRadiotherapyAtSite(at_site=derived(
                False, "no previous radiotherapy documented for the patient", sources=any_prior_rt.sources))
        return None
    sources = tuple(s for c in overlapping for s in (c.sources or (c.id,)))
    dated = [c.performed for c in overlapping if c.performed]
    last = max(dated) if dated else None
    dose_known = all(c.total_dose_gy and c.fractions for c in overlapping)
    total = sum(c.total_dose_gy or 0 for c in overlapping) if dose_known else None
    fractions = sum(c.fractions or 0 for c in overlapping) if dose_known else None
    stereotactic = any(c.stereotactic for c in overlapping) if overlapping else None
    cord_bed2 = cord_eqd2 = None
    # The cord dose can be taken from the prescription only for conventional courses to the
    # spine (the cord lies in the field); after SBRT it depends on the plan's constraints.
    if dose_known and lesion.region == "spine" and not stereotactic:
        cord_bed2 = round(sum(bed2(c.total_dose_gy, c.fractions) for c in overlapping), 1)  # type: ignore[arg-type]
        cord_eqd2 = round(sum(eqd2(c.total_dose_gy, c.fractions, 2.0) for c in overlapping), 1)  # type: ignore[arg-type]
    return PriorRadiotherapyAtSite(
        at_site=derived(True, ("radiotherapy course(s) to the vertebra next to the lesion (field edges and "
                               "cord dose overlap)" if not at_levels
                               else "radiotherapy course(s) overlapping the lesion's site"),
                        sources=sources, inputs={"courses": [c.id for c in overlapping],
                                                 "adjacent": [c.id for c in adjacent]}),
        courses=tuple(c.id for c in overlapping),
        last_course_date=last,
        interval_months=_months_between(last, as_of.date()) if last else None,
        interval_days=(as_of.date() - last).days if last else None,
        adjacent_only=not at_levels,
        total_dose_gy=total,
        fractions=fractions,
        dose_known=dose_known,
        stereotactic=stereotactic,
        cord_bed2=cord_bed2,
        cord_eqd2=cord_eqd2,
    )
