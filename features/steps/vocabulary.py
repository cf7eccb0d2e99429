"""Clinical phrases used in the feature files, and what they mean for the builder and the output.

Keeping the vocabulary in one place keeps the steps few: a new phrase is a new table entry, not
a new step. Lookups fail loudly with the phrases that are known, so a typo in a feature file
reads as a sentence, not as a missing step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cds.anatomy import VERTEBRAE, is_vertebra, level_index

CANCERS: dict[str, str] = {
    "breast cancer": "breast",
    "prostate cancer": "prostate",
    "lung cancer": "lung",
    "non-small-cell lung cancer": "lung-nsclc",
    "small-cell lung cancer": "lung-sclc",
    "renal cell carcinoma": "kidney",
    "melanoma": "melanoma",
    "thyroid cancer": "thyroid",
    "hepatocellular carcinoma": "liver",
    "colorectal cancer": "colorectal",
    "gastric cancer": "gi-other",
    "sarcoma": "sarcoma",
    "myeloma": "myeloma",
    "lymphoma": "lymphoma",
    "testicular germ-cell tumour": "germ-cell",
    "ovarian cancer": "ovary",
    "cancer of unspecified primary site": "unknown",
}
"""Primary cancer phrase → the builder's histology (coded as in contract/fhir-input.md)."""

SEXES: dict[str, str] = {"woman": "female", "man": "male"}

ASSESSMENTS: dict[str, str] = {
    "SIB-IMRT": "sib-imrt",
    "SBRT": "sbrt",
    "decompressive surgery": "mescc-surgery",
    "oligometastatic SABR": "sabr-oligometastatic",
}
"""Eligibility assessment phrase → assessment name in lesions[].eligibility."""

SINS_COMPONENTS: dict[str, str] = {
    "location": "location", "pain": "pain", "bone lesion": "bone_lesion", "alignment": "alignment",
    "collapse": "collapse", "posterolateral": "posterolateral",
}
MIRELS_COMPONENTS: dict[str, str] = {"site": "site", "pain": "pain", "lesion": "lesion", "size": "size"}

EBRT = frozenset({"ebrt-8gy-1fx", "ebrt-20gy-5fx", "ebrt-30gy-10fx"})
ABLATIVE = frozenset({"sbrt", "sib-imrt"})


@dataclass(frozen=True)
class Wanted:
    """A recommendation as a clinician names it: one of some codes, and maybe a reason."""

    phrase: str
    codes: frozenset[str]
    reason: str | None = None

    def matches(self, code: str, reason: str) -> bool:
        return code in self.codes and (self.reason is None or reason == self.reason)


def _w(phrase: str, codes: str | frozenset[str], reason: str | None = None) -> tuple[str, Wanted]:
    return phrase.lower(), Wanted(phrase, frozenset({codes}) if isinstance(codes, str) else codes, reason)


