"""The per-process evaluation path of a hook call: prefetch → record → clinical state → evaluation.

The ruleset is loaded once per process (``default_ruleset`` is cached) and the durable_rules engine
is used under its own process-wide lock, so this runs safely in FastAPI's thread pool. Identical
input within ``CDS_EVALUATION_CACHE_SECONDS`` re-uses the evaluation (an EHR calls patient-view
each time the chart opens; the rules are deterministic for the same data and nearly the same time).
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from cds.evaluation import evaluate_state
from cds.output import Evaluation
from cds.pipeline import as_of_datetime, clinical_state
from cds.rules_engine.loader import Ruleset, default_ruleset
from cds.service.prefetch import TEMPLATES
from fhir_mappings.reader import records_from_prefetch

_CACHE_ENTRIES = 512


@dataclass(frozen=True)
class EvaluationResult:
    id: str
    evaluation: Evaluation
    body_sites: dict[str, list[Any]] = field(default_factory=dict)
    """Lesion id → the bodySite CodeableConcepts of its Condition, copied into suggested orders."""
    cached: bool = False

PREFETCH_KEY_TYPES: dict[str, str] = {key: query.split("?")[0].split("/")[0] for key, query in TEMPLATES.items()}
"""The resource type each prefetch key searches: an answered key covers that type."""


class Evaluator:
    def __init__(self, cache_seconds: int = 0, as_of: datetime | None = None) -> None:
        self.cache_seconds = cache_seconds
        self.as_of = as_of
        self._cache: OrderedDict[str, tuple[float, EvaluationResult]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def ruleset(self) -> Ruleset:
        return default_ruleset()

    def warm_up(self) -> None:
        """Load and compile the rules before the first request (not during it)."""
        self.evaluate({"patient": {"resourceType": "Patient", "id": "warm-up"}}, "warm-up", use_cache=False)

    def evaluate(self, prefetch: dict[str, Any], patient_id: str, *, use_cache: bool = True,
                 cache_key: str | None = None) -> EvaluationResult:
        """``cache_key``: a digest that identifies the input (e.g. of the request bytes); default:
        a digest of the prefetch itself."""
        key = None
        if use_cache and self.cache_seconds > 0:
            key = self._key(cache_key, patient_id) if cache_key else self._key(prefetch, patient_id)
        if key is not None:
            hit = self._get(key)
            if hit is not None:
                return hit
        record = records_from_prefetch(prefetch, context_patient_id=patient_id, key_types=PREFETCH_KEY_TYPES)
        evaluation = evaluate_state(clinical_state(record, as_of_datetime(self.as_of)), self.ruleset)
        body_sites: dict[str, list[Any]] = {}
        for res in record.resources:
            if res.resource_type == "Condition" and isinstance(res.data.get("bodySite"), list):
                for name in (res.reference, res.full_url):
                    if name:
                        body_sites[name] = res.data["bodySite"]
        result = EvaluationResult(id=uuid.uuid4().hex, evaluation=evaluation, body_sites=body_sites)
        if key is not None:
            with self._lock:
                self._cache[key] = (time.monotonic(), result)
                while len(self._cache) > _CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return result

    def _key(self, data: dict[str, Any] | str, patient_id: str) -> str:
        digest = hashlib.sha256(self.ruleset.sha256.encode())
        digest.update(patient_id.encode() + b"\x00")
        if isinstance(data, str):
            digest.update(b"digest:" + data.encode())
        else:
            digest.update(orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str))
        return digest.hexdigest()

    def _get(self, key: str) -> EvaluationResult | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.cache_seconds:
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
        result = entry[1]
        return EvaluationResult(id=result.id, evaluation=result.evaluation, body_sites=result.body_sites,
                                cached=True)
