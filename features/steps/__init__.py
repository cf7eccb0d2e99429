"""The step library of the clinician-facing BDD suite.

Steps speak the clinician's language and build a real FHIR R4 record with
:class:`cds.synthetic.builder.PatientBuilder`; the record goes through the FHIR reader and
mapper, the derived facts and both rule engines (see :mod:`steps.evaluation`).

* :mod:`steps.vocabulary` — clinical phrases → builder arguments and output codes;
* :mod:`steps.context` — the scenario's patient (built at evaluation time) and results;
* :mod:`steps.patient`, :mod:`steps.lesions` — ``Given`` steps;
* :mod:`steps.evaluation` — the ``When`` step (map, derive, evaluate with both engines);
* :mod:`steps.outcomes` — ``Then`` steps on recommendations, eligibility, data gaps and state.
"""
