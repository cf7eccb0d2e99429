"""A folder of FHIR files or an NDJSON Bulk Data export, cut into one shard per patient.

One pass reads every file once and records *where* each patient's resources lie — file, byte
offset of the NDJSON line or JSON document, entry number inside a Bundle, and the resource's number
in the whole input — not the resources themselves, so the index costs 32 bytes per resource however
large the export is. Each shard is then read back on its own (``read_shard``), in any process, and
gives the record that reading the whole input at once gives: resources without a patient
(Practitioner, Medication…) go with every patient, a ``urn:uuid`` reference to a Patient in another
file is followed, warnings about a file go to the patients read from it.

What lies beside the resources in a real export is skipped with a notice, never fatal: a file with
no FHIR resource (``log.ndjson``, a manifest), lines that are not JSON or not resources (the
patients read from that file are told), OperationOutcome resources (a server's errors: every
patient is told that resources may be missing).
"""

from __future__ import annotations

import heapq
from array import array
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cds.state import Warning_
from fhir_mappings.reader import (
    UNKNOWN_PATIENT,
    Collected,
    Entry,
    FullUrlLookup,
    InputError,
    PatientRecord,
    flatten,
    group_records,
    loads,
    one_line,
    patient_key,
    patient_of,
    resource_id,
)

FHIR_SUFFIXES = (".json", ".ndjson")
_BOM = b"\xef\xbb\xbf"
_ROW = 4  # file number, byte offset, entry number in the value (-1: the value itself), position
_NO_ENTRY = -1
_CONTAINERS = frozenset({"Bundle", "OperationOutcome"})
"""Values that hold other resources or a server's errors, not one resource."""


@dataclass(frozen=True)
class InputFile:
    path: str
    ndjson: bool
    """One JSON value per line (read at byte offsets) rather than one JSON document."""


@dataclass(frozen=True)
class PatientShard:
    """Where one patient's resources lie; small enough to hand to another process."""

    source: str
    """The folder or file the shard comes from (the record's source when it spans several files)."""
    patient: str
    files: tuple[InputFile, ...]
    rows: bytes
    """Packed rows of ``_ROW`` 64-bit integers, in input order (own resources and shared ones)."""
    warnings: tuple[Warning_, ...] = ()

    @property
    def resource_count(self) -> int:
        return len(self.rows) // (8 * _ROW)


@dataclass
class _Rows:
    data: array = field(default_factory=lambda: array("q"))

    def add(self, file_no: int, offset: int, entry_no: int, position: int) -> None:
        self.data.extend((file_no, offset, entry_no, position))

    def tuples(self) -> Iterator[tuple[int, int, int, int]]:
        data = self.data
        for i in range(0, len(data), _ROW):
            yield data[i], data[i + 1], data[i + 2], data[i + 3]

    def file_numbers(self) -> set[int]:
        return set(self.data[0::_ROW])


def _merged(*parts: _Rows) -> array:
    """Rows of several groups in input order (each is already in input order)."""
    out = array("q")
    for row in heapq.merge(*(p.tuples() for p in parts), key=lambda r: r[3]):
        out.extend(row)
    return out


