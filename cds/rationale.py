"""Fill rationale, summary and criterion templates with the patient's own facts.

Templates are Jinja2 (sandboxed). Besides every rule fact they can use ready-made phrases such
as ``{{ survival_text }}`` ("8 months (documented)" or "about 5 months (TEACHH group B,
derived)"). A fact that is not documented renders as "not documented", never as blank.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import Template, Undefined, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from cds.lesion_facts import LesionFacts
from cds.state import LesionState, PatientState

HISTOLOGY_TEXT: dict[str, str] = {
    "breast": "breast cancer", "prostate": "prostate cancer", "lung": "lung cancer",
    "lung-nsclc": "non-small-cell lung cancer", "lung-sclc": "small-cell lung cancer",
    "kidney": "renal cell carcinoma", "melanoma": "melanoma", "thyroid": "thyroid cancer",
    "liver": "hepatocellular carcinoma", "colorectal": "colorectal cancer", "gi-other": "gastrointestinal cancer",
    "sarcoma": "sarcoma", "myeloma": "myeloma", "lymphoma": "lymphoma", "leukaemia": "leukaemia",
    "germ-cell": "germ-cell tumour", "ovary": "ovarian cancer", "neuroendocrine": "neuroendocrine tumour",
    "other": "cancer of another primary site", "unknown": "cancer of unknown primary histology",
}


class _NotDocumented(Undefined):
    def __str__(self) -> str:
        return "not documented"


_ENV = SandboxedEnvironment(autoescape=False, undefined=_NotDocumented, trim_blocks=True, lstrip_blocks=True)


def _num(value: float) -> str:
    return f"{value:g}"


def _months_text(months: float) -> str:
    if months < 1:
        return f"{round(months * 30.4375 / 7)} weeks"
    return f"{_num(round(months, 1))} months"


def _survival_text(state: PatientState) -> str | None:
    fact = state.expected_survival_months
    if fact is None:
        return None
    if not fact.derived:
        return f"{_months_text(fact.value)} (documented)"
    return f"about {_months_text(fact.value)} ({fact.method}; derived)"


def _ecog_text(state: PatientState) -> str | None:
    if state.ecog is None:
        return None
    if state.ecog.derived:
        return f"ECOG {state.ecog.value} (derived from KPS {state.kps.value if state.kps else '?'})"
    return f"ECOG {state.ecog.value}"


def _score_text(lesion_score: Any, name: str) -> str | None:
    if lesion_score is None:
        return None
    if lesion_score.total is not None:
        band = f" ({lesion_score.band})" if lesion_score.band else ""
        return f"{name} {lesion_score.total}{band}"
    missing = f"; not documented: {', '.join(m.replace('_', ' ') for m in lesion_score.missing)}" \
        if lesion_score.missing else ""
    band = f", {lesion_score.band}" if lesion_score.band else f", spanning {' / '.join(lesion_score.bands)}"
    return f"{name} {lesion_score.minimum}–{lesion_score.maximum}{band}{missing}"


def _prior_rt_text(state: PatientState, lesion: LesionState) -> str | None:
    prior = lesion.prior_rt
    if prior is None:
        return None
    if not prior.at_site.value:
        return f"no previous radiotherapy at {lesion.site}"
    dose = (f"{_num(prior.total_dose_gy)} Gy in {prior.fractions} fractions" if prior.dose_known
            and prior.total_dose_gy and prior.fractions else "dose not documented")
    when = ""
    if prior.last_course_date:
        when = f" on {prior.last_course_date.isoformat()}"
        if prior.interval_months is not None:
            when += f" ({_num(prior.interval_months)} months ago)"
    kind = "SBRT" if prior.stereotactic else "radiotherapy"
    if prior.adjacent_only:
        sites = [c.site for c in state.radiotherapy_courses if c.id in prior.courses and c.site]
        where = ", ".join(dict.fromkeys(sites)) or "the next vertebra"
        return (f"previous {kind} to {where}, next to {lesion.site} (field edges and cord dose overlap): "
                f"{dose}{when}")
    return f"previous {kind} to {lesion.site}: {dose}{when}"


def _neuro_text(state: PatientState) -> str | None:
    n = state.neurology
    parts = []
    if n.neurological_deficit is not None:
        parts.append("neurological deficit" if n.neurological_deficit.value else "no neurological deficit")
    if n.ambulatory is not None:
        parts.append("ambulatory" if n.ambulatory.value else "not ambulatory")
    if n.paraplegia_hours is not None:
        parts.append(f"paraplegic for {_num(round(n.paraplegia_hours.value))} h")
    elif n.paraplegic is not None and n.paraplegic.value:
        parts.append("paraplegic")
    if n.motor_deficit_days is not None:
        parts.append(f"motor deficits developing over {_num(round(n.motor_deficit_days.value, 1))} days")
    return ", ".join(parts) or None


def _lesion_count_text(state: PatientState) -> str | None:
    parts = []
    for fact, word in ((state.bone_lesion_count, "bone"), (state.metastatic_lesion_count, "metastatic")):
        if fact is not None:
            lower = bool(fact.inputs and fact.inputs.get("lower_bound"))
            parts.append(f"{'at least ' if lower else ''}{fact.value} {word} lesion{'s' if fact.value != 1 else ''}")
    return ", ".join(parts) or None


def _imaging_text(state: PatientState) -> str | None:
    if state.last_restaging_imaging is None:
        return None
    value: date = state.last_restaging_imaging.value
    days = state.restaging_imaging_age_days.value if state.restaging_imaging_age_days else None
    return f"restaging imaging on {value.isoformat()}" + (f" ({days} days ago)" if days is not None else "")


def template_context(state: PatientState, lesion: LesionState, facts: LesionFacts) -> dict[str, Any]:
    context: dict[str, Any] = {name: value for name, value in facts.values.items()}
    for name in ("sins", "mirels", "bone_lesion_count", "metastatic_lesion_count", "expected_survival_range"):
        value = facts.value(name)
        if value is not None:
            context[name] = f"{value[0]}–{value[1]}" if isinstance(value, tuple) else value
    phrases = {
        "site": lesion.site,
        "histology_text": HISTOLOGY_TEXT.get(state.histology.value) if state.histology else None,
        "survival_text": _survival_text(state),
        "ecog_text": _ecog_text(state),
        "sins_text": _score_text(lesion.sins, "SINS"),
        "mirels_text": _score_text(lesion.mirels, "Mirels"),
        "bilsky_text": f"Bilsky {lesion.bilsky_grade.value}" if lesion.bilsky_grade else None,
        "prior_rt_text": _prior_rt_text(state, lesion),
        "neuro_text": _neuro_text(state),
        "lesion_count_text": _lesion_count_text(state),
        "omd_text": state.omd_class.value if state.omd_class else None,
        "compression_text": (
            (f"cauda equina compression at {lesion.site}" if lesion.cauda_equina_only
             and lesion.cauda_equina_only.value else f"cord compression at {lesion.site}")
            if lesion.cord_compression and lesion.cord_compression.value else None),
        "size_text": f"{_num(lesion.size_cm.value)} cm" if lesion.size_cm else None,
        "fracture_text": ("pathological fracture" if lesion.pathological_fracture
                          and lesion.pathological_fracture.value else None),
        "imaging_text": _imaging_text(state),
    }
    context.update({k: v for k, v in phrases.items() if v is not None})
    return context


@lru_cache(maxsize=4096)
def _compiled(template: str) -> Template:
    return _ENV.from_string(template)


@lru_cache(maxsize=4096)
def _reads(template: str) -> tuple[str, ...] | None:
    """The context names a template reads; None when it may read more (it includes or imports)."""
    ast = _ENV.parse(template)
    if next(ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)), None) is not None:
        return None
    return tuple(sorted(meta.find_undeclared_variables(ast)))


_ABSENT = object()
_KEYED_TYPES = frozenset({str, int, bool, type(None)})
_RENDERED: dict[tuple[Any, ...], str] = {}
_RENDERED_SIZE = 8192


def _render_key(template: str, context: dict[str, Any]) -> tuple[Any, ...] | None:
    """The template with the values it reads, when they are plain values (a str, int, bool, float or
    None, keyed with their type: True, 1 and 1.0 render differently); None otherwise."""
    names = _reads(template)
    if names is None:
        return None
    key: list[Any] = [template]
    for name in names:
        value = context.get(name, _ABSENT)
        kind = type(value)
        if kind is float:
            key.append((float, repr(value)))  # -0.0 == 0.0, but they render differently
        elif kind in _KEYED_TYPES or value is _ABSENT:
            key.append((kind, value))
        else:
            return None
    return tuple(key)


def render(template: str, context: dict[str, Any]) -> str:
    """The template rendered with ``context``. A rendering depends only on the values the
    template reads: the same template with the same values (the same criterion at lesions alike)
    is rendered once."""
    key = _render_key(template, context)
    if key is not None:
        text = _RENDERED.get(key)
        if text is not None:
            return text
    compiled = _compiled(template)
    # A shared context renders without copying the ~100 facts for every template (8× faster).
    # No globals: the context's set of global names only serves template imports, and building it
    # from the template's globals (a ChainMap) cost more than rendering most templates.
    ctx = _ENV.context_class(_ENV, context, compiled.name, compiled.blocks)
    text = " ".join(_ENV.concat(compiled.root_render_func(ctx)).split())  # type: ignore[attr-defined]
    if key is not None:
        if len(_RENDERED) >= _RENDERED_SIZE:
            _RENDERED.clear()
        _RENDERED[key] = text
    return text
