"""Input → resources grouped per patient.

Accepts a Bundle of any type (collection, searchset, transaction, document; nested Bundles are
flattened), a single resource, NDJSON (a Bulk Data export: one file per resource type), a directory
of such files, stdin, or a CDS Hooks prefetch map. Every resource is validated on its own
(``resources.parse_resource``); only input that is not FHIR at all raises ``InputError``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cds.state import Warning_
from fhir_mappings.elements import as_list, reference
from fhir_mappings.resources import ParsedResource, parse_resource

PREFETCH = "prefetch"
STDIN = "stdin"
UNKNOWN_PATIENT = "unknown"


class InputError(Exception):
    """The input is unreadable or not FHIR at all. The message names the source and the problem."""


@dataclass(frozen=True)
class Coverage:
    """Which kinds of resource the input covers.

    A silence in a covered type is *not recorded* (the catalogue of facts says whether it may be
    read as absence); a silence in a type the input does not cover is *unknown*. A Bundle or a Bulk
    export is the patient's record and covers every type (``types`` is None) unless the user says
    otherwise; a CDS Hooks prefetch covers the types of the keys that were answered.
    """

    types: frozenset[str] | None = None

    def covers(self, resource_type: str) -> bool:
        return self.types is None or resource_type in self.types

    def covered(self, *resource_types: str) -> tuple[str, ...]:
        """The given types that this input covers, in the order given."""
        return tuple(t for t in resource_types if self.covers(t))

    @property
    def whole_record(self) -> bool:
        return self.types is None


WHOLE_RECORD = Coverage()


@dataclass
class PatientRecord:
    patient_id: str
    resources: list[ParsedResource]
    warnings: list[Warning_] = field(default_factory=list)
    source: str = ""
    coverage: Coverage = WHOLE_RECORD


@dataclass(slots=True)
class Entry:
    resource: dict[str, Any]
    full_url: str | None
    source: str
    position: int | None = None
    """The entry's number in the whole input, when it is read as part of it (a patient shard)."""


@dataclass
class Collected:
    entries: list[Entry] = field(default_factory=list)
    warnings: list[tuple[str, Warning_]] = field(default_factory=list)
    """(source, warning): a warning about an input goes to the patients read from that input."""

    def warn(self, source: str, resource: str | None, message: str) -> None:
        self.warnings.append((source, Warning_(resource=resource, message=message)))


# --------------------------------------------------------------------------- raw input → entries


