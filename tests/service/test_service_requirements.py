"""Every SHALL / SHALL NOT row of shared/cds-hooks/service-requirements.tsv that applies to a
service is named by some test here (``__req_<id>_<id>…`` in a test's name), or is listed below
as not applicable, with the reason. Fails on an uncovered row, and on a name citing no such row."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from service_helpers import SHARED

TSV = SHARED / "service-requirements.tsv"
HERE = Path(__file__).resolve().parent

NOT_APPLICABLE: dict[int, str] = {
    2: "HTTPS is terminated by the deployment (reverse proxy / ingress) in front of `cds serve`; "
       "see docs/service.md, Security model.",
    168: "Same as 2: TLS on every channel is the deployment's job; the service itself speaks HTTP on loopback.",
    211: "Conditional ('to update existing cards'): the service lists one id per hook, as the project checklist "
         "asks, and every call returns the complete current guidance, so no cross-hook card replacement is used.",
    213: "Negotiating which hooks a CDS Client supports is an organisational agreement, not service behaviour.",
}


def service_shall_rows() -> dict[int, str]:
    if not TSV.is_file():
        pytest.skip(f"{TSV} not found (shared/ lives beside the repository)")
    with TSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {int(r["id"]): r["requirement"] for r in rows
            if r["conformance"].startswith("SHALL") and "Service" in r["actor"]}


def referenced_ids() -> set[int]:
    ids: set[int] = set()
    for path in HERE.glob("test_*.py"):
        for match in re.finditer(r"def test_\w*?__req_([\d_]+)", path.read_text(encoding="utf-8")):
            ids |= {int(part) for part in match.group(1).split("_") if part}
    return ids


def test_every_applicable_shall_row_has_a_test() -> None:
    rows = service_shall_rows()
    missing = sorted(set(rows) - referenced_ids() - set(NOT_APPLICABLE))
    assert not missing, "SHALL rows without a test: " + "; ".join(f"{i}: {rows[i][:80]}" for i in missing)


def test_not_applicable_rows_are_real_and_not_also_claimed() -> None:
    rows = service_shall_rows()
    assert set(NOT_APPLICABLE) <= set(rows)
    assert not set(NOT_APPLICABLE) & referenced_ids()


def test_test_names_cite_existing_rows() -> None:
    if not TSV.is_file():
        pytest.skip("no requirements file")
    with TSV.open(encoding="utf-8") as handle:
        known = {int(r["id"]) for r in csv.DictReader(handle, delimiter="\t")}
    assert referenced_ids() <= known
