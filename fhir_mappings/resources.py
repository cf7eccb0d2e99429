"""Entry-by-entry R4B validation: one resource in, a ParsedResource (and maybe a warning) out.

Validation uses ``fhir.resources.R4B`` (the package's R5 default rejects ordinary R4 data). An
invalid resource is never dropped: it is kept with the fields that failed removed from ``data``,
so the mapper can still use every well-formed part of it. A dateTime whose only fault is a missing
timezone is kept too (the mapper reads it as UTC and says so).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import orjson
from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel
from fhir_core.utils import is_primitive_type
from pydantic import TypeAdapter, ValidationError

from cds.state import Warning_
from fhir_mappings import codes
from fhir_mappings.dates import parse_fhir_time
from fhir_mappings.elements import MAX_MAGNITUDE, in_range

# Fields kept even when R4B rejects them: the mapper needs an identity for every resource.
_ALWAYS_KEPT = frozenset({"resourceType", "id"})
_MAX_ERRORS_SHOWN = 4


@dataclass(slots=True)
class ParsedResource:
    """One resource from the input, validated against R4B."""

    resource_type: str
    id: str | None
    full_url: str | None
    raw: dict[str, Any]
    data: dict[str, Any]
    """``raw`` without the fields R4B rejected: what the mapper reads."""
    valid: bool = False
    """Whether the resource validated against R4B. The model itself is not kept: the mapper reads
    ``data``, and keeping every model of a large record multiplied its memory (28 MB of JSON
    took 609 MB)."""
    invalid_fields: frozenset[str] = frozenset()
    source: str = ""
    position: int = 0
    """Input order, used to break ties between equally dated facts."""
    warnings: list[Warning_] = field(default_factory=list)

    @property
    def reference(self) -> str:
        """``Type/id``; the ``urn:uuid:`` fullUrl when there is no id (as the contract asks)."""
        if self.id:
            return f"{self.resource_type}/{self.id}"
        if self.full_url:
            return self.full_url
        return f"{self.resource_type}/#{self.position}"


# What the mapper reads. Validation is the costliest step of a CDS call, and an EHR record is
# mostly vital signs, labs and administrative resources the rules never see: those are kept as
# they are, unvalidated, and cannot produce warnings about data nobody uses.
READ_TYPES = frozenset({
    "Patient", "Condition", "Observation", "Procedure", "MedicationRequest", "MedicationStatement",
    "ServiceRequest", "Encounter", "ImagingStudy", "DiagnosticReport", "BodyStructure", "Bundle",
})


@cache
def _read_observation_codes() -> frozenset[tuple[str, str]]:
    loinc = codes.codelist("loinc")
    wanted: set[tuple[str, str]] = set()
    for value in loinc.values():
        for code in value if isinstance(value, list) else [value]:
            wanted.add((codes.LOINC, str(code)))
    wanted |= {(codes.SNOMED, c) for c in codes.codelist("history_of_metastatic_cancer")["snomed"]}
    from fhir_mappings.terminology import TERMINOLOGY  # the ValueSets: disease status and staging codes

    for vid in ("disease-status-observation", "stage-group-observation", "tnm-m-observation"):
        wanted.update(TERMINOLOGY.members(vid))
    return frozenset(wanted)


def is_read_by_mapper(obj: dict[str, Any]) -> bool:
    """Whether the mapper reads this resource (only those are validated)."""
    resource_type = obj.get("resourceType")
    if resource_type not in READ_TYPES:
        return False
    if resource_type != "Observation":
        return True
    code = obj.get("code")
    codings = code.get("coding") if isinstance(code, dict) else None
    if not isinstance(codings, list):
        return True  # malformed: validate, so that the problem is reported
    wanted = _read_observation_codes()
    for coding in codings:
        if not isinstance(coding, dict):
            return True
        system, value = coding.get("system"), coding.get("code")
        if system == codes.LOCAL or (system, value) in wanted:
            return True
    return False


@cache
def _model_class(resource_type: str) -> Any:
    return get_fhir_model_class(resource_type)


@cache
def _complex_fields(model_class: Any) -> dict[str, Any]:
    """JSON name → field of the complex-typed (element or resource) fields of a model."""
    return {field.alias or name: field for name, field in model_class.model_fields.items()
            if not is_primitive_type(field)}


@cache
def _primitive_fields(model_class: Any) -> dict[str, Any]:
    """JSON name → field of the primitive-typed fields of a model (empty when the model's
    configuration could make a field validate differently on its own than in the model)."""
    if set(model_class.model_config) - {"extra", "validate_assignment", "populate_by_name"}:
        return {}
    return {field.alias or name: field for name, field in model_class.model_fields.items()
            if is_primitive_type(field)}


_WHOLE_RESOURCE_CHECKS = ("reject_null_complex_elements", "validate_after_model_construction",
                          "_validate_one_of_many", "_validate_required_primitive_elements")


@cache
def _shape_checked(model_class: Any) -> bool:
    """Whether the model checks the resource as a whole only as ``FHIRAbstractModel`` does (see
    ``_validate_cached``): no validator of its own, none of those checks overridden."""
    decorators = model_class.__pydantic_decorators__
    if (set(decorators.model_validators) != {"reject_null_complex_elements", "validate_after_model_construction"}
            or decorators.field_validators or decorators.validators or decorators.root_validators):
        return False
    return all(inspect.getattr_static(model_class, name, None) is inspect.getattr_static(FHIRAbstractModel, name)
               for name in _WHOLE_RESOURCE_CHECKS)


@cache
def _field_adapter(model_class: Any, key: str) -> TypeAdapter[Any]:
    field = _complex_fields(model_class).get(key) or _primitive_fields(model_class)[key]
    return TypeAdapter(field.annotation)


_ELEMENT_CACHE_SIZE = 4096
_element_cache: dict[tuple[Any, str, bytes], Any] = {}
"""(model class, field, JSON of its value) → the validated element. The same codings, references
and quantities recur across the resources of a record and across records; a valid element is
validated once. Cleared when full (memory stays bounded)."""

_valid_shapes: set[tuple[Any, ...]] = set()
"""Shapes of resources that validated (see ``_validate_cached``); cleared when full."""


def _validate_cached(model_class: Any, obj: dict[str, Any]) -> None:
    """``model_class.model_validate(obj)``, cheaper. Raises on any fault; the caller then validates
    ``obj`` as it is, so that the errors reported are exactly those of a plain validation.

    R4B validates each field on its own (a nested element with no context), then checks the
    resource as a whole: no unknown field, no null in a list of elements, a required primitive
    present or explained by its extension, at most one type of a choice element. Those checks read
    only the *shape* of the resource: which fields are present, which are null, and the primitive
    extensions (``_status``). So each complex field is validated once per distinct value (cached),
    each primitive field on its own, and the whole resource once per shape: a resource of a shape
    that validated before, whose fields each validate, validates.
    """
    complex_fields, primitive_fields = _complex_fields(model_class), _primitive_fields(model_class)
    cache_ = _element_cache
    substituted: dict[str, Any] = {}
    shape: list[Any] | None = [model_class] if _shape_checked(model_class) else None
    primitives: list[tuple[str, Any]] = []
    for key, value in obj.items():
        if key in complex_fields and isinstance(value, dict | list) and value:
            cache_key = (model_class, key, orjson.dumps(value))
            element = cache_.get(cache_key)
            if element is None:
                element = _field_adapter(model_class, key).validate_python(value)
                if len(cache_) >= _ELEMENT_CACHE_SIZE:
                    cache_.clear()
                cache_[cache_key] = element
            substituted[key] = element
            if shape is not None:
                if key.startswith("_"):  # a primitive's extension: whether it explains a missing value
                    shape.append((key, cache_key[2]))
                elif isinstance(value, list) and any(item is None for item in value):
                    shape = None  # a null in a list of elements: let the resource check say so
                else:
                    shape.append((key, True))
            continue
        substituted[key] = value
        if shape is None:
            continue
        if value is None and (key in complex_fields or key in primitive_fields):
            shape.append((key, None))
        elif key in primitive_fields:
            primitives.append((key, value))
        elif key == "resourceType":
            shape.append((key, value))
        else:  # an unknown field, a field by its Python name, an empty or malformed element
            shape = None
    if shape is not None:
        for key, value in primitives:  # whether the value it validates to is null is part of the shape
            shape.append((key, _field_adapter(model_class, key).validate_python(value) is None))
        known = tuple(shape)
        if known in _valid_shapes:
            return
    model_class.model_validate(substituted)
    if shape is not None:
        if len(_valid_shapes) >= _ELEMENT_CACHE_SIZE:
            _valid_shapes.clear()
        _valid_shapes.add(known)


def _location(loc: tuple[Any, ...]) -> str:
    """('component', 0, 'valueInteger') -> 'component[0].valueInteger'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith("function-") or str(part) in {"__root__", "model"}:
            continue  # pydantic validator names, not FHIR paths
        else:
            out += f".{part}" if out else str(part)
    return out or "(resource)"


