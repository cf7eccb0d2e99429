"""JSON from outside (request bodies, FHIR server answers): strict parsing and the checks every
value must pass before any of it is used or stored.

- Only JSON: no ``NaN``/``Infinity``, no numbers that overflow to infinity, no lone surrogates.
- Nesting: at most orjson's 1024 levels; deeper bodies are refused (the standard parser would
  recurse until Python's limit and fail with a RecursionError).
- No NUL character anywhere: PostgreSQL text cannot hold one, and FHIR strings may not contain it;
  refused with the JSON path that holds it, instead of failing when the audit row is written.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson


class JsonInputError(ValueError):
    """A body that is not acceptable JSON; the message says why, in one line."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(f"the number {text[:40]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """The parsed value; JsonInputError saying what is wrong otherwise."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc):
            raise JsonInputError("the JSON is nested more than 1024 levels deep") from None
        value = _parse_with_stdlib(raw)  # e.g. an integer beyond 64 bits (older orjson refuses them)
    if b"\\u0000" in raw:
        where = nul_path(value)
        if where is not None:
            raise JsonInputError(f"{where or 'the body'} contains a NUL character (\\u0000)")
    return value


def _parse_with_stdlib(raw: bytes) -> Any:
    try:
        value = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
    except JsonInputError:
        raise
    except RecursionError:
        raise JsonInputError("the JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise JsonInputError(f"not JSON ({type(exc).__name__})") from None
    try:  # the standard parser lets lone surrogates through ("\ud800"): nothing can store them
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        raise JsonInputError("not JSON (a string holds an unpaired surrogate)") from None
    return value


def nul_path(value: Any) -> str | None:
    """The JSON path of the first string (or key) holding a NUL, e.g. ``context.userId``; None if
    there is none. Iterative: the value may be nested 1024 levels deep."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                shown = key.replace("\x00", "\\u0000")[:100]  # the path goes into messages and the log
                child_path = f"{path}.{shown}" if path else shown
                if "\x00" in key:
                    return child_path
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{n}]") for n, child in enumerate(item))
    return None
