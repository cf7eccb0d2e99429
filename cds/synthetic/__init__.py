"""Synthetic FHIR R4 test data: a patient builder in clinical language, example patients, a cohort.

Everything here produces plain JSON dicts (FHIR R4 resources) with exactly the codes of
``/work/shared/contract/fhir-input.md``; nothing here reads the clinical state back.
"""

from cds.synthetic.builder import Lesion, PatientBuilder, ago

__all__ = ["Lesion", "PatientBuilder", "ago"]
