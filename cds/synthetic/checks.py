"""Structural checks for synthetic FHIR data (used by the tests and the benchmark).

These check what the generators promise — valid R4B resources, resolvable references, unique
fullUrls, only known LOCAL codes — not what the data means clinically.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from fhir_mappings.codes import LOCAL, local_codes

JSON = dict[str, Any]


@cache
def _model(resource_type: str) -> Any:
    return get_fhir_model_class(resource_type)


def validation_errors(resource: JSON) -> list[str]:
    """Why ``resource`` does not validate with fhir.resources R4B (empty when it does)."""
    where = f"{resource.get('resourceType')}/{resource.get('id')}"
    try:
        _model(resource["resourceType"]).model_validate(resource)
    except (KeyError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        if isinstance(exc, ValidationError):
            return [f"{where}: {err['loc']}: {err['msg']}" for err in exc.errors()]
        return [f"{where}: {exc}"]
    return []


def bundle_resources(bundle: JSON) -> list[JSON]:
    return [entry["resource"] for entry in bundle.get("entry", [])]


def iter_codings(node: Any) -> Iterator[JSON]:
    """Every Coding-shaped dict (has ``system`` and ``code``) anywhere in ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("system"), str) and isinstance(node.get("code"), str):
            yield node
        for value in node.values():
            yield from iter_codings(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_codings(item)


def iter_references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("reference")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from iter_references(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_references(item)


def unknown_local_codes(resources: Iterable[JSON]) -> set[str]:
    """LOCAL codes used but not defined in the project CodeSystem."""
    known = local_codes()
    return {c["code"] for r in resources for c in iter_codings(r) if c["system"] == LOCAL} - set(known)


def bundle_problems(bundle: JSON) -> list[str]:
    """Duplicate fullUrls and references that resolve to no entry of the Bundle."""
    problems: list[str] = []
    urls = [entry.get("fullUrl") for entry in bundle.get("entry", [])]
    if None in urls:
        problems.append("entry without fullUrl")
    seen: set[str] = set()
    for url in urls:
        if url in seen:
            problems.append(f"duplicate fullUrl {url}")
        if url:
            seen.add(url)
    # "Type/id" resolves against a RESTful fullUrl; with urn:uuid fullUrls only the urn does.
    relative = {
        f"{entry['resource']['resourceType']}/{entry['resource'].get('id')}"
        for entry in bundle.get("entry", [])
        if not str(entry.get("fullUrl", "")).startswith("urn:")
    }
    for resource in bundle_resources(bundle):
        where = f"{resource['resourceType']}/{resource.get('id')}"
        problems += [f"{where}: unresolved reference {ref}" for ref in iter_references(resource)
                     if ref not in seen and ref not in relative]  # fmt: skip
    return problems
