"""Complete the mapped clinical state with derived facts, each labelled with its inputs.

The mapper records what the FHIR data documents; this step adds what follows from it: ECOG
from KPS, SINS and Mirels ranges, survival estimates (TEACHH, Chow, Rades) and their band,
oligometastatic status and class, prior radiotherapy at each site, high-risk sites. Documented
values always win over derived ones. Nothing here guesses a value that is not implied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cds import anatomy
from cds.currency import withdraw_stale
from cds.high_risk_site import high_risk_criteria, is_high_risk_site
from cds.prior_radiotherapy import course_overlaps, prior_rt_at_site
from cds.rules_engine.schema import FactEntry
from cds.scores import bilsky, oligometastatic
from cds.scores.chow import chow_non_breast_primary, score_chow
from cds.scores.mirels import mirels_site_options, painful_from_mirels_pain, score_mirels
from cds.scores.performance_status import kps_60_or_less_from_ecog, kps_to_ecog
from cds.scores.rades import rades_primary_group, score_rades
from cds.scores.radiosensitivity import radiosensitivity
from cds.scores.sins import score_sins, sins_location_for_levels
from cds.scores.survival import survival_band
from cds.scores.teachh import score_teachh, teachh_primary_group
from cds.silences import read_state_silences
from cds.state import Fact, LesionState, PatientState, ScoreEstimate, SurvivalEstimate, Warning_, derived


def _value(fact: Fact[Any] | None) -> Any:
    return fact.value if fact is not None else None


def _src(*facts: Fact[Any] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for f in facts if f is not None for s in f.sources))


def _assumes(*facts: Fact[Any] | None) -> tuple[str, ...]:
    """What the inputs rest on that the record does not say: a derived value rests on it too."""
    return tuple(dict.fromkeys(a for f in facts if f is not None for a in f.assumes))


def _is_lower_bound(fact: Fact[Any] | None) -> bool:
    return bool(fact and fact.inputs and fact.inputs.get("lower_bound"))


def _documented_count(fact: Fact[int] | None) -> int | None:
    return None if fact is None or _is_lower_bound(fact) else fact.value


def _with_sources(estimate: ScoreEstimate, sources: tuple[str, ...]) -> ScoreEstimate:
    return estimate.model_copy(update={"sources": sources})


def derive_sins(lesion: LesionState) -> ScoreEstimate | None:
    if lesion.region != "spine":
        return None
    components = {k: f.value for k, f in lesion.sins_components.items()}
    note = None
    if "location" not in components and lesion.levels:
        components["location"] = sins_location_for_levels(lesion.levels)
        note = f"location '{components['location']}' derived from the level ({lesion.site})"
    total = lesion.sins_total.value if lesion.sins_total else None
    estimate = score_sins(total=total, **components)
    if note:
        estimate = estimate.model_copy(update={"note": "; ".join(filter(None, (estimate.note, note)))})
    if lesion.sins_total is not None and not lesion.sins_components:
        estimate = estimate.model_copy(update={"origin": "documented"})
    return _with_sources(estimate, _src(lesion.sins_total, *lesion.sins_components.values()))


def derive_mirels(lesion: LesionState) -> ScoreEstimate | None:
    if lesion.region != "long-bone" or not lesion.bone:
        return None
    components = {k: f.value for k, f in lesion.mirels_components.items()}
    note = None
    site_options: tuple[str, ...] = ()
    if "site" not in components:
        site_options = mirels_site_options(lesion.bone)
        if len(site_options) == 1:
            components["site"] = site_options[0]
            note = f"site '{site_options[0]}' derived from the bone ({lesion.bone})"
        elif site_options:
            note = (f"site unknown: {lesion.bone} not specified as shaft, head, neck or trochanteric region "
                    f"({' or '.join(site_options)})")
    if "lesion" not in components and lesion.lesion_type is not None:
        components["lesion"] = lesion.lesion_type.value
    if "size" not in components and lesion.cortical_involvement is not None:
        components["size"] = lesion.cortical_involvement.value
    total = lesion.mirels_total.value if lesion.mirels_total else None
    estimate = score_mirels(total=total, site_options=site_options, **components)
    if note:
        estimate = estimate.model_copy(update={"note": "; ".join(filter(None, (estimate.note, note)))})
    if lesion.mirels_total is not None and not lesion.mirels_components:
        estimate = estimate.model_copy(update={"origin": "documented"})
    return _with_sources(estimate, _src(lesion.mirels_total, *lesion.mirels_components.values(),
                                        lesion.lesion_type, lesion.cortical_involvement))


def _derive_lesion(state: PatientState, lesion: LesionState, warnings: list[Warning_]) -> LesionState:
    update: dict[str, Any] = {"sins": derive_sins(lesion), "mirels": derive_mirels(lesion)}

    grade = _value(lesion.bilsky_grade)
    if grade is not None:
        compressed = bilsky.cord_compressed(grade)
        if lesion.cord_compression is None:
            update["cord_compression"] = derived(
                compressed, f"Bilsky grade {grade}: cord {'compressed' if compressed else 'not compressed'}",
                sources=lesion.bilsky_grade.sources, inputs={"bilsky_grade": grade})  # type: ignore[union-attr]
        elif lesion.cord_compression.value != compressed:
            warnings.append(Warning_(resource=lesion.id, message=(
                f"cord compression is documented as {lesion.cord_compression.value} but the Bilsky grade "
                f"is {grade}; the documented compression is used")))
        if lesion.near_cord is None and grade != "0":
            update["near_cord"] = derived(True, f"epidural disease (Bilsky {grade}) lies within ~3 mm of the cord",
                                          sources=lesion.bilsky_grade.sources)  # type: ignore[union-attr]
    if lesion.region not in ("spine", "unspecified"):
        if lesion.cord_compression is None:
            update["cord_compression"] = derived(False, f"not a spinal lesion ({lesion.site})", sources=lesion.sources)
        if lesion.near_cord is None:
            update["near_cord"] = derived(False, f"not a spinal lesion ({lesion.site})", sources=lesion.sources)

    collapse = lesion.sins_components.get("collapse")
    if lesion.pathological_fracture is None and lesion.region == "spine" and collapse is not None:
        fractured = collapse.value in ("collapse-under-50", "collapse-50-or-more")
        update["pathological_fracture"] = derived(
            fractured, f"SINS vertebral body collapse: {collapse.value}"
            + (" (pathological compression fracture)" if fractured else ""), sources=collapse.sources)

    if (lesion.cauda_equina_only is None and lesion.region == "spine" and lesion.levels
            and _value(update.get("cord_compression") or lesion.cord_compression) is True):
        above_conus = any(anatomy.level_index(level) <= anatomy.level_index("L1") for level in lesion.levels)
        update["cauda_equina_only"] = derived(
            not above_conus,
            f"compression at {lesion.site}: " + ("at the level of the spinal cord (conus at L1)" if above_conus
                                                 else "below the conus (L1), cauda equina"),
            sources=lesion.sources)

    compression = update.get("cord_compression") or lesion.cord_compression
    if (lesion.cauda_equina_only is None and "cauda_equina_only" not in update and compression is not None
            and compression.value is False):
        # No epidural compression at the level: neither of the cord nor of the cauda equina.
        update["cauda_equina_only"] = derived(False, f"no compression at {lesion.site}",
                                              sources=compression.sources, effective=compression.effective)

    if lesion.painful is None:
        if lesion.pain_score is not None:
            update["painful"] = derived(lesion.pain_score.value > 0, f"pain score {lesion.pain_score.value}/10",
                                        sources=lesion.pain_score.sources)
        elif "pain" in lesion.sins_components:
            pain = lesion.sins_components["pain"]
            update["painful"] = derived(pain.value != "pain-free", f"SINS pain: {pain.value}", sources=pain.sources)
        elif "pain" in lesion.mirels_components:
            pain = lesion.mirels_components["pain"]
            painful = painful_from_mirels_pain(pain.value)
            if painful is not None:  # Mirels 'mild' leaves it to a pain score
                update["painful"] = derived(painful, f"Mirels pain: {pain.value}", sources=pain.sources)

    if lesion.contiguous_compartments is None:
        if lesion.region == "spine" and lesion.levels and anatomy.are_contiguous(lesion.levels):
            update["contiguous_compartments"] = derived(
                len(lesion.levels), f"{len(lesion.levels)} contiguous vertebral level(s): {lesion.site}",
                sources=lesion.sources)
        elif lesion.region not in ("spine", "unspecified") and lesion.bone:
            update["contiguous_compartments"] = derived(1, f"one bone: {lesion.site}", sources=lesion.sources)

    prior = prior_rt_at_site(lesion, state.radiotherapy_courses, state.as_of, state.any_prior_radiotherapy)
    update["prior_rt"] = prior
    if prior is None and any(course_overlaps(c, lesion) is None for c in state.radiotherapy_courses):
        # A course whose site is not recorded may have been given here: not a silence.
        update["undecidable"] = tuple(sorted({*lesion.undecidable, "prior_rt_at_site"}))

    staged = lesion.model_copy(update=update)
    if staged.high_risk_site is None:
        high_risk = is_high_risk_site(staged)
        if high_risk is not None:
            criteria = high_risk_criteria(staged)
            met = [name for name, value in criteria.items() if value]
            update["high_risk_site"] = derived(
                high_risk, "Gillespie high-risk criteria: " + (", ".join(met) if met else "none met"),
                sources=staged.sources, inputs=criteria)
    return lesion.model_copy(update=update)


def _compression_areas(lesions: tuple[LesionState, ...]) -> tuple[LesionState, ...]:
    """Count separate compression areas when every spinal lesion's compression status is known."""
    spinal = [lesion for lesion in lesions if lesion.region == "spine"]
    compressing = [lesion for lesion in spinal if _value(lesion.cord_compression) is True]
    if not compressing or any(lesion.cord_compression is None for lesion in spinal):
        return lesions
    if any(not lesion.levels for lesion in compressing):
        return lesions
    levels = [level for lesion in compressing for level in lesion.levels]
    areas = len(anatomy.contiguous_groups(levels))
    sources = tuple(s for lesion in compressing for s in lesion.sources)
    return tuple(
        lesion.model_copy(update={"compression_areas": derived(
            areas, f"compressed levels {anatomy.level_range_label(levels)}", sources=sources)})
        if lesion in compressing and lesion.compression_areas is None else lesion
        for lesion in lesions
    )


