"""FHIR R4 → clinical state mapping and the code lists it matches on.

Public API: ``reader.read_path`` / ``read_bytes`` / ``records_from_prefetch`` (input → one
``PatientRecord`` per patient), ``mapper.map_record`` / ``map_path`` (record → ``cds.state.PatientState``)
and ``orders.parse_draft_orders`` (CDS Hooks draft orders → ``DraftRadiotherapyOrder``).

Modules, one job each: ``resources`` (entry-by-entry R4B validation), ``reader`` (input formats and
grouping by patient), ``context`` (one record indexed once; evaluation time; warnings), ``elements`` /
``dates`` / ``observation_values`` (reading FHIR datatypes), ``evidence`` (latest wins), ``body_sites``
(bodySite → levels/bones/label), ``condition_codes`` (what a Condition is), then one module per group of
facts: ``patient``, ``primary_cancer``, ``receptors``, ``performance_status``, ``patient_facts``,
``systemic_therapy``, ``hospitalisation``, ``imaging``, ``metastases``, ``lesions``,
``lesion_observations``, ``site_conditions``, ``compression``, ``fractures``, ``surgery``, ``neurology``,
``rt_dose``, ``prior_radiotherapy``, ``orders``; ``mapper`` orchestrates. ``codes`` loads
``codelists.yaml`` and the project CodeSystem.
"""