def _is_zone_only_error(error: dict[str, Any]) -> bool:
    """A dateTime rejected only because it lacks a timezone, which the mapper can still read."""
    if "date" not in str(error.get("msg", "")).lower():
        return False
    parsed = parse_fhir_time(error.get("input"))
    return parsed is not None and parsed.assumed_utc


def _is_primitive_extension_error(error: dict[str, Any], obj: dict[str, Any]) -> bool:
    """fhir.resources rejects a primitive's extension element inside an Extension (``_valueString`` with
    data-absent-reason): valid FHIR R4 JSON, so not an error. Only a well-formed element is excused."""
    loc = tuple(error.get("loc", ()))
    if not loc or "extra" not in str(error.get("type", "")) or not str(loc[-1]).startswith("_value"):
        return False
    element: Any = obj
    for part in loc:
        if isinstance(element, dict):
            element = element.get(part)
        elif isinstance(element, list) and isinstance(part, int) and part < len(element):
            element = element[part]
        else:
            return False
    return isinstance(element, dict) and (isinstance(element.get("extension"), list) or "id" in element)


_GENDERS = frozenset({"male", "female", "other", "unknown"})


def _content_warnings(parsed: ParsedResource) -> None:
    """Faults the R4B models let through: an administrative gender outside the FHIR code list."""
    if parsed.resource_type == "Patient":
        gender = parsed.raw.get("gender")
        if gender is not None and gender not in _GENDERS:
            parsed.data = {k: v for k, v in parsed.data.items() if k != "gender"}
            parsed.invalid_fields = parsed.invalid_fields | {"gender"}
            parsed.warnings.append(Warning_(
                resource=parsed.reference,
                message=f"not valid FHIR R4: gender {gender!r} is not one of male, female, other, unknown; "
                        "sex not set"))


