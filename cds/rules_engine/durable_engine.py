"""durable_rules behind one process-wide lock, used through its C API only.

See engineering/durable-rules.md: the stock ``Host`` runs timer threads that crash under a web
server, session ids collide, sessions leak unless deleted, and ``delete_state`` segfaults on a
session that never ran an action. So: rulesets are created once per process, every call holds
the lock, each evaluation uses a fresh session id and deletes it in ``finally``, and no Python
code runs inside the engine (fired rule names are collected and interpreted outside).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import durable_rules_engine as _engine
import orjson

from cds.rules_engine.compiler import FACT_TYPE, SENTINEL

_LOCK = threading.Lock()
_SESSION_IDS = itertools.count(1)
_HANDLES: dict[str, int] = {}


class EngineError(RuntimeError):
    """durable_rules refused a ruleset or a fact."""


def _create(name: str, definition: Mapping[str, Any]) -> int:
    # Creating and deleting rulesets leaks memory: keep one handle per distinct ruleset per process.
    if name not in _HANDLES:
        try:
            _HANDLES[name] = _engine.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
        except Exception as exc:  # the C core reports bare error numbers
            raise EngineError(f"durable_rules rejected ruleset {name}: {exc}") from exc
    return _HANDLES[name]


def _rule_name(message: str) -> str:
    """The rule name of an action message ``{"<rule>": {...the fact...}}``.

    Only the name is needed, and decoding the whole fact for every fired rule was the engine's
    largest cost; rule names are plain ids (checked by the loader), so no unescaping is needed.
    """
    start = message.index('"') + 1
    return message[start:message.index('"', start)]


def _engine_value(name: str, value: Any) -> Any:
    # The C core cannot parse exponent notation (error 204); the fact record rounds floats so
    # that engine and oracle see the same value, and anything else is refused here.
    if isinstance(value, float) and "e" in repr(value):
        if value == 0:
            return 0.0
        raise EngineError(f"{name}={value!r} cannot be passed to durable_rules (exponent notation)")
    return value


def _fact_json(fact: Mapping[str, Any]) -> str:
    """The fact as the C core reads it. orjson writes what ``json.dumps`` does for these values
    (flat strings, booleans, integers, floats without exponent) at a tenth of the cost; anything
    it refuses (an integer beyond 64 bits) is written by the standard encoder, as before."""
    try:
        return orjson.dumps(fact).decode()
    except orjson.JSONEncodeError:
        return json.dumps(fact, ensure_ascii=False)


_GROUPS = frozenset({"$and", "$or"})
_TESTS = frozenset({"$lt", "$lte", "$gt", "$gte", "$neq", "$ex", "$nex"})


def _properties(expression: Mapping[str, Any], out: set[str]) -> bool:
    """Add the fact properties a compiled expression tests to ``out``; False for a form the
    compiler does not write (then every property is sent)."""
    for key, value in expression.items():
        if key in _GROUPS:
            if not all(isinstance(item, Mapping) and _properties(item, out) for item in value):
                return False
        elif key in _TESTS:
            if not isinstance(value, Mapping):
                return False
            out.update(value)
        elif key.startswith("$"):
            return False
        else:
            out.add(key)  # equality
    return True


def read_properties(rulesets: Sequence[Mapping[str, Any]]) -> frozenset[str] | None:
    """Every fact property the rules of these rulesets test, or None when that cannot be told."""
    out: set[str] = set()
    for ruleset in rulesets:
        for rule in ruleset.values():
            if set(rule) - {"all", "pri"}:
                return None
            for item in rule["all"]:
                if set(item) != {"m"} or not _properties(item["m"], out):
                    return None
    return frozenset(out)


class DurablePhase:
    """The rulesets of one evaluation phase, created once per process."""

    def __init__(self, name: str, rulesets: Sequence[Mapping[str, Any]]) -> None:
        self.name = name
        self._reads = read_properties(rulesets)
        """The only facts sent: a property no rule tests cannot change what fires, and the C core's
        cost grows with the fact's size."""
        with _LOCK:
            self._handles = [_create(f"{name}_{i}", rs) for i, rs in enumerate(rulesets)]

    def fired(self, facts: Mapping[str, Any]) -> frozenset[str]:
        """Names of the rules whose condition matches ``facts`` (sentinel excluded)."""
        fired: set[str] = set()
        add, complete = fired.add, _engine.complete_and_start_action
        reads = self._reads
        values = dict(facts) if reads is None else {k: v for k, v in facts.items() if k in reads}
        for k, v in facts.items():  # every fact is checked, sent or not, as before
            if isinstance(v, float):  # only a float can be written in exponent notation
                value = _engine_value(k, v)
                if k in values:
                    values[k] = value
        with _LOCK:
            for handle in self._handles:
                sid = str(next(_SESSION_IDS))
                fact = values | {"sid": sid, "id": "f", "t": FACT_TYPE}
                try:
                    result = _engine.assert_fact(handle, _fact_json(fact))
                except Exception as exc:  # no session was created: nothing to delete
                    raise EngineError(f"durable_rules did not accept the fact: {exc}") from exc
                try:
                    if result[0] != 0:
                        raise EngineError(f"durable_rules did not accept the fact (code {result[0]})")
                    state_handle = result[1]
                    action = _engine.start_action_for_state(handle, state_handle)
                    message = action[1] if action else None
                    while message:  # one fired rule per message
                        add(_rule_name(message))
                        message = complete(handle, state_handle)
                finally:
                    _engine.delete_state(handle, sid)
        fired.discard(SENTINEL)
        return frozenset(fired)
