"""The per-process evaluation path of a hook call: prefetch → record → clinical state → evaluation.

The ruleset is loaded once per process (``default_ruleset`` is cached) and the durable_rules engine
is used under its own process-wide lock, so this runs safely in FastAPI's thread pool. Identical
input within ``CDS_EVALUATION_CACHE_SECONDS`` re-uses the evaluation (an EHR calls patient-view
each time the chart opens; the rules are deterministic for the same data and nearly the same time):
"identical" is judged by ``cache_key``, a digest of everything the evaluation reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson

from cds.evaluation import evaluate_state
from cds.heap import freeze_long_lived
from cds.output import Evaluation
from cds.pipeline import as_of_datetime, clinical_state
from cds.rules_engine.loader import Ruleset, default_ruleset
from cds.service.prefetch import TEMPLATES, prefetch_from_resources
from fhir_mappings.reader import records_from_prefetch

log = logging.getLogger(__name__)

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

_CACHE_FORMAT = b"cds-evaluation-cache/2"
_KEY_TYPES_JSON = orjson.dumps(PREFETCH_KEY_TYPES, option=orjson.OPT_SORT_KEYS)


def canonical_json(value: Any) -> bytes | None:
    """One byte string per JSON value (sorted keys, no whitespace), tagged by the encoder that made
    it; None when the value is not plain JSON (then nothing is cached)."""
    try:
        return b"o" + orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        pass  # integers beyond 64 bits, or nesting beyond orjson's limit: the standard encoder decides
    try:
        return b"j" + json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                 allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError):
        return None


def cache_key(ruleset_sha256: str, service_id: str, patient_id: str, evaluation_date: date,
              prefetch: dict[str, Any]) -> str | None:
    """A digest of everything an evaluation reads: the ruleset, the service, the context patient,
    the evaluation date, the key → resource type map, and the completed prefetch canonicalised —
    which keys were answered (a resource or Bundle, including what the service fetched itself),
    which are ``null``, absent or an OperationOutcome, and every resource in them. Each part is
    length-prefixed, so no two different inputs share a key (never string surgery on the body:
    removing the hookInstance from the raw request let a crafted call share a victim's key)."""
    body = canonical_json(prefetch)
    if body is None:
        return None
    digest = hashlib.sha256()
    for part in (_CACHE_FORMAT, ruleset_sha256.encode(), service_id.encode(), patient_id.encode(),
                 evaluation_date.isoformat().encode(), _KEY_TYPES_JSON, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


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
        """Before the first request, not during it: load and compile the rules, and evaluate one
        bundled example patient (R4B model classes, templates, the engine's first sessions); then
        set the long-lived heap aside from the garbage collector (``cds.heap``)."""
        from cds.synthetic.examples import EXAMPLES

        # Rules that do not load must stop the service; a warm-up patient that fails only costs speed.
        self.evaluate({"patient": {"resourceType": "Patient", "id": "warm-up"}}, "warm-up", use_cache=False)
        try:
            example = EXAMPLES[0].build((self.as_of or datetime.now(UTC)).date())
            self.evaluate(prefetch_from_resources(example.resources(), example.patient_id), example.patient_id,
                          use_cache=False)
        except Exception:
            log.warning("the warm-up example patient could not be evaluated; starting without it", exc_info=True)
        freeze_long_lived()

    def evaluate(self, prefetch: dict[str, Any], patient_id: str, *, service_id: str = "",
                 use_cache: bool = True) -> EvaluationResult:
        """``prefetch``: the completed prefetch (key → resource, Bundle or None), exactly what the
        mapper reads; an evaluation is re-used only for the same ``cache_key`` of it."""
        as_of = as_of_datetime(self.as_of)
        key = None
        if use_cache and self.cache_seconds > 0:
            key = cache_key(self.ruleset.sha256, service_id, patient_id, as_of.date(), prefetch)
        if key is not None:
            hit = self._get(key)
            if hit is not None:
                return hit
        record = records_from_prefetch(prefetch, context_patient_id=patient_id, key_types=PREFETCH_KEY_TYPES)
        evaluation = evaluate_state(clinical_state(record, as_of), self.ruleset)
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
