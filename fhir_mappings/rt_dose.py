"""Radiotherapy dose extensions (mCODE dose-delivered-to-volume, CodeX dose-planned-to-volume):
per-volume total dose in Gy and fractions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from fhir_mappings.context import MappingContext
from fhir_mappings.elements import extensions, integer, quantity, reference, sub_extension
from fhir_mappings.resources import ParsedResource

_GY_PER_UNIT = {"cGy": 0.01, "Gy": 1.0, "mGy": 0.001}


@dataclass(frozen=True, slots=True)
class VolumeDose:
    volume: str | None
    dose_gy: float | None
    fractions: int | None

    def label(self) -> str:
        dose = f"{self.dose_gy:g} Gy" if self.dose_gy is not None else "? Gy"
        return f"{dose}/{self.fractions if self.fractions is not None else '?'} fx"


def dose_in_gy(ctx: MappingContext, res: ParsedResource, value: object) -> float | None:
    q = quantity(value)
    if q is None:
        return None
    amount, unit = q
    factor = _GY_PER_UNIT.get(unit or "")
    if factor is None:
        ctx.warn(res, f"dose unit {unit!r} is not cGy or Gy; dose ignored")
        return None
    return round(amount * factor, 4)


def _fractions(sub: dict | None) -> int | None:
    if sub is None:
        return None
    for key in ("valueUnsignedInt", "valuePositiveInt", "valueInteger"):
        value = integer(sub.get(key))
        if value is not None:
            return value
    return None


def volume_doses(ctx: MappingContext, res: ParsedResource, urls: Collection[str], dose_url: str,
                 fractions_url: str) -> list[VolumeDose]:
    out: list[VolumeDose] = []
    for ext in extensions(res.data, urls):
        volume = sub_extension(ext, "volume")
        dose = sub_extension(ext, dose_url)
        ref = reference(volume.get("valueReference")) if volume else None
        gy = dose_in_gy(ctx, res, dose.get("valueQuantity")) if dose else None
        fractions = _fractions(sub_extension(ext, fractions_url))
        out.append(VolumeDose(ctx.canonical(ref, res) if ref else None, gy, fractions))
    return out


def course_dose(ctx: MappingContext, res: ParsedResource, doses: list[VolumeDose]) -> VolumeDose | None:
    """The highest-dose volume; warns when the volumes got different regimens."""
    dosed = [d for d in doses if d.dose_gy is not None]
    if not dosed:
        return doses[0] if doses and doses[0].fractions is not None else None
    best = max(dosed, key=lambda d: d.dose_gy or 0.0)
    regimens = {(d.dose_gy, d.fractions) for d in doses}
    if len(regimens) > 1:
        ctx.warn(res, f"{len(doses)} volumes with different doses ({', '.join(d.label() for d in doses)}); "
                 f"the highest, {best.label()}, is recorded for the course")
    return best
