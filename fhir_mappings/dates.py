"""FHIR date, dateTime and instant values, and the choice elements (effective[x], onset[x], …) holding them.

FHIR allows partial dates ("2019", "2019-05") and requires a timezone whenever a time is given.
Real feeds break the second rule, so a time without a zone is read as UTC and flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

Precision = Literal["year", "month", "day", "time"]

_PATTERN = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@dataclass(frozen=True, slots=True)
class FhirTime:
    """One parsed value: its start instant (aware), the value to record as a fact's ``effective``."""

    start: datetime
    precision: Precision
    assumed_utc: bool = False
    text: str = ""

    @property
    def value(self) -> date | datetime:
        """A date for date-precision values (no invented time), else the aware datetime."""
        return self.start if self.precision == "time" else self.start.date()

    @property
    def day(self) -> date:
        return self.start.date()


def parse_fhir_time(text: Any) -> FhirTime | None:
    """Parse a FHIR date/dateTime/instant string; None when it is not one."""
    if not isinstance(text, str):
        return None
    return _parse_text(text)


@lru_cache(maxsize=8192)
def _parse_text(text: str) -> FhirTime | None:
    """(cached: a record repeats its dates, and a FhirTime is immutable)"""
    match = _PATTERN.match(text.strip())
    if match is None:
        return None
    parts = match.groupdict()
    try:
        year = int(parts["y"])
        month = int(parts["m"] or 1)
        day = int(parts["d"] or 1)
        if parts["H"] is None:
            precision: Precision = "day" if parts["d"] else ("month" if parts["m"] else "year")
            return FhirTime(datetime(year, month, day, tzinfo=UTC), precision, text=text)
        fraction = (parts["f"] or "0")[:6].ljust(6, "0")
        naive = datetime(year, month, day, int(parts["H"]), int(parts["M"]), int(parts["S"] or 0),
                         int(fraction))
    except ValueError:
        return None  # e.g. month 13: well-shaped but not a date
    tz = parts["tz"]
    if tz is None:
        return FhirTime(naive.replace(tzinfo=UTC), "time", assumed_utc=True, text=text)
    if tz == "Z":
        offset = timedelta(0)
    else:
        sign = 1 if tz[0] == "+" else -1
        offset = sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    aware = (naive - offset).replace(tzinfo=UTC)
    return FhirTime(aware, "time", text=text)


@dataclass(frozen=True, slots=True)
class When:
    """The clinical time of a resource: a point or a period."""

    begins: FhirTime | None = None
    ends: FhirTime | None = None
    field: str = ""

    @property
    def latest(self) -> FhirTime | None:
        """For "latest wins": the end of a period when known."""
        return self.ends or self.begins

    @property
    def earliest(self) -> FhirTime | None:
        """For "dated after as_of": when it started."""
        return self.begins or self.ends

    @property
    def known(self) -> bool:
        return self.begins is not None or self.ends is not None


NO_TIME = When()


def aware(moment: datetime) -> datetime:
    """A naive datetime (e.g. the caller's as_of) is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def completed_years(born: date, on: date) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years
