"""The cached R4B validation (per element, per resource shape) gives the verdict of a plain
``model_validate`` for every resource, valid or not, first seen or seen again."""

from __future__ import annotations

import copy
import random
from typing import Any

from cds.synthetic.cohort import generate_cohort
from fhir_mappings.resources import _model_class, _validate_cached, parse_resource

_ODD: list[Any] = [None, "", "x", 5, 1.5, True, [], {}, [None], [{}], {"x": 1}, "2024-13-01",
                   "2024-01-01T10:00:00", {"coding": [{"system": 5}]}, [{"coding": "x"}], {"reference": 5},
                   {"extension": []}, {"extension": [{"url": "http://x", "valueString": "y"}]}, ["a"]]


def _verdict(check: Any, model: Any, resource: dict[str, Any]) -> bool:
    try:
        check(model, resource)
    except Exception:  # any fault is a "not valid" verdict here
        return False
    return True


def _mutate(rng: random.Random, resource: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(resource)
    keys = [k for k in out if k != "resourceType"]
    kind = rng.random()
    if kind < 0.35 and keys:
        out[rng.choice(keys)] = copy.deepcopy(rng.choice(_ODD))
    elif kind < 0.5 and keys:
        del out[rng.choice(keys)]
    elif kind < 0.6:
        out["unknownField"] = 1
    elif kind < 0.8 and keys:  # somewhere deep inside
        parent: Any = out
        key: Any = rng.choice(keys)
        while isinstance(parent[key], dict | list) and parent[key] and rng.random() < 0.8:
            parent = parent[key]
            key = rng.choice(list(parent)) if isinstance(parent, dict) else rng.randrange(len(parent))
        parent[key] = copy.deepcopy(rng.choice(_ODD))
    else:  # choice types and required primitives
        for name in ("valueString", "effectivePeriod", "status", "_status"):
            if rng.random() < 0.4:
                out[name] = copy.deepcopy(rng.choice([*_ODD, "final", {"start": "2020-01-01"}]))
    return out


def test_cached_validation_agrees_with_plain_validation() -> None:
    rng = random.Random(12)
    pool = [e["resource"] for b in generate_cohort(20, seed=5) for e in b["entry"]]
    for resource in pool:  # the shapes of valid resources become known
        _verdict(_validate_cached, _model_class(resource["resourceType"]), resource)
    verdicts = []
    for _ in range(3000):
        resource = _mutate(rng, rng.choice(pool))
        model = _model_class(resource["resourceType"])
        plain = _verdict(lambda m, r: m.model_validate(r), model, resource)
        assert _verdict(_validate_cached, model, resource) is plain, resource
        assert _verdict(_validate_cached, model, resource) is plain, resource  # seen again
        verdicts.append(plain)
    assert any(verdicts) and not all(verdicts)


def test_an_invalid_resource_of_a_known_shape_keeps_its_warning() -> None:
    good = {"resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]}, "valueInteger": 4}
    assert parse_resource(good, validate=True).warnings == []
    bad = parse_resource({**good, "id": "o2", "valueInteger": "four"}, validate=True)
    (warning,) = bad.warnings
    assert warning.message.startswith("not valid FHIR R4: valueInteger: Input should be a valid integer")
    assert "valueInteger" in bad.invalid_fields and "valueInteger" not in bad.data
