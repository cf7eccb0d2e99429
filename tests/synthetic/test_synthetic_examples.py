"""The committed example patients: in sync with their generator, valid, clinically as described."""

from __future__ import annotations

from typing import Any

import pytest

from cds.scores.mirels import score_mirels
from cds.scores.sins import score_sins
from cds.synthetic.checks import bundle_problems, bundle_resources, unknown_local_codes, validation_errors
from cds.synthetic.examples import (
    EXAMPLES,
    EXAMPLES_AS_OF,
    EXAMPLES_DIR,
    build_examples,
    dump,
    expectations,
    readme_with_table,
)
from fhir_mappings.codes import LOCAL

JSON = dict[str, Any]
BUNDLES = build_examples()
BRIEFED = [
    "01-mescc-surgical-candidate.json", "02-mescc-short-survival.json", "03-unstable-spine.json",
    "04-uncomplicated-painful-lesion.json", "05-oligometastatic-breast-sib-imrt.json",
    "06-breast-prior-rt-at-site.json", "07-polymetastatic-asymptomatic-high-risk.json",
    "08-femur-mirels-9-or-more.json", "09-renal-radioresistant-spine.json", "10-most-data-missing.json",
    "11-only-kps-documented.json", "12-multiple-lesions-different-treatments.json",
]  # fmt: skip


def local_obs(bundle: JSON, code: str) -> list[JSON]:
    return [
        r
        for r in bundle_resources(bundle)
        if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == code
        and r["code"]["coding"][0]["system"] == LOCAL
    ]  # fmt: skip


def components(obs: JSON) -> dict[str, str]:
    """SINS/Mirels components as keyword arguments of cds.scores ('sins-bone-lesion' -> 'bone_lesion')."""
    out = {}
    for comp in obs.get("component", []):
        key = comp["code"]["coding"][0]["code"].split("-", 1)[1].replace("-", "_")
        out[key] = comp["valueCodeableConcept"]["coding"][0]["code"]
    return out


def test_the_briefed_examples_exist() -> None:
    assert set(BRIEFED) <= set(BUNDLES) and len(BUNDLES) >= 12
    assert EXAMPLES_AS_OF.isoformat() == "2026-11-20"


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_committed_file_matches_the_generator(name: str) -> None:
    path = EXAMPLES_DIR / name
    assert path.exists(), f"{name} missing: run `python -m cds.synthetic.examples`"
    assert path.read_text(encoding="utf-8") == dump(BUNDLES[name]), (
        f"{name} differs from cds/synthetic/examples.py: run `python -m cds.synthetic.examples`"
    )


def test_no_stray_example_files() -> None:
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == set(BUNDLES)


def test_readme_table_matches_the_expectations() -> None:
    readme = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_table(readme), "README table is stale: run `python -m cds.synthetic.examples`"
    assert "2026-11-20" in readme
    for name in BUNDLES:
        assert f"`{name}`" in readme


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_example_is_valid_fhir(name: str) -> None:
    bundle = BUNDLES[name]
    assert validation_errors(bundle) == []
    assert [e for r in bundle_resources(bundle) for e in validation_errors(r)] == []
    assert bundle_problems(bundle) == []
    assert unknown_local_codes(bundle_resources(bundle)) == set()
    assert bundle_resources(bundle)[0]["resourceType"] == "Patient"


@pytest.mark.parametrize("example", EXAMPLES, ids=[ex.file for ex in EXAMPLES])
def test_expected_lesions_are_the_patients_lesions(example: Any) -> None:
    builder = example.build(EXAMPLES_AS_OF)
    assert [les.label for les in builder.lesions] == [le.lesion for le in example.lesions]
    # Every Observation focused on something focuses on a lesion or the primary.
    targets = {les.reference for les in builder.lesions} | {
        f"Condition/{r['id']}" for r in builder.resources() if r["id"].endswith("-primary-1")
    }
    for r in builder.resources():
        for focus in r.get("focus", []):
            assert focus["reference"] in targets


def test_expectations_are_plain_data() -> None:
    data = expectations()
    assert set(data) == set(BUNDLES)
    codes = {"surgical-referral", "ebrt-8gy-1fx", "ebrt-20gy-5fx", "ebrt-30gy-10fx", "sbrt", "sib-imrt",
             "prophylactic-rt", "avoid"}  # fmt: skip
    for lesions in data.values():
        for lesion in lesions:
            assert {r["code"] for r in lesion["recommendations"]} <= codes
            assert set(lesion["eligibility"].values()) <= {"eligible", "ineligible", "undetermined"}


def test_scores_documented_as_briefed() -> None:
    # 03: SINS 14 from components, unstable.
    (sins,) = local_obs(BUNDLES["03-unstable-spine.json"], "sins")
    estimate = score_sins(**components(sins))
    assert (estimate.total, estimate.band) == (14, "unstable")
    # 04: SINS <= 6 with all six components.
    (sins,) = local_obs(BUNDLES["04-uncomplicated-painful-lesion.json"], "sins")
    assert len(components(sins)) == 6 and (score_sins(**components(sins)).total or 99) <= 6
    # 08 and 12: Mirels 10 from components.
    for name in ("08-femur-mirels-9-or-more.json", "12-multiple-lesions-different-treatments.json"):
        (mirels,) = local_obs(BUNDLES[name], "mirels")
        assert score_mirels(**components(mirels)).total == 10
    # 07: Mirels 7 — prophylactic RT, not fixation.
    (mirels,) = local_obs(BUNDLES["07-polymetastatic-asymptomatic-high-risk.json"], "mirels")
    assert score_mirels(**components(mirels)).total == 7
    # Every documented SINS in the examples is below 12 except the unstable spine.
    for name, bundle in BUNDLES.items():
        for obs in local_obs(bundle, "sins"):
            if name != "03-unstable-spine.json":
                assert (score_sins(**components(obs)).maximum) < 12, name


def test_sparse_examples_are_sparse() -> None:
    missing = bundle_resources(BUNDLES["10-most-data-missing.json"])
    assert [r["resourceType"] for r in missing] == ["Patient", "Condition"]
    assert "bodySite" not in missing[1] and missing[1]["code"]["coding"][0]["code"] == "94222008"
    kps = bundle_resources(BUNDLES["11-only-kps-documented.json"])
    assert [r["resourceType"] for r in kps] == ["Patient", "Condition", "Observation"]
    assert kps[2]["code"]["coding"][0]["code"] == "89243-0" and kps[2]["valueInteger"] == 60


def test_prior_rt_example_has_the_2025_course_at_t8() -> None:
    resources = bundle_resources(BUNDLES["06-breast-prior-rt-at-site.json"])
    (course,) = [r for r in resources if r["resourceType"] == "Procedure"]
    assert course["code"]["coding"][0]["code"] == "1217123003" and course["status"] == "completed"
    assert course["bodySite"][0]["coding"][0]["code"] == "77435000"
    assert course["performedPeriod"]["end"] == "2025-03-14"
    (no_rt_ilium,) = local_obs(BUNDLES["06-breast-prior-rt-at-site.json"], "prior-radiotherapy")
    assert no_rt_ilium["focus"][0]["reference"].endswith("-met-left-ilium")


def test_transaction_example_uses_urn_uuids() -> None:
    bundle = BUNDLES["15-painful-nonspine-small-sbrt.json"]
    assert bundle["type"] == "transaction"
    assert all(e["fullUrl"].startswith("urn:uuid:") and e["request"]["method"] == "POST" for e in bundle["entry"])


def test_examples_are_deterministic() -> None:
    assert build_examples() == BUNDLES