def one_line(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{source}: empty input, no FHIR resources")
    return text


def _not_json_problem(text: str, exc: json.JSONDecodeError) -> str:
    head = text.lstrip()[:200].lower()
    if head.startswith("<"):
        if "hl7.org/fhir" in head:
            return "FHIR XML is not supported; send FHIR JSON"
        return "not JSON (looks like an HTML or XML page)"
    return f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"


def loads(data: bytes | str) -> Any:
    """One JSON value: orjson (several times faster than json), json for what orjson refuses but
    json reads (NaN, numbers beyond double range), so that both accept the same documents."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def _parse_json_or_ndjson(text: str, source: str) -> list[Any]:
    """The JSON value(s) of a document: one JSON value, or one per non-empty NDJSON line."""
    try:
        return [loads(text)]
    except json.JSONDecodeError as exc:
        first_error = exc
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) < 2:
        raise InputError(f"{source}: {_not_json_problem(text, first_error)}")
    values: list[Any] = []
    for n, line in lines:
        try:
            values.append(loads(line))
        except json.JSONDecodeError as exc:
            if n == lines[0][0]:
                raise InputError(f"{source}: {_not_json_problem(text, first_error)}") from None
            raise InputError(f"{source}: line {n} is not JSON ({exc.msg}); NDJSON needs one resource "
                             "per line") from None
    return values


def _check_resource(value: Any, source: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{source}: {where}is a JSON {type(value).__name__}, not a FHIR resource")
    resource_type = value.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        raise InputError(f"{source}: {where}JSON without resourceType, not a FHIR resource")
    return value


def flatten(resource: dict[str, Any], full_url: str | None, source: str, out: Collected,
             check_wrapper: bool = True) -> None:
    """Add a resource; a Bundle is replaced by its entries (recursively), never losing them."""
    if resource.get("resourceType") != "Bundle":
        out.entries.append(Entry(resource, full_url, source))
        return
    if check_wrapper:
        _check_bundle_wrapper(resource, source, out)
    for n, entry in enumerate(as_list(resource.get("entry"))):
        if not isinstance(entry, dict):
            out.warn(source, _bundle_ref(resource), f"entry[{n}] is not an object; skipped")
            continue
        inner = entry.get("resource")
        if inner is None:
            continue  # e.g. a transaction DELETE or a response entry: nothing to read
        if not isinstance(inner, dict) or not isinstance(inner.get("resourceType"), str):
            out.warn(source, _bundle_ref(resource), f"entry[{n}].resource has no resourceType; skipped")
            continue
        search = entry.get("search")
        if inner.get("resourceType") == "OperationOutcome":
            _note_outcome(inner, source, out)
            continue
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue
        url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
        flatten(inner, url, source, out, check_wrapper)


def _bundle_ref(bundle: dict[str, Any]) -> str:
    bundle_id = bundle.get("id")
    return f"Bundle/{bundle_id}" if isinstance(bundle_id, str) and bundle_id else "Bundle"


def _check_bundle_wrapper(bundle: dict[str, Any], source: str, out: Collected) -> None:
    """Validate the Bundle without its entries (those are validated one by one)."""
    shell = {k: v for k, v in bundle.items() if k != "entry"}
    parsed = parse_resource(shell, source=source)
    for warning in parsed.warnings:
        out.warn(source, _bundle_ref(bundle),
                 warning.message.replace("; the other fields are still used", "; its entries are still used"))


def _note_outcome(outcome: dict[str, Any], source: str, out: Collected) -> None:
    for issue in as_list(outcome.get("issue")):
        if isinstance(issue, dict) and issue.get("severity") in {"error", "fatal"}:
            text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or issue.get("code")
            out.warn(source, "OperationOutcome", one_line(f"server reported an error: {text}"))


def _collect_text(text: str, source: str, out: Collected) -> None:
    values = _parse_json_or_ndjson(text, source)
    multi = len(values) > 1
    for n, value in enumerate(values, start=1):
        if isinstance(value, list) and not multi:
            # A bare JSON array of resources: not FHIR-standard, but unambiguous.
            for m, item in enumerate(value, start=1):
                flatten(_check_resource(item, source, f"item {m} "), None, source, out)
            continue
        resource = _check_resource(value, source, f"line {n}: " if multi else "")
        flatten(resource, None, source, out)


# --------------------------------------------------------------------------- entries → records


_SUBJECT_FIELDS = ("subject", "patient")


def _split_reference(ref: str) -> tuple[str | None, str] | None:
    """'Patient/1', 'http://x/fhir/Patient/1/_history/2' -> ('Patient', '1'); 'urn:uuid:x' -> (None, ref)."""
    if ref.startswith(("urn:uuid:", "urn:oid:")):
        return None, ref
    if "?" in ref or ref.startswith("#"):
        return None  # conditional or contained: not a patient identity
    parts = [p for p in ref.split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2:
        return parts[-2], parts[-1]
    return None


def resource_id(raw: dict[str, Any]) -> str | None:
    """``Resource.id`` as ``parse_resource`` reads it (stripped; empty is no id)."""
    value = raw.get("id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def patient_key(resource_id: str | None, full_url: str | None) -> str:
    """The key a Patient resource groups its record under."""
    return resource_id or full_url or UNKNOWN_PATIENT


FullUrlLookup = Callable[[str], "tuple[str, str | None] | None"]
"""fullUrl → (resource type, patient key when it is a Patient) of a resource in the input."""


def patient_of(resource_type: str, raw: dict[str, Any], lookup: FullUrlLookup) -> tuple[str | None, bool]:
    """(patient key, whether the resource is patient-specific at all) of a non-Patient resource."""
    specific = False
    for name in _SUBJECT_FIELDS:
        if name not in raw:
            continue
        specific = True
        ref = reference(raw.get(name))
        if ref is None:
            continue
        target = lookup(ref)
        if target is not None:
            if target[1] is not None:
                return target[1], True
            continue
        split = _split_reference(ref)
        if split is None:
            continue
        kind, ident = split
        if kind == "Patient" or (kind is None and ident.startswith("urn:")):
            return ident, True
    return None, specific


class _PatientResolver:
    def __init__(self, parsed: list[ParsedResource]) -> None:
        self.by_full_url: dict[str, ParsedResource] = {p.full_url: p for p in parsed if p.full_url}
        patients: dict[str, None] = {}  # ordered set: a list membership test is quadratic in patients
        for p in parsed:
            if p.resource_type == "Patient":
                patients.setdefault(self.patient_key(p))
        self.patients = list(patients)

    @staticmethod
    def patient_key(patient: ParsedResource) -> str:
        return patient_key(patient.id, patient.full_url)

    def _lookup(self, ref: str) -> tuple[str, str | None] | None:
        target = self.by_full_url.get(ref)
        if target is None:
            return None
        return target.resource_type, (self.patient_key(target) if target.resource_type == "Patient" else None)

    def of(self, res: ParsedResource) -> tuple[str | None, bool]:
        """(patient key, whether the resource is patient-specific at all)."""
        if res.resource_type == "Patient":
            return self.patient_key(res), True
        return patient_of(res.resource_type, res.raw, self._lookup)


def _dedupe(parsed: list[ParsedResource]) -> list[ParsedResource]:
    """One resource per reference: the same resource often arrives twice (bundle + single file)."""
    kept: dict[str, ParsedResource] = {}
    order: list[str] = []
    for res in parsed:
        key = res.reference if res.id or res.full_url else f"#{res.position}"
        previous = kept.get(key)
        if previous is None:
            kept[key] = res
            order.append(key)
            continue
        if _content(previous.raw) == _content(res.raw):
            continue  # same resource; only the narrative or meta differ
        newer = res if _last_updated(res) >= _last_updated(previous) else previous
        kept[key] = newer
        newer.warnings.append(Warning_(
            resource=res.reference,
            message=f"appears more than once with different content ({previous.source}, {res.source}); "
            "the most recently updated copy is used"))
    return [kept[key] for key in order]


def _content(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in {"text", "meta"}}


def _last_updated(res: ParsedResource) -> str:
    meta = res.raw.get("meta")
    value = meta.get("lastUpdated") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else ""


def group_records(collected: Collected, default_source: str,
           forced_patient: str | None = None) -> list[PatientRecord]:
    parsed = [parse_resource(e.resource, full_url=e.full_url, source=e.source,
                             position=n if e.position is None else e.position)
              for n, e in enumerate(collected.entries)]
    warnings: list[Warning_] = []  # for every record: nobody can tell whose they are
    parsed = _dedupe(parsed)
    resolver = _PatientResolver(parsed)

    grouped: dict[str, list[ParsedResource]] = {}
    if forced_patient is not None:
        grouped[forced_patient] = []
    for key in resolver.patients:
        grouped.setdefault(key, [])
    shared: list[ParsedResource] = []
    orphans: list[ParsedResource] = []
    assignments: list[tuple[ParsedResource, str | None, bool]] = []
    for res in parsed:
        key, specific = resolver.of(res)
        assignments.append((res, key, specific))
        if key is not None and forced_patient is None:
            grouped.setdefault(key, [])

    for res, key, specific in assignments:
        if forced_patient is not None and key is not None and key != forced_patient:
            warnings.append(Warning_(resource=res.reference,
                                     message=f"belongs to patient {key}, not {forced_patient}; ignored"))
            continue
        if forced_patient is not None:
            key = forced_patient if (key is not None or specific) else None
        if key is not None:
            grouped[key].append(res)
        elif specific:
            orphans.append(res)
        else:
            shared.append(res)  # Practitioner, Organization, Medication…: context for every patient

    if not grouped and (orphans or shared):
        grouped[UNKNOWN_PATIENT] = []
        warnings.append(Warning_(message="no Patient and no patient reference found; "
                                 f"the resources are mapped as patient {UNKNOWN_PATIENT!r}"))
    if len(grouped) == 1:
        only = next(iter(grouped))
        grouped[only].extend(orphans)
        orphans = []
    for res in orphans:
        warnings.append(Warning_(resource=res.reference,
                                 message="no resolvable patient reference and several patients in the input; "
                                 "not used"))

    records: list[PatientRecord] = []
    shared_ids = {id(r) for r in shared}
    for key, members in grouped.items():
        members = sorted([*members, *shared], key=lambda r: r.position)
        own = [r for r in members if id(r) not in shared_ids] or members
        sources = {r.source for r in own if r.source}
        input_warnings = [w for src, w in collected.warnings if src in sources or len(grouped) == 1]
        record_warnings = [w for r in members for w in r.warnings]
        source = next(iter(sources)) if len(sources) == 1 else default_source
        records.append(PatientRecord(patient_id=key, resources=members,
                                     warnings=[*input_warnings, *warnings, *record_warnings], source=source))
    return records


# --------------------------------------------------------------------------- public API


def read_bytes(data: bytes, source: str) -> list[PatientRecord]:
    """Read JSON (a Bundle or a resource) or NDJSON from bytes; ``source`` names it in messages."""
    out = Collected()
    _collect_text(_decode(data, source), source, out)
    return group_records(out, source)


def read_path(path: str | Path) -> list[PatientRecord]:
    """Read a file, a folder (recursively: Bulk Data NDJSON files, single resources and Bundles are
    grouped by patient), an NDJSON file (a Bulk export in one file) or "-" (stdin)."""
    if str(path) == "-":
        return read_bytes(sys.stdin.buffer.read(), STDIN)
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".ndjson":
        from fhir_mappings.patient_shards import read_sharded  # the folder reader builds on this module

        return read_sharded(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    return read_bytes(_read(path), str(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def records_from_prefetch(prefetch: dict[str, object],
                          context_patient_id: str | None = None,
                          key_types: dict[str, str] | None = None) -> PatientRecord:
    """A CDS Hooks prefetch map (key → resource or searchset Bundle) as one patient's record.

    A value that is None or an OperationOutcome was not fetched: it is skipped (the caller decides
    whether to fetch it). Resources of another patient are left out with a warning.

    ``key_types`` maps each prefetch key to the resource type its query searches. The record
    covers the types of the keys answered with a resource or a Bundle (even an empty one); an
    absent key, ``null`` or an OperationOutcome covers nothing, so what it would hold stays unknown.
    """
    out = Collected()
    covered: set[str] = set()
    for key, value in prefetch.items():
        if value is None:
            continue
        if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
            out.warn(PREFETCH, f"prefetch {key!r}", "not a FHIR resource; skipped")
            continue
        if value.get("resourceType") == "OperationOutcome":
            continue
        if key_types and key in key_types:
            covered.add(key_types[key])
        elif value.get("resourceType") != "Bundle":
            covered.add(str(value["resourceType"]))
        flatten(value, None, f"{PREFETCH}:{key}", out)
    coverage = Coverage(frozenset(covered))
    record = _record_from_prefetch(out, context_patient_id)
    record.coverage = coverage
    return record


def _record_from_prefetch(out: Collected, context_patient_id: str | None) -> PatientRecord:
    patient = context_patient_id
    if patient is None:
        patients = [e.resource.get("id") for e in out.entries if e.resource.get("resourceType") == "Patient"]
        patient = next((p for p in patients if isinstance(p, str) and p), None)
    if patient is None:
        records = group_records(out, PREFETCH)
        if not records:
            return PatientRecord(patient_id=UNKNOWN_PATIENT, resources=[],
                                 warnings=[w for _, w in out.warnings], source=PREFETCH)
        if len(records) > 1:
            merged = PatientRecord(patient_id=records[0].patient_id, resources=records[0].resources,
                                   warnings=records[0].warnings, source=PREFETCH)
            merged.warnings.append(Warning_(message=f"prefetch holds several patients; mapped "
                                            f"{records[0].patient_id}, ignored the others"))
            return merged
        records[0].source = PREFETCH
        return records[0]
    records = group_records(out, PREFETCH, forced_patient=patient)
    record = records[0]
    record.source = PREFETCH
    return record


__all__ = ["WHOLE_RECORD", "Coverage", "InputError", "PatientRecord", "read_bytes", "read_path",
           "records_from_prefetch"]