RECOMMENDATIONS: dict[str, Wanted] = dict([
    # surgery first (NOMS: neurologic, then mechanical)
    _w("surgical referral for MESCC decompression", "surgical-referral", "mescc-decompression"),
    _w("surgical referral for separation surgery", "surgical-referral", "mescc-decompression"),
    _w("surgical referral for spinal instability", "surgical-referral", "spinal-instability"),
    _w("surgical consultation for spinal instability", "surgical-referral", "spinal-instability"),
    _w("orthopaedic referral for an impending fracture", "surgical-referral", "impending-fracture"),
    _w("orthopaedic referral for a pathological fracture", "surgical-referral", "pathological-fracture"),
    _w("surgical referral", "surgical-referral"),
    # conventional RT, by indication
    _w("8 Gy in 1 fraction for pain", "ebrt-8gy-1fx", "uncomplicated-pain"),
    _w("20 Gy in 5 fractions for pain", "ebrt-20gy-5fx", "uncomplicated-pain"),
    _w("8 Gy in 1 fraction for cord compression", "ebrt-8gy-1fx", "mescc-short-survival"),
    _w("20 Gy in 5 fractions for cord compression", "ebrt-20gy-5fx", "mescc-non-surgical"),
    _w("30 Gy in 10 fractions for cord compression", "ebrt-30gy-10fx", "mescc-favourable-prognosis"),
    _w("30 Gy in 10 fractions after surgery", "ebrt-30gy-10fx", "postoperative"),
    _w("8 Gy in 1 fraction as re-irradiation", "ebrt-8gy-1fx", "reirradiation"),
    _w("20 Gy in 5 fractions as re-irradiation", "ebrt-20gy-5fx", "reirradiation"),
    _w("20 Gy in 5 fractions for a complicated metastasis", "ebrt-20gy-5fx", "complicated"),
    _w("8 Gy in 1 fraction for a complicated metastasis", "ebrt-8gy-1fx", "complicated"),
    _w("8 Gy in 1 fraction", "ebrt-8gy-1fx"),
    _w("20 Gy in 5 fractions", "ebrt-20gy-5fx"),
    _w("30 Gy in 10 fractions", "ebrt-30gy-10fx"),
    _w("conventional RT", EBRT),
    # dose escalation
    _w("SBRT for a painful spinal metastasis", "sbrt", "spine-painful"),
    _w("SBRT for a painful non-spine metastasis", "sbrt", "non-spine-painful"),
    _w("SBRT for oligometastatic disease", "sbrt", "oligometastatic"),
    _w("SBRT for a radioresistant tumour", "sbrt", "radioresistant"),
    _w("SBRT after surgery", "sbrt", "postoperative"),
    _w("SBRT", "sbrt"),
    _w("SIB-IMRT for oligometastatic breast cancer", "sib-imrt", "oligometastatic-breast"),
    _w("SIB-IMRT", "sib-imrt"),
    _w("ablative RT", ABLATIVE),
    _w("prophylactic RT to a high-risk lesion", "prophylactic-rt", "high-risk-asymptomatic"),
    _w("prophylactic RT", "prophylactic-rt"),
])
"""Recommendation phrase (lower case) → the output's code(s) and reason."""


def _known(kind: str, options: object) -> str:
    return f"unknown {kind}; known: " + ", ".join(f'"{o}"' for o in options)  # type: ignore[attr-defined]


def lookup(table: dict[str, str], phrase: str, kind: str) -> str:
    try:
        return table[phrase]
    except KeyError:
        raise AssertionError(f'"{phrase}": ' + _known(kind, table)) from None


def wanted(phrase: str) -> Wanted:
    try:
        return RECOMMENDATIONS[phrase.strip().lower()]
    except KeyError:
        raise AssertionError(f'"{phrase}": ' + _known("recommendation", (w.phrase for w in RECOMMENDATIONS.values()))
                             ) from None


_LEVEL = r"(?:[CTLS]\d{1,2})"
_RANGE = re.compile(rf"({_LEVEL})\s*[–-]\s*({_LEVEL})", re.IGNORECASE)


UNSPECIFIED_SITES = frozenset({"unspecified", "an unspecified site", "the unspecified site"})


def site_names(text: str) -> tuple[str, ...]:
    """'T8' → ('T8',); 'T10–T11' or 'T10-T12' → the levels; 'the left femoral shaft' → ('left femoral shaft',);
    'an unspecified site' → () (a bone metastasis without a bodySite)."""
    if text.strip() in UNSPECIFIED_SITES:
        return ()
    name = text.strip().removeprefix("the ").strip()
    match = _RANGE.fullmatch(name)
    if match:
        first, last = (match.group(i).upper() for i in (1, 2))
        if not (is_vertebra(first) and is_vertebra(last)):
            raise AssertionError(f"{text!r}: not a vertebral level range")
        return VERTEBRAE[level_index(first): level_index(last) + 1]
    if is_vertebra(name.upper()):
        return (name.upper(),)
    return (name.lower(),)


def site_key(text: str) -> str:
    """How a step refers to a lesion: the normalised site names joined ('T10+T11', 'left femoral shaft')."""
    return "+".join(site_names(text)) or "unspecified"


def months(value: float, unit: str) -> dict[str, float]:
    """'8', 'months' → builder keyword arguments for a duration."""
    unit = unit.rstrip("s")
    key = {"month": "months", "week": "weeks", "year": "years"}.get(unit)
    if key is None:
        raise AssertionError(f"unknown duration unit {unit!r}: use months, weeks or years")
    return {key: value}