@dataclass
class FileNotes:
    """What was skipped in one file, said once per file, not once per line."""

    skipped: int = 0
    first: str = ""
    errors: int = 0
    first_error: str = ""

    def skip(self, where: str) -> None:
        self.skipped += 1
        self.first = self.first or where

    def error(self, text: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or text

    def merge(self, other: FileNotes) -> FileNotes:
        return FileNotes(self.skipped + other.skipped, self.first or other.first, self.errors + other.errors,
                         self.first_error or other.first_error)

    def said(self, path: Path | str, found: int) -> Said:
        """The notices for the user and the warnings for the records, once the file is read."""
        said = Said()
        if self.errors:
            message = (f"{path}: the server reported {self.errors} error(s) (first: {self.first_error}); "
                       "resources may be missing from the export")
            said.notices.append(f"warning: {message}")
            said.everyone.append(Warning_(resource="OperationOutcome", message=message))
        if not self.skipped:
            return said
        if not found:
            if not self.errors:
                said.notices.append(f"warning: {path}: no FHIR resources ({self.first}); skipped")
            return said
        message = (f"{path}: {self.skipped} line(s) skipped, not FHIR resources (first: {self.first}); "
                   "the other lines are used")
        said.notices.append(f"warning: {message}")
        said.readers.append(Warning_(message=message))
        return said


@dataclass
class Said:
    notices: list[str] = field(default_factory=list)
    everyone: list[Warning_] = field(default_factory=list)
    """Warnings for every patient of the input (a server's errors concern everyone)."""
    readers: list[Warning_] = field(default_factory=list)
    """Warnings for the patients read from the file."""


@dataclass
class ValueEntries:
    entries: list[tuple[int, Entry]] = field(default_factory=list)
    """(entry number in the value, or -1 for the value itself; the resource)."""
    warnings: list[Warning_] = field(default_factory=list)


def value_entries(value: Any, where: str, source: str, notes: FileNotes) -> ValueEntries:
    """The resources of one JSON value of an input file (a line or a document), as the reader
    takes them; what is not a resource is noted in ``notes``."""
    out = ValueEntries()
    if isinstance(value, list) and not where:  # a bare JSON array of resources
        for m, item in enumerate(value, start=1):
            if not isinstance(item, dict) or not isinstance(item.get("resourceType"), str):
                notes.skip(f"item {m}: not a FHIR resource")
        out.entries = list(enumerate(_flat_entries(value, source, checked=Collected())))
    elif not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        what = f"a JSON {type(value).__name__}" if not isinstance(value, dict) else "JSON without resourceType"
        notes.skip(f"{where}{what}, not a FHIR resource")
    elif value["resourceType"] == "OperationOutcome":
        for issue in value.get("issue") or []:
            if isinstance(issue, dict) and issue.get("severity") in {"error", "fatal"}:
                details = issue.get("details")
                text = issue.get("diagnostics") or (details.get("text") if isinstance(details, dict) else None)
                notes.error(one_line(str(text or issue.get("code") or "error"), 80))
    elif value["resourceType"] == "Bundle":
        checked = Collected()
        out.entries = list(enumerate(_flat_entries(value, source, checked=checked)))
        out.warnings = [w for _, w in checked.warnings]
    else:
        out.entries = [(_NO_ENTRY, Entry(value, None, source))]
    return out


def keyed(entries: list[tuple[int, Entry]], patient_urls: dict[str, str]) -> Iterator[
        tuple[int, Entry, str | None, bool]]:
    """(entry number, entry, patient key, patient-specific) of the resources of one value; a
    reference is resolved among the value's own fullUrls, then the Patients met so far."""
    local = {e.full_url: _url_target(e) for _, e in entries if e.full_url}

    def lookup(ref: str) -> tuple[str, str | None] | None:
        if ref in local:
            return local[ref]
        return ("Patient", patient_urls[ref]) if ref in patient_urls else None

    for entry_no, entry in entries:
        yield entry_no, entry, *resource_key(str(entry.resource.get("resourceType")), entry.resource,
                                             entry.full_url, lookup)


def resource_key(resource_type: str, resource: dict[str, Any], full_url: str | None,
                 lookup: FullUrlLookup) -> tuple[str | None, bool]:
    """(patient key, patient-specific) of one resource: a Patient is its own key."""
    if resource_type == "Patient":
        return patient_key(resource_id(resource), full_url), True
    return patient_of(resource_type, resource, lookup)


def entry_reference(entry: Entry, position: int) -> str:
    """How a resource is named in a warning (``Type/id``, else its fullUrl, else its position)."""
    resource_type = str(entry.resource.get("resourceType"))
    rid = resource_id(entry.resource)
    return f"{resource_type}/{rid}" if rid else entry.full_url or f"{resource_type}/#{position}"


class ShardPlan:
    """The index of one input: ``shards()`` yields one ``PatientShard`` per patient, in input order
    (patients in the order of their Patient resources, then patients only referenced)."""

    def __init__(self, source: str, files: list[Path]) -> None:
        self.source = source
        self._paths = files
        self._ndjson = [p.suffix.lower() == ".ndjson" for p in files]
        self.notices: list[str] = []
        """One line per file or group of lines skipped (for the user; not part of any record)."""
        self._file_warnings: dict[int, list[Warning_]] = {}
        self._everyone: list[Warning_] = []
        self._patients: dict[str, None] = {}
        self._groups: dict[str, _Rows] = {}
        self._shared = _Rows()
        self._orphans = _Rows()
        self._orphan_refs: list[str] = []
        self._patient_urls: dict[str, str] = {}
        self._position = 0
        self._resources = 0

    # ----------------------------------------------------------------------------------- indexing

    def _index(self) -> None:
        for file_no, path in enumerate(self._paths):
            notes = FileNotes()
            before = self._resources
            for offset, where, value in self._values(file_no, path, notes):
                self._index_value(file_no, offset, where, value, notes)
            self._say(file_no, path, notes, found=self._resources - before)

    def _values(self, file_no: int, path: Path, notes: FileNotes) -> Iterator[tuple[int, str, Any]]:
        """(byte offset, 'line N: ' or '', JSON value) of every value in the file."""
        if not self._ndjson[file_no]:
            data = _read(path).removeprefix(_BOM)
            if not data.strip():
                notes.skip("empty file")
                return
            try:
                yield 0, "", loads(data)
                return
            except ValueError as exc:
                if data.count(b"\n", 0, len(data.rstrip())) == 0:
                    notes.skip(f"not JSON ({_reason(exc)})")
                    return
            self._ndjson[file_no] = True  # a .json file holding NDJSON
        try:
            with path.open("rb") as handle:
                offset = 0
                for n, line in enumerate(handle, start=1):
                    start, offset = offset, offset + len(line)
                    text = line.removeprefix(_BOM) if n == 1 else line
                    if not text.strip():
                        continue
                    try:
                        yield start, f"line {n}: ", loads(text)
                    except ValueError as exc:
                        notes.skip(f"line {n} is not JSON ({_reason(exc)})")
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None

    def _index_value(self, file_no: int, offset: int, where: str, value: Any, notes: FileNotes) -> None:
        resource_type = value.get("resourceType") if isinstance(value, dict) else None
        if isinstance(resource_type, str) and resource_type not in _CONTAINERS:
            # One resource per line, nearly every line of a Bulk export: what value_entries and
            # keyed give for it, without building their lists (the index is serial work).
            key, specific = resource_key(resource_type, value, None, self._known_patient)
            self._add(file_no, offset, _NO_ENTRY, Entry(value, None, ""), key, specific)
            return
        read = value_entries(value, where, str(self._paths[file_no]), notes)
        self._file_warnings.setdefault(file_no, []).extend(read.warnings)
        for entry_no, entry, key, specific in keyed(read.entries, self._patient_urls):
            self._add(file_no, offset, entry_no, entry, key, specific)

    def _known_patient(self, ref: str) -> tuple[str, str | None] | None:
        key = self._patient_urls.get(ref)
        return None if key is None else ("Patient", key)

    def _add(self, file_no: int, offset: int, entry_no: int, entry: Entry, key: str | None, specific: bool) -> None:
        position = self._position
        self._position += 1
        self._resources += 1
        if key is not None:
            rows = self._groups.get(key)
            if rows is None:
                rows = self._groups[key] = _Rows()
            rows.add(file_no, offset, entry_no, position)
            if entry.resource.get("resourceType") == "Patient":
                self._patients.setdefault(key)
                if entry.full_url:
                    self._patient_urls[entry.full_url] = key
        elif specific:
            self._orphans.add(file_no, offset, entry_no, position)
            self._orphan_refs.append(entry_reference(entry, position))
        else:
            self._shared.add(file_no, offset, entry_no, position)

    def _say(self, file_no: int, path: Path, notes: FileNotes, found: int) -> None:
        said = notes.said(path, found)
        self.notices.extend(said.notices)
        self._everyone.extend(said.everyone)
        self._file_warnings.setdefault(file_no, []).extend(said.readers)

    def _finish(self) -> None:
        # a urn:uuid reference to a Patient met in a later file: that patient's record
        for key in [k for k in self._groups if k in self._patient_urls and self._patient_urls[k] != k]:
            target = self._patient_urls[key]
            moved = self._groups.pop(key)
            into = self._groups.get(target, _Rows())
            self._groups[target] = _Rows(_merged(into, moved))
        if len(self._groups) == 1 and self._orphans.data:
            (only,) = self._groups.values()
            only.data = _merged(only, self._orphans)
            self._orphans = _Rows()
            self._orphan_refs = []

    # ----------------------------------------------------------------------------------- shards

    def __len__(self) -> int:
        return len(self._groups) or (1 if self._resources else 0)

    @property
    def files(self) -> tuple[InputFile, ...]:
        return tuple(InputFile(str(p), nd) for p, nd in zip(self._paths, self._ndjson, strict=True))

    def shards(self) -> Iterator[PatientShard]:
        files = self.files
        if not self._groups:
            if self._resources:  # resources, but no patient anywhere: one record, as a single input gives
                rows = _merged(self._shared, self._orphans)
                yield PatientShard(self.source, UNKNOWN_PATIENT, files, rows.tobytes(), tuple(self._everyone))
            return
        orphans = tuple(Warning_(resource=ref, message="no resolvable patient reference and several patients "
                                 "in the input; not used") for ref in self._orphan_refs)
        single = len(self._groups) == 1
        order = [*self._patients, *(k for k in self._groups if k not in self._patients)]
        for key in order:
            own = self._groups[key]
            used = set(self._file_warnings) if single else own.file_numbers()
            warnings = [w for n in sorted(used & set(self._file_warnings)) for w in self._file_warnings[n]]
            yield PatientShard(self.source, key, files, _merged(own, self._shared).tobytes(),
                               (*warnings, *self._everyone, *orphans))


def input_files(path: Path) -> list[Path]:
    """The FHIR files of a folder (recursively, in name order) or the file itself."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FHIR_SUFFIXES)


def plan_shards(path: str | Path) -> ShardPlan:
    """Index a folder (every .json and .ndjson file in it, recursively) or one NDJSON file.

    Raises ``InputError`` when there is nothing to read: no such path, no FHIR file, no resource."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    files = input_files(path)
    if not files:
        raise InputError(f"{path}: folder holds no .json or .ndjson files")
    plan = ShardPlan(str(path), files)
    plan._index()
    if not plan._resources:
        detail = "; ".join(n.removeprefix("warning: ") for n in plan.notices[:2])
        raise InputError(one_line(f"{path}: no FHIR resources" + (f" ({detail})" if detail else ""), 300))
    plan._finish()
    return plan


# --------------------------------------------------------------------------------- reading back


class _Values:
    """Reads values at their addresses; the last few documents and Bundles stay parsed (a shard
    usually reads several entries of one Bundle)."""

    def __init__(self, files: tuple[InputFile, ...]) -> None:
        self.files = files
        self.handles: dict[int, IO[bytes]] = {}
        self.parsed: OrderedDict[tuple[int, int], Any] = OrderedDict()
        self.flat: OrderedDict[tuple[int, int], list[Entry]] = OrderedDict()

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()

    def value(self, file_no: int, offset: int) -> Any:
        key = (file_no, offset)
        if key in self.parsed:
            return self.parsed[key]
        file = self.files[file_no]
        if file.ndjson:
            handle = self.handles.get(file_no)
            if handle is None:
                handle = self.handles[file_no] = open(file.path, "rb")  # noqa: SIM115 - closed in close()
            handle.seek(offset)
            value = loads(handle.readline().removeprefix(_BOM))
        else:
            value = loads(_read(Path(file.path)).removeprefix(_BOM))
        _remember(self.parsed, key, value)
        return value

    def entry(self, file_no: int, offset: int, entry_no: int, position: int) -> Entry:
        source = self.files[file_no].path
        if entry_no == _NO_ENTRY:
            return Entry(self.value(file_no, offset), None, source, position)
        key = (file_no, offset)
        entries = self.flat.get(key)
        if entries is None:
            entries = _flat_entries(self.value(file_no, offset), source, checked=None)
            _remember(self.flat, key, entries)
        found = entries[entry_no]
        return Entry(found.resource, found.full_url, found.source, position)


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int = 4) -> None:
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)


