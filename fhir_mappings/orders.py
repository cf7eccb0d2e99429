"""Draft radiotherapy orders from CDS Hooks order-select / order-sign (``context.draftOrders``).

Only radiotherapy ServiceRequests (codes as for prior radiotherapy) are returned. The regimen comes
from the CodeX planned-course dose extension when present, else from quantity/occurrenceTiming,
else from free text ("8 Gy x 1", "20 Gy in 5 fractions", "24Gy/2fx", "30 Gy/10"), and the order
says which. Malformed requests (``"code": {"coding": [{}]}``) are simply not radiotherapy orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from fhir_mappings.body_sites import site_from
from fhir_mappings.codes import SNOMED, codelist
from fhir_mappings.context import MappingContext
from fhir_mappings.elements import as_list, dicts, has_code, integer, quantity
from fhir_mappings.prior_radiotherapy import STEREOTACTIC_SNOMED, is_radiotherapy
from fhir_mappings.reader import PatientRecord
from fhir_mappings.resources import ParsedResource, parse_resource
from fhir_mappings.rt_dose import course_dose, volume_doses

Technique = Literal["conventional", "sbrt", "sib-imrt"]
RegimenSource = Literal["extension", "quantity", "text"]

PLANNED_DOSE: tuple[str, ...] = tuple(codelist("extensions")["planned_dose_to_volume"])
CONVENTIONAL_SNOMED = ("1162782007",)  # three-dimensional conformal EBRT
_GY = {"gy": 1.0, "cgy": 0.01}
_NUM = r"(\d+(?:[.,]\d+)?)"
_UNIT = r"\s*(c?gy)\b"
# "8 Gy x 1" / "4 Gy × 5": dose per fraction times the number of fractions.
_PER_FRACTION = re.compile(_NUM + _UNIT + r"\s*(?:x|×|\*)\s*(\d+)\b", re.IGNORECASE)
# "5 x 4 Gy": fractions times dose per fraction.
_FRACTIONS_FIRST = re.compile(r"\b(\d+)\s*(?:x|×|\*)\s*" + _NUM + _UNIT, re.IGNORECASE)
# "20 Gy in 5 fractions", "24Gy/2fx", "30 Gy/10", "30 Gy over 10 fractions": total dose and fractions.
_TOTAL_IN = re.compile(
    _NUM + _UNIT + r"\s*(?:in|/|over)\s*(\d+)\s*(?:fractions?|fx|fr|#)?", re.IGNORECASE)
_SINGLE = re.compile(_NUM + _UNIT + r"\s*(?:single\s+fraction|in\s+(?:a\s+|one\s+)?single\s+fraction|sf)\b",
                     re.IGNORECASE)
_DOSE_ONLY = re.compile(_NUM + _UNIT, re.IGNORECASE)
_SBRT_TEXT = re.compile(r"\b(?:SBRT|SABR|SRS|stereotactic)\b", re.IGNORECASE)
_SIB_TEXT = re.compile(r"\b(?:SIB|simultaneous(?:ly)?[\s-]+integrated[\s-]+boost)\b", re.IGNORECASE)
_CONVENTIONAL_TEXT = re.compile(r"\b(?:conventional|3D-?CRT|2D)\b", re.IGNORECASE)


@dataclass
class DraftRadiotherapyOrder:
    id: str
    reference: str
    site: str | None
    levels: tuple[str, ...]
    bones: tuple[str, ...]
    dose_gy: float | None
    fractions: int | None
    technique: Technique | None
    regimen_source: RegimenSource | None
    warnings: list[str] = field(default_factory=list)


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_regimen_text(text: str) -> tuple[float | None, int | None, str | None]:
    """(total dose Gy, fractions, the matched text) from free text; (None, None, None) when absent."""
    for pattern, kind in ((_SINGLE, "single"), (_PER_FRACTION, "per"), (_FRACTIONS_FIRST, "first"),
                          (_TOTAL_IN, "total")):
        match = pattern.search(text)
        if match is None:
            continue
        if kind == "single":
            return round(_number(match.group(1)) * _GY[match.group(2).lower()], 4), 1, match.group(0)
        if kind == "per":
            per = _number(match.group(1)) * _GY[match.group(2).lower()]
            n = int(match.group(3))
            return round(per * n, 4), n, match.group(0)
        if kind == "first":
            n = int(match.group(1))
            per = _number(match.group(2)) * _GY[match.group(3).lower()]
            return round(per * n, 4), n, match.group(0)
        total = _number(match.group(1)) * _GY[match.group(2).lower()]
        return round(total, 4), int(match.group(3)), match.group(0)
    match = _DOSE_ONLY.search(text)
    if match is not None:
        return round(_number(match.group(1)) * _GY[match.group(2).lower()], 4), None, match.group(0)
    return None, None, None


def _texts(data: dict[str, Any]) -> list[str]:
    """Free text of the order: notes, orderDetail, patient instruction, code text."""
    out: list[str] = []
    for note in dicts(data.get("note")):
        if isinstance(note.get("text"), str):
            out.append(note["text"])
    for detail in dicts(data.get("orderDetail")):
        if isinstance(detail.get("text"), str):
            out.append(detail["text"])
        for coding in dicts(detail.get("coding")):
            if isinstance(coding.get("display"), str):
                out.append(coding["display"])
    for key in ("patientInstruction",):
        if isinstance(data.get(key), str):
            out.append(data[key])
    code = data.get("code")
    if isinstance(code, dict) and isinstance(code.get("text"), str):
        out.append(code["text"])
    return out


def _regimen_from_quantity(ctx: MappingContext, res: ParsedResource,
                           order: DraftRadiotherapyOrder) -> None:
    data = res.data
    q = quantity(data.get("quantityQuantity"))
    if q is not None:
        amount, unit = q
        if unit is not None and unit.lower() in _GY:
            order.dose_gy = round(amount * _GY[unit.lower()], 4)
        elif integer(amount) is not None:
            order.fractions = integer(amount)  # a unit-less quantity of a radiotherapy order: fractions
    ratio = data.get("quantityRatio")
    if isinstance(ratio, dict):
        numerator, denominator = quantity(ratio.get("numerator")), quantity(ratio.get("denominator"))
        if numerator and numerator[1] and numerator[1].lower() in _GY:
            order.dose_gy = round(numerator[0] * _GY[numerator[1].lower()], 4)
        if denominator and integer(denominator[0]) is not None:
            order.fractions = integer(denominator[0])
    timing = data.get("occurrenceTiming")
    if isinstance(timing, dict) and order.fractions is None:
        repeat = timing.get("repeat")
        count = integer(repeat.get("count")) if isinstance(repeat, dict) else None
        if count is not None:
            order.fractions = count
    if order.dose_gy is not None or order.fractions is not None:
        order.regimen_source = "quantity"


def _technique(data: dict[str, Any], texts: list[str]) -> Technique | None:
    joined = " ".join(texts)
    if has_code(data.get("code"), SNOMED, STEREOTACTIC_SNOMED) or has_code(
            data.get("category"), SNOMED, STEREOTACTIC_SNOMED) or _SBRT_TEXT.search(joined):
        return "sbrt"
    if _SIB_TEXT.search(joined):
        return "sib-imrt"
    if has_code(data.get("code"), SNOMED, CONVENTIONAL_SNOMED) or _CONVENTIONAL_TEXT.search(joined):
        return "conventional"
    return None


def _order(ctx: MappingContext, res: ParsedResource) -> DraftRadiotherapyOrder:
    data = res.data
    site = site_from(data.get("bodySite"))
    order = DraftRadiotherapyOrder(
        id=res.id or res.reference, reference=res.reference, site=None if site.empty else site.label,
        levels=site.levels, bones=site.bones, dose_gy=None, fractions=None, technique=None,
        regimen_source=None, warnings=[w.message for w in res.warnings])
    texts = _texts(data)
    doses = volume_doses(ctx, res, PLANNED_DOSE, "totalDose", "fractions")
    planned = course_dose(ctx, res, doses)
    if planned is not None and (planned.dose_gy is not None or planned.fractions is not None):
        order.dose_gy, order.fractions, order.regimen_source = planned.dose_gy, planned.fractions, "extension"
    else:
        _regimen_from_quantity(ctx, res, order)
    if order.dose_gy is None or order.fractions is None:
        for text in texts:
            dose, fractions, matched = parse_regimen_text(text)
            if dose is None and fractions is None:
                continue
            if order.regimen_source is None or (order.dose_gy is None and order.fractions is not None
                                                and fractions == order.fractions):
                order.dose_gy = order.dose_gy if order.dose_gy is not None else dose
                order.fractions = order.fractions if order.fractions is not None else fractions
                order.regimen_source = "text"
                order.warnings.append(f"regimen parsed from text: {matched!r}")
            break
    if order.dose_gy is None or order.fractions is None:
        missing = "no dose" if order.dose_gy is None else "no fractions"
        order.warnings.append(f"regimen incomplete: {missing}")
    if site.empty:
        order.warnings.append("no bodySite: treatment site unknown")
    order.technique = _technique(data, texts)
    order.warnings.extend(w.message for w in ctx.warnings if w.resource == res.reference)
    order.warnings = list(dict.fromkeys(order.warnings))
    return order


def _service_requests(bundle: dict[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    """ServiceRequests in a Bundle (recursively) or a single resource, with their fullUrls."""
    if not isinstance(bundle, dict):
        return []
    if bundle.get("resourceType") == "ServiceRequest":
        return [(bundle, None)]
    out: list[tuple[dict[str, Any], str | None]] = []
    if bundle.get("resourceType") == "Bundle":
        for entry in dicts(bundle.get("entry")):
            inner = entry.get("resource")
            if not isinstance(inner, dict):
                continue
            if inner.get("resourceType") == "Bundle":
                out.extend(_service_requests(inner))
            elif inner.get("resourceType") == "ServiceRequest":
                url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
                out.append((inner, url))
    return out


def _selected(res: ParsedResource, selections: list[str] | None) -> bool:
    if selections is None:
        return True
    names = {res.reference, res.id, res.full_url, f"ServiceRequest/{res.id}"}
    return any(s in names for s in as_list(selections))


def parse_draft_orders(draft_orders_bundle: dict[str, Any],
                       selections: list[str] | None = None) -> list[DraftRadiotherapyOrder]:
    """The radiotherapy ServiceRequests among the draft orders (only the selected ones, if given)."""
    parsed = [parse_resource(raw, full_url=url, source="draftOrders", position=n)
              for n, (raw, url) in enumerate(_service_requests(draft_orders_bundle))]
    record = PatientRecord(patient_id="draft-orders", resources=parsed, source="draftOrders")
    # Orders are drafts dated now or later: evaluate "as of" far enough ahead not to filter them.
    ctx = MappingContext(record, datetime.max.replace(tzinfo=UTC))
    orders: list[DraftRadiotherapyOrder] = []
    for res in parsed:
        if _selected(res, selections) and is_radiotherapy(res.data):
            orders.append(_order(ctx, res))
    return orders