def summarise_errors(errors: list[dict[str, Any]]) -> str:
    """A one-line list of failing fields: 'valueInteger: Input should be a valid integer; id: …'."""
    seen: dict[str, str] = {}
    for error in errors:
        where = _location(tuple(error.get("loc", ())))
        message = str(error.get("msg", "invalid")).split("\n")[0]
        message = message.removeprefix("Value error, ")
        if len(message) > 90:
            message = message[:87] + "..."
        seen.setdefault(where, message)
    parts = [f"{where}: {message}" for where, message in seen.items()]
    shown = "; ".join(parts[:_MAX_ERRORS_SHOWN])
    if len(parts) > _MAX_ERRORS_SHOWN:
        shown += f"; and {len(parts) - _MAX_ERRORS_SHOWN} more"
    return shown


MAX_DEPTH = 64
"""Deepest nesting of a resource field that is read. FHIR resources nest a dozen levels; R4
validation recurses in Python and would hit its recursion limit long before JSON parsers do."""


def scan_numbers_and_depth(obj: dict[str, Any]) -> tuple[list[str], set[str]]:
    """(paths of the numbers that are not finite or beyond ±MAX_MAGNITUDE, top-level fields nested
    deeper than MAX_DEPTH). Iterative: the input may be nested as deep as its parser allowed."""
    out_of_range: list[str] = []
    too_deep: set[str] = set()
    stack: list[tuple[Any, str, str, int]] = [(value, str(key), str(key), 1) for key, value in obj.items()]
    while stack:
        value, path, field, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                too_deep.add(field)
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in items:
                child_path = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"
                stack.append((child, child_path, field, depth + 1))
        elif isinstance(value, int | float) and not isinstance(value, bool) and not in_range(value):
            out_of_range.append(path)
    return sorted(out_of_range), too_deep


