"""The patient builder: valid R4B output, the contract's codes, determinism, conventions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cds.synthetic import PatientBuilder, ago
from cds.synthetic import terminology as t
from cds.synthetic.checks import (
    bundle_problems,
    bundle_resources,
    iter_codings,
    unknown_local_codes,
    validation_errors,
)
from fhir_mappings.codes import (
    BONE_BY_SNOMED,
    ICD10CM,
    LOCAL,
    SNOMED,
    SPINE_REGION_BY_SNOMED,
    VERTEBRA_BY_SNOMED,
    codelist,
)

AS_OF = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, tzinfo=UTC)
JSON = dict[str, Any]


def kitchen_sink() -> tuple[PatientBuilder, list[JSON]]:
    """Every builder method at least once, plus the draft orders it can produce."""
    b = PatientBuilder("pt-sink", as_of=AS_OF, age=62, sex="female", narrative="Kitchen sink.\n\n<b>&</b>")
    early = b.bone_metastasis("T8", "T9")  # before the primary: linked once the primary exists
    b.primary_cancer("breast", confirmed=True, diagnosed=date(2019, 5, 1))
    b.receptors(er="positive", pr="negative", her2="negative")
    b.ecog(1).ecog(2, as_answer=True, when=ago(days=3)).kps(70)
    b.expected_survival(months=8).expected_survival(weeks=30, code="local", when=ago(days=40))
    b.lesion_counts(bone=4, metastatic=6)
    b.visceral_metastasis("liver").visceral_metastasis("brain").nodal_metastasis()
    b.disease_status("progressing")
    b.systemic_therapy(True, drugs=["letrozole", "palbociclib"]).systemic_therapy(False, drugs=["paclitaxel"])
    b.prior_palliative_chemo_courses(1).hospitalised(days_ago=20)
    b.restaging_imaging(days_ago=14, modality="PET-CT").restaging_imaging(days_ago=3, modality="MRI", study=False)
    b.medically_operable(True).primary_controlled(True).history(polymetastatic=False, treated_omd=True)
    b.neurology(deficit=True, ambulatory=True, motor_deficit_days=2, paraplegia_hours=30)
    neck = b.bone_metastasis("left femoral neck")
    ace = b.bone_metastasis("right acetabulum", coding="icd10", onset=date(2026, 9, 1))
    lumbar = b.bone_metastasis("lumbar spine")
    nos = b.bone_metastasis()
    b.sins(early, location="semi-rigid", pain="mechanical", bone_lesion="lytic", alignment="normal",
           collapse="none", posterolateral="unilateral")  # fmt: skip
    b.sins(lumbar, 9).bilsky(early, "1c").bilsky(lumbar, "0")
    b.cord_compression(early, onset_days_ago=1).cord_compression(early, levels=["T2", "L1"], coding="icd10")
    b.cord_compression(early, coding="local").cauda_equina(lumbar, levels=["L4", "L5"])
    b.no_cord_compression(lumbar)
    b.pathological_fracture(neck, onset_days_ago=3).pathological_fracture(ace, present=False)
    b.mirels(neck, 9, site="peritrochanteric", pain="moderate", lesion="lytic", size="under-one-third")
    b.mirels(ace, 8)
    b.lesion_type(neck, "lytic").lesion_size(neck, cm=3.2).lesion_size(ace, mm=12)
    b.cortical_involvement(neck, "one-to-two-thirds").pain(neck, 7).pain(nos, 3, loinc="38208-5")
    b.posterior_elements(early, True).extraosseous_extension(early, False).impending_fracture(neck, False)
    b.contiguous_compartments(early, 2).planned_surgery(early).planned_surgery(neck, False)
    b.surgery_done(ace, days_ago=30)
    b.prior_radiotherapy("T8", dose_gy=20, fractions=5, days_ago=400)
    b.prior_radiotherapy(neck, on=date(2024, 1, 5), stereotactic=True, reirradiation=False)
    b.prior_radiotherapy(["L1", "L2"], dose_gy=8, fractions=1, days_ago=100, status="in-progress")
    b.no_prior_radiotherapy().no_prior_radiotherapy(ace)
    b.comorbidity("hypertension", onset=date(2010, 1, 1)).medication("lisinopril", dosage="10 mg daily")
    enc = b.encounter(10, reason="Follow-up")
    b.vital_signs({"heart-rate": 80, "systolic": 120, "diastolic": 80, "body-weight": 70.5}, encounter=enc)
    b.lab("haemoglobin", 12.1, encounter=enc).lab("breast", 35).procedure("ct", days_ago=10, encounter=enc)
    drafts = [
        b.draft_service_request("T8", dose_gy=8, fractions=1),
        b.draft_service_request(ace, dose_gy=35, fractions=5, technique="sib-imrt", elective_dose_gy=20),
        b.draft_service_request(["T8", "T9"], dose_gy=24, fractions=2, technique="sbrt", id="order-1"),
        b.draft_service_request("left humerus", dose_gy=20, fractions=5, text="20 Gy in 5 fractions"),
    ]
    return b, drafts


@pytest.fixture(scope="module")
def sink() -> tuple[PatientBuilder, list[JSON]]:
    return kitchen_sink()


def by_code(resources: list[JSON], code: str) -> list[JSON]:
    return [r for r in resources if any(c["code"] == code for c in iter_codings(r.get("code", {})))]


def test_every_resource_validates_with_r4b(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, drafts = sink
    errors = [e for r in b.resources() + drafts for e in validation_errors(r)]
    assert errors == []


@pytest.mark.parametrize("kind", ["collection", "transaction", "batch", "searchset"])
@pytest.mark.parametrize("refs", ["relative", "urn:uuid"])
def test_bundles_validate_and_resolve(sink: tuple[PatientBuilder, list[JSON]], kind: Any, refs: Any) -> None:
    b, _ = sink
    bundle = b.bundle(kind, references=refs)
    assert validation_errors(bundle) == []
    assert bundle_problems(bundle) == []
    assert len(bundle["entry"]) == len(b.resources())
    if kind in ("transaction", "batch"):
        assert all("request" in e for e in bundle["entry"])
    if refs == "urn:uuid":
        assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])


def test_prefetch_is_a_map_of_searchsets(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    prefetch = b.prefetch()
    assert set(prefetch) == {
        "patient", "conditions", "observations", "procedures", "medications", "servicerequests",
        "encounters", "imaging",
    }  # fmt: skip
    assert prefetch["patient"]["resourceType"] == "Patient"
    total = 1
    for key, value in prefetch.items():
        assert validation_errors(value) == [], key
        if key != "patient":
            assert value["type"] == "searchset"
            total += len(value["entry"])
    assert total == len(b.resources())  # every resource is in exactly one prefetch entry


def test_local_codes_exist_in_the_codesystem(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, drafts = sink
    assert unknown_local_codes(b.resources() + drafts) == set()
    used = {c["code"] for r in b.resources() for c in iter_codings(r) if c["system"] == LOCAL}
    # The project's three extension codes are among those the builder writes.
    assert {"prior-radiotherapy", "pathological-fracture", "planned-surgery"} <= used


def test_body_sites_use_the_code_lists(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, drafts = sink
    anatomy = set(VERTEBRA_BY_SNOMED) | set(BONE_BY_SNOMED) | set(SPINE_REGION_BY_SNOMED)
    for r in b.resources() + drafts:
        sites = r.get("bodySite", [])
        for concept in sites if isinstance(sites, list) else [sites]:
            for coding in concept["coding"]:
                assert coding["system"] == SNOMED and coding["code"] in anatomy, (r["id"], coding)


def _icd_histology(code: str) -> str | None:
    prefixes: dict[str, str] = codelist("primary_icd10_prefixes")
    matches = [p for p in prefixes if code.startswith(p)]
    return prefixes[max(matches, key=len)] if matches else None


@pytest.mark.parametrize("histology", sorted(t.PRIMARY_CODES))
@pytest.mark.parametrize("coding", ["icd10", "snomed"])
def test_primary_codes_map_back_to_the_histology(histology: Any, coding: Any) -> None:
    b = PatientBuilder("pt-h", as_of=AS_OF, sex="male")
    b.primary_cancer(histology, coding=coding)
    (cond,) = [r for r in b.resources() if r["resourceType"] == "Condition"]
    (c,) = cond["code"]["coding"]
    mapped = _icd_histology(c["code"]) if c["system"] == ICD10CM else codelist("primary_snomed").get(c["code"])
    assert mapped == (None if histology == "unknown" else histology)


def test_unsupported_histology_is_refused() -> None:
    with pytest.raises(ValueError, match="no code in the contract"):
        PatientBuilder("pt-x", as_of=AS_OF).primary_cancer("leukaemia")


def test_condition_codes_are_the_contracts(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    resources = b.resources()
    assert {c["code"] for c in iter_codings(by_code(resources, "94222008")[0]["code"])} == {"94222008"}
    assert len(by_code(resources, "94222008")) == 4 and len(by_code(resources, "C79.51")) == 1
    assert codelist("visceral_metastasis")["icd10cm_prefixes"]
    for site, code in t.VISCERAL_CODES.items():
        nodal = code.code.startswith("C77")
        visceral = any(code.code.startswith(p) for p in codelist("visceral_metastasis")["icd10cm_prefixes"])
        assert nodal != visceral, site
    assert codelist("cord_compression")["snomed"] == [t.CORD_COMPRESSION.code]
    assert t.CAUDA_EQUINA.code in codelist("cauda_equina")["snomed"]
    assert t.PARAPLEGIA.code in codelist("paraplegia")["snomed"]
    assert t.PATHOLOGICAL_FRACTURE.code in codelist("pathological_fracture")["snomed"]
    assert {t.RT_COURSE.code, t.RT_STEREOTACTIC.code} <= set(codelist("radiotherapy_procedure")["snomed"])
    assert t.SURGICAL_PROCEDURE.code in codelist("surgical_procedure")["snomed"]
    loinc = codelist("loinc")
    assert (t.LOINC_ECOG.code, t.LOINC_KPS.code) == (loinc["ecog"], loinc["karnofsky"])
    assert (t.LOINC_SURVIVAL.code, t.LOINC_DISEASE_STATUS.code) == (
        loinc["estimated_survival"],
        loinc["disease_status"],
    )
    assert t.LOINC_PAIN.code in loinc["pain"]
    assert {k: v.code for k, v in t.DISEASE_STATUS_VALUES.items()} == {
        v: k for k, v in codelist("disease_status_snomed").items()
    }
    assert all(t.LOINC_RECEPTORS[k].code in loinc[k] for k in ("er", "pr", "her2"))
    assert {v.code for v in t.RECEPTOR_VALUES.values()} == set(codelist("receptor_values")["snomed"])
    assert {v: k for k, v in t.ECOG_ANSWERS.items()} == codelist("ecog_answers")


def test_noise_codes_never_collide_with_fact_codes() -> None:
    fact_codes = set(codelist("radiotherapy_procedure")["snomed"]) | set(codelist("surgical_procedure")["snomed"])
    fact_codes |= {
        t.CORD_COMPRESSION.code,
        t.PARAPLEGIA.code,
        t.PATHOLOGICAL_FRACTURE.code,
        "94222008",
        "94602001",
    }
    noise = {c.code for c in (*t.COMORBIDITIES.values(), *t.ROUTINE_PROCEDURES.values())}
    assert noise.isdisjoint(fact_codes)
    fact_loinc = {t.LOINC_ECOG.code, t.LOINC_KPS.code, t.LOINC_SURVIVAL.code, t.LOINC_DISEASE_STATUS.code}
    fact_loinc |= set(codelist("loinc")["pain"])
    measures = (*t.VITALS.values(), *t.LABS.values(), *t.TUMOUR_MARKER_LABS.values(), t.SYSTOLIC, t.DIASTOLIC)
    assert {m.code for m in measures}.isdisjoint(fact_loinc)


def test_patient_and_time_conventions(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    resources = b.resources()
    patient = resources[0]
    born = date.fromisoformat(patient["birthDate"])
    age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
    assert age == 62 and patient["gender"] == "female"
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in patient["text"]["div"]
    (para,) = by_code(resources, t.PARAPLEGIA.code)
    assert para["onsetDateTime"] == (NOW - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (onset,) = by_code(resources, "motor-deficit-onset")
    assert onset["valueDateTime"] == "2026-11-18T00:00:00Z"
    ecogs = by_code(resources, t.LOINC_ECOG.code)
    assert [e["effectiveDateTime"] for e in ecogs] == ["2026-11-19T09:00:00Z", "2026-11-17T00:00:00Z"]
    assert ecogs[0]["valueInteger"] == 1 and ecogs[1]["valueCodeableConcept"]["coding"][0]["code"] == "LA9624-3"
    # Nothing is dated after the evaluation instant.
    for r in resources:
        for key in ("effectiveDateTime", "onsetDateTime", "recordedDate", "performedDateTime", "started"):
            if key in r:
                assert r[key][:10] <= AS_OF.isoformat(), (r["id"], key)
    imaging = [r for r in resources if r["resourceType"] == "ImagingStudy"]
    assert imaging[0]["started"] == "2026-11-06T00:00:00Z"
    assert {m["code"] for m in imaging[0]["modality"]} == {"PT", "CT"}


def test_lesion_observations_focus_the_lesion(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    resources = b.resources()
    lesion_refs = {les.reference for les in b.lesions}
    for code in ("sins", "bilsky-grade", "mirels", "lesion-type", "lesion-size", "cortical-involvement",
                 "posterior-element-involvement", "extraosseous-extension", "impending-fracture",
                 "contiguous-compartments", t.LOINC_PAIN.code):  # fmt: skip
        for obs in by_code(resources, code):
            assert obs["status"] == "final" and obs["subject"] == {"reference": "Patient/pt-sink"}
            assert obs["focus"][0]["reference"] in lesion_refs, code
    (patient_level, lesion_level) = by_code(resources, "prior-radiotherapy")
    assert "focus" not in patient_level and lesion_level["focus"][0]["reference"].endswith("right-acetabulum")
    assert all(o["valueBoolean"] is False for o in by_code(resources, "prior-radiotherapy"))


def test_lesion_sites_and_laterality(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    early, neck, ace, lumbar, nos = b.lesions
    assert (early.label, early.levels, early.id) == ("T8–T9", ("T8", "T9"), "pt-sink-met-t8-t9")
    assert [c["coding"][0]["code"] for c in early.body_site] == ["77435000", "33766003"]
    neck_site = neck.body_site[0]
    assert neck_site["coding"][0]["code"] == "29627003" and neck_site["text"] == "left femoral neck"
    assert neck_site["extension"][0]["url"] == t.EXT_LATERALITY
    assert neck_site["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == t.LEFT.code
    assert ace.body_site[0]["coding"][0]["code"] == "719537008"
    assert lumbar.body_site[0]["coding"][0]["code"] == "122496007"
    assert nos.body_site == () and nos.label == "unspecified"
    conditions = {r["id"]: r for r in b.resources() if r["resourceType"] == "Condition"}
    assert "bodySite" not in conditions[nos.id]
    # Linked to the primary even though it was created first.
    assert conditions[early.id]["extension"][0]["valueReference"]["reference"].startswith("Condition/pt-sink-primary")


def test_sins_and_mirels_components(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    sins_components, sins_total = by_code(b.resources(), "sins")
    parts = {c["code"]["coding"][0]["code"]: c["valueCodeableConcept"]["coding"][0]["code"]
             for c in sins_components["component"]}  # fmt: skip
    assert parts == {
        "sins-location": "semi-rigid", "sins-pain": "mechanical", "sins-bone-lesion": "lytic",
        "sins-alignment": "normal", "sins-collapse": "none", "sins-posterolateral": "unilateral",
    }  # fmt: skip
    assert "valueInteger" not in sins_components and sins_total["valueInteger"] == 9
    mirels_full, mirels_total = by_code(b.resources(), "mirels")
    assert mirels_full["valueInteger"] == 9 and len(mirels_full["component"]) == 4
    assert "component" not in mirels_total
    (bilsky, _) = by_code(b.resources(), "bilsky-grade")
    assert bilsky["valueCodeableConcept"]["coding"][0]["code"] == "escc-1c"


def test_neurological_conditions(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    resources = b.resources()
    snomed_cc, icd_cc = by_code(resources, "71286001")[0], by_code(resources, "G95.20")[0]
    assert [c["coding"][0]["code"] for c in snomed_cc["bodySite"]] == ["77435000", "33766003"]
    assert snomed_cc["onsetDateTime"] == "2026-11-19T00:00:00Z"
    assert [c["coding"][0]["code"] for c in icd_cc["bodySite"]] == ["50060007", "61032001"]
    assert by_code(resources, "mescc")[0]["resourceType"] == "Condition"
    assert [o["valueBoolean"] for o in by_code(resources, "mescc")[1:]] == [False]
    (cauda,) = by_code(resources, t.CAUDA_EQUINA.code)
    assert [c["coding"][0]["code"] for c in cauda["bodySite"]] == ["71996003", "21799000"]
    (fracture,) = by_code(resources, t.PATHOLOGICAL_FRACTURE.code)
    assert fracture["bodySite"][0]["coding"][0]["code"] == "29627003"
    (no_fracture,) = by_code(resources, "pathological-fracture")
    assert no_fracture["valueBoolean"] is False


def test_surgery_and_radiotherapy(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    resources = b.resources()
    (planned,) = [r for r in resources if r["resourceType"] == "ServiceRequest"]
    assert planned["status"] == "active" and planned["code"]["coding"][0]["code"] == "387713003"
    assert [c["coding"][0]["code"] for c in planned["bodySite"]] == ["77435000", "33766003"]
    (done,) = [r for r in by_code(resources, "387713003") if r["resourceType"] == "Procedure"]
    assert done["status"] == "completed" and done["performedDateTime"] == "2026-10-21T00:00:00Z"
    courses = [r for r in resources if r["resourceType"] == "Procedure" and "extension" in r]
    t8, neck, lumbar = courses
    assert t8["code"]["coding"][0]["code"] == t.RT_COURSE.code
    assert t8["performedPeriod"] == {"start": "2025-10-10", "end": "2025-10-16"}
    dose = next(e for e in t8["extension"] if e["url"] == t.EXT_DOSE_DELIVERED)["extension"]
    assert {e["url"]: e.get("valueQuantity", e.get("valueUnsignedInt")) for e in dose if e["url"] != "volume"} == {
        "totalDoseDelivered": {
            "value": 2000,
            "unit": "cGy",
            "system": "http://unitsofmeasure.org",
            "code": "cGy",
        },
        "fractionsDelivered": 5,
    }
    volume_ref = next(e for e in dose if e["url"] == "volume")["valueReference"]["reference"]
    assert any(f"BodyStructure/{r['id']}" == volume_ref for r in resources)
    assert neck["code"]["coding"][0]["code"] == t.RT_STEREOTACTIC.code and neck["performedDateTime"] == "2024-01-05"
    assert all(e["url"] != t.EXT_DOSE_DELIVERED for e in neck["extension"])  # dose unknown: no dose extension
    assert {"url": t.EXT_REIRRADIATION, "valueBoolean": False} in neck["extension"]
    assert lumbar["status"] == "in-progress" and [c["coding"][0]["code"] for c in lumbar["bodySite"]] == [
        "61032001", "53983007",
    ]  # fmt: skip


def test_draft_service_requests(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    _, (single, sib, sbrt, text) = sink
    assert single["status"] == "draft" and single["intent"] == "order"
    assert single["note"] == [{"text": "8 Gy x 1"}] and single["code"]["coding"][0]["code"] == t.RT_COURSE.code

    def planned(req: JSON) -> list[tuple[Any, ...]]:
        out = []
        for ext in req["extension"]:
            assert ext["url"] == t.EXT_DOSE_PLANNED
            sub = {e["url"]: e for e in ext["extension"]}
            out.append((sub["totalDose"]["valueQuantity"]["value"], sub["totalDose"]["valueQuantity"]["code"],
                        sub["fractions"]["valueUnsignedInt"]))  # fmt: skip
        return out

    assert planned(single) == [(800, "cGy", 1)]
    assert planned(sib) == [(3500, "cGy", 5), (2000, "cGy", 5)]
    assert sib["reasonReference"] == [{"reference": "Condition/pt-sink-met-right-acetabulum"}]
    assert sbrt["id"] == "order-1" and sbrt["code"]["coding"][0]["code"] == t.RT_STEREOTACTIC.code
    assert len(sbrt["bodySite"]) == 2
    assert text["note"] == [{"text": "20 Gy in 5 fractions"}]


def test_output_is_deterministic() -> None:
    first, drafts1 = kitchen_sink()
    second, drafts2 = kitchen_sink()
    assert first.bundle() == second.bundle() and drafts1 == drafts2
    assert first.bundle("transaction", references="urn:uuid") == second.bundle("transaction", references="urn:uuid")


def test_resources_are_copies_by_default(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    b.resources()[0]["id"] = "changed"
    b.bundle()["entry"][0]["resource"]["gender"] = "male"
    assert b.resources()[0]["id"] == "pt-sink" and b.patient["gender"] == "female"


def test_urn_uuid_bundle_rewrites_every_internal_reference(sink: tuple[PatientBuilder, list[JSON]]) -> None:
    b, _ = sink
    bundle = b.bundle("transaction", references="urn:uuid")
    text = str(bundle_resources(bundle))
    assert "'Patient/pt-sink'" not in text and "'Condition/" not in text
    assert bundle["entry"][0]["request"] == {"method": "POST", "url": "Patient"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.bone_metastasis("left tibia"), "no SNOMED code"),
        (lambda b: b.bone_metastasis("T8", "T10"), "not contiguous"),
        (lambda b: b.bone_metastasis("T8", "rib"), "only over vertebral levels"),
        (lambda b: b.sins(b.bone_metastasis("T1"), pain="severe"), "SINS pain"),
        (lambda b: b.sins(b.bone_metastasis("T1")), "total or at least one"),
        (lambda b: b.mirels(b.bone_metastasis("femur"), size="half"), "Mirels size"),
        (lambda b: b.bilsky(b.bone_metastasis("T1"), "1"), "Bilsky grade"),
        (lambda b: b.ecog(6), "ECOG"),
        (lambda b: b.kps(65), "KPS"),
        (lambda b: b.expected_survival(), "exactly one"),
        (lambda b: b.prior_radiotherapy("T8"), "exactly one"),
        (lambda b: b.systemic_therapy(drugs=["metformin"]), "not an anticancer drug"),
        (lambda b: b.visceral_metastasis("spleen"), "metastasis site"),
    ],
)
def test_invalid_clinical_input_is_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(PatientBuilder("pt-bad", as_of=AS_OF))


def test_long_patient_ids_still_give_valid_fhir_ids() -> None:
    b = PatientBuilder("a" * 70 + " with spaces_and_underscores", as_of=AS_OF, age=50)
    les = b.bone_metastasis("left femoral shaft")
    b.pain(les, 4)
    assert all(len(r["id"]) <= 64 for r in b.resources())
    assert [e for r in b.resources() for e in validation_errors(r)] == []
    assert len({r["id"] for r in b.resources()}) == len(b.resources())
