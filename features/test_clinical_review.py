"""BDD: the clinical review — the scenarios of clinical_review.feature."""

from pytest_bdd import scenarios

scenarios("clinical_review.feature")