def _numbers_and_depth_ok(container: dict[str, Any] | list[Any], depth: int = 0) -> bool:
    """True when ``scan_numbers_and_depth`` would find nothing in this container (at ``depth``):
    the same walk without building paths (almost every resource has nothing to report). False
    also for a value of an unexpected type (the full scan then decides)."""
    for value in container.values() if type(container) is dict else container:
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is dict or kind is list:
            if depth + 1 > MAX_DEPTH or not _numbers_and_depth_ok(value, depth + 1):
                return False
        elif kind is int or kind is float:
            if not in_range(value):
                return False
        else:
            return False
    return True


def _check_numbers_and_depth(parsed: ParsedResource) -> dict[str, Any]:
    """Warn about out-of-range numbers (which the number readers of ``elements`` never return) and
    drop the fields nested too deeply from ``data``; what to validate: ``raw`` without those fields."""
    if _numbers_and_depth_ok(parsed.raw):
        return parsed.raw
    out_of_range, too_deep = scan_numbers_and_depth(parsed.raw)
    if out_of_range:
        shown = ", ".join(out_of_range[:_MAX_ERRORS_SHOWN]) + (
            f" and {len(out_of_range) - _MAX_ERRORS_SHOWN} more" if len(out_of_range) > _MAX_ERRORS_SHOWN else "")
        parsed.warnings.append(Warning_(
            resource=parsed.reference,
            message=f"number out of range (not finite or beyond ±{MAX_MAGNITUDE:g}) at {shown}; not used"))
    too_deep -= _ALWAYS_KEPT
    if not too_deep:
        return parsed.raw
    parsed.warnings.append(Warning_(
        resource=parsed.reference,
        message=f"{', '.join(sorted(too_deep))}: nested more than {MAX_DEPTH} levels; not used"))
    parsed.invalid_fields = parsed.invalid_fields | too_deep
    parsed.data = {k: v for k, v in parsed.data.items() if k not in too_deep}
    return {k: v for k, v in parsed.raw.items() if k not in too_deep}


def parse_resource(obj: dict[str, Any], *, full_url: str | None = None, source: str = "",
                   position: int = 0, validate: bool | None = None) -> ParsedResource:
    """Validate one resource dict with R4B; never raises. ``validate=None``: only when the mapper
    reads it (see ``is_read_by_mapper``)."""
    resource_type = str(obj.get("resourceType"))
    raw_id = obj.get("id")
    resource_id = raw_id.strip() if isinstance(raw_id, str) and raw_id.strip() else None
    parsed = ParsedResource(resource_type=resource_type, id=resource_id, full_url=full_url, raw=obj,
                            data=obj, source=source, position=position)
    try:
        model_class = _model_class(resource_type)
    except (KeyError, ValueError, LookupError, ImportError, AttributeError):
        parsed.warnings.append(Warning_(resource=parsed.reference,
                                        message=f"unknown FHIR R4 resource type {resource_type!r}; ignored"))
        return parsed
    if validate is None:
        validate = is_read_by_mapper(obj)
    if not validate:
        return parsed
    _content_warnings(parsed)
    warned = len(parsed.warnings)
    checked = _check_numbers_and_depth(parsed)
    if len(parsed.warnings) == warned:  # no odd number (NaN has no JSON of its own) and no deep field
        try:
            _validate_cached(model_class, checked)
            parsed.valid = True
            return parsed
        except Exception:  # validated again below, as it is, for the errors it reports
            pass
    try:
        model_class.model_validate(checked)
        parsed.valid = True
        return parsed
    except ValidationError as exc:
        errors = [dict(e) for e in exc.errors()]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # fhir_core raises these too
        errors = [{"loc": (), "msg": str(exc) or type(exc).__name__}]
    except RecursionError:  # a safety net: MAX_DEPTH keeps validation well within the limit
        errors = [{"loc": (), "msg": "nested too deeply to validate"}]
    real = [e for e in errors if not _is_zone_only_error(e) and not _is_primitive_extension_error(e, obj)]
    if real:
        # A top-level field with any error is dropped whole: its parts cannot be trusted.
        bad = {str(e["loc"][0]) for e in real if e.get("loc") and isinstance(e["loc"][0], str)}
        bad -= _ALWAYS_KEPT
        parsed.invalid_fields = parsed.invalid_fields | bad
        parsed.data = {k: v for k, v in parsed.data.items() if k not in bad}
        parsed.warnings.append(Warning_(
            resource=parsed.reference,
            message=f"not valid FHIR R4: {summarise_errors(real)}"
            + ("; the other fields are still used" if bad else ""),
        ))
    return parsed