def _survival(state: PatientState, update: dict[str, Any], lesions: tuple[LesionState, ...],
              ecog: Fact[int] | None, warnings: list[Warning_]) -> None:
    histology = _value(state.histology)
    hepatic = _value(state.hepatic_metastases)
    bone_only_fact = update.get("bone_only_disease") or state.bone_only_disease
    visceral_fact = update.get("visceral_metastases") or state.visceral_metastases
    bone_only = _value(bone_only_fact)
    if hepatic is None and bone_only is True:
        hepatic = False
    teachh = score_teachh(
        primary_group=teachh_primary_group(histology) if histology else None,
        ecog=min(_value(ecog), 4) if ecog is not None else None,
        age=_value(state.age),
        prior_palliative_chemo_courses=_value(state.prior_palliative_chemo_courses),
        hospitalised_last_3_months=_value(state.hospitalised_last_3_months),
        hepatic_metastases=hepatic,
    )
    kps = _value(state.kps)
    kps_le_60 = kps <= 60 if kps is not None else (
        kps_60_or_less_from_ecog(ecog.value) if ecog is not None else None)
    visceral = _value(update.get("visceral_metastases") or state.visceral_metastases)
    beyond_bone = None if bone_only is None else not bone_only
    if visceral is True:
        beyond_bone = True
    chow = score_chow(
        non_breast_primary=chow_non_breast_primary(histology) if histology else None,
        metastases_beyond_bone=beyond_bone,
        kps_60_or_less=kps_le_60,
    )
    estimates: list[SurvivalEstimate] = [teachh, chow]
    compressing = [lesion for lesion in lesions if _value(lesion.cord_compression) is True]
    if compressing:
        lesion = compressing[0]
        interval = None
        onset = _value(lesion.cord_compression_onset)
        if state.primary_diagnosis_date is not None and onset is not None:
            interval = max(0.0, (onset - state.primary_diagnosis_date.value).days / 30.4375)
        bone_count = _documented_count(state.bone_lesion_count)
        lower = _value(state.bone_lesion_count) if _is_lower_bound(state.bone_lesion_count) else None
        other_bone = (bone_count > 1) if bone_count is not None else (True if lower and lower > 1 else None)
        rades = score_rades(
            primary_group=rades_primary_group(histology) if histology else None,
            interval_months=interval,
            other_bone_metastases=other_bone,
            visceral_metastases=visceral if visceral is not None else (False if bone_only else None),
            ambulatory=_value(state.neurology.ambulatory),
            motor_deficit_days=_value(state.neurology.motor_deficit_days),
        )
        estimates.append(rades)
    update["survival_estimates"] = tuple(estimates)

    documented = state.expected_survival_months
    if documented is not None and documented.origin == "documented":
        band = survival_band(documented.value)
        update["survival_band"] = derived(band, f"documented estimate of {documented.value:g} months",
                                          sources=documented.sources, inputs={"months": documented.value})
        return
    for estimate in (teachh, chow):
        if estimate.median_months is not None and estimate.band is None:
            # A group median on a decision threshold (Chow C, ~3 months) places the patient on neither side.
            warnings.append(Warning_(message=(
                f"{estimate.model.upper() if estimate.model == 'teachh' else 'Chow'} group {estimate.group}: "
                f"median about {estimate.median_months:g} months lies on a survival decision threshold, so "
                f"no expected survival is derived from it; document the clinician's estimate")))
            continue
        if estimate.median_months is not None and estimate.band is not None:
            name = estimate.model.upper() if estimate.model == "teachh" else "Chow"
            method = (f"{name} group {estimate.group} ({estimate.score.minimum}"
                      f"{'' if estimate.score.minimum == estimate.score.maximum else '–' + str(estimate.score.maximum)}"
                      f" points): median {estimate.median_months:g} months")
            inputs = {"model": estimate.model, **estimate.inputs}
            if estimate.model == "teachh":
                assumed = _assumes(state.hospitalised_last_3_months, state.hepatic_metastases, bone_only_fact)
            else:
                assumed = _assumes(bone_only_fact, visceral_fact)
            update["expected_survival_months"] = derived(estimate.median_months, method, inputs=inputs,
                                                         sources=update.get("_survival_sources", ()),
                                                         assumes=assumed)
            update["survival_band"] = derived(estimate.band, method, inputs=inputs, assumes=assumed)
            return


