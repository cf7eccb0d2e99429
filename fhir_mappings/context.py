"""One patient's resources, indexed once, with the evaluation time and the warning sink.

Every fact mapper reads through this: it resolves references (``Type/id``, absolute URLs,
``urn:uuid:`` fullUrls, ``#contained``), finds observations by code without rescanning, gives each
resource its clinical time, and has already removed what must not be used (entered-in-error,
cancelled, dated after ``as_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from cds.state import Warning_
from fhir_mappings import condition_codes
from fhir_mappings.dates import NO_TIME, FhirTime, When, aware, parse_fhir_time
from fhir_mappings.elements import codings, dicts, status_code
from fhir_mappings.elements import references as references_of
from fhir_mappings.reader import PatientRecord
from fhir_mappings.resources import ParsedResource, parse_resource

# The clinical time of each resource type: choice prefixes first, then plain fields as fallback.
_TIME_FIELDS: dict[str, tuple[str, ...]] = {
    "Observation": ("effective", "issued"),
    "Condition": ("onset", "recordedDate"),
    "Procedure": ("performed",),
    "DiagnosticReport": ("effective", "issued"),
    "ImagingStudy": ("started",),
    "Encounter": ("period",),
    "MedicationRequest": ("authoredOn",),
    "MedicationStatement": ("effective", "dateAsserted"),
    "MedicationAdministration": ("effective",),
    "ServiceRequest": ("authoredOn",),
}
_CHOICE_SUFFIXES = ("DateTime", "Period", "Instant", "Date")
_RETRACTED = frozenset({"entered-in-error", "cancelled"})


@cache
def _choice_names(prefix: str) -> tuple[str, ...]:
    return tuple(prefix + suffix for suffix in ("", *_CHOICE_SUFFIXES))


class MappingContext:
    """The record of one patient as the fact mappers see it."""

    def __init__(self, record: PatientRecord, as_of: datetime) -> None:
        self.record = record
        self.patient_id = record.patient_id
        self.as_of = aware(as_of)
        self.as_of_date = self.as_of.date()
        self.warnings: list[Warning_] = []
        self._seen_warnings: set[tuple[str | None, str]] = set()
        self._when: dict[int, When] = {}
        self._cancer_codes: dict[int, condition_codes.CancerCode] = {}
        self._by_ref: dict[str, ParsedResource] = {}
        for res in record.resources:
            for key in self._keys(res):
                self._by_ref.setdefault(key, res)
        self.resources: list[ParsedResource] = [r for r in record.resources if self._usable(r)]
        self.by_type: dict[str, list[ParsedResource]] = defaultdict(list)
        self._observations: dict[tuple[str, str], list[ParsedResource]] = defaultdict(list)
        for res in self.resources:
            self.by_type[res.resource_type].append(res)
            if res.resource_type == "Observation":
                for coding in codings(res.data.get("code")):
                    system, code = coding.get("system"), coding.get("code")
                    if isinstance(system, str) and isinstance(code, str):
                        self._observations[(system, code)].append(res)

    # ------------------------------------------------------------------ warnings

    def warn(self, resource: ParsedResource | str | None, message: str) -> None:
        ref = resource.reference if isinstance(resource, ParsedResource) else resource
        key = (ref, message)
        if key not in self._seen_warnings:
            self._seen_warnings.add(key)
            self.warnings.append(Warning_(resource=ref, message=message))

    # ------------------------------------------------------------------ references

    @staticmethod
    def _keys(res: ParsedResource) -> Iterable[str]:
        if res.id:
            yield f"{res.resource_type}/{res.id}"
        if res.full_url:
            yield res.full_url

    def resolve(self, ref: str | None, origin: ParsedResource | None = None) -> ParsedResource | None:
        """The resource a reference points to, when it is in the record."""
        if not ref:
            return None
        if ref.startswith("#"):
            return self._contained(ref[1:], origin)
        found = self._by_ref.get(ref)
        if found is not None:
            return found
        parts = [p for p in ref.split("?")[0].split("/") if p]
        if "_history" in parts:
            parts = parts[: parts.index("_history")]
        if len(parts) >= 2:
            return self._by_ref.get(f"{parts[-2]}/{parts[-1]}")
        return None

    def _contained(self, local_id: str, origin: ParsedResource | None) -> ParsedResource | None:
        if origin is None:
            return None
        for inner in dicts(origin.raw.get("contained")):
            if inner.get("id") == local_id and isinstance(inner.get("resourceType"), str):
                return parse_resource(inner, full_url=f"{origin.reference}#{local_id}", source=origin.source)
        return None

    def canonical(self, ref: str | None, origin: ParsedResource | None = None) -> str | None:
        """The reference as the state records it (``Type/id`` or the urn fullUrl) when resolvable."""
        target = self.resolve(ref, origin)
        return target.reference if target is not None else ref

    # ------------------------------------------------------------------ filtering

    def _usable(self, res: ParsedResource) -> bool:
        data = res.data
        status = data.get("status")
        if isinstance(status, str) and status in _RETRACTED and res.resource_type != "ServiceRequest":
            return False  # retracted: as if never recorded (a revoked order is handled in orders.py)
        if res.resource_type == "Condition" and status_code(data, "verificationStatus") == "entered-in-error":
            return False
        earliest = self.when(res).earliest
        if earliest is not None and earliest.start > self.as_of:
            self.warn(res, f"dated {earliest.text} (after the evaluation time "
                      f"{self.as_of.isoformat(timespec='minutes')}); ignored")
            return False
        return True

    # ------------------------------------------------------------------ times

    def parse_time(self, res: ParsedResource | None, field: str, value: Any) -> FhirTime | None:
        parsed = parse_fhir_time(value)
        if parsed is None:
            if value is not None and res is not None:
                self.warn(res, f"{field} {value!r} is not a FHIR date/dateTime; ignored")
            return None
        if parsed.assumed_utc and res is not None:
            self.warn(res, f"{field} {parsed.text} has a time without a timezone; read as UTC")
        return parsed

    def choice_time(self, res: ParsedResource, prefix: str) -> When:
        """effective[x] / onset[x] / performed[x] / a plain date field / a Period field."""
        data = res.data
        for name in _choice_names(prefix):
            if name not in data:
                continue
            value = data[name]
            if isinstance(value, dict):  # a Period
                begins = self.parse_time(res, f"{name}.start", value.get("start"))
                ends = self.parse_time(res, f"{name}.end", value.get("end"))
                return When(begins, ends, name)
            moment = self.parse_time(res, name, value)
            return When(moment, None, name)
        return NO_TIME

    def when(self, res: ParsedResource) -> When:
        """The clinical time of a resource (cached): effective/onset/performed/…, with fallbacks."""
        cached = self._when.get(id(res))
        if cached is not None:
            return cached
        result = NO_TIME
        for prefix in _TIME_FIELDS.get(res.resource_type, ()):
            result = self.choice_time(res, prefix)
            if result.known:
                break
        self._when[id(res)] = result
        return result

    # ------------------------------------------------------------------ lookups

    def cancer_code(self, res: ParsedResource) -> condition_codes.CancerCode:
        """What a Condition's code says about cancer (read once per resource)."""
        found = self._cancer_codes.get(id(res))
        if found is None:
            found = self._cancer_codes[id(res)] = condition_codes.classify(res.data)
        return found

    def observations(self, system: str, codes: Iterable[str]) -> list[ParsedResource]:
        """Usable Observations carrying any of ``codes`` in ``system``, in input order."""
        found: dict[int, ParsedResource] = {}
        for code in codes:
            for res in self._observations.get((system, code), ()):
                found.setdefault(id(res), res)
        return sorted(found.values(), key=lambda r: r.position)

    def of_type(self, *resource_types: str) -> list[ParsedResource]:
        out: list[ParsedResource] = []
        for resource_type in resource_types:
            out.extend(self.by_type.get(resource_type, ()))
        return out

    def patient(self) -> ParsedResource | None:
        patients = self.by_type.get("Patient", [])
        for res in patients:
            if res.id == self.patient_id or res.full_url == self.patient_id:
                return res
        return patients[0] if patients else None

    def is_site_specific(self, res: ParsedResource) -> bool:
        """An Observation about a site (bodySite, or focus on something other than the Patient)."""
        if res.data.get("bodySite"):
            return True
        for ref in references_of(res.data.get("focus")):
            target = self.resolve(ref, res)
            if target is None or target.resource_type != "Patient":
                return True
        return False

    def all_references(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.reference for r in self.record.resources))
