"""The evaluation cache (issue 11 item 1): an evaluation is re-used only for exactly the same input
— the service, the patient, the evaluation date, the ruleset and the completed prefetch — never
because two request bodies look alike once a string is cut out of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from cds_client import CdsClient, Signer
from fastapi.testclient import TestClient
from service_helpers import BASE, example, full_prefetch, make_settings

from cds.service.app import create_app
from cds.service.evaluator import Evaluator, cache_key
from cds.synthetic.builder import PatientBuilder

BONE_METASTASIS = '"94222008"'  # SNOMED CT: secondary malignant neoplasm of bone


def summaries(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [card["summary"] for card in response.json()["cards"]]


def test_a_crafted_hook_instance_cannot_share_a_patients_cache_entry(
        tmp_path: Path, jwks_file: Path, signer: Signer, examples: dict[str, PatientBuilder]) -> None:
    """The attack: the old key was the body with every copy of its hookInstance removed. A body
    whose bone-metastasis code has the short hookInstance "ZQ" inside it reads, once "ZQ" is cut
    out, exactly like the patient's real call: its empty answer was served to the real call."""
    builder = example(examples, "04-")
    real = CdsClient.hook_body("patient-view", builder.patient_id, prefetch=full_prefetch(builder))
    real_raw = json.dumps(real)
    without_instance = real_raw.replace(real["hookInstance"], "")
    assert "ZQ" not in without_instance and BONE_METASTASIS in without_instance
    crafted_raw = (without_instance.replace('"hookInstance": ""', '"hookInstance": "ZQ"')
                   .replace(BONE_METASTASIS, '"9422ZQ2008"'))
    assert crafted_raw.replace("ZQ", "") == without_instance  # same bytes under the old key

    settings = make_settings(tmp_path, jwks_file, evaluation_cache_seconds=60)
    path = "/cds-services/bone-mets-rt"
    with TestClient(create_app(settings), base_url=BASE) as http:
        client = CdsClient(http, BASE, signer)
        crafted = http.post(path, content=crafted_raw, headers=client.headers(path))
        assert summaries(crafted) == []  # no recognisable bone metastasis in the crafted data
        answer = http.post(path, content=real_raw, headers=client.headers(path))
        again = client.call("bone-mets-rt", real | {"hookInstance": "another-instance"})
    assert summaries(answer) and summaries(answer) == summaries(again)  # the painful lesion's card
    assert any("metastas" in s.lower() or "gy" in s.lower() for s in summaries(answer))


def _prefetch(builder: PatientBuilder) -> dict[str, Any]:
    return full_prefetch(builder)


def test_the_key_covers_everything_the_evaluation_reads(examples: dict[str, PatientBuilder]) -> None:
    builder = example(examples, "04-")
    base = _prefetch(builder)
    key = cache_key("r" * 64, "bone-mets-rt", builder.patient_id, date(2026, 11, 20), base)
    reordered = dict(reversed(list(base.items())))
    assert cache_key("r" * 64, "bone-mets-rt", builder.patient_id, date(2026, 11, 20), reordered) == key
    empty_bundle = {"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []}
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
    variants: dict[str, dict[str, Any]] = {
        "answered with an empty Bundle": base | {"observations": empty_bundle},
        "null (no data)": base | {"observations": None},
        "an OperationOutcome": base | {"observations": outcome},
        "absent": {k: v for k, v in base.items() if k != "observations"},
        "one resource changed": json.loads(json.dumps(base).replace(BONE_METASTASIS, '"1234"')),
        "an extra resource (e.g. fetched by the service)": base | {"procedures": {
            **empty_bundle, "total": 1, "entry": [{"resource": {"resourceType": "Procedure", "id": "x"}}]}},
    }
    keys = {name: cache_key("r" * 64, "bone-mets-rt", builder.patient_id, date(2026, 11, 20), p)
            for name, p in variants.items()}
    keys |= {
        "another service": cache_key("r" * 64, "bone-mets-rt-order-sign", builder.patient_id, date(2026, 11, 20),
                                     base),
        "another patient": cache_key("r" * 64, "bone-mets-rt", "someone-else", date(2026, 11, 20), base),
        "another day": cache_key("r" * 64, "bone-mets-rt", builder.patient_id, date(2026, 11, 21), base),
        "another ruleset": cache_key("s" * 64, "bone-mets-rt", builder.patient_id, date(2026, 11, 20), base),
    }
    assert len(set(keys.values()) | {key}) == len(keys) + 1, keys
    # parts are length-prefixed: moving characters between the service and patient ids changes the key
    assert cache_key("r" * 64, "ab", "c", date(2026, 11, 20), {}) != cache_key("r" * 64, "a", "bc",
                                                                                date(2026, 11, 20), {})


def test_identical_input_is_reused_and_a_different_one_is_not(examples: dict[str, PatientBuilder]) -> None:
    builder = example(examples, "04-")
    evaluator = Evaluator(cache_seconds=60)
    first = evaluator.evaluate(_prefetch(builder), builder.patient_id, service_id="bone-mets-rt")
    again = evaluator.evaluate(_prefetch(builder), builder.patient_id, service_id="bone-mets-rt")
    assert again.cached and again.id == first.id
    null = evaluator.evaluate(_prefetch(builder) | {"observations": None}, builder.patient_id,
                              service_id="bone-mets-rt")
    assert not null.cached and null.id != first.id
    other_service = evaluator.evaluate(_prefetch(builder), builder.patient_id, service_id="bone-mets-rt-order-sign")
    assert not other_service.cached


def test_warm_up_evaluates_an_example_patient_then_freezes_the_long_lived_heap() -> None:
    """Start-up work is done before the first request, and the collector no longer walks it
    (a full collection of the start-up heap took 70 ms: a pause on the requests in flight)."""
    import gc

    from cds.rules_engine.runner import _DURABLE

    try:
        Evaluator(0).warm_up()
        assert _DURABLE, "the compiled rules are loaded"
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


def test_a_warm_up_patient_that_fails_costs_speed_not_the_start(monkeypatch: Any, caplog: Any) -> None:
    import gc

    from cds.synthetic import examples

    class Broken:
        def build(self, as_of: date) -> None:
            raise RuntimeError("example builder broken")

    monkeypatch.setattr(examples, "EXAMPLES", (Broken(),))
    try:
        Evaluator(0).warm_up()
        assert "warm-up example patient could not be evaluated" in caplog.text
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