def derive(state: PatientState, catalogue: Mapping[str, FactEntry] | None = None) -> PatientState:
    """The state with every derived fact added (documented facts are never overwritten).

    First the values older than their currency window are withdrawn, and the silences the fact
    catalogue lets be read before deriving are read (``catalogue``: rules/facts.yaml by default),
    so that nothing is derived from a stale value and every value read from silence says so.
    """
    if catalogue is None:
        from cds.rules_engine.loader import default_ruleset

        catalogue = default_ruleset().facts
    state = read_state_silences(withdraw_stale(state, catalogue), catalogue)
    warnings = list(state.warnings)
    update: dict[str, Any] = {}

    histology = _value(state.histology)
    if histology is not None and state.radiosensitivity is None:
        group = radiosensitivity(histology)
        if group is not None:
            update["radiosensitivity"] = derived(group, f"NOMS radiosensitivity of {histology}",
                                                 sources=state.histology.sources)  # type: ignore[union-attr]

    ecog = state.ecog
    if ecog is None and state.kps is not None:
        ecog = derived(kps_to_ecog(state.kps.value), f"ECOG from KPS {state.kps.value}",
                       sources=state.kps.sources, inputs={"kps": state.kps.value})
        update["ecog"] = ecog

    bone_count = _documented_count(state.bone_lesion_count)
    met_count = _documented_count(state.metastatic_lesion_count)
    if state.bone_only_disease is None:
        if state.visceral_metastases is not None and state.visceral_metastases.value:
            update["bone_only_disease"] = derived(False, "visceral metastases documented",
                                                  sources=state.visceral_metastases.sources,
                                                  assumes=_assumes(state.visceral_metastases))
        elif bone_count is not None and met_count is not None:
            update["bone_only_disease"] = derived(
                bone_count == met_count, f"{bone_count} bone of {met_count} metastatic lesions",
                sources=_src(state.bone_lesion_count, state.metastatic_lesion_count),
                assumes=_assumes(state.bone_lesion_count, state.metastatic_lesion_count))
    bone_only = update.get("bone_only_disease") or state.bone_only_disease
    if state.visceral_metastases is None and bone_only is not None and bone_only.value:
        update["visceral_metastases"] = derived(False, "metastases confined to bone", sources=bone_only.sources,
                                                assumes=bone_only.assumes)

    # Oligometastatic status counts lesions at all sites; bone-only disease lets the bone count stand in.
    count_fact = state.metastatic_lesion_count
    if count_fact is None and bone_only is not None and bone_only.value:
        count_fact = state.bone_lesion_count
    exact = _documented_count(count_fact)
    lower = count_fact.value if _is_lower_bound(count_fact) else None
    omd = oligometastatic.is_oligometastatic(exact, lower)
    if omd is not None:
        update["oligometastatic"] = derived(omd, f"{exact if exact is not None else f'at least {lower}'} "
                                                 "metastatic lesion(s) (ESTRO-ASTRO: 1–5)",
                                            sources=_src(count_fact), assumes=_assumes(count_fact, bone_only))
        update["polymetastatic"] = derived(not omd, "more than 5 metastatic lesions" if not omd
                                           else "5 or fewer metastatic lesions", sources=_src(count_fact),
                                           assumes=_assumes(count_fact, bone_only))
        # Synchronous vs metachronous: the interval from the primary to the diagnosis of the metastases.
        months_since_primary = None
        if state.primary_diagnosis_date is not None and state.metastases_diagnosed is not None:
            interval = state.metastases_diagnosed.value - state.primary_diagnosis_date.value
            months_since_primary = interval.days / 30.4375
        classification = oligometastatic.classify_omd(
            oligometastatic=omd,
            history_polymetastatic=_value(state.history_polymetastatic),
            history_treated_omd=_value(state.history_treated_omd),
            months_since_primary_diagnosis=months_since_primary,
            active_systemic_therapy=_value(state.active_systemic_therapy),
            progressing=(state.disease_status.value == "progressing") if state.disease_status else None,
        )
        if classification.label:
            update["omd_class"] = derived(classification.label, "ESTRO/EORTC classification: "
                                          + " → ".join(classification.path),
                                          inputs={"path": list(classification.path)},
                                          sources=_src(state.history_polymetastatic, state.history_treated_omd,
                                                       state.primary_diagnosis_date, state.metastases_diagnosed,
                                                       state.active_systemic_therapy, state.disease_status),
                                          assumes=_assumes(count_fact, bone_only))

    staged = state.model_copy(update=update)
    lesions = _compression_areas(tuple(_derive_lesion(staged, lesion, warnings) for lesion in state.lesions))
    update["lesions"] = lesions
    _survival(state, update, lesions, ecog, warnings)
    update.pop("_survival_sources", None)
    update["warnings"] = tuple(warnings)
    return state.model_copy(update=update)
