"""Oligometastatic disease: ESTRO-ASTRO definition (Lievens 2020) and ESTRO/EORTC classification
(Guckenberger 2020)."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

from cds.scores._range import check_bool, check_int, check_number

CITATION_DEFINITION: Final = "lievens2020"
CITATION_CLASSIFICATION: Final = "guckenberger2020"
MAX_OLIGO_LESIONS: Final = 5
SYNCHRONOUS_WITHIN_MONTHS: Final = 6.0
TREE_NOTE: Final = (
    "ESTRO/EORTC decision tree from domain knowledge (○), not re-checked — needs clinical review."
)

INPUTS: Final = (
    "oligometastatic",
    "history_polymetastatic",
    "history_treated_omd",
    "months_since_primary_diagnosis",
    "active_systemic_therapy",
    "progressing",
)
# One representative value per branch, used to find what else each branch would need.
_BRANCH_VALUES: Final[dict[str, tuple[bool | float, ...]]] = {
    "oligometastatic": (True, False),
    "history_polymetastatic": (True, False),
    "history_treated_omd": (True, False),
    "months_since_primary_diagnosis": (0.0, SYNCHRONOUS_WITHIN_MONTHS + 1),
    "active_systemic_therapy": (True, False),
    "progressing": (True, False),
}


def _check_counts(lesion_count: int | None, lesion_count_min: int | None) -> None:
    if lesion_count is not None:
        check_int("lesion_count", lesion_count, lo=0)
    if lesion_count_min is not None:
        check_int("lesion_count_min", lesion_count_min, lo=0)
    if lesion_count is not None and lesion_count_min is not None and lesion_count < lesion_count_min:
        raise ValueError(f"lesion_count {lesion_count} is below the documented minimum {lesion_count_min}")


def is_oligometastatic(lesion_count: int | None, lesion_count_min: int | None = None) -> bool | None:
    """1–5 metastatic lesions (Lievens 2020); None when the count is unknown.

    Only a documented count proves OMD; a lower bound can only rule it out (> 5). Whether every
    lesion is safely treatable is judged elsewhere.
    """
    _check_counts(lesion_count, lesion_count_min)
    if lesion_count is not None:
        return 1 <= lesion_count <= MAX_OLIGO_LESIONS
    if lesion_count_min is not None and lesion_count_min > MAX_OLIGO_LESIONS:
        return False
    return None


def is_polymetastatic(lesion_count: int | None, lesion_count_min: int | None = None) -> bool | None:
    """More than 5 metastatic lesions; None when the count is unknown and no lower bound exceeds 5."""
    _check_counts(lesion_count, lesion_count_min)
    if lesion_count is not None:
        return lesion_count > MAX_OLIGO_LESIONS
    if lesion_count_min is not None and lesion_count_min > MAX_OLIGO_LESIONS:
        return True
    return None


class OmdClassification(BaseModel):
    """ESTRO/EORTC OMD state; ``label`` is None when polymetastatic or undetermined."""

    model_config = ConfigDict(frozen=True)

    label: str | None = None
    path: tuple[str, ...] = ()
    """Decisions taken, in order, as far as the documented inputs determine them."""
    missing: tuple[str, ...] = ()
    """Undocumented inputs that any still-possible branch of the tree needs."""
    citation: str = CITATION_CLASSIFICATION
    note: str = TREE_NOTE


class _Undetermined(Exception):
    def __init__(self, name: str, path: tuple[str, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.path = path


def _decide(facts: dict[str, bool | float | None]) -> tuple[str | None, tuple[str, ...]]:
    path: list[str] = []

    def need(name: str) -> bool | float:
        value = facts[name]
        if value is None:
            raise _Undetermined(name, tuple(path))
        return value

    if not need("oligometastatic"):
        return None, ("polymetastatic",)
    path.append("oligometastatic")
    if need("history_polymetastatic"):
        path.append("induced")
        genus = "induced"
    else:
        path.append("not-induced")
        if need("history_treated_omd"):
            path.append("repeat")
            genus = "repeat"
        else:
            path.append("de-novo")
            if need("months_since_primary_diagnosis") <= SYNCHRONOUS_WITHIN_MONTHS:
                path.append("synchronous")
                return "de-novo synchronous OMD", tuple(path)
            path.append("metachronous")
            genus = "de-novo metachronous"
    if not need("active_systemic_therapy"):
        path.append("no-active-systemic-therapy")
        return f"{genus} oligorecurrence", tuple(path)
    path.append("active-systemic-therapy")
    if need("progressing"):
        path.append("progressing")
        return f"{genus} oligoprogression", tuple(path)
    path.append("not-progressing")
    return f"{genus} oligopersistence", tuple(path)


def _walk(facts: dict[str, bool | float | None]) -> tuple[str | None, tuple[str, ...], set[str]]:
    try:
        label, path = _decide(facts)
    except _Undetermined as stop:
        # Explore every branch of the unknown node so `missing` names all inputs still needed.
        missing = {stop.name}
        for value in _BRANCH_VALUES[stop.name]:
            missing |= _walk({**facts, stop.name: value})[2]
        return None, stop.path, missing
    return label, path, set()


def classify_omd(
    *,
    oligometastatic: bool | None = None,
    history_polymetastatic: bool | None = None,
    history_treated_omd: bool | None = None,
    months_since_primary_diagnosis: float | None = None,
    active_systemic_therapy: bool | None = None,
    progressing: bool | None = None,
) -> OmdClassification:
    """ESTRO/EORTC tree: induced (polymetastatic history) -> repeat (OMD treated before) -> de-novo.

    De-novo OMD is synchronous when diagnosed ≤ 6 months after the primary (a metastasis found
    before the primary, i.e. a negative interval, is synchronous too), else metachronous. Induced,
    repeat and metachronous states split into oligorecurrence (no active systemic therapy),
    oligoprogression (progressing on it) and oligopersistence (not progressing on it).
    """
    facts: dict[str, bool | float | None] = {
        "oligometastatic": oligometastatic,
        "history_polymetastatic": history_polymetastatic,
        "history_treated_omd": history_treated_omd,
        "months_since_primary_diagnosis": months_since_primary_diagnosis,
        "active_systemic_therapy": active_systemic_therapy,
        "progressing": progressing,
    }
    for name, value in facts.items():
        if value is None:
            continue
        if name == "months_since_primary_diagnosis":
            check_number(name, value)
        else:
            check_bool(name, value)
    label, path, missing = _walk(facts)
    return OmdClassification(label=label, path=path, missing=tuple(n for n in INPUTS if n in missing))
