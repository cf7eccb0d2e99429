"""Choosing among repeated facts: the latest by clinical time wins; a tie with different values is flagged."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from cds.state import Fact, documented
from fhir_mappings.context import MappingContext
from fhir_mappings.dates import FhirTime
from fhir_mappings.resources import ParsedResource

T = TypeVar("T")
_UNDATED = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Evidence(Generic[T]):
    """One candidate value for a fact, with where and when it was recorded."""

    value: T
    resource: ParsedResource
    time: FhirTime | None

    @property
    def ref(self) -> str:
        return self.resource.reference

    @property
    def effective(self) -> Any:
        return self.time.value if self.time is not None else None

    def sort_key(self) -> tuple[datetime, int]:
        # Undated facts rank below dated ones; input order breaks ties (later in the feed wins).
        return (self.time.start if self.time is not None else _UNDATED, self.resource.position)


def collect(ctx: MappingContext, resources: Iterable[ParsedResource],
            extract: Callable[[ParsedResource], T | None]) -> list[Evidence[T]]:
    """Evidence from every resource whose value ``extract`` can read."""
    out: list[Evidence[T]] = []
    for res in resources:
        value = extract(res)
        if value is not None:
            out.append(Evidence(value, res, ctx.when(res).latest))
    return out


def latest(ctx: MappingContext, evidence: Iterable[Evidence[T]], what: str) -> Evidence[T] | None:
    """The most recent evidence; warns when equally recent evidence disagrees."""
    items = sorted(evidence, key=Evidence.sort_key)
    if not items:
        return None
    best = items[-1]
    best_time = best.time.start if best.time is not None else None
    for other in items[:-1]:
        other_time = other.time.start if other.time is not None else None
        if other_time == best_time and other.value != best.value:
            when = best.time.text if best.time is not None else "undated"
            ctx.warn(best.resource, f"{what}: {other.ref} ({when}) says {other.value!r}, this says "
                     f"{best.value!r}; the later entry in the input is used")
    return best


def latest_fact(ctx: MappingContext, evidence: Iterable[Evidence[T]], what: str) -> Fact[T] | None:
    """The latest evidence as a documented fact (sources and effective time filled)."""
    best = latest(ctx, evidence, what)
    if best is None:
        return None
    return documented(best.value, best.ref, effective=best.effective)
