"""FHIR R4 → clinical state mapping and the code lists it matches on."""
