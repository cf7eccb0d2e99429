"""Orchestration: one PatientRecord → one PatientState (documented facts and FHIR-level derivations).

Clinical scores and classifications (SINS range, Mirels, survival bands, oligometastatic class, …)
are not computed here; a later derivation step reads this output. Mapping never raises on clinical
content: a step that fails unexpectedly becomes a warning and the other steps still run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from cds.state import Neurology, PatientState, Warning_
from fhir_mappings.compression import Compression, apply_compression, finish_compression
from fhir_mappings.context import MappingContext
from fhir_mappings.dates import aware
from fhir_mappings.fractures import apply_fractures
from fhir_mappings.hospitalisation import map_hospitalisation
from fhir_mappings.imaging import map_imaging
from fhir_mappings.lesion_observations import apply_lesion_observations
from fhir_mappings.lesions import Lesions, build_lesions, finalise
from fhir_mappings.metastases import map_metastases
from fhir_mappings.neurology import map_neurology
from fhir_mappings.oncology import report_unrecognised
from fhir_mappings.patient import map_patient
from fhir_mappings.patient_facts import map_patient_facts
from fhir_mappings.performance_status import map_performance_status
from fhir_mappings.primary_cancer import map_primary_cancer
from fhir_mappings.prior_radiotherapy import map_any_prior_radiotherapy, map_radiotherapy_courses
from fhir_mappings.reader import PatientRecord, read_path
from fhir_mappings.receptors import map_receptors
from fhir_mappings.staging import map_staging, staged_without_metastases
from fhir_mappings.surgery import apply_surgery
from fhir_mappings.systemic_therapy import map_systemic_therapy

T = TypeVar("T")


def _guarded(ctx: MappingContext, step: str, fn: Callable[[], T], fallback: T) -> T:
    """Run one mapping step; an unexpected error is reported, not raised (the CDS call must answer)."""
    try:
        return fn()
    except Exception as exc:
        ctx.warn(None, f"internal mapping error in {step}: {type(exc).__name__}: {exc}")
        return fallback


def map_record(record: PatientRecord, as_of: datetime) -> PatientState:
    """Map one patient's resources as of ``as_of`` (naive datetimes are read as UTC)."""
    ctx = MappingContext(record, aware(as_of))
    fields: dict[str, Any] = {}
    for step, mapper in (
        ("patient", map_patient),
        ("primary cancer", map_primary_cancer),
        ("receptors", map_receptors),
        ("performance status", map_performance_status),
        ("patient observations", map_patient_facts),
        ("staging", map_staging),
        ("systemic therapy", map_systemic_therapy),
        ("hospitalisation", map_hospitalisation),
        ("imaging", map_imaging),
    ):
        fields.update(_guarded(ctx, step, lambda m=mapper: m(ctx), {}))

    lesions = _guarded(ctx, "lesions", lambda: build_lesions(ctx), Lesions())
    _guarded(ctx, "lesion observations", lambda: apply_lesion_observations(ctx, lesions), None)
    compression = _guarded(ctx, "cord compression", lambda: apply_compression(ctx, lesions), Compression())
    _guarded(ctx, "fractures", lambda: apply_fractures(ctx, lesions), None)
    _guarded(ctx, "surgery", lambda: apply_surgery(ctx, lesions), None)
    _guarded(ctx, "compression areas", lambda: finish_compression(ctx, lesions, compression), None)
    fields.update(_guarded(ctx, "metastases", lambda: map_metastases(ctx, lesions), {}))
    fields.update(_guarded(ctx, "stage without metastases",
                           lambda: staged_without_metastases(ctx, fields, len(lesions.drafts)), {}))

    courses = _guarded(ctx, "radiotherapy courses", lambda: map_radiotherapy_courses(ctx), [])
    states = []
    for draft in lesions.drafts:
        state = _guarded(ctx, f"lesion {draft.id}", lambda d=draft: finalise(ctx, d), None)
        if state is not None:
            states.append(state)
    lesion_rt = [ref for s in states if s.prior_rt is not None and s.prior_rt.at_site.value
                 for ref in s.prior_rt.at_site.sources]
    fields.update(_guarded(ctx, "prior radiotherapy",
                           lambda: map_any_prior_radiotherapy(ctx, courses, lesion_rt), {}))
    neurology = _guarded(ctx, "neurology", lambda: map_neurology(ctx), Neurology())
    _guarded(ctx, "unrecognised oncology codes", lambda: report_unrecognised(ctx), None)

    coverage = None if record.coverage.types is None else tuple(sorted(record.coverage.types))
    base: dict[str, Any] = {"patient_id": record.patient_id, "as_of": ctx.as_of, "sources": ctx.all_references(),
                            "coverage": coverage,
                            "neurology": neurology, "lesions": tuple(states),
                            "radiotherapy_courses": tuple(courses)}
    try:
        return PatientState(**base, **fields, warnings=tuple(_dedupe([*record.warnings, *ctx.warnings])))
    except ValidationError as exc:
        # A value the state model rejects (a mapper bug) costs that field, not the whole answer.
        bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
        for name in sorted(bad):
            ctx.warn(None, f"internal mapping error: {name} could not be stored and was dropped")
        kept = {k: v for k, v in fields.items() if k not in bad}
        base.update({k: default for k, default in _EMPTY.items() if k in bad})
        return PatientState(**base, **kept, warnings=tuple(_dedupe([*record.warnings, *ctx.warnings])))


_EMPTY: dict[str, Any] = {"neurology": Neurology(), "lesions": (), "radiotherapy_courses": ()}


def _dedupe(warnings: list[Warning_]) -> list[Warning_]:
    seen: set[tuple[str | None, str]] = set()
    out: list[Warning_] = []
    for warning in warnings:
        key = (warning.resource, warning.message)
        if key not in seen:
            seen.add(key)
            out.append(warning)
    return out


def map_path(path: str | Path, as_of: datetime) -> list[PatientState]:
    """Read ``path`` (file, directory or "-") and map every patient in it."""
    return [map_record(record, as_of) for record in read_path(path)]
