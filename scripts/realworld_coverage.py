"""How much of a real-world FHIR corpus the mapper recognises.

Usage: ``python scripts/realworld_coverage.py [--as-of 2026-12-01] PATH...`` where each PATH is a
JSON/NDJSON file or a folder. A folder holding ``*.ndjson`` files is read as one Bulk Data export
(its resource files together; ``log.ndjson`` and other non-resource files are skipped); any other
folder is walked and every ``*.json`` file in it read on its own.

Prints one JSON object: files read, patients, cancer patients (a Condition that is a cancer by the
ICD-10 range C00–D49, an mCODE cancer profile, or a code in one of the shipped oncology ValueSets —
the same test whatever the mapper version), how many of them get a recognised primary (histology
known), oncological Conditions the mapper neither used nor named in a warning ("silently dropped"),
"not recognised" warnings, warnings per file (median, max), bone lesions and radiotherapy courses.
Run it on two checkouts (``PYTHONPATH=<checkout>``) to compare before and after.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

VALUESETS = Path(__file__).resolve().parent.parent / "fhir_mappings" / "valuesets"
_ONCOLOGY_PREFIXES = ("ValueSet-primary-", "ValueSet-metastasis-", "ValueSet-neoplasm-")


def oncology_codes() -> set[tuple[str, str]]:
    codes: set[tuple[str, str]] = set()
    for path in VALUESETS.glob("ValueSet-*.json"):
        if path.name.startswith(_ONCOLOGY_PREFIXES):
            data = json.loads(path.read_text(encoding="utf-8"))
            codes.update((c["system"], c["code"]) for c in data.get("expansion", {}).get("contains", []))
    return codes


def is_cancer_condition(res: dict[str, Any], codes: set[tuple[str, str]]) -> bool:
    if res.get("resourceType") != "Condition":
        return False
    profiles = (res.get("meta") or {}).get("profile") or []
    if any("cancer-condition" in p for p in profiles if isinstance(p, str)):
        return True
    for coding in (res.get("code") or {}).get("coding") or []:
        system, code = str(coding.get("system", "")), str(coding.get("code", "")).upper()
        icd = "icd-10" in system or system.endswith((".6.90", ".6.3"))
        if icd and (code[:1] == "C" or (code[:1] == "D" and code[1:3].isdigit() and int(code[1:3]) <= 49)):
            return True
        if (system, str(coding.get("code", ""))) in codes:
            return True
    return False


def inputs(paths: list[str]) -> list[tuple[str, bytes]]:
    """(name, content) per unit to read: a file, or the resource files of a Bulk export folder."""
    out: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            out.append((str(path), path.read_bytes()))
            continue
        ndjson = sorted(p for p in path.glob("*.ndjson") if p.name != "log.ndjson")
        if ndjson:
            lines = [line for p in ndjson for line in p.read_bytes().splitlines()
                     if b'"resourceType"' in line and b'"OperationOutcome"' not in line]
            out.append((str(path), b"\n".join(lines)))
            continue
        out.extend((str(p), p.read_bytes()) for p in sorted(path.rglob("*.json")))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--as-of", default="2026-12-01")
    args = parser.parse_args(argv)
    from fhir_mappings.mapper import map_record
    from fhir_mappings.reader import InputError, read_bytes

    as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=UTC)
    codes = oncology_codes()
    totals: Counter[str] = Counter()
    warnings_per_file: list[int] = []
    unrecognised_codes: Counter[str] = Counter()
    for name, content in inputs(args.paths):
        totals["files"] += 1
        try:
            records = read_bytes(content, name)
        except InputError:
            totals["files refused"] += 1
            continue
        file_warnings = 0
        for record in records:
            totals["patients"] += 1
            state = map_record(record, as_of)
            file_warnings += len(state.warnings)
            cancer = [r for r in record.resources if is_cancer_condition(r.raw, codes)]
            warned = {w.resource for w in state.warnings}
            said = " ".join(w.message for w in state.warnings)  # a warning may name others it set aside
            used: set[str] = set()
            for value in state.model_dump().values():
                _collect_sources(value, used)
            for res in cancer:
                totals["cancer Conditions"] += 1
                if res.reference in used:
                    totals["cancer Conditions used in a fact"] += 1
                if res.reference not in used and res.reference not in warned and res.reference not in said:
                    totals["cancer Conditions silently dropped"] += 1
            if cancer:
                totals["cancer patients"] += 1
                if state.histology is not None and state.histology.value != "unknown":
                    totals["cancer patients with a recognised primary"] += 1
            for w in state.warnings:
                if "not recognised" in w.message:
                    totals["'not recognised' warnings"] += 1
                    unrecognised_codes[w.message.split(" is oncological")[0]] += 1
            totals["bone lesions"] += len(state.lesions)
            totals["radiotherapy courses"] += len(state.radiotherapy_courses)
        warnings_per_file.append(file_warnings)
    result: dict[str, Any] = dict(totals)
    if warnings_per_file:
        result["warnings per file (median)"] = statistics.median(warnings_per_file)
        result["warnings per file (max)"] = max(warnings_per_file)
    result["most frequent unrecognised codes"] = unrecognised_codes.most_common(15)
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


def _collect_sources(value: Any, out: set[str]) -> None:
    """Every ``sources`` reference anywhere in a dumped state."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "sources" and isinstance(item, list | tuple):
                out.update(str(s) for s in item)
            elif key == "id" and isinstance(item, str):
                out.add(item)
            else:
                _collect_sources(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_sources(item, out)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