def read_shard(shard: PatientShard) -> list[PatientRecord]:
    """The patient's record (one; the unknown patient's when the input names none)."""
    rows = array("q")
    rows.frombytes(shard.rows)
    collected = Collected()
    collected.warnings.extend((shard.source, w) for w in shard.warnings)
    values = _Values(shard.files)
    try:
        for i in range(0, len(rows), _ROW):
            collected.entries.append(values.entry(rows[i], rows[i + 1], rows[i + 2], rows[i + 3]))
    finally:
        values.close()
    return group_records(collected, shard.source)


def read_sharded(path: str | Path) -> list[PatientRecord]:
    """Every patient of a folder or NDJSON export, read shard by shard."""
    return [record for shard in plan_shards(path).shards() for record in read_shard(shard)]


# --------------------------------------------------------------------------------- helpers


def _flat_entries(value: Any, source: str, checked: Collected | None) -> list[Entry]:
    """The resources of a Bundle (flattened) or of a bare JSON array, as the reader takes them.
    ``checked`` collects the warnings of the first reading; later readings pass None."""
    out = Collected()
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and isinstance(item.get("resourceType"), str):
            flatten(item, None, source, out, check_wrapper=checked is not None)
    if checked is not None:
        checked.warnings.extend(out.warnings)
    return out.entries


def _url_target(entry: Entry) -> tuple[str, str | None]:
    resource_type = str(entry.resource.get("resourceType"))
    if resource_type == "Patient":
        return resource_type, patient_key(resource_id(entry.resource), entry.full_url)
    return resource_type, None


def _reason(exc: ValueError) -> str:
    return str(getattr(exc, "msg", None) or exc).split(":")[0]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
