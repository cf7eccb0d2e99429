"""ECOG and Karnofsky performance status, as documented (latest by effective time wins).

ECOG may arrive as valueInteger, as a LOINC answer (LA9622-7…LA9627-6) in valueCodeableConcept,
or only as the answer in ``interpretation`` (as in the mCODE examples). No ECOG is derived from KPS
here: that is a clinical derivation done later.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cds.scores.performance_status import kps_to_ecog
from cds.state import Fact
from fhir_mappings.codes import LOINC, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.evidence import collect, latest_fact
from fhir_mappings.observation_values import interpretation_mapped, value_integer, value_mapped
from fhir_mappings.resources import ParsedResource

_LOINC = codelist("loinc")
ECOG_CODE: str = _LOINC["ecog"]
KPS_CODE: str = _LOINC["karnofsky"]
ECOG_ANSWERS: dict[str, int] = dict(codelist("ecog_answers"))


def ecog_value(ctx: MappingContext, res: ParsedResource) -> int | None:
    data = res.data
    number = value_integer(data)
    answer = value_mapped(data, LOINC, ECOG_ANSWERS)
    if answer is None:
        answer = interpretation_mapped(data, LOINC, ECOG_ANSWERS)
    if number is not None and not 0 <= number <= 5:
        ctx.warn(res, f"ECOG value {number} is outside 0–5; ignored")
        number = None
    if number is not None and answer is not None and number != answer:
        ctx.warn(res, f"ECOG valueInteger {number} disagrees with its coded answer (ECOG {answer}); "
                 "valueInteger used")
    return number if number is not None else answer


def kps_value(ctx: MappingContext, res: ParsedResource) -> int | None:
    number = value_integer(res.data)
    if number is None:
        return None
    if not 0 <= number <= 100:
        ctx.warn(res, f"Karnofsky value {number} is outside 0–100; ignored")
        return None
    if number % 10:
        ctx.warn(res, f"Karnofsky value {number} is not a multiple of 10")
    return number


def map_performance_status(ctx: MappingContext) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ecog = latest_fact(ctx, collect(ctx, ctx.observations(LOINC, [ECOG_CODE]), lambda r: ecog_value(ctx, r)),
                       "ECOG")
    if ecog is not None:
        out["ecog"] = ecog
    kps = latest_fact(ctx, collect(ctx, ctx.observations(LOINC, [KPS_CODE]), lambda r: kps_value(ctx, r)),
                      "Karnofsky")
    if kps is not None:
        out["kps"] = kps
    if ecog is not None and kps is not None:
        _resolve_conflict(ctx, out, ecog, kps)
    return out


CONFLICT_CATEGORIES = 2
"""KPS maps to ECOG only approximately (KPS 70 is ECOG 1 or 2): one category apart is not a conflict."""


def _day(fact: Fact[Any]) -> date | None:
    when = fact.effective
    return when.date() if isinstance(when, datetime) else when


def _resolve_conflict(ctx: MappingContext, out: dict[str, Any], ecog: Fact[int], kps: Fact[int]) -> None:
    """ECOG and KPS recorded on the same day that disagree by two categories or more: the worse one is
    used, the other dropped (the engine derives it from the one kept, and says so) — less function, less
    aggressive treatment."""
    if _day(ecog) is None or _day(ecog) != _day(kps) or kps.value % 10:
        return
    as_ecog = kps_to_ecog(kps.value)
    if abs(as_ecog - ecog.value) < CONFLICT_CATEGORIES:
        return
    where = f"ECOG {ecog.value} ({', '.join(ecog.sources)}) and KPS {kps.value} ({', '.join(kps.sources)})"
    if ecog.value > as_ecog:
        del out["kps"]
        kept, dropped = f"ECOG {ecog.value}", f"KPS {kps.value}"
    else:
        del out["ecog"]
        kept, dropped = f"KPS {kps.value}", f"ECOG {ecog.value}"
    ctx.warn(ecog.sources[0] if ecog.sources else None,
             f"{where} on {_day(ecog)} disagree (KPS {kps.value} is about ECOG {as_ecog}); the worse, {kept}, is "
             f"used and {dropped} is not")
